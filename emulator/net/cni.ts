/**
 * The bridge CNI plugin (what `containernetworking/plugins/bridge` does on ADD/DEL): a network namespace per pod,
 * a veth pair with the pod end named eth0 and the host end `veth…` enslaved to the node's cni0, the pod IP with
 * the podCIDR prefix, a default route via the cni0 gateway. DEL removes the namespace and with it the veth pair,
 * so the pod's old IP has no host behind it: ARP for it fails and senders get `Destination Host Unreachable`.
 */
import type { Cni, PodNetworkRequest, PodNetworkResult } from '../core/cni';
import { cidr, ipv4 } from './addr';
import type { Network } from './network';
import { nodeNetnsId } from './topology';

export function podNetnsId(podKey: string): string {
  return `pod/${podKey}`;
}

export class BridgeCni implements Cni {
  readonly #pods = new Map<string, PodNetworkResult>();

  constructor(readonly net: Network) {}

  addPod(req: PodNetworkRequest): PodNetworkResult {
    const existing = this.#pods.get(req.podKey);
    if (existing) return existing;
    const node = this.net.ns(nodeNetnsId(req.nodeName));
    if (!node) throw new Error(`cni: no network namespace for node ${req.nodeName}`);
    const bridge = node.iface('cni0');
    if (!bridge) throw new Error(`cni: node ${req.nodeName} has no cni0 bridge`);
    const pod = cidr(req.podCIDR);
    const ip = ipv4(req.podIP);
    const id = podNetnsId(req.podKey);
    // Like the runtime's netns (`cni-1234…`): the node sees it only as a number (`link-netnsid 0`).
    const ns = this.net.createNamespace(id);
    let hostVeth = '';
    do hostVeth = `veth${this.net.rng.nextUint32().toString(16).padStart(8, '0')}`;
    while (node.iface(hostVeth));
    const [hostEnd] = this.net.vethPair(node, hostVeth, ns, 'eth0');
    this.net.enslave(hostEnd, bridge);
    ns.addAddr('eth0', ip, pod.prefix);
    ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: (pod.addr + 1) >>> 0, dev: 'eth0' });
    ns.gratuitousArp('eth0');
    const result: PodNetworkResult = { netns: id, hostVeth };
    this.#pods.set(req.podKey, result);
    return result;
  }

  removePod(podKey: string): void {
    const r = this.#pods.get(podKey);
    if (!r) return;
    this.#pods.delete(podKey);
    this.net.removeNamespace(r.netns);
  }

  has(podKey: string): boolean {
    return this.#pods.has(podKey);
  }
}
