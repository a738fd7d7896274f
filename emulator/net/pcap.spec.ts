import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcapFromFileText } from './pcap';
import { readPcap, writePcap, LINKTYPE_EN10MB } from './pcap';
import { tcpdumpCommand } from '../commands/net/tcpdump';
import { createWorld, hostFor, podHost, runCmd } from '../commands/net/testctx';
import { httpGet, serveHello } from './testkit';

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
const haveTshark = tshark.status === 0;
if (!haveTshark) console.log('pcap.spec: tshark is not installed (apt-get install -y tshark); the tshark cross-check is reported as skipped-by-absence below');

async function capture(iface: string, count = 12): Promise<Uint8Array> {
  const w = createWorld({ profile: 'local', seed: 11 });
  const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
  const b = podHost(w, 'b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
  serveHello(w.network.ns(b.netns!)!, 80, 'b');
  const node = hostFor(w, 'node/worker-1');
  w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.244.2.6', 80));
  const r = await runCmd(w, node, tcpdumpCommand, `tcpdump -i ${iface} -c ${count} -w /tmp/c.pcap`);
  expect(r.code).toBe(0);
  return pcapFromFileText(node.fs.readFile('/tmp/c.pcap')!);
}

function tsharkRead(bytes: Uint8Array): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-pcap-')), 'c.pcap');
  fs.writeFileSync(file, bytes);
  return execFileSync('tshark', ['-r', file, '-n', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.protocols', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'tcp.flags.str', '-e', 'http.request.method', '-e', 'http.response.code', '-e', '_ws.expert.message'], { encoding: 'utf8' });
}

describe('pcap files', () => {
  it('the file round-trips through our reader', async () => {
    const bytes = await capture('eth0');
    const f = readPcap(bytes);
    expect(f.linktype).toBe(LINKTYPE_EN10MB);
    expect(f.records).toHaveLength(12);
    expect(writePcap(f)).toEqual(bytes);
  });

  it.runIf(haveTshark)('tshark opens an EN10MB capture and decodes ARP, TCP and HTTP without checksum or malformed warnings', async () => {
    const out = tsharkRead(await capture('eth0'));
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(/^eth:ethertype:arp/);
    expect(out).toMatch(/eth:ethertype:ip:tcp:http\t10\.244\.1\.5\t10\.244\.2\.6\t.*GET/);
    expect(out).toMatch(/\t200/);
    expect(out).not.toMatch(/Malformed|checksum|incorrect/i);
  });

  it.runIf(haveTshark)('tshark opens a LINUX_SLL2 (-i any) capture', async () => {
    const out = tsharkRead(await capture('any', 14));
    expect(out.trim().split('\n')).toHaveLength(14);
    expect(out).toMatch(/^sll:ethertype:(arp|ip)/m);
    expect(out).not.toMatch(/Malformed/i);
  });
});
