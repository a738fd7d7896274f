import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMac, inCidr, ipv4 } from './addr';
import { formatRoute, RouteTable, type Route } from './routing';
import { testNet, addPod } from './testkit';

describe('routing table: longest-prefix match', () => {
  it('agrees with a brute-force search over every route', () => {
    const route = fc.record({ dst: fc.integer({ min: 0, max: 0xffffffff }), prefix: fc.integer({ min: 0, max: 32 }) });
    fc.assert(
      fc.property(fc.array(route, { maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 20 }), (routes, probes) => {
        const t = new RouteTable();
        const added: Route[] = [];
        for (const r of routes) {
          const full: Route = { dst: r.dst, prefix: r.prefix, type: 'unicast', dev: `d${added.length}`, proto: 'static', scope: 'global' };
          added.push(t.replace(full));
        }
        for (const addr of probes) {
          const best = t.list().filter((r) => inCidr(addr, { addr: r.dst, prefix: r.prefix })).sort((a, b) => b.prefix - a.prefix)[0];
          expect(t.lookup(addr)).toEqual(best);
        }
      }),
    );
  });

  it('prints routes as ip route does (trailing space, kernel routes with proto/scope/src)', () => {
    expect(formatRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('10.244.1.1'), dev: 'eth0', proto: 'static', scope: 'global' })).toBe('default via 10.244.1.1 dev eth0 ');
    expect(formatRoute({ dst: ipv4('10.244.1.0'), prefix: 24, type: 'unicast', dev: 'cni0', src: ipv4('10.244.1.1'), proto: 'kernel', scope: 'link' })).toBe('10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 ');
    expect(formatRoute({ dst: ipv4('10.96.0.0'), prefix: 12, type: 'blackhole', proto: 'static', scope: 'global' })).toBe('blackhole 10.96.0.0/12 ');
  });
});

describe('bridge and ARP', () => {
  it('cni0 learns each pod MAC on its port after the first frame; unknown unicast is flooded', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const cni0 = t.topology.nodes.get('worker-1')!.iface('cni0')!;
    expect(cni0.fdb!.size).toBe(0);
    const ping = a.openPing(() => {}, () => {});
    ping.send(ipv4('10.244.1.6'), 1);
    t.scheduler.advance(10);
    const learned = new Map([...cni0.fdb!].map(([mac, e]) => [formatMac(mac), e.port.peer!.ns.id]));
    expect(learned.get(formatMac(a.iface('eth0')!.mac))).toBe('pod/default/a');
    expect(learned.get(formatMac(b.iface('eth0')!.mac))).toBe('pod/default/b');
  });

  it('ARP: request broadcast, reply cached REACHABLE, then STALE after the reachable time; the asker learned STALE goes DELAY → PROBE → REACHABLE', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    a.openPing(() => {}, () => {}).send(ipv4('10.244.1.6'), 1);
    t.scheduler.advance(10);
    expect(a.neighbours().map((e) => [e.state, formatMac(e.mac)])).toEqual([['REACHABLE', formatMac(b.iface('eth0')!.mac)]]);
    // b learned a from a's request (STALE) and used that entry for its echo reply: DELAY, as on Linux
    expect(b.neighbours().map((e) => e.state)).toEqual(['DELAY']);
    // nothing confirms it within 5 s, so b probes a with a unicast request and a answers: REACHABLE
    t.scheduler.advance(6_000);
    expect(b.neighbours().map((e) => e.state)).toEqual(['REACHABLE']);
    t.scheduler.advance(46_000);
    expect(a.neighbours().map((e) => e.state)).toEqual(['STALE']);
  });

  it('removing a pod flushes its FDB entry and its veth from the node', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    a.openPing(() => {}, () => {}).send(ipv4('10.244.1.6'), 1);
    t.scheduler.advance(10);
    const node = t.topology.nodes.get('worker-1')!;
    const before = [...node.ifaces.keys()].filter((n) => n.startsWith('veth')).length;
    t.cni.removePod('default/b');
    expect([...node.ifaces.keys()].filter((n) => n.startsWith('veth')).length).toBe(before - 1);
    expect([...node.iface('cni0')!.fdb!.values()].every((e) => e.port.peer!.ns.id !== 'pod/default/b')).toBe(true);
    expect(t.network.ns('pod/default/b')).toBeUndefined();
  });
});

describe('pod IP reuse', () => {
  it('a new pod with a deleted pod\'s IP is reachable at once: its gratuitous ARP updates the node\'s cache', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const node = t.topology.nodes.get('worker-1')!;
    let replies = 0;
    const p = node.openPing(() => replies++, () => {});
    p.send(ipv4('10.244.1.6'), 1);
    t.scheduler.advance(10);
    expect(replies).toBe(1);
    t.cni.removePod('default/b');
    const b2 = addPod(t, 'b2', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    t.scheduler.advance(1);
    const entry = node.neighbours().find((e) => e.ip === ipv4('10.244.1.6'))!;
    expect(formatMac(entry.mac)).toBe(formatMac(b2.iface('eth0')!.mac));
    p.send(ipv4('10.244.1.6'), 2);
    t.scheduler.advance(10);
    expect(replies).toBe(2);
    expect(a.ifaces.size).toBe(2);
  });
});
