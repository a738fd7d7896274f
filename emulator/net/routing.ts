/**
 * A routing table with longest-prefix match, as `ip route` shows the main table. Routes are grouped by prefix
 * length so a lookup tries one hash probe per prefix length in use, whatever the table size; the last answer is
 * remembered until the table changes (a pod sends everything to one gateway, a node to a few peers).
 * Map keys are the network addresses as signed 32-bit integers (small integers to the engine, unlike >>> 0).
 */
import { formatIpv4, networkOf, prefixMask, type Ipv4 } from './addr';

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit';

export interface Route {
  /** Network address (already masked) and prefix length. */
  readonly dst: Ipv4;
  readonly prefix: number;
  readonly type: RouteType;
  /** Gateway (`via`), when not on-link. */
  readonly via?: Ipv4;
  /** Output interface name (absent for blackhole/unreachable). */
  readonly dev?: string;
  /** Preferred source address. */
  readonly src?: Ipv4;
  /** `kernel` for connected routes the kernel adds with an address, `static` for routes added by hand/CNI. */
  readonly proto: 'kernel' | 'static' | 'boot';
  readonly scope: 'link' | 'global' | 'host';
  readonly metric?: number;
}

/**
 * A route as the table keeps it: every field present, in one order, so every route has one object shape and the
 * per-packet reads (`dev`, `via`, `src`, `type`) are single loads. Routes spread from what callers passed had a
 * shape per set of optional fields (a connected route's, a static route's via a gateway), and every reader
 * checked two shapes, the static one with its fields out of the object.
 */
export function routeRecord(
  dst: Ipv4, prefix: number, type: RouteType, via: Ipv4 | undefined, dev: string | undefined, src: Ipv4 | undefined,
  proto: Route['proto'], scope: Route['scope'], metric: number | undefined,
): Route {
  return { dst, prefix, type, via, dev, src, proto, scope, metric };
}

/** Answers `lookup` remembers (see `#memoAddrs`). */
const ROUTE_MEMO_SLOTS = 4;

export class RouteTable {
  readonly #byPrefix: Array<Map<number, Route> | undefined> = new Array(33);
  /** Prefix lengths that have routes, longest first. */
  #prefixes: number[] = [];
  #count = 0;
  /** Counts the table's changes, so a decision made from it can be kept until the next one (see `NetNamespace`). */
  version = 0;
  // The last answers, newest first, until the table changes: a node forwards both ways between the few pods a
  // request involves (client, its DNS server, the backend), so three or four destinations take turns. A fixed
  // handful of slots, the oldest dropped on a miss: nothing keyed by address grows or thrashes.
  readonly #memoAddrs = new Float64Array(ROUTE_MEMO_SLOTS).fill(-1);
  readonly #memoRoutes: (Route | undefined)[] = new Array<Route | undefined>(ROUTE_MEMO_SLOTS).fill(undefined);

  add(route: Route): Route {
    const r = routeRecord(networkOf(route.dst, route.prefix), route.prefix, route.type, route.via, route.dev, route.src, route.proto, route.scope, route.metric);
    let m = this.#byPrefix[r.prefix];
    if (!m) m = this.#byPrefix[r.prefix] = new Map();
    if (m.has(r.dst | 0)) throw new Error('RTNETLINK answers: File exists');
    m.set(r.dst | 0, r);
    this.#count++;
    this.#changed();
    return r;
  }

  /** Replace or add (`ip route replace`). */
  replace(route: Route): Route {
    this.remove(route.dst, route.prefix);
    return this.add(route);
  }

  remove(dst: Ipv4, prefix: number): boolean {
    const m = this.#byPrefix[prefix];
    const key = networkOf(dst, prefix) | 0;
    if (!m || !m.delete(key)) return false;
    this.#count--;
    this.#changed();
    return true;
  }

  /** Remove every route through an interface (the interface went away). */
  removeDev(dev: string): void {
    for (const m of this.#byPrefix) {
      if (!m) continue;
      for (const [k, r] of m) if (r.dev === dev) { m.delete(k); this.#count--; }
    }
    this.#changed();
  }

  #changed(): void {
    this.version++;
    this.#memoAddrs.fill(-1);
    this.#memoRoutes.fill(undefined);
    const ps: number[] = [];
    for (let p = 32; p >= 0; p--) if (this.#byPrefix[p]?.size) ps.push(p);
    this.#prefixes = ps;
  }

  lookup(addr: Ipv4): Route | undefined {
    const addrs = this.#memoAddrs;
    for (let i = 0; i < ROUTE_MEMO_SLOTS; i++) if (addrs[i] === addr) return this.#memoRoutes[i];
    return this.#lookupMiss(addr);
  }

  /** The longest-prefix match for an address the memo does not hold, remembered (apart: `lookup` inlines). */
  #lookupMiss(addr: Ipv4): Route | undefined {
    const addrs = this.#memoAddrs, routes = this.#memoRoutes;
    let found: Route | undefined;
    const ps = this.#prefixes;
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i]!;
      found = this.#byPrefix[p]!.get(addr & prefixMask(p));
      if (found !== undefined) break;
    }
    for (let i = ROUTE_MEMO_SLOTS - 1; i > 0; i--) {
      addrs[i] = addrs[i - 1]!;
      routes[i] = routes[i - 1];
    }
    addrs[0] = addr;
    routes[0] = found;
    return found;
  }

  get size(): number {
    return this.#count;
  }

  /** In the kernel's dump order (by network address, then prefix length). */
  list(): Route[] {
    const all: Route[] = [];
    for (const m of this.#byPrefix) if (m) all.push(...m.values());
    return all.sort((a, b) => a.dst - b.dst || a.prefix - b.prefix);
  }
}

/** One line of `ip route` (with the trailing space iproute2 prints). */
export function formatRoute(r: Route): string {
  let s = '';
  if (r.type !== 'unicast') s += `${r.type} `;
  s += r.prefix === 0 && r.dst === 0 ? 'default' : r.prefix === 32 ? formatIpv4(r.dst) : `${formatIpv4(r.dst)}/${r.prefix}`;
  if (r.via !== undefined) s += ` via ${formatIpv4(r.via)}`;
  if (r.dev) s += ` dev ${r.dev}`;
  if (r.proto !== 'static') s += ` proto ${r.proto}`;
  if (r.scope !== 'global') s += ` scope ${r.scope}`;
  if (r.src !== undefined) s += ` src ${formatIpv4(r.src)}`;
  if (r.metric !== undefined) s += ` metric ${r.metric}`;
  return s + ' ';
}
