/**
 * The network each profile boots with.
 *
 * local (kind on the learner's machine):
 *   workstation ── br-… 172.18.0.1/16 (docker's "kind" network) ──veth── eth0 of each node (172.18.0.2, .3, .4)
 *   each node: cni0 10.244.N.1/24, routes to the other nodes' podCIDRs via their node IPs (kindnet/host-gw style)
 *   workstation eth0 198.51.100.7/24 ── internet
 *
 * cloud (AWS-like):
 *   vpc-router: subnet 10.0.1.0/24 (bridge, gateway 10.0.1.1) with node-1..3 at 10.0.1.10–12, subnet 10.0.2.0/24
 *   with corp-vm 10.0.2.50, the VPC resolver 10.0.0.2, and the internet gateway doing 1:1 NAT between each node's
 *   private IP and its public IP 203.0.113.101–103.
 *   laptop eth0 198.51.100.7/24 ── internet
 *
 * internet: one router; public DNS 8.8.8.8 (dns.google) and api.external.com 203.0.113.10 hang off it.
 */
import { cidr, formatIpv4, ipv4, networkOf, type Ipv4 } from './addr';
import { AddressMap, type NetNamespace } from './netns';
import type { Network } from './network';

export interface NodeNetSpec {
  /** Node name (`worker-1`); the namespace id is `node/<name>`. */
  readonly name: string;
  readonly ip: string;
  readonly podCIDR: string;
  /** Cloud: the public IP the internet gateway maps to `ip`. */
  readonly publicIp?: string;
}

export const LOCAL_NODES: readonly NodeNetSpec[] = [
  { name: 'control-plane', ip: '172.18.0.2', podCIDR: '10.244.0.0/24' },
  { name: 'worker-1', ip: '172.18.0.3', podCIDR: '10.244.1.0/24' },
  { name: 'worker-2', ip: '172.18.0.4', podCIDR: '10.244.2.0/24' },
];

export const CLOUD_NODES: readonly NodeNetSpec[] = [
  { name: 'node-1', ip: '10.0.1.10', podCIDR: '10.244.0.0/24', publicIp: '203.0.113.101' },
  { name: 'node-2', ip: '10.0.1.11', podCIDR: '10.244.1.0/24', publicIp: '203.0.113.102' },
  { name: 'node-3', ip: '10.0.1.12', podCIDR: '10.244.2.0/24', publicIp: '203.0.113.103' },
];

export const LOGIN_IP = '198.51.100.7';
export const PUBLIC_DNS_IP = '8.8.8.8';
export const API_EXTERNAL_IP = '203.0.113.10';
export const VPC_RESOLVER_IP = '10.0.0.2';
export const CORP_VM_IP = '10.0.2.50';

/** Namespace ids of the infrastructure (no shell host for these). */
export const INTERNET_NS = 'internet';
export const VPC_ROUTER_NS = 'vpc-router';

export function nodeNetnsId(nodeName: string): string {
  return `node/${nodeName}`;
}

function hex(net: Network, n: number): string {
  let s = '';
  while (s.length < n) s += net.rng.nextUint32().toString(16).padStart(8, '0');
  return s.slice(0, n);
}

/** What the builders made, for callers that wire hosts, DNS servers and clouds onto it. */
export interface Topology {
  readonly loginNs: NetNamespace;
  readonly internet: NetNamespace;
  readonly nodes: ReadonlyMap<string, NetNamespace>;
  readonly nodeSpecs: readonly NodeNetSpec[];
  /** Cloud only. */
  readonly vpcRouter?: NetNamespace;
  /** `addPublicIp` on the internet gateway (cloud): maps a public IP to a private one and routes it in. */
  addPublicIp?(publicIp: string, privateIp: string): void;
}

/** A host on the internet: its own namespace, eth0 X/24 to the internet router, default route. */
export function addInternetHost(net: Network, internet: NetNamespace, id: string, ip: string, prefix = 24): NetNamespace {
  const ns = net.createNamespace(id);
  const addr = ipv4(ip);
  const gw = (networkOf(addr, prefix) + 1) >>> 0;
  const gwName = `to-${id.replace(/^internet\//, '').slice(0, 12)}`;
  const [rIf] = net.vethPair(internet, gwName, ns, 'eth0', 2);
  internet.addAddr(rIf.name, gw, prefix);
  ns.addAddr('eth0', addr, prefix);
  ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: gw, dev: 'eth0' });
  return ns;
}

function buildInternet(net: Network): NetNamespace {
  const internet = net.createNamespace(INTERNET_NS);
  internet.ipForward = true;
  addInternetHost(net, internet, 'internet/dns', PUBLIC_DNS_IP);
  addInternetHost(net, internet, 'internet/api-external', API_EXTERNAL_IP);
  return internet;
}

function buildLoginHost(net: Network, internet: NetNamespace, id: string): NetNamespace {
  return addInternetHost(net, internet, id, LOGIN_IP);
}

/** A node's root namespace: lo, eth0 (added by the caller), cni0 with the podCIDR gateway, ip_forward on. */
function buildNode(net: Network, spec: NodeNetSpec): NetNamespace {
  const ns = net.createNamespace(nodeNetnsId(spec.name), spec.name);
  ns.ipForward = true;
  const pod = cidr(spec.podCIDR);
  net.addBridge(ns, 'cni0');
  ns.addAddr('cni0', (pod.addr + 1) >>> 0, pod.prefix);
  return ns;
}

/** Routes to every other node's podCIDR via that node's IP (kindnet / flannel host-gw). */
function addPodRoutes(nodes: ReadonlyMap<string, NetNamespace>, specs: readonly NodeNetSpec[]): void {
  for (const spec of specs) {
    const ns = nodes.get(spec.name)!;
    for (const other of specs) {
      if (other === spec) continue;
      const c = cidr(other.podCIDR);
      ns.addRoute({ dst: c.addr, prefix: c.prefix, type: 'unicast', via: ipv4(other.ip), dev: 'eth0' });
    }
  }
}

export function buildLocalTopology(net: Network, specs: readonly NodeNetSpec[] = LOCAL_NODES): Topology {
  const internet = buildInternet(net);
  const ws = buildLoginHost(net, internet, 'workstation');
  // docker's user-defined network "kind": a bridge on the host, a veth per node container.
  const br = net.addBridge(ws, `br-${hex(net, 12)}`);
  ws.addAddr(br.name, ipv4('172.18.0.1'), 16);
  ws.ipForward = true;
  const nodes = new Map<string, NetNamespace>();
  for (const spec of specs) {
    const ns = buildNode(net, spec);
    const [hostEnd] = net.vethPair(ws, `veth${hex(net, 7)}`, ns, 'eth0');
    net.enslave(hostEnd, br);
    ns.addAddr('eth0', ipv4(spec.ip), 16);
    ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('172.18.0.1'), dev: 'eth0' });
    nodes.set(spec.name, ns);
  }
  addPodRoutes(nodes, specs);
  // Docker MASQUERADEs the kind network towards the internet (its POSTROUTING rule), so node traffic leaves the
  // workstation with 198.51.100.7 as its source and the replies come back through conntrack.
  ws.bootRules = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
    `-A POSTROUTING -s 172.18.0.0/16 ! -o ${br.name} -j MASQUERADE`,
    `-A DOCKER -i ${br.name} -j RETURN`,
    'COMMIT',
    '',
  ].join('\n');
  return { loginNs: ws, internet, nodes, nodeSpecs: specs };
}

export function buildCloudTopology(net: Network, specs: readonly NodeNetSpec[] = CLOUD_NODES): Topology {
  const internet = buildInternet(net);
  const laptop = buildLoginHost(net, internet, 'laptop');
  const vpc = net.createNamespace(VPC_ROUTER_NS);
  vpc.ipForward = true;
  const [inetEnd, igw] = net.vethPair(internet, 'to-vpc', vpc, 'igw0', 2);
  internet.addAddr(inetEnd.name, ipv4('100.64.0.1'), 30);
  vpc.addAddr(igw.name, ipv4('100.64.0.2'), 30);
  vpc.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('100.64.0.1'), dev: 'igw0' });
  const subnetA = net.addBridge(vpc, 'subnet-a');
  vpc.addAddr(subnetA.name, ipv4('10.0.1.1'), 24);
  const subnetB = net.addBridge(vpc, 'subnet-b');
  vpc.addAddr(subnetB.name, ipv4('10.0.2.1'), 24);
  // AmazonProvidedDNS answers at the VPC base + 2; the DNS subsystem binds UDP 53 in this namespace.
  vpc.addAddr('lo', ipv4(VPC_RESOLVER_IP), 32);
  const nat = { outsideIface: 'igw0', publicToPrivate: new AddressMap(), privateToPublic: new AddressMap() };
  vpc.staticNat = nat;
  const addPublicIp = (publicIp: string, privateIp: string): void => {
    const pub = ipv4(publicIp), priv = ipv4(privateIp);
    nat.publicToPrivate.set(pub, priv);
    nat.privateToPublic.set(priv, pub);
    internet.addRoute({ dst: pub, prefix: 32, type: 'unicast', via: ipv4('100.64.0.2'), dev: 'to-vpc' });
  };
  const nodes = new Map<string, NetNamespace>();
  for (const spec of specs) {
    const ns = buildNode(net, spec);
    const [vpcEnd] = net.vethPair(vpc, `eni-${hex(net, 8)}`, ns, 'eth0', 0.05);
    net.enslave(vpcEnd, subnetA);
    ns.addAddr('eth0', ipv4(spec.ip), 24);
    ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('10.0.1.1'), dev: 'eth0' });
    nodes.set(spec.name, ns);
    // The VPC route table knows each node's podCIDR (kubenet-style routes), so pod traffic can cross subnets.
    const c = cidr(spec.podCIDR);
    vpc.addRoute({ dst: c.addr, prefix: c.prefix, type: 'unicast', via: ipv4(spec.ip), dev: subnetA.name });
    if (spec.publicIp) addPublicIp(spec.publicIp, spec.ip);
  }
  addPodRoutes(nodes, specs);
  const corp = net.createNamespace('corp-vm', 'corp-vm');
  const [vpcEnd] = net.vethPair(vpc, `eni-${hex(net, 8)}`, corp, 'eth0', 0.05);
  net.enslave(vpcEnd, subnetB);
  corp.addAddr('eth0', ipv4(CORP_VM_IP), 24);
  corp.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('10.0.2.1'), dev: 'eth0' });
  return { loginNs: laptop, internet, nodes, nodeSpecs: specs, vpcRouter: vpc, addPublicIp };
}

export function describeTopology(t: Topology): string {
  const lines = [`login ${t.loginNs.id} ${formatIpv4(t.loginNs.primaryAddr() ?? 0)}`];
  for (const [name, ns] of t.nodes) lines.push(`node ${name} ${formatIpv4(ns.iface('eth0')?.addrs[0]?.addr ?? 0)}`);
  return lines.join('\n');
}
