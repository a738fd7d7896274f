/**
 * Differential check against the real kubectl 1.32: what `kubectl create/run/expose --dry-run=client -o json`
 * sends is accepted by the store, and the server-side defaults land where the API server puts them.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createTestCluster } from '../cluster/testkit';

function kubectl(args: string[]): any | undefined {
  try {
    return JSON.parse(execFileSync('kubectl', [args[0]!, '--dry-run=client', '-o', 'json', ...args.slice(1)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    console.log(`skipping real-kubectl comparison: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

describe('objects made by the real kubectl', () => {
  it('deployment, service and pod from kubectl are accepted and defaulted', () => {
    const dep = kubectl(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80']);
    const svc = kubectl(['create', 'service', 'nodeport', 'web', '--tcp=80:8080', '--node-port=30080']);
    if (!dep || !svc) return;
    // `kubectl run` needs a live server for discovery, so its (documented) request body is written out here.
    const pod = {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { name: 'tmp', labels: { run: 'tmp' } },
      spec: { containers: [{ name: 'tmp', image: 'busybox', args: ['sleep', '3600'], resources: {} }], restartPolicy: 'Never', dnsPolicy: 'ClusterFirst' },
      status: {},
    };
    const tc = createTestCluster({ boot: true });
    const d = tc.store.create('deployments', dep);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    expect(d.spec.template.spec.containers[0].ports[0]).toEqual({ containerPort: 80, protocol: 'TCP' });
    const s = tc.store.create('services', svc);
    expect(s.spec.ports[0]).toMatchObject({ name: '80-8080', port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' });
    expect(s.spec.externalTrafficPolicy).toBe('Cluster');
    const p = tc.store.create('pods', pod);
    expect(p.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', enableServiceLinks: true, priority: 0 });
    expect(p.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(p.spec.volumes[0].name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    tc.settle();
    expect(tc.store.get('pods', 'default', 'tmp').status.phase).toBe('Running');
    // The Service targets 8080 by number: the endpoints list both pods at :8080 (nothing checks the pods listen there).
    const ep = tc.store.get('endpoints', 'default', 'web').subsets[0];
    expect(ep.addresses).toHaveLength(2);
    expect(ep.ports).toEqual([{ name: '80-8080', port: 8080, protocol: 'TCP' }]);
  });
});
