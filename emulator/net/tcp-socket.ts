/**
 * A TCP connection (RFC 793 state machine, Linux defaults): three-way handshake with Linux's SYN options, data
 * with seq/ack and immediate ACKs (quick-ack mode, as at the start of every Linux connection), FIN teardown with
 * TIME-WAIT, RST handling, and retransmission on the virtual clock — SYN after 1 s, 2 s, 4 s, … (tcp_syn_retries
 * = 6), data from a 200 ms RTO doubling (tcp_retries2 = 15).
 */
import { IPPROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../netfilter/hook-api';
import { formatIpv4, type Ipv4 } from './addr';
import type { Scheduler, TaskHandle } from '../core/scheduler';
import type { NetNamespace, SocketError, TcpListener } from './netns';
import type { StreamData } from './packet/http';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH } from './packet/icmp';
import { packetOfLength, type Ipv4Packet } from './packet/ipv4';
import { NOP_OPTION as NOP, SACK_OK_OPTION as SACK_OK, type TcpOption, type TcpSegment } from './packet/tcp';

export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'ESTAB'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT';

/**
 * A connection's state as a small integer (what its hot paths compare: a string field would be checked for being
 * internalized before each compare), in `TCP_STATE_NAMES`' order; `state` names it.
 */
const S_CLOSED = 0;
const S_SYN_SENT = 1;
const S_SYN_RECV = 2;
const S_ESTAB = 3;
const S_FIN_WAIT_1 = 4;
const S_FIN_WAIT_2 = 5;
const S_CLOSE_WAIT = 6;
const S_CLOSING = 7;
const S_LAST_ACK = 8;
const S_TIME_WAIT = 9;
const TCP_STATE_NAMES: readonly TcpState[] = [
  'CLOSED', 'SYN-SENT', 'SYN-RECV', 'ESTAB', 'FIN-WAIT-1', 'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT',
];

/** errno names a client reports (curl words them: Connection refused, Connection timed out, No route to host). */
export type TcpError = 'ECONNREFUSED' | 'ETIMEDOUT' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'ECONNRESET';

export interface TcpEvents {
  /** Handshake complete (client: SYN-ACK received; server: final ACK received). */
  onConnect?(conn: TcpConnection): void;
  /** In-order stream data (one record per segment the peer sent). */
  onData?(conn: TcpConnection, data: StreamData): void;
  /** The peer sent FIN (no more data will come). */
  onPeerClose?(conn: TcpConnection): void;
  /** The connection is finished: `error` undefined for an orderly close. */
  onClose?(conn: TcpConnection, error?: TcpError): void;
}

const SYN_RTO_MS = 1000;
const SYN_RETRIES = 6;
const SYNACK_RETRIES = 5;
const DATA_RTO_MS = 200;
const DATA_RETRIES = 15;
const TIME_WAIT_MS = 60_000;
const MSS = 1460;
const WSCALE = 10;
const SYN_WINDOW = 64240;
const SYNACK_WINDOW = 65160;

/** A segment sent but not yet acknowledged beyond the first two (its sequence numbers follow the one before). */
interface Unacked {
  readonly flags: number;
  readonly data: StreamData | null;
}

/**
 * Sequence space a segment occupies: its data, plus one for SYN or FIN. Data and timers are tested against null and 0
 * here and below, not for truthiness: a value that may be an object or null is tested for each kind of falsy value.
 */
function segmentLength(flags: number, data: StreamData | null): number {
  return (data !== null ? data.byteLength : 0) + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
}

const NO_OPTIONS: TcpOption[] = [];
/** Scheduler options of the retransmission queues' tasks. */
const RTX_TASK = { background: true, label: 'tcp-rtx' } as const;
type TsOption = Extract<TcpOption, { kind: 'ts' }>;
const MSS_OPT: TcpOption = { kind: 'mss', value: MSS };
const WSCALE_OPT: TcpOption = { kind: 'wscale', shift: WSCALE };
/** Bytes of `#options`' lists (what `tcpOptionsLength` counts): MSS, SACK-permitted, timestamps, NOP, window scale. */
const SYN_OPTIONS_LENGTH = 20;
/** NOP, NOP, timestamps. */
const OPTIONS_LENGTH = 12;

/**
 * The value of the last timestamps option in `options` (signed 32-bit), or `current` without one. The options of
 * the stack's own segments are mostly the shared constants above: skipping them by identity keeps the loop from
 * reading `kind` of every option through a lookup that has seen each option's shape (a cache probe per read).
 * The stack's own two lists (`#options`) are known by those constants at their places, and their third option is
 * the only one that can be a timestamps option: it is read without the loop (every segment a socket receives).
 */
function lastTsVal(options: readonly TcpOption[], current: number): number {
  const n = options.length;
  if (n === 3 ? options[0] === NOP && options[1] === NOP
    : n === 5 && options[0] === MSS_OPT && options[1] === SACK_OK && options[3] === NOP && options[4] === WSCALE_OPT) {
    const o = options[2]!;
    return o.kind === 'ts' ? o.val | 0 : current;
  }
  let val = current;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o !== NOP && o !== MSS_OPT && o !== SACK_OK && o !== WSCALE_OPT && o.kind === 'ts') val = o.val | 0;
  }
  return val;
}

export class TcpConnection {
  /**
   * The public fields the constructor sets are declared only (`declare`): a class field is defined as undefined
   * when the object is made, then set, two stores where one does. A connection is made for every request at each
   * end, through the engine's generic construct path (the constructor is too large to inline where it is called).
   */
  declare readonly localAddr: Ipv4;
  declare readonly localPort: number;
  declare readonly remoteAddr: Ipv4;
  declare readonly remotePort: number;
  /** Packets of this connection carry this request id (a server connection inherits it from the SYN). */
  declare reqId: number;
  declare events: TcpEvents | null;
  #state = S_CLOSED;
  /** The record that took the connection's place in TIME-WAIT (the namespace keeps it, not the connection). */
  #timeWaitSocket: TimeWaitSocket | null = null;
  /** Bytes/records sent and received, for `ss` and tests. */
  bytesSent = 0;
  bytesReceived = 0;
  readonly #ns: NetNamespace;
  /**
   * Sequence numbers and timestamps are kept as signed 32-bit integers (`| 0`), which V8 holds unboxed; uint32
   * values above 2^31 would each be a boxed double, in every connection and in every segment and timestamps option
   * built from them. Segments carry them the same way; readers take the 32-bit value with `>>> 0` (tcpdump, pcap)
   * or compare them after `| 0`.
   */
  #iss = 0;
  #sndUna = 0;
  #sndNxt = 0;
  #rcvNxt = 0;
  #tsOffset = 0;
  #tsRecent = 0;
  /**
   * The retransmission queue: segments sent and not yet acknowledged, in sequence order and contiguous (each
   * starts where the one before ends). A connection has at most two at a time in practice (a response and its
   * FIN, a request and nothing else), so the first two live in fields and only a third one takes a list.
   */
  #unacked = 0;
  /** Sequence number of the first unacknowledged segment. */
  #headSeq = 0;
  #headFlags = 0;
  #headData: StreamData | null = null;
  #nextFlags = 0;
  #nextData: StreamData | null = null;
  #more: Unacked[] | null = null;
  /** Retransmission deadline (virtual ms), 0 when disarmed (a number field: no boxed number per arm). */
  #rtxTimer = 0;
  /**
   * Where the armed deadline waits: its retransmission queue and its absolute index there (kept by the queue), so
   * that disarming takes the connection out at once instead of leaving a stale entry to come due.
   */
  rtxQueue: RtxQueue | null = null;
  rtxSlot = 0;
  #rtxCount = 0;
  #finQueued = false;
  #listener: TcpListener | null = null;
  #isClient: boolean;
  #ipId = 0;
  #closedReported = false;

  /** `tsOffset` (signed 32-bit) and `ipId` are the connection's random draws, made by `newTcpConnection`. */
  constructor(
    ns: NetNamespace, localAddr: Ipv4, localPort: number, remoteAddr: Ipv4, remotePort: number, reqId: number, events: TcpEvents | null,
    tsOffset: number, ipId: number,
  ) {
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.remoteAddr = remoteAddr;
    this.remotePort = remotePort;
    this.reqId = reqId;
    this.events = events;
    this.#ns = ns;
    this.#isClient = events !== null;
    this.#tsOffset = tsOffset;
    this.#ipId = ipId;
  }

  /** The state; in TIME-WAIT, the state of the record that took the connection's place (CLOSED once reaped). */
  get state(): TcpState {
    return this.#timeWaitSocket === null ? TCP_STATE_NAMES[this.#state]! : this.#timeWaitSocket.state;
  }

  get stateName(): TcpState {
    return this.state;
  }

  /** Accepted by a listener on all addresses (a dual-stack socket: `ss` shows IPv4-mapped addresses). */
  get dualStack(): boolean {
    return this.#listener !== null && this.#listener.addr === 0;
  }

  get isClient(): boolean {
    return this.#isClient;
  }

  /** Bytes sent but not yet acknowledged (ss Send-Q). */
  get sendQueue(): number {
    return (this.#sndNxt - this.#sndUna) >>> 0;
  }

  toString(): string {
    return `${formatIpv4(this.localAddr)}:${this.localPort} > ${formatIpv4(this.remoteAddr)}:${this.remotePort} ${this.state}`;
  }

  // ------------------------------------------------------------ opening

  connect(): void {
    this.#iss = this.#ns.net.rng.nextUint32() | 0;
    this.#sndUna = this.#iss;
    this.#sndNxt = this.#iss;
    this.#state = S_SYN_SENT;
    this.#sendNew(TCP_SYN, null);
  }

  acceptSyn(syn: Ipv4Packet, listener: TcpListener): void {
    const seg = syn.l4 as TcpSegment;
    this.#listener = listener;
    this.#rcvNxt = (seg.seq + 1) | 0;
    this.#noteTs(seg);
    this.#iss = this.#ns.net.rng.nextUint32() | 0;
    this.#sndUna = this.#iss;
    this.#sndNxt = this.#iss;
    this.#state = S_SYN_RECV;
    this.#sendNew(TCP_SYN | TCP_ACK, null);
  }

  // ------------------------------------------------------------ application API

  /** Queue stream data (one segment per call). Ignored once the connection is closing. */
  send(data: StreamData): void {
    if (this.#state !== S_ESTAB && this.#state !== S_CLOSE_WAIT) return;
    this.bytesSent += data.byteLength;
    this.#sendNew(TCP_PSH | TCP_ACK, data);
  }

  /** Orderly close: FIN after any queued data. */
  close(): void {
    switch (this.#state) {
      case S_SYN_SENT:
        this.#finish(undefined);
        return;
      case S_SYN_RECV:
      case S_ESTAB:
        this.#state = S_FIN_WAIT_1;
        break;
      case S_CLOSE_WAIT:
        this.#state = S_LAST_ACK;
        break;
      default:
        return;
    }
    this.#finQueued = true;
    this.#sendNew(TCP_FIN | TCP_ACK, null);
  }

  /** Abortive close: RST now. */
  abort(): void {
    if (this.#state === S_CLOSED || this.#state === S_TIME_WAIT) return;
    if (this.#state !== S_SYN_SENT) this.#emit(TCP_RST | TCP_ACK, this.#sndNxt, null);
    this.#finish('ECONNRESET');
  }

  /** Forget the connection without sending anything (its namespace was deleted). */
  destroy(): void {
    if (this.#timeWaitSocket !== null) {
      this.#timeWaitSocket.destroy();
      return;
    }
    this.#state = S_CLOSED;
    this.#ns.removeConn(this);
  }

  // ------------------------------------------------------------ segments out

  #options(flags: number): TcpOption[] {
    const val = this.#tsVal();
    const ecr = this.#tsRecent;
    if (flags & TCP_SYN) return [MSS_OPT, SACK_OK, { kind: 'ts', val, ecr }, NOP, WSCALE_OPT];
    // Segments within the same millisecond carry the same timestamps: share the (never mutated) option list.
    const lastTs = this.#lastTs;
    if (lastTs !== null && lastTs.val === val && lastTs.ecr === ecr) return this.#lastOptions!;
    const ts: TsOption = { kind: 'ts', val, ecr };
    this.#lastTs = ts;
    return (this.#lastOptions = [NOP, NOP, ts]);
  }

  #lastOptions: TcpOption[] | null = null;
  /** The timestamps option of `#lastOptions` (its values are what a new segment's are compared with). */
  #lastTs: TsOption | null = null;

  #tsVal(): number {
    return (this.#tsOffset + Math.floor(this.#ns.net.scheduler.now())) | 0;
  }

  #window(flags: number): number {
    if (flags & TCP_SYN) return flags & TCP_ACK ? SYNACK_WINDOW : SYN_WINDOW;
    return this.#isClient ? 63 : 64;
  }

  /** Send a segment that occupies sequence space (SYN, FIN, data) and keep it for retransmission. */
  #sendNew(flags: number, data: StreamData | null): void {
    const seq = this.#sndNxt;
    this.#sndNxt = (seq + segmentLength(flags, data)) | 0;
    const n = this.#unacked++;
    if (n === 0) {
      this.#headSeq = seq;
      this.#headFlags = flags;
      this.#headData = data;
    } else if (n === 1) {
      this.#nextFlags = flags;
      this.#nextData = data;
    } else (this.#more ??= []).push({ flags, data });
    this.#emit(flags, seq, data);
    if (this.#rtxTimer === 0) this.#armRtx();
  }

  /** Drop the first unacknowledged segment (acknowledged): the next one moves up. */
  #shiftUnacked(): void {
    this.#headSeq = (this.#headSeq + segmentLength(this.#headFlags, this.#headData)) | 0;
    this.#headFlags = this.#nextFlags;
    this.#headData = this.#nextData;
    const more = this.#more;
    if (more !== null && more.length > 0) {
      const u = more.shift()!;
      this.#nextFlags = u.flags;
      this.#nextData = u.data;
    } else {
      this.#nextFlags = 0;
      this.#nextData = null;
    }
    this.#unacked--;
  }

  #clearUnacked(): void {
    this.#unacked = 0;
    this.#headData = null;
    this.#nextData = null;
    if (this.#more !== null) this.#more.length = 0;
  }

  #emit(flags: number, seq: number, data: StreamData | null): void {
    const seg: TcpSegment = {
      kind: 'tcp',
      seq,
      ack: flags & TCP_ACK ? this.#rcvNxt : 0,
      window: flags & TCP_RST ? 0 : this.#window(flags),
      urgent: 0,
      options: flags & TCP_RST ? NO_OPTIONS : this.#options(flags),
      data,
    };
    const ns = this.#ns;
    // The namespace's IP id counter moves for every packet it makes (`newPacket`), though a TCP socket numbers its own.
    ns.nextIpId();
    // Linux: a SYN-ACK carries IP id 0; a connected socket numbers its packets from a random start.
    const id = flags & TCP_SYN && flags & TCP_ACK ? 0 : (this.#ipId = (this.#ipId + 1) & 0xffff);
    // The length is known from what was just built (`#options`: 20 bytes of options on a SYN, 12 after, none on a
    // RST), where `packetOf` would measure the segment and its option list again.
    const length = 40 + (flags & TCP_RST ? 0 : flags & TCP_SYN ? SYN_OPTIONS_LENGTH : OPTIONS_LENGTH) + (data !== null ? data.byteLength : 0);
    const p = packetOfLength(this.localAddr, this.remoteAddr, IPPROTO_TCP, this.localPort, this.remotePort, flags, 0, 0, seg, length, 64, true, id, 0, this.reqId, ns.net.nextPid());
    if (!ns.output(p) && this.#state === S_SYN_SENT) this.#finish('ENETUNREACH');
  }

  #ack(): void {
    this.#emit(TCP_ACK, this.#sndNxt, null);
  }

  #armRtx(): void {
    const synPhase = this.#state === S_SYN_SENT || this.#state === S_SYN_RECV;
    const rto = synPhase ? SYN_RTO_MS : DATA_RTO_MS;
    const delay = this.#rtxCount === 0 ? rto : rto * 2 ** this.#rtxCount;
    const due = this.#ns.net.now() + delay;
    this.#rtxTimer = due;
    this.rtxQueue?.forget(this);
    this.#ns.net.tcpTimers.arm(this, due, delay);
  }

  /** No retransmission pending (everything sent was acknowledged, or the connection is done with it). */
  #disarmRtx(): void {
    this.#rtxTimer = 0;
    this.rtxQueue?.forget(this);
  }

  /** The armed retransmission deadline came due (`TcpRetransmitTimers`; its queue has already let go of it). */
  retransmitDue(due: number): void {
    if (this.#rtxTimer !== due || this.#state === S_CLOSED) return;
    this.#onRtx();
  }

  #onRtx(): void {
    this.#rtxTimer = 0;
    if (this.#unacked === 0 || this.#state === S_CLOSED) return;
    const limit = this.#state === S_SYN_SENT ? SYN_RETRIES : this.#state === S_SYN_RECV ? SYNACK_RETRIES : DATA_RETRIES;
    if (this.#rtxCount >= limit) {
      this.#finish('ETIMEDOUT');
      return;
    }
    this.#rtxCount++;
    this.#emit(this.#headFlags, this.#headSeq, this.#headData);
    this.#armRtx();
  }

  // ------------------------------------------------------------ segments in

  #noteTs(seg: TcpSegment): void {
    this.#tsRecent = lastTsVal(seg.options, this.#tsRecent);
  }

  input(p: Ipv4Packet): void {
    const seg = p.l4 as TcpSegment;
    const flags = p.tcpFlags;
    if (this.#state === S_CLOSED) return;
    if (flags & TCP_RST) {
      if (this.#state === S_SYN_SENT) {
        if (flags & TCP_ACK && (seg.ack | 0) === this.#sndNxt) this.#finish('ECONNREFUSED');
        return;
      }
      if (this.#state === S_TIME_WAIT) return;
      this.#finish(this.#state === S_SYN_RECV ? undefined : 'ECONNRESET');
      return;
    }
    this.#noteTs(seg);
    if (this.#state === S_SYN_SENT) {
      if (flags & TCP_SYN && flags & TCP_ACK && (seg.ack | 0) === this.#sndNxt) {
        this.#rcvNxt = (seg.seq + 1) | 0;
        this.#acked(seg.ack);
        this.#state = S_ESTAB;
        this.#ack();
        this.events?.onConnect?.(this);
      }
      return;
    }
    if (flags & TCP_SYN) {
      // A retransmitted SYN (our SYN-ACK was lost) or SYN-ACK (our ACK was lost): answer with what we sent.
      if (this.#state === S_SYN_RECV && !(flags & TCP_ACK)) this.#emit(TCP_SYN | TCP_ACK, this.#iss, null);
      else this.#ack();
      return;
    }
    if (flags & TCP_ACK) this.#acked(seg.ack);
    if (this.#state === S_SYN_RECV && flags & TCP_ACK && (seg.ack | 0) === ((this.#iss + 1) | 0)) {
      this.#state = S_ESTAB;
      const l = this.#listener;
      if (l) this.events = l.accept(this);
      this.events?.onConnect?.(this);
    }
    const data = seg.data;
    const dataLen = data !== null ? data.byteLength : 0;
    const fin = (flags & TCP_FIN) !== 0;
    if (dataLen === 0 && !fin) {
      this.#afterAck();
      return;
    }
    if ((seg.seq | 0) !== this.#rcvNxt) {
      // Out of order or duplicate: re-acknowledge what we have (the sender retransmits the gap).
      this.#ack();
      return;
    }
    if (dataLen > 0 && data !== null) {
      this.#rcvNxt = (this.#rcvNxt + dataLen) | 0;
      this.bytesReceived += dataLen;
      if (!fin) this.#ack();
      if (this.#state === S_ESTAB || this.#state === S_FIN_WAIT_1 || this.#state === S_FIN_WAIT_2) this.events?.onData?.(this, data);
    }
    if (fin) {
      this.#rcvNxt = (this.#rcvNxt + 1) | 0;
      switch (this.#state) {
        case S_ESTAB:
          this.#state = S_CLOSE_WAIT;
          this.events?.onPeerClose?.(this);
          // An application that closes at once (most servers) sends FIN+ACK instead of a separate ACK.
          if (this.#state === S_CLOSE_WAIT) this.#ack();
          break;
        case S_FIN_WAIT_1:
          this.#state = this.#unacked === 0 ? S_TIME_WAIT : S_CLOSING;
          this.#ack();
          if (this.#state === S_TIME_WAIT) this.#timeWait();
          this.events?.onPeerClose?.(this);
          if (this.#state === S_TIME_WAIT) this.#releaseApplication();
          break;
        case S_FIN_WAIT_2:
          this.#state = S_TIME_WAIT;
          this.#ack();
          this.#timeWait();
          this.events?.onPeerClose?.(this);
          this.#releaseApplication();
          break;
        default:
          this.#ack();
      }
      return;
    }
    this.#afterAck();
  }

  #acked(peerAck: number): void {
    const ack = peerAck | 0;
    // Drop every queued segment the peer acknowledged (modular comparison).
    let progressed = false;
    while (this.#unacked > 0) {
      const end = (this.#headSeq + segmentLength(this.#headFlags, this.#headData)) | 0;
      if (((ack - end) | 0) < 0) break;
      this.#shiftUnacked();
      progressed = true;
    }
    if (((ack - this.#sndUna) | 0) > 0) this.#sndUna = ack;
    if (progressed) {
      this.#rtxCount = 0;
      if (this.#unacked > 0) this.#armRtx();
      else this.#disarmRtx();
    }
  }

  #afterAck(): void {
    if (this.#unacked > 0 || !this.#finQueued) return;
    switch (this.#state) {
      case S_FIN_WAIT_1:
        this.#state = S_FIN_WAIT_2;
        break;
      case S_CLOSING:
        this.#state = S_TIME_WAIT;
        this.#timeWait();
        this.#releaseApplication();
        break;
      case S_LAST_ACK:
        this.#finish(undefined);
        break;
    }
  }

  /**
   * Enter TIME-WAIT: the namespace's table and reaper get a `TimeWaitSocket` in the connection's place, with what
   * it needs to answer the peer; the connection, its application and its buffers can go.
   */
  #timeWait(): void {
    this.#disarmRtx();
    this.#reportClose(undefined);
    // Destroyed by the application's close callback (its namespace deleted): the record starts closed.
    const closed = this.#state !== S_TIME_WAIT;
    const tw = new TimeWaitSocket(this.#ns, this.localAddr, this.localPort, this.remoteAddr, this.remotePort, this.reqId,
      (closed ? TW_CLOSED : 0) | (this.dualStack ? TW_DUAL_STACK : 0) | (this.#isClient ? 0 : TW_SERVER),
      this.#sndUna, this.#sndNxt, this.#rcvNxt, this.#tsOffset, this.#tsRecent, this.#ipId);
    this.#timeWaitSocket = tw;
    if (!closed) this.#ns.replaceConn(this, tw);
    this.#ns.enterTimeWait(tw, this.#ns.net.now() + TIME_WAIT_MS);
  }

  /**
   * In TIME-WAIT the application is gone (the kernel keeps a small timewait socket, not the process): drop its
   * callbacks and what they hold (the request, the response), which would otherwise live the whole 60 s.
   */
  #releaseApplication(): void {
    this.events = null;
    this.#lastOptions = null;
    this.#lastTs = null;
  }

  /** An ICMP error quoting one of our segments. */
  icmpError(err: SocketError): void {
    if (this.#state !== S_SYN_SENT && this.#state !== S_SYN_RECV) return; // soft error once established
    if (err.type !== ICMP_DEST_UNREACH) return;
    const refused = err.code === ICMP_PORT_UNREACH || err.code === ICMP_PROT_UNREACH;
    this.#finish(refused ? 'ECONNREFUSED' : err.code === 0 ? 'ENETUNREACH' : 'EHOSTUNREACH');
  }

  /** Connection could not start (no route). */
  fail(error: TcpError): void {
    this.#finish(error);
  }

  #reportClose(error: TcpError | undefined): void {
    if (this.#closedReported) return;
    this.#closedReported = true;
    this.events?.onClose?.(this, error);
  }

  #finish(error: TcpError | undefined): void {
    this.#disarmRtx();
    this.#clearUnacked();
    this.#state = S_CLOSED;
    this.#ns.removeConn(this);
    this.#reportClose(error);
  }
}

/**
 * `new TcpConnection(...)`, as the stack makes one (a client's connect, a listener's SYN). The constructor, with its
 * field initializer and random draws, is too large to be inlined into those callers, which then construct through
 * the engine's generic path (its construct stub and a generic allocation, about 280 instructions, then every field
 * defined on an object it knows nothing about). This function is small and its own optimized code inlines the
 * constructor: the object is allocated and its fields stored in place, and the callers make one ordinary call.
 */
export function newTcpConnection(
  ns: NetNamespace, localAddr: Ipv4, localPort: number, remoteAddr: Ipv4, remotePort: number, reqId: number, events: TcpEvents | null,
): TcpConnection {
  if (unprimed === true) primeSocketShapes(ns);
  // The draws in the constructor's order before: the timestamp offset, then the first IP id.
  const rng = ns.net.rng;
  return new TcpConnection(ns, localAddr, localPort, remoteAddr, remotePort, reqId, events, rng.nextUint32() | 0, rng.int(65536));
}

let unprimed = true;

/**
 * Show the engine a connection and a TIME-WAIT record whose addresses are not numbers (null), once, before the
 * first real one (as `unaddressed` in packet/ipv4.ts does for packets). A field that has only held numbers is kept
 * as a number: once one address beyond 2^31 was stored (172.18.x node addresses, the laptop's 198.51.100.7) both
 * classes kept `localAddr` and `remoteAddr` unboxed, as a 16-byte number box inside every connection and every
 * TIME-WAIT record (one more object for each record the young-generation collector copies and promotes: they live
 * 60 s), and every packet a connection built boxed an address beyond 2^31 again (the LB path's public addresses).
 * A field that has held null is a plain reference: a small address is stored as it is, a large one is the one
 * number object it was handed. The two records are dropped at once; no random number is drawn for them.
 */
function primeSocketShapes(ns: NetNamespace): void {
  unprimed = false;
  const none = null as unknown as Ipv4;
  new TcpConnection(ns, none, 0, none, 0, 0, null, 0, 0);
  new TimeWaitSocket(ns, none, 0, none, 0, 0, TW_CLOSED, 0, 0, 0, 0, 0, 0);
}

/** `TimeWaitSocket`'s bits: reaped (or destroyed), accepted on all addresses, the server's end. */
const TW_CLOSED = 1;
const TW_DUAL_STACK = 2;
const TW_SERVER = 4;
const TW_FLAGS = 7;
/** Where the IP id starts in `TimeWaitSocket`'s bits (16 bits above the three flags: a small integer). */
const TW_ID_SHIFT = 3;

/**
 * A connection in TIME-WAIT, as the kernel keeps one (a small timewait socket instead of the full socket): its
 * addresses for the table and `ss`, the sequence and timestamp state it answers the peer with. It answers as the
 * connection would in TIME-WAIT: an ACK for a SYN, a FIN or out-of-order data, nothing for a RST; the peer's ACKs
 * move `sndUna` (ss's Send-Q); ICMP errors are ignored.
 *
 * A record lives the whole 60 s (tens of thousands of requests on the HTTP bench), so every young-generation
 * collection it meets copies it: it keeps its flags in one number and not its end of TIME-WAIT, which the
 * namespace's reaper keeps in its own list (a fractional virtual time in a field would be a boxed number, a second
 * object per record).
 */
export class TimeWaitSocket {
  readonly #ns: NetNamespace;
  /** Set by the constructor (declared only, as `TcpConnection`'s). */
  declare readonly localAddr: Ipv4;
  declare readonly localPort: number;
  declare readonly remoteAddr: Ipv4;
  declare readonly remotePort: number;
  declare readonly reqId: number;
  /**
   * TW_CLOSED, TW_DUAL_STACK, TW_SERVER in the low bits, and the IP id of the last packet sent above them
   * (`TW_ID_SHIFT`): one field less in a record kept 60 s.
   */
  #bits: number;
  /** Sequence numbers and timestamps as the connection kept them (signed 32-bit). */
  #sndUna: number;
  readonly #sndNxt: number;
  #rcvNxt: number;
  readonly #tsOffset: number;
  #tsRecent: number;

  constructor(
    ns: NetNamespace, localAddr: Ipv4, localPort: number, remoteAddr: Ipv4, remotePort: number, reqId: number,
    /** TW_CLOSED (the connection was destroyed while closing), TW_DUAL_STACK, TW_SERVER (its ACKs advertise the server's window). */
    bits: number,
    sndUna: number, sndNxt: number, rcvNxt: number, tsOffset: number, tsRecent: number, ipId: number,
  ) {
    this.#ns = ns;
    this.localAddr = localAddr;
    this.localPort = localPort;
    this.remoteAddr = remoteAddr;
    this.remotePort = remotePort;
    this.reqId = reqId;
    this.#bits = bits | (ipId << TW_ID_SHIFT);
    this.#sndUna = sndUna;
    this.#sndNxt = sndNxt;
    this.#rcvNxt = rcvNxt;
    this.#tsOffset = tsOffset;
    this.#tsRecent = tsRecent;
  }

  get state(): 'TIME-WAIT' | 'CLOSED' {
    return this.#bits & TW_CLOSED ? 'CLOSED' : 'TIME-WAIT';
  }

  get stateName(): TcpState {
    return this.state;
  }

  /** Accepted by a listener on all addresses (`ss` shows IPv4-mapped addresses). */
  get dualStack(): boolean {
    return (this.#bits & TW_DUAL_STACK) !== 0;
  }

  /** The window its ACKs advertise (the connection's: `TcpConnection`'s `#window` after the handshake). */
  get window(): number {
    return this.#bits & TW_SERVER ? 64 : 63;
  }

  get sendQueue(): number {
    return (this.#sndNxt - this.#sndUna) >>> 0;
  }

  /** A segment from the peer (what `TcpConnection.input` does in TIME-WAIT). */
  input(p: Ipv4Packet): void {
    const seg = p.l4 as TcpSegment;
    const flags = p.tcpFlags;
    if (this.#bits & TW_CLOSED || flags & TCP_RST) return;
    this.#tsRecent = lastTsVal(seg.options, this.#tsRecent);
    if (flags & TCP_SYN) {
      this.ack();
      return;
    }
    if (flags & TCP_ACK && (((seg.ack | 0) - this.#sndUna) | 0) > 0) this.#sndUna = seg.ack | 0;
    const dataLen = seg.data ? seg.data.byteLength : 0;
    const fin = (flags & TCP_FIN) !== 0;
    if (dataLen === 0 && !fin) return;
    if ((seg.seq | 0) !== this.#rcvNxt) {
      this.ack();
      return;
    }
    this.#rcvNxt = (this.#rcvNxt + dataLen + (fin ? 1 : 0)) | 0;
    this.ack();
  }

  /**
   * An ACK from the record's state. A TypeScript-private method, not a `#` one: a class with a `#` method stores a
   * brand in each of its objects (a field more: 8 bytes in every record, shown by %DebugPrint as the first field).
   */
  private ack(): void {
    const ns = this.#ns;
    const ts: TsOption = { kind: 'ts', val: (this.#tsOffset + Math.floor(ns.net.scheduler.now())) | 0, ecr: this.#tsRecent };
    const seg: TcpSegment = { kind: 'tcp', seq: this.#sndNxt, ack: this.#rcvNxt, window: this.window, urgent: 0, options: [NOP, NOP, ts], data: null };
    const p = ns.newPacket(this.localAddr, this.remoteAddr, IPPROTO_TCP, this.localPort, this.remotePort, TCP_ACK, seg, undefined, this.reqId);
    const id = ((this.#bits >>> TW_ID_SHIFT) + 1) & 0xffff;
    this.#bits = (this.#bits & TW_FLAGS) | (id << TW_ID_SHIFT);
    p.id = id;
    ns.output(p);
  }

  /** ICMP errors do not concern a socket in TIME-WAIT. */
  icmpError(_err: SocketError): void {}

  /** Called by the namespace's TIME-WAIT reaper. */
  expireTimeWait(): void {
    if (!(this.#bits & TW_CLOSED)) this.destroy();
  }

  /** Forget the socket (TIME-WAIT over, its port taken over, or its namespace deleted). */
  destroy(): void {
    this.#bits |= TW_CLOSED;
    this.#ns.removeConn(this);
  }
}

/** A connection in a namespace's table: a live connection or the TIME-WAIT record of one. */
export type TcpSocket = TcpConnection | TimeWaitSocket;

/**
 * Every connection's retransmission deadline in the network, without a scheduler task per deadline: deadlines of
 * the same length (1 s for a SYN, 200 ms for data, their doublings) are armed in time order, so each length keeps
 * a FIFO and one scheduler task at its earliest live deadline (as the TIME-WAIT reaper does). Nearly every
 * deadline is disarmed by an ACK long before it comes: the connection then leaves its queue at once (`forget`),
 * and the queue steps over the empty slot without touching the connection again or running a task for it.
 *
 * Order: a deadline's task takes the sequence number reserved when the deadline was armed, so among the tasks
 * due at the same instant it runs exactly where a task of its own, scheduled at arm time and cancelled by the
 * ACK, would (a kernel's per-socket timer).
 */
export class TcpRetransmitTimers {
  readonly #queues = new Map<number, RtxQueue>();
  /** The first deadlines of data and of SYNs, nearly all of them: no map lookup. */
  readonly #data: RtxQueue;
  readonly #syn: RtxQueue;

  constructor(readonly scheduler: Scheduler) {
    this.#queues.set(DATA_RTO_MS, (this.#data = new RtxQueue(scheduler)));
    this.#queues.set(SYN_RTO_MS, (this.#syn = new RtxQueue(scheduler)));
  }

  arm(conn: TcpConnection, due: number, delay: number): void {
    let q = delay === DATA_RTO_MS ? this.#data : delay === SYN_RTO_MS ? this.#syn : this.#queues.get(delay);
    if (q === undefined) this.#queues.set(delay, (q = new RtxQueue(this.scheduler)));
    q.add(conn, due, this.scheduler.reserveOrder());
  }
}

/**
 * The deadlines of one length, in (due, order) order; a disarmed one leaves a null connection behind. The lists
 * are used up to `#tail` and keep their length when they empty (they empty after nearly every task): truncating
 * them would drop their storage and the next deadlines would grow it again.
 */
class RtxQueue {
  /**
   * Replaced by a new list of the same length when the queue empties (see `#fire`): a list made since the last
   * young-generation collection or so is young itself, and storing a connection (young: most live for one request)
   * into it is a plain store, where into a long-lived list it took the write barrier's slow path (about 90
   * instructions; six arms per HTTP request). Slots at or past `#tail` are never read, so the new list is left holey.
   */
  #conns: (TcpConnection | null)[] = [];
  readonly #dues: number[] = [];
  readonly #orders: number[] = [];
  #head = 0;
  #tail = 0;
  /** Entries dropped from the front so far: a connection's `rtxSlot` minus this is its index. */
  #base = 0;
  /** Due time and sequence number of the pending scheduler task (Infinity: none). */
  #armedDue = Infinity;
  #armedOrder = 0;
  #firing = false;
  /** The last scheduler task: re-armed in place once it has run (`atReusing`). */
  #task: TaskHandle | undefined = undefined;

  constructor(readonly scheduler: Scheduler) {}

  add(conn: TcpConnection, due: number, order: number): void {
    const conns = this.#conns, dues = this.#dues, orders = this.#orders;
    // Deadlines arrive in time order but for frames drained from the backlog (each at its own arrival time,
    // microseconds apart): insert from the back (orders grow, so equal times stay in order).
    let i = this.#tail++;
    while (i > this.#head && dues[i - 1]! > due) {
      const c = conns[i - 1]!;
      if (c !== null) c.rtxSlot++;
      conns[i] = c;
      dues[i] = dues[i - 1]!;
      orders[i] = orders[i - 1]!;
      i--;
    }
    conns[i] = conn;
    dues[i] = due;
    orders[i] = order;
    conn.rtxQueue = this;
    conn.rtxSlot = this.#base + i;
    // The newest order is the largest: it comes first only by time. While the queue fires (a retransmission
    // that gives up can make the application connect again) it schedules its next task when done.
    if (due < this.#armedDue && !this.#firing) {
      // A pending task for a later deadline: replace it.
      if (this.#armedDue !== Infinity) this.scheduler.cancel(this.#task);
      this.#schedule(due, order);
    }
  }

  /** The connection's deadline is disarmed: empty its slot (the queue skips it). */
  forget(conn: TcpConnection): void {
    const i = conn.rtxSlot - this.#base;
    if (i >= this.#head && i < this.#tail && this.#conns[i] === conn) this.#conns[i] = null;
    conn.rtxQueue = null;
  }

  #schedule(due: number, order: number): void {
    this.#armedDue = due;
    this.#armedOrder = order;
    this.#task = this.scheduler.atReusing(this.#task, due, this.#fire, RTX_TASK, order);
  }

  /** The task at the earliest deadline came due (it may have been disarmed since: then nothing is due). */
  readonly #fire = (): void => {
    const due = this.#armedDue, order = this.#armedOrder;
    this.#armedDue = Infinity;
    this.#firing = true;
    const conns = this.#conns, dues = this.#dues, orders = this.#orders;
    // The deadlines at or before this task's (due, order); a later one at the same instant gets its own task.
    while (this.#head < this.#tail && (dues[this.#head]! < due || (dues[this.#head] === due && orders[this.#head]! <= order))) {
      const i = this.#head++;
      const c = conns[i]!;
      if (c === null) continue;
      conns[i] = null;
      c.rtxQueue = null;
      c.retransmitDue(dues[i]!);
    }
    this.#firing = false;
    // Disarmed deadlines at the front are dropped without a task.
    while (this.#head < this.#tail && conns[this.#head] === null) this.#head++;
    if (this.#head === this.#tail) {
      this.#base += this.#tail;
      this.#head = this.#tail = 0;
      this.#conns = new Array<TcpConnection | null>(conns.length);
      return;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#tail) this.#dropConsumed();
    this.#schedule(dues[this.#head]!, orders[this.#head]!);
  };

  /** Move the live part to the front (in place; the slots left behind are cleared so they hold no connection). */
  #dropConsumed(): void {
    const conns = this.#conns, dues = this.#dues, orders = this.#orders;
    const head = this.#head, n = this.#tail - head;
    for (let i = 0; i < n; i++) {
      conns[i] = conns[head + i]!;
      dues[i] = dues[head + i]!;
      orders[i] = orders[head + i]!;
    }
    for (let i = n; i < this.#tail; i++) conns[i] = null;
    this.#base += head;
    this.#head = 0;
    this.#tail = n;
  }
}
