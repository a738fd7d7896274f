import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ApiStore } from '../api/store';
import { EventRecorder } from './events';

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
