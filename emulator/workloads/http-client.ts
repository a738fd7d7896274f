/**
 * An HTTP/1.1 client over the packet network, as libcurl does it: parse the URL, resolve the host through the
 * host's stub resolver (search list, ndots, real UDP queries), open a TCP connection (handshake on virtual time,
 * SYN retransmits, RST / ICMP errors), send one request record, read one response record, close.
 * Used by curl, wget, the apps' outbound calls (currency-conversion → currency-exchange), LB health checks and
 * ingress controllers. Callback-based so a whole request runs inside scheduler tasks.
 */
import type { Rng } from '../core/rng';
import type { Scheduler, TaskHandle } from '../core/scheduler';
import { formatIpv4 } from '../net/addr';
import type { NetNamespace } from '../net/netns';
import type { HttpHeaders, HttpResponse, StreamData } from '../net/packet/http';
import { dottedQuad } from '../net/packet/dns';
import { httpRequest } from '../net/packet/http';
import type { TcpConnection, TcpError, TcpEvents } from '../net/tcp-socket';
import type { LookupFailure, LookupResult, ResolverHost } from '../dns/resolver';
import { resolveHost } from '../dns/resolver';
import { UdpDnsClient } from '../dns/udp';

export interface ParsedUrl {
  readonly scheme: 'http' | 'https';
  readonly host: string;
  /** Port as given, or the scheme's default. */
  readonly port: number;
  readonly explicitPort: boolean;
  /** Path and query, at least `/`. */
  readonly target: string;
}

/** curl's URL parsing, reduced: scheme defaults to http, host[:port], path. Undefined when malformed. */
export function parseUrl(input: string): ParsedUrl | undefined {
  const m = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?([/?#].*)?$/.exec(input);
  if (!m) return undefined;
  const scheme = (m[1] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const host = m[2]!;
  if (host === '') return undefined;
  const portText = m[3];
  const port = portText ? Number(portText) : scheme === 'https' ? 443 : 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  let target = m[4] ?? '/';
  target = target.replace(/#.*$/, '');
  if (target.startsWith('?')) target = '/' + target;
  if (target === '') target = '/';
  return { scheme, host, port, explicitPort: portText !== undefined && portText !== '', target };
}

export type HttpClientEvent =
  | { readonly kind: 'resolved'; readonly host: string; readonly addresses: readonly string[] }
  | { readonly kind: 'trying'; readonly ip: string; readonly port: number }
  | { readonly kind: 'connected'; readonly ip: string; readonly port: number; readonly localPort: number }
  | { readonly kind: 'request-sent' };

export type HttpOutcome =
  | { readonly kind: 'response'; readonly response: HttpResponse; readonly ip: string; readonly port: number; readonly elapsedMs: number }
  | { readonly kind: 'resolve-failed'; readonly host: string; readonly error: LookupFailure; readonly elapsedMs: number }
  | { readonly kind: 'connect-failed'; readonly ip: string; readonly port: number; readonly error: TcpError; readonly elapsedMs: number }
  /** `--connect-timeout` (or `-m` while connecting) expired. */
  | { readonly kind: 'connect-timeout'; readonly ip: string; readonly port: number; readonly elapsedMs: number; readonly byMaxTime: boolean }
  /** `-m` expired after the connection was up. */
  | { readonly kind: 'transfer-timeout'; readonly ip: string; readonly port: number; readonly elapsedMs: number }
  | { readonly kind: 'empty-reply'; readonly ip: string; readonly port: number; readonly elapsedMs: number }
  | { readonly kind: 'recv-error'; readonly ip: string; readonly port: number; readonly error: TcpError; readonly elapsedMs: number };

export interface HttpClientRequest {
  readonly method: string;
  readonly url: ParsedUrl;
  /** Extra headers; Host / User-Agent / Accept defaults are added unless given. */
  readonly headers?: HttpHeaders;
  readonly body?: string;
  readonly userAgent?: string;
  readonly connectTimeoutMs?: number;
  readonly maxTimeMs?: number;
  /** Trace request id for all packets (DNS + TCP). */
  readonly reqId?: number;
  readonly onEvent?: (ev: HttpClientEvent) => void;
}

/** Where a client runs: its network namespace and resolver files. */
export interface ClientHost {
  readonly ns: NetNamespace;
  readonly resolver: ResolverHost;
}

export interface HttpClientDeps {
  readonly scheduler: Scheduler;
  readonly rng: Rng;
}

/** curl's default Accept header, one pair shared by every request's head (header lists are never changed once made). */
const ACCEPT_ANY: readonly [string, string] = ['Accept', '*/*'];

/** The request head curl sends: method, target, Host, User-Agent, Accept, then the caller's headers. */
export function requestHeaders(req: HttpClientRequest): HttpHeaders {
  const hostValue = req.url.explicitPort ? `${req.url.host}:${req.url.port}` : req.url.host;
  if (!req.headers?.length && !req.body) {
    // No headers of the caller's (curl without -H or -d): the defaults alone, no lookup table built, and the
    // list made at its final size (pushing onto a one-element list reserves seventeen slots).
    return req.userAgent
      ? [['Host', hostValue], ['User-Agent', req.userAgent], ACCEPT_ANY]
      : [['Host', hostValue], ACCEPT_ANY];
  }
  const given = new Map((req.headers ?? []).map(([k, v]) => [k.toLowerCase(), v] as const));
  const out: [string, string][] = [];
  if (!given.has('host')) out.push(['Host', hostValue]);
  if (!given.has('user-agent') && req.userAgent) out.push(['User-Agent', req.userAgent]);
  if (!given.has('accept')) out.push(['Accept', '*/*']);
  for (const [k, v] of req.headers ?? []) if (v !== '') out.push([k, v]);
  if (req.body !== undefined && req.body !== '') {
    if (!given.has('content-length')) out.push(['Content-Length', String(new TextEncoder().encode(req.body).length)]);
    if (!given.has('content-type')) out.push(['Content-Type', 'application/x-www-form-urlencoded']);
  }
  return out;
}

export function httpFetch(host: ClientHost, deps: HttpClientDeps, req: HttpClientRequest, done: (o: HttpOutcome) => void): void {
  new Transfer(host, deps, req, done).start();
}

const MAX_TIME_TASK = { label: 'http-max-time' } as const;
const CONNECT_TIMEOUT_TASK = { label: 'http-connect-timeout' } as const;

/**
 * One transfer as curl runs it: resolve, connect, send, read, close. The object is also the connection's event
 * handler (its methods are the TCP callbacks), so a request allocates no closure per callback.
 */
class Transfer implements TcpEvents {
  readonly #host: ClientHost;
  readonly #scheduler: Scheduler;
  readonly #rng: Rng;
  readonly #req: HttpClientRequest;
  readonly #done: (o: HttpOutcome) => void;
  readonly #start: number;
  #finished = false;
  #maxTimer: TaskHandle | undefined = undefined;
  #connTimer: TaskHandle | undefined = undefined;
  #conn: TcpConnection | undefined = undefined;
  /** The address being connected to (the first one resolved); undefined while resolving. */
  #ip: string | undefined = undefined;
  #connected = false;
  #gotResponse = false;

  constructor(host: ClientHost, deps: HttpClientDeps, req: HttpClientRequest, done: (o: HttpOutcome) => void) {
    this.#host = host;
    this.#scheduler = deps.scheduler;
    this.#rng = deps.rng;
    this.#req = req;
    this.#done = done;
    this.#start = deps.scheduler.now();
  }

  start(): void {
    const req = this.#req;
    if (req.maxTimeMs !== undefined) this.#maxTimer = this.#scheduler.after(req.maxTimeMs, () => this.#maxTimeExpired(), MAX_TIME_TASK);
    const dns = new UdpDnsClient({ ns: this.#host.ns, scheduler: this.#scheduler, rng: this.#rng, reqId: req.reqId ?? 0 });
    resolveHost(req.url.host, this.#host.resolver, dns, (r) => this.#resolved(r));
  }

  #elapsed(): number {
    return this.#scheduler.now() - this.#start;
  }

  #finish(o: HttpOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#scheduler.cancel(this.#maxTimer);
    this.#scheduler.cancel(this.#connTimer);
    this.#done(o);
  }

  #maxTimeExpired(): void {
    const ip = this.#ip, port = this.#req.url.port;
    // Report first: aborting the socket fires its close callback synchronously.
    if (ip === undefined) this.#finish({ kind: 'resolve-failed', host: this.#req.url.host, error: 'TIMEOUT', elapsedMs: this.#elapsed() });
    else if (!this.#connected) this.#finish({ kind: 'connect-timeout', ip, port, elapsedMs: this.#elapsed(), byMaxTime: true });
    else this.#finish({ kind: 'transfer-timeout', ip, port, elapsedMs: this.#elapsed() });
    this.#conn?.abort();
  }

  #resolved(r: LookupResult): void {
    if (this.#finished) return;
    const req = this.#req;
    if (!r.ok) { this.#finish({ kind: 'resolve-failed', host: req.url.host, error: r.error, elapsedMs: this.#elapsed() }); return; }
    if (r.source === 'dns' || r.source === 'hosts') req.onEvent?.({ kind: 'resolved', host: req.url.host, addresses: r.addresses });
    const ip = r.addresses[0]!;
    this.#ip = ip;
    req.onEvent?.({ kind: 'trying', ip, port: req.url.port });
    if (req.connectTimeoutMs !== undefined) this.#connTimer = this.#scheduler.after(req.connectTimeoutMs, () => this.#connectTimeoutExpired(), CONNECT_TIMEOUT_TASK);
    // The address text of the answer, which the server and the reply's length have just read: one comparison.
    this.#conn = this.#host.ns.connectTcp({ dst: dottedQuad(ip)!, dport: req.url.port, reqId: req.reqId ?? 0, events: this });
  }

  #connectTimeoutExpired(): void {
    if (this.#connected) return;
    this.#finish({ kind: 'connect-timeout', ip: this.#ip!, port: this.#req.url.port, elapsedMs: this.#elapsed(), byMaxTime: false });
    this.#conn?.abort();
  }

  onConnect(c: TcpConnection): void {
    if (this.#finished) { c.abort(); return; }
    const req = this.#req;
    this.#connected = true;
    this.#scheduler.cancel(this.#connTimer);
    req.onEvent?.({ kind: 'connected', ip: this.#ip!, port: req.url.port, localPort: c.localPort });
    c.send(httpRequest(req.method, req.url.target, requestHeaders(req), req.body ?? ''));
    req.onEvent?.({ kind: 'request-sent' });
  }

  onData(c: TcpConnection, data: StreamData): void {
    if (data.kind !== 'http-response' || this.#gotResponse) return;
    this.#gotResponse = true;
    // curl reads the response and exits; the kernel closes the socket (FIN) when the process goes.
    c.close();
    this.#finish({ kind: 'response', response: data, ip: this.#ip!, port: this.#req.url.port, elapsedMs: this.#elapsed() });
  }

  onPeerClose(c: TcpConnection): void {
    if (!this.#gotResponse) this.#finish({ kind: 'empty-reply', ip: this.#ip!, port: this.#req.url.port, elapsedMs: this.#elapsed() });
    c.close();
  }

  onClose(_c: TcpConnection, error?: TcpError): void {
    if (this.#finished || !error) return;
    const ip = this.#ip!, port = this.#req.url.port;
    if (!this.#connected) this.#finish({ kind: 'connect-failed', ip, port, error, elapsedMs: this.#elapsed() });
    else this.#finish({ kind: 'recv-error', ip, port, error, elapsedMs: this.#elapsed() });
  }
}

export { formatIpv4 };
