import { describe, expect, it } from 'vitest';
import type { NetfilterNamespaceImpl } from '../netfilter/namespace';
import { tcpdumpCommand } from '../commands/net/tcpdump';
import { createWorld, hostFor, podHost, runCmd } from '../commands/net/testctx';
import { httpGet, serveHello } from './testkit';

describe('packet traces', () => {
  it('one request: every hop of every packet, grouped, with routes, hooks and bridge decisions', () => {
    const w = createWorld({ profile: 'local', seed: 5 });
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    const req = w.traces.beginRequest('curl http://10.244.2.6:8000/', a.id, w.scheduler.now());
    const r = httpGet(w.network.ns(a.netns!)!, '10.244.2.6', 8000, req);
    w.scheduler.runUntil(() => r.done, w.scheduler.now() + 1000);
    w.scheduler.advance(5);
    const hops = w.traces.hops(req);
    const info = w.traces.request(req)!;
    // 10 TCP packets plus 6 ARP exchanges' worth of frames (pod→gw, node→node, node→pod on both paths)
    expect(info.packetCount).toBeGreaterThanOrEqual(11);
    const syn = hops.find((h) => h.kind === 'xmit' && /Flags \[S\],/.test(h.packet))!;
    const synHops = w.traces.packetHops(req, syn.pid);
    const path = synHops.filter((h) => h.kind === 'recv').map((h) => `${h.netns}:${h.iface}`);
    // pod a's veth on worker-1, docker's bridge port on the workstation, worker-2's eth0, pod b's eth0
    expect(path).toHaveLength(4);
    expect(path[0]).toMatch(/^node\/worker-1:veth[0-9a-f]{8}$/);
    expect(path[1]).toMatch(/^workstation:veth[0-9a-f]{7}$/);
    expect(path.slice(2)).toEqual(['node/worker-2:eth0', 'pod/default/b:eth0']);
    const xmits = synHops.filter((h) => h.kind === 'xmit').map((h) => `${h.netns}:${h.iface}`);
    expect(xmits[0]).toBe('pod/default/a:eth0');
    expect(xmits).toContain('node/worker-1:eth0');
    expect(xmits).toContain('node/worker-2:cni0');
    expect(path[0]).toMatch(/^node\/worker-1:veth[0-9a-f]{8}$/);
    expect(synHops.some((h) => h.kind === 'bridge' && /FDB|for cni0 itself/.test(h.detail ?? ''))).toBe(true);
    expect(synHops.filter((h) => h.kind === 'hook').map((h) => `${h.netns} ${h.hook}`)).toContain('node/worker-1 FORWARD');
    expect(synHops.find((h) => h.kind === 'route' && h.netns === 'node/worker-1')!.route).toBe('10.244.2.0/24 via 172.18.0.4 dev eth0 ');
    expect(synHops[synHops.length - 1]!.kind).toBe('deliver');
  });

  it('tracing off records nothing', () => {
    const w = createWorld({ profile: 'local', seed: 5 });
    w.traces.enabled = false;
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const req = w.traces.beginRequest('x', a.id, 0);
    const r = httpGet(w.network.ns(a.netns!)!, '10.244.1.6', 9, req);
    w.scheduler.runUntil(() => r.done, w.scheduler.now() + 1000);
    expect(w.traces.hops(req)).toHaveLength(0);
  });

  it('REJECT in the node\'s FORWARD chain: ICMP port unreachable from cni0, connection refused, drop reason traced', async () => {
    const w = createWorld({ profile: 'local', seed: 5 });
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const nf = w.network.ns('node/worker-1')!.netfilter as NetfilterNamespaceImpl;
    nf.restore('*filter\n-A FORWARD -d 10.96.99.99/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n', { noflush: true });
    const req = w.traces.beginRequest('curl http://10.96.99.99/', a.id, w.scheduler.now());
    let r: ReturnType<typeof httpGet> | undefined;
    w.scheduler.after(1, () => (r = httpGet(w.network.ns(a.netns!)!, '10.96.99.99', 80, req)));
    const dump = await runCmd(w, a, tcpdumpCommand, 'tcpdump -i eth0 -n -c 2 tcp or icmp');
    expect(r!.error).toBe('ECONNREFUSED');
    const lines = dump.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/ IP 10\.244\.1\.5\.\d+ > 10\.96\.99\.99\.80: Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 10\], length 0$/);
    expect(lines[1]).toMatch(/ IP 10\.244\.1\.1 > 10\.244\.1\.5: ICMP 10\.96\.99\.99 tcp port 80 unreachable, length 68$/);
    const hook = w.traces.hops(req).find((h) => h.kind === 'hook' && h.verdict === 'reject')!;
    expect(hook.netns).toBe('node/worker-1');
    expect(hook.hook).toBe('FORWARD');
    expect(hook.steps!.some((s) => s.ruleText.includes('REJECT --reject-with icmp-port-unreachable'))).toBe(true);
  });

  it('is deterministic: same seed, same commands → same trace text', () => {
    const run = () => {
      const w = createWorld({ profile: 'local', seed: 9 });
      const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
      const b = podHost(w, 'b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
      serveHello(w.network.ns(b.netns!)!, 8000, 'b');
      hostFor(w, 'node/worker-1');
      const req = w.traces.beginRequest('x', a.id, w.scheduler.now());
      const r = httpGet(w.network.ns(a.netns!)!, '10.244.2.6', 8000, req);
      w.scheduler.runUntil(() => r.done, w.scheduler.now() + 1000);
      return w.traces.hops(req).map((h) => `${h.time} ${h.netns} ${h.kind} ${h.iface ?? ''} ${h.packet}`).join('\n');
    };
    expect(run()).toBe(run());
  });
});
