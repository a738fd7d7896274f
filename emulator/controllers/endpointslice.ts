/**
 * The EndpointSlice controller (discovery.k8s.io/v1): for every Service with a selector, slices named
 * `<service>-<5 chars>` labelled `kubernetes.io/service-name` and managed-by `endpointslice-controller.k8s.io`,
 * owned by the Service, at most 100 endpoints each. Unlike Endpoints, terminating pods stay listed with
 * `ready: false, terminating: true` (and `serving` = the pod's readiness). A Service with no endpoints gets one
 * placeholder slice with null endpoints and ports.
 */
import { deepEqual, ownerRef } from '../api/meta';
import type { EndpointPort, EndpointSlice, EndpointSliceEndpoint, KubeObject, Node, Pod, Service } from '../api/types';
import type { Disposable } from '../core/events';
import { PortGroups, isPodReady, resolvePorts } from './pod-util';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';
import { ByPodName, ServiceMembers, ServiceSelectorIndex, selects } from './service-index';
import { TriggerTimeTracker, withTriggerTime } from './trigger-time';

export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];
  readonly #index: ServiceSelectorIndex;
  readonly #members = new ServiceMembers();
  readonly #triggerTimes = new TriggerTimeTracker();
  /**
   * The endpoint each pod gets in the slices that list it: built again only when what it says changed (address,
   * conditions, node, zone, uid), so a slice version shares the endpoints of unchanged pods with the last one.
   */
  readonly #endpoints = new ByPodName<EndpointSliceEndpoint>();
  /** Queues a Service's sync (one function for every pod event). */
  readonly #wake = (ns: string, name: string): void => this.#queue.addNamed(ns, name);

  constructor(private readonly ctx: ControllerContext) {
    this.#index = new ServiceSelectorIndex(ctx.store);
    this.#queue = new WorkQueue(ctx.scheduler, 'endpointslice', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('services', {}, (ev) => {
        this.#index.onService(ev.type, ev.object);
        if (ev.type !== 'DELETED') this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
      }),
      ctx.store.watch('pods', {}, (ev) => {
        const meta = ev.object.metadata;
        const ns = meta.namespace!;
        this.#index.forEachServiceFor(ns, meta.labels, this.#wake);
        this.#members.forEachServiceOf(ns, meta.name!, this.#wake);
        if (ev.type === 'DELETED') this.#endpoints.forget(ns, meta.name!);
      }),
      ctx.store.watch('endpointslices', {}, (ev) => {
        const svc = ev.object.metadata.labels?.['kubernetes.io/service-name'];
        if (ev.type === 'DELETED' && svc && ev.object.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY)
          this.#queue.add(`${ev.object.metadata.namespace}/${svc}`);
      }),
    );
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const store = this.ctx.store;
    const svc = store.peek<Service>('services', ns, name);
    if (!svc || svc.metadata.deletionTimestamp || !svc.spec.selector || svc.spec.type === 'ExternalName') {
      this.#members.set(ns, name, []);
      if (!svc) this.#triggerTimes.forget(ns, name);
      return;
    }
    const selector = svc.spec.selector;
    const members: string[] = [];
    const svcPorts = svc.spec.ports ?? [];
    const groups = new PortGroups(
      svcPorts.map((p) => p.targetPort ?? p.port),
      (pod: Pod) =>
        resolvePorts<EndpointPort>(pod, svcPorts, (p, port, protocol) => ({ name: p.name ?? '', port, protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) })),
      (ports) => ({ ports, endpoints: [] as EndpointSliceEndpoint[] }),
    );
    const zones = new Map<string, string | undefined>();
    // Computed on every sync, as the controller does: a sync that changes nothing still moves the tracker on.
    const triggerTimes = this.#triggerTimes.begin(svc);
    const book = this.#endpoints.in(ns);
    for (const pod of store.peekList<Pod>('pods', ns)) {
      if (!selects(selector, pod.metadata.labels)) continue;
      members.push(pod.metadata.name!);
      triggerTimes.pod(pod);
      const ip = pod.status?.podIP;
      const phase = pod.status?.phase;
      if (!ip || phase === 'Succeeded' || phase === 'Failed') continue;
      const g = groups.groupOf(pod);
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const serving = isPodReady(pod);
      const nodeName = pod.spec.nodeName as string | undefined;
      let zone: string | undefined;
      if (nodeName) {
        if (zones.has(nodeName)) zone = zones.get(nodeName);
        else zones.set(nodeName, (zone = store.peek<Node>('nodes', undefined, nodeName)?.metadata.labels?.['topology.kubernetes.io/zone']));
      }
      const podName = pod.metadata.name!;
      let endpoint = book.get(podName);
      if (endpoint === undefined || !describes(endpoint, ip, serving, terminating, nodeName, zone, pod.metadata.uid!)) {
        endpoint = endpointOf(pod, ip, ns, serving, terminating, nodeName, zone);
        book.set(podName, endpoint);
      }
      g.endpoints.push(endpoint);
    }
    this.#members.set(ns, name, members);
    const triggerTime = triggerTimes.end();

    // Desired slices: one list per port signature, chunked, endpoints in address order for stable output.
    const desired: { ports: EndpointPort[] | null; endpoints: EndpointSliceEndpoint[] | null }[] = [];
    for (const g of groups.values().sort((a, b) => (JSON.stringify(a.ports) < JSON.stringify(b.ports) ? -1 : 1))) {
      g.endpoints.sort((a, b) => (a.addresses[0]! < b.addresses[0]! ? -1 : a.addresses[0]! > b.addresses[0]! ? 1 : 0));
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE)
        desired.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
    if (desired.length === 0) desired.push({ ports: null, endpoints: null });

    const existing: EndpointSlice[] = [];
    for (const d of store.dependentsOf(svc.metadata.uid!))
      if (d.resource === 'endpointslices' && d.object.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === MANAGED_BY) existing.push(d.object as EndpointSlice);
    existing.sort((a, b) => (a.metadata.creationTimestamp! < b.metadata.creationTimestamp! ? -1 : a.metadata.creationTimestamp! > b.metadata.creationTimestamp! ? 1 : a.metadata.name! < b.metadata.name! ? -1 : 1));

    const labels: Record<string, string> = {
      ...(svc.metadata.labels ?? {}),
      'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
      'kubernetes.io/service-name': name,
    };
    if (svc.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    desired.forEach((want, i) => {
      const body = { addressType: 'IPv4' as const, endpoints: want.endpoints, ports: want.ports };
      const cur = existing[i];
      if (cur && deepEqual(cur.endpoints, body.endpoints) && deepEqual(cur.ports, body.ports) && deepEqual(cur.metadata.labels, labels)) return;
      // Every slice written in this sync carries the trigger time (or loses it), as the reconciler's finalize does.
      const annotations = withTriggerTime(cur?.metadata.annotations, triggerTime);
      if (cur) {
        const { annotations: _old, ...meta } = cur.metadata;
        store.update('endpointslices', { ...cur, metadata: { ...meta, labels, ...(annotations ? { annotations } : {}) }, ...body }, OWNED);
      } else
        store.create('endpointslices', {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { generateName: `${name}-`, namespace: ns, labels, ...(annotations ? { annotations } : {}), ownerReferences: [ownerRef(svc)] },
          ...body,
        } as KubeObject, OWNED);
    });
    for (const extra of existing.slice(desired.length)) store.delete('endpointslices', ns, extra.metadata.name!);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}

/** Whether `e` (built by endpointOf for a pod of that name) is what endpointOf would build from these. */
function describes(e: EndpointSliceEndpoint, ip: string, serving: boolean, terminating: boolean, nodeName: string | undefined, zone: string | undefined, uid: string): boolean {
  const c = e.conditions;
  return (
    e.addresses[0] === ip &&
    c.serving === serving &&
    c.terminating === terminating &&
    e.nodeName === (nodeName || undefined) &&
    e.zone === (zone || undefined) &&
    e.targetRef!.uid === uid
  );
}

function endpointOf(pod: Pod, ip: string, ns: string, serving: boolean, terminating: boolean, nodeName: string | undefined, zone: string | undefined): EndpointSliceEndpoint {
  const conditions = { ready: serving && !terminating, serving, terminating };
  const targetRef = { kind: 'Pod', namespace: ns, name: pod.metadata.name!, uid: pod.metadata.uid! };
  // One literal per shape (key order as the API server writes them), not spreads of the optional fields.
  if (nodeName && zone) return { addresses: [ip], conditions, nodeName, targetRef, zone };
  if (nodeName) return { addresses: [ip], conditions, nodeName, targetRef };
  if (zone) return { addresses: [ip], conditions, targetRef, zone };
  return { addresses: [ip], conditions, targetRef };
}
