/**
 * Local clusters have no cloud controller manager, so a LoadBalancer Service keeps EXTERNAL-IP `<pending>` and a
 * real kind cluster says nothing about it. Here one Normal event per Service explains why and names the
 * workaround (the tunnel command), while the tunnel is not running.
 */
import type { Service } from '../api/types';
import type { Disposable } from '../core/events';
import { WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';

export const PENDING_REASON = 'NoLoadBalancerProvider';

export class LocalLoadBalancerNotice implements Controller {
  readonly name = 'local-lb-notice';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];
  readonly #told = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly tunnelRunning: () => boolean,
    private readonly tunnelCommand: string,
  ) {
    this.#queue = new WorkQueue(ctx.scheduler, this.name, (k) => this.#sync(k));
    this.#subs.push(ctx.store.watch('services', {}, (ev) => this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`)));
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const svc = this.ctx.store.peek<Service>('services', ns, name);
    if (!svc || svc.spec.type !== 'LoadBalancer' || svc.metadata.deletionTimestamp) return;
    const tag = `${svc.metadata.uid}`;
    if (this.#told.has(tag) || this.tunnelRunning()) return;
    this.#told.add(tag);
    this.ctx.events.normal(
      svc,
      PENDING_REASON,
      `No cloud controller manager runs in this local cluster, so EXTERNAL-IP stays <pending>. Run '${this.tunnelCommand}' in another terminal to assign an address (as 'minikube tunnel' does), or use a node IP and the NodePort.`,
      { component: 'svclab' },
    );
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
