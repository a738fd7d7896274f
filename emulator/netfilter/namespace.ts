/**
 * One network namespace's netfilter: its tables (data), its conntrack table and its `-m recent` lists, and the
 * `hook()` the IP stack calls at each of the five hooks. Tables run in the kernel's priority order:
 *
 *   PREROUTING : raw(-300) → conntrack(-200) → mangle(-150) → nat DNAT(-100)
 *   INPUT      : mangle → filter(0) → nat SNAT(100) → conntrack confirm
 *   FORWARD    : mangle → filter
 *   OUTPUT     : raw → conntrack → mangle → nat DNAT → filter
 *   POSTROUTING: mangle → nat SNAT(100) → conntrack confirm
 *
 * The nat table is consulted only for a connection's first packet; later packets (both directions) are rewritten
 * from the conntrack entry.
 */
import { Emitter, type Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import {
  IPPROTO, type NetfilterNamespace, type NfHook, type NfHookContext, type NfHookResult, type NfPacket, type NfTable,
  type NfConntrackView, type NfTraceStep, type NfVerdict, type RejectWith,
} from './hook-api';
import {
  ConntrackTable, CTF, CTINFO, ctInfoName, DIR, formatEntry, type ConntrackTimeouts, type CtConnection, type CtEntry,
  type Tuple,
} from './conntrack';
import { formatIpv4 } from './ip';
import {
  D, RecentLists, T, V, addrTypeOf, compileTable, ruleMatches, type CompiledChain, type CompiledRule,
  type CompiledTable, type EvalEnv,
} from './interpreter';
import { ruleSaveLine, saveTables, type SaveOptions } from './render';
import { Ruleset } from './ruleset';
import type { Chain, NatRange } from './rule';

/** Something the interpreter counts: a rule, or a built-in chain's policy. */
interface Counted {
  packets: number;
  bytes: number;
}

/**
 * One remembered walk of a built-in chain that ended in ACCEPT: the packet values the walk could have read (the
 * union of every evaluated rule's dependencies, addresses and mark as masks) and the counters it bumped, in order.
 * Any packet agreeing on those values takes the same path, so replaying the counters is the walk.
 *
 * A replay counts on the entry (`packets`, `bytes`) and the counters it stands for are brought up to date when
 * anyone can read them (`NetfilterNamespaceImpl.ruleset`, a ruleset change, the entry's eviction): one add per
 * counter per read instead of per packet, with the same sums.
 */
class WalkMemoEntry {
  packets = 0;
  bytes = 0;
  /**
   * Replays by `NetfilterNamespaceImpl.forward`, which count for the forwarding leads too (`WalkMemo.forwardLeads`):
   * one count per forwarded packet instead of three (FORWARD's lead, the walk, POSTROUTING's lead).
   */
  forwarded = 0;
  forwardedBytes = 0;

  constructor(
    readonly deps: number,
    readonly srcMask: number,
    readonly src: number,
    readonly dstMask: number,
    readonly dst: number,
    readonly markMask: number,
    readonly mark: number,
    readonly proto: number,
    readonly dport: number,
    readonly ctBits: number,
    readonly inIface: string,
    readonly outIface: string,
    readonly tcpFlags: number,
    readonly icmpType: number,
    readonly icmpCode: number,
    /** `-m addrtype`'s type of the source and destination (D.SRC_TYPE, D.DST_TYPE), '' when no rule read it. */
    readonly srcType: string,
    readonly dstType: string,
    readonly counted: readonly Counted[],
  ) {}

  /**
   * Addresses, mark and their masks are kept as signed 32-bit values and compared as such (`p.src & mask`, not
   * `>>> 0`): an address above 127.255.255.255 as an unsigned number is not a small integer, and comparing it
   * goes through a heap number.
   */
  matches(p: NfPacket, ctBits: number): boolean {
    if ((p.src & this.srcMask) !== this.src || (p.dst & this.dstMask) !== this.dst ||
        (p.mark & this.markMask) !== this.mark) return false;
    const d = this.deps;
    if (d & D.CT && ctBits !== this.ctBits) return false;
    if (d & D.PROTO && p.proto !== this.proto) return false;
    if (d & D.DPORT && p.dport !== this.dport) return false;
    if (d & D.IN && p.inIface !== this.inIface) return false;
    if (d & D.OUT && p.outIface !== this.outIface) return false;
    if (d & D.FLAGS && p.tcpFlags !== this.tcpFlags) return false;
    if (d & D.ICMP && (p.icmpType !== this.icmpType || p.icmpCode !== this.icmpCode)) return false;
    return true;
  }

  /**
   * The address types the walk read (`-m addrtype`), asked again rather than remembered with the address: the
   * namespace's addresses may have changed since. Apart from `matches`, which filter chains' memos use per packet
   * (TurboFan inlines it there only while it stays this small).
   */
  typesMatch(p: NfPacket, ctx: NfHookContext): boolean {
    const d = this.deps;
    if (d & D.SRC_TYPE && addrTypeOf(p.src, ctx) !== this.srcType) return false;
    if (d & D.DST_TYPE && addrTypeOf(p.dst, ctx) !== this.dstType) return false;
    return true;
  }

  /** Add the replays counted here to the rules and policies of the walk, and the forwarded ones to `leads`. */
  flush(leads: readonly Chain[]): void {
    const f = this.forwarded;
    const n = this.packets + f;
    if (n === 0) return;
    const bytes = this.bytes + this.forwardedBytes;
    const counted = this.counted;
    for (let i = 0; i < counted.length; i++) {
      const c = counted[i]!;
      c.packets += n;
      c.bytes += bytes;
    }
    if (f !== 0) {
      const fb = this.forwardedBytes;
      for (let i = 0; i < leads.length; i++) {
        leads[i]!.packets += f;
        leads[i]!.bytes += fb;
      }
    }
    this.packets = 0;
    this.bytes = 0;
    this.forwarded = 0;
    this.forwardedBytes = 0;
  }
}

/**
 * The walk memo of one built-in chain at one hook, for packets without tracing: a few entries, replaced in turn.
 * It lives in the compiled plan, so a ruleset change (new generation, recompiled) starts it empty. Walks that read
 * anything impure (statistic, recent, a matching MARK/NAT target) or a per-connection value (source port) are not
 * remembered, nor, in a chain that sees every packet, walks that read a /32 address or an address type.
 */
class WalkMemo {
  readonly entries: WalkMemoEntry[] = [];
  #next = 0;
  /**
   * For FORWARD's walk on a node whose `forward` writes both hooks out: the leads of FORWARD and POSTROUTING, which
   * every packet replaying a walk there passes (an entry's `forwarded` counts stand for their policies' counts).
   */
  forwardLeads: readonly Chain[] = [];

  /**
   * For the nat table, which sees a connection's first packet only: walks that read a whole address or an address
   * type are remembered too (looked up with `findFirst`). The nat walks worth remembering are a node's forwarding
   * to a few pods: an indexed KUBE-SERVICES reads the whole destination to find none of its ClusterIPs, and
   * kube-proxy's and kind-masq-agent's rules ask whether it is a local address.
   */
  constructor(readonly firstPackets: boolean) {}

  /**
   * The entry whose walk the packet takes. Any entry the packet matches is its walk (it agrees on everything that
   * walk read), so a hit moves one place forward: the common walks come first and most lookups test one entry.
   */
  find(p: NfPacket, ctBits: number): WalkMemoEntry | undefined {
    const es = this.entries;
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (e.matches(p, ctBits)) {
        if (i !== 0) {
          es[i] = es[i - 1]!;
          es[i - 1] = e;
        }
        return e;
      }
    }
    return undefined;
  }

  /** `find` for a memo of the nat table (`firstPackets`): address types too. */
  findFirst(p: NfPacket, ctBits: number, ctx: NfHookContext): WalkMemoEntry | undefined {
    const es = this.entries;
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (e.matches(p, ctBits) && e.typesMatch(p, ctx)) {
        if (i !== 0) {
          es[i] = es[i - 1]!;
          es[i - 1] = e;
        }
        return e;
      }
    }
    return undefined;
  }

  add(e: WalkMemoEntry): void {
    if (this.entries.length < WALK_MEMO_ENTRIES) this.entries.push(e);
    else {
      this.entries[this.#next]!.flush(this.forwardLeads);
      this.entries[this.#next] = e;
      this.#next = (this.#next + 1) % WALK_MEMO_ENTRIES;
    }
  }

  flush(): void {
    for (const e of this.entries) e.flush(this.forwardLeads);
  }
}

const WALK_MEMO_ENTRIES = 8;

/** A merge position past every rule of a chain. */
const enum MERGE { NONE = 0x3fffffff }

// CT_BIT values (interpreter.ts), as constants for the hook's conntrack view.
const enum CT { INVALID = 1, NEW = 2, RELATED = 4, ESTABLISHED = 8 } // SNAT, DNAT: conntrack's CTF.SNAT, CTF.DNAT

/** Randomness source for `-m statistic` and NAT port choice (a fork of the world's seeded RNG). */
export interface RandomSource {
  nextUint32(): number;
}

export interface NetfilterNamespaceOptions {
  /** The netns id (`node/worker-1`, `pod/default/web-…`), for messages and the registry. */
  readonly name: string;
  /** Usually `world.rng.fork('netfilter/<name>')`. */
  readonly rng: RandomSource | Rng;
  readonly conntrackTimeouts?: ConntrackTimeouts;
}

const ACCEPT_VERDICT: NfVerdict = Object.freeze({ kind: 'accept' });
const NO_STEPS: readonly NfTraceStep[] = Object.freeze([]);
const ACCEPT_FAST: NfHookResult = Object.freeze({ verdict: ACCEPT_VERDICT, steps: NO_STEPS });

const HOOK_TABLES: Readonly<Record<NfHook, readonly NfTable[]>> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat'],
};

/** What a hook step does: count an empty chain's policy, walk a chain (through its memo), or the nat hook. */
const enum K { POLICY = 0, WALK = 1, NAT = 2 }

/** A plan's steps after its lead (see HookPlan.shape). */
const enum SHAPE { STEPS = 0, NAT = 1, WALK = 2 }

class HookStep {
  /** K.POLICY without tracing: packets and bytes not yet added to the policy's counters (see WalkMemoEntry). */
  packets = 0;
  bytes = 0;
  /** `builtin.policy === 'ACCEPT'` (a policy change is a new generation, so a new plan). */
  readonly policyAccept: boolean;
  constructor(
    readonly kind: number,
    readonly table: NfTable,
    readonly chain: CompiledChain,
    /** `chain.chain`: the built-in chain whose policy counters an empty chain bumps. */
    readonly builtin: Chain,
    readonly raw: boolean,
    /** For K.WALK and K.NAT steps. */
    readonly memo: WalkMemo | null,
  ) {
    this.policyAccept = builtin.policy === 'ACCEPT';
  }

  flush(): void {
    if (this.packets !== 0) {
      this.builtin.packets += this.packets;
      this.builtin.bytes += this.bytes;
      this.packets = 0;
      this.bytes = 0;
    }
    this.memo?.flush();
  }
}

/**
 * One hook's plan: its steps in priority order, and for untraced packets the same steps split into a lead (the
 * leading built-in chains without rules whose policy is ACCEPT: every packet entering the hook reaches them, so
 * one count on the plan stands for all of them, added to each when counters can be read) and the rest.
 */
class HookPlan {
  /** Untraced packets and bytes through the lead, not yet added to its chains' policy counters. */
  packets = 0;
  bytes = 0;
  /** The lead's built-in chains. */
  readonly lead: readonly Chain[];
  /** The steps after the lead. */
  readonly rest: readonly HookStep[];
  /** nat at PREROUTING/OUTPUT rewrites the destination, at INPUT/POSTROUTING the source. */
  readonly dstManip: boolean;
  /**
   * The connection flag saying the nat table was consulted for this plan's manipulation (CTF.DST_MANIP_DONE or
   * CTF.SRC_MANIP_DONE), plus CTF.CONFIRMED: a packet whose connection has neither is a first packet nat consults.
   */
  readonly natPending: number;
  /** INPUT and POSTROUTING confirm a new connection (the last hook of its first packet). */
  readonly confirms: boolean;
  /** `lead.length !== 0`. */
  readonly hasLead: boolean;
  /**
   * SHAPE.NAT: the rest is the nat table alone; SHAPE.WALK: one walked chain of a table after raw; SHAPE.STEPS:
   * anything else. Every hook of a kube-proxy node has one of the first two shapes after its lead (PREROUTING and
   * POSTROUTING: nat; FORWARD: filter), and so does a hook without rules (SHAPE.STEPS with no steps).
   */
  readonly shape: number;
  /** The rest's one step, for SHAPE.NAT and SHAPE.WALK. */
  readonly only: HookStep | null;

  constructor(readonly hook: NfHook, readonly steps: readonly HookStep[]) {
    let n = 0;
    while (n < steps.length && steps[n]!.kind === K.POLICY && steps[n]!.policyAccept) n++;
    this.lead = steps.slice(0, n).map((s) => s.builtin);
    this.rest = steps.slice(n);
    this.dstManip = hook === 'PREROUTING' || hook === 'OUTPUT';
    this.natPending = CTF.CONFIRMED | (this.dstManip ? CTF.DST_MANIP_DONE : CTF.SRC_MANIP_DONE);
    this.confirms = hook === 'POSTROUTING' || hook === 'INPUT';
    this.hasLead = n !== 0;
    const only = this.rest.length === 1 ? this.rest[0]! : null;
    this.shape = only === null ? SHAPE.STEPS : only.kind === K.NAT ? SHAPE.NAT
      : only.kind === K.WALK && only.raw === false ? SHAPE.WALK : SHAPE.STEPS;
    this.only = this.shape === SHAPE.STEPS ? null : only;
  }

  flush(): void {
    if (this.packets !== 0) {
      const lead = this.lead;
      for (let i = 0; i < lead.length; i++) {
        lead[i]!.packets += this.packets;
        lead[i]!.bytes += this.bytes;
      }
      this.packets = 0;
      this.bytes = 0;
    }
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) steps[i]!.flush();
  }
}

const EMPTY_PLAN = (hook: NfHook): HookPlan => new HookPlan(hook, []);

export interface RulesetChange {
  readonly generation: number;
}

export class NetfilterNamespaceImpl implements NetfilterNamespace {
  readonly name: string;
  readonly #ruleset = new Ruleset();
  readonly conntrack: ConntrackTable;
  readonly recent = new RecentLists();
  readonly #rng: RandomSource;
  #compiled = new Map<NfTable, CompiledTable>();
  /** Per hook, the built-in chain of each table in priority order. */
  #pre = EMPTY_PLAN('PREROUTING');
  #in = EMPTY_PLAN('INPUT');
  #fwd = EMPTY_PLAN('FORWARD');
  #out = EMPTY_PLAN('OUTPUT');
  #post = EMPTY_PLAN('POSTROUTING');
  #compiledGen = -1;
  /** False until some table is touched: like a fresh netns, no hooks registered and no conntrack at all. */
  #active = false;
  /** Some hook step, walk memo or compiled rule holds counts not yet added to the counters. */
  #countsPending = false;
  /** Compiled rules with counts of their own (`CompiledRule.packets` > 0). */
  #countedRules: CompiledRule[] = [];
  readonly #changed = new Emitter<RulesetChange>();
  /** Fires after every ruleset change (iptables, iptables-restore, kube-proxy sync). */
  readonly onRulesetChanged: (l: (c: RulesetChange) => void) => Disposable = this.#changed.event;

  // Per-hook scratch state (the interpreter is not re-entrant, like a CPU's netfilter pass).
  #env: EvalEnv;
  #steps: NfTraceStep[] | null = null;
  #hook: NfHook = 'PREROUTING';
  #table: NfTable = 'raw';
  #rejectWith: RejectWith = 'icmp-port-unreachable';
  #dropReason = '';
  /**
   * While a walk is being recorded for the memo: the counters it bumps (the first `#recLength` of the list) and
   * what its rules may read. The list keeps its storage between walks (a length of 0 would drop it, and the next
   * walk's first pushes would allocate it again: a nat walk is recorded on every new connection).
   */
  #rec: Counted[] | null = null;
  #recLength = 0;
  readonly #recScratch: Counted[] = [];
  #deps = 0;
  #depSrc = 0;
  #depDst = 0;
  #depMark = 0;

  constructor(opts: NetfilterNamespaceOptions) {
    this.name = opts.name;
    this.#rng = opts.rng;
    this.conntrack = new ConntrackTable(opts.conntrackTimeouts ? { timeouts: opts.conntrackTimeouts } : {});
    const rng = this.#rng;
    this.#env = {
      ctx: { now: 0, trace: false, isLocalAddress: () => false },
      entry: undefined,
      dir: 0,
      ctBits: 1,
      random: () => rng.nextUint32(),
      recent: this.recent,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Ruleset access for commands and kube-proxy

  /**
   * The tables, with every counter up to date (replayed walks and empty chains' policies count lazily): read them
   * through this getter each time, not through a reference kept while packets flow.
   */
  get ruleset(): Ruleset {
    if (this.#countsPending) this.#flushCounters();
    return this.#ruleset;
  }

  #flushCounters(): void {
    this.#countsPending = false;
    const crs = this.#countedRules;
    for (let i = 0; i < crs.length; i++) {
      const cr = crs[i]!;
      cr.rule.packets += cr.packets;
      cr.rule.bytes += cr.bytes;
      cr.packets = 0;
      cr.bytes = 0;
    }
    crs.length = 0;
    this.#pre.flush();
    this.#in.flush();
    this.#fwd.flush();
    this.#out.flush();
    this.#post.flush();
  }

  /** Run `fn` against the ruleset; any change is published (and recompiled lazily on the next packet). */
  change<T>(fn: (r: Ruleset) => T): T {
    const before = this.ruleset.generation;
    try {
      return fn(this.ruleset);
    } finally {
      if (this.ruleset.generation !== before) this.#changed.fire({ generation: this.ruleset.generation });
    }
  }

  restore(text: string, opts: { noflush?: boolean; counters?: boolean } = {}): void {
    this.change((r) => r.restore(text, opts));
  }

  save(opts: SaveOptions & { table?: NfTable } = {}): string {
    return saveTables(this.ruleset.tables, opts);
  }

  #ensureCompiled(): void {
    if (this.#compiledGen === this.#ruleset.generation) return;
    // The old plans' pending counts belong to the rules they were taken on (kept or not).
    if (this.#countsPending) this.#flushCounters();
    // The recording list's old entries are the old ruleset's rules: let them go.
    this.#recScratch.length = 0;
    this.#compiled = new Map();
    let active = false;
    for (const [name, t] of this.#ruleset.tables) {
      this.#compiled.set(name, compileTable(t));
      active ||= t.touched;
    }
    const plan = (hook: NfHook): HookPlan => new HookPlan(hook, HOOK_TABLES[hook].flatMap((table) => {
      const chain = this.#compiled.get(table)!.chains.get(hook);
      if (!chain) return [];
      const kind = table === 'nat' ? K.NAT : chain.rules.length === 0 ? K.POLICY : K.WALK;
      return [new HookStep(kind, table, chain, chain.chain, table === 'raw', kind === K.POLICY ? null : new WalkMemo(kind === K.NAT))];
    }));
    this.#pre = plan('PREROUTING');
    this.#in = plan('INPUT');
    this.#fwd = plan('FORWARD');
    this.#out = plan('OUTPUT');
    this.#post = plan('POSTROUTING');
    if (this.#fwd.shape === SHAPE.WALK) this.#fwd.only!.memo!.forwardLeads = [...this.#fwd.lead, ...this.#post.lead];
    this.#active = active;
    this.#compiledGen = this.#ruleset.generation;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The hook

  /**
   * Untraced packets take the path below. Its boolean fields are tested as `=== true` / `=== false`: V8 does not
   * know a field holds a boolean and tests `if (x.flag)` as any value's truthiness (about ten instructions: false,
   * empty string, undetectable, number, bigint), while a comparison with `true` is one instruction.
   */
  hook(hook: NfHook, pkt: NfPacket, ctx: NfHookContext): NfHookResult {
    if (this.#compiledGen !== this.#ruleset.generation) this.#ensureCompiled();
    if (this.#active === false) return ACCEPT_FAST;
    const plan = hook === 'FORWARD' ? this.#fwd : hook === 'PREROUTING' ? this.#pre : hook === 'POSTROUTING' ? this.#post
      : hook === 'OUTPUT' ? this.#out : this.#in;
    if (ctx.trace === true) return this.#hookTraced(plan, pkt, ctx);
    // The packet's time, where conntrack reads it (not an argument: see ConntrackTable.now).
    this.conntrack.now = ctx.now;
    return plan.shape === SHAPE.NAT ? this.#runNat(plan, pkt, ctx)
      : plan.shape === SHAPE.WALK ? this.#runShaped(plan, pkt, ctx, null) : this.#run(plan, pkt, ctx, null);
  }

  /** FORWARD and POSTROUTING of an untraced packet (see `NetfilterNamespace.forward`). */
  forward(pkt: NfPacket, ctx: NfHookContext): NfHookResult {
    if (ctx.trace === true) {
      // Not what the stack does (a traced packet's hooks are hops of their own); the two results' verdict.
      const r = this.hook('FORWARD', pkt, ctx);
      return r.verdict.kind === 'accept' ? this.hook('POSTROUTING', pkt, ctx) : r;
    }
    if (this.#compiledGen !== this.#ruleset.generation) this.#ensureCompiled();
    if (this.#active === false) return ACCEPT_FAST;
    const conntrack = this.conntrack;
    conntrack.now = ctx.now;
    const fwd = this.#fwd, post = this.#post;
    if (fwd.shape !== SHAPE.WALK || post.shape !== SHAPE.NAT) {
      return fwd.shape !== SHAPE.STEPS && post.shape !== SHAPE.STEPS ? this.#runShaped(fwd, pkt, ctx, post)
        : this.#run(fwd, pkt, ctx, post);
    }
    // A kube-proxy node: filter FORWARD walked (through its memo), then nat POSTROUTING, each after its lead. This
    // is #runShaped for these two shapes written out here: every packet a node forwards comes this way (28 a
    // request on the HTTP bench's pod path), and the call into #runShaped and its loop's tests of each plan's shape
    // and next plan cost about as much as the memo lookup.
    let e = pkt.nfct as CtConnection | undefined;
    if (e === undefined) e = conntrack.attach(pkt);
    const info = pkt.ctinfo!;
    const len = pkt.length;
    const ctb = ctBitsOf(e, info);
    const walk = fwd.only!;
    const hit = walk.memo!.find(pkt, ctb);
    if (hit !== undefined) {
      // The walk replayed: one count on the entry for it and both leads (see WalkMemo.forwardLeads).
      hit.forwarded++;
      hit.forwardedBytes += len;
    } else {
      if (fwd.hasLead === true) {
        fwd.packets++;
        fwd.bytes += len;
      }
      this.#resetEnv(e, info, ctx);
      const v = this.#walkAndRemember(walk, 'FORWARD', pkt, ctb);
      if (v === V.DROP || v === V.REJECT) return this.#denied(v, null, pkt, ctx.now);
      if (post.hasLead === true) {
        post.packets++;
        post.bytes += len;
      }
    }
    // Counts taken on the plans or the memo (a real walk counted its rules itself; a pending flag is harmless).
    this.#countsPending = true;
    // The nat step (#natStep, written out: called through it, applyNat no longer fit TurboFan's inlining budget).
    // INVALID_CONN is confirmed, with both manipulations done and no NAT flag: no nat, no rewrite, no confirmation.
    if ((e.flags & (CTF.CONFIRMED | CTF.SRC_MANIP_DONE)) === 0 && (info & CTINFO.REPLY) === 0) {
      const v = this.#natFirst(post, post.only!, pkt, ctx, e, info);
      if (v === V.DROP || v === V.REJECT) return this.#denied(v, null, pkt, ctx.now);
    } else applyNat(e, info & CTINFO.REPLY, false, pkt, info >= CTINFO.RELATED);
    // POSTROUTING confirms a new connection.
    if ((e.flags & CTF.CONFIRMED) === 0) conntrack.confirm(e);
    return ACCEPT_FAST;
  }

  /**
   * A plan that is the nat table after its lead (SHAPE.NAT: a kube-proxy node's PREROUTING, 28 packets a request
   * on the HTTP bench's pod path): #runShaped without its loop, its walk branch and its test of the plan's shape.
   */
  #runNat(plan: HookPlan, pkt: NfPacket, ctx: NfHookContext): NfHookResult {
    const conntrack = this.conntrack;
    let e = pkt.nfct as CtConnection | undefined;
    if (e === undefined) e = conntrack.attach(pkt);
    if (plan.hasLead === true) {
      plan.packets++;
      plan.bytes += pkt.length;
      this.#countsPending = true;
    }
    // The nat step (#natStep, written out as in forward(): TurboFan sizes a call to #natStep by its own optimized
    // code, applyNat included, and then had no room left in #runNat for applyNat or track). INVALID_CONN is
    // confirmed, with both manipulations done and no NAT flag: no nat, no rewrite, no confirmation.
    const info = pkt.ctinfo!;
    if ((e.flags & plan.natPending) === 0 && (info & CTINFO.REPLY) === 0) {
      const v = this.#natFirst(plan, plan.only!, pkt, ctx, e, info);
      if (v === V.DROP || v === V.REJECT) return this.#denied(v, null, pkt, ctx.now);
    } else applyNat(e, info & CTINFO.REPLY, plan.dstManip, pkt, info >= CTINFO.RELATED);
    if (plan.confirms === true && (e.flags & CTF.CONFIRMED) === 0) conntrack.confirm(e);
    return ACCEPT_FAST;
  }

  /**
   * The nat step of an untraced packet on its connection: the table is consulted for the connection's first packet
   * (for the manipulation of the plan's hook), and every packet gets the connection's binding applied.
   */
  #natStep(plan: HookPlan, pkt: NfPacket, ctx: NfHookContext, e: CtConnection): number {
    // As in #runNat: INVALID_CONN goes through neither branch's work.
    const info = pkt.ctinfo!;
    if ((e.flags & plan.natPending) === 0 && (info & CTINFO.REPLY) === 0) {
      return this.#natFirst(plan, plan.only!, pkt, ctx, e, info);
    }
    applyNat(e, info & CTINFO.REPLY, plan.dstManip, pkt, info >= CTINFO.RELATED);
    return V.ACCEPT;
  }

  /**
   * `#run` for plans of one step after the lead (SHAPE.NAT, SHAPE.WALK; `then` too, when given): the same counts,
   * lookups and rewrites in the same order, without a loop over a step list or a test of each step's kind and
   * table. A kube-proxy node's every hook takes this path.
   */
  #runShaped(plan: HookPlan, pkt: NfPacket, ctx: NfHookContext, then: HookPlan | null): NfHookResult {
    // The attachment, the lead's count and the confirmation are written out here rather than called as in #run
    // (#attachment, #countLead, #confirmAt): with those three calls TurboFan's inlining budget for this function
    // ran out before ctStateBits, a call per FORWARD (1.6k instructions per request more, callgrind).
    const conntrack = this.conntrack;
    let e = pkt.nfct as CtConnection | undefined;
    for (;;) {
      if (plan.hasLead === true) {
        plan.packets++;
        plan.bytes += pkt.length;
        this.#countsPending = true;
      }
      // The step is nat or a table after raw: conntrack runs before it.
      if (e === undefined) e = conntrack.attach(pkt);
      const step = plan.only!;
      let v = V.ACCEPT;
      if (plan.shape === SHAPE.NAT) v = this.#natStep(plan, pkt, ctx, e);
      else {
        const info = pkt.ctinfo!;
        const ctb = ctBitsOf(e, info);
        v = this.#replayOrWalk(step.memo!.find(pkt, ctb), step, plan.hook, pkt, ctx, e, info, ctb);
      }
      if (v === V.DROP || v === V.REJECT) return this.#denied(v, null, pkt, ctx.now);
      // INVALID_CONN is confirmed.
      if (plan.confirms === true && (e.flags & CTF.CONFIRMED) === 0) conntrack.confirm(e);
      if (then === null) break;
      plan = then;
      then = null;
    }
    return ACCEPT_FAST;
  }

  /**
   * The packet's connection: this namespace's table made it, as the stack clears it when a packet enters another
   * namespace (see `NfPacket.nfct`), so no connection says which table it belongs to.
   */
  #attachment(pkt: NfPacket): CtConnection | undefined {
    return pkt.nfct as CtConnection | undefined;
  }

  /** The lead's policies, counted once on the plan (see HookPlan). */
  #countLead(plan: HookPlan, pkt: NfPacket): void {
    if (plan.hasLead === true) {
      plan.packets++;
      plan.bytes += pkt.length;
      this.#countsPending = true;
    }
  }

  /** A new connection enters the table when its first packet passes the last hook (INPUT, POSTROUTING). */
  #confirmAt(plan: HookPlan, e: CtConnection): void {
    // INVALID_CONN is confirmed.
    if (plan.confirms === true && (e.flags & CTF.CONFIRMED) === 0) this.conntrack.confirm(e);
  }

  /**
   * The nat step on a connection's first packet, for the manipulation of the plan's hook not done yet: consult
   * the nat table (which may bind DNAT/SNAT), then apply the binding. A walk that binds nothing (no NAT or MARK
   * target matched: a node forwarding pod traffic that is not for a Service, not masqueraded) is remembered and
   * replayed like a filter chain's. The matchers' view is set only for a real walk.
   */
  #natFirst(plan: HookPlan, step: HookStep, pkt: NfPacket, ctx: NfHookContext, e: CtConnection, info: number): number {
    e.flags |= plan.natPending & ~CTF.CONFIRMED;
    const ctb = ctBitsOf(e, info);
    const v = this.#replayOrWalk(step.memo!.findFirst(pkt, ctb, ctx), step, plan.hook, pkt, ctx, e, info, ctb);
    if (v === V.ACCEPT) applyNat(e, info & CTINFO.REPLY, plan.dstManip, pkt, info >= CTINFO.RELATED);
    return v;
  }

  /**
   * A step's walk for a packet whose ctstate bits are `ctb`: replayed when its memo knew it (`hit`: the counts
   * taken on the entry, see `ruleset`), else walked with the matchers' view set, and remembered.
   */
  #replayOrWalk(hit: WalkMemoEntry | undefined, step: HookStep, hook: NfHook, pkt: NfPacket, ctx: NfHookContext,
    e: CtConnection, info: number, ctb: number): number {
    if (hit !== undefined) {
      hit.packets++;
      hit.bytes += pkt.length;
      this.#countsPending = true;
      return V.ACCEPT;
    }
    this.#resetEnv(e, info, ctx);
    return this.#walkAndRemember(step, hook, pkt, ctb);
  }

  /**
   * One hook's plan for an untraced packet, at `conntrack.now`; when it accepts and `then` is a plan, that plan's
   * too (FORWARD's POSTROUTING: one loop over both, the packet's connection found once).
   */
  #run(plan: HookPlan, pkt: NfPacket, ctx: NfHookContext, then: HookPlan | null): NfHookResult {
    const conntrack = this.conntrack;
    let e = this.#attachment(pkt);
    for (;;) {
      this.#countLead(plan, pkt);
      // The matchers' view of the packet (#env) is set only when some rule is evaluated: a replayed walk needs the
      // ctstate bits, nat on a known connection needs nothing but the entry.
      let envSet = false;
      const rest = plan.rest;
      for (let i = 0; i < rest.length; i++) {
        const step = rest[i]!;
        if (e === undefined && step.raw === false) {
          // conntrack runs after raw, before mangle: find or create the packet's connection.
          e = conntrack.attach(pkt);
          envSet = false;
        }
        let v: number;
        const kind = step.kind;
        if (kind === K.NAT) {
          // nat on a connection's later packets is its binding applied; the table is consulted for the first.
          const info = pkt.ctinfo!;
          if (info >= CTINFO.INVALID) continue;
          v = V.ACCEPT;
          if ((e!.flags & plan.natPending) === 0 && (info & CTINFO.REPLY) === 0) {
            // Sets the matchers' view only when it walks the table (a replayed walk does not): set it again later.
            v = this.#natFirst(plan, step, pkt, ctx, e!, info);
            envSet = false;
          } else applyNat(e!, info & CTINFO.REPLY, plan.dstManip, pkt, info >= CTINFO.RELATED);
        } else if (kind === K.WALK) {
          // A remembered walk needs only the packet and its ctstate bits; the matchers' view is set for a real walk.
          const ctb = envSet ? this.#env.ctBits : e === undefined ? CT.INVALID : ctBitsOf(e, pkt.ctinfo!);
          const hit = step.memo!.find(pkt, ctb);
          if (hit !== undefined) {
            // The walk's counters, counted on the entry until someone can read them (see `ruleset`).
            hit.packets++;
            hit.bytes += pkt.length;
            this.#countsPending = true;
            continue;
          }
          if (!envSet) {
            this.#resetEnv(e, pkt.ctinfo!, ctx);
            envSet = true;
          }
          v = this.#walkAndRemember(step, plan.hook, pkt, ctb);
        } else {
          // A built-in chain without rules after the lead: its policy (counted on the step, see `ruleset`).
          step.packets++;
          step.bytes += pkt.length;
          this.#countsPending = true;
          if (step.policyAccept === true) continue;
          this.#dropReason = `${step.table} ${step.builtin.name} policy DROP`;
          v = V.DROP;
        }
        if (v === V.DROP || v === V.REJECT) return this.#denied(v, null, pkt, ctx.now);
      }
      if (e === undefined) e = conntrack.attach(pkt);
      this.#confirmAt(plan, e);
      if (then === null) return ACCEPT_FAST;
      plan = then;
      then = null;
    }
  }

  /** The matchers' view for a walk: the packet's connection (none yet: INVALID, as before conntrack) and context. */
  #resetEnv(e: CtConnection | undefined, info: number, ctx: NfHookContext): void {
    const env = this.#env;
    env.ctx = ctx;
    if (e !== undefined) this.#setEnv(e, info);
    else {
      env.entry = undefined;
      env.dir = 0;
      env.ctBits = 1;
    }
  }

  /** A traced packet: every step recorded, in order. */
  #hookTraced(plan: HookPlan, pkt: NfPacket, ctx: NfHookContext): NfHookResult {
    const hook = plan.hook;
    const env = this.#env;
    env.ctx = ctx;
    this.#hook = hook;
    const steps: NfTraceStep[] = [];
    this.#steps = steps;
    try {
      const now = ctx.now;
      const conntrack = this.conntrack;
      let e = pkt.nfct as CtConnection | undefined;
      this.#resetEnv(e, e !== undefined ? pkt.ctinfo! : 0, ctx);
      const all = plan.steps;
      for (let i = 0; i < all.length; i++) {
        const step = all[i]!;
        if (e === undefined && !step.raw) {
          conntrack.now = now;
          e = conntrack.attach(pkt);
          this.#setEnv(e, pkt.ctinfo!);
        }
        let v: number;
        const kind = step.kind;
        if (kind === K.POLICY) {
          const c = step.builtin;
          step.packets++;
          step.bytes += pkt.length;
          this.#countsPending = true;
          steps.push({ hook, table: step.table, chain: c.name, ruleNum: 0, ruleText: `:${c.name} ${c.policy}`, verdict: `policy ${c.policy}` });
          if (step.policyAccept) continue;
          this.#dropReason = `${step.table} ${c.name} policy DROP`;
          v = V.DROP;
        } else if (kind === K.NAT) v = this.#natHook(plan, pkt, e, step.chain);
        else v = this.#runBuiltin(step.table, hook, pkt, step.chain);
        if (v === V.DROP || v === V.REJECT) return this.#denied(v, steps, pkt, now);
      }
      if (e === undefined) {
        conntrack.now = now;
        e = conntrack.attach(pkt);
      }
      // INVALID_CONN is confirmed.
      if (!e.confirmed && plan.confirms) conntrack.confirm(e, now);
      return { verdict: ACCEPT_VERDICT, steps, conntrack: attachmentView(e, pkt.ctinfo!, now) };
    } finally {
      // Untraced hooks never write it: they read it as null.
      this.#steps = null;
    }
  }

  /** The packet's conntrack view for the matchers: its entry and direction, and `ctStateBits`. */
  #setEnv(e: CtConnection, info: number): void {
    const env = this.#env;
    // The matchers and NAT targets see no connection for an INVALID packet.
    env.entry = info >= CTINFO.INVALID ? undefined : e;
    env.dir = info & CTINFO.REPLY;
    env.ctBits = ctBitsOf(e, info);
  }

  #denied(v: number, steps: NfTraceStep[] | null, pkt: NfPacket, now: number): NfHookResult {
    const verdict: NfVerdict = v === V.REJECT
      ? { kind: 'reject', with: this.#rejectWith, reason: this.#dropReason }
      : { kind: 'drop', reason: this.#dropReason };
    const base = { verdict, steps: steps ?? NO_STEPS };
    const e = pkt.nfct as CtConnection | undefined;
    if (steps && e) return { ...base, conntrack: attachmentView(e, pkt.ctinfo!, now) };
    return base;
  }

  /**
   * A built-in chain its walk memo does not know (the hook looked it up with the packet's ctstate bits `ctb`):
   * walk it and remember the walk.
   */
  #walkAndRemember(step: HookStep, hook: NfHook, pkt: NfPacket, ctb: number): number {
    const memo = step.memo!;
    const rec = this.#recScratch;
    this.#recLength = 0;
    this.#rec = rec;
    this.#deps = this.#depSrc = this.#depDst = this.#depMark = 0;
    const v = this.#runBuiltin(step.table, hook, pkt, step.chain);
    this.#rec = null;
    const deps = this.#deps, depSrc = this.#depSrc >>> 0, depDst = this.#depDst >>> 0, depMark = this.#depMark >>> 0;
    if (v === V.ACCEPT && (deps & (D.IMPURE | D.SPORT)) === 0 && (memo.firstPackets === true ||
        ((deps & (D.SRC_TYPE | D.DST_TYPE)) === 0 && depSrc !== 0xffffffff && depDst !== 0xffffffff))) {
      // The packet is as the walk found it: a walk that rewrote it (MARK, NAT) is impure.
      const ctx = this.#env.ctx;
      memo.add(new WalkMemoEntry(
        deps, depSrc | 0, pkt.src & depSrc, depDst | 0, pkt.dst & depDst, depMark | 0, pkt.mark & depMark,
        pkt.proto, pkt.dport, ctb, pkt.inIface, pkt.outIface, pkt.tcpFlags, pkt.icmpType, pkt.icmpCode,
        deps & D.SRC_TYPE ? addrTypeOf(pkt.src, ctx) : '', deps & D.DST_TYPE ? addrTypeOf(pkt.dst, ctx) : '',
        rec.slice(0, this.#recLength),
      ));
    }
    return v;
  }

  /** Evaluate a built-in chain of `table` at `hook` (policy included). */
  #runBuiltin(tname: NfTable, hook: NfHook, pkt: NfPacket, cc: CompiledChain): number {
    this.#table = tname;
    const v = this.#walk(cc, pkt);
    if (v !== V.CONTINUE) return v;
    const c = cc.chain;
    c.packets++;
    c.bytes += pkt.length;
    if (this.#rec !== null) this.#rec[this.#recLength++] = c;
    if (this.#steps) {
      this.#steps.push({ hook, table: tname, chain: c.name, ruleNum: 0, ruleText: `:${c.name} ${c.policy}`, verdict: `policy ${c.policy}` });
    }
    if (c.policy === 'DROP') {
      this.#dropReason = `${tname} ${c.name} policy DROP`;
      return V.DROP;
    }
    return V.ACCEPT;
  }

  /**
   * The nat table of a traced packet: consulted for a new connection's first packet, then the binding is applied
   * to every packet (and shown as a step).
   */
  #natHook(plan: HookPlan, pkt: NfPacket, e: CtConnection | undefined, cc: CompiledChain): number {
    if (e === undefined) return V.ACCEPT;
    const info = pkt.ctinfo!;
    if (info >= CTINFO.INVALID) return V.ACCEPT;
    const dir = info & CTINFO.REPLY, related = info >= CTINFO.RELATED;
    const hook = plan.hook;
    const dstManip = plan.dstManip;
    let consulted = false;
    if (!e.confirmed && dir === DIR.ORIGINAL) {
      const done = dstManip ? e.dstManipDone : e.srcManipDone;
      if (!done) {
        if (dstManip) e.dstManipDone = true;
        else e.srcManipDone = true;
        consulted = true;
        const v = this.#runBuiltin('nat', hook, pkt, cc);
        if (v === V.DROP || v === V.REJECT) return v;
      }
    }
    const steps = this.#steps;
    if (steps !== null && !consulted && (e.dnat || e.snat)) {
      // Not the first packet: the nat table is skipped and the connection's binding is applied (or undone).
      const before = tupleText(pkt);
      applyNat(e, dir, dstManip, pkt, related);
      const after = tupleText(pkt);
      if (before !== after) {
        const what = dir === DIR.ORIGINAL ? (dstManip ? 'DNAT' : 'SNAT') : dstManip ? 'un-SNAT' : 'un-DNAT';
        steps.push({
          hook, table: 'nat', chain: hook, ruleNum: 0, ruleText: `conntrack ${dir === DIR.ORIGINAL ? 'original' : 'reply'} direction`,
          verdict: `${what} ${before} -> ${after} (from the conntrack entry; the nat table only sees a connection's first packet)`,
        });
      }
      return V.ACCEPT;
    }
    applyNat(e, dir, dstManip, pkt, related);
    return V.ACCEPT;
  }

  /** Walk one chain; returns V.CONTINUE when the chain ends or RETURNs, else the verdict. */
  #walk(cc: CompiledChain, p: NfPacket): number {
    const ix = cc.index;
    if (ix === null) return this.#walkFrom(cc.first, p);
    const rules = cc.rules;
    // Merge the candidate lists in rule order (see interpreter.ts): same first match, same counters.
    if (this.#rec !== null) {
      // Which candidates are walked depends on the destination, protocol and port.
      this.#deps |= D.PROTO | D.DPORT;
      this.#depDst = -1;
    }
    const proto = p.proto;
    const ported = proto === 6 || proto === 17;
    const key = proto * 65536 + p.dport;
    // The destination's candidates: usually one position straight from the flat slots, else the list.
    let a: number[] | undefined;
    let single = -1;
    if (ported) {
      const r = ix.dsts.probe(p.dst, key);
      if (r >= 0) single = r;
      else if (r === -2) a = ix.byDst.get(p.dst)!.get(key);
    }
    const b = ported && ix.byPort.size !== 0 ? ix.byPort.get(key) : undefined;
    const c = ix.fallback;
    const al = a !== undefined ? a.length : single >= 0 ? 1 : 0, bl = b ? b.length : 0, cl = c.length;
    let i = 0, j = 0, k = 0;
    // MERGE.NONE is past every position (a small integer, so the merge compares integers only).
    while (i < al || j < bl || k < cl) {
      const va = i < al ? (a !== undefined ? a[i]! : single) : MERGE.NONE;
      const vb = j < bl ? b![j]! : MERGE.NONE;
      const vc = k < cl ? c[k]! : MERGE.NONE;
      let pos: number;
      if (va <= vb && va <= vc) {
        pos = va;
        i++;
      } else if (vb <= vc) {
        pos = vb;
        j++;
      } else {
        pos = vc;
        k++;
      }
      const r = this.#exec(rules[pos]!, p);
      if (r >= 0) return r;
    }
    return V.CONTINUE;
  }

  /** Walk a chain without an index from its first rule; V.CONTINUE when the chain ends or RETURNs. */
  #walkFrom(first: CompiledRule | null, p: NfPacket): number {
    for (let cr = first; cr !== null; cr = cr.next) {
      const r = this.#exec(cr, p);
      if (r >= 0) return r;
    }
    return V.CONTINUE;
  }

  /** -1: go on with the next rule; otherwise what the chain walk returns. */
  #exec(cr: CompiledRule, p: NfPacket): number {
    const rec = this.#rec;
    if (rec !== null) {
      this.#deps |= cr.deps;
      this.#depSrc |= cr.depSrc;
      this.#depDst |= cr.depDst;
      this.#depMark |= cr.depMark;
    }
    if (!ruleMatches(cr, p, this.#env)) return -1;
    // Counted on the compiled rule until the counters can be read (see `ruleset`).
    if (cr.packets === 0) this.#countedRules.push(cr);
    cr.packets++;
    cr.bytes += p.length;
    this.#countsPending = true;
    const rule = cr.rule;
    if (rec !== null) {
      rec[this.#recLength++] = rule;
      this.#deps |= cr.targetDeps;
    }
    const steps = this.#steps;
    switch (cr.t) {
      case T.ACCEPT:
        if (steps) this.#step(cr, 'ACCEPT');
        return V.ACCEPT;
      case T.DROP:
        if (steps) this.#step(cr, 'DROP');
        this.#dropReason = `${this.#table} ${cr.chainName} rule ${cr.num} DROP`;
        return V.DROP;
      case T.REJECT: {
        const t = rule.target as { kind: 'REJECT'; with: RejectWith };
        if (steps) this.#step(cr, `REJECT ${t.with}`);
        this.#rejectWith = t.with;
        this.#dropReason = `${this.#table} ${cr.chainName} rule ${cr.num} REJECT`;
        return V.REJECT;
      }
      case T.RETURN:
        if (steps) this.#step(cr, 'RETURN');
        return V.CONTINUE;
      case T.JUMP: {
        if (steps) this.#step(cr, `jump ${cr.jump!.chain.name}`);
        const v = cr.jumpLinear ? this.#walkFrom(cr.jumpFirst, p) : this.#walk(cr.jump!, p);
        return v === V.CONTINUE ? -1 : v;
      }
      case T.GOTO:
        if (steps) this.#step(cr, `goto ${cr.jump!.chain.name}`);
        return cr.jumpLinear ? this.#walkFrom(cr.jumpFirst, p) : this.#walk(cr.jump!, p);
      case T.MARK: {
        const t = rule.target as { kind: 'MARK'; value: number; mask: number };
        p.mark = ((p.mark & ~t.mask) ^ t.value) >>> 0;
        if (steps) this.#step(cr, `MARK set 0x${p.mark.toString(16)}`);
        return -1;
      }
      case T.LOG:
      case T.NONE:
        if (steps) this.#step(cr, cr.t === T.LOG ? 'LOG' : 'continue');
        return -1;
      case T.DNAT:
      case T.SNAT:
      case T.MASQ:
        return this.#nat(cr, p);
    }
    return -1;
  }

  #step(cr: CompiledRule, verdict: string): void {
    this.#steps!.push({
      hook: this.#hook, table: this.#table, chain: cr.chainName, ruleNum: cr.num,
      ruleText: ruleSaveLine(cr.chainName, cr.rule), verdict,
    });
  }

  /** A NAT target on a connection's first packet: record the binding in the reply tuple. */
  #nat(cr: CompiledRule, p: NfPacket): number {
    const e = this.#env.entry;
    if (!e || this.#table !== 'nat') return V.ACCEPT;
    const reply = e.reply as Tuple;
    if (cr.t === T.DNAT) {
      // The range from the compiled rule: the same draws (address, then port) as pickAddr/pickPort on the target.
      const lo = cr.natAddrLo, hi = cr.natAddrHi;
      const addr = hi === lo ? lo : (lo + (this.#rng.nextUint32() % (hi - lo + 1))) >>> 0;
      const port = cr.natPortLo >= 0 ? pickPort(cr.natPortLo, cr.natPortHi, this.#rng) : reply.sport;
      reply.src = addr;
      reply.sport = port;
      e.dnat = true;
      this.#env.ctBits |= 64;
      if (this.#steps) this.#step(cr, `DNAT ${formatIpv4(e.orig.dst)}:${e.orig.dport} -> ${formatIpv4(addr)}:${port}`);
      return V.ACCEPT;
    }
    const t = cr.rule.target;
    let addr: number;
    let lo: number | undefined, hi: number | undefined;
    let randomFully = false;
    if (t.kind === 'SNAT') {
      addr = pickAddr(t.to, this.#rng);
      lo = t.to.portLo;
      hi = t.to.portHi;
      randomFully = t.randomFully;
    } else if (t.kind === 'MASQUERADE') {
      const a = this.#env.ctx.ifaceAddress?.(p.outIface, p.dst);
      if (a === undefined) {
        this.#dropReason = `MASQUERADE: no IPv4 address on ${p.outIface}`;
        if (this.#steps) this.#step(cr, 'MASQUERADE (no address: drop)');
        return V.DROP;
      }
      addr = a;
      lo = t.ports?.lo;
      hi = t.ports?.hi;
      randomFully = t.randomFully;
    } else return V.ACCEPT;
    reply.dst = addr;
    if (e.proto === 6 || e.proto === 17) reply.dport = this.#snatPort(e, addr, lo, hi, randomFully);
    e.snat = true;
    this.#env.ctBits |= 32;
    if (this.#steps) this.#step(cr, `${t.kind} ${formatIpv4(e.orig.src)}:${e.orig.sport} -> ${formatIpv4(addr)}:${reply.dport}`);
    return V.ACCEPT;
  }

  /** A source port that keeps the reply tuple unique (the original one when free, unless --random-fully). */
  #snatPort(e: CtEntry, addr: number, lo: number | undefined, hi: number | undefined, randomFully: boolean): number {
    const reply = e.reply;
    const min = lo ?? 1024, max = hi ?? 65535;
    const ct = this.conntrack;
    const free = (port: number) => !ct.inUse(e.proto, reply.src, addr, reply.sport, port);
    const orig = e.orig.sport;
    if (!randomFully && (lo === undefined || (orig >= min && orig <= max)) && free(orig)) return orig;
    const span = max - min + 1;
    let port = min + (this.#rng.nextUint32() % span);
    for (let n = 0; n < span; n++) {
      if (free(port)) return port;
      port = port === max ? min : port + 1;
    }
    return port;
  }
}

/**
 * A packet's ctstate as a ctstate bit (`ctInfoName`), plus its connection's NAT bits (INVALID_CONN has none), from
 * its attachment (`NfPacket.nfct`, `NfPacket.ctinfo`).
 */
function ctBitsOf(e: CtConnection, info: number): number {
  const f = e.flags;
  const b = info < CTINFO.RELATED ? ((info & CTINFO.REPLY) !== 0 || (f & CTF.SEEN_REPLY) !== 0 ? CT.ESTABLISHED : CT.NEW)
    : info < CTINFO.INVALID ? CT.RELATED : CT.INVALID;
  // The connection's NAT flags are the ctstate bits CT_SNAT and CT_DNAT.
  return b | (f & (CTF.SNAT | CTF.DNAT));
}

/** The hook result's view of a traced packet's attachment. */
function attachmentView(e: CtConnection, info: number, now: number): NfConntrackView {
  return { line: info >= CTINFO.INVALID ? '' : formatEntry(e, now), state: ctInfoName(e, info) };
}


/** Rewrite the packet from its connection's NAT bindings (nf_nat_packet), including ICMP errors' quoted header. */
function applyNat(e: CtEntry, dir: number, dstManip: boolean, p: NfPacket, related: boolean): void {
  // The connection's NAT flags, in one load: most connections have none.
  const f = e.flags;
  if ((f & CTF.NAT) === 0) return;
  // The destination of an original packet is DNAT's, of a reply SNAT's (undone); the source the other way round.
  // The packet takes the address and port the other direction's tuple expects to see: its source's for the
  // destination, its destination's for the source. Written as one case: TurboFan inlines applyNat into the hooks
  // only while it stays small.
  const original = dir === DIR.ORIGINAL;
  if ((f & (dstManip === original ? CTF.DNAT : CTF.SNAT)) !== 0) {
    // The other direction's tuple, read packed as the connection stores it (CtConnection): each accessor inlined
    // here would count against the same budget.
    const c = e as CtConnection;
    const proto = c.proto;
    const ports = !related && (proto === 6 || proto === 17);
    const tports = original ? c.rports : c.ports;
    if (dstManip === true) {
      p.dst = (original ? c.rsaddr : c.saddr) >>> 0;
      if (ports) p.dport = tports >>> 16;
    } else {
      p.src = (original ? c.rdaddr : c.daddr) >>> 0;
      if (ports) p.sport = tports & 0xffff;
    }
  }
  if (related) applyNatToQuote(e, dir, dstManip, p);
}

/**
 * An ICMP error's quoted header, rewritten with its connection's bindings (a RELATED packet's, when it is an ICMP
 * error quoting a header). Apart from `applyNat`, which every packet of a NATed connection runs: kept there, this
 * rare part and its tests made applyNat too big to inline into the hooks.
 */
function applyNatToQuote(e: CtEntry, dir: number, dstManip: boolean, p: NfPacket): void {
  if (p.proto !== IPPROTO.ICMP || !p.embedded) return;
  // The quoted header is a packet of the other direction: show it as the receiver knows it.
  const q = dir === DIR.REPLY ? e.orig : e.reply;
  const next = { ...p.embedded! };
  if (dstManip) {
    // the quoted packet's source is this packet's destination
    if (dir === DIR.REPLY ? e.snat : e.dnat) {
      next.src = q.src;
      next.sport = q.sport;
    }
  } else if (dir === DIR.REPLY ? e.dnat : e.snat) {
    next.dst = q.dst;
    next.dport = q.dport;
  }
  p.embedded = next;
}

function tupleText(p: NfPacket): string {
  return `${formatIpv4(p.src)}:${p.sport} > ${formatIpv4(p.dst)}:${p.dport}`;
}

function pickAddr(r: NatRange, rng: RandomSource): number {
  if (r.addrHi === r.addrLo) return r.addrLo;
  return (r.addrLo + (rng.nextUint32() % (r.addrHi - r.addrLo + 1))) >>> 0;
}

function pickPort(lo: number, hi: number, rng: RandomSource): number {
  return lo === hi ? lo : lo + (rng.nextUint32() % (hi - lo + 1));
}
