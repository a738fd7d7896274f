import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr';
import { rawData, type StreamData } from './packet/http';
import type { TcpConnection } from './tcp-socket';
import { addPod, testNet } from './testkit';
import { AddressMap } from './netns';

describe('TCP connections sharing a local port', () => {
  it('a port shared by a few connections and then by more (a list, then a map) finds each one, lists them in the order they came, and keeps TIME-WAIT records in their places', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    const dec = new TextDecoder();
    // Twelve servers, each echoing what it gets with its port appended.
    for (let i = 0; i < 12; i++) {
      b.listenTcp(9000 + i, () => ({
        onData: (c, d: StreamData) => { if (d.kind === 'raw') c.send(rawData(new TextEncoder().encode(`${dec.decode(d.bytes)}@${9000 + i}`))); },
        onPeerClose: (c) => c.close(),
      }));
    }
    const got: string[] = [];
    const conns: TcpConnection[] = [];
    const ports = () => [...a.tcpConns.get(40000)!.values()].map((c) => c.remotePort);
    const connect = (i: number) => {
      conns[i] = a.connectTcp({
        dst: ipv4('10.244.2.7'), dport: 9000 + i, sport: 40000,
        events: { onData: (_c, d: StreamData) => { if (d.kind === 'raw') got[i] = dec.decode(d.bytes); } },
      });
      t.scheduler.advance(5);
    };
    const exchange = () => {
      got.length = 0;
      conns.forEach((c, i) => { if (c.state === 'ESTAB') c.send(rawData(new TextEncoder().encode(`to ${i}`))); });
      t.scheduler.advance(10);
    };
    for (let i = 0; i < 3; i++) connect(i);
    exchange();
    expect(got).toEqual(['to 0@9000', 'to 1@9001', 'to 2@9002']);
    conns[1]!.close(); // the client closes first: its end goes to TIME-WAIT and keeps its place
    t.scheduler.advance(10);
    expect(a.tcpConns.get(40000)!.size).toBe(3);
    expect([...a.tcpConns.get(40000)!.values()].map((c) => c.state)).toEqual(['ESTAB', 'TIME-WAIT', 'ESTAB']);
    t.scheduler.advance(61_000); // the TIME-WAIT record ends: the middle one of three leaves
    expect(ports()).toEqual([9000, 9002]);
    exchange();
    expect(got.filter((x) => x !== undefined)).toEqual(['to 0@9000', 'to 2@9002']);
    for (let i = 3; i < 12; i++) connect(i);
    expect(ports()).toEqual([9000, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010, 9011]);
    exchange();
    expect(got.filter((x) => x !== undefined)).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => `to ${i}@${9000 + i}`));
    for (const i of [0, 5, 11]) conns[i]!.close();
    t.scheduler.advance(10);
    expect(ports()).toEqual([9000, 9002, 9003, 9004, 9005, 9006, 9007, 9008, 9009, 9010, 9011]);
    t.scheduler.advance(61_000);
    expect(ports()).toEqual([9002, 9003, 9004, 9006, 9007, 9008, 9009, 9010]);
    exchange();
    expect(got.filter((x) => x !== undefined)).toEqual([2, 3, 4, 6, 7, 8, 9, 10].map((i) => `to ${i}@${9000 + i}`));
    for (const c of conns) if (c.state === 'ESTAB') c.close();
    t.scheduler.advance(61_000);
    expect(a.tcpConns.has(40000)).toBe(false);
  });
});

describe('AddressMap (the internet gateway 1:1 NAT table)', () => {
  it('answers as a Map after every change, though it remembers its last lookup', () => {
    const m = new AddressMap();
    const pub = 0xcb007196; // 203.0.113.150: beyond 2^31
    expect(m.get(pub)).toBeUndefined();
    m.set(pub, 0x0a0001c8);
    expect(m.get(pub)).toBe(0x0a0001c8);
    expect(m.get(pub)).toBe(0x0a0001c8);
    m.set(pub, 0x0a0001c9); // the same key mapped again: the remembered answer must not be returned
    expect(m.get(pub)).toBe(0x0a0001c9);
    m.delete(pub);
    expect(m.get(pub)).toBeUndefined();
    m.set(pub, 1);
    expect(m.get(pub)).toBe(1);
    m.clear();
    expect(m.get(pub)).toBeUndefined();
    expect(m.get(0xcb007197)).toBeUndefined();
  });
});
