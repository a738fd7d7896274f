/**
 * Ingress in a World: the status writer (a controller like any other), an L7 server in every running Ingress
 * controller container, and the ready-made manifests in the learner's `~/manifests/`. No controller is installed
 * by default — an Ingress on a fresh cluster does nothing, which is the seed's point; `kubectl apply -f
 * ~/manifests/ingress-nginx.yaml` installs one.
 */
import { MANIFESTS_DIR } from '../hosts/login-host';
import type { World } from '../world';
import { defaultIngressClassAdmission } from './admission';
import { controllerPodConfig, type ControllerPodConfig } from './controllers';
import { learnerManifests } from './manifests';
import { IngressServers } from './server';
import { IngressStatusController } from './status-controller';

export interface IngressInstall {
  readonly status: IngressStatusController;
  readonly servers: IngressServers;
}

export function installIngress(world: World): IngressInstall {
  const cp = world.cluster;
  world.store.addAdmissionPlugin(defaultIngressClassAdmission(world.store));
  const status = new IngressStatusController(cp.ctx);
  cp.controllers.push(status);
  const servers = new IngressServers(
    {
      store: world.store,
      scheduler: world.scheduler,
      rng: world.rng.fork('ingress'),
      traces: world.traces,
      appendLog: (podKey, container, line, t) => cp.runtime.logs.append(podKey, container, line, t),
    },
    cp.runtime,
    (c) => world.network.ns(c.hostNetwork ? `node/${c.pod.nodeName}` : `pod/${c.podKey}`),
    (c): ControllerPodConfig | undefined => {
      const pod = world.store.peek('pods', c.pod.namespace, c.pod.name);
      return pod ? controllerPodConfig(pod) : undefined;
    },
  );
  const login = world.hosts.get(world.profile === 'cloud' ? 'laptop' : 'workstation');
  if (login) {
    if (!login.fs.isDir(MANIFESTS_DIR)) login.fs.mkdir(MANIFESTS_DIR, true);
    for (const [name, text] of Object.entries(learnerManifests(world.profile))) {
      const path = `${MANIFESTS_DIR}/${name}`;
      if (!login.fs.exists(path)) login.fs.writeFile(path, text);
    }
  }
  return { status, servers };
}
