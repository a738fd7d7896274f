import { describe, expect, it } from 'vitest';
import { createWorld } from '../world';

describe('cluster boot', () => {
  it('local: nodes, kube-system and default look like a kind cluster', () => {
    const w = createWorld({ profile: 'local', seed: 1 });
    const nodes = w.store.list('nodes').items;
    expect(nodes.map((n) => n.metadata.name)).toEqual(['control-plane', 'worker-1', 'worker-2']);
    expect(nodes.map((n) => n.status.addresses[0].address)).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
    expect(nodes[0]!.spec.taints).toEqual([{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }]);
    const svc = w.store.get('services', 'default', 'kubernetes');
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    const dns = w.store.get('services', 'kube-system', 'kube-dns');
    expect(dns.spec.clusterIP).toBe('10.96.0.10');
    const pods = w.store.list('pods', { namespace: 'kube-system' }).items;
    const coredns = pods.filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-dns');
    expect(coredns).toHaveLength(2);
    for (const p of pods) expect(p.status.phase, p.metadata.name).toBe('Running');
    for (const p of coredns) expect(p.status.podIP).toMatch(/^10\.244\.\d\.\d+$/);
    const proxies = pods.filter((p) => p.metadata.labels?.['k8s-app'] === 'kube-proxy');
    expect(proxies.map((p) => p.status.podIP).sort()).toEqual(['172.18.0.2', '172.18.0.3', '172.18.0.4']);
    const ep = w.store.get('endpoints', 'kube-system', 'kube-dns');
    expect(ep.subsets[0].addresses).toHaveLength(2);
    const d = w.store.get('deployments', 'kube-system', 'coredns');
    expect(d.status.readyReplicas).toBe(2);
    expect(w.hosts.get('node/worker-1')?.hostname).toBe('worker-1');
    expect(w.commands.has('cloud-provider-kind')).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const names = (seed: number) =>
      createWorld({ profile: 'local', seed })
        .store.list('pods', { namespace: 'kube-system' })
        .items.map((p) => `${p.metadata.name} ${p.status.podIP} ${p.metadata.uid}`);
    expect(names(5)).toEqual(names(5));
    expect(names(5)).not.toEqual(names(6));
  });

  it('cloud: node-1..3 with public IPs and zones', () => {
    const w = createWorld({ profile: 'cloud', seed: 1 });
    const nodes = w.store.list('nodes').items;
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(nodes[0]!.status.addresses.map((a: any) => a.type)).toEqual(['InternalIP', 'ExternalIP', 'Hostname']);
    expect(nodes[0]!.metadata.labels?.['topology.kubernetes.io/zone']).toBe('us-east-1a');
    expect(w.commands.has('cloud-provider-kind')).toBe(false);
  });
});
