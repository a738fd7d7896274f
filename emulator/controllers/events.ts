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
 * An entry of one of the correlator's caches. It is its own node in two lists: its cache's recency list (groupcache's
 * LRU: `prev`/`next`) and the list of its object's entries of that cache (`sibling`). One object per entry, no node
 * or array around it: the caches hold an entry per pod and reason, and live as long as the pod is recent.
 */
interface CacheEntry {
  /** The records of the involved object the entry is about. */
  readonly records: ObjectRecords;
  prev: CacheEntry;
  next: CacheEntry;
}

/**
 * groupcache's LRU, as a recency list: `touch` makes an entry the most recent, `add` inserts one and, past the
 * limit, drops the least recent. The entries themselves are found through the correlator's per-object index (one
 * map lookup per event for all three caches, by the involved object's uid: a string the store already hashed),
 * then among that object's few entries by comparing fields — no long key is concatenated and hashed per event, as
 * client-go's joined strings would be.
 */
class LruList<E extends CacheEntry> {
  #size = 0;
  /** Sentinel: `next` is the most recent entry, `prev` the least recent. */
  readonly #head: CacheEntry;

  constructor(
    private readonly max: number,
    private readonly dropped: (entry: E) => void,
  ) {
    const h = { records: undefined, prev: undefined, next: undefined } as unknown as CacheEntry;
    h.prev = h.next = h;
    this.#head = h;
  }

  touch(entry: E): void {
    entry.prev.next = entry.next;
    entry.next.prev = entry.prev;
    this.#front(entry);
  }

  add(entry: E): void {
    this.#front(entry);
    if (++this.#size > this.max) {
      const last = this.#head.prev;
      last.prev.next = last.next;
      last.next.prev = last.prev;
      this.#size--;
      this.dropped(last as E);
    }
  }

  #front(entry: CacheEntry): void {
    const head = this.#head;
    entry.next = head.next;
    entry.prev = head;
    head.next.prev = entry;
    head.next = entry;
  }
}

/** What the three caches hold about one involved object: the first of its entries in each (linked by `sibling`). */
interface ObjectRecords {
  readonly key: string;
  aggregates: AggregateRecord | undefined;
  logs: EventLog | undefined;
  spam: TokenBucket | undefined;
}

/** The aggregator's record of similar events: one per (object, type, reason). */
interface AggregateRecord extends CacheEntry {
  sibling: AggregateRecord | undefined;
  readonly type: string;
  readonly reason: string;
  /**
   * Distinct messages seen, oldest first (fewer than 10: the oldest is dropped when the 10th arrives): the oldest
   * in `first` (undefined: none), the others in `more` — most objects see one message per reason (no array then).
   */
  first: string | undefined;
  more: string[] | undefined;
  last: number;
}

/** The logger's record of one event (object, type, reason, field path, message), or of a combined event. */
interface EventLog extends CacheEntry {
  sibling: EventLog | undefined;
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
interface TokenBucket extends CacheEntry {
  tokens: number;
  last: number;
}

/** The logger's message key for a combined event (its key is the aggregate's: object, type, reason). */
const COMBINED_KEY = '\u0000combined';

/** One component's EventCorrelator: aggregator, event logger and spam filter, each with its LRU cache. */
class EventCorrelator {
  readonly #byObject = new Map<string, ObjectRecords>();
  readonly #aggregates = new LruList<AggregateRecord>(EVENT_CORRELATION.lruEntries, (a) => {
    a.records.aggregates = without(a.records.aggregates!, a);
    this.#forget(a.records);
  });
  readonly #logs = new LruList<EventLog>(EVENT_CORRELATION.lruEntries, (l) => {
    l.records.logs = without(l.records.logs!, l);
    this.#forget(l.records);
  });
  readonly #spam = new LruList<TokenBucket>(EVENT_CORRELATION.lruEntries, (b) => {
    b.records.spam = undefined;
    this.#forget(b.records);
  });
  /** What the Events' `source` says (one shared, never mutated object). */
  readonly source: { component: string; host?: string };

  constructor(source: EventSource) {
    this.source = source.host ? { component: source.component, host: source.host } : { component: source.component };
  }

  records(objectKey: string): ObjectRecords {
    let r = this.#byObject.get(objectKey);
    if (!r) this.#byObject.set(objectKey, (r = { key: objectKey, aggregates: undefined, logs: undefined, spam: undefined }));
    return r;
  }

  /** The aggregator's record of (object, type, reason), made the most recent. */
  aggregate(r: ObjectRecords, type: string, reason: string): AggregateRecord {
    let a = r.aggregates;
    while (a !== undefined && (a.reason !== reason || a.type !== type)) a = a.sibling;
    if (a) this.#aggregates.touch(a);
    else {
      // Links in the literal (added later, they would not fit in the object: one more allocation).
      a = { records: r, prev: undefined!, next: undefined!, sibling: r.aggregates, type, reason, first: undefined, more: undefined, last: -Infinity };
      r.aggregates = a;
      this.#aggregates.add(a);
    }
    return a;
  }

  /** The logger's record of (object, type, reason, field path, message), made the most recent. */
  log(r: ObjectRecords, type: string, reason: string, path: string, message: string): EventLog {
    let l = r.logs;
    while (l !== undefined && (l.message !== message || l.reason !== reason || l.type !== type || l.path !== path)) l = l.sibling;
    if (l) this.#logs.touch(l);
    else {
      l = { records: r, prev: undefined!, next: undefined!, sibling: r.logs, type, reason, path, message, count: 0, firstTimestamp: '', name: '' };
      r.logs = l;
      this.#logs.add(l);
    }
    return l;
  }

  /** Token bucket per object (burst 25, one more every 5 minutes): false = the event is dropped. */
  accept(r: ObjectRecords, now: number): boolean {
    let b = r.spam;
    if (b) this.#spam.touch(b);
    else {
      b = r.spam = { records: r, prev: undefined!, next: undefined!, tokens: EVENT_CORRELATION.spamBurst, last: -Infinity };
      this.#spam.add(b);
    }
    const tokens = b.last === -Infinity ? b.tokens : Math.min(EVENT_CORRELATION.spamBurst, b.tokens + (now - b.last) * EVENT_CORRELATION.spamRefillPerMs);
    if (tokens < 1) return false;
    b.tokens = tokens - 1;
    b.last = now;
    return true;
  }

  #forget(r: ObjectRecords): void {
    if (r.aggregates === undefined && r.logs === undefined && r.spam === undefined) this.#byObject.delete(r.key);
  }
}

/** An object's list of entries (linked by `sibling`, from `first`) without `e`, which is in it: its new first entry. */
function without<E extends { sibling: E | undefined }>(first: E, e: E): E | undefined {
  if (first === e) return e.sibling;
  let p = first;
  while (p.sibling !== e) p = p.sibling!;
  p.sibling = e.sibling;
  return first;
}

/**
 * Whether the aggregate has seen `message` since it was last cleared; if not, it is now the newest of its messages.
 * Returns how many distinct messages it holds.
 */
function noteMessage(a: AggregateRecord, message: string): number {
  if (a.first === undefined) {
    a.first = message;
    return 1;
  }
  const more = a.more;
  if (a.first !== message && (more === undefined || !more.includes(message))) {
    if (more === undefined) a.more = [message];
    else more.push(message);
  }
  return 1 + (a.more?.length ?? 0);
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
    const records = c.records(objectKey);
    const agg = c.aggregate(records, type, reason);
    if (now - agg.last > EVENT_CORRELATION.aggregateIntervalMs) {
      agg.first = undefined;
      agg.more = undefined;
    }
    const distinct = noteMessage(agg, message);
    agg.last = now;
    const combined = distinct >= EVENT_CORRELATION.aggregateMaxEvents;
    let text = message;
    if (combined) {
      // The oldest message goes (10 or more distinct: `more` holds the 9 after it).
      agg.first = agg.more!.shift();
      text = COMBINED_PREFIX + message;
    }

    // Counting: a repeat of an event already written patches it.
    const ts = rfc3339(now);
    const seen = combined ? c.log(records, type, reason, '', COMBINED_KEY) : c.log(records, type, reason, path, message);
    const repeat = seen.count > 0;
    if (repeat) seen.count++;
    else {
      seen.count = 1;
      seen.firstTimestamp = ts;
      seen.name = `${meta.name}.${this.#stamp.next(now)}`;
    }

    if (!c.accept(records, now)) return;

    if (repeat) {
      const ev = this.store.peek('events', namespace, seen.name);
      if (ev) {
        this.store.update('events', { ...ev, metadata: { ...ev.metadata }, count: seen.count, lastTimestamp: ts, message: text }, OWNED);
        return;
      }
      // Gone from the server (deleted, or expired): written again under the same name, count and first time.
    }
    // Two literals rather than a spread of the optional field: a spread into a literal is a generic copy, and a
    // field added afterwards would not fit in the object (one more allocation per event).
    const involvedObject = fieldPath
      ? { kind: obj.kind, namespace: meta.namespace, name: meta.name!, uid: meta.uid, apiVersion: obj.apiVersion, resourceVersion: meta.resourceVersion, fieldPath }
      : { kind: obj.kind, namespace: meta.namespace, name: meta.name!, uid: meta.uid, apiVersion: obj.apiVersion, resourceVersion: meta.resourceVersion };
    this.store.create('events', {
      apiVersion: 'v1',
      kind: 'Event',
      // The fields the server fills in, named without a value: they then fit in the object (same key order).
      metadata: { name: seen.name, namespace, uid: undefined, creationTimestamp: undefined, resourceVersion: undefined },
      involvedObject,
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
  /** The hex of the high part last written (it changes every 2^24 ns, about every 17 ms of virtual time). */
  #prefixOf = -1;
  #prefix = '';

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
    if (high !== this.#prefixOf) {
      const top = Math.floor(high / LOW_SPAN);
      const mid = high - top * LOW_SPAN;
      this.#prefix = top === 0 ? mid.toString(16) : top.toString(16) + hex6(mid);
      this.#prefixOf = high;
    }
    return this.#prefix + hex6(low);
  }
}

const LOW_SPAN = 2 ** 24;
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Six hex digits of a 24-bit integer, zero-padded, written as one flat string. */
function hex6(n: number): string {
  return String.fromCharCode(
    HEX_CODES[(n >>> 20) & 15]!,
    HEX_CODES[(n >>> 16) & 15]!,
    HEX_CODES[(n >>> 12) & 15]!,
    HEX_CODES[(n >>> 8) & 15]!,
    HEX_CODES[(n >>> 4) & 15]!,
    HEX_CODES[n & 15]!,
  );
}
