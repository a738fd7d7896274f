/**
 * The two cluster profiles, with the names labs and tests rely on. Node addresses and podCIDRs come from the
 * network's topology (emulator/net/topology.ts) so the control plane and the packet network agree.
 */
import { CLOUD_NODES, LOCAL_NODES } from '../net/topology';
import type { ProfileName } from '../world';

export interface NodeProfile {
  readonly name: string;
  readonly internalIP: string;
  readonly externalIP?: string;
  readonly podCIDR: string;
  readonly controlPlane: boolean;
  readonly zone?: string;
  readonly instanceId?: string;
}

export interface ClusterProfile {
  readonly name: ProfileName;
  readonly clusterName: string;
  readonly nodes: readonly NodeProfile[];
  readonly serviceCIDR: string;
  readonly clusterPodCIDR: string;
  readonly nodePortRange: readonly [number, number];
  /** Where the `kubernetes` Service's endpoints point (the API server). */
  readonly apiserver: { readonly addresses: readonly string[]; readonly port: number };
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
  readonly osImage: string;
  readonly kernelVersion: string;
  /** A cloud controller manager provisions LoadBalancers. */
  readonly cloudProvider: boolean;
  /** Address pool for LoadBalancer IPs (cloud LBs, or the local tunnel). */
  readonly lbPool: readonly [string, string];
  /** The node's own resolv.conf. */
  readonly nodeResolv: string;
}

export const LOCAL_PROFILE: ClusterProfile = {
  name: 'local',
  clusterName: 'kind',
  nodes: LOCAL_NODES.map((n) => ({ name: n.name, internalIP: n.ip, podCIDR: n.podCIDR, controlPlane: n.name === 'control-plane' })),
  serviceCIDR: '10.96.0.0/12',
  clusterPodCIDR: '10.244.0.0/16',
  nodePortRange: [30000, 32767],
  apiserver: { addresses: ['172.18.0.2'], port: 6443 },
  kubeletVersion: 'v1.32.2',
  containerRuntimeVersion: 'containerd://2.0.2',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  kernelVersion: '6.8.0-49-generic',
  cloudProvider: false,
  lbPool: ['172.18.255.200', '172.18.255.250'],
  nodeResolv: 'nameserver 172.18.0.1\noptions edns0 trust-ad ndots:0\n',
};

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

export const CLOUD_PROFILE: ClusterProfile = {
  name: 'cloud',
  clusterName: 'lab-cluster',
  nodes: CLOUD_NODES.map((n, i) => ({
    name: n.name,
    internalIP: n.ip,
    ...(n.publicIp ? { externalIP: n.publicIp } : {}),
    podCIDR: n.podCIDR,
    controlPlane: false,
    zone: ZONES[i % ZONES.length]!,
    instanceId: `i-0${(0x5a1b2c3d4e5f60 + i * 0x1111).toString(16)}`,
  })),
  serviceCIDR: '10.96.0.0/12',
  clusterPodCIDR: '10.244.0.0/16',
  nodePortRange: [30000, 32767],
  apiserver: { addresses: ['10.0.1.5', '10.0.2.5'], port: 443 },
  kubeletVersion: 'v1.32.0-eks-aeac579',
  containerRuntimeVersion: 'containerd://1.7.25',
  osImage: 'Amazon Linux 2023.6.20250107',
  kernelVersion: '6.1.119-129.201.amzn2023.x86_64',
  cloudProvider: true,
  lbPool: ['203.0.113.150', '203.0.113.199'],
  nodeResolv: 'search ec2.internal\nnameserver 10.0.0.2\n',
};

export function profileFor(name: ProfileName): ClusterProfile {
  return name === 'cloud' ? CLOUD_PROFILE : LOCAL_PROFILE;
}
