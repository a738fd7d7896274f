/**
 * DNS over the packet network: the client side (a stub resolver's UDP exchange, `DnsTransport`) and the server
 * side (bind UDP 53 in a namespace, answer each query from the same socket). Every query and reply is a real
 * UDP datagram through routing, netfilter (kube-proxy's DNAT to a CoreDNS pod) and the NICs, carrying the
 * request id of the tool that caused it so the trace groups a curl's DNS packets with its TCP connection.
 */
import type { Rng } from '../core/rng';
import type { Scheduler, TaskHandle } from '../core/scheduler';
import { formatIpv4, parseIpv4 } from '../net/addr';
import type { NetNamespace, SocketError, UdpMessage, UdpSocket } from '../net/netns';
import type { DnsMessage } from '../net/packet/dns';
import { emitDns, parseDns } from '../net/packet/dns';
import { rawData } from '../net/packet/http';
import type { TcpConnection } from '../net/tcp-socket';
import type { DnsTransport, ExchangeError } from './resolver';

const ICMP_DEST_UNREACH = 3;
const DNS_TIMEOUT_TASK = { label: 'dns-timeout' } as const;
const ICMP_PORT_UNREACH = 3;

export interface UdpDnsClientOptions {
  readonly ns: NetNamespace;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Trace request id for every packet this client sends (0 = background). */
  readonly reqId?: number;
  /** Called for every reply as it arrives (nslookup prints per reply). */
  readonly onReply?: (reply: DnsMessage, server: string) => void;
}

export class UdpDnsClient implements DnsTransport {
  readonly #o: UdpDnsClientOptions;
  /** The send options of every query (the trace's request id): one record per client, not per exchange. */
  readonly #sendOpts: { readonly reqId: number };
  /** Exchanges performed (queries sent), for tests and the bench. */
  sent = 0;

  constructor(opts: UdpDnsClientOptions) {
    this.#o = opts;
    this.#sendOpts = { reqId: opts.reqId ?? 0 };
  }

  nextId(): number {
    return this.#o.rng.int(65536);
  }

  exchange(
    server: string, queries: readonly DnsMessage[], timeoutMs: number,
    done: (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError) => void,
  ): void {
    const { ns, scheduler } = this.#o;
    const dst = nameserverAddress(server);
    if (dst === undefined) { scheduler.after(0, () => done(noReplies(queries.length), 'unreachable')); return; }
    const x = new UdpExchange(this.#o, server, dst, queries, done);
    const sock = x.open(ns);
    x.timer = scheduler.after(timeoutMs, x.onTimeout, DNS_TIMEOUT_TASK);
    for (let i = 0; i < queries.length; i++) {
      this.sent++;
      if (!sock.send(dst, 53, queries[i]!, this.#sendOpts)) { x.finish('unreachable'); return; }
    }
  }
}

function noReplies(n: number): (DnsMessage | undefined)[] {
  const replies = new Array<DnsMessage | undefined>(n);
  for (let i = 0; i < n; i++) replies[i] = undefined;
  return replies;
}

/**
 * The address of the last nameserver asked, parsed once: resolvers ask the same one or two servers for every
 * lookup (resolv.conf), so the text is nearly always the same string. One entry: a different server just parses.
 */
let lastServer = '';
let lastServerAddress: number | undefined;

function nameserverAddress(server: string): number | undefined {
  if (server !== lastServer) {
    lastServerAddress = parseIpv4(server);
    lastServer = server;
  }
  return lastServerAddress;
}

/**
 * One exchange in flight: the socket, the replies matched to their queries by id, the timeout. Its callbacks are
 * made once per exchange (the socket's message and error handlers, the timer) and share this record.
 */
class UdpExchange {
  readonly #o: UdpDnsClientOptions;
  readonly #server: string;
  readonly #dst: number;
  readonly #queries: readonly DnsMessage[];
  readonly #replies: (DnsMessage | undefined)[];
  readonly #done: (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError) => void;
  #pending: number;
  #finished = false;
  #sock: UdpSocket | undefined = undefined;
  timer: TaskHandle | undefined = undefined;

  constructor(
    o: UdpDnsClientOptions, server: string, dst: number, queries: readonly DnsMessage[],
    done: (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError) => void,
  ) {
    this.#o = o;
    this.#server = server;
    this.#dst = dst;
    this.#queries = queries;
    this.#replies = noReplies(queries.length);
    this.#pending = queries.length;
    this.#done = done;
  }

  open(ns: NetNamespace): UdpSocket {
    this.#sock = ns.openUdp(onExchangeMessage, onExchangeError, this);
    return this.#sock;
  }

  readonly onTimeout = (): void => this.finish('timeout');

  finish(error?: ExchangeError): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#o.scheduler.cancel(this.timer);
    this.#sock?.close();
    this.#done(this.#replies, error);
  }

  received(msg: UdpMessage): void {
    const m = msg.data;
    if (msg.src !== this.#dst || msg.sport !== 53 || m.kind !== 'dns' || !m.qr) return;
    const queries = this.#queries, replies = this.#replies;
    let i = 0;
    while (i < queries.length && (queries[i]!.id !== m.id || replies[i] !== undefined)) i++;
    if (i === queries.length) return;
    replies[i] = m;
    this.#o.onReply?.(m, this.#server);
    if (--this.#pending === 0) this.finish();
  }

  failed(err: SocketError): void {
    // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
    this.finish(err.type === ICMP_DEST_UNREACH && err.code === ICMP_PORT_UNREACH ? 'refused' : 'unreachable');
  }
}

/** The socket handlers of every exchange: the socket's `userData` is its exchange (no closures per exchange). */
function onExchangeMessage(msg: UdpMessage, sock: UdpSocket): void {
  (sock.userData as UdpExchange).received(msg);
}

function onExchangeError(err: SocketError, sock: UdpSocket): void {
  (sock.userData as UdpExchange).failed(err);
}

/** A UDP DNS server bound to port 53 in a namespace. */
export interface DnsServerHandle {
  readonly ns: NetNamespace;
  stop(): void;
}

/** DNS over TCP (RFC 1035 §4.2.2): each message prefixed with its 2-byte length. */
export function frameTcpDns(m: DnsMessage): Uint8Array {
  const body = emitDns(m);
  const out = new Uint8Array(body.length + 2);
  out[0] = body.length >> 8;
  out[1] = body.length & 255;
  out.set(body, 2);
  return out;
}

/** Split a TCP byte stream into DNS messages; returns the messages and the unconsumed rest. */
export function unframeTcpDns(buf: Uint8Array): { messages: DnsMessage[]; rest: Uint8Array } {
  const messages: DnsMessage[] = [];
  let p = 0;
  while (buf.length - p >= 2) {
    const len = (buf[p]! << 8) | buf[p + 1]!;
    if (buf.length - p - 2 < len) break;
    try { messages.push(parseDns(buf.subarray(p + 2, p + 2 + len))); } catch { /* malformed: dropped, as a server would */ }
    p += 2 + len;
  }
  return { messages, rest: buf.subarray(p) };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Who asked: the query's source address and trace request id. The address text is made only if a handler reads it. */
class QuerySource {
  constructor(readonly src: number, readonly reqId: number) {}

  get ip(): string {
    return formatIpv4(this.src);
  }
}

/**
 * One query received over UDP: who asked (the `from` a handler reads) and its `respond`, which answers from the
 * socket it came to. One record and its callback per query (not a closure with a context beside a source record);
 * a plain class, so V8 builds it inline.
 */
class UdpQuery {
  constructor(readonly sock: UdpSocket, readonly msg: UdpMessage) {}

  get ip(): string {
    return formatIpv4(this.msg.src);
  }

  get reqId(): number {
    return this.msg.reqId;
  }

  // Answer from the address the query reached (conntrack un-DNATs it back to the ClusterIP on the way).
  readonly respond = (reply: DnsMessage): void => {
    if (!this.sock.closed) this.sock.reply(this.msg, reply);
  };
}

export function serveDns(
  ns: NetNamespace,
  handle: (query: DnsMessage, respond: (reply: DnsMessage) => void, from: { readonly ip: string; readonly reqId: number }) => void,
  opts: { port?: number; tcp?: boolean } = {},
): DnsServerHandle {
  const port = opts.port ?? 53;
  let listener: { close(): void } | undefined;
  if (opts.tcp && !ns.tcpListeners.has(port)) {
    listener = ns.listenTcp(port, (conn: TcpConnection) => {
      let buf: Uint8Array = new Uint8Array(0);
      return {
        onData: (c: TcpConnection, data) => {
          if (data.kind !== 'raw') return;
          const { messages, rest } = unframeTcpDns(concat(buf, data.bytes));
          buf = rest;
          for (const q of messages) {
            if (q.qr) continue;
            handle(q, (reply) => { if (c.state === 'ESTAB' || c.state === 'CLOSE-WAIT') c.send(rawData(frameTcpDns(reply))); }, new QuerySource(c.remoteAddr, c.reqId));
          }
        },
        onPeerClose: (c: TcpConnection) => c.close(),
      };
      void conn;
    }, { process: 'coredns' });
  }
  const sock = ns.bindUdp(port, (msg, s) => {
    if (msg.data.kind !== 'dns' || msg.data.qr) return;
    const query = new UdpQuery(s, msg);
    handle(msg.data, query.respond, query);
  });
  return { ns, stop: () => { sock.close(); listener?.close(); } };
}

/** One DNS exchange over TCP (dig +tcp): connect to server:53, send the framed query, read one framed reply. */
export function tcpExchange(
  ns: NetNamespace, scheduler: Scheduler, server: string, query: DnsMessage, reqId: number, timeoutMs: number,
  done: (reply: DnsMessage | undefined, error?: ExchangeError) => void,
): void {
  const dst = parseIpv4(server);
  if (dst === undefined) { scheduler.after(0, () => done(undefined, 'unreachable')); return; }
  let finished = false;
  let timer: TaskHandle | undefined;
  let buf: Uint8Array = new Uint8Array(0);
  const finish = (m: DnsMessage | undefined, error?: ExchangeError): void => {
    if (finished) return;
    finished = true;
    scheduler.cancel(timer);
    done(m, error);
  };
  const conn = ns.connectTcp({
    dst, dport: 53, reqId,
    events: {
      onConnect: (c) => c.send(rawData(frameTcpDns(query))),
      onData: (c, data) => {
        if (data.kind !== 'raw') return;
        const { messages, rest } = unframeTcpDns(concat(buf, data.bytes));
        buf = rest;
        const m = messages.find((x) => x.qr && x.id === query.id);
        if (m) { finish(m); c.close(); }
      },
      onPeerClose: (c) => { c.close(); finish(undefined, 'refused'); },
      onClose: (_c, err) => { if (err) finish(undefined, err === 'ECONNREFUSED' ? 'refused' : err === 'ETIMEDOUT' ? 'timeout' : 'unreachable'); },
    },
  });
  timer = scheduler.after(timeoutMs, () => { finish(undefined, 'timeout'); conn.abort(); }, { label: 'dns-tcp-timeout' });
}

/**
 * A forwarder's upstream exchange (CoreDNS `forward`): one query to `upstream`:53 from an ephemeral port,
 * keeping the request id so the upstream hop shows in the same trace.
 */
export function forwardQuery(
  ns: NetNamespace, scheduler: Scheduler, upstream: string, query: DnsMessage, reqId: number, timeoutMs: number,
  done: (reply: DnsMessage | undefined) => void,
): void {
  const dst = parseIpv4(upstream);
  if (dst === undefined) { done(undefined); return; }
  let finished = false;
  let timer: TaskHandle | undefined;
  let sock: UdpSocket | undefined;
  const finish = (m: DnsMessage | undefined): void => {
    if (finished) return;
    finished = true;
    scheduler.cancel(timer);
    sock?.close();
    done(m);
  };
  sock = ns.openUdp(
    (msg) => { if (msg.data.kind === 'dns' && msg.data.qr && msg.data.id === query.id) finish(msg.data); },
    () => finish(undefined),
  );
  timer = scheduler.after(timeoutMs, () => finish(undefined), { label: 'dns-forward-timeout' });
  if (!sock.send(dst, 53, query, { reqId })) finish(undefined);
}
