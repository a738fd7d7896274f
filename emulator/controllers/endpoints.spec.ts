import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';
import { isPodReady } from './pod-util';

/** The seed's service-discovery walkthrough at the object level. */
describe('EndpointsController', () => {
  it('Endpoints follow the ready pods: create, scale to 3, delete a pod', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('currency-exchange', 2, 'in28min/currency-exchange:0.0.1-RELEASE', { port: 8000 }));
    tc.store.create('services', serviceManifest('currency-exchange', { app: 'currency-exchange' }, 80, 8000));
    tc.settle();
    const addrs = () => (tc.store.get('endpoints', 'default', 'currency-exchange').subsets?.[0]?.addresses ?? []).map((a: any) => a.ip);
    const podIPs = () =>
      tc.store
        .list('pods', { labelSelector: 'app=currency-exchange' })
        .items.filter((p) => !p.metadata.deletionTimestamp && isPodReady(p))
        .map((p) => p.status.podIP)
        .sort();
    expect(addrs()).toHaveLength(2);
    expect(addrs()).toEqual(podIPs());
    const ep = tc.store.get('endpoints', 'default', 'currency-exchange');
    expect(ep.subsets[0].ports).toEqual([{ port: 8000, protocol: 'TCP' }]);
    expect(ep.subsets[0].addresses[0].targetRef.kind).toBe('Pod');

    tc.store.patch('deployments', 'default', 'currency-exchange', 'merge', { spec: { replicas: 3 } });
    tc.settle();
    expect(addrs()).toHaveLength(3);

    const victim = tc.store.list('pods', { labelSelector: 'app=currency-exchange' }).items[0]!;
    tc.store.delete('pods', 'default', victim.metadata.name!);
    // Terminating: out of Endpoints at once (after the controller's next pass, same virtual instant).
    tc.scheduler.runDue();
    tc.scheduler.runDue();
    expect(addrs()).not.toContain(victim.status.podIP);
    tc.settle();
    expect(addrs()).toHaveLength(3);
    expect(addrs()).toEqual(podIPs());
    expect(addrs()).not.toContain(victim.status.podIP);
  });

  it('unready pods are notReadyAddresses; no pods means no subsets', () => {
    const tc = createTestCluster();
    tc.store.create('services', serviceManifest('empty', { app: 'nothing' }));
    const m = deploymentManifest('slow', 1);
    m.spec.template.spec.containers[0].readinessProbe = { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 30 };
    tc.store.create('deployments', m);
    tc.store.create('services', serviceManifest('slow', { app: 'slow' }));
    tc.scheduler.advance(10_000);
    const slow = tc.store.get('endpoints', 'default', 'slow');
    expect(slow.subsets[0].addresses).toBeUndefined();
    expect(slow.subsets[0].notReadyAddresses).toHaveLength(1);
    tc.settle();
    expect(tc.store.get('endpoints', 'default', 'slow').subsets[0].addresses).toHaveLength(1);
    expect(tc.store.get('endpoints', 'default', 'empty').subsets).toBeUndefined();
  });

  it('sorts addresses as strings and resolves named target ports', () => {
    const tc = createTestCluster();
    const m = deploymentManifest('web', 12);
    m.spec.template.spec.containers[0].ports = [{ name: 'http', containerPort: 8080 }];
    tc.store.create('deployments', m);
    tc.store.create('services', serviceManifest('web', { app: 'web' }, 80, 'http'));
    tc.settle();
    const ep = tc.store.get('endpoints', 'default', 'web');
    const ips = ep.subsets[0].addresses.map((a: any) => a.ip);
    expect(ips).toEqual([...ips].sort());
    expect(ep.subsets[0].ports[0].port).toBe(8080);
  });

  it('a relabelled pod leaves, and deleting the Service deletes its Endpoints', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 2));
    tc.store.create('services', serviceManifest('web', { app: 'web' }));
    tc.settle();
    const p = tc.store.list('pods', { labelSelector: 'app=web' }).items[0]!;
    tc.store.patch('pods', 'default', p.metadata.name!, 'merge', { metadata: { labels: { app: 'debug' } } });
    tc.settle();
    const ips = tc.store.get('endpoints', 'default', 'web').subsets[0].addresses.map((a: any) => a.ip);
    expect(ips).not.toContain(p.status.podIP);
    expect(ips).toHaveLength(2); // the ReplicaSet replaced the pod that left its selector
    tc.store.delete('services', 'default', 'web');
    tc.settle();
    expect(tc.store.tryGet('endpoints', 'default', 'web')).toBeUndefined();
  });

  it('a pod deleted and created again under its name is listed with the new pod\'s uid and IP (Endpoints and EndpointSlice)', () => {
    const tc = createTestCluster();
    const pod = (ns: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: ns, labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'nginx' }] } });
    tc.store.create('services', serviceManifest('db', { app: 'db' }));
    // A second namespace with a pod of the same name: entries are per namespace.
    tc.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
    tc.store.create('services', serviceManifest('db', { app: 'db' }, 80, 80, 'ClusterIP', 'other'));
    tc.store.create('pods', pod('default'));
    tc.store.create('pods', pod('other'));
    tc.settle();
    const listed = (ns: string) => {
      const a = tc.store.get('endpoints', ns, 'db').subsets[0].addresses[0];
      const e = tc.store.list('endpointslices', { namespace: ns, labelSelector: 'kubernetes.io/service-name=db' }).items[0]!.endpoints[0];
      return { ep: [a.ip, a.targetRef.uid], slice: [e.addresses[0], e.targetRef.uid] };
    };
    const current = (ns: string) => {
      const p = tc.store.get('pods', ns, 'db-0');
      return [p.status.podIP, p.metadata.uid];
    };
    const first = current('default');
    expect(listed('default')).toEqual({ ep: first, slice: first });
    expect(listed('other')).toEqual({ ep: current('other'), slice: current('other') });

    tc.store.delete('pods', 'default', 'db-0', { gracePeriodSeconds: 0 });
    tc.settle();
    tc.store.create('pods', pod('default'));
    tc.settle();
    const again = current('default');
    expect(again[1]).not.toBe(first[1]);
    expect(listed('default')).toEqual({ ep: again, slice: again });
    expect(listed('other')).toEqual({ ep: current('other'), slice: current('other') });
  });
});
