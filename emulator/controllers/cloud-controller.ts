/**
 * The cloud controller manager's service controller: for each `type: LoadBalancer` Service it provisions a load
 * balancer after a short virtual delay (events EnsuringLoadBalancer → EnsuredLoadBalancer, from
 * `service-controller`), writes `status.loadBalancer.ingress`, keeps the targets in step with the nodes, and
 * tears it down (DeletingLoadBalancer → DeletedLoadBalancer) when the Service goes or changes type — holding the
 * Service with the `service.kubernetes.io/load-balancer-cleanup` finalizer until then, as the real one does.
 *
 * The same controller, with provider `tunnel`, is the local stand-in (`cloud-provider-kind`): it runs only while
 * the learner's tunnel command runs and takes addresses from the kind network.
 */
import { isApiError } from '../api/errors';
import type { KubeObject, Node, Service } from '../api/types';
import type { Disposable } from '../core/events';
import { intToIp, ipToInt } from './ip';
import type { LoadBalancerRecord, LoadBalancerRegistry } from './load-balancers';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';

export const LB_CLEANUP_FINALIZER = 'service.kubernetes.io/load-balancer-cleanup';
const SOURCE = { component: 'service-controller' };

export interface LoadBalancerControllerOptions {
  readonly provider: 'cloud' | 'tunnel';
  /** First and last address of the pool LB addresses come from. */
  readonly pool: readonly [string, string];
  /** Virtual ms from "Ensuring" to "Ensured". */
  readonly provisionMs: number;
  /** Cloud: write an AWS-style hostname next to the IP. */
  readonly hostnameSuffix?: string;
  /** Tunnel: use the Service's ClusterIP as the external IP (minikube tunnel on Linux) instead of the pool. */
  readonly useClusterIP?: boolean;
}

function wantsLB(s: KubeObject | undefined): boolean {
  return !!s && s.spec?.type === 'LoadBalancer' && !s.spec.loadBalancerClass && !s.metadata.deletionTimestamp;
}

export class LoadBalancerController implements Controller {
  readonly name: string;
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];
  readonly #used = new Set<string>();
  #next: number;
  readonly #first: number;
  readonly #last: number;
  /** Services being provisioned (Ensuring sent, not yet Ensured). */
  readonly #pending = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly registry: LoadBalancerRegistry,
    private readonly opts: LoadBalancerControllerOptions,
  ) {
    this.name = `service-controller/${opts.provider}`;
    this.#first = ipToInt(opts.pool[0])!;
    this.#last = ipToInt(opts.pool[1])!;
    this.#next = this.#first;
    this.#queue = new WorkQueue(ctx.scheduler, this.name, (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('services', {}, (ev) => this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`)),
      ctx.store.watch('nodes', {}, () => {
        for (const lb of this.registry.list()) if (lb.provider === opts.provider) this.#queue.add(lb.serviceKey);
      }),
    );
  }

  #allocate(): string | undefined {
    const span = this.#last - this.#first + 1;
    for (let k = 0; k < span; k++) {
      const n = this.#first + ((this.#next - this.#first + k) % span);
      const ip = intToIp(n);
      if (!this.#used.has(ip)) {
        this.#used.add(ip);
        this.#next = n + 1 > this.#last ? this.#first : n + 1;
        return ip;
      }
    }
    return undefined;
  }

  #targets(): { nodeName: string; ip: string }[] {
    const out: { nodeName: string; ip: string }[] = [];
    for (const n of this.ctx.store.peekList<Node>('nodes')) {
      if (n.metadata.labels?.['node.kubernetes.io/exclude-from-external-load-balancers'] !== undefined) continue;
      const ip = n.status?.addresses.find((a) => a.type === 'InternalIP')?.address;
      if (ip) out.push({ nodeName: n.metadata.name!, ip });
    }
    return out.sort((a, b) => (a.nodeName < b.nodeName ? -1 : 1));
  }

  #record(svc: Service, ip: string, prev?: LoadBalancerRecord): LoadBalancerRecord {
    const uid = svc.metadata.uid!;
    return {
      name: prev?.name ?? `a${uid.replace(/-/g, '')}`.slice(0, 32),
      provider: this.opts.provider,
      serviceKey: `${svc.metadata.namespace}/${svc.metadata.name}`,
      serviceUid: uid,
      ip,
      ...(this.opts.hostnameSuffix ? { hostname: `${(prev?.name ?? `a${uid.replace(/-/g, '')}`.slice(0, 32))}-${(ipToInt(ip)! % 1_000_000_000).toString().padStart(9, '0').slice(0, 10)}.${this.opts.hostnameSuffix}` } : {}),
      ...(svc.spec.clusterIP ? { clusterIP: svc.spec.clusterIP } : {}),
      listeners: (svc.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol, ...(p.nodePort ? { nodePort: p.nodePort } : {}), ...(p.name ? { name: p.name } : {}) })),
      targets: this.#targets(),
      externalTrafficPolicy: svc.spec.externalTrafficPolicy ?? 'Cluster',
      ...(svc.spec.healthCheckNodePort ? { healthCheckNodePort: svc.spec.healthCheckNodePort } : {}),
      sourceRanges: svc.spec.loadBalancerSourceRanges ?? ['0.0.0.0/0'],
      createdAt: prev?.createdAt ?? this.ctx.scheduler.now(),
    };
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const store = this.ctx.store;
    const svc = store.peek<Service>('services', ns, name);
    const existing = this.registry.forService(key);
    const mine = existing && existing.provider === this.opts.provider ? existing : undefined;
    if (existing && !mine) return;
    if (mine && svc && mine.serviceUid !== svc.metadata.uid) {
      this.#teardown(key, undefined, mine);
      return;
    }
    if (!wantsLB(svc)) {
      if (mine || (svc && svc.metadata.finalizers?.includes(LB_CLEANUP_FINALIZER))) this.#teardown(key, svc, mine);
      return;
    }
    const service = svc!;
    if (mine) {
      const next = this.#record(service, mine.ip, mine);
      if (JSON.stringify(next) !== JSON.stringify(mine)) {
        const hostsChanged = JSON.stringify(next.targets) !== JSON.stringify(mine.targets);
        this.registry.put(next);
        if (hostsChanged) this.ctx.events.normal(service, 'UpdatedLoadBalancer', 'Updated load balancer with new hosts', SOURCE);
      }
      this.#writeIngress(service, mine.ip, next.hostname);
      return;
    }
    if (this.#pending.has(key)) return;
    this.#pending.add(key);
    if (this.opts.provider === 'cloud' && !service.metadata.finalizers?.includes(LB_CLEANUP_FINALIZER))
      store.update('services', { ...service, metadata: { ...service.metadata, finalizers: [...(service.metadata.finalizers ?? []), LB_CLEANUP_FINALIZER] } }, OWNED);
    this.ctx.events.normal(service, 'EnsuringLoadBalancer', 'Ensuring load balancer', SOURCE);
    const uid = service.metadata.uid;
    this.ctx.scheduler.after(this.opts.provisionMs, () => {
      this.#pending.delete(key);
      const cur = store.peek<Service>('services', ns, name);
      if (!cur || cur.metadata.uid !== uid || !wantsLB(cur)) {
        this.#queue.add(key);
        return;
      }
      const ip = this.opts.useClusterIP && cur.spec.clusterIP ? cur.spec.clusterIP : this.#allocate();
      if (!ip) {
        this.ctx.events.warning(cur, 'SyncLoadBalancerFailed', 'Error syncing load balancer: failed to ensure load balancer: no addresses left in the pool', SOURCE);
        return;
      }
      const rec = this.#record(cur, ip);
      this.registry.put(rec);
      this.#writeIngress(cur, ip, rec.hostname);
      this.ctx.events.normal(cur, 'EnsuredLoadBalancer', 'Ensured load balancer', SOURCE);
    }, { label: this.name });
  }

  #writeIngress(svc: Service, ip: string, hostname?: string): void {
    const ingress = [{ ...(hostname ? { hostname } : {}), ip, ipMode: 'VIP' }];
    const cur = this.ctx.store.peek<Service>('services', svc.metadata.namespace, svc.metadata.name!);
    if (!cur) return;
    if (JSON.stringify(cur.status?.loadBalancer?.ingress) === JSON.stringify(ingress)) return;
    this.ctx.store.updateStatus('services', { ...cur, status: { loadBalancer: { ingress } } }, OWNED);
  }

  #teardown(key: string, svc: Service | undefined, lb: LoadBalancerRecord | undefined): void {
    const store = this.ctx.store;
    if (svc && lb) this.ctx.events.normal(svc, 'DeletingLoadBalancer', 'Deleting load balancer', SOURCE);
    if (lb) {
      this.registry.remove(key);
      if (!this.opts.useClusterIP) this.#used.delete(lb.ip);
    }
    if (!svc) return;
    if (lb) this.ctx.events.normal(svc, 'DeletedLoadBalancer', 'Deleted load balancer', SOURCE);
    try {
      let cur = store.peek<Service>('services', svc.metadata.namespace, svc.metadata.name!);
      if (cur?.status?.loadBalancer?.ingress) cur = store.updateStatus('services', { ...cur, status: { loadBalancer: {} } }, OWNED) as Service;
      if (cur?.metadata.finalizers?.includes(LB_CLEANUP_FINALIZER)) {
        const rest = cur.metadata.finalizers.filter((f) => f !== LB_CLEANUP_FINALIZER);
        store.update('services', { ...cur, metadata: { ...cur.metadata, finalizers: rest.length ? rest : undefined } }, OWNED);
      }
    } catch (e) {
      if (!isApiError(e, 'NotFound')) throw e;
    }
  }

  /** Withdraw every LB this controller made (the tunnel stopping). */
  withdrawAll(): void {
    for (const lb of this.registry.list()) {
      if (lb.provider !== this.opts.provider) continue;
      const [ns, name] = nsName(lb.serviceKey);
      const svc = this.ctx.store.peek<Service>('services', ns, name);
      this.registry.remove(lb.serviceKey);
      this.#used.delete(lb.ip);
      if (svc?.status?.loadBalancer?.ingress) this.ctx.store.updateStatus('services', { ...svc, status: { loadBalancer: {} } }, OWNED);
    }
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
