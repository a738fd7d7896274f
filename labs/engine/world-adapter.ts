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
  if (has('cloud-provider-kind') || has('minikube')) caps.add('tunnel');
  if (traceSource(w)) caps.add('traces');
  // Ingress needs the controller manifests in the learner's home (placed by the Ingress subsystem) and a store
  // that serves Ingresses.
  const login = world.hosts.get(world.profile === 'cloud' ? 'laptop' : 'workstation');
  if (Object.hasOwn(RESOURCES, 'ingresses') && login?.fs.exists(`${login.home}/manifests/ingress-nginx.yaml`)) caps.add('ingress');
  return caps;
}

interface TraceStoreLike {
  requests(): readonly { id: number; host: string; label: string; hopCount: number }[];
  hops(reqId: number): readonly TraceHopLike[];
}

interface TraceHopLike {
  readonly pid: number;
  readonly netns: string;
  readonly kind: string;
  readonly packet: string;
  readonly hook?: string;
  readonly verdict?: string;
  readonly detail?: string;
  readonly steps?: readonly { hook: string; table: string; chain: string; verdict: string }[];
}

/** The network layer's trace store (`world.traces`, emulator/net/trace.ts), when present. */
function traceSource(w: WorldFields): TraceStoreLike | undefined {
  const t = w.traces as Partial<TraceStoreLike> | undefined;
  return t && typeof t.requests === 'function' && typeof t.hops === 'function' ? (t as TraceStoreLike) : undefined;
}

const TCP_PACKET = /(\d+\.\d+\.\d+\.\d+)\.(\d+) > (\d+\.\d+\.\d+\.\d+)\.(\d+): Flags \[([^\]]*)\]/;

/**
 * One request (what a tool such as curl started) as a check sees it: its TCP packets only — the DNS lookups that
 * precede a request pass KUBE-SVC chains of kube-dns and must not count as the request's own path. The original
 * destination is the first SYN's; the request was delivered where the last SYN (the one that reached the backend,
 * after any proxy hop) was handed to a socket.
 */
export function toTraceView(req: { id: number; host: string }, hops: readonly TraceHopLike[]): TraceView {
  const tcpPids = new Set<number>();
  const synPids = new Set<number>();
  let dst: string | undefined;
  for (const h of hops) {
    const m = TCP_PACKET.exec(h.packet);
    if (!m) continue;
    tcpPids.add(h.pid);
    if (m[5] === 'S') {
      synPids.add(h.pid);
      dst ??= `${m[3]}:${m[4]}`;
    }
  }
  const out: TraceHopView[] = [];
  let deliveredTo: string | undefined;
  let dropped = false;
  for (const h of hops) {
    if (!tcpPids.has(h.pid)) continue;
    out.push({ where: h.netns, what: [h.kind, h.hook, h.verdict, h.detail].filter(Boolean).join(' ') });
    for (const s of h.steps ?? []) out.push({ where: h.netns, what: `${s.hook} ${s.table} ${s.chain} ${s.verdict}`, chain: s.chain });
    if (synPids.has(h.pid)) {
      if (h.kind === 'deliver') deliveredTo = h.netns;
      if (h.kind === 'drop') dropped = true;
    }
  }
  return { id: String(req.id), from: req.host, ...(deliveredTo ? { deliveredTo } : {}), ...(dst ? { dst } : {}), dropped: dropped && !deliveredTo, hops: out };
}

export function clusterViewOf(world: World): ClusterView {
  const w = world as WorldFields;
  const store = world.store;
  let caps: Set<Capability> | undefined;
  let traceCache = new Map<number, { hopCount: number; view: TraceView }>();
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
      const views: TraceView[] = [];
      const keep = new Map<number, { hopCount: number; view: TraceView }>();
      for (const r of src.requests()) {
        const cached = traceCache.get(r.id);
        const view = cached && cached.hopCount === r.hopCount ? cached.view : toTraceView(r, src.hops(r.id));
        keep.set(r.id, { hopCount: r.hopCount, view });
        views.push(view);
      }
      traceCache = keep;
      return views;
    },
  };
  return view;
}

export { isPodReady };
