/**
 * The seam between the kubelet (control plane side) and the packet network (data plane side), as CNI is on a real
 * node: the kubelet asks for a pod's network namespace, veth pair and IP; the network builds them. The kubelet
 * never touches NICs or routes, the network never reads Pod objects.
 */
export interface PodNetworkRequest {
  /** `namespace/name` of the pod. */
  readonly podKey: string;
  readonly nodeName: string;
  /** IPv4 address chosen by the kubelet's IPAM from the node's podCIDR, dotted quad. */
  readonly podIP: string;
  /** The node's podCIDR, e.g. `10.244.1.0/24` (gateway = first address on cni0). */
  readonly podCIDR: string;
  /** Pod hostname (the pod name) for the netns. */
  readonly hostname: string;
}

export interface PodNetworkResult {
  /** Network namespace id for `world.network`, also used as `ShellHost.netns`. */
  readonly netns: string;
  /** Host-side veth name, e.g. `veth3a9f1c2b`. */
  readonly hostVeth: string;
}

export interface Cni {
  addPod(req: PodNetworkRequest): PodNetworkResult;
  removePod(podKey: string): void;
}
