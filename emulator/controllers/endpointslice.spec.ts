import { describe, expect, it } from 'vitest';
import { SAFE_ALPHABET } from '../api/meta';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';

describe('EndpointSliceController', () => {
  it('names, labels, owner, conditions and ports', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 2));
    const svc = tc.store.create('services', { ...serviceManifest('web', { app: 'web' }), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] } });
    tc.settle();
    const slices = tc.store.list('endpointslices', { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' }).items;
    expect(slices).toHaveLength(1);
    const s = slices[0]!;
    expect(s.metadata.name).toMatch(new RegExp(`^web-[${SAFE_ALPHABET}]{5}$`));
    expect(s.metadata.labels!['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(s.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(s.addressType).toBe('IPv4');
    expect(s.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    expect(s.endpoints).toHaveLength(2);
    for (const e of s.endpoints) {
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
      expect(e.nodeName).toMatch(/^worker-\d$/);
      expect(e.targetRef.kind).toBe('Pod');
    }
  });

  it('keeps a terminating pod with ready=false, terminating=true until it is gone', () => {
    const tc = createTestCluster();
    const m = deploymentManifest('sleepy', 1, 'busybox');
    m.spec.template.spec.containers[0].command = ['sleep', '3600'];
    tc.store.create('deployments', m);
    tc.store.create('services', serviceManifest('sleepy', { app: 'sleepy' }));
    tc.settle();
    const pod = tc.store.list('pods', { labelSelector: 'app=sleepy' }).items[0]!;
    tc.store.delete('pods', 'default', pod.metadata.name!);
    tc.scheduler.advance(5_000); // busybox sleep ignores SIGTERM: Terminating for the whole grace period
    const s = tc.store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=sleepy' }).items[0]!;
    const term = s.endpoints.find((e: any) => e.targetRef.name === pod.metadata.name);
    expect(term.conditions).toEqual({ ready: false, serving: false, terminating: true });
    expect(tc.store.get('pods', 'default', pod.metadata.name!).metadata.deletionTimestamp).toBeDefined();
    tc.settle();
    const after = tc.store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=sleepy' }).items[0]!;
    expect(after.endpoints.map((e: any) => e.targetRef.name)).not.toContain(pod.metadata.name);
  });

  it('a service with no pods gets a placeholder slice; >100 endpoints split; deleting the Service removes slices', () => {
    const tc = createTestCluster();
    tc.store.create('services', serviceManifest('empty', { app: 'none' }));
    tc.store.create('deployments', deploymentManifest('big', 150));
    tc.store.create('services', serviceManifest('big', { app: 'big' }));
    tc.settle();
    const empty = tc.store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=empty' }).items;
    expect(empty).toHaveLength(1);
    expect(empty[0]!.endpoints).toBeNull();
    expect(empty[0]!.ports).toBeNull();
    const big = tc.store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=big' }).items;
    expect(big.map((s) => s.endpoints.length).sort((a, b) => a - b)).toEqual([50, 100]);
    tc.store.delete('services', 'default', 'big');
    tc.settle();
    expect(tc.store.list('endpointslices', { labelSelector: 'kubernetes.io/service-name=big' }).items).toHaveLength(0);
  });
});
