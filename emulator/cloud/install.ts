/**
 * Wire the cloud (profile `cloud`) into a world: the AWS account (VPC, instances, security groups), a security-group
 * guard on every node's ENI, and the load balancers' data path following the control plane's LB records. In the
 * local profile only the tunnel's LBs exist: hosts on the kind network holding the tunnel's addresses.
 */
import type { World } from '../world';
import { formatIpv4, ipv4 } from '../net/addr';
import type { NetNamespace } from '../net/netns';
import type { LoadBalancerRecord, LoadBalancerRegistry } from '../controllers/load-balancers';
import { networkOf } from '../workloads/host-network';
import { AwsAccount } from './account';
import { LoadBalancerDataPath, type LbAttachment } from './load-balancer';
import { SecurityGroupGuard } from './security-groups';

export interface CloudInstall {
  readonly account: AwsAccount | undefined;
  readonly lbs: LoadBalancerDataPath | undefined;
  attachRegistry(reg: LoadBalancerRegistry): void;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function installCloud(world: World): CloudInstall {
  const network = networkOf(world);
  if (!network) return { account: undefined, lbs: undefined, attachRegistry: () => undefined };
  const topology = (world as unknown as { topology?: { nodes: ReadonlyMap<string, NetNamespace>; nodeSpecs: readonly { name: string; ip: string; publicIp?: string }[]; addPublicIp?(pub: string, priv: string): void } }).topology;
  let account: AwsAccount | undefined;
  let attachment: LbAttachment;
  // One stream for every load balancer's veth name (a fork per call would repeat the same name).
  const vethRng = world.rng.fork('lb-veth');
  const hex = (n: number): string => vethRng.nextUint32().toString(16).padStart(8, '0').slice(0, n);

  if (world.profile === 'cloud') {
    account = new AwsAccount(world.rng.fork('aws'));
    const acct = account;
    for (const spec of topology?.nodeSpecs ?? []) {
      const inst = acct.addInstance(spec.name, spec.ip, spec.publicIp, rfc3339(world.scheduler.now()));
      const eth0 = network.ns(`node/${spec.name}`)?.iface('eth0');
      if (eth0) eth0.guard = new SecurityGroupGuard(inst.eniId, () => inst.securityGroupIds.map((id) => acct.securityGroups.get(id)!).filter(Boolean), (ip) => acct.groupsOfIp(formatIpv4(ip)));
    }
    let nextPrivate = 200;
    attachment = {
      attach(ns: NetNamespace, lb: LoadBalancerRecord): string {
        const vpc = network.ns('vpc-router')!;
        const subnet = vpc.iface('subnet-a')!;
        const [vpcEnd] = network.vethPair(vpc, `eni-${hex(8)}`, ns, 'eth0', 0.05);
        network.enslave(vpcEnd, subnet);
        const priv = `10.0.1.${nextPrivate++}`;
        ns.addAddr('eth0', ipv4(priv), 24);
        ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('10.0.1.1'), dev: 'eth0' });
        topology?.addPublicIp?.(lb.ip, priv);
        acct.addElb({
          LoadBalancerName: lb.name, serviceKey: lb.serviceKey, publicIp: lb.ip, privateIp: priv,
          listeners: lb.listeners.filter((l) => l.nodePort !== undefined).map((l) => ({ Protocol: 'TCP', LoadBalancerPort: l.port, InstanceProtocol: 'TCP', InstancePort: l.nodePort! })),
          instanceIds: lb.targets.map((t) => acct.instances.find((i) => i.nodeName === t.nodeName)?.InstanceId).filter((x): x is string => !!x),
          healthCheck: {
            Target: lb.externalTrafficPolicy === 'Local' && lb.healthCheckNodePort ? `HTTP:${lb.healthCheckNodePort}/healthz` : `TCP:${lb.listeners.find((l) => l.nodePort)?.nodePort ?? 0}`,
            Interval: 10, Timeout: 5, UnhealthyThreshold: 6, HealthyThreshold: 2,
          },
          CreatedTime: new Date(world.scheduler.now()).toISOString(),
        });
        return priv;
      },
      detach(_ns, lb) { acct.removeElb(lb.name); },
    };
  } else {
    attachment = {
      attach(ns: NetNamespace, lb: LoadBalancerRecord): string {
        // cloud-provider-kind: a proxy container on docker's kind network holding the LB address.
        const ws = network.ns('workstation')!;
        const br = [...ws.ifaces.values()].find((i) => i.kind === 'bridge')!;
        const [hostEnd] = network.vethPair(ws, `veth${hex(7)}`, ns, 'eth0');
        network.enslave(hostEnd, br);
        ns.addAddr('eth0', ipv4(lb.ip), 16);
        ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('172.18.0.1'), dev: 'eth0' });
        return lb.ip;
      },
    };
  }
  const lbs = new LoadBalancerDataPath(network, world.scheduler, attachment);
  let attached = false;
  const install: CloudInstall = {
    account, lbs,
    attachRegistry(reg: LoadBalancerRegistry): void {
      if (attached) return;
      attached = true;
      for (const lb of reg.list()) lbs.apply(lb);
      reg.onChange((ch) => (ch.type === 'deleted' ? lbs.remove(ch.lb.serviceKey) : lbs.apply(ch.lb)));
    },
  };
  const early = (world as unknown as { cluster?: { loadBalancers?: LoadBalancerRegistry } }).cluster?.loadBalancers;
  if (early) install.attachRegistry(early);
  else world.scheduler.after(0, () => {
    const cp = (world as unknown as { controlPlane?: { loadBalancers?: LoadBalancerRegistry }; cluster?: { loadBalancers?: LoadBalancerRegistry } });
    const reg = cp.controlPlane?.loadBalancers ?? cp.cluster?.loadBalancers;
    if (reg) install.attachRegistry(reg);
  }, { label: 'cloud-attach-lb-registry' });
  return install;
}
