/**
 * The Ingress status writer, as the elected leader of each Ingress controller does it: every Ingress the
 * controller serves gets `status.loadBalancer.ingress` = the address of the controller's published Service (its
 * cloud load balancer's IP/hostname) or, when that Service has no load balancer (NodePort), the IPs of the nodes
 * the ready controller pods run on — which is what `kubectl get ingress` shows under ADDRESS. With no ready
 * controller pod (never installed, scaled to 0, uninstalled) nobody writes, and a status left by a controller that
 * shut down is cleared (ingress-nginx's --update-status-on-shutdown). An Ingress nobody serves keeps ADDRESS blank:
 * the seed's "an Ingress without a controller is only configuration".
 */
import type { KubeObject } from '../api/types';
import type { Disposable } from '../core/events';
import { isPodReady } from '../controllers/pod-util';
import { WorkQueue, disposeAll, type Controller, type ControllerContext } from '../controllers/runtime';
import { controllerPodConfig, servesIngress, type ControllerPodConfig } from './controllers';

/** Virtual delay between a change and the status write (the controller's sync loop). */
export const INGRESS_STATUS_SYNC_MS = 1_000;

interface LbIngress {
  ip?: string;
  hostname?: string;
}

export class IngressStatusController implements Controller {
  readonly name = 'ingress-status';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    // One key: the whole set is small and every change (a controller pod becoming ready, a Service getting its
    // load balancer) can affect every Ingress.
    this.#queue = new WorkQueue(ctx.scheduler, 'ingress-status', () => this.#sync());
    const kick = () => this.#queue.addAfter('all', INGRESS_STATUS_SYNC_MS);
    this.#subs.push(
      ctx.store.watch('ingresses', {}, (ev) => {
        if (ev.type !== 'DELETED') kick();
      }),
      ctx.store.watch('ingressclasses', {}, kick),
      ctx.store.watch('pods', {}, (ev) => {
        if (controllerPodConfig(ev.object)) kick();
      }),
      ctx.store.watch('services', {}, (ev) => {
        if (ev.object.spec?.type === 'LoadBalancer') kick();
      }),
    );
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }

  #sync(): void {
    const store = this.ctx.store;
    const controllers: Array<{ config: ControllerPodConfig; pods: KubeObject[] }> = [];
    for (const pod of store.peekList('pods')) {
      if (pod.metadata.deletionTimestamp || !isPodReady(pod)) continue;
      const config = controllerPodConfig(pod);
      if (!config) continue;
      const group = controllers.find((c) => c.config.kind === config.kind && c.config.className === config.className);
      if (group) group.pods.push(pod);
      else controllers.push({ config, pods: [pod] });
    }
    for (const ing of store.peekList('ingresses')) {
      if (ing.metadata.deletionTimestamp) continue;
      const serving = controllers.find((c) => servesIngress(store, c.config, ing));
      const want: LbIngress[] = serving ? this.#addresses(serving.config, serving.pods) : [];
      const have: LbIngress[] = ing.status?.loadBalancer?.ingress ?? [];
      if (JSON.stringify(want) === JSON.stringify(have)) continue;
      if (serving) {
        // ingress-nginx records a Sync event on every Ingress it (re)configures; Traefik records none.
        if (serving.config.kind.flavor === 'nginx') this.ctx.events.normal(ing, 'Sync', 'Scheduled for sync', { component: 'nginx-ingress-controller' });
      }
      const next = structuredClone(ing);
      next.status = { loadBalancer: want.length > 0 ? { ingress: want } : {} };
      store.updateStatus('ingresses', next);
    }
  }

  #addresses(config: ControllerPodConfig, pods: KubeObject[]): LbIngress[] {
    const store = this.ctx.store;
    if (config.publishService) {
      const [ns, name] = config.publishService.split('/') as [string, string];
      const svc = store.peek('services', ns, name);
      const lb: LbIngress[] = svc?.status?.loadBalancer?.ingress ?? [];
      if (lb.length > 0) return lb.map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname! }));
    }
    const ips = new Set<string>();
    for (const pod of pods) {
      const node = store.peek('nodes', undefined, pod.spec?.nodeName ?? '');
      const addr = (node?.status?.addresses ?? []).find((a: { type: string }) => a.type === 'InternalIP')?.address ?? pod.status?.hostIP;
      if (addr) ips.add(addr);
    }
    return [...ips].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).map((ip) => ({ ip }));
  }
}
