/**
 * Network interfaces: loopback, veth ends (a pair is a cable between two namespaces), and Linux bridges (cni0,
 * docker's br-…, the VPC subnet) with a learning forwarding database. Frames move between interfaces as scheduler
 * tasks after the link's latency; fault injection (loss) is a property of the link, drawn from the seeded RNG.
 */
import type { Mac } from './addr';
import type { NetNamespace } from './netns';

export type IfaceKind = 'loopback' | 'veth' | 'bridge';

export interface IfaceAddr {
  readonly addr: number;
  readonly prefix: number;
}

export interface FdbEntry {
  port: Iface;
  updatedAt: number;
}

/**
 * Something that inspects frames at a NIC, outside the host's own stack: a cloud security group on an ENI
 * (stateful, enforced by the hypervisor, invisible to iptables). `inbound` returns a drop reason or null.
 */
export interface IfaceGuard {
  inbound(iface: Iface, frame: import('./packet/ethernet').EthernetFrame, now: number): string | null;
  outbound(iface: Iface, frame: import('./packet/ethernet').EthernetFrame, now: number): string | null;
}

export class Iface {
  up = true;
  /** A filter at the NIC (security group on an ENI); null = none. */
  guard: IfaceGuard | null = null;
  /** veth: the other end. */
  peer: Iface | null = null;
  /** Bridge port: the bridge it is enslaved to (`master cni0`). */
  master: Iface | null = null;
  /** Bridge: its ports. */
  readonly ports: Set<Iface> | null;
  /** Bridge: MAC → port. */
  readonly fdb: Map<Mac, FdbEntry> | null;
  readonly addrs: IfaceAddr[] = [];
  /** One-way latency of the cable from this end to its peer, in virtual ms. */
  latencyMs = 0.005;
  /** Probability that a frame sent from this end is lost (fault injection). */
  lossRate = 0;
  /** Bridge ports: hairpin mode (a frame may leave by the port it came in). */
  hairpin = true;
  /** The neighbour entry last used for output on this interface (a memo; the table stays authoritative). */
  lastNeigh: import('./netns').NeighEntry | null = null;
  /** MAC → last virtual time a frame from it arrived (confirms neighbours in DELAY). */
  readonly lastRxFrom = new Map<Mac, number>();
  /** Neighbour entries on this interface waiting in DELAY (while > 0, `lastRxFrom` is kept). */
  delayPending = 0;

  constructor(
    readonly ns: NetNamespace,
    readonly index: number,
    readonly name: string,
    readonly kind: IfaceKind,
    public mac: Mac,
    readonly mtu: number,
  ) {
    this.ports = kind === 'bridge' ? new Set() : null;
    this.fdb = kind === 'bridge' ? new Map() : null;
  }

  /** `eth0@if7` as `ip link` names a veth end; plain name otherwise. */
  get displayName(): string {
    return this.peer ? `${this.name}@if${this.peer.index}` : this.name;
  }
}
