import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';
import fc from 'fast-check';
import type { Pod, Service } from '../api/types';
import { LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker } from './trigger-time';

/** The TriggerTimeTracker's rules, seen on the Endpoints and EndpointSlice of one Service. */
describe('endpoints.kubernetes.io/last-change-trigger-time', () => {
  it('new Service: its creation time; a pod turning ready: that transition; a change no pod or Service caused: removed', () => {
    const tc = createTestCluster();
    const ep = () => tc.store.get('endpoints', 'default', 'web');
    const slice = () => tc.store.list('endpointslices', { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' }).items[0]!;
    const readyTimes = () =>
      tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime as string);

    const svc = tc.store.create('services', serviceManifest('web', { app: 'web' }, 80, 8080));
    tc.settle();
    expect(ep().metadata.annotations).toEqual({ [LAST_CHANGE_TRIGGER_TIME]: svc.metadata.creationTimestamp });
    expect(slice().metadata.annotations).toEqual({ [LAST_CHANGE_TRIGGER_TIME]: svc.metadata.creationTimestamp });

    tc.store.create('deployments', deploymentManifest('web', 2, 'nginx', { port: 8080 }));
    tc.settle();
    // The last write came from the last pod to turn ready (the earliest of those that moved since the sync before).
    const times = readyTimes().sort();
    expect(ep().subsets[0].addresses).toHaveLength(2);
    expect(times).toContain(ep().metadata.annotations![LAST_CHANGE_TRIGGER_TIME]);
    expect(ep().metadata.annotations![LAST_CHANGE_TRIGGER_TIME]! > svc.metadata.creationTimestamp!).toBe(true);
    expect(times).toContain(slice().metadata.annotations![LAST_CHANGE_TRIGGER_TIME]);

    // Relabelling the Service rewrites its Endpoints, but no trigger moved: the annotation goes, as in the controller.
    tc.store.patch('services', 'default', 'web', 'merge', { metadata: { labels: { team: 'a' } } });
    tc.settle();
    expect(ep().metadata.labels).toEqual({ team: 'a' });
    expect(ep().metadata.annotations).toBeUndefined();
  });
});

describe('TriggerTimeTracker', () => {
  /** The tracker's rules with a map per sync (what the positional lookup must agree with). */
  function reference() {
    let known: { times: Map<string, string>; svc: string } | undefined;
    return (svcTime: string, pods: readonly (readonly [string, string | undefined])[]): string | undefined => {
      const times = new Map<string, string>();
      let min: string | undefined;
      for (const [name, t] of pods) {
        if (!t) continue;
        times.set(name, t);
        const last = known?.times.get(name);
        if ((last === undefined || t > last) && (min === undefined || t < min)) min = t;
      }
      if (svcTime && (known === undefined || svcTime > known.svc) && (min === undefined || svcTime < min)) min = svcTime;
      const first = known === undefined;
      known = { times, svc: svcTime };
      return first ? svcTime || undefined : min;
    };
  }

  const podOf = (name: string, t: string | undefined) =>
    ({ metadata: { name }, status: { conditions: t ? [{ type: 'PodScheduled', lastTransitionTime: '2000-01-01T00:00:00Z' }, { type: 'Ready', status: 'True', lastTransitionTime: t }] : [] } }) as unknown as Pod;

  it('gives the same trigger time as a per-sync map, whatever the pods order, membership and times from sync to sync', () => {
    const time = fc.integer({ min: 0, max: 20 }).map((s) => `2026-01-01T00:00:${String(s).padStart(2, '0')}Z`);
    const sync = fc.record({
      svcTime: fc.constantFrom('', '2026-01-01T00:00:05Z', '2026-01-01T00:00:10Z'),
      // Pod names are unique in a listing, as in a namespace.
      pods: fc.uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.option(time, { nil: undefined })), { selector: ([n]) => n, maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(sync, { minLength: 1, maxLength: 8 }), (syncs) => {
        const tracker = new TriggerTimeTracker();
        const model = reference();
        for (const { svcTime, pods } of syncs) {
          const svc = { metadata: { namespace: 'default', name: 'web', creationTimestamp: svcTime || undefined } } as unknown as Service;
          const pass = tracker.begin(svc);
          for (const [name, t] of pods) pass.pod(podOf(name, t));
          expect(pass.end()).toBe(model(svcTime, pods));
        }
      }),
      { numRuns: 500 },
    );
  });
});
