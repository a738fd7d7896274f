import { describe, expect, it } from 'vitest';
import { resolvConf } from './pod-host';

describe("the kubelet's resolv.conf for a pod", () => {
  it('ClusterFirst: the cluster search domains, then the node\'s own (EKS: ec2.internal); nameserver kube-dns; ndots:5 only', () => {
    expect(resolvConf('shop', undefined, 'search ec2.internal\nnameserver 10.0.0.2\n'))
      .toBe('search shop.svc.cluster.local svc.cluster.local cluster.local ec2.internal\nnameserver 10.96.0.10\noptions ndots:5\n');
    expect(resolvConf('default', 'ClusterFirst', 'nameserver 172.18.0.1\noptions edns0 trust-ad ndots:0\n'))
      .toBe('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
  });

  it('Default: the node\'s file as it is', () => {
    expect(resolvConf('default', 'Default', 'search ec2.internal\nnameserver 10.0.0.2\n')).toBe('search ec2.internal\nnameserver 10.0.0.2\n');
  });
});
