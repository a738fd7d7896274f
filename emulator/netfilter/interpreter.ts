/**
 * The one interpreter: rule data (ruleset.ts) compiled once per ruleset generation into closures, then evaluated
 * with iptables' semantics: first match wins, jumps return, `-g` does not, built-in chains end in their policy,
 * every matching rule counts packets and bytes.
 *
 * Speed without changing semantics: a long chain (KUBE-SERVICES with thousands of Services) gets an index from
 * (destination /32, protocol, destination port) and (protocol, destination port) to the positions of the rules
 * that can only match such packets; rules that fit no index stay in a fallback list. Evaluation walks the merge
 * of the candidate lists in rule order, so the first match and every counter are exactly what a linear walk
 * gives: a rule left out can never match the packet.
 */
import type { NfHookContext, NfPacket, RejectWith } from './hook-api';
import type { CtEntry, CtInfo } from './conntrack';
import type { AddrType, Chain, MatchModule, Rule, Table } from './rule';

/** What a matcher sees besides the packet: conntrack state, time, the namespace's recent lists, randomness. */
export interface EvalEnv {
  ctx: NfHookContext;
  entry: CtEntry | undefined;
  dir: number;
  /** The packet's ctstate (NEW, ESTABLISHED, RELATED, INVALID) as a CT_BIT, plus SNAT/DNAT bits from the entry: what `-m conntrack --ctstate` tests. */
  ctBits: number;
  random(): number;
  recent: RecentLists;
}

export type Matcher = (p: NfPacket, env: EvalEnv) => boolean;

export const CT_BIT: Readonly<Record<string, number>> = {
  INVALID: 1, NEW: 2, RELATED: 4, ESTABLISHED: 8, UNTRACKED: 16, SNAT: 32, DNAT: 64,
};

export function ctBits(info: CtInfo, entry: CtEntry | undefined): number {
  let b = info === 'ESTABLISHED' ? 8 : info === 'NEW' ? 2 : info === 'RELATED' ? 4 : 1;
  if (entry !== undefined) {
    if (entry.snat) b |= 32;
    if (entry.dnat) b |= 64;
  }
  return b;
}

// Verdict codes of a compiled chain walk.
// (Enums rather than module constants: see conntrack.ts DIR.)
export const enum V { CONTINUE = 0, ACCEPT = 1, DROP = 2, REJECT = 3 }

export const enum T {
  ACCEPT = 1, DROP = 2, RETURN = 3, REJECT = 4, JUMP = 5, GOTO = 6, DNAT = 7, SNAT = 8, MASQ = 9, MARK = 10, LOG = 11,
  NONE = 12,
}

/**
 * A rule ready to run. The checks nearly every rule has (addresses, protocol, ports) are plain numbers on the
 * record, tested inline by `ruleMatches` (one object touched per rule, no calls); everything else is the `extra`
 * closure, run afterwards.
 */
export interface CompiledRule {
  /** Bits of H_* telling which inline checks apply. */
  readonly checks: number;
  /**
   * Matches counted here and not yet added to `rule`'s counters (the namespace adds them when counters can be
   * read): the compiled rule is already in cache when it matches, the rule object often is not.
   */
  packets: number;
  bytes: number;
  readonly rule: Rule;
  readonly num: number;
  readonly chainName: string;
  /** Addresses, masks and the mark as signed 32-bit values (`addr | 0`): compared with `(p.src & srcMask) === srcAddr`. */
  readonly srcAddr: number;
  readonly srcMask: number;
  readonly srcInv: boolean;
  readonly dstAddr: number;
  readonly dstMask: number;
  readonly dstInv: boolean;
  readonly proto: number;
  readonly protoInv: boolean;
  readonly sportLo: number;
  readonly sportHi: number;
  readonly sportInv: boolean;
  readonly dportLo: number;
  readonly dportHi: number;
  readonly dportInv: boolean;
  /** `-m conntrack --ctstate` (CT_BIT mask) and `-m mark`, inline when they are the rule's first of their kind. */
  readonly ctMask: number;
  readonly ctInv: boolean;
  readonly markValue: number;
  readonly markMask: number;
  readonly markInv: boolean;
  readonly extra: Matcher | null;
  readonly t: number;
  /** A DNAT target's range, as numbers (no reads of the rule's target objects on a connection's first packet); natPortLo -1: keep the port. */
  readonly natAddrLo: number;
  readonly natAddrHi: number;
  readonly natPortLo: number;
  readonly natPortHi: number;
  jump: CompiledChain | null;
  /**
   * The next rule of its chain, and for a jump or goto to a chain without an index that chain's first rule: a walk
   * of a short chain follows rules only (no chain record or rule array to read on a rarely-cached Service chain).
   */
  next: CompiledRule | null;
  jumpFirst: CompiledRule | null;
  /** `jump` is a chain without an index (walked through `jumpFirst`). */
  jumpLinear: boolean;
  /**
   * What evaluating this rule may read (D_* bits, plus the address and mark bits as masks), for the walk memo:
   * two packets that agree on everything every evaluated rule may read take the same path through a chain.
   */
  readonly deps: number;
  readonly depSrc: number;
  readonly depDst: number;
  readonly depMark: number;
  /** What the target adds to the walk's dependencies when the rule matches (see `targetDeps`). */
  readonly targetDeps: number;
}

/**
 * Dependency bits of a rule (see `CompiledRule.deps`). D.IMPURE: randomness, state or time, or (for a rule that
 * matched, see `CompiledRule.targetDeps`) a packet rewrite. D.SRC_TYPE, D.DST_TYPE: `-m addrtype`, whose answer is
 * the address's type (`addrTypeOf`: the namespace's own addresses are LOCAL).
 */
export const enum D {
  PROTO = 1, SPORT = 2, DPORT = 4, CT = 8, IN = 16, OUT = 32, FLAGS = 64, ICMP = 128, IMPURE = 256, SRC_TYPE = 512,
  DST_TYPE = 1024,
}

function ruleDeps(rule: Rule): { deps: number; depSrc: number; depDst: number; depMark: number } {
  let deps = 0, depSrc = 0, depDst = 0, depMark = 0;
  if (rule.src) depSrc |= rule.src.mask;
  if (rule.dst) depDst |= rule.dst.mask;
  if (rule.proto && rule.proto.num !== 0) deps |= D.PROTO;
  if (rule.inIface) deps |= D.IN;
  if (rule.outIface) deps |= D.OUT;
  for (const m of rule.matches) {
    switch (m.module) {
      case 'comment':
      case 'nfacct':
        break;
      case 'tcp':
      case 'udp':
        deps |= D.PROTO;
        if (m.sport) deps |= D.SPORT;
        if (m.dport) deps |= D.DPORT;
        if (m.module === 'tcp' && m.tcpFlags) deps |= D.FLAGS;
        break;
      case 'icmp':
        deps |= D.ICMP;
        break;
      case 'mark':
        depMark |= m.mask;
        break;
      case 'conntrack':
      case 'state':
        deps |= D.CT;
        break;
      case 'multiport':
        deps |= D.SPORT | D.DPORT;
        break;
      case 'addrtype':
        if (m.srcType) deps |= D.SRC_TYPE;
        if (m.dstType) deps |= D.DST_TYPE;
        break;
      default:
        // statistic (randomness, packet count), recent (lists, time)
        deps |= D.IMPURE;
    }
  }
  return { deps, depSrc: depSrc >>> 0, depDst: depDst >>> 0, depMark: depMark >>> 0 };
}

/**
 * What a rule's target adds to a walk's dependencies when the rule matches: a MARK or NAT target rewrites the
 * packet or its connection, which a replayed walk would not. A rule that does not match runs no target, so its
 * target is no dependency (a walk past `-m mark ! --mark … -j RETURN` … `-j MASQUERADE` that returns early is
 * remembered).
 */
function targetDeps(rule: Rule): number {
  const k = rule.target.kind;
  return k === 'MARK' || k === 'DNAT' || k === 'SNAT' || k === 'MASQUERADE' ? D.IMPURE : 0;
}

export const enum H { SRC = 1, DST = 2, PROTO = 4, SPORT = 8, DPORT = 16, CT = 32, MARK = 64 }

/** The inline checks of a compiled rule, then its extra matchers (iptables order: IP header, then modules). */
export function ruleMatches(cr: CompiledRule, p: NfPacket, env: EvalEnv): boolean {
  const c = cr.checks;
  if (c !== 0) {
    if (c & H.DST && (((p.dst & cr.dstMask) === cr.dstAddr) === cr.dstInv)) return false;
    if (c & H.SRC && (((p.src & cr.srcMask) === cr.srcAddr) === cr.srcInv)) return false;
    if (c & H.PROTO && ((p.proto === cr.proto) === cr.protoInv)) return false;
    if (c & H.DPORT && ((p.dport >= cr.dportLo && p.dport <= cr.dportHi) === cr.dportInv)) return false;
    if (c & H.SPORT && ((p.sport >= cr.sportLo && p.sport <= cr.sportHi) === cr.sportInv)) return false;
    if (c & H.CT && (((env.ctBits & cr.ctMask) !== 0) === cr.ctInv)) return false;
    if (c & H.MARK && (((p.mark & cr.markMask) === cr.markValue) === cr.markInv)) return false;
  }
  return cr.extra === null || cr.extra(p, env);
}

export interface CompiledChain {
  readonly chain: Chain;
  readonly rules: CompiledRule[];
  /** `rules[0]` (null for an empty chain); each rule links the next. */
  readonly first: CompiledRule | null;
  /** Index for long chains; null → linear walk. */
  index: ChainIndex | null;
}

/**
 * The indexed rules of one destination address by (proto<<16 | dport): a ClusterIP has a port or two, so a short
 * scan is cheaper than a second Map probe. The first key is kept on the object itself (most ClusterIPs have one
 * port): one object read per lookup of a destination that, with many Services, is rarely in cache.
 */
export class DstRules {
  key0 = -1;
  list0: number[] | undefined = undefined;
  readonly keys: number[] = [];
  readonly lists: number[][] = [];

  get(key: number): number[] | undefined {
    if (this.key0 === key) return this.list0;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.lists[i];
    return undefined;
  }

  add(key: number, pos: number): void {
    const l = this.get(key);
    if (l) l.push(pos);
    else if (this.list0 === undefined) {
      this.key0 = key;
      this.list0 = [pos];
    } else {
      this.keys.push(key);
      this.lists.push([pos]);
    }
  }
}

/**
 * The common case of `byDst` flat, for lookups whose data is rarely in cache (one ClusterIP among thousands): open
 * addressing over one Int32Array, four words a slot — destination, its first key, that key's rule position when it
 * is the only one (else -2), and whether the destination has more keys (1/0). A lookup reads one slot: found with
 * a single position, or absent; anything else (-2) is answered by `byDst`.
 */
export class DstSlots {
  readonly #slots: Int32Array;
  readonly #mask: number;
  readonly #shift: number;

  constructor(byDst: Map<number, DstRules>) {
    let bits = 4;
    while (1 << bits < byDst.size * 2) bits++;
    this.#slots = new Int32Array(4 << bits);
    this.#mask = (1 << bits) - 1;
    this.#shift = 32 - bits;
    for (let i = 1; i < this.#slots.length; i += 4) this.#slots[i] = -1; // empty: no key (keys are >= 0)
    for (const [dst, d] of byDst) {
      let i = this.#home(dst);
      while (this.#slots[i * 4 + 1] !== -1) i = (i + 1) & this.#mask;
      const s = i * 4;
      this.#slots[s] = dst | 0;
      this.#slots[s + 1] = d.key0;
      this.#slots[s + 2] = d.list0!.length === 1 ? d.list0![0]! : -2;
      this.#slots[s + 3] = d.keys.length > 0 ? 1 : 0;
    }
  }

  #home(dst: number): number {
    return Math.imul(dst | 0, 0x9e3779b1) >>> this.#shift;
  }

  /** The one rule position for (dst, key); -1: no rule for it; -2: ask `byDst`. */
  probe(dst: number, key: number): number {
    const slots = this.#slots;
    const d = dst | 0;
    let i = this.#home(dst);
    for (;;) {
      const s = i * 4;
      const k0 = slots[s + 1]!;
      if (k0 === -1) return -1;
      if (slots[s] === d) {
        if (k0 === key) return slots[s + 2]!;
        return slots[s + 3] === 0 ? -1 : -2;
      }
      i = (i + 1) & this.#mask;
    }
  }
}

interface ChainIndex {
  /** `byDst`'s lookups, flat (see DstSlots). */
  readonly dsts: DstSlots;
  /** dst → its rules by (proto<<16 | dport) → rule positions (ascending). */
  readonly byDst: Map<number, DstRules>;
  /** (proto<<16 | dport) → rule positions, for rules without a destination. */
  readonly byPort: Map<number, number[]>;
  /** Rules that fit no index, ascending. */
  readonly fallback: number[];
}

export interface CompiledTable {
  readonly table: Table;
  readonly chains: Map<string, CompiledChain>;
}

// ---------------------------------------------------------------------------------------------------------------
// recent lists

export class RecentLists {
  readonly lists = new Map<string, Map<number, number[]>>();

  list(name: string): Map<number, number[]> {
    let l = this.lists.get(name);
    if (!l) this.lists.set(name, (l = new Map()));
    return l;
  }
}

const RECENT_MAX_STAMPS = 20;

// ---------------------------------------------------------------------------------------------------------------
// compile

function ifaceMatcher(name: string, invert: boolean, get: (p: NfPacket) => string): Matcher {
  if (name.endsWith('+')) {
    const prefix = name.slice(0, -1);
    return (p) => get(p).startsWith(prefix) !== invert;
  }
  return (p) => (get(p) === name) !== invert;
}

/** `-m addrtype`'s type of an address in the namespace of `ctx`. */
export function addrTypeOf(addr: number, ctx: NfHookContext): AddrType {
  if (ctx.isLocalAddress(addr)) return 'LOCAL';
  if (addr === 0) return 'UNSPEC';
  if (addr === 0xffffffff) return 'BROADCAST';
  if (addr >>> 28 === 0xe) return 'MULTICAST';
  return 'UNICAST';
}

function matchModule(m: MatchModule, proto: number | undefined): Matcher | null {
  switch (m.module) {
    case 'comment':
    case 'nfacct':
      return null;
    case 'tcp':
    case 'udp': {
      const parts: Matcher[] = [];
      if (m.sport) {
        const { lo, hi, invert } = m.sport;
        parts.push((p) => (p.sport >= lo && p.sport <= hi) !== invert);
      }
      if (m.dport) {
        const { lo, hi, invert } = m.dport;
        parts.push((p) => (p.dport >= lo && p.dport <= hi) !== invert);
      }
      if (m.module === 'tcp' && m.tcpFlags) {
        const { mask, comp, invert } = m.tcpFlags;
        parts.push((p) => ((p.tcpFlags & mask) === comp) !== invert);
      }
      const protoNum = m.module === 'tcp' ? 6 : 17;
      // The proto match is in the rule header already; keep the module's own check for safety when absent.
      if (proto !== protoNum) parts.unshift((p) => p.proto === protoNum);
      return all(parts);
    }
    case 'icmp': {
      if (!m.icmpType) return null;
      const { type, code, invert } = m.icmpType;
      return (p) => (p.icmpType === type && (code === undefined || p.icmpCode === code)) !== invert;
    }
    case 'addrtype': {
      const parts: Matcher[] = [];
      if (m.srcType) {
        const types = new Set(m.srcType.types);
        const inv = m.srcType.invert;
        parts.push((p, e) => types.has(addrTypeOf(p.src, e.ctx)) !== inv);
      }
      if (m.dstType) {
        const types = new Set(m.dstType.types);
        const inv = m.dstType.invert;
        if (types.size === 1 && types.has('LOCAL')) parts.push((p, e) => e.ctx.isLocalAddress(p.dst) !== inv);
        else parts.push((p, e) => types.has(addrTypeOf(p.dst, e.ctx)) !== inv);
      }
      return all(parts);
    }
    case 'statistic': {
      if (m.mode === 'random') {
        const prob = m.probability;
        const inv = m.invert;
        return (_p, e) => ((e.random() & 0x7fffffff) < prob) !== inv;
      }
      const { every, packet, invert } = m;
      let count = 0;
      return () => {
        const hit = count === packet;
        count = (count + 1) % every;
        return hit !== invert;
      };
    }
    case 'mark': {
      const { mark, mask, invert } = m;
      return (p) => (((p.mark & mask) >>> 0) === mark) !== invert;
    }
    case 'conntrack':
    case 'state': {
      let mask = 0;
      for (const st of m.states) mask |= CT_BIT[st]!;
      const inv = m.invert;
      return (_p, e) => ((e.ctBits & mask) !== 0) !== inv;
    }
    case 'recent': {
      const { name, mode, seconds, reap, hitcount, side, mask, invert } = m;
      return (p, e) => {
        const list = e.recent.list(name);
        const addr = ((side === 'source' ? p.src : p.dst) & mask) >>> 0;
        const now = e.ctx.now;
        const stamps = list.get(addr);
        if (mode === 'set') {
          if (stamps) {
            stamps.push(now);
            if (stamps.length > RECENT_MAX_STAMPS) stamps.shift();
          } else list.set(addr, [now]);
          return !invert;
        }
        if (!stamps) return invert;
        if (mode === 'remove') {
          list.delete(addr);
          return !invert;
        }
        const since = seconds ? now - seconds * 1000 : -Infinity;
        if (reap && seconds) {
          for (const [a, st] of list) if (st[st.length - 1]! < since && a !== addr) list.delete(a);
        }
        let hits = 0;
        let hit = false;
        for (const s of stamps) {
          if (seconds && s < since) continue;
          if (!hitcount || ++hits >= hitcount) {
            hit = true;
            break;
          }
        }
        if (hit && mode === 'update') {
          stamps.push(now);
          if (stamps.length > RECENT_MAX_STAMPS) stamps.shift();
        }
        return hit !== invert;
      };
    }
    case 'multiport': {
      const { dir, ports, invert } = m;
      const inRange = (v: number) => {
        for (const r of ports) if (v >= r.lo && v <= r.hi) return true;
        return false;
      };
      if (dir === 'dports') return (p) => inRange(p.dport) !== invert;
      if (dir === 'sports') return (p) => inRange(p.sport) !== invert;
      return (p) => (inRange(p.sport) || inRange(p.dport)) !== invert;
    }
  }
}

function all(parts: Matcher[]): Matcher | null {
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Matcher, Matcher];
    return (p, e) => a(p, e) && b(p, e);
  }
  if (parts.length === 3) {
    const [a, b, c] = parts as [Matcher, Matcher, Matcher];
    return (p, e) => a(p, e) && b(p, e) && c(p, e);
  }
  return (p, e) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(p, e)) return false;
    return true;
  };
}

export function compileRule(rule: Rule, num: number, chainName: string): CompiledRule {
  let checks = 0;
  let srcAddr = 0, srcMask = 0, srcInv = false, dstAddr = 0, dstMask = 0, dstInv = false, proto = 0, protoInv = false;
  let sportLo = 0, sportHi = 65535, sportInv = false, dportLo = 0, dportHi = 65535, dportInv = false;
  let ctMask = 0, ctInv = false, markValue = 0, markMask = 0, markInv = false;
  const extra: Matcher[] = [];
  if (rule.src) {
    if (rule.src.mask !== 0) {
      checks |= H.SRC;
      ({ addr: srcAddr, mask: srcMask, invert: srcInv } = rule.src);
    } else if (rule.src.invert) extra.push(() => false);
  }
  if (rule.dst) {
    if (rule.dst.mask !== 0) {
      checks |= H.DST;
      ({ addr: dstAddr, mask: dstMask, invert: dstInv } = rule.dst);
    } else if (rule.dst.invert) extra.push(() => false);
  }
  if (rule.proto) {
    if (rule.proto.num !== 0) {
      checks |= H.PROTO;
      proto = rule.proto.num;
      protoInv = rule.proto.invert;
    } else if (rule.proto.invert) extra.push(() => false);
  }
  if (rule.inIface) extra.push(ifaceMatcher(rule.inIface.name, rule.inIface.invert, (p) => p.inIface));
  if (rule.outIface) extra.push(ifaceMatcher(rule.outIface.name, rule.outIface.invert, (p) => p.outIface));
  const ruleProto = rule.proto && !rule.proto.invert ? rule.proto.num : undefined;
  // Port checks move inline only when no match with side effects (statistic draws, recent --set) comes before
  // them: iptables runs matches in order and stops at the first that fails.
  let sideEffectsSoFar = false;
  for (const m of rule.matches) {
    if ((m.module === 'tcp' || m.module === 'udp') && !sideEffectsSoFar && ruleProto === (m.module === 'tcp' ? 6 : 17) && !m.tcpFlags) {
      if (m.sport) {
        checks |= H.SPORT;
        ({ lo: sportLo, hi: sportHi, invert: sportInv } = m.sport);
      }
      if (m.dport) {
        checks |= H.DPORT;
        ({ lo: dportLo, hi: dportHi, invert: dportInv } = m.dport);
      }
      continue;
    }
    // Side-effect-free tests move inline too (the same first-fail result whatever the order among them).
    if ((m.module === 'conntrack' || m.module === 'state') && !sideEffectsSoFar && !(checks & H.CT)) {
      checks |= H.CT;
      for (const st of m.states) ctMask |= CT_BIT[st]!;
      ctInv = m.invert;
      continue;
    }
    if (m.module === 'mark' && !sideEffectsSoFar && !(checks & H.MARK)) {
      checks |= H.MARK;
      ({ mark: markValue, mask: markMask, invert: markInv } = m);
      continue;
    }
    if (m.module === 'statistic' || m.module === 'recent') sideEffectsSoFar = true;
    const f = matchModule(m, ruleProto);
    if (f) extra.push(f);
  }
  const tg = rule.target;
  const t = tg.kind === 'ACCEPT' ? T.ACCEPT : tg.kind === 'DROP' ? T.DROP : tg.kind === 'RETURN' ? T.RETURN
    : tg.kind === 'REJECT' ? T.REJECT : tg.kind === 'jump' ? (tg.goto ? T.GOTO : T.JUMP) : tg.kind === 'DNAT' ? T.DNAT
    : tg.kind === 'SNAT' ? T.SNAT : tg.kind === 'MASQUERADE' ? T.MASQ : tg.kind === 'MARK' ? T.MARK
    : tg.kind === 'LOG' ? T.LOG : T.NONE;
  const { deps, depSrc, depDst, depMark } = ruleDeps(rule);
  const to = tg.kind === 'DNAT' ? tg.to : undefined;
  // What a walk reads first comes first (fewer cache lines per rule of a rarely-cached Service chain); addresses,
  // masks and marks as signed 32-bit values, so every field is a small integer and none is a boxed double.
  return {
    checks, t, extra: all(extra), next: null, jumpFirst: null, jumpLinear: false, jump: null, packets: 0, bytes: 0,
    dstAddr: dstAddr | 0, dstMask: dstMask | 0, dstInv, srcAddr: srcAddr | 0, srcMask: srcMask | 0, srcInv, proto, protoInv,
    dportLo, dportHi, dportInv, sportLo, sportHi, sportInv, ctMask, ctInv, markValue: markValue | 0, markMask: markMask | 0, markInv,
    rule, num, chainName,
    natAddrLo: to ? to.addrLo : 0, natAddrHi: to ? to.addrHi : 0, natPortLo: to?.portLo ?? -1, natPortHi: to?.portHi ?? -1,
    deps, depSrc, depDst, depMark, targetDeps: targetDeps(rule),
  };
}

const INDEX_MIN_RULES = 12;

function indexKey(rule: Rule): { dst: number | undefined; key: number } | undefined {
  if (!rule.proto || rule.proto.invert || (rule.proto.num !== 6 && rule.proto.num !== 17)) return undefined;
  let dport: number | undefined;
  for (const m of rule.matches) {
    if ((m.module === 'tcp' || m.module === 'udp') && m.dport && !m.dport.invert && m.dport.lo === m.dport.hi) dport = m.dport.lo;
  }
  if (dport === undefined) return undefined;
  const key = rule.proto.num * 65536 + dport;
  if (!rule.dst) return { dst: undefined, key };
  if (rule.dst.invert || rule.dst.mask !== 0xffffffff) return undefined;
  return { dst: rule.dst.addr, key };
}

function buildIndex(rules: readonly CompiledRule[]): ChainIndex {
  const byDst = new Map<number, DstRules>();
  const byPort = new Map<number, number[]>();
  const fallback: number[] = [];
  rules.forEach((cr, i) => {
    const k = indexKey(cr.rule);
    if (!k) fallback.push(i);
    else if (k.dst === undefined) {
      const l = byPort.get(k.key);
      if (l) l.push(i);
      else byPort.set(k.key, [i]);
    } else {
      let m = byDst.get(k.dst);
      if (!m) byDst.set(k.dst, (m = new DstRules()));
      m.add(k.key, i);
    }
  });
  return { dsts: new DstSlots(byDst), byDst, byPort, fallback };
}

export function compileTable(t: Table): CompiledTable {
  const chains = new Map<string, CompiledChain>();
  for (const c of t.chains.values()) {
    const rules = c.rules.map((r, i) => compileRule(r, i + 1, c.name));
    for (let i = 0; i + 1 < rules.length; i++) rules[i]!.next = rules[i + 1]!;
    chains.set(c.name, { chain: c, rules, first: rules[0] ?? null, index: rules.length >= INDEX_MIN_RULES ? buildIndex(rules) : null });
  }
  for (const cc of chains.values()) {
    for (const cr of cc.rules) {
      if (cr.rule.target.kind !== 'jump') continue;
      const to = chains.get(cr.rule.target.chain) ?? null;
      cr.jump = to;
      if (to !== null && to.index === null) {
        cr.jumpLinear = true;
        cr.jumpFirst = to.first;
      }
    }
  }
  return { table: t, chains };
}

export type { RejectWith };
