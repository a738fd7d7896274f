import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest } from '../cluster/testkit';
import { SAFE_ALPHABET } from '../api/meta';
import { podTemplateHash, resolveIntOrPercent } from './deployment';

function rsOf(tc: ReturnType<typeof createTestCluster>, app: string) {
  return tc.store.list('replicasets', { namespace: 'default', labelSelector: `app=${app}` }).items;
}

describe('DeploymentController', () => {
  it('creates <deploy>-<pod-template-hash> ReplicaSet and pods, reports status and conditions', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('currency-exchange', 2, 'in28min/currency-exchange:0.0.1-RELEASE', { port: 8000 }));
    tc.settle();
    const [rs] = rsOf(tc, 'currency-exchange');
    const hash = rs!.metadata.labels!['pod-template-hash']!;
    expect(rs!.metadata.name).toBe(`currency-exchange-${hash}`);
    expect(hash).toMatch(/^[4-9bcdf]{8,10}$/);
    expect(rs!.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('1');
    const pods = tc.store.list('pods', { labelSelector: 'app=currency-exchange' }).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) expect(p.metadata.name).toMatch(new RegExp(`^currency-exchange-${hash}-[${SAFE_ALPHABET}]{5}$`));
    const d = tc.store.get('deployments', 'default', 'currency-exchange');
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
    expect(d.status.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Available=True/MinimumReplicasAvailable',
      'Progressing=True/NewReplicaSetAvailable',
    ]);
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    const reasons = tc.store.list('events', { fieldSelector: 'involvedObject.kind=Deployment' }).items.map((e) => e.message);
    expect(reasons).toContain(`Scaled up replica set currency-exchange-${hash} from 0 to 2`);
  });

  it('the hash is stable for a template and changes with it', () => {
    const t = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    expect(podTemplateHash(t)).toBe(podTemplateHash(JSON.parse(JSON.stringify(t))));
    expect(podTemplateHash(t)).not.toBe(podTemplateHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } }));
  });

  it('resolves maxSurge up and maxUnavailable down', () => {
    expect(resolveIntOrPercent('25%', 3, true)).toBe(1);
    expect(resolveIntOrPercent('25%', 3, false)).toBe(0);
    expect(resolveIntOrPercent('25%', 10, true)).toBe(3);
    expect(resolveIntOrPercent(2, 10, false)).toBe(2);
  });

  it('scales up and down through the ReplicaSet', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 2));
    tc.settle();
    tc.store.patch('deployments', 'default', 'web', 'merge', { spec: { replicas: 5 } });
    tc.settle();
    expect(tc.store.list('pods', { labelSelector: 'app=web' }).items).toHaveLength(5);
    tc.store.patch('deployments', 'default', 'web', 'merge', { spec: { replicas: 1 } });
    tc.settle();
    expect(tc.store.list('pods', { labelSelector: 'app=web' }).items).toHaveLength(1);
    const d = tc.store.get('deployments', 'default', 'web');
    expect(d.status.replicas).toBe(1);
    expect(d.status.availableReplicas).toBe(1);
  });

  it('rolls out a new template without dropping below maxUnavailable, and keeps the old ReplicaSet at 0', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 4, 'nginx:1.26'));
    tc.settle();
    let minReady = Infinity;
    let maxTotal = 0;
    const sub = tc.store.watch('pods', { labelSelector: 'app=web' }, () => {
      const pods = [...tc.store.peekList('pods', 'default')].filter((p) => p.metadata.labels?.app === 'web');
      const ready = pods.filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
      minReady = Math.min(minReady, ready.length);
      maxTotal = Math.max(maxTotal, pods.filter((p) => !p.metadata.deletionTimestamp).length);
    });
    tc.store.patch('deployments', 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    tc.settle();
    sub.dispose();
    expect(minReady).toBeGreaterThanOrEqual(3); // 4 - 25%
    expect(maxTotal).toBeLessThanOrEqual(5); // 4 + 25%
    const rss = rsOf(tc, 'web').sort((a, b) => Number(a.metadata.annotations!['deployment.kubernetes.io/revision']) - Number(b.metadata.annotations!['deployment.kubernetes.io/revision']));
    expect(rss.map((r) => r.spec.replicas)).toEqual([0, 4]);
    const pods = tc.store.list('pods', { labelSelector: 'app=web' }).items;
    expect(pods.every((p) => p.spec.containers[0].image === 'nginx:1.27')).toBe(true);
    const d = tc.store.get('deployments', 'default', 'web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(d.status.updatedReplicas).toBe(4);
  });

  it('rollout restart (template annotation) replaces every pod', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 2));
    tc.settle();
    const before = tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.metadata.name);
    tc.store.patch('deployments', 'default', 'web', 'strategic', {
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:05:00Z' } } } },
    });
    tc.settle();
    const after = tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.metadata.name);
    expect(after).toHaveLength(2);
    expect(after.some((n) => before.includes(n))).toBe(false);
  });

  it('Recreate scales the old ReplicaSet to zero before the new one comes up', () => {
    const tc = createTestCluster();
    const m = deploymentManifest('web', 2, 'nginx:1.26');
    m.spec.strategy = { type: 'Recreate' };
    tc.store.create('deployments', m);
    tc.settle();
    let overlap = false;
    const sub = tc.store.watch('pods', { labelSelector: 'app=web' }, () => {
      const imgs = new Set([...tc.store.peekList('pods', 'default')].filter((p) => p.metadata.labels?.app === 'web').map((p) => p.spec.containers[0]!.image));
      if (imgs.size > 1) overlap = true;
    });
    tc.store.patch('deployments', 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
    tc.settle();
    sub.dispose();
    expect(overlap).toBe(false);
    expect(tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.spec.containers[0].image)).toEqual(['nginx:1.27', 'nginx:1.27']);
  });
});
