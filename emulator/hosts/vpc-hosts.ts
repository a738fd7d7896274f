/**
 * Machines inside the cloud VPC that a learner can log into: `corp-vm`, a corporate VM on the same private
 * network as the nodes (10.0.2.50). From there a node's private IP and its NodePort answer — the seed's "same
 * network access" — while the same NodePort on the node's public IP is closed to the laptop by the node's
 * security group.
 */
import type { World } from '../world';
import type { ShellHost } from '../shell/types';
import { createShellHost } from './shell-host';

export const CORP_VM = { id: 'corp-vm', ip: '10.0.2.50' } as const;

export function createVpcHosts(world: World): ShellHost[] {
  if (world.profile !== 'cloud' || !world.network.ns(CORP_VM.id)) return [];
  const host = createShellHost(world, {
    id: CORP_VM.id,
    kind: 'vm',
    hostname: CORP_VM.id,
    user: 'student',
    netns: CORP_VM.id,
    addresses: [CORP_VM.ip],
    files: { '/etc/resolv.conf': 'search ec2.internal\nnameserver 10.0.0.2\n', '/etc/hosts': `127.0.0.1\tlocalhost\n${CORP_VM.ip}\tcorp-vm\n` },
  });
  world.hosts.set(host.id, host);
  return [host];
}
