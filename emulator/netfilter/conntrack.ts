/**
 * Connection tracking: a map keyed by 5-tuple. Each connection has an original tuple (as its first packet was
 * seen) and a reply tuple (the ends swapped, with NAT reflected: a DNAT rewrites the reply's source, a SNAT its
 * destination), so a reply packet finds its connection by its own tuple and NAT can be undone. NAT is decided
 * once, on the first packet; a connection enters the table only when that packet is accepted (confirm).
 * Timeouts are on the virtual clock and expire lazily (on lookup and listing), as the kernel's GC would.
 */
import { Emitter, type Disposable } from '../core/events';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type NfPacket } from './hook-api';
import { formatIpv4 } from './ip';
import { tupleHash } from '../net/hash-chains';

export type TcpState =
  | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT' | 'CLOSE_WAIT' | 'LAST_ACK' | 'TIME_WAIT' | 'CLOSE';

/** Seconds. Linux defaults (nf_conntrack_tcp_timeout_*, nf_conntrack_udp_timeout*, icmp). */
export interface ConntrackTimeouts {
  tcp: Record<TcpState, number>;
  udp: number;
  udpStream: number;
  icmp: number;
  generic: number;
}

export function defaultTimeouts(): ConntrackTimeouts {
  return {
    tcp: {
      SYN_SENT: 120, SYN_RECV: 60, ESTABLISHED: 432000, FIN_WAIT: 120, CLOSE_WAIT: 60, LAST_ACK: 30,
      TIME_WAIT: 120, CLOSE: 10,
    },
    udp: 30,
    udpStream: 120,
    icmp: 30,
    generic: 600,
  };
}

export interface Tuple {
  src: number;
  dst: number;
  sport: number;
  dport: number;
}

export const DIR_ORIGINAL = 0;
export const DIR_REPLY = 1;

export interface CtEntry {
  readonly proto: number;
  /** The original-direction tuple (in the table, the direction's `CtRef`: a ref carries its own tuple). */
  readonly orig: Tuple;
  /** Fixed once confirmed; before that NAT may still rewrite it. */
  readonly reply: Tuple;
  readonly tcpState: TcpState | undefined;
  /** Virtual ms at which the entry expires. */
  expires: number;
  readonly created: number;
  seenReply: boolean;
  assured: boolean;
  confirmed: boolean;
  /** Deleted from the table (expired, `conntrack -D`, or replaced by a reopening SYN). */
  removed: boolean;
  /** Connection mark (ctmark), distinct from the packet mark. */
  mark: number;
  /** NAT bindings decided on the first packet (the reply tuple reflects them). */
  dnat: boolean;
  snat: boolean;
  /** Whether the nat table was consulted for the DST/SRC manipulation. */
  dstManipDone: boolean;
  srcManipDone: boolean;
  /**
   * The boolean fields above as bits (CTF_*), what the per-packet paths read: one load answers "is it NATed?" or
   * "first packet, nat not consulted yet?" (see `Connection`).
   */
  flags: number;
}

/**
 * `CtEntry.flags`. CTF_SNAT and CTF_DNAT are the ctstate match's SNAT and DNAT bits (interpreter.ts CT_BIT), so
 * the packet's ctstate bits take them with one mask.
 */
export const CTF_CONFIRMED = 1, CTF_SEEN_REPLY = 2, CTF_ASSURED = 4, CTF_DST_MANIP_DONE = 8, CTF_SRC_MANIP_DONE = 16,
  CTF_SNAT = 32, CTF_DNAT = 64, CTF_REMOVED = 128, CTF_IN_RING = 256;
/** Where `flags` keeps a connection's TCP state (TCP_NONE ... TCP_CLOSE), above the CTF_* bits. */
const CTF_TCP_SHIFT = 9, CTF_TCP = 0xf << CTF_TCP_SHIFT;
/** The connection's ctmark is not 0: it is in CT_MARKS (see `Connection.mark`). */
const CTF_MARKED = 1 << 13;

/**
 * The ctmark of connections whose mark is not 0. Nothing in the lab sets one yet (no CONNMARK target; `conntrack
 * -L` prints mark=0, `-m` filters on it): a field of its own was 8 bytes of every connection for a value that is
 * always 0, in an object that lives 30-120 s of virtual time (see `Connection`). A weak map: a removed connection
 * takes its mark with it.
 */
const CT_MARKS = new WeakMap<CtEntry, number>();

/**
 * A packet's conntrack attachment (`NfPacket.nfct`), a hash-chain node of the table, and the tuple of its
 * direction (`entry.orig` / `entry.reply` are the refs themselves, so a lookup compares the node it is on). The
 * original direction's ref is the connection itself (`Connection` extends this class) and the reply direction's
 * is a `CtRef` made with it, so tracking a packet allocates nothing and a connection is two objects; RELATED and
 * INVALID packets get their own small refs. The hash chains hold both classes: the fields a lookup and the hooks
 * read are this class's, at the same places in both, so optimized code reads them with one load after a check of
 * either map.
 */
export class CtRef implements Tuple {
  // Declared and assigned in the constructor in this order (see `Connection`). A connection's two refs live as
  // long as it does (see there): the tuple is packed as the kernel's nf_conntrack_tuple packs it, into small
  // integers, and read through the accessors below.
  declare next: CtRef | undefined;
  /**
   * The addresses as signed 32-bit integers (`src`, `dst` give them unsigned): always small integers to V8. An
   * address from 128.0.0.0 up is a heap number as an unsigned value, and once a field of a class has held one,
   * V8 gives that field of every later object its own boxed double: 16 bytes more per address of every
   * connection, for the rest of its life.
   */
  declare saddr: number;
  declare daddr: number;
  /** `sport << 16 | dport` (a signed 32-bit integer): the ports in one field. */
  declare ports: number;
  /** `proto | dir << 8 | special << 9` (REF_DIR, REF_SPECIAL_SHIFT): what the ref is, in one field. */
  declare readonly meta: number;
  /** The connection (the ref itself for the original direction); undefined for the table's INVALID ref. */
  declare entry: CtEntry | undefined;

  constructor(entry: CtEntry | undefined, dir: number, special: number, proto: number,
    src: number, dst: number, sport: number, dport: number) {
    this.next = undefined;
    this.saddr = src | 0;
    this.daddr = dst | 0;
    this.ports = (sport << 16) | dport;
    this.meta = proto | (dir << 8) | (special << REF_SPECIAL_SHIFT);
    this.entry = entry;
  }

  get src(): number { return this.saddr >>> 0; }
  set src(a: number) { this.saddr = a | 0; }
  get dst(): number { return this.daddr >>> 0; }
  set dst(a: number) { this.daddr = a | 0; }
  get sport(): number { return this.ports >>> 16; }
  set sport(port: number) { this.ports = (port << 16) | (this.ports & 0xffff); }
  get dport(): number { return this.ports & 0xffff; }
  set dport(port: number) { this.ports = (this.ports & ~0xffff) | port; }
  /** The connection's protocol (`entry.proto`), on the node a lookup is already reading. */
  get proto(): number { return this.meta & 0xff; }
  /** DIR_ORIGINAL or DIR_REPLY. */
  get dir(): number { return (this.meta >> 8) & 1; }
  /** 0 = derive NEW/ESTABLISHED from the entry, 1 = RELATED, 2 = INVALID. */
  get special(): number { return this.meta >> REF_SPECIAL_SHIFT; }
}

/**
 * `CtRef.meta`: the direction's bit and where the kind of ref (`special`) starts. A hook reads a ref's `meta` once
 * and tests it against these (below REF_RELATED: a connection's own ref; from REF_INVALID: INVALID) instead of
 * reading `dir` and `special`: each read of a ref's field checks its map against both ref classes.
 */
export const REF_DIR = 0x100, REF_SPECIAL_SHIFT = 9, REF_RELATED = 1 << REF_SPECIAL_SHIFT,
  REF_INVALID = 2 << REF_SPECIAL_SHIFT;

/**
 * A connection as the table keeps it: the `CtEntry` fields plus its place in the garbage collector's ring (see
 * `ConntrackTable`), and the hash-chain node and tuple of its original direction (it is its own `orig` ref). A
 * connection lives 120 s of virtual time after its last packet (TIME_WAIT), 30 s for UDP: every young-generation
 * collection it survives copies it and every full one marks it, so each field and object costs on each of them.
 * Hence nine booleans as bits of one field (`flags`, read through accessors by everything that is not per
 * packet), the TCP state's name derived from its number, the ctmark (always 0 so far) kept aside (CT_MARKS), and
 * no per-direction packet and byte counts (nothing reads them: Linux keeps them only with nf_conntrack_acct=1,
 * and `conntrack -L` here prints none). The fields
 * the collector reads on an old, uncached entry (`flags` for removed, `expires`, the ring links) come first after
 * the ref's.
 */
class Connection extends CtRef implements CtEntry {
  // Fields are declared and assigned in the constructor, in this order: a class field without an initializer would
  // be defined as undefined first.
  /**
   * The CtEntry booleans as CTF_* bits, and above them (CTF_TCP) the TCP state as a number (TCP_NONE ...
   * TCP_CLOSE), what the state machine compares: a state name is a string load that optimized code checks is
   * internalized before every compare; `tcpState` names it for the readers of `CtEntry`. The state is kept in this
   * field rather than one of its own because a connection lives long (see above): 8 bytes of every one.
   */
  declare flags: number;
  /**
   * Virtual ms at which the entry expires, as the two 32-bit halves of the double (see `timeBits`): `expires`
   * reads and writes it. A fractional virtual time held in a field is a heap number of its own (16 bytes, one more
   * object for every collection to copy, promote and mark, for the connection's whole life); two small integers
   * are stored in the object.
   */
  declare expiresHi: number;
  declare expiresLo: number;
  /** The GC ring's neighbours (meaningful while in the ring). */
  declare gcNext: Connection;
  declare gcPrev: Connection;
  /** The reply direction's table entry; also what a reply packet carries as its conntrack attachment. */
  declare reply: CtRef;
  /** Virtual ms of the first packet, as `expiresHi`/`expiresLo` are (read through `created`). */
  declare createdHi: number;
  declare createdLo: number;

  constructor(proto: number, src: number, dst: number, sport: number, dport: number, tcp: number,
    now: number, expires: number) {
    super(undefined, DIR_ORIGINAL, 0, proto, src, dst, sport, dport);
    this.entry = this;
    this.flags = tcp << CTF_TCP_SHIFT;
    TIME_BITS[0] = expires;
    this.expiresHi = TIME_HALVES[1]!;
    this.expiresLo = TIME_HALVES[0]!;
    this.gcNext = undefined!;
    this.gcPrev = undefined!;
    this.reply = new CtRef(this, DIR_REPLY, 0, proto, dst, src, dport, sport);
    TIME_BITS[0] = now;
    this.createdHi = TIME_HALVES[1]!;
    this.createdLo = TIME_HALVES[0]!;
  }

  /** The original direction's tuple and table entry: the connection itself. */
  get orig(): CtRef { return this; }
  get tcpState(): TcpState | undefined { return TCP_STATE_NAMES[(this.flags & CTF_TCP) >> CTF_TCP_SHIFT]; }
  get expires(): number { return expiresOf(this); }
  set expires(t: number) { setExpires(this, t); }
  /** The ctmark: 0 unless set, then kept in CT_MARKS (see there). */
  get mark(): number { return (this.flags & CTF_MARKED) !== 0 ? CT_MARKS.get(this)! : 0; }
  set mark(m: number) {
    if (m === 0) {
      this.flags &= ~CTF_MARKED;
      CT_MARKS.delete(this);
    } else {
      this.flags |= CTF_MARKED;
      CT_MARKS.set(this, m);
    }
  }
  get created(): number {
    TIME_HALVES[0] = this.createdLo;
    TIME_HALVES[1] = this.createdHi;
    return TIME_BITS[0]!;
  }

  get confirmed(): boolean { return (this.flags & CTF_CONFIRMED) !== 0; }
  set confirmed(v: boolean) { setFlag(this, CTF_CONFIRMED, v); }
  get seenReply(): boolean { return (this.flags & CTF_SEEN_REPLY) !== 0; }
  set seenReply(v: boolean) { setFlag(this, CTF_SEEN_REPLY, v); }
  get assured(): boolean { return (this.flags & CTF_ASSURED) !== 0; }
  set assured(v: boolean) { setFlag(this, CTF_ASSURED, v); }
  get removed(): boolean { return (this.flags & CTF_REMOVED) !== 0; }
  set removed(v: boolean) { setFlag(this, CTF_REMOVED, v); }
  get dnat(): boolean { return (this.flags & CTF_DNAT) !== 0; }
  set dnat(v: boolean) { setFlag(this, CTF_DNAT, v); }
  get snat(): boolean { return (this.flags & CTF_SNAT) !== 0; }
  set snat(v: boolean) { setFlag(this, CTF_SNAT, v); }
  get dstManipDone(): boolean { return (this.flags & CTF_DST_MANIP_DONE) !== 0; }
  set dstManipDone(v: boolean) { setFlag(this, CTF_DST_MANIP_DONE, v); }
  get srcManipDone(): boolean { return (this.flags & CTF_SRC_MANIP_DONE) !== 0; }
  set srcManipDone(v: boolean) { setFlag(this, CTF_SRC_MANIP_DONE, v); }

}

/**
 * A virtual time's 64 bits (an IEEE double), read as two 32-bit integers: how a connection stores its times
 * exactly without a heap number each (see `Connection.expiresHi`). Written and read through the same two views,
 * so the byte order does not matter.
 */
const TIME_BITS = new Float64Array(1);
const TIME_HALVES = new Int32Array(TIME_BITS.buffer);

function expiresOf(e: Connection): number {
  TIME_HALVES[0] = e.expiresLo;
  TIME_HALVES[1] = e.expiresHi;
  return TIME_BITS[0]!;
}

function setExpires(e: Connection, t: number): void {
  TIME_BITS[0] = t;
  e.expiresHi = TIME_HALVES[1]!;
  e.expiresLo = TIME_HALVES[0]!;
}

/**
 * Set or clear one of a connection's flags. A function rather than a private method: a class with private methods
 * gives each of its objects a field for the class's brand (8 bytes of every connection).
 */
function setFlag(e: Connection, bit: number, v: boolean): void {
  e.flags = v ? e.flags | bit : e.flags & ~bit;
}

// TCP states as numbers, in `TcpState` order (TCP_NONE: not a TCP connection); TCP_STATE_NAMES[n] names state n.
const TCP_NONE = 0, TCP_SYN_SENT = 1, TCP_SYN_RECV = 2, TCP_ESTABLISHED = 3, TCP_FIN_WAIT = 4, TCP_CLOSE_WAIT = 5,
  TCP_LAST_ACK = 6, TCP_TIME_WAIT = 7, TCP_CLOSE = 8;
const TCP_STATE_NAMES: readonly (TcpState | undefined)[] = [
  undefined, 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE',
];

export function refInfo(r: CtRef): CtInfo {
  if (r.special === 1) return 'RELATED';
  if (r.special === 2) return 'INVALID';
  return r.dir === DIR_REPLY || r.entry!.seenReply ? 'ESTABLISHED' : 'NEW';
}

export type CtEventType = 'NEW' | 'UPDATE' | 'DESTROY';

export interface CtEvent {
  readonly type: CtEventType;
  /** The `conntrack -E` line: tag right-aligned in 9 columns, no mark/use. */
  readonly line: string;
  readonly entry: CtEntry;
}

export function protoName(p: number): string {
  return p === IPPROTO_TCP ? 'tcp' : p === IPPROTO_UDP ? 'udp' : p === IPPROTO_ICMP ? 'icmp' : 'unknown';
}

function tupleText(proto: number, t: Tuple): string {
  const base = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`;
  if (proto === IPPROTO_ICMP) return `${base} type=8 code=0 id=${t.sport}`;
  if (proto === IPPROTO_TCP || proto === IPPROTO_UDP) return `${base} sport=${t.sport} dport=${t.dport}`;
  return base;
}

function replyIcmpText(t: Tuple): string {
  return `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)} type=0 code=0 id=${t.sport}`;
}

/** A `conntrack -L` line (`withCounters=false`, `event=true` gives the `-E` form without mark/use). */
export function formatEntry(e: CtEntry, now: number, opts: { event?: boolean; extended?: boolean } = {}): string {
  const remaining = Math.max(0, Math.floor((e.expires - now) / 1000));
  let s = opts.extended ? `${'ipv4'.padEnd(8, ' ')} 2 ` : '';
  s += `${protoName(e.proto).padEnd(8, ' ')} ${e.proto} ${remaining} `;
  if (e.tcpState) s += `${e.tcpState} `;
  s += tupleText(e.proto, e.orig);
  if (!e.seenReply) s += ' [UNREPLIED]';
  s += ` ${e.proto === IPPROTO_ICMP ? replyIcmpText(e.reply) : tupleText(e.proto, e.reply)}`;
  if (e.assured) s += ' [ASSURED]';
  if (!opts.event) s += ` mark=${e.mark} use=1`;
  return s;
}

export function formatEvent(type: CtEventType, e: CtEntry, now: number): string {
  return `${`[${type}]`.padStart(9, ' ')} ${formatEntry(e, now, { event: true })}`;
}

/** The packet's relation to its connection, as the ctstate match sees it. */
export type CtInfo = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';

export interface ConntrackOptions {
  readonly timeouts?: ConntrackTimeouts;
}

/**
 * The bucket count of a table's first allocation: nf_conntrack_buckets of a machine with 1-4 GB of memory (the
 * kernel: memory / 16384 / pointer size, 65,536 from 1 GB, 262,144 above 4 GB). Allocated once instead of grown
 * from 256 by rehashing every ref each time (four times on the way to 65,536 refs).
 */
const CT_BUCKETS = 65536;

export class ConntrackTable {
  readonly timeouts: ConntrackTimeouts;
  /**
   * Both directions' tuples of every confirmed connection: a power-of-two bucket array indexed by the tuple hash,
   * collisions chained through `CtRef.next` (an array slot, not a Map probe, per packet). Sized as the kernel
   * sizes nf_conntrack_buckets (CT_BUCKETS) when the first connection is confirmed: until then one empty bucket
   * (mask 0, so a lookup needs no test), and a namespace that never tracks costs nothing. Grows only past one
   * ref per bucket (the kernel's table does not grow at all; its chains get longer).
   */
  #buckets: (CtRef | undefined)[] = new Array<CtRef | undefined>(1).fill(undefined);
  #mask = 0;
  /** Refs the bucket array holds before it grows (0: not allocated yet). */
  #capacity = 0;
  /** Refs linked (two per confirmed connection). */
  #linked = 0;
  /**
   * The garbage collector's ring: every confirmed entry, oldest first from `#gcHead` (what `conntrack -L` walks),
   * plus removed entries the collector has not reached yet. A new connection is appended (just before the head),
   * then the collector looks at three entries from the head, as the kernel's GC worker scans a few per new
   * connection: a removed one leaves the ring, an expired one is removed and leaves it, a live one stays and the
   * head moves past it (so it is now the last). Nothing is copied and no entry is read twice per look.
   * `#qHead`/`#qLength` count what an array queue doing the same (pop the head, push back live entries) would
   * hold: compaction, which drops the removed entries the collector has not reached, runs when that queue's head
   * passes half its length, so the collector's looks fall on the same entries in the same order.
   */
  #gcHead: Connection | undefined = undefined;
  #ringSize = 0;
  #qHead = 0;
  #qLength = 0;
  /** Entries removed while still in the ring (compaction drops those the collector has not passed). */
  #removedInRing: Connection[] = [];
  #live = 0;
  readonly #invalid: CtRef = new CtRef(undefined, 0, 2, 0, 0, 0, 0, 0);
  readonly #events = new Emitter<CtEvent>();
  readonly onEvent: (listener: (e: CtEvent) => void) => Disposable = this.#events.event;
  /**
   * Virtual ms of the packet (or command) being processed: the netfilter hook sets it once per packet, every
   * method that takes a `now` sets it, and the table's internals read it here. A fractional number passed to a
   * call that is not inlined is boxed (a heap allocation per call, and V8 boxes it once up front on the path that
   * may need it), a number field is updated in place.
   */
  now = 0;

  constructor(opts: ConntrackOptions = {}) {
    this.timeouts = opts.timeouts ?? defaultTimeouts();
  }

  get size(): number {
    return this.#live;
  }

  /** Live entries (expired ones are removed first), in the collector's order. */
  list(now: number): CtEntry[] {
    this.sweep(now);
    this.#compact();
    const out: CtEntry[] = [];
    let e = this.#gcHead;
    for (let n = this.#ringSize; n > 0; n--) {
      out.push(e!);
      e = e!.gcNext;
    }
    return out;
  }

  sweep(now: number): void {
    this.now = now;
    let e = this.#gcHead;
    for (let n = this.#ringSize; n > 0; n--) {
      const c = e!;
      e = c.gcNext;
      if ((c.flags & CTF_REMOVED) === 0 && expiresOf(c) <= now) this.#remove(c);
    }
  }

  delete(e: CtEntry, now: number): void {
    this.now = now;
    if (e.confirmed && !e.removed) this.#remove(e as Connection);
  }

  flush(now: number): number {
    const n = this.#live;
    for (const e of this.list(now)) this.#remove(e as Connection);
    return n;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The index

  #lookup(proto: number, src: number, dst: number, sport: number, dport: number): CtRef | undefined {
    let r = this.#buckets[tupleHash(proto, src, dst, sport, dport) & this.#mask];
    const saddr = src | 0, daddr = dst | 0, ports = (sport << 16) | dport;
    while (r !== undefined) {
      // A linked ref is a connection's (special 0): its meta is its protocol and direction.
      if (r.saddr === saddr && r.daddr === daddr && r.ports === ports && (r.meta & ~REF_DIR) === proto) return r;
      r = r.next;
    }
    return undefined;
  }

  #link(r: CtRef): void {
    if (++this.#linked > this.#capacity) this.#grow();
    const i = refHash(r) & this.#mask;
    r.next = this.#buckets[i];
    this.#buckets[i] = r;
  }

  #unlink(r: CtRef): void {
    this.#linked--;
    const i = refHash(r) & this.#mask;
    let cur = this.#buckets[i];
    if (cur === r) this.#buckets[i] = r.next;
    else {
      while (cur !== undefined && cur.next !== r) cur = cur.next;
      if (cur !== undefined) cur.next = r.next;
    }
    r.next = undefined;
  }

  /**
   * Allocate the bucket array on the first link (CT_BUCKETS), then grow it fourfold (a table that keeps growing rehashes a third as often as doubling would, and
   * chains stay shorter). Old bucket b splits into b + k × old size (k = 0..3); each ref is appended in its old
   * order, so refs with equal tuples keep their order and a lookup finds the same one as before.
   */
  #grow(): void {
    if (this.#capacity === 0) {
      this.#buckets = new Array<CtRef | undefined>(CT_BUCKETS).fill(undefined);
      this.#mask = CT_BUCKETS - 1;
      this.#capacity = CT_BUCKETS;
      return;
    }
    const old = this.#buckets;
    const oldSize = old.length;
    const size = oldSize * 4;
    const buckets = new Array<CtRef | undefined>(size).fill(undefined);
    const mask = size - 1;
    const shift = 31 - Math.clz32(oldSize);
    const tails: (CtRef | undefined)[] = [undefined, undefined, undefined, undefined];
    for (let b = 0; b < oldSize; b++) {
      let r = old[b];
      if (r === undefined) continue;
      tails[0] = tails[1] = tails[2] = tails[3] = undefined;
      while (r !== undefined) {
        const next: CtRef | undefined = r.next;
        r.next = undefined;
        const i = refHash(r) & mask;
        const k = i >>> shift;
        const tail = tails[k];
        if (tail === undefined) buckets[i] = r;
        else tail.next = r;
        tails[k] = r;
        r = next;
      }
    }
    this.#buckets = buckets;
    this.#mask = mask;
    this.#capacity = size;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The garbage collector's ring

  #ringAppend(e: Connection): void {
    const head = this.#gcHead;
    if (head === undefined) {
      e.gcNext = e;
      e.gcPrev = e;
      this.#gcHead = e;
    } else {
      const last = head.gcPrev;
      last.gcNext = e;
      e.gcPrev = last;
      e.gcNext = head;
      head.gcPrev = e;
    }
    e.flags |= CTF_IN_RING;
    this.#ringSize++;
  }

  #ringDrop(e: Connection): void {
    e.flags &= ~CTF_IN_RING;
    if (--this.#ringSize === 0) this.#gcHead = undefined;
    else {
      const prev = e.gcPrev, next = e.gcNext;
      prev.gcNext = next;
      next.gcPrev = prev;
      if (this.#gcHead === e) this.#gcHead = next;
    }
    // A removed entry may live on (a packet's attachment): it keeps no neighbours alive.
    e.gcNext = undefined!;
    e.gcPrev = undefined!;
  }

  /** Incremental garbage collection: a few entries per new connection, oldest first, as the kernel's GC worker. */
  #gcStep(): void {
    const now = this.now;
    for (let n = 0; n < 3 && this.#ringSize > 0; n++) {
      const e = this.#gcHead!;
      this.#qHead++;
      if ((e.flags & CTF_REMOVED) !== 0) this.#ringDrop(e);
      else if (expiresOf(e) <= now) {
        this.#ringDrop(e);
        this.#remove(e);
      } else {
        this.#gcHead = e.gcNext;
        this.#qLength++;
      }
    }
    if (this.#qHead > 4096 && this.#qHead * 2 > this.#qLength) this.#compact();
  }

  #compact(): void {
    const removed = this.#removedInRing;
    for (let i = 0; i < removed.length; i++) {
      const e = removed[i]!;
      if ((e.flags & CTF_IN_RING) !== 0) this.#ringDrop(e);
    }
    removed.length = 0;
    this.#qHead = 0;
    this.#qLength = this.#ringSize;
  }

  #remove(e: Connection): void {
    const f = e.flags;
    if ((f & (CTF_REMOVED | CTF_CONFIRMED)) !== CTF_CONFIRMED) return;
    e.flags = f | CTF_REMOVED;
    this.#live--;
    this.#unlink(e.orig);
    this.#unlink(e.reply);
    if ((f & CTF_IN_RING) !== 0) this.#removedInRing.push(e);
    if (this.#events.size > 0) this.#events.fire({ type: 'DESTROY', line: formatEvent('DESTROY', e, this.now), entry: e });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Packets

  /** Find a confirmed connection by one of its tuples. */
  find(proto: number, t: Tuple, now: number): CtRef | undefined {
    this.now = now;
    const hit = this.#lookup(proto, t.src, t.dst, t.sport, t.dport);
    if (!hit) return undefined;
    const e = hit.entry as Connection;
    if (expiresOf(e) <= now) {
      this.#remove(e);
      return undefined;
    }
    return hit;
  }

  /** Is `t` already some connection's tuple (used to pick a free SNAT port)? */
  tupleInUse(proto: number, t: Tuple): boolean {
    return this.#lookup(proto, t.src, t.dst, t.sport, t.dport) !== undefined;
  }

  /** `tupleInUse` without the tuple object (the SNAT port search probes many ports). */
  inUse(proto: number, src: number, dst: number, sport: number, dport: number): boolean {
    return this.#lookup(proto, src, dst, sport, dport) !== undefined;
  }

  /**
   * nf_conntrack_in: find or create the packet's connection and update its protocol state; returns the packet's
   * attachment. A new connection is not in the table until `confirm`. Without `now`, at `this.now`.
   */
  track(pkt: NfPacket, now?: number): CtRef {
    if (now !== undefined) this.now = now;
    const proto = pkt.proto;
    // ICMP (errors, echo ids as both ports) and the TCP reopening apart: TurboFan inlines track into the hooks, with
    // the nat step and applyNat, only while all of them fit its inlining budget together.
    if (proto === IPPROTO_ICMP) return this.#trackIcmp(pkt);
    return this.#trackTuple(pkt, proto, pkt.sport, pkt.dport);
  }

  #trackIcmp(pkt: NfPacket): CtRef {
    if (pkt.embedded !== undefined && isIcmpError(pkt.icmpType)) return this.#trackError(pkt);
    return this.#trackTuple(pkt, IPPROTO_ICMP, pkt.sport, pkt.sport);
  }

  #trackTuple(pkt: NfPacket, proto: number, sport: number, dport: number): CtRef {
    const hit = this.#lookup(proto, pkt.src, pkt.dst, sport, dport);
    if (hit !== undefined) {
      const e = hit.entry as Connection;
      if (expiresOf(e) > this.now) return this.#update(e, hit, pkt);
      this.#remove(e);
    }
    return this.#create(pkt, sport, dport);
  }

  /**
   * An ICMP error: RELATED to the connection of the packet it quotes. Apart from `track`, which TurboFan inlines
   * into the hooks only while it stays small.
   */
  #trackError(pkt: NfPacket): CtRef {
    const em = pkt.embedded!;
    // The error travels opposite to the packet it quotes: look up the quoted tuple reversed.
    const hit = this.find(em.proto, { src: em.dst, dst: em.src, sport: em.dport, dport: em.sport }, this.now);
    return hit ? new CtRef(hit.entry, hit.dir, 1, hit.proto, hit.src, hit.dst, hit.sport, hit.dport) : this.#invalid;
  }

  #create(pkt: NfPacket, sport: number, dport: number): CtRef {
    const now = this.now;
    const proto = pkt.proto;
    let tcp = TCP_NONE;
    let timeout: number;
    if (proto === IPPROTO_TCP) {
      const f = pkt.tcpFlags;
      if (f & TCP_RST) return this.#invalid;
      if ((f & (TCP_SYN | TCP_ACK)) === TCP_SYN) tcp = TCP_SYN_SENT;
      else if ((f & (TCP_SYN | TCP_FIN)) === 0 && f & TCP_ACK) tcp = TCP_ESTABLISHED; // nf_conntrack_tcp_loose pick-up
      else return this.#invalid;
      timeout = tcpTimeout(this.timeouts.tcp, tcp);
    } else if (proto === IPPROTO_UDP) timeout = this.timeouts.udp;
    else if (proto === IPPROTO_ICMP) {
      if (pkt.icmpType !== 8) return this.#invalid;
      timeout = this.timeouts.icmp;
    } else timeout = this.timeouts.generic;
    return new Connection(proto, pkt.src, pkt.dst, sport, dport, tcp, now, now + timeout * 1000);
  }

  /** Insert a new connection once its first packet was accepted (at `now`, else at `this.now`). */
  confirm(entry: CtEntry, now?: number): void {
    if (now !== undefined) this.now = now;
    const e = entry as Connection;
    if ((e.flags & CTF_CONFIRMED) !== 0) return;
    e.flags |= CTF_CONFIRMED;
    this.#link(e.orig);
    this.#link(e.reply);
    this.#ringAppend(e);
    this.#qLength++;
    this.#live++;
    if (this.#events.size > 0) this.#events.fire({ type: 'NEW', line: formatEvent('NEW', e, this.now), entry: e });
    this.#gcStep();
  }

  /**
   * Protocol state machine for a packet of an existing connection (found by `hit`): the packet's attachment,
   * which is `hit`, the INVALID ref, or a new connection when a SYN reopens a closed one's tuple.
   */
  #update(e: Connection, hit: CtRef, pkt: NfPacket): CtRef {
    const now = this.now;
    const dir = (hit.meta >> 8) & 1;
    const flagsBefore = e.flags;
    const before = (flagsBefore & CTF_TCP) >> CTF_TCP_SHIFT;
    if (before >= TCP_TIME_WAIT && dir === DIR_ORIGINAL && (pkt.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // A new SYN on a closed connection's tuple (only TCP connections have a state) reopens it as a new
      // connection (tcp_packet's sTW/sCL → sSS).
      this.#remove(e);
      return this.#create(pkt, pkt.sport, pkt.dport);
    }
    // The new flags (TCP state included) and the timeout are found here and stored once each.
    let flags = dir === DIR_REPLY ? flagsBefore | CTF_SEEN_REPLY : flagsBefore;
    const proto = e.meta & 0xff;
    let timeout: number;
    if (proto === IPPROTO_TCP) {
      const f = pkt.tcpFlags;
      const s = before;
      let next = s;
      if (f & TCP_RST) next = TCP_CLOSE;
      else if (f & TCP_SYN) {
        if (dir === DIR_REPLY && f & TCP_ACK && (s === TCP_SYN_SENT || s === TCP_SYN_RECV)) next = TCP_SYN_RECV;
        else if (dir === DIR_ORIGINAL && !(f & TCP_ACK) && s === TCP_SYN_SENT) next = TCP_SYN_SENT;
        else if (s !== TCP_ESTABLISHED) {
          // INVALID: the reply seen is still recorded.
          e.flags = flags;
          return this.#invalid;
        }
      } else if (f & TCP_FIN) {
        if (s === TCP_ESTABLISHED || s === TCP_SYN_RECV) next = TCP_FIN_WAIT;
        else if (s === TCP_FIN_WAIT || s === TCP_CLOSE_WAIT) next = TCP_LAST_ACK;
      } else if (f & TCP_ACK) {
        if (s === TCP_SYN_RECV && dir === DIR_ORIGINAL) next = TCP_ESTABLISHED;
        else if (s === TCP_FIN_WAIT && dir === DIR_REPLY) next = TCP_CLOSE_WAIT;
        else if (s === TCP_LAST_ACK) next = TCP_TIME_WAIT;
      }
      if (next !== s) {
        flags = (flags & ~CTF_TCP) | (next << CTF_TCP_SHIFT);
        if (next === TCP_ESTABLISHED && s === TCP_SYN_RECV) flags |= CTF_ASSURED;
      }
      timeout = tcpTimeout(this.timeouts.tcp, next);
    } else if (proto === IPPROTO_UDP) {
      if ((flags & CTF_SEEN_REPLY) !== 0 && now - e.created > 2000) {
        // Still active after two seconds with traffic both ways: a stream (udp_timeout_stream, ASSURED).
        timeout = this.timeouts.udpStream;
        flags |= CTF_ASSURED;
      } else timeout = this.timeouts.udp;
    } else timeout = proto === IPPROTO_ICMP ? this.timeouts.icmp : this.timeouts.generic;
    // One write of the time for every protocol: each inlined copy of the typed-array writes is code of its own.
    setExpires(e, now + timeout * 1000);
    e.flags = flags;
    const changed = flagsBefore ^ flags;
    if (this.#events.size > 0 && (flagsBefore & CTF_CONFIRMED) !== 0 && ((changed & (CTF_TCP | CTF_ASSURED)) !== 0 ||
        ((changed & CTF_SEEN_REPLY) !== 0 && proto !== IPPROTO_TCP))) {
      this.#events.fire({ type: 'UPDATE', line: formatEvent('UPDATE', e, now), entry: e });
    }
    return hit;
  }
}

/**
 * The hash of a ref's tuple, found again when it is unlinked or rehashed rather than kept on every ref: a linked
 * ref's tuple does not change (NAT rewrites the reply tuple only before the connection is confirmed).
 */
function refHash(r: CtRef): number {
  return tupleHash(r.meta & 0xff, r.saddr, r.daddr, r.ports >>> 16, r.ports & 0xffff);
}

/** `timeouts[state]` as named reads (a keyed read by a varying state name is a megamorphic lookup per packet). */
function tcpTimeout(t: Record<TcpState, number>, s: number): number {
  switch (s) {
    case TCP_ESTABLISHED: return t.ESTABLISHED;
    case TCP_SYN_SENT: return t.SYN_SENT;
    case TCP_SYN_RECV: return t.SYN_RECV;
    case TCP_FIN_WAIT: return t.FIN_WAIT;
    case TCP_CLOSE_WAIT: return t.CLOSE_WAIT;
    case TCP_LAST_ACK: return t.LAST_ACK;
    case TCP_TIME_WAIT: return t.TIME_WAIT;
    default: return t.CLOSE;
  }
}

export function isIcmpError(type: number): boolean {
  return type === 3 || type === 11 || type === 12 || type === 4 || type === 5;
}

/** `conntrack -L` filters. */
export interface CtFilter {
  proto?: number;
  origSrc?: number;
  origDst?: number;
  replySrc?: number;
  replyDst?: number;
  sport?: number;
  dport?: number;
  state?: TcpState;
  srcNat?: boolean;
  dstNat?: boolean;
  mark?: number;
}

export function matchesFilter(e: CtEntry, f: CtFilter): boolean {
  if (f.proto !== undefined && e.proto !== f.proto) return false;
  if (f.origSrc !== undefined && e.orig.src !== f.origSrc) return false;
  if (f.origDst !== undefined && e.orig.dst !== f.origDst) return false;
  if (f.replySrc !== undefined && e.reply.src !== f.replySrc) return false;
  if (f.replyDst !== undefined && e.reply.dst !== f.replyDst) return false;
  if (f.sport !== undefined && e.orig.sport !== f.sport) return false;
  if (f.dport !== undefined && e.orig.dport !== f.dport) return false;
  if (f.state !== undefined && e.tcpState !== f.state) return false;
  if (f.srcNat && !e.snat) return false;
  if (f.dstNat && !e.dnat) return false;
  if (f.mark !== undefined && e.mark !== f.mark) return false;
  return true;
}
