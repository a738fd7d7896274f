/**
 * The Endpoints controller: for every Service with a selector, an Endpoints object of the same name listing the
 * selected pods' IPs — ready pods under `addresses`, unready ones under `notReadyAddresses`, terminating pods not
 * at all (they leave the moment deletion starts) — grouped into subsets by resolved target ports. Addresses are
 * sorted as strings, as the controller does (`10.244.0.10` before `10.244.0.9`).
 */
import { deepEqual } from '../api/meta';
import type { EndpointAddress, EndpointPort, KubeObject, Pod, Service } from '../api/types';
import type { Disposable } from '../core/events';
import { PortGroups, isPodReady, resolvePorts } from './pod-util';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';
import { ByPodName, ServiceMembers, ServiceSelectorIndex, selects } from './service-index';
import { TriggerTimeTracker, withTriggerTime } from './trigger-time';

export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];
  readonly #index: ServiceSelectorIndex;

  constructor(private readonly ctx: ControllerContext) {
    this.#index = new ServiceSelectorIndex(ctx.store);
    this.#queue = new WorkQueue(ctx.scheduler, 'endpoints', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('services', {}, (ev) => {
        this.#index.onService(ev.type, ev.object);
        this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
      }),
      ctx.store.watch('pods', {}, (ev) => {
        const meta = ev.object.metadata;
        const ns = meta.namespace!;
        this.#index.forEachServiceFor(ns, meta.labels, this.#wake);
        // A relabelled pod may have left a service: the previous labels are in the store's prior version, which a
        // watch does not carry, so services keep a record of their members instead.
        this.#members.forEachServiceOf(ns, meta.name!, this.#wake);
        if (ev.type === 'DELETED') this.#addresses.forget(ns, meta.name!);
      }),
      ctx.store.watch('endpoints', {}, (ev) => {
        if (ev.type === 'DELETED') this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
      }),
    );
  }

  readonly #members = new ServiceMembers();
  readonly #triggerTimes = new TriggerTimeTracker();
  /** Queues a Service's sync (one function for every pod event). */
  readonly #wake = (ns: string, name: string): void => this.#queue.addNamed(ns, name);
  /**
   * The address each pod (without a hostname for the Service) gets, in every Endpoints that lists it: built again
   * only when its IP, node or uid changed, so an Endpoints version shares the addresses of unchanged pods with the
   * last one (the comparison with what is stored finds them identical at once) — across the pod's status updates.
   */
  readonly #addresses = new ByPodName<EndpointAddress>();

  #addressOf(book: Map<string, EndpointAddress>, pod: Pod, ip: string, ns: string): EndpointAddress {
    const name = pod.metadata.name!;
    const nodeName = pod.spec.nodeName as string;
    const uid = pod.metadata.uid!;
    let addr = book.get(name);
    if (addr === undefined || addr.ip !== ip || addr.nodeName !== nodeName || addr.targetRef!.uid !== uid) {
      addr = { ip, nodeName, targetRef: { kind: 'Pod', namespace: ns, name, uid } };
      book.set(name, addr);
    }
    return addr;
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const store = this.ctx.store;
    const svc = store.peek<Service>('services', ns, name);
    const existing = store.peek('endpoints', ns, name);
    if (!svc || !svc.spec.selector || svc.spec.type === 'ExternalName') {
      this.#members.set(ns, name, []);
      if (!svc) this.#triggerTimes.forget(ns, name);
      // Services without a selector have hand-made Endpoints: left alone while the Service exists.
      if (!svc && existing) store.delete('endpoints', ns, name);
      return;
    }
    const selector = svc.spec.selector;
    const ports = svc.spec.ports ?? [];
    const members: string[] = [];
    const groups = new PortGroups(
      ports.map((p) => p.targetPort ?? p.port),
      (pod: Pod) =>
        resolvePorts<EndpointPort>(pod, ports, (p, port, protocol) =>
          p.name ? { name: p.name, port, protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) } : { port, protocol },
        ),
      (epPorts) => ({ ports: epPorts, addresses: [] as EndpointAddress[], notReady: [] as EndpointAddress[] }),
    );
    // Computed on every sync, as the controller does: a sync that changes nothing still moves the tracker on.
    const triggerTimes = this.#triggerTimes.begin(svc);
    const book = this.#addresses.in(ns);
    for (const pod of store.peekList<Pod>('pods', ns)) {
      if (!selects(selector, pod.metadata.labels)) continue;
      members.push(pod.metadata.name!);
      triggerTimes.pod(pod);
      const ip = pod.status?.podIP;
      if (!ip || pod.metadata.deletionTimestamp) continue;
      const phase = pod.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const g = groups.groupOf(pod);
      const addr = pod.spec.hostname && pod.spec.subdomain === name ? hostAddress(pod, ip, ns) : this.#addressOf(book, pod, ip, ns);
      if (isPodReady(pod) || svc.spec.publishNotReadyAddresses) g.addresses.push(addr);
      else g.notReady.push(addr);
    }
    this.#members.set(ns, name, members);
    const triggerTime = triggerTimes.end();
    const byIp = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
    const subsets = groups.values()
      .filter((g) => g.addresses.length || g.notReady.length)
      .map((g) => ({
        ...(g.addresses.length ? { addresses: g.addresses.sort(byIp) } : {}),
        ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
        ...(g.ports.length ? { ports: g.ports } : {}),
      }));
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: ns, ...(Object.keys(labels).length ? { labels } : {}) },
      ...(subsets.length ? { subsets } : {}),
    };
    if (existing && deepEqual(existing.subsets, desired.subsets) && deepEqual(existing.metadata.labels, desired.metadata.labels)) return;
    const annotations = withTriggerTime(existing?.metadata.annotations, triggerTime);
    if (!existing) store.create('endpoints', annotations ? { ...desired, metadata: { ...desired.metadata, annotations } } : desired, OWNED);
    else {
      const { annotations: _old, ...meta } = existing.metadata;
      store.update('endpoints', { ...desired, metadata: { ...meta, labels: desired.metadata.labels, ...(annotations ? { annotations } : {}) } }, OWNED);
    }
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}

/** The address of a pod whose hostname names it under the Service (its subdomain). */
function hostAddress(pod: Pod, ip: string, ns: string): EndpointAddress {
  return { ip, hostname: pod.spec.hostname as string, nodeName: pod.spec.nodeName as string, targetRef: { kind: 'Pod', namespace: ns, name: pod.metadata.name!, uid: pod.metadata.uid! } };
}
