/**
 * What an Ingress controller does with one HTTP request, as a pure decision over API state: build the routing
 * table of the Ingresses it serves, match Host and path, and pick a backend *pod* endpoint from the Service's
 * EndpointSlices (ingress-nginx proxies to endpoints directly, not through the ClusterIP). The network glue
 * (server.ts) then opens the upstream TCP connection or answers with the controller's own error page.
 */
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';
import { servesIngress, type ControllerPodConfig, type IngressFlavor } from './controllers';
import { IngressRoutingTable, type IngressLike, type RouteMatch, type ServiceBackendRef } from './routing';

export interface ProxyUpstream {
  readonly kind: 'upstream';
  readonly ip: string;
  readonly port: number;
  /** ingress-nginx's upstream name, `<ns>-<svc>-<port>`, as in its access log. */
  readonly upstreamName: string;
  readonly match: RouteMatch;
  readonly backend: ServiceBackendRef;
  /** All ready endpoints the choice was made from, `ip:port`. */
  readonly candidates: readonly string[];
}

export interface ProxyLocalResponse {
  readonly kind: 'local';
  readonly status: 404 | 503;
  readonly upstreamName: string;
  readonly match: RouteMatch;
  /** Why, in words, for traces. */
  readonly reason: string;
}

export type ProxyDecision = ProxyUpstream | ProxyLocalResponse;

/**
 * One controller's view: a routing table rebuilt when Ingresses or IngressClasses change (the caller calls
 * `invalidate()` from its watches), and round-robin over endpoints per upstream as nginx's default balancer.
 */
export class IngressProxyState {
  #table: IngressRoutingTable | undefined;
  readonly #rr = new Map<string, number>();

  constructor(
    private readonly store: ApiStore,
    readonly config: ControllerPodConfig,
  ) {}

  invalidate(): void {
    this.#table = undefined;
  }

  get table(): IngressRoutingTable {
    if (!this.#table) {
      const served = this.store.list('ingresses').items.filter((i) => !i.metadata.deletionTimestamp && servesIngress(this.store, this.config, i));
      this.#table = new IngressRoutingTable(served as unknown as IngressLike[]);
    }
    return this.#table;
  }

  decide(host: string, path: string): ProxyDecision {
    const match = this.table.match(host, path);
    const backend = match.route?.backend ?? match.defaultRoute?.backend;
    if (!backend) return { kind: 'local', status: 404, upstreamName: 'upstream-default-backend', match, reason: match.reason };
    const svc = this.store.peek('services', backend.namespace, backend.service);
    const upstreamName = `${backend.namespace}-${backend.service}-${backend.port}`;
    if (!svc) return { kind: 'local', status: 503, upstreamName, match, reason: `${match.reason}; Service ${backend.namespace}/${backend.service} does not exist` };
    const svcPort = (svc.spec?.ports ?? []).find((p: { port: number; name?: string }) =>
      typeof backend.port === 'number' ? p.port === backend.port : p.name === backend.port,
    );
    if (!svcPort)
      return { kind: 'local', status: 503, upstreamName, match, reason: `${match.reason}; Service ${backend.namespace}/${backend.service} has no port ${backend.port}` };
    const endpoints = readyEndpoints(this.store, backend.namespace, backend.service, svcPort.name ?? '');
    if (endpoints.length === 0)
      return { kind: 'local', status: 503, upstreamName, match, reason: `${match.reason}; Service ${backend.namespace}/${backend.service} has no ready endpoints` };
    const i = this.#rr.get(upstreamName) ?? 0;
    this.#rr.set(upstreamName, i + 1);
    const chosen = endpoints[i % endpoints.length]!;
    return { kind: 'upstream', ip: chosen.ip, port: chosen.port, upstreamName, match, backend, candidates: endpoints.map((e) => `${e.ip}:${e.port}`) };
  }
}

/** Ready endpoint addresses of a Service port (by the port's name, '' for an unnamed port), sorted for stable round-robin. */
export function readyEndpoints(store: ApiStore, namespace: string, service: string, portName: string): Array<{ ip: string; port: number }> {
  // Per request: read the store's own objects (no copies) and sort numerically, not with a locale collator.
  const out: Array<{ ip: string; port: number; key: number }> = [];
  for (const s of store.peekList<KubeObject>('endpointslices', namespace)) {
    if (s.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
    const port = (s.ports ?? []).find((p: { name?: string }) => (p.name ?? '') === portName);
    if (!port?.port) continue;
    for (const ep of s.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) out.push({ ip, port: port.port, key: ipKey(ip) });
    }
  }
  out.sort((a, b) => a.key - b.key || a.port - b.port);
  return out.map(({ ip, port }) => ({ ip, port }));
}

function ipKey(ip: string): number {
  const p = ip.split('.');
  return p.length === 4 ? ((+p[0]! << 24) >>> 0) + (+p[1]! << 16) + (+p[2]! << 8) + +p[3]! : 0;
}

// ---- The controllers' own responses, byte for byte ----

const NGINX_PAGE = (title: string): string =>
  `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;

const NGINX_TITLES: Record<number, string> = {
  404: '404 Not Found',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

const TRAEFIK_BODIES: Record<number, string> = {
  404: '404 page not found\n',
  502: 'Bad Gateway',
  503: 'no available server',
  504: 'Gateway Timeout',
};

export function errorResponse(flavor: IngressFlavor, status: 404 | 502 | 503 | 504): { status: number; reason: string; headers: Record<string, string>; body: string } {
  if (flavor === 'nginx') {
    const body = NGINX_PAGE(NGINX_TITLES[status]!);
    return {
      status,
      reason: NGINX_TITLES[status]!.slice(4),
      headers: { 'Content-Type': 'text/html', 'Content-Length': String(body.length), Connection: 'keep-alive' },
      body,
    };
  }
  const body = TRAEFIK_BODIES[status]!;
  return {
    status,
    reason: { 404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' }[status],
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(body.length) },
    body,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** nginx `$time_local` in UTC: `28/Nov/2026:06:13:13 +0000`. */
export function nginxTimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

export interface AccessLogFields {
  readonly remoteAddr: string;
  readonly timeMs: number;
  readonly method: string;
  readonly target: string;
  readonly httpVersion: string;
  readonly status: number;
  readonly bodyBytes: number;
  readonly referer?: string;
  readonly userAgent?: string;
  readonly requestLength: number;
  readonly requestTimeS: number;
  readonly upstreamName: string;
  readonly upstreamAddr?: string;
  readonly upstreamResponseLength?: number;
  readonly upstreamResponseTimeS?: number;
  readonly upstreamStatus?: number;
  readonly requestId: string;
}

/** ingress-nginx's default `log-format-upstream`. */
export function nginxAccessLine(f: AccessLogFields): string {
  const upstream =
    f.upstreamAddr !== undefined
      ? `${f.upstreamAddr} ${f.upstreamResponseLength ?? 0} ${(f.upstreamResponseTimeS ?? 0).toFixed(3)} ${f.upstreamStatus ?? '-'}`
      : '- - - -';
  return (
    `${f.remoteAddr} - - [${nginxTimeLocal(f.timeMs)}] "${f.method} ${f.target} ${f.httpVersion}" ${f.status} ${f.bodyBytes} ` +
    `"${f.referer ?? '-'}" "${f.userAgent ?? '-'}" ${f.requestLength} ${f.requestTimeS.toFixed(3)} [${f.upstreamName}] [] ${upstream} ${f.requestId}`
  );
}

/** Traefik's common log format line (access logs enabled). */
export function traefikAccessLine(f: AccessLogFields, routerName: string, requestCount: number): string {
  const upstream = f.upstreamAddr ? `"http://${f.upstreamAddr}"` : '"-"';
  return (
    `${f.remoteAddr} - - [${nginxTimeLocal(f.timeMs)}] "${f.method} ${f.target} ${f.httpVersion}" ${f.status} ${f.bodyBytes} ` +
    `"${f.referer ?? '-'}" "${f.userAgent ?? '-'}" ${requestCount} "${routerName}" ${upstream} ${Math.round(f.requestTimeS * 1000)}ms`
  );
}
