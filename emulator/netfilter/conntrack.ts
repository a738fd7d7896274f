/**
 * Connection tracking: a map keyed by 5-tuple. Each connection has an original tuple (as its first packet was
 * seen) and a reply tuple (the ends swapped, with NAT reflected: a DNAT rewrites the reply's source, a SNAT its
 * destination), so a reply packet finds its connection by its own tuple and NAT can be undone. NAT is decided
 * once, on the first packet; a connection enters the table only when that packet is accepted (confirm).
 * Timeouts are on the virtual clock and expire lazily (on lookup and listing), as the kernel's GC would.
 */
import { Emitter, type Disposable } from '../core/events';
import { IPPROTO, TCPHDR, type NfPacket } from './hook-api';
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

/**
 * A tuple's direction. Constants of the packet path are enum members: esbuild writes an enum member's value where it
 * is used, while a module-level `const` becomes a `var` of the bundle, which optimized code loads from the module's
 * context and checks for a small integer at every use (about four instructions each; #update used fifty).
 */
export const enum DIR { ORIGINAL = 0, REPLY = 1 }

export interface CtEntry {
  readonly proto: number;
  /** The original-direction tuple (in the table, the connection itself). */
  readonly orig: Tuple;
  /** Fixed once confirmed; before that NAT may still rewrite it. */
  readonly reply: Tuple;
  readonly tcpState: TcpState | undefined;
  /** Virtual ms at which the entry expires (the table's to change: it keeps a copy, see `ConntrackTable`). */
  readonly expires: number;
  readonly created: number;
  seenReply: boolean;
  assured: boolean;
  confirmed: boolean;
  /** Deleted from the table (expired, `conntrack -D`, or replaced by a reopening SYN). */
  readonly removed: boolean;
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
 * `CtEntry.flags`. CTF.SNAT and CTF.DNAT are the ctstate match's SNAT and DNAT bits (interpreter.ts CT_BIT), so
 * the packet's ctstate bits take them with one mask.
 */
export const enum CTF {
  CONFIRMED = 1, SEEN_REPLY = 2, ASSURED = 4, DST_MANIP_DONE = 8, SRC_MANIP_DONE = 16, SNAT = 32, DNAT = 64,
  REMOVED = 128, IN_RING = 256,
  /** Both NAT flags. */
  NAT = SNAT | DNAT,
  /** Where `flags` keeps a connection's TCP state (TCPS.NONE ... TCPS.CLOSE), above the bits before. */
  TCP_SHIFT = 9, TCP = 0xf << TCP_SHIFT,
  /** The connection's ctmark is not 0: it is in CT_MARKS (see `Connection.mark`). */
  MARKED = 1 << 13,
  /**
   * The directions of the next nodes of a connection's two hash-chain links (see `ConntrackTable.#buckets`): set,
   * the node after its original-direction link (`next`) / its reply-direction link (`rnext`) is linked there by
   * its reply tuple.
   */
  NEXT_REPLY = 1 << 14, RNEXT_REPLY = 1 << 15,
}

/**
 * The ctmark of connections whose mark is not 0. Nothing in the lab sets one yet (no CONNMARK target; `conntrack
 * -L` prints mark=0, `-m` filters on it): a field of its own was 8 bytes of every connection for a value that is
 * always 0, in an object that lives 30-120 s of virtual time (see `Connection`). A weak map: a removed connection
 * takes its mark with it.
 */
const CT_MARKS = new WeakMap<CtEntry, number>();

/**
 * A packet's relation to its connection, as Linux keeps it in the low bits of the skb's `_nfct` (enum
 * ip_conntrack_info): `NfPacket.ctinfo`, next to the connection itself in `NfPacket.nfct`. The reply bit, then the
 * kind: below CTINFO.RELATED the connection's own packet (NEW or ESTABLISHED, derived from the connection), from
 * CTINFO.INVALID an INVALID packet (attached to INVALID_CONN, no connection of its own). A reply packet had an
 * object of its own (a ref holding the connection and this number: 20 bytes per reply packet, and a map check
 * against two classes at every read of either field); now both are fields of the packet, written once each.
 */
export const enum CTINFO { REPLY = 1, RELATED = 2, INVALID = 4 }

/**
 * What `track` and `find` answer: a connection and a packet's relation to it. A connection is its own original
 * direction's ref (getters on its class, no field); the other answers are made per call, for tools and tests (the
 * hooks read `NfPacket.nfct` and `NfPacket.ctinfo`).
 */
export interface CtRef {
  /** The connection; undefined for INVALID. */
  readonly entry: CtEntry | undefined;
  /** DIR.ORIGINAL or DIR.REPLY. */
  readonly dir: number;
  /** 0 = derive NEW/ESTABLISHED from the entry, 1 = RELATED, 2 = INVALID. */
  readonly special: number;
}

class CtInfoRef implements CtRef {
  constructor(readonly entry: CtEntry | undefined, private readonly info: number) {}
  get dir(): number { return this.info & CTINFO.REPLY; }
  get special(): number { return this.info >= CTINFO.INVALID ? 2 : this.info >= CTINFO.RELATED ? 1 : 0; }
}

/**
 * A connection as the table keeps it: the `CtEntry` fields, its place in the garbage collector's ring (see
 * `ConntrackTable`), and both directions' tuples and hash-chain links, as the kernel's nf_conn embeds its two
 * tuplehash nodes (it is its own `orig`; `reply` is a view of its reply fields). A connection lives 120 s of virtual
 * time after its last packet (TIME_WAIT), 30 s for UDP: every young-generation collection it survives copies it
 * and every full one marks it, so each field and object costs on each of them. Hence one object per connection
 * (a reply direction's node of its own was 72 bytes more and one more object to copy, promote and mark), nine
 * booleans as bits of one field (`flags`, read through accessors by everything that is not per packet), the TCP
 * state's name derived from its number, the ctmark (always 0 so far) kept aside (CT_MARKS), and no per-direction
 * packet and byte counts (nothing reads them: Linux keeps them only with nf_conntrack_acct=1, and `conntrack -L`
 * here prints none). The tuples are packed as the kernel's nf_conntrack_tuple packs them, into small integers,
 * and read through accessors (`src`, `dst`, `sport`, `dport` for the original direction). Its protocol is a field
 * of its own (as the superclass of a packet's ref, it was the ref's `meta`, next to an `entry` pointing at itself).
 */
class Connection implements CtEntry, Tuple, CtRef {
  // Fields are declared and assigned in the constructor, in this order: a class field without an initializer would
  // be defined as undefined first.
  declare readonly proto: number;
  /** The next node of the hash chain its original tuple is linked in (its direction: CTF.NEXT_REPLY). */
  declare next: Connection | undefined;
  /**
   * The original tuple's addresses as signed 32-bit integers (`src`, `dst` give them unsigned): always small
   * integers to V8. An address from 128.0.0.0 up is a heap number as an unsigned value, and once a field of a class
   * has held one, V8 gives that field of every later object its own boxed double: 16 bytes more per address of
   * every connection, for the rest of its life.
   */
  declare saddr: number;
  declare daddr: number;
  /** `sport << 16 | dport` (a signed 32-bit integer): the ports in one field. */
  declare ports: number;
  /** The reply tuple's chain link and fields, as `next`, `saddr`, `daddr`, `ports` (direction: CTF.RNEXT_REPLY). */
  declare rnext: Connection | undefined;
  declare rsaddr: number;
  declare rdaddr: number;
  declare rports: number;
  /**
   * The CtEntry booleans as CTF_* bits, and above them (CTF.TCP) the TCP state as a number (TCPS.NONE ...
   * TCPS.CLOSE), what the state machine compares: a state name is a string load that optimized code checks is
   * internalized before every compare; `tcpState` names it for the readers of `CtEntry`. The state is kept in this
   * field rather than one of its own because a connection lives long (see above): 8 bytes of every one. Also the
   * directions of its chain links' next nodes (CTF.NEXT_REPLY, CTF.RNEXT_REPLY) and CTF.MARKED.
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
  /** The connection's slot in its table's garbage-collector ring (see `ConntrackTable`); -1 while not in it. */
  declare slot: number;
  /** Virtual ms of the first packet, as `expiresHi`/`expiresLo` are (read through `created`). */
  declare createdHi: number;
  declare createdLo: number;

  constructor(proto: number, src: number, dst: number, sport: number, dport: number, tcp: number,
    now: number, expires: number) {
    this.proto = proto;
    this.next = undefined;
    this.saddr = src | 0;
    this.daddr = dst | 0;
    this.ports = (sport << 16) | dport;
    this.rnext = undefined;
    this.rsaddr = dst | 0;
    this.rdaddr = src | 0;
    this.rports = (dport << 16) | sport;
    this.flags = tcp << CTF.TCP_SHIFT;
    TIME_BITS[0] = expires;
    this.expiresHi = TIME_HALVES[1]!;
    this.expiresLo = TIME_HALVES[0]!;
    this.slot = -1;
    TIME_BITS[0] = now;
    this.createdHi = TIME_HALVES[1]!;
    this.createdLo = TIME_HALVES[0]!;
  }

  get src(): number { return this.saddr >>> 0; }
  set src(a: number) { this.saddr = a | 0; }
  get dst(): number { return this.daddr >>> 0; }
  set dst(a: number) { this.daddr = a | 0; }
  get sport(): number { return this.ports >>> 16; }
  set sport(port: number) { this.ports = (port << 16) | (this.ports & 0xffff); }
  get dport(): number { return this.ports & 0xffff; }
  set dport(port: number) { this.ports = (this.ports & ~0xffff) | port; }

  /** As its original direction's ref (see `CtRef`). */
  get entry(): CtEntry { return this; }
  get dir(): number { return DIR.ORIGINAL; }
  get special(): number { return 0; }

  /** The original direction's tuple: the connection itself. */
  get orig(): Tuple { return this; }
  /** The reply direction's tuple: a view of the connection's reply fields (read and written through). */
  get reply(): Tuple { return new ReplyTuple(this); }
  get tcpState(): TcpState | undefined { return TCP_STATE_NAMES[(this.flags & CTF.TCP) >> CTF.TCP_SHIFT]; }
  get expires(): number { return expiresOf(this); }
  /** The ctmark: 0 unless set, then kept in CT_MARKS (see there). */
  get mark(): number { return (this.flags & CTF.MARKED) !== 0 ? CT_MARKS.get(this)! : 0; }
  set mark(m: number) {
    if (m === 0) {
      this.flags &= ~CTF.MARKED;
      CT_MARKS.delete(this);
    } else {
      this.flags |= CTF.MARKED;
      CT_MARKS.set(this, m);
    }
  }
  get created(): number {
    TIME_HALVES[0] = this.createdLo;
    TIME_HALVES[1] = this.createdHi;
    return TIME_BITS[0]!;
  }

  get confirmed(): boolean { return (this.flags & CTF.CONFIRMED) !== 0; }
  set confirmed(v: boolean) { setFlag(this, CTF.CONFIRMED, v); }
  get seenReply(): boolean { return (this.flags & CTF.SEEN_REPLY) !== 0; }
  set seenReply(v: boolean) { setFlag(this, CTF.SEEN_REPLY, v); }
  get assured(): boolean { return (this.flags & CTF.ASSURED) !== 0; }
  set assured(v: boolean) { setFlag(this, CTF.ASSURED, v); }
  get removed(): boolean { return (this.flags & CTF.REMOVED) !== 0; }
  get dnat(): boolean { return (this.flags & CTF.DNAT) !== 0; }
  set dnat(v: boolean) { setFlag(this, CTF.DNAT, v); }
  get snat(): boolean { return (this.flags & CTF.SNAT) !== 0; }
  set snat(v: boolean) { setFlag(this, CTF.SNAT, v); }
  get dstManipDone(): boolean { return (this.flags & CTF.DST_MANIP_DONE) !== 0; }
  set dstManipDone(v: boolean) { setFlag(this, CTF.DST_MANIP_DONE, v); }
  get srcManipDone(): boolean { return (this.flags & CTF.SRC_MANIP_DONE) !== 0; }
  set srcManipDone(v: boolean) { setFlag(this, CTF.SRC_MANIP_DONE, v); }
}

/** A connection as the table stores it, for the hooks that read its packed tuples (namespace.ts `applyNat`). */
export type CtConnection = Connection;

/**
 * A connection's reply tuple as a `Tuple` (`CtEntry.reply`): made on each read, by what formats, filters or
 * writes it (`conntrack -L`, the nat table binding a connection's first packet), none of them per packet.
 */
class ReplyTuple implements Tuple {
  constructor(private readonly c: Connection) {}
  get src(): number { return this.c.rsaddr >>> 0; }
  set src(a: number) { this.c.rsaddr = a | 0; }
  get dst(): number { return this.c.rdaddr >>> 0; }
  set dst(a: number) { this.c.rdaddr = a | 0; }
  get sport(): number { return this.c.rports >>> 16; }
  set sport(port: number) { this.c.rports = (port << 16) | (this.c.rports & 0xffff); }
  get dport(): number { return this.c.rports & 0xffff; }
  set dport(port: number) { this.c.rports = (this.c.rports & ~0xffff) | port; }
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

// TCP states as numbers, in `TcpState` order (TCPS.NONE: not a TCP connection); TCP_STATE_NAMES[n] names state n.
const enum TCPS {
  NONE = 0, SYN_SENT = 1, SYN_RECV = 2, ESTABLISHED = 3, FIN_WAIT = 4, CLOSE_WAIT = 5, LAST_ACK = 6, TIME_WAIT = 7,
  CLOSE = 8,
}
const TCP_STATE_NAMES: readonly (TcpState | undefined)[] = [
  undefined, 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE',
];

/**
 * The attachment of an INVALID packet (`NfPacket.ctinfo` CTINFO.INVALID): a connection that is never linked, so the
 * hooks read the same class from `nfct` whatever the packet is. Confirmed and removed, so nothing confirms or
 * deletes it; both manipulations done and no NAT flag, so nothing binds or rewrites.
 */
const INVALID_CONN = new Connection(0, 0, 0, 0, 0, TCPS.NONE, 0, 0);
INVALID_CONN.flags = CTF.CONFIRMED | CTF.REMOVED | CTF.DST_MANIP_DONE | CTF.SRC_MANIP_DONE;

/** `refInfo` of a packet's attachment: its connection (`NfPacket.nfct`) and `NfPacket.ctinfo`. */
export function ctInfoName(e: CtEntry, info: number): CtInfo {
  if (info >= CTINFO.INVALID) return 'INVALID';
  if (info >= CTINFO.RELATED) return 'RELATED';
  return (info & CTINFO.REPLY) !== 0 || e.seenReply ? 'ESTABLISHED' : 'NEW';
}

export function refInfo(r: CtRef): CtInfo {
  if (r.special === 1) return 'RELATED';
  if (r.special === 2) return 'INVALID';
  return r.dir === DIR.REPLY || r.entry!.seenReply ? 'ESTABLISHED' : 'NEW';
}

export type CtEventType = 'NEW' | 'UPDATE' | 'DESTROY';

export interface CtEvent {
  readonly type: CtEventType;
  /** The `conntrack -E` line: tag right-aligned in 9 columns, no mark/use. */
  readonly line: string;
  readonly entry: CtEntry;
}

export function protoName(p: number): string {
  return p === IPPROTO.TCP ? 'tcp' : p === IPPROTO.UDP ? 'udp' : p === IPPROTO.ICMP ? 'icmp' : 'unknown';
}

function tupleText(proto: number, t: Tuple): string {
  const base = `src=${formatIpv4(t.src)} dst=${formatIpv4(t.dst)}`;
  if (proto === IPPROTO.ICMP) return `${base} type=8 code=0 id=${t.sport}`;
  if (proto === IPPROTO.TCP || proto === IPPROTO.UDP) return `${base} sport=${t.sport} dport=${t.dport}`;
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
  s += ` ${e.proto === IPPROTO.ICMP ? replyIcmpText(e.reply) : tupleText(e.proto, e.reply)}`;
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

/** The garbage collector ring's first slot count (grown by doubling). */
const RING_SLOTS = 1024;

export class ConntrackTable {
  readonly timeouts: ConntrackTimeouts;
  /**
   * Both directions' tuples of every confirmed connection: a power-of-two bucket array indexed by the tuple hash,
   * collisions chained (an array slot, not a Map probe, per packet). Sized as the kernel sizes
   * nf_conntrack_buckets (CT_BUCKETS) when the first connection is confirmed: until then one empty bucket (mask 0,
   * so a lookup needs no test), and a namespace that never tracks costs nothing. Grows only past one tuple per
   * bucket (the kernel's table does not grow at all; its chains get longer).
   *
   * A chain's node is a connection in one of its directions, as the kernel's chains link the two tuplehash nodes
   * embedded in an nf_conn: a connection is in its original tuple's chain through `next` and in its reply tuple's
   * through `rnext` (both in the same chain, twice, when the two tuples hash alike). Which link a node is reached
   * by is its direction there: `#headDir[b]` for bucket b's first node, then the node's CTF.NEXT_REPLY or
   * CTF.RNEXT_REPLY bit for the node after it.
   */
  #buckets: (Connection | undefined)[] = new Array<Connection | undefined>(1).fill(undefined);
  #headDir = new Uint8Array(1);
  #mask = 0;
  /** The direction (DIR.ORIGINAL, DIR.REPLY) of the connection `#lookup` found last. */
  #hitDir = 0;
  /** Tuples the bucket array holds before it grows (0: not allocated yet). */
  #capacity = 0;
  /** Tuples linked (two per confirmed connection). */
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
   *
   * The ring is kept in arrays indexed by slot (`Connection.slot`), not in the connections: its links
   * (`#ringNext`, `#ringPrev`), its connections (`#ringConn`) and each one's expiry (`#ringExp`, a copy written
   * where the connection's is; NaN once it is removed). Nearly every look is at a live entry (the collector cycles
   * through the whole ring every few dozen connections: 3 looks per new connection, ~150,000 entries per node on
   * the HTTP bench, each live for 30-120 s of virtual time), and reading it in the connection itself was a cache
   * miss on an old object per look: the first read of a looked-at entry took 40 % of confirm's CPU samples
   * (--cpu-prof, pod path, 1,000 Services). A look now reads the two arrays and touches the connection only to
   * drop or remove it. The arrays are allocated on the first confirmation (RING_SLOTS; a namespace that never
   * tracks costs nothing), grown by doubling, and free slots are kept in a list through `#ringNext`.
   */
  #gcHead = -1;
  #ringSize = 0;
  #ringNext = new Int32Array(0);
  #ringPrev = new Int32Array(0);
  #ringExp = new Float64Array(0);
  #ringConn: (Connection | undefined)[] = [];
  /** Slots never used yet start here; `#freeSlot` heads the list of released ones (-1: none). */
  #slotsUsed = 0;
  #freeSlot = -1;
  #qHead = 0;
  #qLength = 0;
  /** Entries removed while still in the ring (compaction drops those the collector has not passed). */
  #removedInRing: Connection[] = [];
  #live = 0;
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
    let s = this.#gcHead;
    for (let n = this.#ringSize; n > 0; n--) {
      out.push(this.#ringConn[s]!);
      s = this.#ringNext[s]!;
    }
    return out;
  }

  sweep(now: number): void {
    this.now = now;
    let s = this.#gcHead;
    for (let n = this.#ringSize; n > 0; n--) {
      const c = this.#ringConn[s]!;
      s = this.#ringNext[s]!;
      if ((c.flags & CTF.REMOVED) === 0 && expiresOf(c) <= now) this.#remove(c);
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

  /**
   * The connection with the tuple, if any (`#hitDir`: the direction it has that tuple in). Inlined into the hooks
   * with the rest of `attach`, which TurboFan does only while they fit its inlining budget with applyNat: one loop
   * with one exit, the direction of the node it is on kept as the flag bit its link was read from.
   */
  #lookup(proto: number, src: number, dst: number, sport: number, dport: number): Connection | undefined {
    const b = tupleHash(proto, src, dst, sport, dport) & this.#mask;
    let c = this.#buckets[b];
    // Not 0: the node `c` is reached in its reply direction.
    let reply = this.#headDir[b]!;
    const saddr = src | 0, daddr = dst | 0, ports = (sport << 16) | dport;
    while (c !== undefined) {
      if (reply === 0) {
        if (c.saddr === saddr && c.daddr === daddr && c.ports === ports && c.proto === proto) break;
        reply = c.flags & CTF.NEXT_REPLY;
        c = c.next;
      } else {
        if (c.rsaddr === saddr && c.rdaddr === daddr && c.rports === ports && c.proto === proto) break;
        reply = c.flags & CTF.RNEXT_REPLY;
        c = c.rnext;
      }
    }
    this.#hitDir = reply === 0 ? DIR.ORIGINAL : DIR.REPLY;
    return c;
  }

  /**
   * Link a new connection's two tuples, each at the head of its chain (the original one first: a chain holding
   * both has the reply node first). Both directions written out, with the hashes: a link of one direction
   * (choosing its fields and flag bit by `dir`, as `#unlink` does) was not inlined into confirm (1.3k instructions
   * a request as two calls, callgrind).
   */
  #linkNew(c: Connection): void {
    // #linked is even (two per connection): past the capacity after two more links iff past it after one.
    if ((this.#linked += 2) > this.#capacity) this.#grow();
    const buckets = this.#buckets, heads = this.#headDir, mask = this.#mask;
    const proto = c.proto, ports = c.ports, rports = c.rports;
    const o = tupleHash(proto, c.saddr, c.daddr, ports >>> 16, ports & 0xffff) & mask;
    c.next = buckets[o];
    // A new connection's flags have no link bits yet.
    let f = heads[o] !== DIR.ORIGINAL ? c.flags | CTF.NEXT_REPLY : c.flags;
    buckets[o] = c;
    heads[o] = DIR.ORIGINAL;
    const r = tupleHash(proto, c.rsaddr, c.rdaddr, rports >>> 16, rports & 0xffff) & mask;
    c.rnext = buckets[r];
    if (heads[r] !== DIR.ORIGINAL) f |= CTF.RNEXT_REPLY;
    c.flags = f;
    buckets[r] = c;
    heads[r] = DIR.REPLY;
  }

  #unlink(c: Connection, dir: number): void {
    this.#linked--;
    const b = tupleHashOf(c, dir) & this.#mask;
    const after = linkOf(c, dir), afterDir = linkDirOf(c, dir);
    let cur = this.#buckets[b], curDir = this.#headDir[b]!;
    if (cur === c && curDir === dir) {
      this.#buckets[b] = after;
      this.#headDir[b] = afterDir;
    } else {
      while (cur !== undefined) {
        const n = linkOf(cur, curDir), nDir = linkDirOf(cur, curDir);
        if (n === c && nDir === dir) {
          setLink(cur, curDir, after, afterDir);
          break;
        }
        cur = n;
        curDir = nDir;
      }
    }
    setLink(c, dir, undefined, 0);
  }

  /**
   * Allocate the bucket array on the first link (CT_BUCKETS), then grow it fourfold (a table that keeps growing rehashes a third as often as doubling would, and
   * chains stay shorter). Old bucket b splits into b + k × old size (k = 0..3); each node is appended in its old
   * order, so tuples that are equal keep their order and a lookup finds the same one as before.
   */
  #grow(): void {
    if (this.#capacity === 0) {
      this.#buckets = new Array<Connection | undefined>(CT_BUCKETS).fill(undefined);
      this.#headDir = new Uint8Array(CT_BUCKETS);
      this.#mask = CT_BUCKETS - 1;
      this.#capacity = CT_BUCKETS;
      return;
    }
    const old = this.#buckets, oldDir = this.#headDir;
    const oldSize = old.length;
    const size = oldSize * 4;
    const buckets = new Array<Connection | undefined>(size).fill(undefined);
    const headDir = new Uint8Array(size);
    const mask = size - 1;
    const shift = 31 - Math.clz32(oldSize);
    const tails: (Connection | undefined)[] = [undefined, undefined, undefined, undefined];
    const tailDirs = [0, 0, 0, 0];
    for (let b = 0; b < oldSize; b++) {
      let c = old[b];
      if (c === undefined) continue;
      let dir = oldDir[b]!;
      tails[0] = tails[1] = tails[2] = tails[3] = undefined;
      while (c !== undefined) {
        const next = linkOf(c, dir), nextDir = linkDirOf(c, dir);
        setLink(c, dir, undefined, 0);
        const i = tupleHashOf(c, dir) & mask;
        const k = i >>> shift;
        const tail = tails[k];
        if (tail === undefined) {
          buckets[i] = c;
          headDir[i] = dir;
        } else setLink(tail, tailDirs[k]!, c, dir);
        tails[k] = c;
        tailDirs[k] = dir;
        c = next;
        dir = nextDir;
      }
    }
    this.#buckets = buckets;
    this.#headDir = headDir;
    this.#mask = mask;
    this.#capacity = size;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // The garbage collector's ring

  #ringAppend(e: Connection): void {
    let slot = this.#freeSlot;
    if (slot >= 0) this.#freeSlot = this.#ringNext[slot]!;
    else {
      if (this.#slotsUsed === this.#ringConn.length) this.#ringGrow();
      slot = this.#slotsUsed++;
    }
    const next = this.#ringNext, prev = this.#ringPrev;
    this.#ringConn[slot] = e;
    this.#ringExp[slot] = expiresOf(e);
    e.slot = slot;
    const head = this.#gcHead;
    if (head < 0) {
      next[slot] = slot;
      prev[slot] = slot;
      this.#gcHead = slot;
    } else {
      const last = prev[head]!;
      next[last] = slot;
      prev[slot] = last;
      next[slot] = head;
      prev[head] = slot;
    }
    e.flags |= CTF.IN_RING;
    this.#ringSize++;
  }

  #ringGrow(): void {
    const size = Math.max(RING_SLOTS, this.#ringConn.length * 2);
    const next = new Int32Array(size), prev = new Int32Array(size), exp = new Float64Array(size);
    next.set(this.#ringNext);
    prev.set(this.#ringPrev);
    exp.set(this.#ringExp);
    this.#ringNext = next;
    this.#ringPrev = prev;
    this.#ringExp = exp;
    const conns = this.#ringConn;
    for (let i = conns.length; i < size; i++) conns.push(undefined);
  }

  #ringDrop(e: Connection): void {
    const slot = e.slot;
    e.flags &= ~CTF.IN_RING;
    e.slot = -1;
    const next = this.#ringNext, prev = this.#ringPrev;
    if (--this.#ringSize === 0) this.#gcHead = -1;
    else {
      const p = prev[slot]!, n = next[slot]!;
      next[p] = n;
      prev[n] = p;
      if (this.#gcHead === slot) this.#gcHead = n;
    }
    // A removed entry may live on (a packet's attachment); the ring keeps nothing of it.
    this.#ringConn[slot] = undefined;
    next[slot] = this.#freeSlot;
    this.#freeSlot = slot;
  }

  /**
   * Incremental garbage collection: a few entries per new connection, oldest first, as the kernel's GC worker.
   * Reads the ring's copy of each entry's expiry (NaN: removed), not the entry (see `#gcHead`).
   */
  #gcStep(): void {
    const now = this.now;
    const exp = this.#ringExp;
    for (let n = 0; n < 3 && this.#ringSize > 0; n++) {
      const slot = this.#gcHead;
      this.#qHead++;
      const t = exp[slot]!;
      if (t !== t) this.#ringDrop(this.#ringConn[slot]!);
      else if (t <= now) {
        const e = this.#ringConn[slot]!;
        this.#ringDrop(e);
        this.#remove(e);
      } else {
        this.#gcHead = this.#ringNext[slot]!;
        this.#qLength++;
      }
    }
    if (this.#qHead > 4096 && this.#qHead * 2 > this.#qLength) this.#compact();
  }

  #compact(): void {
    const removed = this.#removedInRing;
    for (let i = 0; i < removed.length; i++) {
      const e = removed[i]!;
      if ((e.flags & CTF.IN_RING) !== 0) this.#ringDrop(e);
    }
    removed.length = 0;
    this.#qHead = 0;
    this.#qLength = this.#ringSize;
  }

  #remove(e: Connection): void {
    const f = e.flags;
    if ((f & (CTF.REMOVED | CTF.CONFIRMED)) !== CTF.CONFIRMED) return;
    e.flags = f | CTF.REMOVED;
    this.#live--;
    this.#unlink(e, DIR.ORIGINAL);
    this.#unlink(e, DIR.REPLY);
    if ((f & CTF.IN_RING) !== 0) {
      this.#ringExp[e.slot] = NaN;
      this.#removedInRing.push(e);
    }
    if (this.#events.size > 0) this.#events.fire({ type: 'DESTROY', line: formatEvent('DESTROY', e, this.now), entry: e });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Packets

  /** Find a confirmed connection by one of its tuples (a ref of the tuple's direction). */
  find(proto: number, t: Tuple, now: number): CtRef | undefined {
    this.now = now;
    const e = this.#findLive(proto, t.src, t.dst, t.sport, t.dport);
    if (e === undefined) return undefined;
    return this.#hitDir === DIR.ORIGINAL ? e : new CtInfoRef(e, CTINFO.REPLY);
  }

  /** The connection with the tuple unless it has expired (then removed); `#hitDir` its direction. */
  #findLive(proto: number, src: number, dst: number, sport: number, dport: number): Connection | undefined {
    const e = this.#lookup(proto, src, dst, sport, dport);
    if (e === undefined) return undefined;
    // Linked, so in the ring: its copy of the expiry (see #trackTuple).
    if (this.#ringExp[e.slot]! <= this.now) {
      this.#remove(e);
      return undefined;
    }
    return e;
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
   * nf_conntrack_in for tools and tests: `attach`, at `now` if given, answered as a ref (the connection itself for
   * its original direction's packets).
   */
  track(pkt: NfPacket, now?: number): CtRef {
    if (now !== undefined) this.now = now;
    const e = this.attach(pkt);
    const info = pkt.ctinfo!;
    return info === 0 ? e : new CtInfoRef(info >= CTINFO.INVALID ? undefined : e, info);
  }

  /**
   * nf_conntrack_in: find or create the packet's connection and update its protocol state, at `this.now`. The
   * packet's attachment is written to it (`nfct`: the connection, INVALID_CONN for an INVALID packet; `ctinfo`)
   * and the connection returned. A new connection is not in the table until `confirm`.
   */
  attach(pkt: NfPacket): CtConnection {
    const proto = pkt.proto;
    // ICMP (errors, echo ids as both ports) and the TCP reopening apart: TurboFan inlines attach into the hooks, with
    // the nat step and applyNat, only while all of them fit its inlining budget together.
    const e = proto === IPPROTO.ICMP ? this.#trackIcmp(pkt) : this.#trackTuple(pkt, proto, pkt.sport, pkt.dport);
    pkt.nfct = e;
    return e;
  }

  #trackIcmp(pkt: NfPacket): Connection {
    if (pkt.embedded !== undefined && isIcmpError(pkt.icmpType)) return this.#trackError(pkt);
    return this.#trackTuple(pkt, IPPROTO.ICMP, pkt.sport, pkt.sport);
  }

  #trackTuple(pkt: NfPacket, proto: number, sport: number, dport: number): Connection {
    const e = this.#lookup(proto, pkt.src, pkt.dst, sport, dport);
    if (e !== undefined) {
      // A linked connection is in the ring, whose copy of its expiry is one load (the connection's own is two
      // 32-bit halves put together through module-level typed arrays: about twenty instructions more per packet).
      if (this.#ringExp[e.slot]! > this.now) return this.#update(e, this.#hitDir, pkt);
      this.#remove(e);
    }
    return this.#create(pkt, sport, dport);
  }

  /**
   * An ICMP error: RELATED to the connection of the packet it quotes. Apart from `attach`, which TurboFan inlines
   * into the hooks only while it stays small.
   */
  #trackError(pkt: NfPacket): Connection {
    const em = pkt.embedded!;
    // The error travels opposite to the packet it quotes: look up the quoted tuple reversed.
    const e = this.#findLive(em.proto, em.dst, em.src, em.dport, em.sport);
    if (e === undefined) return invalid(pkt);
    pkt.ctinfo = this.#hitDir | CTINFO.RELATED;
    return e;
  }

  #create(pkt: NfPacket, sport: number, dport: number): Connection {
    const now = this.now;
    const proto = pkt.proto;
    let tcp = TCPS.NONE;
    let timeout: number;
    if (proto === IPPROTO.TCP) {
      const f = pkt.tcpFlags;
      if (f & TCPHDR.RST) return invalid(pkt);
      if ((f & (TCPHDR.SYN | TCPHDR.ACK)) === TCPHDR.SYN) tcp = TCPS.SYN_SENT;
      else if ((f & (TCPHDR.SYN | TCPHDR.FIN)) === 0 && f & TCPHDR.ACK) tcp = TCPS.ESTABLISHED; // nf_conntrack_tcp_loose pick-up
      else return invalid(pkt);
      timeout = tcpTimeout(this.timeouts.tcp, tcp);
    } else if (proto === IPPROTO.UDP) timeout = this.timeouts.udp;
    else if (proto === IPPROTO.ICMP) {
      if (pkt.icmpType !== 8) return invalid(pkt);
      timeout = this.timeouts.icmp;
    } else timeout = this.timeouts.generic;
    pkt.ctinfo = 0;
    return new Connection(proto, pkt.src, pkt.dst, sport, dport, tcp, now, now + timeout * 1000);
  }

  /** Insert a new connection once its first packet was accepted (at `now`, else at `this.now`). */
  confirm(entry: CtEntry, now?: number): void {
    if (now !== undefined) this.now = now;
    const e = entry as Connection;
    if ((e.flags & CTF.CONFIRMED) !== 0) return;
    e.flags |= CTF.CONFIRMED;
    this.#linkNew(e);
    this.#ringAppend(e);
    this.#qLength++;
    this.#live++;
    if (this.#events.size > 0) this.#events.fire({ type: 'NEW', line: formatEvent('NEW', e, this.now), entry: e });
    this.#gcStep();
  }

  /**
   * Protocol state machine for a packet of an existing connection (found in direction `dir`): the packet's
   * attachment (its `ctinfo` written), which is the connection, INVALID_CONN, or a new connection when a SYN
   * reopens a closed one's tuple.
   */
  #update(e: Connection, dir: number, pkt: NfPacket): Connection {
    const now = this.now;
    const flagsBefore = e.flags;
    const before = (flagsBefore & CTF.TCP) >> CTF.TCP_SHIFT;
    if (before >= TCPS.TIME_WAIT && dir === DIR.ORIGINAL && (pkt.tcpFlags & (TCPHDR.SYN | TCPHDR.ACK)) === TCPHDR.SYN) {
      // A new SYN on a closed connection's tuple (only TCP connections have a state) reopens it as a new
      // connection (tcp_packet's sTW/sCL → sSS).
      this.#remove(e);
      return this.#create(pkt, pkt.sport, pkt.dport);
    }
    // The new flags (TCP state included) and the timeout are found here and stored once each.
    let flags = dir === DIR.REPLY ? flagsBefore | CTF.SEEN_REPLY : flagsBefore;
    const proto = e.proto;
    let timeout: number;
    if (proto === IPPROTO.TCP) {
      const f = pkt.tcpFlags;
      const s = before;
      let next = s;
      if (f & TCPHDR.RST) next = TCPS.CLOSE;
      else if (f & TCPHDR.SYN) {
        if (dir === DIR.REPLY && f & TCPHDR.ACK && (s === TCPS.SYN_SENT || s === TCPS.SYN_RECV)) next = TCPS.SYN_RECV;
        else if (dir === DIR.ORIGINAL && !(f & TCPHDR.ACK) && s === TCPS.SYN_SENT) next = TCPS.SYN_SENT;
        else if (s !== TCPS.ESTABLISHED) {
          // INVALID: the reply seen is still recorded.
          e.flags = flags;
          return invalid(pkt);
        }
      } else if (f & TCPHDR.FIN) {
        if (s === TCPS.ESTABLISHED || s === TCPS.SYN_RECV) next = TCPS.FIN_WAIT;
        else if (s === TCPS.FIN_WAIT || s === TCPS.CLOSE_WAIT) next = TCPS.LAST_ACK;
      } else if (f & TCPHDR.ACK) {
        if (s === TCPS.SYN_RECV && dir === DIR.ORIGINAL) next = TCPS.ESTABLISHED;
        else if (s === TCPS.FIN_WAIT && dir === DIR.REPLY) next = TCPS.CLOSE_WAIT;
        else if (s === TCPS.LAST_ACK) next = TCPS.TIME_WAIT;
      }
      if (next !== s) {
        flags = (flags & ~CTF.TCP) | (next << CTF.TCP_SHIFT);
        if (next === TCPS.ESTABLISHED && s === TCPS.SYN_RECV) flags |= CTF.ASSURED;
      }
      timeout = tcpTimeout(this.timeouts.tcp, next);
    } else if (proto === IPPROTO.UDP) {
      if ((flags & CTF.SEEN_REPLY) !== 0 && now - e.created > 2000) {
        // Still active after two seconds with traffic both ways: a stream (udp_timeout_stream, ASSURED).
        timeout = this.timeouts.udpStream;
        flags |= CTF.ASSURED;
      } else timeout = this.timeouts.udp;
    } else timeout = proto === IPPROTO.ICMP ? this.timeouts.icmp : this.timeouts.generic;
    // One write of the time for every protocol: each inlined copy of the typed-array writes is code of its own.
    // A connection found by a lookup is linked, so confirmed, not removed and in the ring: the ring's copy too.
    const expires = now + timeout * 1000;
    setExpires(e, expires);
    this.#ringExp[e.slot] = expires;
    e.flags = flags;
    const changed = flagsBefore ^ flags;
    if (this.#events.size > 0 && (flagsBefore & CTF.CONFIRMED) !== 0 && ((changed & (CTF.TCP | CTF.ASSURED)) !== 0 ||
        ((changed & CTF.SEEN_REPLY) !== 0 && proto !== IPPROTO.TCP))) {
      this.#events.fire({ type: 'UPDATE', line: formatEvent('UPDATE', e, now), entry: e });
    }
    pkt.ctinfo = dir;
    return e;
  }
}

/** An INVALID packet's attachment (see INVALID_CONN); apart from the paths that return it, all rare. */
function invalid(pkt: NfPacket): Connection {
  pkt.ctinfo = CTINFO.INVALID;
  return INVALID_CONN;
}

/**
 * The hash of a connection's tuple of direction `dir`, found again when it is unlinked or rehashed rather than
 * kept on every connection: a linked tuple does not change (NAT rewrites the reply tuple only before the
 * connection is confirmed).
 */
function tupleHashOf(c: Connection, dir: number): number {
  const proto = c.proto;
  return dir === DIR.ORIGINAL ? tupleHash(proto, c.saddr, c.daddr, c.ports >>> 16, c.ports & 0xffff)
    : tupleHash(proto, c.rsaddr, c.rdaddr, c.rports >>> 16, c.rports & 0xffff);
}

/** The node after a connection's chain link of direction `dir`, and that node's direction (`linkDirOf`). */
function linkOf(c: Connection, dir: number): Connection | undefined {
  return dir === DIR.ORIGINAL ? c.next : c.rnext;
}

function linkDirOf(c: Connection, dir: number): number {
  return (c.flags & (dir === DIR.ORIGINAL ? CTF.NEXT_REPLY : CTF.RNEXT_REPLY)) !== 0 ? DIR.REPLY : DIR.ORIGINAL;
}

/** Point a connection's chain link of direction `dir` at `n` in direction `nDir`. */
function setLink(c: Connection, dir: number, n: Connection | undefined, nDir: number): void {
  const bit = dir === DIR.ORIGINAL ? CTF.NEXT_REPLY : CTF.RNEXT_REPLY;
  if (dir === DIR.ORIGINAL) c.next = n;
  else c.rnext = n;
  c.flags = nDir === DIR.REPLY ? c.flags | bit : c.flags & ~bit;
}

/** `timeouts[state]` as named reads (a keyed read by a varying state name is a megamorphic lookup per packet). */
function tcpTimeout(t: Record<TcpState, number>, s: number): number {
  switch (s) {
    case TCPS.ESTABLISHED: return t.ESTABLISHED;
    case TCPS.SYN_SENT: return t.SYN_SENT;
    case TCPS.SYN_RECV: return t.SYN_RECV;
    case TCPS.FIN_WAIT: return t.FIN_WAIT;
    case TCPS.CLOSE_WAIT: return t.CLOSE_WAIT;
    case TCPS.LAST_ACK: return t.LAST_ACK;
    case TCPS.TIME_WAIT: return t.TIME_WAIT;
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
