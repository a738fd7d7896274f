import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { Rng } from '../core/rng';
import { createTestCluster } from '../cluster/testkit';
import { clusterIpBandOffset, nodePortBandOffset } from './band-allocator';
import { ClusterIpAllocator } from './service-ip';
import { NodePortAllocator } from './nodeport';

const svc = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

function err(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected ApiError');
}

describe('ClusterIP and NodePort allocation', () => {
  it('band sizes follow KEP-3070 and KEP-3668', () => {
    expect(clusterIpBandOffset(2 ** 20 - 2)).toBe(256);
    expect(clusterIpBandOffset(254)).toBe(16);
    expect(nodePortBandOffset(2768)).toBe(86);
  });

  it('dynamic ClusterIPs come from the upper band; static ones from anywhere', () => {
    const a = new ClusterIpAllocator('10.96.0.0/12', new Rng(1));
    for (let i = 0; i < 50; i++) {
      const r = a.pickNext();
      if (!r.ok) throw new Error('full');
      const [, , c, d] = r.ip.split('.').map(Number);
      expect(c! * 256 + d! - 0).toBeGreaterThan(256); // beyond 10.96.1.0
      a.take(r.ip);
    }
    expect(a.check('10.96.0.10').ok).toBe(true);
  });

  it('dynamic NodePorts avoid 30000-30085 until the upper band is full', () => {
    const a = new NodePortAllocator(30000, 2768, new Rng(3));
    for (let i = 0; i < 2682; i++) {
      const r = a.pickNext();
      if (!r.ok) throw new Error('full');
      expect(r.port).toBeGreaterThanOrEqual(30086);
      a.take(r.port);
    }
    const low = a.pickNext();
    expect(low.ok && low.port < 30086).toBe(true);
  });

  it('the API server texts for taken and out-of-range values', () => {
    const tc = createTestCluster();
    const s = tc.store;
    expect(err(() => s.create('services', svc('dup', { clusterIP: '10.96.0.10' }))).message).toBe(
      'Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
    );
    expect(err(() => s.create('services', svc('far', { clusterIP: '1.1.1.1' }))).message).toBe(
      'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    s.create('services', svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(err(() => s.create('services', svc('web2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).message).toBe(
      'Service "web2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
    );
    expect(err(() => s.create('services', svc('web3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }))).message).toBe(
      'Service "web3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    expect(err(() => s.create('services', svc('web4', { ports: [{ port: 80, nodePort: 30081 }] }))).message).toBe(
      "Service \"web4\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    );
    // A rejected create allocates nothing.
    expect(tc.cp.clusterIPs.isAllocated('1.1.1.1')).toBe(false);
    expect(tc.cp.nodePorts.isAllocated(30081)).toBe(false);
  });

  it('defaults, type changes and release', () => {
    const tc = createTestCluster();
    const s = tc.store;
    const created = s.create('services', svc('lb', { type: 'LoadBalancer', selector: { app: 'x' } }));
    expect(created.spec).toMatchObject({
      type: 'LoadBalancer',
      sessionAffinity: 'None',
      externalTrafficPolicy: 'Cluster',
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      allocateLoadBalancerNodePorts: true,
    });
    expect(created.spec.ports[0]).toMatchObject({ port: 80, targetPort: 80, protocol: 'TCP' });
    const np = created.spec.ports[0].nodePort;
    expect(np).toBeGreaterThanOrEqual(30086);
    expect(created.spec.clusterIPs).toEqual([created.spec.clusterIP]);
    const local = s.patch('services', 'default', 'lb', 'merge', { spec: { externalTrafficPolicy: 'Local' } });
    expect(local.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
    const toCluster = s.patch('services', 'default', 'lb', 'merge', { spec: { type: 'ClusterIP' } });
    expect(toCluster.spec.ports[0].nodePort).toBeUndefined();
    expect(toCluster.spec.externalTrafficPolicy).toBeUndefined();
    expect(toCluster.spec.healthCheckNodePort).toBeUndefined();
    expect(toCluster.spec.clusterIP).toBe(created.spec.clusterIP);
    expect(tc.cp.nodePorts.isAllocated(np)).toBe(false);
    expect(err(() => s.patch('services', 'default', 'lb', 'merge', { spec: { clusterIP: '10.96.0.99' } })).message).toContain('may not change once set');
    s.delete('services', 'default', 'lb');
    expect(tc.cp.clusterIPs.isAllocated(created.spec.clusterIP)).toBe(false);
  });

  it('the same seed gives the same ClusterIPs and NodePorts', () => {
    const run = () => {
      const tc = createTestCluster({ seed: 9 });
      return [1, 2, 3].map((i) => {
        const o = tc.store.create('services', svc(`s${i}`, { type: 'NodePort' }));
        return `${o.spec.clusterIP}:${o.spec.ports[0].nodePort}`;
      });
    };
    expect(run()).toEqual(run());
  });
});
