/**
 * The rules a Kubernetes node has before kube-proxy's first sync: kubelet's (KUBE-IPTABLES-HINT, the
 * KUBE-KUBELET-CANARY chains, KUBE-FIREWALL with its localnet rule) and the CNI's masquerade for traffic that
 * leaves the pod network (kind's kindnet writes KIND-MASQ-AGENT; flannel writes FLANNEL-POSTRTG). Written as
 * iptables-restore input, loaded with --noflush, like the daemons that own them.
 */

export type CniFlavor = 'kindnet' | 'flannel';

export function nodeBaselineRules(opts: { clusterCIDR: string; cni?: CniFlavor }): string {
  const cidr = opts.clusterCIDR;
  const cni = opts.cni ?? 'kindnet';
  const nat = cni === 'kindnet'
    ? [
        ':KUBE-KUBELET-CANARY - [0:0]',
        ':KIND-MASQ-AGENT - [0:0]',
        '-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment "kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain" -j KIND-MASQ-AGENT',
        `-A KIND-MASQ-AGENT -d ${cidr} -m comment --comment "kind-masq-agent: local traffic is not subject to MASQUERADE" -j RETURN`,
        '-A KIND-MASQ-AGENT -m comment --comment "kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)" -j MASQUERADE',
      ]
    : [
        ':KUBE-KUBELET-CANARY - [0:0]',
        ':FLANNEL-POSTRTG - [0:0]',
        '-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
        `-A FLANNEL-POSTRTG -s ${cidr} -d ${cidr} -m comment --comment "flanneld masq" -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${cidr} ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully`,
      ];
  return [
    '*mangle',
    ':KUBE-IPTABLES-HINT - [0:0]',
    ':KUBE-KUBELET-CANARY - [0:0]',
    'COMMIT',
    '*filter',
    ':KUBE-FIREWALL - [0:0]',
    ':KUBE-KUBELET-CANARY - [0:0]',
    '-A INPUT -j KUBE-FIREWALL',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    'COMMIT',
    '*nat',
    ...nat,
    'COMMIT',
    '',
  ].join('\n');
}
