import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ApiError } from './errors';
import { ApiStore } from './store';
import type { KubeObject, WatchEvent } from './types';

function newStore(): { store: ApiStore; scheduler: Scheduler } {
  const scheduler = new Scheduler();
  const store = new ApiStore({ scheduler, rng: new Rng(7) });
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { store, scheduler };
}

const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('ApiStore', () => {
  it('creates with server-owned metadata and defaults', () => {
    const { store } = newStore();
    const p = store.create('pods', pod('web'));
    expect(p.metadata.namespace).toBe('default');
    expect(p.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(p.spec.restartPolicy).toBe('Always');
    expect(p.spec.containers[0].imagePullPolicy).toBe('Always');
    expect(p.spec.tolerations).toHaveLength(2);
    expect(p.status.phase).toBe('Pending');
  });

  it('gives the same uids for the same seed', () => {
    const a = newStore().store.create('pods', pod('x')).metadata.uid;
    const b = newStore().store.create('pods', pod('x')).metadata.uid;
    expect(a).toBe(b);
  });

  it('resourceVersion is monotonic and a no-op update keeps it', () => {
    const { store } = newStore();
    const a = store.create('pods', pod('a'));
    const b = store.create('pods', pod('b'));
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const same = store.update('pods', a);
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
  });

  it('NotFound and AlreadyExists use the API server texts', () => {
    const { store } = newStore();
    expect(errorOf(() => store.get('services', 'default', 'foo')).message).toBe('services "foo" not found');
    expect(errorOf(() => store.get('deployments', 'default', 'foo')).message).toBe('deployments.apps "foo" not found');
    store.create('pods', pod('a'));
    const e = errorOf(() => store.create('pods', pod('a')));
    expect(e.reason).toBe('AlreadyExists');
    expect(e.status).toBe(409);
    expect(e.message).toBe('pods "a" already exists');
  });

  it('rejects a Service name that is not a DNS-1035 label', () => {
    const { store } = newStore();
    const e = errorOf(() =>
      store.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } }),
    );
    expect(e.message).toBe(
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
    expect(e.details?.kind).toBe('Service');
    expect(e.causes?.[0]?.field).toBe('metadata.name');
  });

  it('Deployment selector must match the template labels', () => {
    const { store } = newStore();
    const e = errorOf(() =>
      store.create('deployments', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      }),
    );
    expect(e.message).toBe(
      'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );
    expect(store.count('deployments')).toBe(0);
  });

  it('lists with set-based label selectors and field selectors', () => {
    const { store } = newStore();
    store.create('pods', pod('a', { app: 'web', tier: 'fe' }));
    store.create('pods', pod('b', { app: 'api' }));
    store.create('pods', pod('c', {}));
    const names = (sel: string) => store.list('pods', { labelSelector: sel }).items.map((p) => p.metadata.name);
    expect(names('app=web')).toEqual(['a']);
    expect(names('app!=web')).toEqual(['b', 'c']);
    expect(names('app in (web,api)')).toEqual(['a', 'b']);
    expect(names('app notin (web)')).toEqual(['b', 'c']);
    expect(names('!app')).toEqual(['c']);
    expect(names('app')).toEqual(['a', 'b']);
    expect(names('app,tier=fe')).toEqual(['a']);
    expect(store.list('pods', { fieldSelector: 'metadata.name=b' }).items.map((p) => p.metadata.name)).toEqual(['b']);
    expect(store.list('pods', { fieldSelector: 'status.phase=Pending,metadata.name!=a' }).items).toHaveLength(2);
    expect(() => store.list('pods', { fieldSelector: 'spec.bogus=x' })).toThrow('field label not supported: spec.bogus');
  });

  it('returns copies: mutating a read does not change the store', () => {
    const { store } = newStore();
    store.create('pods', pod('a'));
    const p = store.get('pods', 'default', 'a');
    p.metadata.labels = { changed: 'yes' };
    expect(store.get('pods', 'default', 'a').metadata.labels).toEqual({});
  });

  it('optimistic concurrency: a stale resourceVersion conflicts', () => {
    const { store } = newStore();
    const a = store.create('pods', pod('a'));
    store.update('pods', { ...a, metadata: { ...a.metadata, labels: { x: '1' } } });
    const e = errorOf(() => store.update('pods', { ...a, metadata: { ...a.metadata, labels: { x: '2' } } }));
    expect(e.reason).toBe('Conflict');
    expect(e.message).toBe('Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('delivers watch events after the current task, never re-entrantly', () => {
    const { store, scheduler } = newStore();
    const seen: string[] = [];
    store.watch('pods', { resourceVersion: store.resourceVersion }, (ev: WatchEvent) => seen.push(`${ev.type} ${ev.object.metadata.name}`));
    store.create('pods', pod('a', { app: 'web' }));
    expect(seen).toEqual([]);
    scheduler.runDue();
    expect(seen).toEqual(['ADDED a']);
    store.patch('pods', 'default', 'a', 'merge', { metadata: { labels: { app: 'api' } } });
    store.delete('pods', 'default', 'a');
    scheduler.runDue();
    expect(seen).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
  });

  it('watch with a label selector and from an older resourceVersion replays', () => {
    const { store, scheduler } = newStore();
    const rv = store.resourceVersion;
    store.create('pods', pod('a', { app: 'web' }));
    store.create('pods', pod('b', { app: 'api' }));
    const seen: string[] = [];
    store.watch('pods', { resourceVersion: rv, labelSelector: 'app=web' }, (ev) => seen.push(ev.object.metadata.name!));
    scheduler.runDue();
    expect(seen).toEqual(['a']);
  });

  it('graceful pod deletion sets deletionTimestamp when the pod is bound', () => {
    const { store } = newStore();
    store.create('pods', { ...pod('a'), spec: { ...pod('a').spec, nodeName: 'worker-1' } });
    const d = store.delete('pods', 'default', 'a');
    expect(d.metadata.deletionTimestamp).toBe('2026-01-01T00:00:30Z');
    expect(d.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(store.tryGet('pods', 'default', 'a')).toBeDefined();
    store.delete('pods', 'default', 'a', { gracePeriodSeconds: 0 });
    expect(store.tryGet('pods', 'default', 'a')).toBeUndefined();
  });

  it('finalizers hold an object until removed', () => {
    const { store } = newStore();
    store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['example.com/x'] } });
    store.delete('configmaps', 'default', 'c');
    const c = store.get('configmaps', 'default', 'c');
    expect(c.metadata.deletionTimestamp).toBeDefined();
    c.metadata.finalizers = [];
    store.update('configmaps', c);
    expect(store.tryGet('configmaps', 'default', 'c')).toBeUndefined();
  });

  it('patches: merge, strategic (containers by name) and JSON patch', () => {
    const { store } = newStore();
    store.create('deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
    });
    const s = store.patch('deployments', 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } } });
    expect(s.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(s.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(s.metadata.generation).toBe(2);
    const j = store.patch('deployments', 'default', 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 3 }]);
    expect(j.spec.replicas).toBe(3);
    const m = store.patch('deployments', 'default', 'web', 'merge', { metadata: { labels: { app: null } } });
    expect(m.metadata.labels).toEqual({});
    expect(m.metadata.generation).toBe(3);
  });

  it('refuses to create in a missing namespace', () => {
    const { store } = newStore();
    expect(errorOf(() => store.create('pods', { ...pod('a'), metadata: { name: 'a', namespace: 'nope' } })).message).toBe('namespaces "nope" not found');
  });

  it('dry run validates and defaults without storing', () => {
    const { store } = newStore();
    const p = store.create('pods', pod('a'), { dryRun: true });
    expect(p.spec.dnsPolicy).toBe('ClusterFirst');
    expect(store.tryGet('pods', 'default', 'a')).toBeUndefined();
  });

  it("delivers a node's pod watch (spec.nodeName=…) in registration order among the other watchers, and only for its node", () => {
    const { store, scheduler } = newStore();
    const seen: string[] = [];
    const log = (who: string) => (ev: WatchEvent) => seen.push(`${who} ${ev.type} ${ev.object.metadata.name}`);
    store.watch('pods', {}, log('a'));
    const n1 = store.watch('pods', { fieldSelector: 'spec.nodeName=n1' }, log('n1'));
    store.watch('pods', {}, log('b'));
    store.watch('pods', { fieldSelector: 'spec.nodeName=n2' }, log('n2'));
    store.watch('pods', { fieldSelector: 'spec.nodeName=n1' }, log('n1-late'));
    store.create('pods', pod('x'));
    store.create('pods', pod('y'));
    store.bind('default', 'x', 'n1');
    store.bind('default', 'y', 'n2');
    scheduler.runDue();
    expect(seen).toEqual([
      'a ADDED x', 'b ADDED x',
      'a ADDED y', 'b ADDED y',
      'a MODIFIED x', 'n1 MODIFIED x', 'b MODIFIED x', 'n1-late MODIFIED x',
      'a MODIFIED y', 'b MODIFIED y', 'n2 MODIFIED y',
    ]);
    // A disposed node watch hears nothing more; the other watch of the same node still does.
    seen.length = 0;
    n1.dispose();
    store.delete('pods', 'default', 'x', { gracePeriodSeconds: 0 });
    scheduler.runDue();
    expect(seen).toEqual(['a DELETED x', 'b DELETED x', 'n1-late DELETED x']);
  });

  it("drops an Event an hour after its last write (the API server's --event-ttl), with a DELETED watch event", () => {
    const { store, scheduler } = newStore();
    const ev = (name: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' }, reason: 'Pulled', message: 'm', count: 1, type: 'Normal',
    });
    store.create('events', ev('web.1'));
    store.create('events', ev('web.2'));
    const seen: string[] = [];
    store.watch('events', { resourceVersion: store.resourceVersion }, (e) => seen.push(`${e.type} ${e.object.metadata.name}`));
    // A lease of an hour must not keep settle() busy.
    expect(scheduler.settle()).toBeLessThan(60_000);
    scheduler.advance(30 * 60_000);
    // A repeat (count 2) half an hour later renews web.2's lease.
    const again = store.get('events', 'default', 'web.2');
    store.update('events', { ...again, count: 2 });
    scheduler.advance(30 * 60_000 - 1);
    expect(store.list('events').items.map((e) => e.metadata.name)).toEqual(['web.1', 'web.2']);
    scheduler.advance(1);
    expect(store.list('events').items.map((e) => e.metadata.name)).toEqual(['web.2']);
    scheduler.advance(30 * 60_000);
    expect(store.list('events').items).toEqual([]);
    expect(seen).toEqual(['MODIFIED web.2', 'DELETED web.1', 'DELETED web.2']);
    // A new event after the sweep gets its own hour.
    store.create('events', ev('web.3'));
    scheduler.advance(60 * 60_000 - 1);
    expect(store.tryGet('events', 'default', 'web.3')).toBeDefined();
    scheduler.advance(1);
    expect(store.tryGet('events', 'default', 'web.3')).toBeUndefined();
  });
});
