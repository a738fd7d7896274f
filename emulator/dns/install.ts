/**
 * Boot the DNS of a world: the public resolver on the internet (8.8.8.8), the cloud's VPC resolver
 * (AmazonProvidedDNS, 10.0.0.2, which also knows the nodes' `ip-…ec2.internal` names), CoreDNS's informer view,
 * and the factory the workload servers call when a CoreDNS container starts in a pod.
 */
import type { World } from '../world';
import { ipv4 } from '../net/addr';
import type { Network } from '../net/network';
import type { NetNamespace } from '../net/netns';
import { CoreDns } from './coredns';
import { answerPublic } from './public-dns';
import { StoreDnsView } from './store-view';
import { forwardQuery, serveDns, type DnsServerHandle } from './udp';

export const KUBE_DNS_IP = '10.96.0.10';
export const PUBLIC_RESOLVER_IP = '8.8.8.8';
export const VPC_RESOLVER = '10.0.0.2';
/** us-east-1's private DNS domain. */
export const VPC_DOMAIN = 'ec2.internal';

export interface DnsInstall {
  readonly view: StoreDnsView;
  readonly servers: DnsServerHandle[];
  /** Every CoreDNS instance started (one per coredns pod). */
  readonly coredns: Map<string, CoreDns>;
  startCoreDns(ns: NetNamespace, podKey: string): DnsServerHandle;
  /** The node's upstream (what `forward . /etc/resolv.conf` reads). */
  readonly upstream: string;
}

/** `ip-10-0-1-10.ec2.internal` for a VPC address. */
export function vpcHostname(ip: string): string {
  return `ip-${ip.replace(/\./g, '-')}.${VPC_DOMAIN}`;
}

export function installDns(world: World, network: Network, opts: { nodeIPs?: readonly string[] } = {}): DnsInstall {
  const view = new StoreDnsView(world.store, () => world.scheduler.now());
  const servers: DnsServerHandle[] = [];
  const publicNs = network.ns('internet/dns');
  if (publicNs) servers.push(serveDns(publicNs, (q, respond) => respond(answerPublic(q))));
  const cloud = world.profile === 'cloud';
  const vpc = network.ns('vpc-router');
  if (cloud && vpc) {
    if (!vpc.isLocal(ipv4(VPC_RESOLVER))) {
      // The resolver's address lives on the router's loopback (the DNS subsystem owns the service address).
      vpc.iface('lo')!.addrs.push({ addr: ipv4(VPC_RESOLVER), prefix: 32 });
      vpc.localAddrs.add(ipv4(VPC_RESOLVER));
    }
    const extra = new Map<string, string>();
    const reverse = new Map<string, string>();
    for (const ip of opts.nodeIPs ?? []) { extra.set(vpcHostname(ip), ip); reverse.set(ip, vpcHostname(ip)); }
    servers.push(serveDns(vpc, (q, respond) => respond(answerPublic(q, { extra, reverse }))));
  }
  const upstream = cloud ? VPC_RESOLVER : PUBLIC_RESOLVER_IP;
  const coredns = new Map<string, CoreDns>();
  return {
    view, servers, coredns, upstream,
    startCoreDns(ns: NetNamespace, podKey: string): DnsServerHandle {
      const dns = new CoreDns({
        view, now: () => world.scheduler.now(), rng: world.rng.fork(`coredns/${podKey}`), dnsServiceIP: KUBE_DNS_IP,
        forward: (fq, done) => forwardQuery(ns, world.scheduler, upstream, fq, 0, 2000, done),
      });
      coredns.set(podKey, dns);
      const handle = serveDns(ns, (q, respond, from) => {
        // `forward . /etc/resolv.conf`: the query leaves the CoreDNS pod for the node's upstream, in the same trace.
        dns.handle(q, respond, (fq, done) => forwardQuery(ns, world.scheduler, upstream, fq, from.reqId, 2000, done));
      }, { tcp: true });
      return { ns, stop: () => { handle.stop(); coredns.delete(podKey); } };
    },
  };
}

