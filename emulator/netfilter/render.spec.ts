import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import rulesText from './testdata/formats.rules?raw';
import realSave from './testdata/formats.real.save.txt?raw';
import realNatLnv from './testdata/formats.real.nat.Lnv.txt?raw';
import realNatL from './testdata/formats.real.nat.L.txt?raw';
import realNatS from './testdata/formats.real.nat.S.txt?raw';
import realNatLx from './testdata/formats.real.nat.Lx.txt?raw';
import realFilterLnv from './testdata/formats.real.filter.Lnv.txt?raw';
import realFilterL from './testdata/formats.real.filter.L.txt?raw';
import realFilterS from './testdata/formats.real.filter.S.txt?raw';
import realFilterLx from './testdata/formats.real.filter.Lx.txt?raw';
import { parseIptablesArgs, tokenizeRestoreLine } from './parse';
import { ctime, formatCount, formatProbability, listRules, listTable, ruleSaveBody, saveString, saveTables } from './render';
import { Ruleset } from './ruleset';
import type { MatchModule, RuleSpec, Target } from './rule';

// The expected texts were captured from real iptables v1.8.9 (nf_tables) after `iptables-restore formats.rules`
// in a network namespace on Debian 12 (kernel/kernel.spec.ts repeats this check live, on kube-proxy rulesets).
describe('renderers match real iptables 1.8.9 output', () => {
  const rs = new Ruleset();
  rs.restore(rulesText);
  const o = (numeric: boolean, verbose: boolean, exact = false, lineNumbers = false) => ({ numeric, verbose, exact, lineNumbers });

  it('iptables-save (tables in nft order, chains sorted, normalized rules)', () => {
    expect(saveTables(rs.tables)).toBe(realSave);
  });
  it('iptables -t nat -L -n -v / -L / -S / -L -n -v -x --line-numbers', () => {
    expect(listTable(rs.table('nat'), o(true, true))).toBe(realNatLnv);
    expect(listTable(rs.table('nat'), o(false, false))).toBe(realNatL);
    expect(listRules(rs.table('nat'))).toBe(realNatS);
    expect(listTable(rs.table('nat'), o(true, true, true, true))).toBe(realNatLx);
  });
  it('iptables -L for the filter table in all four forms', () => {
    expect(listTable(rs.table('filter'), o(true, true))).toBe(realFilterLnv);
    expect(listTable(rs.table('filter'), o(false, false))).toBe(realFilterL);
    expect(listRules(rs.table('filter'))).toBe(realFilterS);
    expect(listTable(rs.table('filter'), o(true, true, true, true))).toBe(realFilterLx);
  });
});

describe('save normalization details (facts §1.5, §1.6)', () => {
  const body = (line: string) => ruleSaveBody(parseIptablesArgs(tokenizeRestoreLine(line), 'nat').spec!);

  it('moves addresses first, adds /32 and -m tcp, keeps module order', () => {
    expect(body('-A KUBE-SERVICES -m comment --comment "x cluster IP" -m tcp -p tcp -d 10.96.0.10 --dport 53 -j KUBE-SVC-X'))
      .toBe('-d 10.96.0.10/32 -p tcp -m comment --comment "x cluster IP" -m tcp --dport 53 -j KUBE-SVC-X');
    expect(body('-A X -p tcp -m comment --comment a --dport 80 -j ACCEPT')).toBe('-p tcp -m comment --comment a -m tcp --dport 80 -j ACCEPT');
  });
  it('normalizes MARK, mark match and REJECT', () => {
    expect(body('-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000')).toBe('-j MARK --set-xmark 0x4000/0x4000');
    expect(body('-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000')).toBe('-j MARK --set-xmark 0x4000/0x0');
    expect(body('-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN')).toBe('-m mark ! --mark 0x4000/0x4000 -j RETURN');
    expect(body('-A X -j REJECT')).toBe('-j REJECT --reject-with icmp-port-unreachable');
  });
  it('prints kube-proxy probabilities with 11 decimals as the kernel stores them', () => {
    const p = (s: string) => formatProbability(Math.round(Number(s) * 0x80000000));
    expect(p('0.5000000000')).toBe('0.50000000000');
    expect(p('0.3333333333')).toBe('0.33333333349');
    expect(p('0.2500000000')).toBe('0.25000000000');
    expect(p('0.2000000000')).toBe('0.20000000019');
    expect(p((1 / 6).toFixed(10))).toBe('0.16666666651');
    expect(p((1 / 7).toFixed(10))).toBe('0.14285714272');
  });
  it('quotes strings as xtables_save_string does', () => {
    expect(saveString('default/web')).toBe('"default/web"');
    expect(saveString('abc_-9')).toBe('abc_-9');
    expect(saveString('')).toBe('""');
    expect(saveString('say "hi"')).toBe('"say \\"hi\\""');
  });
  it('scales counters like print_num', () => {
    expect(formatCount(99999, false)).toBe('99999 ');
    expect(formatCount(292621, false)).toBe(' 293K ');
    expect(formatCount(303_000_000, false)).toBe(' 303M ');
    expect(formatCount(292621, true)).toBe('  292621 ');
  });
  it('prints ctime like iptables-save headers', () => {
    expect(ctime(Date.UTC(2026, 10, 28, 6, 13, 13))).toBe('Sat Nov 28 06:13:13 2026');
    expect(ctime(Date.UTC(2026, 0, 1, 0, 0, 0))).toBe('Thu Jan  1 00:00:00 2026');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// parse(render(x)) = x

const ipArb = fc.integer({ min: 0, max: 0xffffffff }).map((n) => n >>> 0);
const prefixArb = fc.integer({ min: 1, max: 32 });
const mask = (p: number) => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);
const addrArb = fc.record({ addr: ipArb, prefix: prefixArb, invert: fc.boolean() })
  .map(({ addr, prefix, invert }) => ({ addr: (addr & mask(prefix)) >>> 0, mask: mask(prefix), invert }));
const ifaceArb = fc.record({ name: fc.constantFrom('eth0', 'cni0', 'veth+', 'lo'), invert: fc.boolean() });
const portsArb = fc.record({ lo: fc.integer({ min: 0, max: 65535 }), span: fc.integer({ min: 0, max: 3 }), invert: fc.boolean() })
  .map(({ lo, span, invert }) => ({ lo, hi: Math.min(65535, lo + span), invert }));
const commentArb = fc.string({ minLength: 0, maxLength: 20 }).filter((s) => !/["\\'\n\r\t]/.test(s) && s.trim() === s && !s.includes('  '));
const genericMatchArb: fc.Arbitrary<MatchModule> = fc.oneof(
  commentArb.map((comment) => ({ module: 'comment' as const, comment })),
  fc.record({ mark: fc.integer({ min: 0, max: 0xffff }), mask: fc.constantFrom(0xffffffff, 0x4000, 0xff00), invert: fc.boolean() })
    .map((m) => ({ module: 'mark' as const, ...m })),
  fc.record({ states: fc.subarray(['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'DNAT'] as const, { minLength: 1 }), invert: fc.boolean() })
    .map((m) => ({ module: 'conntrack' as const, ...m })),
  fc.record({ p: fc.integer({ min: 1, max: 0x80000000 }), invert: fc.boolean() })
    .map(({ p, invert }) => ({ module: 'statistic' as const, mode: 'random' as const, probability: p, invert })),
  fc.record({ dst: fc.boolean(), src: fc.boolean(), invert: fc.boolean() }).filter((r) => r.dst || r.src).map((r) => ({
    module: 'addrtype' as const,
    ...(r.src ? { srcType: { types: ['LOCAL' as const], invert: r.invert } } : {}),
    ...(r.dst ? { dstType: { types: ['LOCAL' as const], invert: false } } : {}),
  })),
  fc.record({ name: fc.constantFrom('KUBE-SEP-ABC', 'DEFAULT'), mode: fc.constantFrom('set' as const, 'rcheck' as const), seconds: fc.integer({ min: 1, max: 10800 }) })
    .map(({ name, mode, seconds }) => ({
      module: 'recent' as const, name, mode, reap: mode === 'rcheck', rttl: false, side: 'source' as const, mask: 0xffffffff, invert: false,
      ...(mode === 'rcheck' ? { seconds } : {}),
    })),
);
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.constantFrom({ kind: 'ACCEPT' as const }, { kind: 'DROP' as const }, { kind: 'RETURN' as const }, { kind: 'none' as const }),
  fc.constantFrom('icmp-port-unreachable' as const, 'tcp-reset' as const, 'icmp-host-prohibited' as const).map((w) => ({ kind: 'REJECT' as const, with: w })),
  fc.record({ chain: fc.constantFrom('KUBE-SVC-XPGD46QRK7WJZT7O', 'USER'), goto: fc.boolean() }).map((j) => ({ kind: 'jump' as const, ...j })),
  fc.record({ value: fc.integer({ min: 0, max: 0xffffffff }), mask: fc.integer({ min: 0, max: 0xffffffff }) })
    .map((m) => ({ kind: 'MARK' as const, value: m.value >>> 0, mask: m.mask >>> 0 })),
  fc.record({ a: ipArb, port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }) }).map(({ a, port }) => ({
    kind: 'DNAT' as const, random: false, persistent: false,
    to: { addrLo: a, addrHi: a, ...(port !== undefined ? { portLo: port, portHi: port } : {}) },
  })),
  fc.boolean().map((rf) => ({ kind: 'MASQUERADE' as const, random: false, randomFully: rf })),
);

const specArb: fc.Arbitrary<RuleSpec> = fc.record({
  src: fc.option(addrArb, { nil: undefined }),
  dst: fc.option(addrArb, { nil: undefined }),
  inIface: fc.option(ifaceArb, { nil: undefined }),
  outIface: fc.option(ifaceArb, { nil: undefined }),
  proto: fc.option(fc.constantFrom(6, 17), { nil: undefined }),
  ports: fc.record({ sport: fc.option(portsArb, { nil: undefined }), dport: fc.option(portsArb, { nil: undefined }) }),
  matches: fc.array(genericMatchArb, { maxLength: 4 }),
  target: targetArb,
}).map((r) => {
  const matches: MatchModule[] = [...r.matches];
  if (r.proto !== undefined) {
    matches.splice(Math.min(1, matches.length), 0, {
      module: r.proto === 6 ? 'tcp' : 'udp',
      ...(r.ports.sport ? { sport: r.ports.sport } : {}),
      ...(r.ports.dport ? { dport: r.ports.dport } : {}),
    });
  }
  let target = r.target;
  if (target.kind === 'DNAT' && r.proto === undefined && target.to.portLo !== undefined) {
    target = { ...target, to: { addrLo: target.to.addrLo, addrHi: target.to.addrHi } };
  }
  return {
    ...(r.src ? { src: r.src } : {}),
    ...(r.dst ? { dst: r.dst } : {}),
    ...(r.inIface ? { inIface: r.inIface } : {}),
    ...(r.outIface ? { outIface: r.outIface } : {}),
    ...(r.proto !== undefined ? { proto: { num: r.proto, invert: false } } : {}),
    matches,
    target,
  };
});

describe('parse ∘ render', () => {
  it("takes an option's argument whole, even one that looks like a bundle of flags (getopt)", () => {
    const spec = parseIptablesArgs(tokenizeRestoreLine('-A X -m comment --comment -CA -j MASQUERADE'), 'nat').spec!;
    expect(spec.matches).toEqual([{ module: 'comment', comment: '-CA' }]);
    expect(parseIptablesArgs(['-nvL', 'INPUT']).op).toBe('L');
  });

  it('parse(render(rule)) = rule for generated rules', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const line = `-A X ${ruleSaveBody(spec)}`;
        const back = parseIptablesArgs(tokenizeRestoreLine(line), 'nat').spec!;
        expect(back).toEqual(spec);
        expect(ruleSaveBody(back)).toBe(ruleSaveBody(spec));
      }),
      { numRuns: 400 },
    );
  });
});
