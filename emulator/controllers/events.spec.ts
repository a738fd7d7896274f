import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ApiStore } from '../api/store';
import fc from 'fast-check';
import { EventRecorder, NanoStamp } from './events';

describe('EventRecorder', () => {
  it('records at fractional virtual times (the packet path moves the clock in µs) with unique, increasing names', () => {
    const scheduler = new Scheduler();
    const store = new ApiStore({ scheduler, rng: new Rng(1) });
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const pod = store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const events = new EventRecorder(store, scheduler);
    scheduler.advance(1.25);
    events.normal(pod, 'Killing', 'Stopping container c', { component: 'kubelet', host: 'worker-1' });
    events.normal(pod, 'Pulled', 'Container image "nginx" already present on machine', { component: 'kubelet', host: 'worker-1' });
    const names = store.list('events').items.map((e) => e.metadata.name!);
    expect(names).toHaveLength(2);
    const stamps = names.map((n) => BigInt('0x' + n.split('.')[1]));
    expect(stamps[1]! > stamps[0]!).toBe(true);
    // The repeated event is aggregated (count 2), as the real recorder does.
    events.normal(pod, 'Killing', 'Stopping container c', { component: 'kubelet', host: 'worker-1' });
    expect(store.list('events').items.find((e) => e.reason === 'Killing')!.count).toBe(2);
  });
});

describe('EventRecorder correlation (client-go EventCorrelator)', () => {
  const source = { component: 'replicaset-controller' };
  function setup() {
    const scheduler = new Scheduler();
    const store = new ApiStore({ scheduler, rng: new Rng(1) });
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const rs = store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-7d9f' } });
    return { scheduler, store, rs, events: new EventRecorder(store, scheduler) };
  }

  it('writes nine similar events, then one "(combined from similar events)" event whose count and message follow', () => {
    const { store, rs, events } = setup();
    for (let i = 0; i < 12; i++) events.normal(rs, 'SuccessfulCreate', `Created pod: web-7d9f-${i}`, source);
    const items = store.list('events').items;
    expect(items).toHaveLength(10);
    const combined = items.filter((e) => e.message.startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]!.message).toBe('(combined from similar events): Created pod: web-7d9f-11');
    expect(combined[0]!.count).toBe(3);
    expect(combined[0]!.reportingComponent).toBe('');
    expect(items.filter((e) => !e.message.startsWith('(combined')).map((e) => e.message)).toEqual(Array.from({ length: 9 }, (_, i) => `Created pod: web-7d9f-${i}`));
  });

  it('lets a source write 25 events about an object, then one every 5 minutes; a dropped repeat is still counted', () => {
    const { scheduler, store, rs, events } = setup();
    for (let i = 0; i < 40; i++) events.warning(rs, 'BackOff', 'Back-off pulling image "nope"', source);
    const write = () => store.list('events').items.find((e) => e.reason === 'BackOff')!;
    expect(write().count).toBe(25);
    const rv = write().metadata.resourceVersion;
    scheduler.advance(299_000);
    events.warning(rs, 'BackOff', 'Back-off pulling image "nope"', source);
    expect(write().metadata.resourceVersion).toBe(rv);
    scheduler.advance(1_000);
    events.warning(rs, 'BackOff', 'Back-off pulling image "nope"', source);
    expect(write().count).toBe(42);
    // Another source (the kubelet) has its own budget for the same object.
    events.normal(rs, 'Other', 'from another component', { component: 'kubelet', host: 'worker-1' });
    expect(store.list('events').items.some((e) => e.reason === 'Other')).toBe(true);
  });

  it('starts a new series after 10 minutes without similar events', () => {
    const { scheduler, store, rs, events } = setup();
    for (let i = 0; i < 10; i++) events.normal(rs, 'SuccessfulCreate', `Created pod: a-${i}`, source);
    scheduler.advance(600_001);
    events.normal(rs, 'SuccessfulCreate', 'Created pod: b-0', source);
    expect(store.list('events').items.find((e) => e.message === 'Created pod: b-0')).toBeDefined();
  });
});

describe('EventRecorder caches', () => {
  it('forget the least recently used of 4096 events: a repeat after 4096 others starts a new Event', () => {
    const scheduler = new Scheduler();
    const store = new ApiStore({ scheduler, rng: new Rng(1) });
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    const cm = store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } });
    const events = new EventRecorder(store, scheduler);
    const kubelet = { component: 'kubelet', host: 'worker-1' };
    const other = (i: number) => ({ ...cm, metadata: { ...cm.metadata, name: `o${i}`, uid: `uid-${i}` } });
    events.normal(cm, 'Pulled', 'first', kubelet);
    for (let i = 0; i < 4095; i++) events.normal(other(i), 'Pulled', 'x', kubelet);
    events.normal(cm, 'Pulled', 'first', kubelet); // still cached: counted
    expect(store.list('events').items.filter((e) => e.involvedObject.name === 'cfg').map((e) => e.count)).toEqual([2]);
    for (let i = 4095; i < 8191; i++) events.normal(other(i), 'Pulled', 'x', kubelet);
    events.normal(cm, 'Pulled', 'first', kubelet); // evicted by 4096 newer entries: a new Event
    expect(store.list('events').items.filter((e) => e.involvedObject.name === 'cfg').map((e) => e.count)).toEqual([2, 1]);
  });
});

describe('NanoStamp', () => {
  it('writes the nanosecond hex a BigInt computation gives, bumped by one within the same instant', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1.7e12, max: 1.9e12, noNaN: true }), { minLength: 1, maxLength: 30 }), (times) => {
        const stamp = new NanoStamp();
        let last = 0n;
        for (const t of [...times].sort((a, b) => a - b).flatMap((t) => [t, t])) {
          let ns = BigInt(Math.round(t * 1000)) * 1_000n;
          if (ns <= last) ns = last + 1n;
          last = ns;
          expect(stamp.next(t)).toBe(ns.toString(16));
        }
      }),
    );
  });
});
