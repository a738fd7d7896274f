/** Scheduler, ReplicaSet, kubelet, garbage collector and namespace lifecycle, observed through the API. */
import { describe, expect, it } from 'vitest';
import { createTestCluster, deploymentManifest, serviceManifest } from '../cluster/testkit';
import { SAFE_ALPHABET } from '../api/meta';

const pod = (name: string, image = 'nginx', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { run: name } },
  spec: { containers: [{ name, image }], ...extra },
});

function events(tc: ReturnType<typeof createTestCluster>, name: string): string[] {
  return tc.store
    .list('events', { fieldSelector: `involvedObject.name=${name}` })
    .items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))
    .map((e) => `${e.type} ${e.reason} ${e.source.component}: ${e.message}`);
}

describe('scheduler', () => {
  it('spreads over workers, never the tainted control-plane, and honours cordon', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 6));
    tc.settle();
    const nodes = tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.spec.nodeName);
    expect(nodes.filter((n) => n === 'worker-1')).toHaveLength(3);
    expect(nodes.filter((n) => n === 'worker-2')).toHaveLength(3);
    tc.store.patch('nodes', undefined, 'worker-2', 'merge', { spec: { unschedulable: true } });
    tc.store.patch('deployments', 'default', 'web', 'merge', { spec: { replicas: 8 } });
    tc.settle();
    const after = tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.spec.nodeName);
    expect(after.filter((n) => n === 'worker-1')).toHaveLength(5);
  });

  it('leaves a pod Pending with FailedScheduling when nothing fits', () => {
    const tc = createTestCluster();
    for (const n of ['worker-1', 'worker-2']) tc.store.patch('nodes', undefined, n, 'merge', { spec: { unschedulable: true } });
    tc.store.create('pods', pod('stuck'));
    tc.settle();
    const p = tc.store.get('pods', 'default', 'stuck');
    expect(p.status.phase).toBe('Pending');
    expect(p.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' });
    expect(events(tc, 'stuck')[0]).toBe(
      'Warning FailedScheduling default-scheduler: 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    tc.store.patch('nodes', undefined, 'worker-1', 'merge', { spec: { unschedulable: false } });
    tc.settle();
    expect(tc.store.get('pods', 'default', 'stuck').spec.nodeName).toBe('worker-1');
  });

  it("names nodeSelector misses in FailedScheduling as the NodeAffinity filter does, after taints", () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('picky', 'nginx', { nodeSelector: { disktype: 'ssd' } }));
    tc.settle();
    expect(events(tc, 'picky')[0]).toBe(
      "Warning FailedScheduling default-scheduler: 0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
    tc.store.patch('nodes', undefined, 'worker-2', 'merge', { metadata: { labels: { disktype: 'ssd' } } });
    tc.settle();
    expect(tc.store.get('pods', 'default', 'picky').spec.nodeName).toBe('worker-2');
  });
});

describe('kubelet', () => {
  it('Pending → ContainerCreating → Running with events, IPs from the node podCIDR and a pod host', () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('web'));
    tc.scheduler.advance(400);
    const creating = tc.store.get('pods', 'default', 'web');
    expect(creating.status.phase).toBe('Pending');
    expect(creating.status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    tc.settle();
    const p = tc.store.get('pods', 'default', 'web');
    expect(p.status.phase).toBe('Running');
    expect(p.status.podIP).toMatch(/^10\.244\.[12]\.\d+$/);
    expect(p.status.hostIP).toMatch(/^172\.18\.0\.[34]$/);
    expect(p.status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, restartCount: 0, started: true });
    expect(p.status.containerStatuses[0].image).toBe('docker.io/library/nginx:latest');
    expect(p.status.conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(events(tc, 'web').map((e) => e.replace(/ in [\d.]+s \([\d.]+s including waiting\)/, ''))).toEqual([
      `Normal Scheduled default-scheduler: Successfully assigned default/web to ${p.spec.nodeName}`,
      'Normal Pulling kubelet: Pulling image "nginx"',
      'Normal Pulled kubelet: Successfully pulled image "nginx". Image size: 72188133 bytes.',
      'Normal Created kubelet: Created container: web',
      'Normal Started kubelet: Started container web',
    ]);
    const host = tc.hosts.get('pod/default/web')!;
    expect(host.hostname).toBe('web');
    expect(host.commands?.has('curl')).toBe(true);
    expect(host.fs.readFile('/etc/resolv.conf')).toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(host.env?.get('KUBERNETES_SERVICE_HOST')).toBe('10.96.0.1');
    expect(tc.cp.runtime.logs.lines('default/web', 'web')?.length).toBeGreaterThan(5);
  });

  it('a replaced pod gets a new IP; graceful deletion shows Terminating, then the pod, host and IP go', () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('a', 'nginx', { nodeName: 'worker-1' }));
    tc.settle();
    const ip1 = tc.store.get('pods', 'default', 'a').status.podIP;
    tc.store.delete('pods', 'default', 'a');
    tc.scheduler.advance(100);
    const t = tc.store.get('pods', 'default', 'a');
    expect(t.metadata.deletionTimestamp).toBeDefined();
    expect(events(tc, 'a')).toContain('Normal Killing kubelet: Stopping container a');
    tc.settle();
    expect(tc.store.tryGet('pods', 'default', 'a')).toBeUndefined();
    expect(tc.hosts.has('pod/default/a')).toBe(false);
    tc.store.create('pods', pod('a', 'nginx', { nodeName: 'worker-1' }));
    tc.settle();
    expect(tc.store.get('pods', 'default', 'a').status.podIP).not.toBe(ip1);
  });

  it('busybox sleep ignores SIGTERM: Terminating lasts the grace period', () => {
    const tc = createTestCluster();
    const p = pod('bb', 'busybox');
    (p.spec.containers[0] as any).command = ['sleep', '3600'];
    tc.store.create('pods', p);
    tc.settle();
    tc.store.delete('pods', 'default', 'bb');
    tc.scheduler.advance(29_000);
    expect(tc.store.tryGet('pods', 'default', 'bb')).toBeDefined();
    tc.scheduler.advance(1_500);
    expect(tc.store.tryGet('pods', 'default', 'bb')).toBeUndefined();
  });

  it('an image outside the catalogue: ErrImagePull then ImagePullBackOff, naming the catalogue', () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('bad', 'example/unknown:1.0'));
    tc.scheduler.advance(2_000);
    const s1 = tc.store.get('pods', 'default', 'bad').status.containerStatuses[0].state.waiting;
    expect(s1.reason).toBe('ErrImagePull');
    expect(s1.message).toContain('docker.io/example/unknown:1.0: not found');
    expect(s1.message).toContain('in28min/currency-exchange');
    tc.scheduler.advance(1_500);
    expect(tc.store.get('pods', 'default', 'bad').status.containerStatuses[0].state.waiting.reason).toBe('ImagePullBackOff');
    expect(events(tc, 'bad')).toContain('Normal BackOff kubelet: Back-off pulling image "example/unknown:1.0"');
    expect(tc.store.get('pods', 'default', 'bad').status.phase).toBe('Pending');
  });

  it('busybox without a command exits at once: CrashLoopBackOff with restarts', () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('sh', 'busybox'));
    tc.scheduler.advance(30_000);
    const cs = tc.store.get('pods', 'default', 'sh').status.containerStatuses[0];
    expect(cs.restartCount).toBeGreaterThanOrEqual(1);
    expect(cs.lastState.terminated.reason).toBe('Completed');
  });

  it('curl without a URL exits 2: Error in lastState, its hint in the logs, CrashLoopBackOff; Never → Failed; OnFailure restarts', () => {
    const tc = createTestCluster();
    tc.store.create('pods', pod('c', 'curlimages/curl'));
    tc.store.create('pods', pod('once', 'curlimages/curl', { restartPolicy: 'Never' }));
    tc.store.create('pods', pod('retry', 'curlimages/curl', { restartPolicy: 'OnFailure' }));
    tc.store.create('pods', pod('sh-once', 'busybox', { restartPolicy: 'OnFailure' }));
    tc.scheduler.advance(30_000);
    const c = tc.store.get('pods', 'default', 'c').status.containerStatuses[0];
    expect(c.lastState.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(c.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(c.restartCount).toBeGreaterThanOrEqual(1);
    expect((tc.cp.runtime.logs.lines('default/c', 'c') ?? []).map((l) => l.text)).toEqual(["curl: try 'curl --help' or 'curl --manual' for more information"]);
    const once = tc.store.get('pods', 'default', 'once');
    expect(once.status.phase).toBe('Failed');
    expect(once.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(once.status.containerStatuses[0].restartCount).toBe(0);
    expect(tc.store.get('pods', 'default', 'retry').status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
    // busybox sh exits 0: OnFailure leaves it Completed and the pod Succeeded.
    const sh = tc.store.get('pods', 'default', 'sh-once');
    expect(sh.status.phase).toBe('Succeeded');
    expect(sh.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it("a restarted container gets its environment again: its own variables and the service links of the Services that exist now", () => {
    const tc = createTestCluster();
    const p = pod('sh', 'busybox');
    (p.spec.containers[0] as { env?: unknown }).env = [{ name: 'GREETING', value: 'hello' }];
    const started: { pod: { env: Readonly<Record<string, string>> } }[] = [];
    tc.cp.runtime.onChange((c) => { if (c.type === 'started') started.push(c.container); });
    tc.store.create('pods', p);
    tc.settle();
    expect(started).toHaveLength(1);
    const first = started[0]!;
    expect(first.pod.env['GREETING']).toBe('hello');
    expect(first.pod.env['LATER_SERVICE_HOST']).toBeUndefined();
    tc.store.create('services', serviceManifest('later', { app: 'later' }));
    tc.scheduler.advance(30_000);
    expect(tc.store.get('pods', 'default', 'sh').status.containerStatuses[0].restartCount).toBeGreaterThanOrEqual(1);
    const again = started[1]!;
    expect(again.pod.env['GREETING']).toBe('hello');
    expect(again.pod.env['LATER_SERVICE_HOST']).toBe(tc.store.get('services', 'default', 'later').spec.clusterIP);
    expect(again.pod.env['KUBERNETES_SERVICE_HOST']).toBe('10.96.0.1');
  });
});

describe('ReplicaSet', () => {
  it('names pods <rs>-<5 safe chars> and replaces a deleted pod', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 2));
    tc.settle();
    const rs = tc.store.list('replicasets', { labelSelector: 'app=web' }).items[0]!;
    const pods = tc.store.list('pods', { labelSelector: 'app=web' }).items;
    for (const p of pods) expect(p.metadata.name).toMatch(new RegExp(`^${rs.metadata.name}-[${SAFE_ALPHABET}]{5}$`));
    tc.store.delete('pods', 'default', pods[0]!.metadata.name!);
    tc.settle();
    const now = tc.store.list('pods', { labelSelector: 'app=web' }).items.map((p) => p.metadata.name);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(pods[0]!.metadata.name);
    expect(tc.store.get('replicasets', 'default', rs.metadata.name!).status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    const msgs = tc.store.list('events', { fieldSelector: `involvedObject.name=${rs.metadata.name}` }).items.map((e) => e.reason);
    expect(msgs.filter((r) => r === 'SuccessfulCreate')).toHaveLength(3); // one per pod: each message names its pod
    expect(tc.store.list('events', { fieldSelector: `involvedObject.name=${rs.metadata.name},reason=SuccessfulCreate` }).items[0]!.count).toBe(1);
  });
});

describe('garbage collector and namespaces', () => {
  it('deleting a Deployment (background) removes its ReplicaSets and pods', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('web', 3));
    tc.settle();
    tc.store.delete('deployments', 'default', 'web');
    tc.settle();
    expect(tc.store.list('replicasets', { namespace: 'default' }).items).toHaveLength(0);
    expect(tc.store.list('pods', { namespace: 'default' }).items).toHaveLength(0);
  });

  it('foreground deletion keeps the Deployment until its dependents are gone; orphan keeps the pods', () => {
    const tc = createTestCluster();
    tc.store.create('deployments', deploymentManifest('fg', 2));
    tc.store.create('deployments', deploymentManifest('or', 2));
    tc.settle();
    tc.store.delete('deployments', 'default', 'fg', { propagationPolicy: 'Foreground' });
    tc.scheduler.advance(50);
    expect(tc.store.get('deployments', 'default', 'fg').metadata.finalizers).toEqual(['foregroundDeletion']);
    tc.store.delete('deployments', 'default', 'or', { propagationPolicy: 'Orphan' });
    tc.settle();
    expect(tc.store.tryGet('deployments', 'default', 'fg')).toBeUndefined();
    expect(tc.store.list('pods', { labelSelector: 'app=fg' }).items).toHaveLength(0);
    expect(tc.store.tryGet('deployments', 'default', 'or')).toBeUndefined();
    const rs = tc.store.list('replicasets', { labelSelector: 'app=or' }).items;
    expect(rs).toHaveLength(1);
    expect(rs[0]!.metadata.ownerReferences).toBeUndefined();
    expect(tc.store.list('pods', { labelSelector: 'app=or' }).items).toHaveLength(2);
  });

  it('a deleted namespace is Terminating while its content goes, then disappears', () => {
    const tc = createTestCluster();
    tc.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    tc.store.create('deployments', deploymentManifest('web', 2, 'nginx', { namespace: 'shop' }));
    tc.settle();
    const ns = tc.store.delete('namespaces', undefined, 'shop');
    expect(ns.status.phase).toBe('Terminating');
    expect(() => tc.store.create('pods', { ...pod('late'), metadata: { name: 'late', namespace: 'shop' } })).toThrow(
      'pods "late" is forbidden: unable to create new content in namespace shop because it is being terminated',
    );
    tc.settle();
    expect(tc.store.tryGet('namespaces', undefined, 'shop')).toBeUndefined();
    expect(tc.store.count('pods', 'shop')).toBe(0);
  });
});
