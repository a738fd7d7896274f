import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler, type TaskHandle } from '../core/scheduler';
import { ipv4 } from './addr';
import { rawData, type StreamData } from './packet/http';
import { emitIpv4Bytes, type Ipv4Packet } from './packet/ipv4';
import type { TcpSegment } from './packet/tcp';
import { TcpRetransmitTimers, type TcpConnection } from './tcp-socket';
import { addPod, httpGet, serveHello, testNet } from './testkit';

describe('TCP retransmission queue', () => {
  it('three segments in flight on a lossy link arrive once each, in order, the first unacknowledged one retransmitted until all are acknowledged', () => {
    let retransmitted = 0;
    for (const seed of [3, 4, 5, 6, 7]) {
      const t = testNet('local', seed);
      const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
      const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
      const received: string[] = [];
      let peerClosed = false;
      b.listenTcp(9000, () => ({
        onData: (_c, d: StreamData) => { if (d.kind === 'raw') received.push(new TextDecoder().decode(d.bytes)); },
        onPeerClose: (c) => { peerClosed = true; c.close(); },
      }));
      // A clean connection first: the neighbours are resolved before the link starts losing frames.
      let warm = false;
      a.connectTcp({ dst: ipv4('10.244.2.7'), dport: 9000, events: { onConnect: (c) => c.close(), onClose: () => { warm = true; } } });
      t.scheduler.runUntil(() => warm, t.scheduler.now() + 5000);
      t.scheduler.advance(100);
      expect(t.network.setLinkFault('pod/default/a', 'eth0', { loss: 0.4 })).toBe(true);
      const sentFrames: number[] = [];
      t.network.attachCapture(a, { iface: 'eth0', onFrame: (_time, _i, f, dir) => { if (dir === 'Out' && !('kind' in f.payload) && f.payload.l4.kind === 'tcp' && f.payload.l4.data) sentFrames.push(f.payload.l4.seq); } });
      let closed: string | undefined;
      const conn = a.connectTcp({
        dst: ipv4('10.244.2.7'), dport: 9000,
        events: {
          onConnect: (c) => {
            c.send(rawData(new TextEncoder().encode('one ')));
            c.send(rawData(new TextEncoder().encode('two ')));
            c.send(rawData(new TextEncoder().encode('three')));
            expect(c.sendQueue).toBe(13);
            c.close();
          },
          onClose: (_c, err) => { closed = err ?? 'ok'; },
        },
      });
      t.scheduler.runUntil(() => closed !== undefined && peerClosed, t.scheduler.now() + 600_000);
      expect({ received: received.join(''), closed, seed }).toEqual({ received: 'one two three', closed: 'ok', seed });
      expect(received).toEqual(['one ', 'two ', 'three']);
      expect(conn.bytesSent).toBe(13);
      expect(conn.sendQueue).toBe(0);
      // Every data segment went out at least once, each retransmission repeats the first unacknowledged one.
      const first = sentFrames[0]!;
      expect(new Set(sentFrames.map((s) => (s - first) >>> 0))).toEqual(new Set([0, 4, 8]));
      retransmitted += sentFrames.length - 3;
    }
    expect(retransmitted).toBeGreaterThan(0);
  });
});

describe('TCP retransmission timers', () => {
  /** What the queues stand for: a scheduler task per armed deadline, scheduled when armed and cancelled when disarmed. */
  interface Timers {
    arm(c: number, due: number, delay: number): void;
    disarm(c: number): void;
  }

  it('property: deadlines run exactly as a task per deadline, scheduled when armed and cancelled when disarmed (times, order among same-instant tasks)', () => {
    const op = fc.record({
      conn: fc.integer({ min: 0, max: 5 }),
      kind: fc.constantFrom('arm', 'arm', 'arm', 'disarm', 'plain', 'advance'),
      delay: fc.constantFrom(200, 400, 1000),
      // Frames drained from the backlog arm at their own arrival times: a little before or after the clock.
      jitter: fc.constantFrom(0, 0, 0.05, 0.1, -0.05),
      step: fc.constantFrom(1, 50, 200, 1000),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
      const run = (queues: boolean): string[] => {
        const s = new Scheduler(0);
        const log: string[] = [];
        let timers: Timers;
        const onDue = (c: number, delay: number, n: number): void => {
          log.push(`rtx ${c}@${s.now()}`);
          // A retransmission re-arms with twice the delay, a few times; the last one gives up.
          if (n < 2) timers.arm(c, s.now() + delay * 2, delay * 2);
        };
        if (queues) {
          const rtx = new TcpRetransmitTimers(s);
          const conns = [0, 1, 2, 3, 4, 5].map((c) => ({
            rtxQueue: null as { forget(x: unknown): void } | null, rtxSlot: 0, due: 0, delay: 0, n: 0,
            retransmitDue(due: number): void {
              if (this.due !== due) return;
              this.due = 0;
              this.n++;
              onDue(c, this.delay, this.n);
            },
          }));
          timers = {
            arm: (c, due, delay) => {
              const x = conns[c]!;
              x.rtxQueue?.forget(x);
              x.due = due;
              x.delay = delay;
              rtx.arm(x as unknown as TcpConnection, due, delay);
            },
            disarm: (c) => { const x = conns[c]!; x.due = 0; x.n = 0; x.rtxQueue?.forget(x); },
          };
        } else {
          const handles: (TaskHandle | undefined)[] = [];
          const n: number[] = [0, 0, 0, 0, 0, 0];
          timers = {
            arm: (c, due, delay) => {
              s.cancel(handles[c]);
              handles[c] = s.at(due, () => { handles[c] = undefined; onDue(c, delay, ++n[c]!); }, { background: true });
            },
            disarm: (c) => { s.cancel(handles[c]); handles[c] = undefined; n[c] = 0; },
          };
        }
        ops.forEach((o, i) => {
          if (o.kind === 'arm') timers.arm(o.conn, s.now() + o.delay + o.jitter, o.delay);
          else if (o.kind === 'disarm') timers.disarm(o.conn);
          else if (o.kind === 'plain') s.after(o.delay, () => log.push(`plain ${i}@${s.now()}`)); // same-instant ties
          else s.advance(o.step);
        });
        s.advance(20_000);
        return log;
      };
      expect(run(true)).toEqual(run(false));
    }), { numRuns: 300 });
  });
});

describe('TCP TIME-WAIT', () => {
  it('the record in the connection\'s place answers a repeated FIN and a SYN with the last ACK, ignores a RST, closes after 60 s', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    serveHello(b, 8000, 'b');
    const sent: Ipv4Packet[] = [];
    t.network.attachCapture(a, { iface: 'eth0', onFrame: (_time, _i, f, dir) => { if (dir === 'Out' && !('kind' in f.payload)) sent.push(f.payload); } });
    const r = httpGet(a, '10.244.2.7', 8000);
    t.scheduler.runUntil(() => r.done, t.scheduler.now() + 5000);
    t.scheduler.advance(10);
    const [tw] = [...a.tcpConns.values()].flatMap((m) => [...m.values()]);
    expect(tw!.state).toBe('TIME-WAIT');
    const last = sent.at(-1)!, lastSeg = last.l4 as TcpSegment;
    // The peer's FIN again (its ACK was lost), a SYN, a RST: segments b sends to a's TIME-WAIT port.
    const fromPeer = (flags: number, seq: number) => {
      const seg: TcpSegment = { kind: 'tcp', seq, ack: lastSeg.seq, window: 64, urgent: 0, options: [], data: null };
      b.output(b.newPacket(last.dst, last.src, 6, last.dport, last.sport, flags, seg, undefined, 0));
      t.scheduler.advance(5);
    };
    const before = sent.length;
    fromPeer(0x11, (lastSeg.ack - 1) | 0); // FIN+ACK
    fromPeer(0x02, 12345); // SYN
    fromPeer(0x04, lastSeg.ack); // RST: no answer, still in TIME-WAIT
    const answers = sent.slice(before).map((p) => [p.tcpFlags, (p.l4 as TcpSegment).seq, (p.l4 as TcpSegment).ack]);
    expect(answers).toEqual([[0x10, lastSeg.seq, lastSeg.ack], [0x10, lastSeg.seq, lastSeg.ack]]);
    expect(tw!.state).toBe('TIME-WAIT');
    t.scheduler.advance(60_000);
    expect(tw!.state).toBe('CLOSED');
    expect(a.tcpConns.size).toBe(0);
  });
});

describe('TCP TIME-WAIT reaper', () => {
  it('each record closes 60 s after its connection entered TIME-WAIT, also after the reaper has dropped the records before it', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    b.listenTcp(9000, () => ({ onPeerClose: (c) => c.close() }));
    // Connections that enter TIME-WAIT at fractional instants, about 1.3 ms apart: more than 1,024 of them expire
    // before the last ones, so the reaper drops the consumed part of its lists while records are still waiting.
    const entered: { conn: TcpConnection; until: number }[] = [];
    const open = (n: number) => {
      for (let i = 0; i < n; i++) {
        let done = false;
        const conn = a.connectTcp({
          dst: ipv4('10.244.2.7'), dport: 9000,
          events: {
            onConnect: (c) => c.close(),
            onClose: (c) => { entered.push({ conn: c, until: t.network.now() + 60_000 }); done = true; },
          },
        });
        t.scheduler.runUntil(() => done, t.scheduler.now() + 5000);
        expect(conn.state).toBe('TIME-WAIT');
        t.scheduler.advance(1.3);
      }
    };
    open(1100);
    t.scheduler.advance(30_000);
    open(200);
    for (const { conn, until } of entered) {
      t.scheduler.advanceTo(until - 0.4);
      expect(conn.state).toBe('TIME-WAIT');
      t.scheduler.advanceTo(until);
      expect(conn.state).toBe('CLOSED');
    }
    expect(a.tcpConns.size).toBe(0);
  });
});

describe('TCP segment lengths', () => {
  it('every segment a connection sends (SYN, SYN-ACK, ACK, data, FIN, RST) carries the length of its encoding', () => {
    const t = testNet('local', 3);
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    const seen: Ipv4Packet[] = [];
    t.network.attachCapture(a, { iface: 'eth0', onFrame: (_time, _i, f) => { if (!('kind' in f.payload) && f.payload.l4.kind === 'tcp') seen.push(f.payload); } });
    b.listenTcp(9000, () => ({
      onData: (c) => c.send(rawData(new TextEncoder().encode('pong, and some more'))),
      onPeerClose: (c) => c.close(),
    }));
    let done = false;
    a.connectTcp({ dst: ipv4('10.244.2.7'), dport: 9000, events: { onConnect: (c) => c.send(rawData(new TextEncoder().encode('ping'))), onData: (c) => c.close(), onClose: () => { done = true; } } });
    t.scheduler.runUntil(() => done, t.scheduler.now() + 5000);
    let aborted = false;
    const conn = a.connectTcp({ dst: ipv4('10.244.2.7'), dport: 9000, events: { onConnect: (c) => c.abort(), onClose: () => { aborted = true; } } });
    t.scheduler.runUntil(() => aborted, t.scheduler.now() + 5000);
    expect(conn.state).toBe('CLOSED');
    const flags = new Set(seen.map((p) => p.tcpFlags));
    expect(flags.size).toBeGreaterThanOrEqual(6); // SYN, SYN-ACK, ACK, PSH-ACK, FIN-ACK, RST-ACK
    for (const p of seen) expect(p.length).toBe(emitIpv4Bytes(p).length);
  });
});

describe('TCP timestamps', () => {
  it('each segment after the first SYN echoes the timestamp value of the last segment its sender received (SYN-ACK, ACKs, data, FIN)', () => {
    const t = testNet('local', 3);
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    const A = ipv4('10.244.1.5');
    const tsOf = (p: Ipv4Packet): { val: number; ecr: number } => {
      const o = (p.l4 as TcpSegment).options.find((x) => x.kind === 'ts');
      if (o?.kind !== 'ts') throw new Error('no timestamps option');
      return { val: o.val >>> 0, ecr: o.ecr >>> 0 };
    };
    // Captured where each side sends and receives: the order at an interface is the order its socket saw.
    const atA: Ipv4Packet[] = [], atB: Ipv4Packet[] = [];
    const tcp = (f: { payload: unknown }): Ipv4Packet | null => {
      const p = f.payload as Ipv4Packet;
      return !('kind' in (f.payload as object)) && p.l4.kind === 'tcp' ? p : null;
    };
    t.network.attachCapture(a, { iface: 'eth0', onFrame: (_time, _i, f) => { const p = tcp(f); if (p) atA.push(p); } });
    t.network.attachCapture(b, { iface: 'eth0', onFrame: (_time, _i, f) => { const p = tcp(f); if (p) atB.push(p); } });
    b.listenTcp(9000, () => ({
      onData: (c) => c.send(rawData(new TextEncoder().encode('pong'))),
      onPeerClose: (c) => c.close(),
    }));
    let done = false;
    a.connectTcp({ dst: ipv4('10.244.2.7'), dport: 9000, events: { onConnect: (c) => c.send(rawData(new TextEncoder().encode('ping'))), onData: (c) => c.close(), onClose: () => { done = true; } } });
    t.scheduler.runUntil(() => done, t.scheduler.now() + 5000);
    for (const [seen, self] of [[atA, A], [atB, ipv4('10.244.2.7')]] as const) {
      let lastPeerVal: number | undefined;
      let checked = 0;
      for (const p of seen) {
        if (p.src !== self) { lastPeerVal = tsOf(p).val; continue; }
        if (lastPeerVal === undefined) { expect(tsOf(p).ecr).toBe(0); continue; } // the first SYN
        expect(tsOf(p).ecr).toBe(lastPeerVal);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(4);
    }
  });
});
