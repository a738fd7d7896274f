import { describe, expect, it } from 'vitest';
import { ipv4 } from './addr';
import { rawData, type StreamData } from './packet/http';
import { addPod, testNet } from './testkit';

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
