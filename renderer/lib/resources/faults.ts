/**
 * Fault injection as terminal commands: each button types the command a learner could type, so the fault shows in
 * the transcript and a lab check sees it exactly as if typed.
 */
export interface FaultCommand {
  readonly label: string;
  readonly command: string;
}

const FIRST_SG = "SG=$(aws ec2 describe-security-groups | grep -o 'sg-[0-9a-f]*' | head -1)";

/** `yaml`: the object's YAML, for a Service's node ports (the cloud profile's security groups guard them). */
export function faultCommands(sel: { resource: string; namespace: string; name: string }, yaml = ''): FaultCommand[] {
  const ns = sel.namespace ? ` -n ${sel.namespace}` : '';
  switch (sel.resource) {
    case 'services': {
      const ports = [...yaml.matchAll(/nodePort: (\d+)/g)].map((m) => m[1]!);
      return [...new Set(ports)].flatMap((port) => [
        { label: `Open SG port ${port} (cloud)`, command: `${FIRST_SG}; aws ec2 authorize-security-group-ingress --group-id $SG --protocol tcp --port ${port} --cidr 0.0.0.0/0` },
        { label: `Close SG port ${port} (cloud)`, command: `${FIRST_SG}; aws ec2 revoke-security-group-ingress --group-id $SG --protocol tcp --port ${port} --cidr 0.0.0.0/0` },
      ]);
    }
    case 'pods':
      return [{ label: 'Kill pod', command: `kubectl delete pod ${sel.name}${ns} --wait=false` }];
    case 'nodes':
      return [
        { label: 'Cordon node', command: `kubectl cordon ${sel.name}` },
        { label: 'Uncordon node', command: `kubectl uncordon ${sel.name}` },
        { label: 'Drain node', command: `kubectl drain ${sel.name} --ignore-daemonsets --delete-emptydir-data` },
      ];
    case 'deployments':
      if (sel.name === 'coredns') {
        return [
          { label: 'Stop CoreDNS', command: `kubectl scale deployment coredns${ns} --replicas=0` },
          { label: 'Start CoreDNS', command: `kubectl scale deployment coredns${ns} --replicas=2` },
        ];
      }
      if (/ingress/.test(sel.name) || /ingress/.test(sel.namespace)) {
        return [{ label: 'Remove Ingress controller', command: `kubectl delete deployment ${sel.name}${ns}` }];
      }
      return [{ label: 'Scale to 0', command: `kubectl scale deployment ${sel.name}${ns} --replicas=0` }];
    default:
      return [];
  }
}

/** Faults on the learner's own link, from the workstation: packet loss with tc netem, and its removal. */
export const LINK_FAULTS: readonly FaultCommand[] = [
  { label: 'Add 30% packet loss on eth0', command: 'sudo tc qdisc add dev eth0 root netem loss 30%' },
  { label: 'Remove packet loss', command: 'sudo tc qdisc del dev eth0 root' },
];
