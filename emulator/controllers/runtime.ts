/**
 * What every controller shares: a deduplicating work queue drained on the scheduler (as client-go's workqueue is by
 * a worker goroutine), the Controller shape, and the context controllers are built with (one composition root,
 * explicit arguments — tests pass their own store and scheduler).
 */
import { isApiError } from '../api/errors';
import type { ApiStore } from '../api/store';
import type { Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import type { EventRecorder } from './events';

/** Write options for controllers: they hand the object over and read the stored one back (no deep copies). */
export const OWNED = { trusted: true } as const;

export interface ControllerContext {
  readonly store: ApiStore;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly events: EventRecorder;
}

export interface Controller extends Disposable {
  readonly name: string;
}

/**
 * Keys added while a drain is pending are processed once; keys added during a drain go to the next one. `addAfter`
 * re-queues a key after a virtual delay (requeue-with-delay, e.g. "check again when minReadySeconds passes").
 */
export class WorkQueue {
  #pending = new Set<string>();
  /** The drain task and its options, made once (a queue is drained again and again). */
  #drainTask: (() => void) | undefined;
  #drainOptions: { readonly label: string } | undefined;
  #scheduled = false;
  #disposed = false;
  readonly #delayed = new Map<string, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly label: string,
    private readonly reconcile: (key: string) => void,
  ) {}

  add(key: string): void {
    if (this.#disposed) return;
    this.#pending.add(key);
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.scheduler.after(0, (this.#drainTask ??= () => this.#drain()), (this.#drainOptions ??= { label: this.label }));
    }
  }

  /**
   * `add(\`${namespace}/${name}\`)`, without building the key on every event: the same objects come back event after
   * event (every pod of a Deployment wakes the same ReplicaSet and Services), so their keys are kept, and the queue's
   * set then hashes and compares a string it has seen before.
   */
  addNamed(namespace: string, name: string): void {
    let byName = this.#keys.get(namespace);
    if (!byName) this.#keys.set(namespace, (byName = new Map()));
    let key = byName.get(name);
    if (key === undefined) {
      if (++this.#keyCount > MAX_KEPT_KEYS) {
        this.#keys.clear();
        this.#keyCount = 1;
        this.#keys.set(namespace, (byName = new Map()));
      }
      byName.set(name, (key = `${namespace}/${name}`));
    }
    this.add(key);
  }

  readonly #keys = new Map<string, Map<string, string>>();
  #keyCount = 0;

  /** Re-queue `key` after `ms` of virtual time (the earliest pending request wins). */
  addAfter(key: string, ms: number): void {
    if (this.#disposed) return;
    const due = this.scheduler.now() + ms;
    const existing = this.#delayed.get(key);
    if (existing !== undefined && existing <= due) return;
    this.#delayed.set(key, due);
    this.scheduler.at(due, () => {
      if (this.#delayed.get(key) === due) {
        this.#delayed.delete(key);
        this.add(key);
      }
    }, { label: `${this.label}:delayed` });
  }

  #drain(): void {
    this.#scheduled = false;
    const keys = this.#pending;
    this.#pending = new Set();
    for (const k of keys) {
      if (this.#disposed) return;
      try {
        this.reconcile(k);
      } catch (e) {
        // As a controller logs a failed sync and retries: a conflict or a race with another writer is retried
        // shortly; a refused write (namespace terminating, object gone) is dropped, the next event brings it back.
        if (!isApiError(e)) throw e;
        if (e.reason === 'Conflict' || e.reason === 'AlreadyExists') this.addAfter(k, 200);
      }
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#pending.clear();
  }
}

/** Keys `addNamed` keeps before starting afresh (objects come and go over a long session). */
const MAX_KEPT_KEYS = 8192;

export function nsName(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

export function disposeAll(list: Disposable[]): void {
  for (const d of list) d.dispose();
  list.length = 0;
}
