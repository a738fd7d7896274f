/**
 * The HTTP bench's request pattern through the real Linux kernel (bench/http.mjs): the differential harness's
 * namespaces (bench/netfilter-kernel.ts), the emulator's kube-proxy ruleset for the same Services loaded with
 * iptables-restore, and in the backend namespace a small DNS server (the kube-dns endpoint) and a small HTTP
 * server (every Service's endpoint). The client namespace does what the emulator's curl does per request: A and
 * AAAA for the Service's FQDN sent to the kube-dns ClusterIP (DNATed by the kernel to the DNS server), a new TCP
 * connection to the ClusterIP, GET /, read the response, close. Node-only; not part of the emulator.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Rng } from '../emulator/core/rng';
import { Scheduler } from '../emulator/core/scheduler';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { formatIpv4, ip } from '../emulator/netfilter/ip';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore } from '../emulator/kube-proxy/testing';
import { NODE_IP, createKernelNode, kernelUnavailable } from './netfilter-kernel';

const DNS_ENDPOINT = '10.244.1.10';
const HTTP_ENDPOINT = '10.244.1.6';
const KUBE_DNS_IP = '10.96.0.10';

export interface KernelHttpRate {
  /** Requests per second of wall time, one request at a time (the emulator bench's pattern). */
  readonly serial: number;
  /** Requests per second of wall time with 16 requests in flight (the kernel's own parallelism on 2 processes). */
  readonly parallel: number;
  readonly failures: number;
}

/** Service i's ClusterIP and FQDN: the same set bench/http-bench.ts installs in the emulator. */
export function benchService(i: number): { clusterIP: string; fqdn: string; name: string; namespace: string } {
  return {
    name: `svc-${i}`, namespace: `ns${i % 50}`, fqdn: `svc-${i}.ns${i % 50}.svc.cluster.local`,
    clusterIP: formatIpv4((ip('10.96.1.0') + i * 7) >>> 0),
  };
}

/** A kube-proxy ruleset for kube-dns + `services` Services, their endpoints on the harness's backend addresses. */
function kubeProxyRuleset(services: number): string {
  const store = new FakeProxyStore();
  store.add({
    namespace: 'kube-system', name: 'kube-dns', clusterIP: KUBE_DNS_IP,
    ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' }],
    endpoints: [{ ip: DNS_ENDPOINT, nodeName: 'node' }],
  });
  for (let i = 0; i < services; i++) {
    const s = benchService(i);
    store.add({
      namespace: s.namespace, name: s.name, clusterIP: s.clusterIP,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }], endpoints: [{ ip: HTTP_ENDPOINT, nodeName: 'node' }],
    });
  }
  const nf = createNetfilterNamespace({ name: 'node/node', rng: new Rng(1) });
  nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
  const proxy = new KubeProxy({ nodeName: 'node', nodeIPs: [NODE_IP], netfilter: nf, store, scheduler: new Scheduler() });
  proxy.start();
  proxy.syncNow();
  return nf.save();
}

// The backend: DNS on DNS_ENDPOINT:53/udp answering A from the name → ClusterIP map and NOERROR/NODATA with the
// zone's SOA for AAAA (what CoreDNS answers for a ClusterIP Service), HTTP on :8080 as the emulator's serveHello.
const BACKEND = `
const dgram = require('dgram'), http = require('http');
const names = new Map(JSON.parse(process.argv[1]));
const label = (s) => Buffer.concat(s.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])).concat([Buffer.from([0])]));
const soa = Buffer.concat([Buffer.from([0xc0, 0x0c]), Buffer.from([0, 6, 0, 1, 0, 0, 0, 30])]);
const soaData = Buffer.concat([label('ns.dns.cluster.local'), label('hostmaster.cluster.local'), Buffer.alloc(20)]);
const u = dgram.createSocket('udp4');
u.on('message', (m, r) => {
  let o = 12; const parts = [];
  while (m[o] !== 0) { parts.push(m.subarray(o + 1, o + 1 + m[o]).toString()); o += m[o] + 1; }
  const qtype = m.readUInt16BE(o + 1); const qend = o + 5;
  const ip = names.get(parts.join('.').toLowerCase());
  const head = Buffer.from(m.subarray(0, qend)); head[2] = 0x84 | (m[2] & 1); head[3] = ip ? 0x80 : 0x83;
  head.writeUInt16BE(0, 6); head.writeUInt16BE(0, 8); head.writeUInt16BE(0, 10);
  let body = Buffer.alloc(0);
  if (ip && qtype === 1) { head.writeUInt16BE(1, 6); body = Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4]), Buffer.from(ip.split('.').map(Number))]); }
  else { head.writeUInt16BE(1, 10); const len = Buffer.alloc(2); len.writeUInt16BE(soaData.length); body = Buffer.concat([soa, len, soaData]); }
  u.send(Buffer.concat([head, body]), r.port, r.address);
});
u.bind(53, '${DNS_ENDPOINT}', () => {
  http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 18 }); res.end('hello from server\\n'); })
    .listen(8080, '0.0.0.0', () => process.stdout.write('ready\\n'));
});
`;

// The client: per request A + AAAA (in parallel, as curl's resolver sends them) to the kube-dns ClusterIP, then a
// new connection to the answer, GET /, read the whole response, close (curl's order: the client closes first).
const CLIENT = `
const dns = require('dns'), net = require('net');
const [names, count, inflight] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3])];
const r = new dns.Resolver({ timeout: 2000, tries: 1 }); r.setServers(['${KUBE_DNS_IP}']);
let started = 0, finished = 0, failures = 0;
const t0 = process.hrtime.bigint();
const done = (ok) => {
  if (!ok) failures++;
  if (++finished === count) { process.stdout.write(JSON.stringify({ perSecond: count / (Number(process.hrtime.bigint() - t0) / 1e9), failures })); return; }
  if (started < count) one();
};
function one() {
  const name = names[(started++ * 7919) % names.length];
  let a, left = 2;
  const next = () => {
    if (--left) return;
    if (!a) return done(false);
    const s = net.connect({ host: a, port: 80 });
    let got = '';
    s.on('connect', () => s.write('GET / HTTP/1.1\\r\\nHost: ' + name + '\\r\\nUser-Agent: curl/7.88.1\\r\\nAccept: */*\\r\\n\\r\\n'));
    s.on('data', (d) => { got += d; if (got.endsWith('hello from server\\n')) s.end(); });
    s.on('close', () => done(got.startsWith('HTTP/1.1 200')));
    s.on('error', () => {});
  };
  r.resolve4(name, (e, ips) => { if (!e && ips.length) a = ips[0]; next(); });
  r.resolve6(name, () => next());
}
for (let i = 0; i < Math.min(inflight, count); i++) one();
`;

/** Full HTTP requests with DNS per second through the kernel; undefined fields are replaced by `skipped`. */
export async function kernelHttpRate(services: number, count: number): Promise<KernelHttpRate | { skipped: string }> {
  const why = kernelUnavailable();
  if (why) return { skipped: why };
  const rules = kubeProxyRuleset(services);
  const names: [string, string][] = [];
  for (let i = 0; i < services; i++) {
    const s = benchService(i);
    names.push([s.fqdn, s.clusterIP]);
  }
  const k = createKernelNode();
  let backend: ChildProcess | undefined;
  try {
    k.load(rules);
    backend = spawn('ip', ['netns', 'exec', k.be, process.execPath, '-e', BACKEND, JSON.stringify(names)], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('kernel HTTP bench: backend did not start')), 15_000);
      backend!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(); } });
      backend!.on('exit', (code) => { clearTimeout(t); reject(new Error(`kernel HTTP bench: backend exited (${code})`)); });
    });
    const client = (n: number, inflight: number): { perSecond: number; failures: number } => {
      const r = spawnSync('ip', ['netns', 'exec', k.cli, process.execPath, '-e', CLIENT, JSON.stringify(names.map(([n]) => n)), String(n), String(inflight)],
        { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`kernel HTTP bench: client failed (${r.status}): ${r.stderr}`);
      return JSON.parse(r.stdout) as { perSecond: number; failures: number };
    };
    client(Math.min(300, count), 1); // warm-up: ARP, the servers' JIT
    const serial = client(count, 1);
    const parallel = client(count, 16);
    return { serial: serial.perSecond, parallel: parallel.perSecond, failures: serial.failures + parallel.failures };
  } finally {
    backend?.kill('SIGKILL');
    k.destroy();
  }
}
