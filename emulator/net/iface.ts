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
  /**
   * Bridge: bumped whenever an FDB entry is added or removed, so the one-entry memos below (which save a
   * MAC-keyed map lookup per frame) know the entry they hold is still the table's. An entry that moves to
   * another port is updated in place, so a memo sees the move.
   */
  fdbGeneration = 0;
  /**
   * The last two destinations looked up in the FDB (valid while the bridge's `fdbGeneration` is unchanged): on a
   * bridge, for frames its own stack sends; on a port, for frames bridged in by that port. Two, because a port's
   * frames often alternate between two destinations: a load balancer's ENI sends to the node it picked and to the
   * router (its replies to the internet client), six misses a request with one.
   */
  fdbDstMac: Mac = -1;
  fdbDstEntry: FdbEntry | undefined = undefined;
  fdbDstMac2: Mac = -1;
  fdbDstEntry2: FdbEntry | undefined = undefined;
  /** Which of the two was used last (1: the second): a miss replaces the other one. */
  fdbDstLast = 0;
  fdbDstGeneration = -1;
  /** Bridge port: the FDB entry of the last source MAC learned on this port (same validity rule). */
  fdbSrcMac: Mac = -1;
  fdbSrcEntry: FdbEntry | undefined = undefined;
  fdbSrcGeneration = -1;
  readonly addrs: IfaceAddr[] = [];
  /** One-way latency of the cable from this end to its peer, in virtual ms. */
  latencyMs = 0.005;
  /** Probability that a frame sent from this end is lost (fault injection). */
  lossRate = 0;
  /** Bridge ports: hairpin mode (a frame may leave by the port it came in). */
  hairpin = true;
  /**
   * MAC → last virtual time a frame from it arrived (confirms neighbours in DELAY), except for the latest sender,
   * held in `#rxMac`/`#rxTime` until another MAC sends: a pod's interface hears only its gateway, so a frame
   * costs two field writes rather than a map write. Read through `lastRx`.
   */
  readonly #lastRxFrom = new Map<Mac, number>();
  #rxMac: Mac = -1;
  #rxTime = 0;
  /** Neighbour entries on this interface waiting in DELAY (while > 0, the receive times are kept). */
  delayPending = 0;

  /** A frame from `mac` arrived at virtual time `now`. */
  noteRx(mac: Mac, now: number): void {
    if (mac !== this.#rxMac) {
      if (this.#rxMac !== -1) this.#lastRxFrom.set(this.#rxMac, this.#rxTime);
      this.#rxMac = mac;
    }
    this.#rxTime = now;
  }

  /** When a frame from `mac` last arrived (while receive times are kept), or undefined. */
  lastRx(mac: Mac): number | undefined {
    return mac === this.#rxMac ? this.#rxTime : this.#lastRxFrom.get(mac);
  }

  /** Forget every receive time (no neighbour waits in DELAY any more). */
  forgetRx(): void {
    this.#lastRxFrom.clear();
    this.#rxMac = -1;
  }

  /**
   * `kind` as flags, for the per-hop path: a boolean field is compared in one instruction, where a string field
   * is first checked to be an internalized string at every read (a veth is neither).
   */
  readonly isLoopback: boolean;
  readonly isBridge: boolean;

  constructor(
    readonly ns: NetNamespace,
    readonly index: number,
    readonly name: string,
    readonly kind: IfaceKind,
    public mac: Mac,
    readonly mtu: number,
  ) {
    this.isLoopback = kind === 'loopback';
    this.isBridge = kind === 'bridge';
    this.ports = kind === 'bridge' ? new Set() : null;
    this.fdb = kind === 'bridge' ? new Map() : null;
  }

  /** `eth0@if7` as `ip link` names a veth end; plain name otherwise. */
  get displayName(): string {
    return this.peer ? `${this.name}@if${this.peer.index}` : this.name;
  }
}
