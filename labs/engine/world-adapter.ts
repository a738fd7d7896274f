/**
 * The one place the labs engine reaches into the emulator's subsystems. `clusterViewOf` reads the API store (cheap
 * cache reads, no clones), the nodes' netfilter and the packet traces; `probeCapabilities` says which subsystems a
 * world has, so labs whose features have not landed are reported as gated instead of failing obscurely.
 */
import type { KubeObject, Pod, Service } from '../../emulator/api/types';
import type { Resource } from '../../emulator/api/resources';
import { RESOURCES } from '../../emulator/api/resources';
import type { World } from '../../emulator/world';
import { isPodReady, labelsMatch, type ClusterView, type TraceHopView, type TraceView } from './cluster-view';
import type { Capability } from './types';

function byName(a: KubeObject, b: KubeObject): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Loose view of fields subsystems add to World (read defensively: they land at different times). */
type WorldFields = World & Record<string, unknown>;

export function probeCapabilities(world: World): Set<Capability> {
  const w = world as WorldFields;
  const caps = new Set<Capability>();
  const has = (c: string): boolean => world.commands.has(c);
  if ('store' in w && w.store) caps.add('store');
  if (has('kubectl')) caps.add('kubectl');
  if (has('curl') && world.hosts.size > 0) caps.add('network');
  if (has('iptables-save')) caps.add('kube-proxy');
  if (has('nslookup')) caps.add('dns');
  if (has('aws')) caps.add('cloud');
  if (has('minikube') || has('cloud-provider-kind') || has('svclab-tunnel')) caps.add('tunnel');
  if (traceSource(w)) caps.add('traces');
  if (Object.hasOwn(RESOURCES, 'ingresses') && world.hosts.get('workstation')?.fs.exists('/home/student/manifests/ingress-nginx.yaml')) caps.add('ingress');
  if (world.hosts.get('laptop')?.fs.exists('/home/student/manifests/ingress-nginx.yaml')) caps.add('ingress');
  return caps;
}

/** Whatever the network layer exposes as its trace list (`world.traces`), duck-typed. */
function traceSource(w: WorldFields): (() => readonly unknown[]) | undefined {
  const t = w.traces as unknown;
  if (!t) return undefined;
  if (Array.isArray(t)) return () => t;
  const o = t as Record<string, unknown>;
  if (typeof o.list === 'function') return () => (o.list as () => readonly unknown[]).call(t);
  if (typeof o.all === 'function') return () => (o.all as () => readonly unknown[]).call(t);
  if (Array.isArray(o.traces)) return () => o.traces as readonly unknown[];
  return undefined;
}

/** Normalize one trace of the network layer into the engine's `TraceView`. */
export function toTraceView(raw: unknown, index: number): TraceView {
  const r = raw as Record<string, any>;
  const hops: TraceHopView[] = ((r.hops ?? r.events ?? []) as any[]).map((h) => {
    const chain: string | undefined = h.chain ?? h.nf?.chain ?? h.rule?.chain;
    const what = String(h.what ?? h.summary ?? h.kind ?? '');
    const where = String(h.where ?? h.host ?? h.netns ?? '');
    return chain ? { where, what: `${what} ${chain}`.trim(), chain } : { where, what };
  });
  // Netfilter steps may hang under hops as a list of {chain, ...}.
  const extra: TraceHopView[] = [];
  for (const h of (r.hops ?? []) as any[]) {
    for (const s of (h.steps ?? h.netfilter ?? []) as any[]) {
      if (s && typeof s.chain === 'string') extra.push({ where: String(h.where ?? h.host ?? ''), what: `${s.hook ?? ''} ${s.table ?? ''} ${s.chain}`.trim(), chain: s.chain });
    }
  }
  const all = extra.length ? mergeHops(hops, extra) : hops;
  const delivered = r.deliveredTo ?? r.to ?? r.destinationHost;
  return {
    id: String(r.id ?? index),
    from: String(r.from ?? r.source ?? r.srcHost ?? ''),
    ...(delivered ? { deliveredTo: String(delivered) } : {}),
    ...(r.dst ? { dst: String(r.dst) } : {}),
    dropped: Boolean(r.dropped ?? (r.verdict === 'drop' || r.outcome === 'dropped')),
    hops: all,
  };
}

function mergeHops(a: TraceHopView[], b: TraceHopView[]): TraceHopView[] {
  return a.length === 0 ? b : [...a, ...b];
}

export function clusterViewOf(world: World): ClusterView {
  const w = world as WorldFields;
  const store = world.store;
  let caps: Set<Capability> | undefined;
  let traceCache: { n: number; views: TraceView[] } | undefined;
  const list = <T extends KubeObject>(resource: string, namespace?: string): T[] => {
    if (!Object.hasOwn(RESOURCES, resource)) return [];
    return ([...store.peekList(resource as Resource, namespace)] as T[]).sort(byName);
  };
  const view: ClusterView = {
    get capabilities() {
      return (caps ??= probeCapabilities(world));
    },
    list,
    get<T extends KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined {
      if (!Object.hasOwn(RESOURCES, resource)) return undefined;
      return store.peek<T>(resource as Resource, namespace, name);
    },
    podsMatching(namespace, selector) {
      if (!selector || Object.keys(selector).length === 0) return [];
      return list<Pod>('pods', namespace).filter((p) => !p.metadata.deletionTimestamp && labelsMatch(p.metadata.labels, selector));
    },
    endpointIPs(namespace, service) {
      const ep = store.peek('endpoints', namespace, service);
      if (ep) {
        const ips: string[] = [];
        for (const s of (ep.subsets ?? []) as { addresses?: { ip: string }[] }[]) for (const a of s.addresses ?? []) ips.push(a.ip);
        return ips;
      }
      // Before the Endpoints controller lands: EndpointSlices, else nothing.
      const ips: string[] = [];
      for (const sl of list('endpointslices', namespace)) {
        if (sl.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
        for (const e of (sl.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean } }[]) if (e.conditions?.ready !== false) ips.push(...e.addresses);
      }
      return ips;
    },
    service(namespace, name) {
      return store.peek<Service>('services', namespace, name);
    },
    natRules(node) {
      const nf = w.netfilter as { saveText?: (node: string, table?: string) => string } | undefined;
      return nf?.saveText?.(node, 'nat');
    },
    traces() {
      const src = traceSource(w);
      if (!src) return [];
      const raw = src();
      if (!traceCache || traceCache.n !== raw.length) {
        const views = traceCache?.views.slice(0, raw.length) ?? [];
        for (let i = views.length; i < raw.length; i++) views.push(toTraceView(raw[i], i));
        traceCache = { n: raw.length, views };
      }
      return traceCache.views;
    },
  };
  return view;
}

export { isPodReady };
