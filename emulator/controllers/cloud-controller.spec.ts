import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';
import { LB_CLEANUP_FINALIZER } from './cloud-controller';
import { PENDING_REASON } from './local-lb-notice';

const reasons = (tc: ReturnType<typeof createTestCluster>, name: string) =>
  tc.store
    .list('events', { fieldSelector: `involvedObject.name=${name},involvedObject.kind=Service` })
    .items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))
    .map((e) => `${e.reason} ${e.source.component}: ${e.message}`);

describe('cloud controller manager (cloud profile)', () => {
  it('provisions a public IP after a delay, with Ensuring/Ensured events, and tears it down on delete', () => {
    const tc = createTestCluster({ profile: 'cloud' });
    tc.store.create('deployments', deploymentManifest('currency-exchange', 2, 'in28min/currency-exchange', { port: 8000 }));
    tc.store.create('services', serviceManifest('currency-exchange', { app: 'currency-exchange' }, 8000, 8000, 'LoadBalancer'));
    tc.scheduler.advance(1000);
    let svc = tc.store.get('services', 'default', 'currency-exchange');
    expect(svc.status.loadBalancer).toEqual({});
    expect(svc.metadata.finalizers).toEqual([LB_CLEANUP_FINALIZER]);
    tc.settle();
    svc = tc.store.get('services', 'default', 'currency-exchange');
    const ip = svc.status.loadBalancer.ingress[0].ip;
    expect(ip).toMatch(/^203\.0\.113\.\d+$/);
    expect(svc.status.loadBalancer.ingress[0].ipMode).toBe('VIP');
    expect(reasons(tc, 'currency-exchange')).toEqual([
      'EnsuringLoadBalancer service-controller: Ensuring load balancer',
      'EnsuredLoadBalancer service-controller: Ensured load balancer',
    ]);
    const lb = tc.cp.loadBalancers.forService('default/currency-exchange')!;
    expect(lb.ip).toBe(ip);
    expect(lb.listeners).toEqual([{ port: 8000, protocol: 'TCP', nodePort: svc.spec.ports[0].nodePort }]);
    expect(lb.targets.map((t) => t.ip)).toEqual(['10.0.1.10', '10.0.1.11', '10.0.1.12']);

    tc.store.delete('services', 'default', 'currency-exchange');
    tc.settle();
    expect(tc.store.tryGet('services', 'default', 'currency-exchange')).toBeUndefined();
    expect(tc.cp.loadBalancers.list()).toEqual([]);
  });

  it('switching away from LoadBalancer removes the load balancer and the ingress', () => {
    const tc = createTestCluster({ profile: 'cloud' });
    tc.store.create('services', serviceManifest('web', { app: 'web' }, 80, 80, 'LoadBalancer'));
    tc.settle();
    tc.store.patch('services', 'default', 'web', 'merge', { spec: { type: 'NodePort' } });
    tc.settle();
    const svc = tc.store.get('services', 'default', 'web');
    expect(svc.status.loadBalancer).toEqual({});
    expect(svc.metadata.finalizers).toBeUndefined();
    expect(reasons(tc, 'web').slice(-2)).toEqual(['DeletingLoadBalancer service-controller: Deleting load balancer', 'DeletedLoadBalancer service-controller: Deleted load balancer']);
  });
});

describe('local profile', () => {
  it('a LoadBalancer stays pending with an explanatory event, until the tunnel runs', () => {
    const tc = createTestCluster({ profile: 'local' });
    tc.store.create('services', serviceManifest('web', { app: 'web' }, 80, 80, 'LoadBalancer'));
    tc.settle();
    expect(tc.store.get('services', 'default', 'web').status.loadBalancer).toEqual({});
    const ev = reasons(tc, 'web');
    expect(ev).toHaveLength(1);
    expect(ev[0]).toContain(PENDING_REASON);
    expect(ev[0]).toContain('cloud-provider-kind');
    tc.cp.startTunnel();
    tc.settle();
    const ip = tc.store.get('services', 'default', 'web').status.loadBalancer.ingress[0].ip;
    expect(ip).toBe('172.18.255.200');
    expect(tc.cp.loadBalancers.forService('default/web')?.provider).toBe('tunnel');
    tc.cp.stopTunnel();
    tc.settle();
    expect(tc.store.get('services', 'default', 'web').status.loadBalancer).toEqual({});
  });
});
