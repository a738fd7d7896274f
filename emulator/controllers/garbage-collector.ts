/**
 * The garbage collector: objects whose owners (ownerReferences) are all gone are deleted (background
 * propagation); an owner deleted with `propagationPolicy: Foreground` keeps its `foregroundDeletion` finalizer
 * until its dependents are gone; with `Orphan` its dependents lose the ownerReference instead.
 */
import { RESOURCES, resourceForKind, type Resource } from '../api/resources';
import { isApiError } from '../api/errors';
import type { KubeObject, OwnerReference } from '../api/types';
import type { Disposable } from '../core/events';
import { OWNED, WorkQueue, disposeAll, type Controller, type ControllerContext } from './runtime';

const NO_FINALIZERS: readonly string[] = [];
const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.#queue = new WorkQueue(ctx.scheduler, 'garbage-collector', (k) => this.#process(k));
    for (const resource of Object.keys(RESOURCES) as Resource[]) {
      if (resource === 'events') continue;
      this.#subs.push(ctx.store.watch(resource, {}, (ev) => this.#onEvent(resource, ev.type, ev.object)));
    }
  }

  #key(resource: Resource, o: { metadata: { namespace?: string; name?: string } }): string {
    return `${resource}\u0000${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;
  }

  #onEvent(resource: Resource, type: string, o: KubeObject): void {
    const fin = o.metadata.finalizers ?? NO_FINALIZERS;
    if (type === 'DELETED') {
      for (const d of this.ctx.store.dependentsOf(o.metadata.uid!)) this.#queue.add(this.#key(d.resource, d.object));
      // An owner waiting in foreground deletion may now be free to go.
      for (const ref of o.metadata.ownerReferences ?? []) {
        const r = resourceForKind(ref.kind);
        if (r) this.#queue.add(`${r.resource}\u0000${r.namespaced ? (o.metadata.namespace ?? '') : ''}\u0000${ref.name}`);
      }
    } else if (o.metadata.deletionTimestamp && (fin.includes(FOREGROUND) || fin.includes(ORPHAN))) {
      this.#queue.add(this.#key(resource, o));
    } else if (type === 'ADDED' && o.metadata.ownerReferences?.length) {
      // Created with an owner that is already gone (or never existed).
      this.#queue.add(this.#key(resource, o));
    }
  }

  #process(key: string): void {
    const [resource, ns, name] = key.split('\u0000') as [Resource, string, string];
    const store = this.ctx.store;
    const obj = store.peek(resource, ns || undefined, name);
    if (!obj) return;
    const fin = obj.metadata.finalizers ?? [];
    try {
      if (obj.metadata.deletionTimestamp && fin.includes(FOREGROUND)) {
        const deps = store.dependentsOf(obj.metadata.uid!);
        for (const d of deps)
          if (!d.object.metadata.deletionTimestamp) store.delete(d.resource, d.object.metadata.namespace, d.object.metadata.name!, { propagationPolicy: 'Foreground' });
        const blocking = deps.filter((d) => d.object.metadata.ownerReferences?.some((r) => r.uid === obj.metadata.uid && r.blockOwnerDeletion));
        if (blocking.length === 0) this.#dropFinalizer(resource, obj, FOREGROUND);
        return;
      }
      if (obj.metadata.deletionTimestamp && fin.includes(ORPHAN)) {
        for (const d of store.dependentsOf(obj.metadata.uid!)) {
          const refs = (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
          store.update(d.resource, { ...d.object, metadata: { ...d.object.metadata, ownerReferences: refs.length ? refs : undefined } }, OWNED);
        }
        this.#dropFinalizer(resource, obj, ORPHAN);
        return;
      }
      const refs = obj.metadata.ownerReferences ?? [];
      if (refs.length === 0) return;
      // Counted first: every owner is usually there (a pod just created by its ReplicaSet), and then no list is built.
      let living = 0;
      for (const ref of refs) if (this.#ownerAlive(obj, ref)) living++;
      if (living === 0) {
        if (!obj.metadata.deletionTimestamp) store.delete(resource, obj.metadata.namespace, name, { propagationPolicy: 'Background' });
      } else if (living < refs.length) {
        const alive = refs.filter((ref) => this.#ownerAlive(obj, ref));
        store.update(resource, { ...obj, metadata: { ...obj.metadata, ownerReferences: alive } }, OWNED);
      }
    } catch (e) {
      if (!isApiError(e, 'NotFound') && !isApiError(e, 'Conflict')) throw e;
      this.#queue.addAfter(key, 100);
    }
  }

  /** The owner `ref` names exists with that uid (a kind the API does not serve counts as alive). */
  #ownerAlive(obj: KubeObject, ref: OwnerReference): boolean {
    const r = resourceForKind(ref.kind);
    if (!r) return true;
    const owner = this.ctx.store.peek(r.resource, r.namespaced ? obj.metadata.namespace : undefined, ref.name);
    return owner !== undefined && owner.metadata.uid === ref.uid;
  }

  #dropFinalizer(resource: Resource, obj: KubeObject, finalizer: string): void {
    const rest = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.ctx.store.update(resource, { ...obj, metadata: { ...obj.metadata, finalizers: rest.length ? rest : undefined } }, OWNED);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
