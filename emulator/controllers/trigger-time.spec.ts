import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';
import { LAST_CHANGE_TRIGGER_TIME } from './trigger-time';

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
