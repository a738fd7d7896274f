import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TraceHopInfo, TraceProtocol } from '../../../main/contract';
import { appendEvents, buildEvents, endpointsOf, filterEvents, pathUpTo, playInterval, step } from './simulation-model';

function hop(seq: number, where: string, packet: string, protocol: TraceProtocol, extra: Partial<TraceHopInfo> = {}): TraceHopInfo {
  return { seq, at: 1_000 + seq * 0.01, reqId: 1, pid: seq, where, kind: 'xmit', packet, protocol, ...extra };
}

const hops = [
  hop(1, 'workstation', 'ARP, Request who-has 172.18.0.3 tell 172.18.0.1, length 28', 'ARP'),
  hop(2, 'workstation', 'IP 172.18.0.1.41426 > 172.18.0.3.30080: Flags [S], seq 1, win 64240, length 0', 'TCP'),
  hop(3, 'node/worker-1', 'IP 172.18.0.1.41426 > 10.244.2.3.80: Flags [S], seq 1, win 64240, length 0', 'TCP', { kind: 'hook', hook: 'PREROUTING', verdict: 'accept', natBefore: '172.18.0.1:41426 > 172.18.0.3:30080', natAfter: '172.18.0.1:41426 > 10.244.2.3:80' }),
  hop(4, 'node/worker-1', 'IP 172.18.0.1.41426 > 10.244.2.3.80: Flags [P.], seq 1:80, ack 1, win 502, length 79: HTTP: GET / HTTP/1.1', 'HTTP'),
  hop(5, 'pod/default/web-1', 'IP 10.244.2.3.80 > 172.18.0.1.41426: Flags [P.], seq 1:600, ack 80, length 599: HTTP: HTTP/1.1 200 OK', 'HTTP', { kind: 'deliver' }),
];

describe('simulation model', () => {
  it('one event per hop: time from the first hop, from/to, protocol, what happened where', () => {
    const ev = buildEvents(hops);
    expect(ev).toHaveLength(5);
    expect(ev[0]).toMatchObject({ time: '0.000000', from: '172.18.0.1', to: '172.18.0.3', protocol: 'ARP' });
    expect(ev[2]!.summary).toContain('node/worker-1: PREROUTING accept 172.18.0.1:41426 > 172.18.0.3:30080 → 172.18.0.1:41426 > 10.244.2.3:80');
    expect(ev[4]!.time).toBe('0.000040');
    expect(endpointsOf(hops[1]!.packet)).toEqual({ from: '172.18.0.1.41426', to: '172.18.0.3.30080' });
  });

  it('a live trace appends: the rows already built stay the same objects, new ones continue the numbering and the clock', () => {
    const first = buildEvents(hops.slice(0, 2));
    const all = appendEvents(first, hops.slice(2));
    expect(all.slice(0, 2)).toEqual(first);
    expect(all[0]).toBe(first[0]);
    expect(all.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
    expect(all.map((e) => e.time)).toEqual(buildEvents(hops).map((e) => e.time));
    expect(appendEvents(first, [])).toBe(first);
  });

  it('filters hide protocols; stepping moves through visible rows only and stops at the ends', () => {
    const ev = buildEvents(hops);
    const visible = filterEvents(ev, new Set<TraceProtocol>(['TCP']));
    expect(visible.map((e) => e.index)).toEqual([0, 3, 4]);
    expect(step(visible, -1, 1)).toBe(0);
    expect(step(visible, 0, 1)).toBe(3);
    expect(step(visible, 4, 1)).toBe(4);
    expect(step(visible, 3, -1)).toBe(0);
    expect(step(visible, 0, -1)).toBe(0);
    // From a row that is now hidden: the next visible one in that direction.
    expect(step(visible, 2, 1)).toBe(3);
    expect(step(visible, 2, -1)).toBe(0);
    expect(step([], 2, 1)).toBe(-1);
  });

  it('property: stepping forward from nothing visits every visible row once, in order, then stays', () => {
    fc.assert(
      fc.property(fc.subarray(['DNS', 'TCP', 'HTTP', 'ICMP', 'ARP'] as TraceProtocol[]), (hide) => {
        const visible = filterEvents(buildEvents(hops), new Set(hide));
        const seen: number[] = [];
        let cur = -1;
        for (let i = 0; i < visible.length + 2; i++) {
          cur = step(visible, cur, 1);
          if (seen[seen.length - 1] !== cur) seen.push(cur);
        }
        expect(seen.filter((x) => x !== -1)).toEqual(visible.map((e) => e.index));
      }),
    );
  });

  it('play speed maps to an interval; the path lists namespaces visited so far', () => {
    expect(playInterval(1)).toBe(600);
    expect(playInterval(8)).toBe(75);
    expect(playInterval(100)).toBe(75);
    expect(playInterval(0)).toBe(2400);
    const ev = buildEvents(hops);
    expect(pathUpTo(ev, 2)).toEqual(['workstation', 'node/worker-1']);
    expect(pathUpTo(ev, 4)).toEqual(['workstation', 'node/worker-1', 'pod/default/web-1']);
    expect(pathUpTo(ev, -1)).toEqual([]);
  });
});

describe('simulation model speed', () => {
  it('builds and filters a 500-hop trace well under 100 ms', () => {
    const big = Array.from({ length: 500 }, (_, i) => hop(i + 1, `node/n${i % 7}`, `IP 10.0.0.${i % 250}.40000 > 10.96.0.10.53: ${i}+ A? x.default.svc.cluster.local. (40)`, i % 3 ? 'TCP' : 'DNS'));
    const t0 = performance.now();
    const ev = buildEvents(big);
    const visible = filterEvents(ev, new Set<TraceProtocol>(['DNS']));
    pathUpTo(ev, 499);
    const ms = performance.now() - t0;
    expect(ev).toHaveLength(500);
    expect(visible.length).toBe(333);
    expect(ms).toBeLessThan(100);
  });
});
