/**
 * An Ingress controller pod as a real L7 hop: it accepts the client's TCP connection on its HTTP port, routes the
 * request (IngressProxyState), and opens a *new* TCP connection from its own pod to the chosen backend pod —
 * so a packet trace shows two connections and the routing decision between them, and the backend sees the
 * controller's pod IP as the client, with the original client in X-Forwarded-For / X-Real-IP.
 */
import type { ApiStore } from '../api/store';
import type { RunningContainer } from '../apps/runtime';
import type { Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import { formatIpv4 } from '../net/addr';
import type { NetNamespace, TcpListener } from '../net/netns';
import { httpResponse, type HttpRequest as WireRequest } from '../net/packet/http';
import type { TcpConnection } from '../net/tcp-socket';
import type { TraceStore } from '../net/trace';
import { parseResolvConf, type ResolverHost } from '../dns/resolver';
import { httpFetch, type ParsedUrl } from '../workloads/http-client';
import type { ControllerPodConfig } from './controllers';
import { errorResponse, IngressProxyState, nginxAccessLine, traefikAccessLine, type ProxyDecision } from './proxy';

export interface IngressServerDeps {
  readonly store: ApiStore;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly traces: TraceStore;
  readonly appendLog: (podKey: string, container: string, line: string, t: number) => void;
}

/** nginx's proxy_connect_timeout default (ingress-nginx: 5 s) and proxy_read_timeout (60 s). */
const CONNECT_TIMEOUT_MS = 5_000;
const READ_TIMEOUT_MS = 60_000;

/** Upstreams are pod IP literals: the resolver is never consulted. */
const NO_RESOLVER: ResolverHost = { resolvConf: parseResolvConf(''), hosts: new Map() };

export class IngressServer implements Disposable {
  readonly state: IngressProxyState;
  readonly #listener: TcpListener;
  readonly #subs: Disposable[] = [];
  #requests = 0;

  constructor(
    private readonly deps: IngressServerDeps,
    private readonly container: RunningContainer,
    private readonly ns: NetNamespace,
    readonly config: ControllerPodConfig,
  ) {
    this.state = new IngressProxyState(deps.store, config);
    const invalidate = () => this.state.invalidate();
    this.#subs.push(deps.store.watch('ingresses', {}, invalidate), deps.store.watch('ingressclasses', {}, invalidate));
    this.#listener = ns.listenTcp(config.httpPort, (conn) => this.#accept(conn), { process: config.kind.process });
  }

  dispose(): void {
    this.#listener.close();
    for (const s of this.#subs) s.dispose();
  }

  #accept(_conn: TcpConnection) {
    return {
      onData: (conn: TcpConnection, data: { kind: string }) => {
        if (data.kind === 'http-request') this.#request(conn, data as WireRequest);
      },
      onPeerClose: (conn: TcpConnection) => conn.close(),
    };
  }

  #request(conn: TcpConnection, req: WireRequest): void {
    const { scheduler } = this.deps;
    const start = scheduler.now();
    const header = (name: string) => req.headers.find(([k]) => k.toLowerCase() === name)?.[1];
    const host = header('host') ?? '';
    const clientIp = formatIpv4(conn.remoteAddr);
    const requestId = this.#requestId();
    const decision = this.state.decide(host, req.target);
    this.#traceDecision(conn, req, decision);

    const finish = (status: number, reason: string, headers: [string, string][], body: string, upstream?: { addr: string; status?: number; length?: number }) => {
      if (conn.state === 'ESTAB' || conn.state === 'CLOSE-WAIT') conn.send(httpResponse(status, reason, headers, req.method === 'HEAD' ? '' : body));
      const elapsedS = (scheduler.now() - start) / 1000;
      const fields = {
        remoteAddr: clientIp,
        timeMs: scheduler.now(),
        method: req.method,
        target: req.target,
        httpVersion: req.version,
        status,
        bodyBytes: new TextEncoder().encode(body).length,
        referer: header('referer'),
        userAgent: header('user-agent'),
        requestLength: req.byteLength,
        requestTimeS: elapsedS,
        upstreamName: decision.upstreamName,
        ...(upstream ? { upstreamAddr: upstream.addr, upstreamResponseLength: upstream.length ?? 0, upstreamResponseTimeS: elapsedS, upstreamStatus: upstream.status } : {}),
        requestId,
      };
      const line =
        this.config.kind.flavor === 'nginx'
          ? nginxAccessLine(fields)
          : traefikAccessLine(fields, `${decision.upstreamName}@kubernetes`, ++this.#requests);
      this.deps.appendLog(this.container.podKey, this.container.name, line, scheduler.now());
    };

    if (decision.kind === 'local') {
      const r = errorResponse(this.config.kind.flavor, decision.status);
      finish(r.status, r.reason, Object.entries(r.headers), r.body);
      return;
    }

    const upstreamAddr = `${decision.ip}:${decision.port}`;
    // The upstream is a pod IP literal: no URL string to build and parse again.
    const url: ParsedUrl = { scheme: 'http', host: decision.ip, port: decision.port, explicitPort: true, target: req.target || '/' };
    const forwarded: [string, string][] = [
      ['Host', host],
      ['X-Request-ID', requestId],
      ['X-Real-IP', clientIp],
      ['X-Forwarded-For', header('x-forwarded-for') ? `${header('x-forwarded-for')}, ${clientIp}` : clientIp],
      ['X-Forwarded-Host', host],
      ['X-Forwarded-Port', String(this.config.httpPort === 8000 ? 80 : this.config.httpPort)],
      ['X-Forwarded-Proto', 'http'],
      ['X-Forwarded-Scheme', 'http'],
      ['X-Scheme', 'http'],
    ];
    for (const [k, v] of req.headers) {
      const lk = k.toLowerCase();
      if (lk === 'host' || lk.startsWith('x-forwarded') || lk === 'x-real-ip' || lk === 'x-request-id' || lk === 'connection') continue;
      if (lk === 'user-agent' || lk === 'accept') continue;
      forwarded.push([k, v]);
    }
    httpFetch(
      { ns: this.ns, resolver: NO_RESOLVER },
      { scheduler, rng: this.deps.rng },
      {
        method: req.method,
        url,
        headers: forwarded,
        body: req.body,
        ...(header('user-agent') ? { userAgent: header('user-agent')! } : {}),
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        maxTimeMs: READ_TIMEOUT_MS,
        reqId: conn.reqId,
      },
      (o) => {
        if (o.kind === 'response') {
          const r = o.response;
          const headers: [string, string][] = [];
          for (const [k, v] of r.headers) if (!/^(connection|keep-alive|transfer-encoding)$/i.test(k)) headers.push([k, v]);
          if (this.config.kind.flavor === 'nginx') headers.push(['Connection', 'keep-alive']);
          finish(r.status, r.reason, headers, r.body, { addr: upstreamAddr, status: r.status, length: new TextEncoder().encode(r.body).length });
          return;
        }
        const status = o.kind === 'connect-timeout' || o.kind === 'transfer-timeout' ? 504 : 502;
        const e = errorResponse(this.config.kind.flavor, status);
        finish(e.status, e.reason, Object.entries(e.headers), e.body, { addr: upstreamAddr, status });
      },
    );
  }

  #traceDecision(conn: TcpConnection, req: WireRequest, d: ProxyDecision): void {
    const traces = this.deps.traces;
    if (!traces.wants(conn.reqId)) return;
    const verdict = d.kind === 'upstream' ? `proxy to ${d.ip}:${d.port}` : `respond ${d.status}`;
    const detail =
      d.kind === 'upstream'
        ? `${d.match.reason}; upstream ${d.upstreamName}: chose pod endpoint ${d.ip}:${d.port} of [${d.candidates.join(', ')}] (round robin), new TCP connection from ${formatIpv4(conn.localAddr)}`
        : d.reason;
    traces.record({
      // The network's clock (the frame's time while packets drain), as every other hop of the trace is stamped.
      time: this.ns.net.now(),
      reqId: conn.reqId,
      pid: 0,
      netns: this.ns.id,
      kind: 'proxy',
      packet: `${req.method} ${req.target} ${req.version} Host: ${req.headers.find(([k]) => k.toLowerCase() === 'host')?.[1] ?? ''}`,
      verdict,
      detail,
    });
  }

  #requestId(): string {
    let s = '';
    for (let i = 0; i < 4; i++) s += this.deps.rng.nextUint32().toString(16).padStart(8, '0');
    return s;
  }
}

/**
 * Runs an IngressServer in every running Ingress-controller container and tears it down when the container stops.
 */
export class IngressServers implements Disposable {
  readonly #servers = new Map<string, IngressServer>();
  readonly #sub: Disposable;

  constructor(
    private readonly deps: IngressServerDeps,
    runtime: { onChange: (l: (c: { type: 'started' | 'stopped'; container: RunningContainer }) => void) => Disposable },
    private readonly nsOf: (c: RunningContainer) => NetNamespace | undefined,
    private readonly configOf: (c: RunningContainer) => ControllerPodConfig | undefined,
  ) {
    this.#sub = runtime.onChange((ch) => (ch.type === 'started' ? this.start(ch.container) : this.stop(ch.container)));
  }

  get servers(): ReadonlyMap<string, IngressServer> {
    return this.#servers;
  }

  start(c: RunningContainer): void {
    const key = `${c.podKey}/${c.name}`;
    if (this.#servers.has(key)) return;
    const config = this.configOf(c);
    const ns = this.nsOf(c);
    if (!config || !ns || ns.tcpListeners.has(config.httpPort)) return;
    this.#servers.set(key, new IngressServer(this.deps, c, ns, config));
  }

  stop(c: RunningContainer): void {
    const key = `${c.podKey}/${c.name}`;
    this.#servers.get(key)?.dispose();
    this.#servers.delete(key);
  }

  dispose(): void {
    this.#sub.dispose();
    for (const s of this.#servers.values()) s.dispose();
    this.#servers.clear();
  }
}
