/**
 * Property tests: random sequences of create / scale / delete / expose / namespace operations keep the cluster's
 * invariants, and deleting everything leaks nothing (pods, IPs, ClusterIPs, NodePorts, Endpoints, slices).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isApiError } from '../api/errors';
import { createTestCluster, deploymentManifest, type TestCluster } from '../cluster/testkit';
import { isPodReady } from './pod-util';

const NAMES = ['web', 'api', 'db'];
const NAMESPACES = ['default', 'team-a'];

type Op =
  | { kind: 'deploy'; ns: string; name: string; replicas: number }
  | { kind: 'scale'; ns: string; name: string; replicas: number }
  | { kind: 'deleteDeploy'; ns: string; name: string }
  | { kind: 'expose'; ns: string; name: string; type: 'ClusterIP' | 'NodePort' | 'LoadBalancer'; nodePort?: number; clusterIP?: string }
  | { kind: 'deleteSvc'; ns: string; name: string }
  | { kind: 'deletePod'; ns: string; index: number }
  | { kind: 'createNs'; ns: string }
  | { kind: 'deleteNs'; ns: string }
  | { kind: 'advance'; ms: number };

const nsArb = fc.constantFrom(...NAMESPACES);
const nameArb = fc.constantFrom(...NAMES);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('deploy' as const), ns: nsArb, name: nameArb, replicas: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('scale' as const), ns: nsArb, name: nameArb, replicas: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('deleteDeploy' as const), ns: nsArb, name: nameArb }),
  fc.record({
    kind: fc.constant('expose' as const),
    ns: nsArb,
    name: nameArb,
    type: fc.constantFrom('ClusterIP' as const, 'NodePort' as const, 'LoadBalancer' as const),
    nodePort: fc.option(fc.integer({ min: 30000, max: 30003 }), { nil: undefined }),
    clusterIP: fc.option(fc.constantFrom('10.96.0.50', '10.96.0.51'), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('deleteSvc' as const), ns: nsArb, name: nameArb }),
  fc.record({ kind: fc.constant('deletePod' as const), ns: nsArb, index: fc.nat(10) }),
  fc.record({ kind: fc.constant('createNs' as const), ns: fc.constant('team-a') }),
  fc.record({ kind: fc.constant('deleteNs' as const), ns: fc.constant('team-a') }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

function apply(tc: TestCluster, op: Op): void {
  const s = tc.store;
  try {
    switch (op.kind) {
      case 'deploy':
        s.create('deployments', deploymentManifest(op.name, op.replicas, 'nginx', { namespace: op.ns }));
        break;
      case 'scale':
        s.patch('deployments', op.ns, op.name, 'merge', { spec: { replicas: op.replicas } });
        break;
      case 'deleteDeploy':
        s.delete('deployments', op.ns, op.name, { propagationPolicy: 'Background' });
        break;
      case 'expose': {
        const port: Record<string, unknown> = { port: 80, targetPort: 80 };
        if (op.nodePort !== undefined && op.type !== 'ClusterIP') port.nodePort = op.nodePort;
        s.create('services', {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: op.name, namespace: op.ns },
          spec: { type: op.type, selector: { app: op.name }, ports: [port], ...(op.clusterIP ? { clusterIP: op.clusterIP } : {}) },
        });
        break;
      }
      case 'deleteSvc':
        s.delete('services', op.ns, op.name);
        break;
      case 'deletePod': {
        const pods = s.list('pods', { namespace: op.ns }).items;
        const p = pods[op.index % Math.max(1, pods.length)];
        if (p) s.delete('pods', op.ns, p.metadata.name!);
        break;
      }
      case 'createNs':
        s.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: op.ns } });
        break;
      case 'deleteNs':
        s.delete('namespaces', undefined, op.ns);
        break;
      case 'advance':
        tc.scheduler.advance(op.ms);
        break;
    }
  } catch (e) {
    // Rejected requests (AlreadyExists, NotFound, taken ports/IPs, terminating namespace) must change nothing.
    if (!isApiError(e)) throw e;
  }
}

/** Invariants that hold at every instant. */
function checkAlways(tc: TestCluster): void {
  const pods = tc.store.list('pods').items.filter((p) => !p.spec.hostNetwork && p.status?.podIP);
  const ips = pods.map((p) => p.status.podIP);
  expect(new Set(ips).size, `pod IPs ${ips.join(' ')}`).toBe(ips.length);
  const svcs = tc.store.list('services').items;
  const cips = svcs.map((s) => s.spec.clusterIP).filter((ip) => ip && ip !== 'None');
  expect(new Set(cips).size).toBe(cips.length);
  const nps = svcs.flatMap((s) => (s.spec.ports ?? []).map((p: any) => p.nodePort).filter(Boolean));
  expect(new Set(nps).size).toBe(nps.length);
  // The allocators hold exactly what the Services hold.
  expect(tc.cp.clusterIPs.allocatedCount).toBe(cips.length);
  expect(tc.cp.nodePorts.allocatedCount).toBe(nps.length);
}

/** Invariants once controllers are quiescent. */
function checkSettled(tc: TestCluster): void {
  checkAlways(tc);
  for (const svc of tc.store.list('services').items) {
    if (!svc.spec.selector) continue;
    const sel = svc.spec.selector as Record<string, string>;
    const want = tc.store
      .list('pods', { namespace: svc.metadata.namespace })
      .items.filter((p) => Object.entries(sel).every(([k, v]) => p.metadata.labels?.[k] === v))
      .filter((p) => !p.metadata.deletionTimestamp && isPodReady(p) && p.status.podIP)
      .map((p) => p.status.podIP)
      .sort();
    const ep = tc.store.tryGet('endpoints', svc.metadata.namespace, svc.metadata.name!);
    const got = (ep?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
    expect(got, `endpoints of ${svc.metadata.namespace}/${svc.metadata.name}`).toEqual(want);
    const sliceIPs = tc.store
      .list('endpointslices', { namespace: svc.metadata.namespace, labelSelector: `kubernetes.io/service-name=${svc.metadata.name}` })
      .items.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions.ready).map((e: any) => e.addresses[0]))
      .sort();
    expect(sliceIPs).toEqual(want);
  }
  // Every Deployment has its replicas, all Ready.
  for (const d of tc.store.list('deployments').items) {
    const sel = Object.entries(d.spec.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
    const pods = tc.store.list('pods', { namespace: d.metadata.namespace, labelSelector: sel }).items.filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.filter((p) => isPodReady(p)).length, `${d.metadata.name} ready pods`).toBe(d.spec.replicas);
  }
}

describe('control-plane invariants (fast-check)', () => {
  it('random create/scale/delete/expose/namespace sequences keep the invariants and leak nothing', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 18 }), fc.integer({ min: 1, max: 1000 }), (ops, seed) => {
        const tc = createTestCluster({ seed });
        const baseIPs = [...tc.cp.kubelets.values()].reduce((n, k) => n + k.ipsInUse, 0);
        const baseClusterIPs = tc.cp.clusterIPs.allocatedCount;
        const baseNodePorts = tc.cp.nodePorts.allocatedCount;
        for (const op of ops) {
          apply(tc, op);
          checkAlways(tc);
        }
        tc.settle();
        checkSettled(tc);
        // Tear everything down: nothing may leak.
        for (const ns of NAMESPACES) {
          for (const d of tc.store.list('deployments', { namespace: ns }).items) tc.store.delete('deployments', ns, d.metadata.name!);
          for (const s of tc.store.list('services', { namespace: ns }).items) if (s.metadata.name !== 'kubernetes') tc.store.delete('services', ns, s.metadata.name!);
        }
        if (tc.store.tryGet('namespaces', undefined, 'team-a')) tc.store.delete('namespaces', undefined, 'team-a');
        tc.settle();
        expect(tc.store.tryGet('namespaces', undefined, 'team-a')).toBeUndefined();
        for (const r of ['pods', 'replicasets'] as const) expect(tc.store.list(r, { namespace: 'default' }).items, r).toEqual([]);
        expect(tc.store.list('endpointslices', { namespace: 'default' }).items.map((e) => e.metadata.name)).toEqual(['kubernetes']);
        expect(tc.store.list('endpoints', { namespace: 'default' }).items.map((e) => e.metadata.name)).toEqual(['kubernetes']);
        expect(tc.store.count('pods', 'team-a') + tc.store.count('events', 'team-a')).toBe(0);
        expect([...tc.cp.kubelets.values()].reduce((n, k) => n + k.ipsInUse, 0)).toBe(baseIPs);
        expect(tc.cp.clusterIPs.allocatedCount).toBe(baseClusterIPs);
        expect(tc.cp.nodePorts.allocatedCount).toBe(baseNodePorts);
        expect([...tc.hosts.keys()].filter((h) => h.startsWith('pod/default/') || h.startsWith('pod/team-a/'))).toEqual([]);
      }),
      { numRuns: 40, seed: 20260101 },
    );
  });
});
