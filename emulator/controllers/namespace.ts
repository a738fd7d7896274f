/**
 * Namespace lifecycle: a deleted namespace shows `Terminating` while this controller deletes everything in it
 * (pods gracefully), then it removes the `kubernetes` finalizer from `spec.finalizers` and the namespace goes.
 */
import { RESOURCES, type Resource } from '../api/resources';
import { isApiError } from '../api/errors';
import type { Disposable } from '../core/events';
import { OWNED, WorkQueue, disposeAll, type Controller, type ControllerContext } from './runtime';

const RECHECK_MS = 1000;

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.#queue = new WorkQueue(ctx.scheduler, 'namespace', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('namespaces', {}, (ev) => {
        if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) this.#queue.add(ev.object.metadata.name!);
      }),
    );
  }

  #sync(name: string): void {
    const store = this.ctx.store;
    const ns = store.peek('namespaces', undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const r of Object.values(RESOURCES)) {
      if (!r.namespaced) continue;
      const objs = [...store.peekList(r.resource as Resource, name)];
      remaining += objs.length;
      for (const o of objs) {
        if (o.metadata.deletionTimestamp) continue;
        try {
          store.delete(r.resource, name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isApiError(e, 'NotFound')) throw e;
        }
      }
    }
    if (remaining > 0) {
      this.#queue.addAfter(name, RECHECK_MS);
      return;
    }
    const latest = store.peek('namespaces', undefined, name)!;
    store.update('namespaces', { ...latest, spec: { ...latest.spec, finalizers: [] } }, OWNED);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
