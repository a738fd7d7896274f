/**
 * Packet traces: typed hop events emitted at each point a packet passes (NIC, hook, routing decision, ARP,
 * bridge, socket), grouped by the request a tool started (`curl` = its DNS queries + its TCP connection). The UI
 * draws them; lab checks and tests assert on them. Recording is skipped entirely when disabled (bench mode), and
 * packets with no request id (background traffic) are not recorded unless `recordBackground` is set.
 */
import { Emitter, type Disposable } from '../core/events';
import type { NfConntrackView, NfHook, NfTraceStep } from '../netfilter/hook-api';

export type HopKind =
  | 'xmit' // left an interface
  | 'recv' // arrived on an interface
  | 'hook' // a netfilter hook ran
  | 'route' // routing decision
  | 'arp' // neighbour resolution
  | 'bridge' // bridge forwarding decision
  | 'nat' // a static NAT (cloud internet gateway) rewrote the packet
  | 'deliver' // handed to a socket or the kernel's ICMP responder
  | 'proxy' // an L7 proxy (Ingress controller) routed a request: which rule matched, which upstream it chose
  | 'drop'; // the packet's journey ended without delivery

export interface TraceHop {
  readonly seq: number;
  /** Virtual time, ms since epoch (fractional: µs matter). */
  readonly time: number;
  readonly reqId: number;
  /** Network-wide packet id: follow one packet across hops. */
  readonly pid: number;
  /** Network namespace (= host id: `node/worker-1`, `pod/default/web-…`). */
  readonly netns: string;
  readonly kind: HopKind;
  readonly iface?: string;
  readonly dir?: 'in' | 'out';
  /** The packet as tcpdump -n would print it at this point (no timestamp). */
  readonly packet: string;
  readonly hook?: NfHook;
  readonly steps?: readonly NfTraceStep[];
  /** accept / drop / reject / forward / local / … */
  readonly verdict?: string;
  readonly conntrack?: NfConntrackView;
  /** Address tuple before and after a hook that rewrote it (`10.244.1.5:38782 > 10.96.45.12:80`). */
  readonly natBefore?: string;
  readonly natAfter?: string;
  /** The route that matched, as `ip route` prints it. */
  readonly route?: string;
  /** Plain words: why a packet was dropped, what ARP did, where the bridge sent a frame. */
  readonly detail?: string;
}

export interface TraceRequest {
  readonly id: number;
  /** What started it, e.g. `curl http://currency-exchange:8000/`. */
  readonly label: string;
  /** Host id it ran on. */
  readonly host: string;
  readonly startedAt: number;
  hopCount: number;
  /** Distinct packets seen. */
  packetCount: number;
}

export interface TraceStoreOptions {
  readonly maxRequests?: number;
  readonly maxHopsPerRequest?: number;
}

export class TraceStore {
  /** When false nothing is recorded and callers skip building hop text (bench mode). */
  enabled = true;
  /** Record packets that belong to no request (health checks, kube-proxy background traffic). */
  recordBackground = false;
  readonly #maxRequests: number;
  readonly #maxHops: number;
  readonly #requests = new Map<number, TraceRequest>();
  readonly #hops = new Map<number, TraceHop[]>();
  readonly #pids = new Map<number, Set<number>>();
  #nextId = 1;
  #seq = 0;
  readonly #onTrace = new Emitter<TraceHop>();
  readonly #onRequest = new Emitter<TraceRequest>();
  /** Fired for every recorded hop. */
  readonly onTrace: (listener: (hop: TraceHop) => void) => Disposable = this.#onTrace.event;
  /** Fired when a request starts. */
  readonly onRequest: (listener: (req: TraceRequest) => void) => Disposable = this.#onRequest.event;

  constructor(opts: TraceStoreOptions = {}) {
    this.#maxRequests = opts.maxRequests ?? 200;
    this.#maxHops = opts.maxHopsPerRequest ?? 4000;
  }

  /** Start a request; packets sent with the returned id are grouped under it. */
  beginRequest(label: string, host: string, now: number): number {
    const id = this.#nextId++;
    const req: TraceRequest = { id, label, host, startedAt: now, hopCount: 0, packetCount: 0 };
    this.#requests.set(id, req);
    this.#hops.set(id, []);
    this.#pids.set(id, new Set());
    while (this.#requests.size > this.#maxRequests) {
      const oldest = this.#requests.keys().next().value as number;
      this.#requests.delete(oldest);
      this.#hops.delete(oldest);
      this.#pids.delete(oldest);
    }
    this.#onRequest.fire(req);
    return id;
  }

  /** Whether a hop for this request would be kept (callers check before building hop text). */
  wants(reqId: number): boolean {
    // Comparisons, not the flags' truthiness: the engine then knows the answer is a boolean, and each of the many
    // callers per packet tests it with one compare instead of the ~8 instructions of testing an unknown value.
    return this.enabled === true && (reqId !== 0 ? this.#requests.has(reqId) : this.recordBackground === true);
  }

  record(hop: Omit<TraceHop, 'seq'>): void {
    if (!this.wants(hop.reqId)) return;
    const full: TraceHop = { seq: ++this.#seq, ...hop };
    if (hop.reqId !== 0) {
      const list = this.#hops.get(hop.reqId)!;
      const req = this.#requests.get(hop.reqId)!;
      if (list.length < this.#maxHops) list.push(full);
      req.hopCount++;
      const pids = this.#pids.get(hop.reqId)!;
      if (!pids.has(hop.pid)) {
        pids.add(hop.pid);
        req.packetCount++;
      }
    }
    this.#onTrace.fire(full);
  }

  requests(): readonly TraceRequest[] {
    return [...this.#requests.values()];
  }

  request(id: number): TraceRequest | undefined {
    return this.#requests.get(id);
  }

  hops(reqId: number): readonly TraceHop[] {
    return this.#hops.get(reqId) ?? [];
  }

  /** The hops of one packet within a request, in order. */
  packetHops(reqId: number, pid: number): readonly TraceHop[] {
    return this.hops(reqId).filter((h) => h.pid === pid);
  }

  clear(): void {
    this.#requests.clear();
    this.#hops.clear();
    this.#pids.clear();
  }
}
