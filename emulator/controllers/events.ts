/**
 * Events, as client-go's EventRecorder writes them (core/v1 Events): `<object>.<hex nanoseconds>` names, and
 * repeats of the same (object, reason, message, source) aggregated into `count` and `lastTimestamp`.
 */
import type { ApiStore } from '../api/store';
import { rfc3339 } from '../api/meta';
import type { KubeObject } from '../api/types';
import type { Scheduler } from '../core/scheduler';
import { OWNED } from './runtime';

export interface EventSource {
  readonly component: string;
  readonly host?: string;
}

interface SeenEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly component: string;
  readonly host: string;
  readonly fieldPath: string;
  /** The Event object that counts this series. */
  name: string;
}

export class EventRecorder {
  /**
   * Events recorded so far, by involved object uid (a string the store keeps, so its hash is computed once), then
   * message: the aggregation key is (object, type, reason, message, source, fieldPath); the rest is compared field
   * by field over the few events in a bucket, instead of hashing a long concatenated key per event.
   */
  readonly #seen = new Map<string, Map<string, SeenEvent[]>>();
  #lastNs = 0n;

  constructor(
    private readonly store: ApiStore,
    private readonly scheduler: Scheduler,
  ) {}

  normal(obj: KubeObject, reason: string, message: string, source: EventSource, fieldPath?: string): void {
    this.record(obj, 'Normal', reason, message, source, fieldPath);
  }

  warning(obj: KubeObject, reason: string, message: string, source: EventSource, fieldPath?: string): void {
    this.record(obj, 'Warning', reason, message, source, fieldPath);
  }

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const meta = obj.metadata;
    const namespace = meta.namespace || 'default';
    const nsObj = this.store.peek('namespaces', undefined, namespace);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const now = this.scheduler.now();
    const ts = rfc3339(now);
    const uidKey = `${meta.uid}`;
    const host = source.host ?? '';
    const path = fieldPath ?? '';
    let byMessage = this.#seen.get(uidKey);
    let seen = byMessage?.get(message);
    const existing = seen?.find(
      (e) => e.reason === reason && e.type === type && e.component === source.component && e.host === host && e.fieldPath === path && e.message === message,
    );
    if (existing) {
      const ev = this.store.peek('events', namespace, existing.name);
      if (ev) {
        this.store.update('events', { ...ev, metadata: { ...ev.metadata }, count: (ev.count ?? 1) + 1, lastTimestamp: ts }, OWNED);
        return;
      }
    }
    // Unique, increasing nanosecond stamps even when several events fall in the same virtual millisecond.
    // Virtual time is fractional on the packet path (µs matter), so go through whole microseconds.
    let ns = BigInt(Math.round(now * 1000)) * 1_000n;
    if (ns <= this.#lastNs) ns = this.#lastNs + 1n;
    this.#lastNs = ns;
    const name = `${meta.name}.${ns.toString(16)}`;
    if (!byMessage) this.#seen.set(uidKey, (byMessage = new Map()));
    if (!seen) byMessage.set(message, (seen = []));
    if (existing) existing.name = name;
    else seen.push({ type, reason, message, component: source.component, host, fieldPath: path, name });
    this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: meta.namespace,
        name: meta.name!,
        uid: meta.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: meta.resourceVersion,
        ...(fieldPath ? { fieldPath } : {}),
      },
      reason,
      message,
      source: source.host ? { component: source.component, host: source.host } : { component: source.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    }, OWNED);
  }
}
