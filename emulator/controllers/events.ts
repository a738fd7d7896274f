/**
 * Events, as client-go's EventRecorder writes them (core/v1 Events): `<object>.<hex nanoseconds>` names, and
 * every event passed through the component's EventCorrelator (client-go tools/record/events_cache.go) before it
 * reaches the API server:
 *
 * - aggregation: once 10 events about the same object with the same type and reason but different messages are
 *   seen within 10 minutes, the next ones become one "(combined from similar events): …" event (a ReplicaSet that
 *   creates a thousand pods writes nine `Created pod:` events and one combined event, not a thousand);
 * - counting: a repeat of the same event patches the one already written (`count`, `lastTimestamp`, `message`);
 * - spam filter: each source may write 25 events about one object, then one more every 5 minutes (a token bucket);
 *   a filtered repeat is still counted, so the next write carries the whole count (`x42 over 3h`).
 *
 * Each component (the kubelet of a node, each controller, the scheduler) has its own correlator, with LRU caches
 * of 4096 entries as in client-go.
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

export const EVENT_CORRELATION = {
  lruEntries: 4096,
  aggregateMaxEvents: 10,
  aggregateIntervalMs: 600_000,
  spamBurst: 25,
  /** Tokens per millisecond: one every 5 minutes. */
  spamRefillPerMs: 1 / 300_000,
};

const COMBINED_PREFIX = '(combined from similar events): ';

/**
 * groupcache's LRU: `touch` makes an entry the most recent (creating it if absent); past the limit the least
 * recent entry is dropped. A doubly linked list keeps recency. Entries are found by the involved object's key (its
 * uid: a string the store already hashed), then among that object's few entries by comparing fields — no long
 * key is concatenated and hashed per event, as client-go's joined strings would be.
 */
class LruCache<V> {
  readonly #byObject = new Map<string, LruNode<V>[]>();
  #size = 0;
  /** Sentinel: `next` is the most recent entry, `prev` the least recent. */
  readonly #head: LruNode<V>;

  constructor(
    private readonly max: number,
    private readonly matches: (v: V, type: string, reason: string, path: string, message: string) => boolean,
    private readonly create: (type: string, reason: string, path: string, message: string) => V,
  ) {
    const h = { objectKey: '', value: undefined as unknown as V } as LruNode<V>;
    h.prev = h.next = h;
    this.#head = h;
  }

  touch(objectKey: string, type: string, reason: string, path: string, message: string): V {
    const head = this.#head;
    let bucket = this.#byObject.get(objectKey);
    let node: LruNode<V> | undefined;
    if (bucket) for (const n of bucket) if (this.matches(n.value, type, reason, path, message)) node = n;
    if (node) {
      node.prev.next = node.next;
      node.next.prev = node.prev;
    } else {
      node = { objectKey, value: this.create(type, reason, path, message) } as LruNode<V>;
      if (!bucket) this.#byObject.set(objectKey, (bucket = []));
      bucket.push(node);
      if (++this.#size > this.max) this.#drop(head.prev);
    }
    node.next = head.next;
    node.prev = head;
    head.next.prev = node;
    head.next = node;
    return node.value;
  }

  #drop(node: LruNode<V>): void {
    node.prev.next = node.next;
    node.next.prev = node.prev;
    this.#size--;
    const bucket = this.#byObject.get(node.objectKey)!;
    bucket.splice(bucket.indexOf(node), 1);
    if (bucket.length === 0) this.#byObject.delete(node.objectKey);
  }
}

interface LruNode<V> {
  readonly objectKey: string;
  readonly value: V;
  prev: LruNode<V>;
  next: LruNode<V>;
}

/** The aggregator's record of similar events: one per (object, type, reason). */
interface AggregateRecord {
  readonly type: string;
  readonly reason: string;
  /** Distinct messages seen, oldest first (fewer than 10: the oldest is dropped when the 10th arrives). */
  readonly messages: string[];
  last: number;
}

/** The logger's record of one event (object, type, reason, field path, message), or of a combined event. */
interface EventLog {
  readonly type: string;
  readonly reason: string;
  readonly path: string;
  readonly message: string;
  /** 0 until the event was first observed. */
  count: number;
  firstTimestamp: string;
  name: string;
}

/** The spam filter's token bucket: one per object. */
interface TokenBucket {
  tokens: number;
  last: number;
}

/** The logger's message key for a combined event (its key is the aggregate's: object, type, reason). */
const COMBINED_KEY = '\u0000combined';

const sameAggregate = (a: AggregateRecord, type: string, reason: string): boolean => a.reason === reason && a.type === type;
const newAggregate = (type: string, reason: string): AggregateRecord => ({ type, reason, messages: [], last: -Infinity });
const sameLog = (l: EventLog, type: string, reason: string, path: string, message: string): boolean =>
  l.message === message && l.reason === reason && l.type === type && l.path === path;
const newLog = (type: string, reason: string, path: string, message: string): EventLog => ({ type, reason, path, message, count: 0, firstTimestamp: '', name: '' });
const anyBucket = (): boolean => true;
const newBucket = (): TokenBucket => ({ tokens: EVENT_CORRELATION.spamBurst, last: -Infinity });

/** One component's EventCorrelator: aggregator, event logger and spam filter, each with its LRU cache. */
class EventCorrelator {
  readonly aggregates = new LruCache<AggregateRecord>(EVENT_CORRELATION.lruEntries, sameAggregate, newAggregate);
  readonly log = new LruCache<EventLog>(EVENT_CORRELATION.lruEntries, sameLog, newLog);
  readonly spam = new LruCache<TokenBucket>(EVENT_CORRELATION.lruEntries, anyBucket, newBucket);
  /** What the Events' `source` says (one shared, never mutated object). */
  readonly source: { component: string; host?: string };

  constructor(source: EventSource) {
    this.source = source.host ? { component: source.component, host: source.host } : { component: source.component };
  }

  /** Token bucket per object (burst 25, one more every 5 minutes): false = the event is dropped. */
  accept(objectKey: string, now: number): boolean {
    const b = this.spam.touch(objectKey, '', '', '', '');
    const tokens = b.last === -Infinity ? b.tokens : Math.min(EVENT_CORRELATION.spamBurst, b.tokens + (now - b.last) * EVENT_CORRELATION.spamRefillPerMs);
    if (tokens < 1) return false;
    b.tokens = tokens - 1;
    b.last = now;
    return true;
  }
}

export class EventRecorder {
  /** Correlators by `component\u0000host`, and by the source object a component passes (no key to build per event). */
  readonly #correlators = new Map<string, EventCorrelator>();
  readonly #bySource = new WeakMap<EventSource, EventCorrelator>();
  readonly #stamp = new NanoStamp();

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

  #correlator(source: EventSource): EventCorrelator {
    let c = this.#bySource.get(source);
    if (c) return c;
    const key = `${source.component}\u0000${source.host ?? ''}`;
    c = this.#correlators.get(key);
    if (!c) this.#correlators.set(key, (c = new EventCorrelator(source)));
    this.#bySource.set(source, c);
    return c;
  }

  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const meta = obj.metadata;
    const namespace = meta.namespace || 'default';
    const nsObj = this.store.peek('namespaces', undefined, namespace);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const c = this.#correlator(source);
    const now = this.scheduler.now();

    // The source is the correlator's own; the object is its uid (what names it, for an object without one). The
    // rest of client-go's keys (type, reason, field path, message) is compared field by field in the caches.
    const objectKey = meta.uid ?? `${obj.kind}\u0000${meta.namespace ?? ''}\u0000${meta.name}`;

    // Aggregation of similar events (same object, type and reason; another message).
    const path = fieldPath ?? '';
    const agg = c.aggregates.touch(objectKey, type, reason, '', '');
    if (now - agg.last > EVENT_CORRELATION.aggregateIntervalMs) agg.messages.length = 0;
    if (!agg.messages.includes(message)) agg.messages.push(message);
    agg.last = now;
    const combined = agg.messages.length >= EVENT_CORRELATION.aggregateMaxEvents;
    let text = message;
    if (combined) {
      agg.messages.shift();
      text = COMBINED_PREFIX + message;
    }

    // Counting: a repeat of an event already written patches it.
    const ts = rfc3339(now);
    const seen = combined ? c.log.touch(objectKey, type, reason, '', COMBINED_KEY) : c.log.touch(objectKey, type, reason, path, message);
    const repeat = seen.count > 0;
    if (repeat) seen.count++;
    else {
      seen.count = 1;
      seen.firstTimestamp = ts;
      seen.name = `${meta.name}.${this.#stamp.next(now)}`;
    }

    if (!c.accept(objectKey, now)) return;

    if (repeat) {
      const ev = this.store.peek('events', namespace, seen.name);
      if (ev) {
        this.store.update('events', { ...ev, metadata: { ...ev.metadata }, count: seen.count, lastTimestamp: ts, message: text }, OWNED);
        return;
      }
      // Gone from the server (deleted, or expired): written again under the same name, count and first time.
    }
    this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: seen.name, namespace },
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
      message: text,
      source: c.source,
      firstTimestamp: seen.firstTimestamp,
      lastTimestamp: ts,
      count: seen.count,
      type,
      eventTime: null,
      // The combined event is built afresh by the aggregator, without the reporting fields.
      reportingComponent: combined ? '' : source.component,
      reportingInstance: combined ? '' : (source.host ?? ''),
    }, OWNED);
  }
}

/**
 * Event name suffixes: the virtual time in nanoseconds, in hex, unique and increasing even when several events
 * fall in the same instant. Virtual time is fractional on the packet path (µs matter), so it goes through whole
 * microseconds. Nanoseconds since 1970 pass 2^53, so the value is kept as two exact parts, high · 2^24 + low.
 */
export class NanoStamp {
  #high = 0;
  #low = 0;

  next(nowMs: number): string {
    const us = Math.round(nowMs * 1000);
    const usHigh = Math.floor(us / LOW_SPAN);
    let low = (us - usHigh * LOW_SPAN) * 1000;
    let high = usHigh * 1000 + Math.floor(low / LOW_SPAN);
    low %= LOW_SPAN;
    if (high < this.#high || (high === this.#high && low <= this.#low)) {
      high = this.#high;
      low = this.#low + 1;
      if (low === LOW_SPAN) {
        high++;
        low = 0;
      }
    }
    this.#high = high;
    this.#low = low;
    // Written in 24-bit parts: small integers print fast, a double past 2^31 does not.
    if (high === 0) return low.toString(16);
    const top = Math.floor(high / LOW_SPAN);
    const mid = high - top * LOW_SPAN;
    return top === 0 ? mid.toString(16) + hex6(low) : top.toString(16) + hex6(mid) + hex6(low);
  }
}

const LOW_SPAN = 2 ** 24;

function hex6(n: number): string {
  return n.toString(16).padStart(6, '0');
}
