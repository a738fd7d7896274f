/**
 * The Ingress routing table an Ingress controller builds from the Ingresses of its class, and the lookup it does
 * per request — the semantics of networking.k8s.io/v1:
 *  - host: optional; exact match, or `*.foo.com` matching exactly one extra label;
 *  - pathType Exact: whole path, case-sensitive; Prefix: element-wise prefix on `/`-split paths, trailing slashes
 *    ignored, partial last elements never match; ImplementationSpecific: as Prefix (what ingress-nginx does
 *    without `use-regex`);
 *  - precedence: the longest matching path wins; on equal length Exact beats Prefix; YAML order does not matter.
 *  - a request matching no rule goes to the Ingress's defaultBackend, else to the controller's default server.
 */

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendRef {
  readonly namespace: string;
  readonly service: string;
  /** Port by number or by name, as written in the Ingress. */
  readonly port: number | string;
}

export interface RouteEntry {
  /** Host as written (`api.example.com`, `*.example.com`), or '' for any host. */
  readonly host: string;
  readonly path: string;
  readonly pathType: PathType;
  readonly backend: ServiceBackendRef;
  /** `namespace/name` of the Ingress the rule came from, and the rule/path index, for traces. */
  readonly ingress: string;
  readonly ruleIndex: number;
  readonly pathIndex: number;
}

export interface DefaultRoute {
  readonly backend: ServiceBackendRef;
  readonly ingress: string;
}

export interface RouteMatch {
  readonly kind: 'rule' | 'default-backend' | 'none';
  readonly route?: RouteEntry;
  readonly defaultRoute?: DefaultRoute;
  /** Why this route won, in words, for packet traces and the inspector. */
  readonly reason: string;
}

/** Minimal shape of networking.k8s.io/v1 Ingress the table needs. */
export interface IngressLike {
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly creationTimestamp?: string };
  readonly spec?: {
    readonly defaultBackend?: { readonly service?: { readonly name: string; readonly port?: { readonly number?: number; readonly name?: string } } };
    readonly rules?: ReadonlyArray<{
      readonly host?: string;
      readonly http?: {
        readonly paths: ReadonlyArray<{
          readonly path?: string;
          readonly pathType?: string;
          readonly backend: { readonly service?: { readonly name: string; readonly port?: { readonly number?: number; readonly name?: string } } };
        }>;
      };
    }>;
  };
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Does a rule path of `pathType` match the request path? */
export function pathMatches(pathType: PathType, rulePath: string, requestPath: string): boolean {
  if (pathType === 'Exact') return rulePath === requestPath;
  const rule = segments(rulePath);
  const req = segments(requestPath);
  if (rule.length > req.length) return false;
  for (let i = 0; i < rule.length; i++) if (rule[i] !== req[i]) return false;
  return true;
}

/** Does an Ingress rule host (exact or `*.` wildcard, '' = any) match the request's Host (port stripped)? */
export function hostMatches(ruleHost: string, requestHost: string): boolean {
  if (ruleHost === '') return true;
  const host = stripPort(requestHost).toLowerCase();
  const rule = ruleHost.toLowerCase();
  if (!rule.startsWith('*.')) return rule === host;
  const suffix = rule.slice(1); // ".foo.com"
  if (!host.endsWith(suffix)) return false;
  const label = host.slice(0, host.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

function stripPort(host: string): string {
  const i = host.lastIndexOf(':');
  return i > 0 && /^\d+$/.test(host.slice(i + 1)) ? host.slice(0, i) : host;
}

function backendRef(namespace: string, svc: { name: string; port?: { number?: number; name?: string } }): ServiceBackendRef {
  return { namespace, service: svc.name, port: svc.port?.number ?? svc.port?.name ?? 80 };
}

export class IngressRoutingTable {
  readonly routes: readonly RouteEntry[];
  readonly defaults: readonly DefaultRoute[];
  readonly #byHost = new Map<string, RouteEntry[]>();
  readonly #wildcard: RouteEntry[] = [];
  readonly #anyHost: RouteEntry[] = [];

  constructor(ingresses: readonly IngressLike[]) {
    const routes: RouteEntry[] = [];
    const defaults: DefaultRoute[] = [];
    // Oldest Ingress first: when two Ingresses claim the same host+path, ingress-nginx keeps the older one.
    const sorted = [...ingresses].sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
    );
    for (const ing of sorted) {
      const ns = ing.metadata.namespace ?? 'default';
      const key = `${ns}/${ing.metadata.name}`;
      const db = ing.spec?.defaultBackend?.service;
      if (db) defaults.push({ backend: backendRef(ns, db), ingress: key });
      (ing.spec?.rules ?? []).forEach((rule, ruleIndex) => {
        (rule.http?.paths ?? []).forEach((p, pathIndex) => {
          if (!p.backend.service) return;
          const pathType = (p.pathType ?? 'ImplementationSpecific') as PathType;
          routes.push({
            host: rule.host ?? '',
            path: p.path ?? '/',
            pathType,
            backend: backendRef(ns, p.backend.service),
            ingress: key,
            ruleIndex,
            pathIndex,
          });
        });
      });
    }
    this.routes = routes;
    this.defaults = defaults;
    // Per request only the routes of the request's host tier are scanned (exact hosts by map).
    for (const r of routes) {
      if (r.host === '') this.#anyHost.push(r);
      else if (r.host.startsWith('*.')) this.#wildcard.push(r);
      else {
        const key = r.host.toLowerCase();
        const list = this.#byHost.get(key);
        if (list) list.push(r);
        else this.#byHost.set(key, [r]);
      }
    }
  }

  /**
   * Pick the route for a request. Hosts first: an exact host beats a wildcard, which beats a rule without host
   * (as ingress-nginx builds one server block per host). Within the chosen host, the longest matching path wins;
   * Exact beats Prefix on equal length.
   */
  match(requestHost: string, requestPath: string): RouteMatch {
    const host = stripPort(requestHost).toLowerCase();
    const path = requestPath.split('?')[0] || '/';
    const tiers: ReadonlyArray<readonly RouteEntry[]> = [
      this.#byHost.get(host) ?? NONE,
      this.#wildcard.length === 0 ? NONE : this.#wildcard.filter((r) => hostMatches(r.host, host)),
      this.#anyHost,
    ];
    for (const candidates of tiers) {
      if (candidates.length === 0) continue;
      let best: RouteEntry | undefined;
      for (const r of candidates) {
        if (!pathMatches(r.pathType, r.path, path)) continue;
        if (!best || better(r, best)) best = r;
      }
      if (best) {
        const hostWords = best.host === '' ? 'any host' : `host ${best.host}`;
        return {
          kind: 'rule',
          route: best,
          reason: `${hostWords}, ${best.pathType} path ${best.path} is the longest match for ${path} (Ingress ${best.ingress})`,
        };
      }
      // ingress-nginx: a server block exists for this host but no location matched; fall to default backend.
      break;
    }
    const def = this.defaults[0];
    if (def) return { kind: 'default-backend', defaultRoute: def, reason: `no rule matches ${host}${path}: defaultBackend of Ingress ${def.ingress}` };
    return { kind: 'none', reason: `no rule matches ${host}${path} and no defaultBackend: the controller's default server answers 404` };
  }
}

const NONE: readonly RouteEntry[] = [];

function effectiveLength(r: RouteEntry): number {
  // Trailing slashes are ignored for Prefix, so /foo/ and /foo are the same length.
  return r.pathType === 'Exact' ? r.path.length : ('/' + segments(r.path).join('/')).length;
}

function better(a: RouteEntry, b: RouteEntry): boolean {
  const la = effectiveLength(a);
  const lb = effectiveLength(b);
  if (la !== lb) return la > lb;
  return a.pathType === 'Exact' && b.pathType !== 'Exact';
}
