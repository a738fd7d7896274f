import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCPHDR, type NfPacket } from './hook-api';
import { ConntrackTable, defaultTimeouts, formatEntry, matchesFilter, refInfo, type CtEntry, type Tuple } from './conntrack';
import { ip } from './ip';

const T0 = Date.UTC(2026, 10, 28, 6, 13, 0);

function pkt(o: Partial<NfPacket>): NfPacket {
  return { src: 0, dst: 0, proto: 6, sport: 0, dport: 0, tcpFlags: 0, icmpType: 0, icmpCode: 0, length: 60, mark: 0, inIface: '', outIface: '', ...o };
}

describe('conntrack table', () => {
  it('keeps a connection\'s ctmark (0 until set, then listed and filtered on; back to 0 when cleared)', () => {
    const ct = new ConntrackTable();
    const a = ct.track(pkt({ src: ip('10.0.0.1'), dst: ip('10.0.0.2'), sport: 1000, dport: 80, tcpFlags: TCPHDR.SYN }), T0).entry!;
    const b = ct.track(pkt({ src: ip('10.0.0.1'), dst: ip('10.0.0.2'), sport: 1001, dport: 80, tcpFlags: TCPHDR.SYN }), T0).entry!;
    ct.confirm(a, T0);
    ct.confirm(b, T0);
    expect(a.mark).toBe(0);
    a.mark = 0x4000;
    b.mark = 7;
    expect([a.mark, b.mark]).toEqual([0x4000, 7]);
    expect(formatEntry(a, T0)).toMatch(/ mark=16384 use=1$/);
    expect(ct.list(T0).filter((e) => matchesFilter(e, { mark: 7 }))).toEqual([b]);
    // The state and flags the mark shares a field with are untouched.
    expect([a.tcpState, a.confirmed, a.seenReply]).toEqual(['SYN_SENT', true, false]);
    a.mark = 0;
    expect(a.mark).toBe(0);
    expect(formatEntry(a, T0)).toMatch(/ mark=0 use=1$/);
    expect(b.mark).toBe(7);
  });

  it('emits the event sequence of tool-output-formats §2.1 for one DNATed HTTP connection', () => {
    const ct = new ConntrackTable();
    const lines: string[] = [];
    ct.onEvent((e) => lines.push(e.line));
    const c = ip('10.244.1.6'), vip = ip('10.96.45.12'), pod = ip('10.244.1.5');
    const orig = (flags: number) => pkt({ src: c, dst: vip, sport: 46084, dport: 80, tcpFlags: flags });
    const reply = (flags: number) => pkt({ src: pod, dst: c, sport: 8000, dport: 46084, tcpFlags: flags });
    const first = ct.track(orig(TCPHDR.SYN), T0);
    const e = first.entry!;
    // what the nat table's DNAT records
    (e.reply as { src: number }).src = pod;
    (e.reply as { sport: number }).sport = 8000;
    e.dnat = true;
    ct.confirm(e, T0);
    ct.track(reply(TCPHDR.SYN | TCPHDR.ACK), T0);
    ct.track(orig(TCPHDR.ACK), T0);
    ct.track(orig(TCPHDR.ACK), T0);
    ct.track(orig(TCPHDR.FIN | TCPHDR.ACK), T0);
    ct.track(reply(TCPHDR.FIN | TCPHDR.ACK), T0);
    ct.track(orig(TCPHDR.ACK), T0);
    const tuple = 'src=10.244.1.6 dst=10.96.45.12 sport=46084 dport=80';
    const rtuple = 'src=10.244.1.5 dst=10.244.1.6 sport=8000 dport=46084';
    expect(lines).toEqual([
      `    [NEW] tcp      6 120 SYN_SENT ${tuple} [UNREPLIED] ${rtuple}`,
      ` [UPDATE] tcp      6 60 SYN_RECV ${tuple} ${rtuple}`,
      ` [UPDATE] tcp      6 432000 ESTABLISHED ${tuple} ${rtuple} [ASSURED]`,
      ` [UPDATE] tcp      6 120 FIN_WAIT ${tuple} ${rtuple} [ASSURED]`,
      ` [UPDATE] tcp      6 30 LAST_ACK ${tuple} ${rtuple} [ASSURED]`,
      ` [UPDATE] tcp      6 120 TIME_WAIT ${tuple} ${rtuple} [ASSURED]`,
    ]);
    expect(formatEntry(e, T0 + 18_000)).toBe(`tcp      6 102 TIME_WAIT ${tuple} ${rtuple} [ASSURED] mark=0 use=1`);
    expect(matchesFilter(e, { proto: 6, dport: 80, dstNat: true })).toBe(true);
    expect(matchesFilter(e, { srcNat: true })).toBe(false);
    ct.sweep(T0 + 120_001);
    expect(ct.list(T0 + 120_001)).toEqual([]);
  });

  it('keeps a connection\'s times exact at fractional instants: its expiry and the UDP stream\'s two seconds', () => {
    // The next double below x (x from 2^40 ms on, as virtual times are: one unit in the last place is 2^-12 ms).
    const below = (x: number) => x - 2 ** (Math.floor(Math.log2(x)) - 52);
    const t = T0 + 0.1 + 0.2;
    const a = ip('10.244.1.6'), b = ip('10.96.0.10');
    const query = (sport: number) => pkt({ proto: 17, src: a, dst: b, sport, dport: 53 });
    const answer = (sport: number) => pkt({ proto: 17, src: b, dst: a, sport: 53, dport: sport });
    const ct = new ConntrackTable();
    const e = ct.track(query(40000), t).entry!;
    ct.confirm(e, t);
    expect(e.created).toBe(t);
    expect(e.expires).toBe(t + 30_000);
    ct.track(answer(40000), t + 1.7);
    expect(e.expires).toBe(t + 1.7 + 30_000);
    // Present one unit before its expiry, gone at it (a lookup at the instant removes it).
    expect(ct.find(17, { src: a, dst: b, sport: 40000, dport: 53 }, below(e.expires))).toBeDefined();
    expect(ct.find(17, { src: a, dst: b, sport: 40000, dport: 53 }, e.expires)).toBeUndefined();
    // A stream (ASSURED, udp_timeout_stream) only when a packet comes more than 2,000 ms after the first: around the
    // instant, one unit apart, each on a connection of its own.
    const edge = t + 2000;
    for (const [i, at] of [below(edge), edge, edge + (edge - below(edge))].entries()) {
      const c = ct.track(query(41000 + i), t).entry!;
      ct.confirm(c, t);
      ct.track(answer(41000 + i), t + 1);
      ct.track(query(41000 + i), at);
      expect(c.assured).toBe(at - t > 2000);
      expect(c.expires).toBe(at + (at - t > 2000 ? 120_000 : 30_000));
    }
  });

  it('prints an unanswered SYN with [UNREPLIED] between the tuples', () => {
    const ct = new ConntrackTable();
    const r = ct.track(pkt({ src: ip('172.18.0.1'), dst: ip('10.244.1.99'), sport: 52852, dport: 80, tcpFlags: TCPHDR.SYN }), T0);
    ct.confirm(r.entry!, T0);
    expect(formatEntry(r.entry!, T0 + 2000)).toBe(
      'tcp      6 118 SYN_SENT src=172.18.0.1 dst=10.244.1.99 sport=52852 dport=80 [UNREPLIED] src=10.244.1.99 dst=172.18.0.1 sport=80 dport=52852 mark=0 use=1');
  });

  it('reopens a closed connection on a new SYN of its original direction, not on a SYN or SYN-ACK of its reply', () => {
    const ct = new ConntrackTable();
    const destroyed: CtEntry[] = [];
    ct.onEvent((ev) => { if (ev.type === 'DESTROY') destroyed.push(ev.entry); });
    const c = ip('10.244.1.6'), s = ip('10.244.2.7');
    const orig = (flags: number) => pkt({ src: c, dst: s, sport: 40000, dport: 80, tcpFlags: flags });
    const reply = (flags: number) => pkt({ src: s, dst: c, sport: 80, dport: 40000, tcpFlags: flags });
    const first = ct.track(orig(TCPHDR.SYN), T0);
    const e = first.entry!;
    ct.confirm(e, T0);
    for (const [p, f] of [[reply, TCPHDR.SYN | TCPHDR.ACK], [orig, TCPHDR.ACK], [orig, TCPHDR.FIN | TCPHDR.ACK], [reply, TCPHDR.FIN | TCPHDR.ACK], [orig, TCPHDR.ACK]] as const) {
      ct.track(p(f), T0 + 1);
    }
    expect(e.tcpState).toBe('TIME_WAIT');
    expect(refInfo(ct.track(reply(TCPHDR.SYN), T0 + 2))).toBe('INVALID');
    expect(refInfo(ct.track(reply(TCPHDR.SYN | TCPHDR.ACK), T0 + 2))).toBe('INVALID');
    expect(destroyed).toEqual([]);
    expect(e.tcpState).toBe('TIME_WAIT');
    const again = ct.track(orig(TCPHDR.SYN), T0 + 3);
    expect(destroyed).toEqual([e]);
    expect(again.entry).not.toBe(e);
    expect(again.dir).toBe(0);
    expect(again.entry!.tcpState).toBe('SYN_SENT');
    expect(again.entry!.confirmed).toBe(false);
    expect(ct.size).toBe(0);
  });

  it('keeps tuples exactly: addresses from 128.0.0.0 up, ports up to 65535, a SNAT rewrite before confirmation', () => {
    // The refs pack the tuple (signed 32-bit addresses, both ports in one field, protocol and direction in one).
    const ct = new ConntrackTable();
    const c = ip('203.0.113.200'), srv = ip('255.255.255.254'), node = ip('172.18.0.3');
    const first = ct.track(pkt({ proto: 17, src: c, dst: srv, sport: 65535, dport: 32768 }), T0);
    const e = first.entry!;
    expect(first.dir).toBe(0);
    // what MASQUERADE records: the reply comes back to the node's address and a port of its choosing
    (e.reply as { dst: number }).dst = node;
    (e.reply as { dport: number }).dport = 61000;
    e.snat = true;
    ct.confirm(e, T0);
    expect([e.orig.src, e.orig.dst, e.orig.sport, e.orig.dport, e.proto]).toEqual([c, srv, 65535, 32768, 17]);
    expect([e.reply.src, e.reply.dst, e.reply.sport, e.reply.dport]).toEqual([srv, node, 32768, 61000]);
    const back = ct.track(pkt({ proto: 17, src: srv, dst: node, sport: 32768, dport: 61000 }), T0 + 10);
    expect(back.entry).toBe(e);
    expect(back.dir).toBe(1);
    expect(back.special).toBe(0);
    expect(ct.track(pkt({ proto: 17, src: c, dst: srv, sport: 65535, dport: 32768 }), T0 + 20)).toBe(first);
    // another protocol, or the reply's port before the rewrite, is another connection
    expect(ct.find(6, { src: c, dst: srv, sport: 65535, dport: 32768 }, T0 + 20)).toBeUndefined();
    expect(ct.find(17, { src: srv, dst: c, sport: 32768, dport: 65535 }, T0 + 20)).toBeUndefined();
    expect(ct.inUse(17, srv, node, 32768, 61000)).toBe(true);
    expect(formatEntry(e, T0 + 20)).toBe('udp      17 30 src=203.0.113.200 dst=255.255.255.254 sport=65535 dport=32768 ' +
      'src=255.255.255.254 dst=172.18.0.3 sport=32768 dport=61000 mark=0 use=1');
    expect(matchesFilter(e, { origSrc: c, replyDst: node, sport: 65535, dport: 32768, srcNat: true })).toBe(true);
    ct.delete(e, T0 + 30);
    expect(ct.inUse(17, srv, node, 32768, 61000)).toBe(false);
    expect(ct.inUse(17, c, srv, 65535, 32768)).toBe(false);
  });

  it('UDP: 30 s, no state word, ASSURED and 120 s only once traffic continues past 2 s after a reply', () => {
    const ct = new ConntrackTable();
    const q = () => pkt({ proto: 17, src: ip('10.244.1.6'), dst: ip('10.244.1.10'), sport: 50333, dport: 53 });
    const a = () => pkt({ proto: 17, src: ip('10.244.1.10'), dst: ip('10.244.1.6'), sport: 53, dport: 50333 });
    const r = ct.track(q(), T0);
    ct.confirm(r.entry!, T0);
    ct.track(a(), T0 + 1);
    expect(formatEntry(r.entry!, T0 + 1000)).toBe(
      'udp      17 29 src=10.244.1.6 dst=10.244.1.10 sport=50333 dport=53 src=10.244.1.10 dst=10.244.1.6 sport=53 dport=50333 mark=0 use=1');
    ct.track(q(), T0 + 3000);
    expect(formatEntry(r.entry!, T0 + 3000)).toContain('udp      17 120 src=');
    expect(r.entry!.assured).toBe(true);
  });

  it('classifies packets: NEW until a reply, ESTABLISHED after, INVALID for a stray RST, loose pick-up of ACKs', () => {
    const ct = new ConntrackTable();
    const syn = ct.track(pkt({ src: 1, dst: 2, sport: 3, dport: 4, tcpFlags: TCPHDR.SYN }), T0);
    expect(refInfo(syn)).toBe('NEW');
    ct.confirm(syn.entry!, T0);
    expect(refInfo(ct.track(pkt({ src: 1, dst: 2, sport: 3, dport: 4, tcpFlags: TCPHDR.SYN }), T0))).toBe('NEW');
    expect(refInfo(ct.track(pkt({ src: 2, dst: 1, sport: 4, dport: 3, tcpFlags: TCPHDR.SYN | TCPHDR.ACK }), T0))).toBe('ESTABLISHED');
    expect(refInfo(ct.track(pkt({ src: 1, dst: 2, sport: 3, dport: 4, tcpFlags: TCPHDR.ACK }), T0))).toBe('ESTABLISHED');
    expect(refInfo(ct.track(pkt({ src: 9, dst: 8, sport: 7, dport: 6, tcpFlags: 0x04 }), T0))).toBe('INVALID');
    const loose = ct.track(pkt({ src: 9, dst: 8, sport: 7, dport: 6, tcpFlags: TCPHDR.ACK }), T0);
    expect(refInfo(loose)).toBe('NEW');
    expect(loose.entry!.tcpState).toBe('ESTABLISHED');
  });

  it('ICMP echo: id in both tuples, reply type 0', () => {
    const ct = new ConntrackTable();
    const r = ct.track(pkt({ proto: 1, icmpType: 8, src: ip('10.244.1.5'), dst: ip('10.244.2.7'), sport: 77, dport: 77 }), T0);
    ct.confirm(r.entry!, T0);
    expect(formatEntry(r.entry!, T0)).toBe(
      'icmp     1 30 src=10.244.1.5 dst=10.244.2.7 type=8 code=0 id=77 [UNREPLIED] src=10.244.2.7 dst=10.244.1.5 type=0 code=0 id=77 mark=0 use=1');
    const rep = ct.track(pkt({ proto: 1, icmpType: 0, src: ip('10.244.2.7'), dst: ip('10.244.1.5'), sport: 77, dport: 77 }), T0);
    expect(refInfo(rep)).toBe('ESTABLISHED');
  });
});

describe('the table as it grows', () => {
  it('finds, for every tuple, the connection linked last with it (equal reply tuples after NAT clash), across growth and deletes', () => {
    const op = fc.record({
      client: fc.integer({ min: 1, max: 3 }), sport: fc.integer({ min: 1000, max: 1010 }), vip: fc.integer({ min: 1, max: 40 }),
      backend: fc.integer({ min: 1, max: 3 }), del: fc.integer({ min: 0, max: 9 }),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 300, maxLength: 700 }), (ops) => {
      const ct = new ConntrackTable();
      const linked: { entry: CtEntry; tuples: Tuple[] }[] = [];
      const key = (t: Tuple) => `${t.src} ${t.dst} ${t.sport} ${t.dport}`;
      for (const o of ops) {
        if (o.del === 0 && linked.length > 0) {
          const victim = linked.splice(linked.length >> 1, 1)[0]!;
          ct.delete(victim.entry, T0);
          continue;
        }
        const p: NfPacket = { src: o.client, dst: 100 + o.vip, proto: 6, sport: o.sport, dport: 80, tcpFlags: TCPHDR.SYN, icmpType: 0, icmpCode: 0, length: 60, mark: 0, inIface: '', outIface: '' };
        const ref = ct.track(p, T0);
        const e = ref.entry;
        if (!e || e.confirmed) continue;
        // DNAT as the nat table does before confirm: backends are few, so reply tuples clash between VIPs.
        e.reply.src = 200 + o.backend;
        e.reply.sport = 8080;
        e.dnat = true;
        ct.confirm(e, T0);
        linked.push({ entry: e, tuples: [e.orig, e.reply] });
      }
      // The model: the latest linked tuple wins (orig is linked before reply).
      const want = new Map<string, CtEntry>();
      for (const l of linked) for (const t of l.tuples) want.set(key(t), l.entry);
      for (const [k, entry] of want) {
        const [src, dst, sport, dport] = k.split(' ').map(Number) as [number, number, number, number];
        expect(ct.find(6, { src, dst, sport, dport }, T0)?.entry).toBe(entry);
      }
      expect(ct.size).toBe(linked.length);
    }), { numRuns: 40 });
  });
});

describe('the table past its first bucket array', () => {
  it('finds every tuple in its direction (the latest linked on a clash) after growth, deletes and NAT clashes', () => {
    // About 45,000 connections: 90,000 tuples, past the 65,536 buckets of the first array (one growth), with deletes
    // from the middle of chains before and after it. Reply tuples clash (few backends) with each other and, for
    // some, with another connection's original tuple (a backend connecting to a client's port directly).
    const ct = new ConntrackTable();
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    const linked: CtEntry[] = [];
    for (let i = 0; i < 50000; i++) {
      if (rnd(20) === 0 && linked.length > 0) {
        ct.delete(linked.splice(rnd(linked.length), 1)[0]!, T0);
        continue;
      }
      const direct = rnd(50) === 0;
      const client = 0x0a000000 + rnd(4000), backend = 0xc0a80000 + rnd(3);
      const p: NfPacket = direct
        ? pkt({ src: backend, dst: 0x0a000000 + rnd(4000), sport: 8080, dport: 30000 + rnd(20), tcpFlags: TCPHDR.SYN })
        : pkt({ src: client, dst: 0x0a600000 + rnd(500), sport: 30000 + rnd(20), dport: 80, tcpFlags: TCPHDR.SYN });
      const e = ct.track(p, T0).entry;
      if (!e || e.confirmed) continue;
      if (!direct) {
        e.reply.src = backend;
        e.reply.sport = 8080;
        e.dnat = true;
      }
      ct.confirm(e, T0);
      linked.push(e);
    }
    // The model: the latest linked tuple wins (a connection's original tuple is linked before its reply tuple).
    const key = (t: Tuple) => `${t.src} ${t.dst} ${t.sport} ${t.dport}`;
    const want = new Map<string, [CtEntry, number]>();
    for (const e of linked) {
      want.set(key(e.orig), [e, 0]);
      want.set(key(e.reply), [e, 1]);
    }
    expect(2 * ct.size).toBeGreaterThan(65536);
    expect(want.size).toBeLessThan(2 * linked.length); // clashes happened
    let wrong = 0;
    for (const [k, [entry, dir]] of want) {
      const [src, dst, sport, dport] = k.split(' ').map(Number) as [number, number, number, number];
      const r = ct.find(6, { src, dst, sport, dport }, T0);
      if (r?.entry !== entry || r.dir !== dir || r.special !== 0) wrong++;
    }
    expect(wrong).toBe(0);
    expect(ct.size).toBe(linked.length);
    // Deleting everything leaves no tuple behind.
    for (const e of linked) ct.delete(e, T0);
    let left = 0;
    for (const k of want.keys()) {
      const [src, dst, sport, dport] = k.split(' ').map(Number) as [number, number, number, number];
      if (ct.find(6, { src, dst, sport, dport }, T0) !== undefined) left++;
    }
    expect([left, ct.size]).toEqual([0, 0]);
  });
});

describe('the garbage collector', () => {
  /**
   * What a learner sees of the collector (which entries `conntrack -L` lists, in which order, and when expired ones
   * are destroyed) specified as an array queue: confirm pushes; then three looks from the head, each popping one
   * entry (a destroyed one is dropped, an expired one destroyed, a live one pushed back); destroyed entries still
   * queued are compacted out when the head passes 4096 and half the length, and by every listing.
   */
  class QueueModel {
    q: CtEntry[] = [];
    head = 0;
    readonly gone = new Set<CtEntry>();
    compact(): void {
      this.q = this.q.slice(this.head).filter((e) => !this.gone.has(e));
      this.head = 0;
    }
    /** The entries destroyed by the looks after confirming e, in order. */
    confirm(e: CtEntry, now: number): CtEntry[] {
      const destroyed: CtEntry[] = [];
      this.q.push(e);
      for (let n = 0; n < 3 && this.head < this.q.length; n++) {
        const x = this.q[this.head++]!;
        if (this.gone.has(x)) continue;
        if (x.expires <= now) {
          this.gone.add(x);
          destroyed.push(x);
        } else this.q.push(x);
      }
      if (this.head > 4096 && this.head * 2 > this.q.length) this.compact();
      return destroyed;
    }
    /** Listing: sweep (destroy expired, queue order), compact, list. */
    list(now: number): { destroyed: CtEntry[]; listed: CtEntry[] } {
      const destroyed = this.q.slice(this.head).filter((x) => !this.gone.has(x) && x.expires <= now);
      for (const x of destroyed) this.gone.add(x);
      this.compact();
      return { destroyed, listed: [...this.q] };
    }
  }

  const step = fc.record({
    kind: fc.integer({ min: 0, max: 999 }), client: fc.integer({ min: 1, max: 10 }), sport: fc.integer({ min: 1000, max: 3000 }),
    flags: fc.constantFrom(TCPHDR.SYN, TCPHDR.SYN | TCPHDR.ACK, TCPHDR.ACK, TCPHDR.FIN | TCPHDR.ACK), udp: fc.boolean(), dt: fc.integer({ min: 0, max: 10 }),
  });

  it('lists and destroys entries in the order and at the moments of the array queue, across compactions', () => {
    const timeouts = { ...defaultTimeouts(), udp: 3, tcp: { ...defaultTimeouts().tcp, SYN_SENT: 5, TIME_WAIT: 4, ESTABLISHED: 9 } };
    fc.assert(fc.property(fc.array(step, { minLength: 5000, maxLength: 6000 }), fc.boolean(), (steps, lists) => {
      const ct = new ConntrackTable({ timeouts });
      const model = new QueueModel();
      const destroyed: CtEntry[] = [];
      const confirmed: CtEntry[] = [];
      ct.onEvent((ev) => { if (ev.type === 'DESTROY') destroyed.push(ev.entry); });
      let now = T0;
      for (const s of steps) {
        now += s.dt;
        if (lists && s.kind < 8) {
          // `conntrack -L` (only in some runs: without it the head passes 4096 and the looks compact the queue)
          destroyed.length = 0;
          const want = model.list(now);
          expect(ct.list(now)).toEqual(want.listed);
          expect(destroyed).toEqual(want.destroyed);
          continue;
        }
        if (s.kind >= 900 && confirmed.length > 0) {
          // `conntrack -D` of some entry: it stays queued, destroyed, until a look or a compaction drops it
          const victim = confirmed[(s.sport * 7 + s.client) % confirmed.length]!;
          destroyed.length = 0;
          ct.delete(victim, now);
          for (const e of destroyed) model.gone.add(e);
          continue;
        }
        const back = s.kind % 4 === 1;
        const p = pkt({ proto: s.udp ? 17 : 6, src: back ? 9 : s.client, dst: back ? s.client : 9, sport: back ? 80 : s.sport, dport: back ? s.sport : 80, tcpFlags: s.flags });
        destroyed.length = 0;
        const ref = ct.track(p, now);
        // a lookup that meets an expired or reopened connection destroys it: the model learns it from the event
        for (const e of destroyed) model.gone.add(e);
        const e = ref.entry;
        if (e === undefined || e.confirmed) continue;
        destroyed.length = 0;
        ct.confirm(e, now);
        expect(destroyed).toEqual(model.confirm(e, now));
        confirmed.push(e);
      }
      const want = model.list(now);
      expect(ct.list(now)).toEqual(want.listed);
      expect(ct.size).toBe(want.listed.length);
    }), { numRuns: 4, endOnFailure: true });
  });
});
