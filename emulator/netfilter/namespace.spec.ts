import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { TCPHDR, type NfHook, type NfHookContext, type NfPacket } from './hook-api';
import { CTINFO, formatEntry } from './conntrack';
import { ip } from './ip';
import { NetfilterNamespaceImpl } from './namespace';
import { parseIptablesArgs } from './parse';

const T0 = Date.UTC(2026, 0, 1);

export function packet(o: Partial<NfPacket>): NfPacket {
  return { src: 0, dst: 0, proto: 6, sport: 0, dport: 0, tcpFlags: 0, icmpType: 0, icmpCode: 0, length: 60, mark: 0, inIface: '', outIface: '', ...o };
}

function ctx(now: number, local: number[] = [], trace = false, ifaceAddr?: number): NfHookContext {
  const set = new Set(local);
  return { now, trace, isLocalAddress: (a) => set.has(a), ...(ifaceAddr !== undefined ? { ifaceAddress: () => ifaceAddr } : {}) };
}

const NODE = ip('172.18.0.3');
const CLIENT = ip('172.18.0.1');
const POD_A = ip('10.244.1.5');
const POD_B = ip('10.244.1.6');
/** A client pod that is not an endpoint (an endpoint calling its own Service is hairpinned and masqueraded). */
const POD_C = ip('10.244.2.9');
const VIP = ip('10.96.45.12');

const NODE_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
:KUBE-EXT-LOLE4ISW44XBNF3G - [0:0]
:KUBE-SEP-Q3SNDQ7J5LIGCTVK - [0:0]
:KUBE-SEP-5MGZGRDAQMBZJBV6 - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000
-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.45.12 --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -m comment --comment default/web -m tcp -p tcp --dport 31234 -j KUBE-EXT-LOLE4ISW44XBNF3G
-A KUBE-EXT-LOLE4ISW44XBNF3G -m comment --comment "masquerade traffic for default/web external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-LOLE4ISW44XBNF3G -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web cluster IP" -m tcp -p tcp -d 10.96.45.12 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.5:8000" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Q3SNDQ7J5LIGCTVK
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.6:8000" -j KUBE-SEP-5MGZGRDAQMBZJBV6
-A KUBE-SEP-Q3SNDQ7J5LIGCTVK -m comment --comment default/web -s 10.244.1.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-Q3SNDQ7J5LIGCTVK -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.5:8000
-A KUBE-SEP-5MGZGRDAQMBZJBV6 -m comment --comment default/web -s 10.244.1.6 -j KUBE-MARK-MASQ
-A KUBE-SEP-5MGZGRDAQMBZJBV6 -m comment --comment default/web -m tcp -p tcp -j DNAT --to-destination 10.244.1.6:8000
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-SERVICES -m comment --comment "default/empty has no endpoints" -m tcp -p tcp -d 10.96.99.99 --dport 80 -j REJECT
COMMIT
`;

function node(seed = 1): NetfilterNamespaceImpl {
  const ns = new NetfilterNamespaceImpl({ name: 'node/worker', rng: new Rng(seed).fork('netfilter/node') });
  ns.restore(NODE_RULES, { noflush: true });
  return ns;
}

/** A forwarded packet through PREROUTING → FORWARD → POSTROUTING; returns the verdict kind. */
function forward(ns: NetfilterNamespaceImpl, p: NfPacket, now: number, inIface = 'veth1', outIface = 'veth2'): string {
  p.inIface = inIface;
  const c = ctx(now, [NODE, ip('10.244.1.1')], false, ip('10.244.1.1'));
  for (const h of ['PREROUTING', 'FORWARD', 'POSTROUTING'] as NfHook[]) {
    if (h === 'FORWARD') p.outIface = outIface;
    const r = ns.hook(h, p, c);
    if (r.verdict.kind !== 'accept') return r.verdict.kind;
  }
  return 'accept';
}

describe('NAT decided on the first packet and reversed on replies', () => {
  it('DNATs pod → ClusterIP to an endpoint and un-DNATs the reply; conntrack shows the tuples', () => {
    const ns = node();
    const syn = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.SYN });
    expect(forward(ns, syn, T0)).toBe('accept');
    expect([POD_A, POD_B]).toContain(syn.dst);
    expect(syn.dport).toBe(8000);
    expect(syn.src).toBe(POD_C); // pod source inside the cluster CIDR: no masquerade
    const backend = syn.dst;

    const synack = packet({ src: backend, dst: POD_C, sport: 8000, dport: 40000, tcpFlags: TCPHDR.SYN | TCPHDR.ACK });
    expect(forward(ns, synack, T0 + 1)).toBe('accept');
    expect(synack.src).toBe(VIP);
    expect(synack.sport).toBe(80);

    const ack = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.ACK });
    expect(forward(ns, ack, T0 + 2)).toBe('accept');
    expect(ack.dst).toBe(backend); // same endpoint: the nat table is not consulted again

    const entries = ns.conntrack.list(T0 + 2000);
    expect(entries).toHaveLength(1);
    const b = backend === POD_A ? '10.244.1.5' : '10.244.1.6';
    expect(formatEntry(entries[0]!, T0 + 2000)).toBe(
      `tcp      6 431998 ESTABLISHED src=10.244.2.9 dst=10.96.45.12 sport=40000 dport=80 src=${b} dst=10.244.2.9 sport=8000 dport=40000 [ASSURED] mark=0 use=1`);
    // nat counters count only the first packet of the connection
    const svc = ns.ruleset.table('nat').chains.get('KUBE-SERVICES')!;
    expect(svc.rules[0]!.packets).toBe(1);
  });

  it('masquerades NodePort traffic (mark 0x4000) to the node address and reverses both NATs on the reply', () => {
    const ns = node(7);
    const syn = packet({ src: CLIENT, dst: NODE, sport: 43686, dport: 31234, tcpFlags: TCPHDR.SYN });
    expect(forward(ns, syn, T0, 'eth0', 'cni0')).toBe('accept');
    expect([POD_A, POD_B]).toContain(syn.dst);
    expect(syn.src).toBe(ip('10.244.1.1'));
    expect(syn.mark & 0x4000).toBe(0); // KUBE-POSTROUTING xored it off again
    const reply = packet({ src: syn.dst, dst: syn.src, sport: 8000, dport: syn.sport, tcpFlags: TCPHDR.SYN | TCPHDR.ACK });
    expect(forward(ns, reply, T0 + 1, 'cni0', 'eth0')).toBe('accept');
    expect(reply.src).toBe(NODE);
    expect(reply.sport).toBe(31234);
    expect(reply.dst).toBe(CLIENT);
    expect(reply.dport).toBe(43686);
    const line = formatEntry(ns.conntrack.list(T0 + 1)[0]!, T0 + 1);
    expect(line).toMatch(/^tcp      6 60 SYN_RECV src=172\.18\.0\.1 dst=172\.18\.0\.3 sport=43686 dport=31234 src=10\.244\.1\.[56] dst=10\.244\.1\.1 sport=8000 dport=\d+ mark=0 use=1$/);
  });

  it('REJECTs a Service without endpoints and leaves no conntrack entry', () => {
    const ns = node();
    const p = packet({ src: POD_C, dst: ip('10.96.99.99'), sport: 40001, dport: 80, tcpFlags: TCPHDR.SYN });
    const c = ctx(T0, [NODE]);
    expect(ns.hook('PREROUTING', p, c).verdict.kind).toBe('accept');
    p.outIface = 'eth0';
    const r = ns.hook('FORWARD', p, c);
    expect(r.verdict).toEqual({ kind: 'reject', with: 'icmp-port-unreachable', reason: 'filter KUBE-SERVICES rule 1 REJECT' });
    expect(ns.conntrack.list(T0)).toHaveLength(0);
  });

  it('spreads connections over endpoints with the seeded statistic match, deterministically', () => {
    const run = (seed: number) => {
      const ns = node(seed);
      const picks: number[] = [];
      for (let i = 0; i < 400; i++) {
        const p = packet({ src: POD_C, dst: VIP, sport: 20000 + i, dport: 80, tcpFlags: TCPHDR.SYN });
        forward(ns, p, T0 + i);
        picks.push(p.dst);
      }
      return picks;
    };
    const a = run(3);
    expect(run(3)).toEqual(a);
    const toA = a.filter((d) => d === POD_A).length;
    expect(toA).toBeGreaterThan(150);
    expect(toA).toBeLessThan(250);
  });

  it('walks TCP through FIN_WAIT, LAST_ACK, TIME_WAIT with Linux timeouts, then expires', () => {
    const ns = node();
    const c = (src: number, dst: number, sport: number, dport: number, f: number, t: number) =>
      forward(ns, packet({ src, dst, sport, dport, tcpFlags: f }), t);
    c(POD_C, VIP, 40000, 80, TCPHDR.SYN, T0);
    const e = ns.conntrack.list(T0)[0]!;
    const be = e.reply.src;
    c(be, POD_C, 8000, 40000, TCPHDR.SYN | TCPHDR.ACK, T0);
    c(POD_C, VIP, 40000, 80, TCPHDR.ACK, T0);
    c(POD_C, VIP, 40000, 80, TCPHDR.FIN | TCPHDR.ACK, T0 + 1000);
    expect(e.tcpState).toBe('FIN_WAIT');
    c(be, POD_C, 8000, 40000, TCPHDR.FIN | TCPHDR.ACK, T0 + 1000);
    expect(e.tcpState).toBe('LAST_ACK');
    c(POD_C, VIP, 40000, 80, TCPHDR.ACK, T0 + 1000);
    expect(e.tcpState).toBe('TIME_WAIT');
    expect(formatEntry(e, T0 + 19_000)).toContain('tcp      6 102 TIME_WAIT');
    expect(ns.conntrack.list(T0 + 121_000)).toHaveLength(0);
  });

  it('marks ICMP errors RELATED and un-NATs the quoted header', () => {
    const ns = node();
    const syn = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.SYN });
    forward(ns, syn, T0);
    const be = syn.dst;
    const err = packet({ src: be, dst: POD_C, proto: 1, icmpType: 3, icmpCode: 3, embedded: { src: POD_C, dst: be, proto: 6, sport: 40000, dport: 8000 } });
    const c = ctx(T0 + 1, [NODE], true);
    const r = ns.hook('PREROUTING', err, c);
    expect(r.conntrack?.state).toBe('RELATED');
    ns.hook('FORWARD', err, c);
    ns.hook('POSTROUTING', err, c);
    expect(err.src).toBe(VIP);
    expect(err.embedded).toEqual({ src: POD_C, dst: VIP, proto: 6, sport: 40000, dport: 80 });
  });
});

describe('a packet\'s conntrack attachment (nfct: the connection, ctinfo: the packet\'s relation to it)', () => {
  for (const trace of [false, true]) {
    it(`is the same connection for both directions across NAT, RELATED for an ICMP error, INVALID without one${trace ? ' (traced)' : ''}`, () => {
      const ns = node();
      const run = (p: NfPacket, now: number) => {
        p.inIface = 'veth1';
        const c = ctx(now, [NODE, ip('10.244.1.1')], trace, ip('10.244.1.1'));
        for (const h of ['PREROUTING', 'FORWARD', 'POSTROUTING'] as NfHook[]) {
          if (h === 'FORWARD') p.outIface = 'veth2';
          expect(ns.hook(h, p, c).verdict.kind).toBe('accept');
        }
      };
      const syn = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.SYN });
      run(syn, T0);
      const conn = ns.conntrack.list(T0)[0]!;
      expect(syn.nfct).toBe(conn);
      expect(syn.ctinfo).toBe(0);
      const be = syn.dst;
      const synack = packet({ src: be, dst: POD_C, sport: 8000, dport: 40000, tcpFlags: TCPHDR.SYN | TCPHDR.ACK });
      run(synack, T0 + 1);
      expect(synack.nfct).toBe(conn);
      expect(synack.ctinfo).toBe(CTINFO.REPLY);
      expect(synack.src).toBe(VIP);
      const ack = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.ACK });
      run(ack, T0 + 2);
      expect(ack.nfct).toBe(conn);
      expect(ack.ctinfo).toBe(0);
      // An ICMP error from the endpoint about the client's packet: a reply-direction RELATED packet.
      const err = packet({ src: be, dst: POD_C, proto: 1, icmpType: 3, icmpCode: 3, embedded: { src: POD_C, dst: be, proto: 6, sport: 40000, dport: 8000 } });
      run(err, T0 + 3);
      expect(err.nfct).toBe(conn);
      expect(err.ctinfo).toBe(CTINFO.RELATED | CTINFO.REPLY);
      expect(err.src).toBe(VIP);
      // And one from the client about a reply: original-direction RELATED.
      const err2 = packet({ src: POD_C, dst: VIP, proto: 1, icmpType: 3, icmpCode: 3, embedded: { src: VIP, dst: POD_C, proto: 6, sport: 80, dport: 40000 } });
      run(err2, T0 + 4);
      expect(err2.nfct).toBe(conn);
      expect(err2.ctinfo).toBe(CTINFO.RELATED);
      expect(err2.dst).toBe(be);
      // A RST of no connection: INVALID, not NATed, nothing confirmed.
      const rst = packet({ src: POD_C, dst: VIP, sport: 40001, dport: 80, tcpFlags: 0x04 });
      run(rst, T0 + 5);
      expect(rst.ctinfo).toBe(CTINFO.INVALID);
      expect(rst.nfct).not.toBe(conn);
      expect(rst.dst).toBe(VIP);
      expect(ns.conntrack.list(T0 + 5)).toEqual([conn]);
      // A packet entering another namespace loses its attachment (the stack clears nfct, not ctinfo): tracked there
      // afresh, a SYN-ACK of no connection is INVALID.
      const other = node();
      synack.nfct = undefined;
      other.hook('PREROUTING', synack, ctx(T0 + 6, [NODE], trace));
      expect(synack.nfct).not.toBe(conn);
      expect(synack.ctinfo).toBe(CTINFO.INVALID);
      expect(other.conntrack.list(T0 + 6)).toEqual([]);
    });
  }
});

describe('trace steps', () => {
  it('lists each matched rule in iptables-save form with its verdict', () => {
    const ns = node();
    const p = packet({ src: POD_C, dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.SYN });
    const r = ns.hook('PREROUTING', p, ctx(T0, [NODE], true));
    expect(r.steps[0]).toEqual({
      hook: 'PREROUTING', table: 'raw', chain: 'PREROUTING', ruleNum: 0, ruleText: ':PREROUTING ACCEPT', verdict: 'policy ACCEPT',
    });
    const natSteps = r.steps.filter((s) => s.table === 'nat');
    expect(natSteps[0]!.ruleText).toBe('-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
    expect(natSteps[1]!.ruleText).toBe('-A KUBE-SERVICES -d 10.96.45.12/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G');
    expect(natSteps.at(-1)!.verdict).toMatch(/^DNAT 10\.96\.45\.12:80 -> 10\.244\.1\.[56]:8000$/);
    expect(r.conntrack?.state).toBe('NEW');
  });
});

describe('-m recent (ClientIP affinity)', () => {
  it('sends a client back to the endpoint it was set on until --seconds pass', () => {
    const ns = new NetfilterNamespaceImpl({ name: 'n', rng: new Rng(5) });
    ns.restore(`*nat
:PREROUTING ACCEPT [0:0]
:SVC - [0:0]
:SEP-A - [0:0]
:SEP-B - [0:0]
-A PREROUTING -p tcp -d 10.96.0.50 --dport 80 -j SVC
-A SVC -m recent --name SEP-A --rcheck --seconds 60 --reap -j SEP-A
-A SVC -m recent --name SEP-B --rcheck --seconds 60 --reap -j SEP-B
-A SVC -m statistic --mode random --probability 0.5 -j SEP-A
-A SVC -j SEP-B
-A SEP-A -m recent --name SEP-A --set -p tcp -j DNAT --to-destination 10.244.1.5:80
-A SEP-B -m recent --name SEP-B --set -p tcp -j DNAT --to-destination 10.244.1.6:80
COMMIT
`);
    const hit = (sport: number, t: number) => {
      const p = packet({ src: ip('10.244.2.9'), dst: ip('10.96.0.50'), sport, dport: 80, tcpFlags: TCPHDR.SYN });
      ns.hook('PREROUTING', p, ctx(t));
      ns.hook('POSTROUTING', p, ctx(t));
      return p.dst;
    };
    const first = hit(1000, T0);
    for (let i = 1; i < 30; i++) expect(hit(1000 + i, T0 + i * 1000)).toBe(first);
    // after 60 s without a new connection the entry has aged out: the statistic rules pick again
    const later = new Set<number>();
    for (let i = 0; i < 40; i++) later.add(hit(5000 + i, T0 + 200_000 + i * 61_000));
    expect(later.size).toBe(2);
  });
});

describe('indexed chains keep first-match semantics and counters', () => {
  it('gives the same verdicts, NAT targets and counters as a linear walk', () => {
    const ruleArb = fc.record({
      dst: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      proto: fc.option(fc.constantFrom('tcp', 'udp'), { nil: undefined }),
      dport: fc.option(fc.integer({ min: 79, max: 81 }), { nil: undefined }),
      invertDport: fc.boolean(),
      target: fc.constantFrom('ACCEPT', 'DROP', 'LOG', 'MARK'),
    });
    fc.assert(fc.property(fc.array(ruleArb, { minLength: 12, maxLength: 40 }), fc.array(fc.record({
      dst: fc.integer({ min: 1, max: 4 }), proto: fc.constantFrom(6, 17, 1), dport: fc.integer({ min: 79, max: 81 }),
    }), { minLength: 1, maxLength: 30 }), (rules, pkts) => {
      const lines = rules.map((r) => {
        let s = '-A T';
        if (r.dst !== undefined) s += ` -d 10.0.0.${r.dst}`;
        if (r.proto) s += ` -p ${r.proto}`;
        if (r.proto && r.dport !== undefined) s += `${r.invertDport ? ' !' : ''} --dport ${r.dport}`;
        s += r.target === 'MARK' ? ' -j MARK --or-mark 1' : ` -j ${r.target}`;
        return s;
      });
      const text = `*filter\n:INPUT ACCEPT [0:0]\n:T - [0:0]\n-A INPUT -j T\n${lines.join('\n')}\nCOMMIT\n`;
      // Same rules behind a short chain (linear) and a long one (indexed): pad the linear chain's copy below the
      // index threshold by splitting it into jumps of 8 rules.
      const chunks: string[][] = [];
      for (let i = 0; i < lines.length; i += 8) chunks.push(lines.slice(i, i + 8));
      const linearText = `*filter\n:INPUT ACCEPT [0:0]\n${chunks.map((_, i) => `:T${i} - [0:0]`).join('\n')}\n` +
        chunks.map((_, i) => `-A INPUT -j T${i}`).join('\n') + '\n' +
        chunks.map((c, i) => c.map((l) => l.replace('-A T ', `-A T${i} `)).join('\n')).join('\n') + '\nCOMMIT\n';
      const indexed = new NetfilterNamespaceImpl({ name: 'i', rng: new Rng(1) });
      indexed.restore(text);
      const linear = new NetfilterNamespaceImpl({ name: 'l', rng: new Rng(1) });
      linear.restore(linearText);
      pkts.forEach((q, i) => {
        const a = packet({ dst: ip(`10.0.0.${q.dst}`), proto: q.proto, dport: q.dport, sport: 1000 + i, tcpFlags: TCPHDR.SYN });
        const b = { ...a };
        const ra = indexed.hook('INPUT', a, ctx(T0));
        const rb = linear.hook('INPUT', b, ctx(T0));
        expect(ra.verdict.kind).toBe(rb.verdict.kind);
        expect(a.mark).toBe(b.mark);
      });
      const ic = indexed.ruleset.table('filter').chains.get('T')!.rules.map((r) => r.packets);
      const lc = chunks.flatMap((_, i) => linear.ruleset.table('filter').chains.get(`T${i}`)!.rules.map((r) => r.packets));
      expect(ic).toEqual(lc);
    }), { numRuns: 200 });
  });
});

describe('counters counted lazily (remembered walks, empty chains, compiled rules)', () => {
  it('read at any moment what the traced walks of every packet add up to, across memo evictions, -Z and changes', () => {
    const rules = [
      '-A FORWARD -m mark --mark 0x1/0x1 -j C1',
      '-A FORWARD -p tcp --dport 80 -j C2',
      '-A FORWARD -s 10.0.0.0/30 -m conntrack --ctstate NEW -j RETURN',
      '-A C1 -m mark --mark 0x2/0x2 -j ACCEPT',
      '-A C1 -p udp -j RETURN',
      '-A C2 -m mark --mark 0x4/0x4 -j ACCEPT',
      '-A C2 -d 10.0.1.0/29 -j RETURN',
    ];
    const text = `*mangle\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\n:C1 - [0:0]\n:C2 - [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
    // Mostly packets (more distinct walks than a memo keeps, so entries are evicted between reads).
    const op = fc.oneof(
      { weight: 30, arbitrary: fc.record({ kind: fc.constant('packet' as const), src: fc.constantFrom(1, 5), dst: fc.constantFrom(1, 9),
        mark: fc.integer({ min: 0, max: 3 }), proto: fc.constantFrom(6, 17), dport: fc.constantFrom(53, 80), length: fc.integer({ min: 40, max: 1500 }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('read' as const, 'zero' as const, 'insert' as const) }) },
    );
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), (ops) => {
      // `lazy` runs without tracing (memo replays); `traced` walks every rule of every packet and lists each rule
      // that matched and each policy taken: the model adds those steps up, per rule and chain object.
      const lazy = new NetfilterNamespaceImpl({ name: 'lazy', rng: new Rng(1) });
      const traced = new NetfilterNamespaceImpl({ name: 'traced', rng: new Rng(1) });
      lazy.restore(text);
      traced.restore(text);
      const model = new Map<object, [number, number]>();
      const add = (o: object, len: number) => {
        const m = model.get(o) ?? [0, 0];
        model.set(o, [m[0] + 1, m[1] + len]);
      };
      const expectCounters = () => {
        for (const t of ['mangle', 'filter'] as const) {
          for (const [name, c] of traced.ruleset.table(t).chains) {
            const l = lazy.ruleset.table(t).chains.get(name)!;
            if (c.builtin) expect([l.packets, l.bytes]).toEqual(model.get(c) ?? [0, 0]);
            c.rules.forEach((r, i) => expect([l.rules[i]!.packets, l.rules[i]!.bytes]).toEqual(model.get(r) ?? [0, 0]));
          }
        }
      };
      let sport = 1000;
      for (const o of ops) {
        if (o.kind === 'packet') {
          const p = packet({ src: ip(`10.0.0.${o.src}`), dst: ip(`10.0.1.${o.dst}`), mark: o.mark, proto: o.proto, dport: o.dport, sport: sport++, length: o.length, tcpFlags: TCPHDR.SYN });
          const q = { ...p };
          for (const h of ['PREROUTING', 'FORWARD', 'POSTROUTING'] as NfHook[]) {
            lazy.hook(h, p, ctx(T0));
            for (const st of traced.hook(h, q, ctx(T0, [], true)).steps) {
              const chain = traced.ruleset.table(st.table).chains.get(st.chain)!;
              if (st.ruleNum > 0) add(chain.rules[st.ruleNum - 1]!, o.length);
              else if (st.ruleText.startsWith(':')) add(chain, o.length);
            }
          }
        } else if (o.kind === 'read') {
          expectCounters();
        } else {
          if (o.kind === 'zero') for (const c of traced.ruleset.table('filter').chains.values()) for (const x of [c, ...c.rules]) model.delete(x);
          const arg = o.kind === 'zero' ? ['-t', 'filter', '-Z'] : ['-t', 'filter', '-I', 'C2', '1', '-p', 'udp', '-j', 'RETURN'];
          for (const ns of [lazy, traced]) ns.change((rs) => rs.apply(parseIptablesArgs(arg)));
        }
      }
      expectCounters();
      expect(lazy.save({ counters: true })).toBe(traced.save({ counters: true }));
    }), { numRuns: 100 });
  });

  it('keeps the counts of a remembered walk that is replaced by newer ones before anyone reads them', () => {
    const text = '*filter\n:FORWARD ACCEPT [0:0]\n:C - [0:0]\n-A FORWARD -m mark --mark 0x1/0x1 -j C\n' +
      '-A FORWARD -p tcp --dport 80 -j C\n-A C -m mark --mark 0x2/0x2 -j RETURN\n-A C -p udp -j RETURN\nCOMMIT\n';
    const ns = new NetfilterNamespaceImpl({ name: 'n', rng: new Rng(1) });
    ns.restore(text);
    let sport = 1000, sent = 0;
    // Sixteen kinds of walk, each remembered then replayed once: the memo keeps eight, so the first are replaced.
    for (const mark of [0, 1, 2, 3]) for (const proto of [6, 17]) for (const dport of [53, 80]) {
      for (let n = 0; n < 2; n++) {
        ns.hook('FORWARD', packet({ src: ip('10.0.0.1'), dst: ip('10.0.1.1'), mark, proto, dport, sport: sport++, length: 100 }), ctx(T0));
        sent++;
      }
    }
    expect(ns.save({ counters: true })).toContain(`:FORWARD ACCEPT [${sent}:${sent * 100}]`);
  });
});

describe('hook plans (empty chains counted once per hook, policies after rules)', () => {
  it('give the verdicts and counters of a traced walk when later chains drop, reject or fall to a DROP policy', () => {
    // raw PREROUTING and mangle POSTROUTING are empty (counted on the plan); mangle PREROUTING drops UDP after
    // them; filter FORWARD is empty with policy DROP after mangle FORWARD's rules; filter INPUT is an empty ACCEPT
    // chain after mangle INPUT's REJECT; mangle OUTPUT, empty with policy DROP, follows raw OUTPUT (empty, ACCEPT);
    // nat is consulted for first packets.
    const text = [
      '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT',
      '*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT DROP [0:0]', ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -p udp --dport 53 -j DROP', '-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset',
      '-A FORWARD -p tcp --dport 80 -j ACCEPT', '-A FORWARD -m mark --mark 0x1/0x1 -j RETURN', 'COMMIT',
      '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.2.1:80', 'COMMIT',
      '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', '',
    ].join('\n');
    const pkt = fc.record({
      path: fc.constantFrom('forward' as const, 'input' as const, 'output' as const),
      proto: fc.constantFrom(6, 17), dport: fc.constantFrom(22, 53, 80, 8080), mark: fc.integer({ min: 0, max: 1 }),
      src: fc.integer({ min: 1, max: 3 }), sport: fc.integer({ min: 1000, max: 1003 }), length: fc.integer({ min: 40, max: 1500 }),
    });
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 20, arbitrary: pkt }, { weight: 1, arbitrary: fc.constant('read' as const) }), { minLength: 1, maxLength: 200 }), (ops) => {
      const lazy = new NetfilterNamespaceImpl({ name: 'lazy', rng: new Rng(1) });
      const traced = new NetfilterNamespaceImpl({ name: 'traced', rng: new Rng(1) });
      lazy.restore(text);
      traced.restore(text);
      for (const o of ops) {
        if (o === 'read') {
          expect(lazy.save({ counters: true })).toBe(traced.save({ counters: true }));
          continue;
        }
        const hooks: NfHook[] = o.path === 'forward' ? ['PREROUTING', 'FORWARD', 'POSTROUTING']
          : o.path === 'input' ? ['PREROUTING', 'INPUT'] : ['OUTPUT', 'POSTROUTING'];
        const p = packet({ src: ip(`10.0.0.${o.src}`), dst: ip('10.0.1.1'), proto: o.proto, sport: o.sport, dport: o.dport, mark: o.mark, length: o.length, tcpFlags: TCPHDR.SYN });
        const q = { ...p };
        for (const h of hooks) {
          const a = lazy.hook(h, p, ctx(T0));
          const b = traced.hook(h, q, ctx(T0, [], true));
          expect(a.verdict).toEqual(b.verdict);
          expect([p.src, p.dst, p.sport, p.dport, p.mark]).toEqual([q.src, q.dst, q.sport, q.dport, q.mark]);
          if (a.verdict.kind !== 'accept') break;
        }
      }
      expect(lazy.save({ counters: true })).toBe(traced.save({ counters: true }));
      expect(lazy.conntrack.list(T0).map((e) => formatEntry(e, T0))).toEqual(traced.conntrack.list(T0).map((e) => formatEntry(e, T0)));
    }), { numRuns: 100 });
  });
});

describe('forward(): FORWARD and POSTROUTING in one call', () => {
  it('gives the verdicts, rewrites, counters and conntrack entries of the two hooks called one after the other', () => {
    // kube-proxy's rules (DNAT in PREROUTING, REJECT in FORWARD, MASQUERADE in POSTROUTING) and a ruleset whose
    // POSTROUTING drops, so that the second plan's verdict counts.
    const postDrop = [
      '*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      '-A FORWARD -p tcp --dport 80 -j MARK --set-xmark 0x1/0x1', '-A POSTROUTING -m mark --mark 0x1/0x1 -p tcp --sport 40001 -j DROP', 'COMMIT', '',
    ].join('\n');
    const pkt = fc.record({
      src: fc.constantFrom(POD_C, CLIENT, POD_A), dst: fc.constantFrom(VIP, ip('10.96.99.99'), POD_B, NODE),
      sport: fc.integer({ min: 40000, max: 40003 }), dport: fc.constantFrom(80, 31234, 8000),
      flags: fc.constantFrom(TCPHDR.SYN, TCPHDR.ACK, TCPHDR.SYN | TCPHDR.ACK, TCPHDR.FIN | TCPHDR.ACK), dt: fc.integer({ min: 0, max: 5000 }),
    });
    // A node whose FORWARD and POSTROUTING have leads (mangle's empty ACCEPT chains before filter FORWARD and nat
    // POSTROUTING): a replayed FORWARD walk counts for both leads on its memo entry, read mid-stream here too.
    const withLeads = [
      '*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      'COMMIT', NODE_RULES,
    ].join('\n');
    for (const text of [NODE_RULES, postDrop, withLeads]) {
      fc.assert(fc.property(fc.array(pkt, { minLength: 1, maxLength: 120 }), (ops) => {
        const one = new NetfilterNamespaceImpl({ name: 'one', rng: new Rng(7) });
        const two = new NetfilterNamespaceImpl({ name: 'two', rng: new Rng(7) });
        one.restore(text);
        two.restore(text);
        let t = T0;
        for (const o of ops) {
          t += o.dt;
          const p = packet({ src: o.src, dst: o.dst, sport: o.sport, dport: o.dport, tcpFlags: o.flags, inIface: 'eth0' });
          const q = { ...p };
          const c = ctx(t, [NODE]);
          const pre = one.hook('PREROUTING', p, c);
          expect(two.hook('PREROUTING', q, c).verdict).toEqual(pre.verdict);
          if (pre.verdict.kind !== 'accept') continue;
          p.outIface = q.outIface = 'cni0';
          const a = one.forward(p, c);
          const f = two.hook('FORWARD', q, c);
          const b = f.verdict.kind === 'accept' ? two.hook('POSTROUTING', q, c) : f;
          expect(a.verdict).toEqual(b.verdict);
          expect([p.src, p.dst, p.sport, p.dport, p.mark]).toEqual([q.src, q.dst, q.sport, q.dport, q.mark]);
          if (o.dt % 7 === 0) expect(one.save({ counters: true })).toBe(two.save({ counters: true }));
        }
        expect(one.save({ counters: true })).toBe(two.save({ counters: true }));
        expect(one.conntrack.list(t).map((e) => formatEntry(e, t))).toEqual(two.conntrack.list(t).map((e) => formatEntry(e, t)));
      }), { numRuns: 60 });
    }
  });
});

describe('DNAT to a range', () => {
  it('draws the address, then the port, from the namespace RNG for each new connection', () => {
    const ns = new NetfilterNamespaceImpl({ name: 'n', rng: new Rng(4) });
    ns.restore('*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -d 10.96.0.1 --dport 80 -j DNAT --to-destination 10.0.0.1-10.0.0.4:8000-8003\nCOMMIT\n');
    const draws = new Rng(4);
    for (let i = 0; i < 40; i++) {
      const p = packet({ src: POD_C, dst: ip('10.96.0.1'), sport: 30000 + i, dport: 80, tcpFlags: TCPHDR.SYN });
      ns.hook('PREROUTING', p, ctx(T0));
      const addr = ip('10.0.0.1') + (draws.nextUint32() % 4);
      const port = 8000 + (draws.nextUint32() % 4);
      expect([p.dst, p.dport]).toEqual([addr, port]);
    }
  });
});

describe('trace of a reply', () => {
  it('says the NAT was undone from the conntrack entry', () => {
    const ns = node();
    const syn = packet({ src: ip('10.244.2.9'), dst: VIP, sport: 40000, dport: 80, tcpFlags: TCPHDR.SYN });
    forward(ns, syn, T0);
    const reply = packet({ src: syn.dst, dst: syn.src, sport: 8000, dport: 40000, tcpFlags: TCPHDR.SYN | TCPHDR.ACK, inIface: 'cni0' });
    const c = ctx(T0 + 1, [NODE], true);
    ns.hook('PREROUTING', reply, c);
    reply.outIface = 'veth9';
    ns.hook('FORWARD', reply, c);
    const r = ns.hook('POSTROUTING', reply, c);
    const step = r.steps.find((s) => s.table === 'nat' && s.ruleNum === 0 && s.ruleText.startsWith('conntrack'))!;
    expect(step.verdict).toMatch(/^un-DNAT 10\.244\.1\.[56]:8000 > 10\.244\.2\.9:40000 -> 10\.96\.45\.12:80 > 10\.244\.2\.9:40000 /);
    expect(r.conntrack?.state).toBe('ESTABLISHED');
  });
});

describe('nat walks remembered (a connection\'s first packet that binds nothing)', () => {
  it('give the verdicts, rewrites, marks, counters and conntrack entries of traced walks, as local addresses change', () => {
    // kube-proxy's and kind-masq-agent's nat rules: KUBE-SERVICES indexed (it reads the whole destination),
    // addrtype in PREROUTING and POSTROUTING, KUBE-POSTROUTING returning early before MARK and MASQUERADE, and a
    // MARK in nat PREROUTING for DNS (a walk that matched a MARK rewrote the packet: replaying it would not).
    const services = Array.from({ length: 12 }, (_, i) => `-A KUBE-SERVICES -d 10.96.0.${i + 1}/32 -p tcp -m tcp --dport 80 -j SVC`);
    const text = [
      '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]', ':KUBE-NODEPORTS - [0:0]', ':KUBE-POSTROUTING - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':MASQ-AGENT - [0:0]', ':SVC - [0:0]',
      '-A PREROUTING -p udp -m udp --dport 53 -j MARK --set-xmark 0x1/0x1',
      '-A PREROUTING -j KUBE-SERVICES',
      '-A OUTPUT -j KUBE-SERVICES',
      '-A POSTROUTING -j KUBE-POSTROUTING',
      '-A POSTROUTING -m addrtype ! --dst-type LOCAL -j MASQ-AGENT',
      '-A MASQ-AGENT -d 10.244.0.0/16 -j RETURN',
      '-A MASQ-AGENT -m mark --mark 0x1/0x1 -j RETURN',
      '-A MASQ-AGENT -j MASQUERADE',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
      '-A KUBE-POSTROUTING -j MASQUERADE --random-fully',
      ...services,
      '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      '-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j KUBE-MARK-MASQ',
      '-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j SVC',
      '-A KUBE-NODEPORTS -m addrtype --src-type LOCAL -j RETURN',
      '-A SVC -s 10.244.1.5/32 -j KUBE-MARK-MASQ',
      '-A SVC -p tcp -m tcp -j DNAT --to-destination 10.244.1.5:8080',
      'COMMIT', '',
    ].join('\n');
    const OUTSIDE = ip('8.8.8.8');
    const op = fc.oneof(
      { weight: 20, arbitrary: fc.record({
        kind: fc.constant('packet' as const), path: fc.constantFrom('forward', 'input', 'output'),
        src: fc.constantFrom(POD_A, POD_C, CLIENT, NODE), dst: fc.constantFrom(ip('10.96.0.1'), ip('10.96.0.7'), POD_A, POD_B, NODE, OUTSIDE),
        proto: fc.constantFrom(6, 17), dport: fc.constantFrom(80, 53, 30080, 8080), mark: fc.constantFrom(0, 0x4000), length: fc.integer({ min: 40, max: 1500 }),
      }) },
      // The namespace's addresses change (an address added or removed): addrtype answers differently.
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('addrs' as const), local: fc.subarray([NODE, OUTSIDE, POD_B]) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
    );
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 200 }), (ops) => {
      const lazy = new NetfilterNamespaceImpl({ name: 'lazy', rng: new Rng(5) });
      const traced = new NetfilterNamespaceImpl({ name: 'traced', rng: new Rng(5) });
      lazy.restore(text);
      traced.restore(text);
      let local = [NODE];
      let sport = 20000;
      const t = T0;
      for (const o of ops) {
        if (o.kind === 'addrs') local = o.local;
        else if (o.kind === 'read') expect(lazy.save({ counters: true })).toBe(traced.save({ counters: true }));
        else {
          // Every packet is a new connection's first.
          const p = packet({ src: o.src, dst: o.dst, proto: o.proto, sport: sport++, dport: o.dport, mark: o.mark, length: o.length, tcpFlags: TCPHDR.SYN });
          const q = { ...p };
          const hooks: NfHook[] = o.path === 'forward' ? ['PREROUTING', 'POSTROUTING'] : o.path === 'input' ? ['PREROUTING', 'INPUT'] : ['OUTPUT', 'POSTROUTING'];
          for (const h of hooks) {
            if (h === 'PREROUTING') p.inIface = q.inIface = 'eth0';
            else if (h !== 'INPUT') p.outIface = q.outIface = 'eth0';
            const a = lazy.hook(h, p, ctx(t, local, false, NODE));
            const b = traced.hook(h, q, ctx(t, local, true, NODE));
            expect(a.verdict).toEqual(b.verdict);
            expect([p.src, p.dst, p.sport, p.dport, p.mark]).toEqual([q.src, q.dst, q.sport, q.dport, q.mark]);
            if (a.verdict.kind !== 'accept') break;
          }
        }
      }
      expect(lazy.save({ counters: true })).toBe(traced.save({ counters: true }));
      expect(lazy.conntrack.list(t).map((e) => formatEntry(e, t))).toEqual(traced.conntrack.list(t).map((e) => formatEntry(e, t)));
    }), { numRuns: 150 });
  });
});
