/**
 * What the simulation panel, the per-hop inspector, the topology view and the resource inspector show of one world,
 * as the contract's plain data. Everything here reads the emulator (traces, network, API store, netfilter); nothing
 * writes to it — the fault buttons run terminal commands, so every action is also doable from the terminal.
 *
 * Changes are announced, not streamed: `onTraceChanged` / `onTopologyChanged` fire (coalesced per macrotask) and the
 * renderer asks again, so a burst of 500 hops is one message.
 */
import type { Disposable } from '../../emulator/core/events';
import { toYaml } from '../../emulator/commands/kubectl/printers/yaml';
import type { KubeObject } from '../../emulator/api/types';
import { RESOURCES, RESOURCE_LIST, type Resource } from '../../emulator/api/resources';
import { netfilterFor, saveTables } from '../../emulator/netfilter';
import { formatIpv4 } from '../../emulator/net/addr';
import { LINKTYPE_LINUX_SLL2, SNAPLEN, writePcap, type PcapRecord } from '../../emulator/net/pcap';
import type { TraceHop } from '../../emulator/net/trace';
import type { EditorRequest } from '../../emulator/shell/types';
import type { World } from '../../emulator/world';
import type {
  EditorFile,
  EditorSaveResult,
  PcapExport,
  ResourceDetail,
  ResourceTree,
  ServiceChains,
  TopologyGraph,
  TopologyLink,
  TopologyNode,
  TraceHopInfo,
  TraceProtocol,
  TraceRequestInfo,
} from '../contract';

/** The protocol a hop's packet belongs to, from tcpdump's text (the same text the learner sees in tcpdump). */
export function protocolOf(packet: string): TraceProtocol {
  if (/^ARP\b|\bARP,/.test(packet)) return 'ARP';
  if (/\bICMP\b/.test(packet)) return 'ICMP';
  const ports = /\.(\d+) > [^ ]+\.(\d+):/.exec(packet);
  const isDnsPort = ports ? ports[1] === '53' || ports[2] === '53' : false;
  if (isDnsPort) return 'DNS';
  if (/\bFlags \[/.test(packet)) {
    if (/\bHTTP(\/1\.[01])?\b|: (GET|POST|PUT|DELETE|HEAD) \//.test(packet)) return 'HTTP';
    return 'TCP';
  }
  if (/\bUDP\b/.test(packet)) return 'UDP';
  return 'OTHER';
}

export function hopInfo(h: TraceHop): TraceHopInfo {
  return {
    seq: h.seq,
    at: h.time,
    reqId: h.reqId,
    pid: h.pid,
    where: h.netns,
    kind: h.kind,
    iface: h.iface,
    dir: h.dir,
    packet: h.packet,
    // An Ingress controller's proxy hop carries the HTTP request it routed (no IP header: it is the L7 decision).
    protocol: h.kind === 'proxy' ? 'HTTP' : protocolOf(h.packet),
    hook: h.hook,
    steps: h.steps?.map((s) => ({ ...s })),
    verdict: h.verdict,
    conntrack: h.conntrack ? { line: h.conntrack.line, state: h.conntrack.state } : undefined,
    natBefore: h.natBefore,
    natAfter: h.natAfter,
    route: h.route,
    detail: h.detail,
  };
}

/** Frames kept per request for pcap export (the request's origin host, any interface). */
const MAX_FRAMES_PER_REQUEST = 2000;

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function isReady(obj: KubeObject, type: string): boolean {
  const conds = ((obj as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []);
  return conds.some((c) => c.type === type && c.status === 'True');
}

export class WorldViews {
  readonly #world: World;
  readonly #frames = new Map<number, PcapRecord[]>();
  readonly #captured = new Set<string>();
  readonly #detach: (() => void)[] = [];
  readonly #subs: Disposable[] = [];
  readonly #traceListeners = new Set<(requestId: number) => void>();
  readonly #topologyListeners = new Set<() => void>();
  readonly #editorListeners = new Set<(e: { editorId: number; title: string; content: string }) => void>();
  readonly #editors = new Map<number, EditorRequest>();
  #nextEditor = 1;
  #pendingTraces = new Set<number>();
  #traceTimer: ReturnType<typeof setTimeout> | undefined;
  #topologyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(world: World) {
    this.#world = world;
    this.#subs.push(
      world.traces.onRequest((req) => {
        this.#captureOn(req.host);
        this.#traceChanged(req.id);
      }),
      world.traces.onTrace((hop) => {
        if (hop.reqId !== 0) this.#traceChanged(hop.reqId);
      }),
    );
    for (const r of ['pods', 'services', 'endpoints', 'nodes'] as const) {
      this.#subs.push(world.store.watch(r, {}, () => this.#topologyChanged()));
    }
  }

  onTraceChanged(listener: (requestId: number) => void): () => void {
    this.#traceListeners.add(listener);
    return () => this.#traceListeners.delete(listener);
  }

  onTopologyChanged(listener: () => void): () => void {
    this.#topologyListeners.add(listener);
    return () => this.#topologyListeners.delete(listener);
  }

  /** The shell's `openEditor`: hand the document to the app's editor; false when no window listens. */
  openEditor(request: EditorRequest): boolean {
    if (this.#editorListeners.size === 0) return false;
    const editorId = this.#nextEditor++;
    this.#editors.set(editorId, request);
    for (const l of [...this.#editorListeners]) l({ editorId, title: request.title, content: request.content });
    return true;
  }

  onEditorOpen(listener: (e: { editorId: number; title: string; content: string }) => void): () => void {
    this.#editorListeners.add(listener);
    return () => this.#editorListeners.delete(listener);
  }

  saveEditor(editorId: number, text: string): EditorSaveResult {
    const req = this.#editors.get(editorId);
    if (!req) return { ok: false, message: 'This editor is closed: its command has finished.' };
    const result = req.onSave(text);
    if (result.ok) this.#editors.delete(editorId);
    return result;
  }

  #resolvePath(path: string): string {
    const host = this.#world.loginHost;
    const p = path.startsWith('~/') ? `${host.home}/${path.slice(2)}` : path === '~' ? host.home : path;
    if (!p.startsWith('/')) return `${host.home}/${p}`;
    return p;
  }

  readFile(path: string): EditorFile {
    const full = this.#resolvePath(path);
    const fs = this.#world.loginHost.fs;
    if (fs.isDir(full)) throw new Error(`${path}: Is a directory`);
    return { path: full, content: fs.readFile(full) ?? '' };
  }

  writeFile(path: string, content: string): void {
    const full = this.#resolvePath(path);
    this.#world.loginHost.fs.writeFile(full, content);
  }

  requests(): TraceRequestInfo[] {
    return this.#world.traces.requests().map((r) => ({
      id: r.id,
      label: r.label,
      host: r.host,
      startedAt: r.startedAt,
      hopCount: r.hopCount,
      packetCount: r.packetCount,
    }));
  }

  /** A request's hops, or only those after `afterSeq` (hops are in `seq` order). */
  hops(requestId: number, afterSeq = 0): TraceHopInfo[] {
    const all = this.#world.traces.hops(requestId);
    if (afterSeq <= 0) return all.map(hopInfo);
    let from = all.length;
    while (from > 0 && all[from - 1]!.seq > afterSeq) from--;
    return all.slice(from).map(hopInfo);
  }

  pcap(requestId: number): PcapExport {
    const req = this.#world.traces.request(requestId);
    if (!req) throw new Error(`no captured request ${requestId}`);
    const records = this.#frames.get(requestId) ?? [];
    const bytes = writePcap({ linktype: LINKTYPE_LINUX_SLL2, snaplen: SNAPLEN, records });
    const slug = req.label.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'request';
    return { fileName: `request-${requestId}-${slug}.pcap`, base64: base64(bytes), packets: records.length };
  }

  topology(sessionId: string): TopologyGraph {
    const w = this.#world;
    const nodes: TopologyNode[] = [];
    const links: TopologyLink[] = [];
    const pods = new Map(w.store.list('pods').items.map((p) => [`pod/${p.metadata.namespace}/${p.metadata.name}`, p]));
    const k8sNodes = new Map(w.store.list('nodes').items.map((n) => [`node/${n.metadata.name}`, n]));
    const podByIp = new Map<string, string>();
    // A LoadBalancer Service's LB is a host of its own, `lb/<provider name>` (AWS style: `a` + the UID, no dashes).
    const lbOwner = new Map<string, KubeObject>();
    const lbLinks: TopologyLink[] = [];
    for (const svc of w.store.list('services').items) {
      if ((svc as { spec?: { type?: string } }).spec?.type !== 'LoadBalancer') continue;
      lbOwner.set(`lb/${`a${(svc.metadata.uid ?? '').replace(/-/g, '')}`.slice(0, 32)}`, svc);
    }
    const loginId = w.loginHost.id;
    const seenLinks = new Set<string>();
    for (const ns of w.network.namespaces.values()) {
      const ips: string[] = [];
      // eth0's address first: it is the one the learner knows a host by (a node's cni0 gateway comes after).
      const ifaces = [...ns.ifaces.values()].filter((i) => i.kind !== 'loopback').sort((a, b) => Number(b.name === 'eth0') - Number(a.name === 'eth0'));
      for (const i of ifaces) for (const a of i.addrs) ips.push(formatIpv4(a.addr));
      const id = ns.id;
      let kind: TopologyNode['kind'] = 'internet-host';
      let status: TopologyNode['status'] = 'unknown';
      let parent: string | undefined;
      const roles: string[] = [];
      let label = id;
      let detail = '';
      if (id === loginId) {
        kind = 'workstation';
        label = `${w.loginHost.hostname} (you)`;
        status = 'ready';
      } else if (id === 'internet') {
        kind = 'internet';
        label = 'internet';
      } else if (id === 'vpc-router') {
        kind = 'router';
        label = 'VPC router';
      } else if (pods.has(id)) {
        const p = pods.get(id)!;
        kind = 'pod';
        label = p.metadata.name ?? id;
        parent = `node/${(p as { spec?: { nodeName?: string } }).spec?.nodeName ?? ''}`;
        status = isReady(p, 'Ready') ? 'ready' : 'not-ready';
        const labels = p.metadata.labels ?? {};
        if (labels['k8s-app'] === 'kube-dns') roles.push('coredns');
        if (/ingress/.test(p.metadata.namespace ?? '') || labels['app.kubernetes.io/component'] === 'controller') roles.push('ingress-controller');
        detail = `${p.metadata.namespace}/${p.metadata.name} phase=${(p as { status?: { phase?: string } }).status?.phase ?? 'Unknown'}`;
        for (const ip of ips) podByIp.set(ip, id);
      } else if (k8sNodes.has(id)) {
        const n = k8sNodes.get(id)!;
        kind = 'node';
        label = n.metadata.name ?? id;
        status = isReady(n, 'Ready') ? 'ready' : 'not-ready';
        if ((n as { spec?: { unschedulable?: boolean } }).spec?.unschedulable) roles.push('cordoned');
        if (n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined) roles.push('control-plane');
      } else if (lbOwner.has(id)) {
        const svc = lbOwner.get(id)!;
        kind = 'loadbalancer';
        label = `${w.profile === 'cloud' ? 'ELB' : 'LB'} ${svc.metadata.name}`;
        status = 'ready';
        roles.push('load-balancer');
        detail = `load balancer of Service ${svc.metadata.namespace}/${svc.metadata.name} (${id.slice(3)}): proxies to a node's NodePort`;
        lbLinks.push({ id: `lb:${id}>svc/${svc.metadata.namespace}/${svc.metadata.name}`, from: id, to: `svc/${svc.metadata.namespace}/${svc.metadata.name}`, kind: 'endpoint', label: 'serves' });
      } else if (id.startsWith('pod/')) {
        continue; // a sandbox being torn down
      } else if (w.hosts.get(id)?.kind === 'vm') {
        kind = 'vm';
        label = w.hosts.get(id)!.hostname;
      }
      nodes.push({ id, kind, label, ips, parent, status, roles, detail: detail || ips.join(', ') });
      for (const i of ns.ifaces.values()) {
        // A cable is a veth pair: its two ends are in two namespaces.
        const peerNs = i.peer?.ns.id;
        if (!peerNs || peerNs === id) continue;
        const key = [id, peerNs].sort().join('|');
        if (seenLinks.has(key)) continue;
        seenLinks.add(key);
        links.push({ id: `cable:${key}`, from: id, to: peerNs, kind: 'cable', label: `${i.name} ↔ ${i.peer!.name}` });
      }
    }
    const known = new Set(nodes.map((n) => n.id));
    for (const l of links.splice(0)) if (known.has(l.from) && known.has(l.to)) links.push(l);
    const endpoints = new Map(w.store.list('endpoints').items.map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
    for (const svc of w.store.list('services').items) {
      const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
      const spec = (svc as { spec?: { clusterIP?: string; type?: string; ports?: { port: number; nodePort?: number }[] } }).spec ?? {};
      const lbIngress = (svc as { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } }).status?.loadBalancer?.ingress ?? [];
      const ep = endpoints.get(key) as { subsets?: { addresses?: { ip: string }[] }[] } | undefined;
      const epIps = (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
      const id = `svc/${key}`;
      const ports = (spec.ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}` : String(p.port))).join(',');
      nodes.push({
        id,
        kind: spec.type === 'LoadBalancer' && lbIngress.length > 0 ? 'loadbalancer' : 'service',
        label: svc.metadata.name ?? '',
        ips: [spec.clusterIP ?? '', ...lbIngress.map((i) => i.ip ?? i.hostname ?? '')].filter((s) => s && s !== 'None'),
        status: epIps.length > 0 ? 'ready' : 'not-ready',
        roles: svc.metadata.name === 'kube-dns' ? ['coredns'] : [],
        detail: `${spec.type ?? 'ClusterIP'} ${spec.clusterIP ?? ''} ${ports}`.trim(),
      });
      for (const ip of epIps) {
        const pod = podByIp.get(ip);
        if (pod) links.push({ id: `ep:${id}>${pod}`, from: id, to: pod, kind: 'endpoint', label: ip });
      }
    }
    links.push(...lbLinks);
    return { sessionId, now: w.scheduler.now(), nodes, links };
  }

  resourceTree(): ResourceTree {
    const byNs = new Map<string, Map<string, { kind: string; resource: string; names: string[] }>>();
    for (const info of RESOURCE_LIST) {
      if (info.resource === 'events') continue;
      for (const o of this.#world.store.list(info.resource).items) {
        const ns = info.namespaced ? (o.metadata.namespace ?? 'default') : '';
        let kinds = byNs.get(ns);
        if (!kinds) byNs.set(ns, (kinds = new Map()));
        let k = kinds.get(info.kind);
        if (!k) kinds.set(info.kind, (k = { kind: info.kind, resource: info.resource, names: [] }));
        k.names.push(o.metadata.name ?? '');
      }
    }
    const groups = [...byNs.entries()]
      .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
      .map(([namespace, kinds]) => ({
        namespace,
        kinds: [...kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind)).map((k) => ({ ...k, names: k.names.sort() })),
      }));
    return { groups };
  }

  resource(resource: string, namespace: string | undefined, name: string): ResourceDetail {
    const info = RESOURCES[resource as Resource];
    if (!info) throw new Error(`error: the server doesn't have a resource type "${resource}"`);
    const ns = info.namespaced ? (namespace ?? 'default') : undefined;
    const obj = this.#world.store.tryGet(info.resource, ns, name);
    if (!obj) throw new Error(`Error from server (NotFound): ${info.qualifiedResource} "${name}" not found`);
    const events = this.#world.store
      .list('events', { namespace: ns })
      .items.filter((e) => {
        const inv = (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
        return inv?.kind === info.kind && inv.name === name;
      })
      .map((e) => {
        const ev = e as { type?: string; reason?: string; message?: string; count?: number };
        return { type: ev.type ?? 'Normal', reason: ev.reason ?? '', message: ev.message ?? '', count: ev.count ?? 1 };
      });
    const detail: { -readonly [K in keyof ResourceDetail]: ResourceDetail[K] } = {
      kind: info.kind,
      yaml: toYaml(obj),
      events,
    };
    if (info.resource === 'services') {
      const ep = this.#world.store.tryGet('endpoints', ns, name);
      if (ep) detail.endpointsYaml = toYaml(ep);
      detail.nodes = this.#world.store.list('nodes').items.map((n) => n.metadata.name ?? '');
    }
    return detail;
  }

  /** The nat-table lines of one Service's chains on one node: KUBE-SERVICES/NODEPORTS jumps, KUBE-SVC/EXT/FW/SEP. */
  serviceChains(namespace: string, name: string, node: string): ServiceChains {
    if (!this.#world.store.tryGet('nodes', undefined, node)) throw new Error(`Error from server (NotFound): nodes "${node}" not found`);
    if (!this.#world.store.tryGet('services', namespace, name)) {
      throw new Error(`Error from server (NotFound): services "${name}" not found`);
    }
    const nf = netfilterFor(this.#world, `node/${node}`);
    const text = nf ? saveTables(nf.ruleset.tables, { table: 'nat' }) : '';
    return { node, lines: serviceChainLines(text, `${namespace}/${name}`) };
  }

  dispose(): void {
    for (const s of this.#subs) s.dispose();
    for (const d of this.#detach) d();
    clearTimeout(this.#traceTimer);
    clearTimeout(this.#topologyTimer);
    this.#traceListeners.clear();
    this.#topologyListeners.clear();
  }

  #captureOn(nsId: string): void {
    if (this.#captured.has(nsId)) return;
    const ns = this.#world.network.ns(nsId);
    if (!ns) return;
    this.#captured.add(nsId);
    this.#detach.push(
      this.#world.network.attachCapture(ns, {
        iface: undefined,
        onFrame: (time, iface, frame, dir) => {
          const reqId = (frame.payload as { reqId?: number }).reqId ?? 0;
          if (reqId === 0 || !this.#world.traces.request(reqId)) return;
          let list = this.#frames.get(reqId);
          if (!list) {
            this.#frames.set(reqId, (list = []));
            // Keep frames only for requests the trace store still keeps.
            for (const id of this.#frames.keys()) if (!this.#world.traces.request(id)) this.#frames.delete(id);
          }
          if (list.length < MAX_FRAMES_PER_REQUEST) list.push({ time, frame, ifindex: iface.index, dir });
        },
      }),
    );
  }

  #traceChanged(requestId: number): void {
    this.#pendingTraces.add(requestId);
    this.#traceTimer ??= setTimeout(() => {
      this.#traceTimer = undefined;
      const ids = [...this.#pendingTraces];
      this.#pendingTraces = new Set();
      for (const id of ids) for (const l of [...this.#traceListeners]) l(id);
    }, 30);
  }

  #topologyChanged(): void {
    this.#topologyTimer ??= setTimeout(() => {
      this.#topologyTimer = undefined;
      for (const l of [...this.#topologyListeners]) l();
    }, 100);
  }
}

/** Pick a Service's rules out of an iptables-save nat table: the lines that name it, then every chain they reach. */
export function serviceChainLines(natText: string, serviceKey: string): string[] {
  const lines = natText.split('\n').filter((l) => l.startsWith('-A '));
  const chainOf = (l: string) => l.split(' ')[1]!;
  const targetOf = (l: string) => /-j (KUBE-(?:SVC|SEP|EXT|FW|SVL|XLB)-[A-Z0-9]+)/.exec(l)?.[1];
  const quoted = new RegExp(`"${serviceKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:[^"]*)?( [^"]*)?"|\\b${serviceKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\S*)?\\b`);
  const chains = new Set<string>();
  const picked = new Set<number>();
  lines.forEach((l, i) => {
    if (!quoted.test(l)) return;
    picked.add(i);
    const t = targetOf(l);
    if (t) chains.add(t);
    if (/^-A KUBE-(SVC|SEP|EXT|FW|SVL|XLB)-/.test(l)) chains.add(chainOf(l));
  });
  let grew = true;
  while (grew) {
    grew = false;
    lines.forEach((l, i) => {
      if (!chains.has(chainOf(l))) return;
      picked.add(i);
      const t = targetOf(l);
      if (t && !chains.has(t)) {
        chains.add(t);
        grew = true;
      }
    });
  }
  // In the order a packet meets them: the entry jumps, then the Service's chains, then its endpoints' DNATs.
  const rank = (l: string) => {
    const c = chainOf(l);
    return c === 'KUBE-SERVICES' || c === 'KUBE-NODEPORTS' ? 0 : /^KUBE-(EXT|FW|XLB)-/.test(c) ? 1 : /^KUBE-SV[CL]-/.test(c) ? 2 : 3;
  };
  return lines
    .map((l, i) => ({ l, i }))
    .filter(({ i }) => picked.has(i))
    .sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i)
    .map(({ l }) => l);
}
