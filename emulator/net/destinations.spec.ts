import { describe, expect, it } from 'vitest';
import { Scheduler } from '../core/scheduler';
import { Rng } from '../core/rng';
import { formatMac, ipv4 } from './addr';
import { Network } from './network';
import { ARP_REQUEST } from './packet/arp';
import { rawData } from './packet/http';
import type { Ipv4Packet } from './packet/ipv4';
import type { NetNamespace } from './netns';

// A namespace keeps what it decided about its last destinations (local?, route, device, next hop, broadcast?,
// neighbour entry) while nothing those answers depend on changes. Each step below changes one of them between two
// packets to the same destination: a kept answer that outlived its change sends the second packet the old way.
describe('destinations a namespace keeps', () => {
  function router() {
    const scheduler = new Scheduler();
    const net = new Network(scheduler, new Rng(1));
    const r = net.createNamespace('r');
    const h1 = net.createNamespace('h1'), h2 = net.createNamespace('h2');
    net.vethPair(r, 'a', h1, 'eth0');
    net.vethPair(r, 'b', h2, 'eth0');
    r.addAddr('a', ipv4('10.0.1.1'), 24);
    r.addAddr('b', ipv4('10.0.2.1'), 24);
    const out: string[] = [];
    const arp = { requests: 0 };
    net.attachCapture(r, {
      iface: undefined,
      onFrame: (_time, iface, f, dir) => {
        if (dir !== 'Out') return;
        if (!('kind' in f.payload)) out.push(`${iface.name} ${formatMac(f.dst)}`);
        else if (f.payload.op === ARP_REQUEST) arp.requests++;
      },
    });
    /** Send one UDP packet from r to `dst`; where it went out (device and MAC), or 'dropped'. */
    const send = (ns: NetNamespace, dst: string): string => {
      out.length = 0;
      const p: Ipv4Packet = ns.newPacket(0, ipv4(dst), 17, 1000, 2000, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) });
      ns.output(p);
      scheduler.advance(1);
      return out.length === 0 ? 'dropped' : out[0]!;
    };
    return { net, r, h1, h2, send, arp };
  }

  const M1 = 0x020000000001, M2 = 0x020000000002, M3 = 0x020000000003, M4 = 0x020000000004;

  it('follow neighbour entries, routes, local addresses and interfaces as they change', () => {
    const { net, r, h2, send } = router();
    r.addNeighbour('a', ipv4('10.0.1.9'), M1);
    expect(send(r, '10.0.1.9')).toBe(`a ${formatMac(M1)}`);
    expect(send(r, '10.0.1.9')).toBe(`a ${formatMac(M1)}`);
    // The neighbour entry replaced (same next hop, new MAC).
    r.addNeighbour('a', ipv4('10.0.1.9'), M2);
    expect(send(r, '10.0.1.9')).toBe(`a ${formatMac(M2)}`);
    // A more specific route through the other device.
    r.addNeighbour('b', ipv4('10.0.1.9'), M3);
    r.addRoute({ dst: ipv4('10.0.1.9'), prefix: 32, type: 'unicast', dev: 'b' });
    expect(send(r, '10.0.1.9')).toBe(`b ${formatMac(M3)}`);
    r.routes.remove(ipv4('10.0.1.9'), 32);
    expect(send(r, '10.0.1.9')).toBe(`a ${formatMac(M2)}`);
    // A route through a gateway: the next hop is the gateway, whose entry is M4.
    r.addNeighbour('b', ipv4('10.0.2.2'), M4);
    r.addRoute({ dst: ipv4('10.0.1.9'), prefix: 32, type: 'unicast', dev: 'b', via: ipv4('10.0.2.2') });
    expect(send(r, '10.0.1.9')).toBe(`b ${formatMac(M4)}`);
    r.routes.remove(ipv4('10.0.1.9'), 32);
    expect(send(r, '10.0.1.9')).toBe(`a ${formatMac(M2)}`);
    // The address becomes local (a /32: no route comes with it): out through lo.
    r.addAddr('a', ipv4('10.0.1.9'), 32);
    expect(send(r, '10.0.1.9')).toBe('lo 00:00:00:00:00:00');
    // A route to a device not there yet: dropped until the device comes.
    r.addNeighbour('a', ipv4('10.0.3.3'), M1);
    r.addRoute({ dst: ipv4('10.0.3.0'), prefix: 24, type: 'unicast', dev: 'c' });
    expect(send(r, '10.0.3.3')).toBe('dropped');
    const [c] = net.vethPair(r, 'c', h2, 'eth1');
    r.addNeighbour('c', ipv4('10.0.3.3'), M2);
    expect(send(r, '10.0.3.3')).toBe(`c ${formatMac(M2)}`);
    // The device replaced by another of the same name.
    net.removeVeth(c);
    net.vethPair(r, 'c', h2, 'eth1');
    r.addRoute({ dst: ipv4('10.0.3.0'), prefix: 24, type: 'unicast', dev: 'c' });
    r.addNeighbour('c', ipv4('10.0.3.3'), M3);
    expect(send(r, '10.0.3.3')).toBe(`c ${formatMac(M3)}`);
  });

  it('follow a next hop that becomes a subnet broadcast address', () => {
    const { r, send } = router();
    r.addNeighbour('b', ipv4('10.0.2.63'), M1);
    expect(send(r, '10.0.2.63')).toBe(`b ${formatMac(M1)}`);
    // 10.0.2.1 is already local: the set of local addresses is unchanged, the subnets are not.
    r.addAddr('b', ipv4('10.0.2.1'), 26);
    expect(send(r, '10.0.2.63')).toBe('b ff:ff:ff:ff:ff:ff');
  });

  it('follow a neighbour entry that fails and is resolved again (forwarded packets)', () => {
    const { net, r, h1, h2, send, arp } = router();
    r.ipForward = true;
    h1.addAddr('eth0', ipv4('10.0.1.5'), 24);
    h1.addRoute({ dst: 0, prefix: 0, type: 'unicast', dev: 'eth0', via: ipv4('10.0.1.1') });
    // h2 has no address yet: r's ARP for 10.0.2.7 fails, and its entry goes.
    expect(send(h1, '10.0.2.7')).toBe('dropped');
    net.scheduler.advance(5000);
    expect(arp.requests).toBe(3);
    expect(r.neighbours().map((e) => e.state)).not.toContain('INCOMPLETE');
    h2.addAddr('eth0', ipv4('10.0.2.7'), 24);
    const mac = h2.iface('eth0')!.mac;
    // Resolved now: the first packet waits for the ARP reply, the second finds the entry (no new request).
    expect(send(h1, '10.0.2.7')).toBe(`b ${formatMac(mac)}`);
    expect(send(h1, '10.0.2.7')).toBe(`b ${formatMac(mac)}`);
    expect(arp.requests).toBe(4);
  });
});
