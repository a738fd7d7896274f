/**
 * Boot the packet network for a World: the profile's topology, the CNI the kubelet calls, the trace store.
 * `createWorld` calls `installNetwork`; tests call it on a bare World too.
 */
import type { World } from '../world';
import { BridgeCni } from './cni';
import { Network } from './network';
import { buildCloudTopology, buildLocalTopology, type NodeNetSpec, type Topology } from './topology';

export interface NetworkInstall {
  readonly network: Network;
  readonly cni: BridgeCni;
  readonly topology: Topology;
}

export function buildNetworkForProfile(
  world: Pick<World, 'profile' | 'scheduler' | 'rng'>,
  nodes?: readonly NodeNetSpec[],
): NetworkInstall {
  const network = new Network(world.scheduler, world.rng.fork('net'));
  const topology = world.profile === 'cloud' ? buildCloudTopology(network, nodes) : buildLocalTopology(network, nodes);
  return { network, cni: new BridgeCni(network), topology };
}
