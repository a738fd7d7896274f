/**
 * A control plane without the packet network, for controller tests and the bench: store, scheduler, seeded RNG,
 * the profile's nodes and system objects, kubelets with a plain in-memory host factory.
 */
import { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import type { ShellHostOptions } from '../hosts/shell-host';
import { MemoryFs } from '../shell/vfs';
import type { ShellHost } from '../shell/types';
import { bootClusterObjects } from './boot';
import { ControlPlane } from './control-plane';
import { profileFor, type ClusterProfile } from './profiles';
import type { ProfileName } from '../world';

export interface TestCluster {
  readonly store: ApiStore;
  readonly scheduler: Scheduler;
  readonly cp: ControlPlane;
  readonly hosts: Map<string, ShellHost>;
  settle(limitMs?: number): number;
}

function plainHost(o: ShellHostOptions): ShellHost {
  // Built on first use: most pods of a bench or a controller test are never exec'd into.
  let fs: MemoryFs | undefined;
  const files = o.files;
  return {
    id: o.id,
    kind: o.kind,
    hostname: o.hostname,
    user: o.user,
    home: o.home ?? '/root',
    get fs(): MemoryFs {
      if (!fs) {
        fs = new MemoryFs();
        for (const [p, c] of Object.entries(files ?? {})) {
          fs.mkdir(p.slice(0, p.lastIndexOf('/')) || '/', true);
          fs.writeFile(p, c);
        }
      }
      return fs;
    },
    promptStyle: o.promptStyle ?? 'bash',
    ...(o.commands ? { commands: o.commands } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.netns ? { netns: o.netns } : {}),
  };
}

/** `strict` (default true) deep-freezes stored objects so a controller mutating what it reads fails the test. */
export function createTestCluster(opts: { profile?: ProfileName | ClusterProfile; seed?: number; boot?: boolean; strict?: boolean } = {}): TestCluster {
  const scheduler = new Scheduler();
  const rng = new Rng(opts.seed ?? 1);
  const store = new ApiStore({ scheduler, rng, strict: opts.strict ?? true });
  const hosts = new Map<string, ShellHost>();
  const cp = new ControlPlane({ store, scheduler, rng, hosts, createHost: plainHost, cni: () => undefined }, typeof opts.profile === 'object' ? opts.profile : profileFor(opts.profile ?? 'local'));
  bootClusterObjects(store, cp, rng);
  const tc: TestCluster = { store, scheduler, cp, hosts, settle: (ms) => scheduler.settle(ms) };
  if (opts.boot !== false) tc.settle();
  return tc;
}

export function deploymentManifest(name: string, replicas: number, image = 'nginx', extra: { labels?: Record<string, string>; namespace?: string; port?: number } = {}): KubeObject {
  const labels = extra.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: extra.namespace ?? 'default', labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: image.split('/').pop()!.split(':')[0]!, image, ...(extra.port ? { ports: [{ containerPort: extra.port }] } : {}) }] } },
    },
  };
}

export function serviceManifest(name: string, selector: Record<string, string>, port = 80, targetPort: number | string = port, type = 'ClusterIP', namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { type, selector, ports: [{ port, targetPort }] } };
}
