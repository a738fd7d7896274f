/**
 * Wiring the cluster into a World: the control plane for the world's profile, the boot objects, a shell host per
 * node (`node/<name>`, root, bash) and the tunnel command in the local profile.
 */
import { createShellHost } from '../hosts/shell-host';
import type { World } from '../world';
import { bootClusterObjects } from './boot';
import { ControlPlane } from './control-plane';
import { profileFor } from './profiles';
import { tunnelCommand } from './tunnel-command';

export function installCluster(world: World): ControlPlane {
  const profile = profileFor(world.profile);
  const cp = new ControlPlane(
    {
      store: world.store,
      scheduler: world.scheduler,
      rng: world.rng,
      hosts: world.hosts,
      createHost: (o) => createShellHost(world, o),
      cni: () => (world as { cni?: World['cni'] }).cni,
    },
    profile,
  );
  bootClusterObjects(world.store, cp, world.rng);
  for (const n of profile.nodes) {
    const host = createShellHost(world, {
      id: `node/${n.name}`,
      kind: 'node',
      hostname: n.name,
      user: 'root',
      promptStyle: 'bash',
      netns: `node/${n.name}`,
      addresses: [n.internalIP],
      files: {
        '/etc/resolv.conf': profile.nodeResolv,
        '/etc/hosts': `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${n.internalIP}\t${n.name}\n`,
        ...(n.controlPlane
          ? {
              '/etc/kubernetes/manifests/etcd.yaml': '',
              '/etc/kubernetes/manifests/kube-apiserver.yaml': '',
              '/etc/kubernetes/manifests/kube-controller-manager.yaml': '',
              '/etc/kubernetes/manifests/kube-scheduler.yaml': '',
            }
          : {}),
        '/var/lib/kubelet/config.yaml': `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\n`,
      },
    });
    world.hosts.set(host.id, host);
  }
  if (!profile.cloudProvider) world.registerCommand(tunnelCommand(cp));
  return cp;
}
