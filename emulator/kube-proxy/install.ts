/**
 * One kube-proxy per node, as a DaemonSet would run it: each node's netfilter namespace first gets the rules the
 * kubelet and the CNI write at boot (node-baseline.ts), then its KubeProxy starts watching the API.
 */
import type { World } from '../world';
import { netfilterFor } from '../netfilter';
import { KubeProxy } from './kube-proxy';
import { nodeBaselineRules, type CniFlavor } from './node-baseline';

const proxies = new WeakMap<object, Map<string, KubeProxy>>();

export const CLUSTER_CIDR = '10.244.0.0/16';

export function installKubeProxies(world: World, opts: { cni?: CniFlavor; clusterCIDR?: string } = {}): Map<string, KubeProxy> {
  const byNode = new Map<string, KubeProxy>();
  const clusterCIDR = opts.clusterCIDR ?? CLUSTER_CIDR;
  for (const spec of world.topology.nodeSpecs) {
    const nsId = `node/${spec.name}`;
    const nf = netfilterFor(world, nsId);
    if (!nf) continue;
    nf.restore(nodeBaselineRules({ clusterCIDR, cni: opts.cni ?? (world.profile === 'cloud' ? 'flannel' : 'kindnet') }), { noflush: true });
    const proxy = new KubeProxy({
      nodeName: spec.name,
      nodeIPs: [spec.ip],
      netfilter: nf,
      store: world.store,
      scheduler: world.scheduler,
      clusterCIDR,
    });
    proxy.start();
    byNode.set(spec.name, proxy);
  }
  proxies.set(world, byNode);
  return byNode;
}

/** The kube-proxy of node `nodeName` (for the inspector and lab checks). */
export function kubeProxyFor(world: object, nodeName: string): KubeProxy | undefined {
  return proxies.get(world)?.get(nodeName);
}
