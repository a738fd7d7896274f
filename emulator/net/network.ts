/**
 * The packet network of one World: every network namespace (workstation/laptop, nodes, pods, the VPC router, the
 * internet), the cables between them, and the observers that wrap them — captures (tcpdump, pcap) and packet
 * traces. Frames cross a cable as a scheduler task after the cable's latency, so everything runs on virtual time.
 */
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import { BROADCAST_MAC, randomMac, type Mac } from './addr';
import { Iface, type FdbEntry } from './iface';
import { NetNamespace, frameReqId } from './netns';
import type { EthernetFrame } from './packet/ethernet';
import { clonePacket, type Ipv4Packet } from './packet/ipv4';
import { TraceStore } from './trace';
import { TcpRetransmitTimers } from './tcp-socket';
import { formatFrameLine } from './format';
import { formatMac } from './addr';
import type { NetfilterNamespace } from '../netfilter/hook-api';

/** Links at most this slow (veths, bridges, the VPC fabric) are drained from the backlog, not scheduled. */
const BACKLOG_MAX_LATENCY_MS = 0.1;
const BACKLOG_TASK = { label: 'net-backlog' };

export class Network {
  readonly namespaces = new Map<string, NetNamespace>();
  readonly traces: TraceStore;
  /** Every TCP connection's retransmission deadline (one scheduler task per timeout length, not per segment). */
  readonly tcpTimers: TcpRetransmitTimers;
  #ifindex = 1;
  #pid = 0;
  #capturing = 0;
  // The backlog as three parallel arrays (arrival time, interface, frame): no record allocated per frame.
  readonly #bTime: number[] = [];
  readonly #bIface: Iface[] = [];
  readonly #bFrame: (EthernetFrame | null)[] = [];
  #head = 0;
  /** Entries in use (the arrays keep their storage between bursts instead of growing again each time). */
  #tail = 0;
  #draining = false;
  #drainScheduled = false;
  #frameTime = 0;
  /** Builds each new namespace's netfilter (set by the netfilter subsystem; pass-through until then). */
  netfilterFactory: ((ns: NetNamespace) => NetfilterNamespace) | null = null;

  constructor(
    readonly scheduler: Scheduler,
    readonly rng: Rng,
    traces?: TraceStore,
  ) {
    this.traces = traces ?? new TraceStore();
    this.tcpTimers = new TcpRetransmitTimers(scheduler);
  }

  nextIfindex(): number {
    return ++this.#ifindex;
  }

  nextPid(): number {
    return ++this.#pid;
  }

  randomMac(): Mac {
    return randomMac(() => this.rng.nextUint32());
  }

  createNamespace(id: string, displayName?: string): NetNamespace {
    if (this.namespaces.has(id)) throw new Error(`network namespace ${id} exists`);
    const ns = new NetNamespace(this, id, displayName);
    if (this.netfilterFactory) ns.netfilter = this.netfilterFactory(ns);
    this.namespaces.set(id, ns);
    ns.attached = true;
    return ns;
  }

  ns(id: string): NetNamespace | undefined {
    return this.namespaces.get(id);
  }

  removeNamespace(id: string): void {
    const ns = this.namespaces.get(id);
    if (!ns) return;
    for (const iface of [...ns.ifaces.values()]) {
      if (iface.peer) this.removeVeth(iface);
    }
    for (const m of ns.tcpConns.values()) for (const c of m.values()) c.destroy();
    this.namespaces.delete(id);
    ns.attached = false;
  }

  /** `ip link add A type veth peer name B netns …`: a cable between two namespaces. */
  vethPair(a: NetNamespace, aName: string, b: NetNamespace, bName: string, latencyMs = 0.005): [Iface, Iface] {
    const ia = a.addIface(aName, 'veth', this.randomMac());
    const ib = b.addIface(bName, 'veth', this.randomMac());
    ia.peer = ib;
    ib.peer = ia;
    ia.latencyMs = ib.latencyMs = latencyMs;
    return [ia, ib];
  }

  removeVeth(end: Iface): void {
    const peer = end.peer;
    end.ns.removeIface(end.name);
    if (peer) peer.ns.removeIface(peer.name);
  }

  addBridge(ns: NetNamespace, name: string): Iface {
    return ns.addIface(name, 'bridge', this.randomMac());
  }

  /** `ip link set PORT master BRIDGE`. */
  enslave(port: Iface, bridge: Iface): void {
    if (bridge.kind !== 'bridge' || port.ns !== bridge.ns) throw new Error(`cannot enslave ${port.name} to ${bridge.name}`);
    port.master = bridge;
    port.fdbSrcGeneration = -1;
    bridge.ports!.add(port);
  }

  /**
   * Fault injection on a cable end (`tc qdisc … netem loss 10% delay 5ms` in spirit): frames sent from `iface`
   * in namespace `nsId` are lost with probability `loss` (seeded RNG) and take `latencyMs`. Returns false when
   * there is no such interface.
   */
  setLinkFault(nsId: string, iface: string, fault: { loss?: number; latencyMs?: number }): boolean {
    const i = this.namespaces.get(nsId)?.iface(iface);
    if (!i) return false;
    if (fault.loss !== undefined) i.lossRate = Math.min(1, Math.max(0, fault.loss));
    if (fault.latencyMs !== undefined) i.latencyMs = Math.max(0, fault.latencyMs);
    return true;
  }

  // ---------------------------------------------------------------- frames on the wire

  /** A veth end transmits: the frame arrives at the peer after the latency (unless the fault injector drops it). */
  wire(from: Iface, frame: EthernetFrame, reqId: number): void {
    const peer = from.peer;
    if (!peer) return;
    if (from.guard) {
      const why = from.guard.outbound(from, frame, this.now());
      if (why !== null) {
        if (this.traces.wants(reqId)) this.traces.record({ time: this.now(), reqId, pid: pidOf(frame), netns: from.ns.id, kind: 'drop', iface: from.name, packet: formatFrameLine(frame.payload), detail: why });
        return;
      }
    }
    if (from.lossRate > 0 && this.rng.next() < from.lossRate) {
      if (this.traces.wants(reqId)) {
        this.traces.record({ time: this.now(), reqId, pid: pidOf(frame), netns: from.ns.id, kind: 'drop', iface: from.name, packet: formatFrameLine(frame.payload), detail: `lost on the link ${from.name} (fault injection, loss ${from.lossRate * 100}%)` });
      }
      return;
    }
    if (from.latencyMs <= BACKLOG_MAX_LATENCY_MS) this.#enqueue(this.now() + from.latencyMs, peer, frame);
    else this.scheduler.after(from.latencyMs, () => this.receive(peer, frame));
  }

  // ---------------------------------------------------------------- the backlog (softirq)

  /**
   * Virtual time as the network sees it: while the backlog drains, the arrival time of the frame being
   * processed (the scheduler's clock stays at the start of the burst); otherwise the scheduler's time.
   */
  now(): number {
    return this.#draining ? this.#frameTime : this.scheduler.now();
  }

  /**
   * Frames on short links (veths, bridges: microseconds) do not each become a scheduler task. They go into a
   * backlog ordered by arrival time, drained in one task per burst — as the kernel's softirq processes a
   * backlog — so a packet crossing pod → veth → bridge → node → veth → pod costs no scheduler round-trips.
   * Captures and traces still see each hop's own arrival time (`now()`).
   */
  #enqueue(time: number, iface: Iface, frame: EthernetFrame): void {
    const times = this.#bTime, ifaces = this.#bIface, frames = this.#bFrame;
    // Arrival times grow almost always: insert from the back (stable for equal times).
    let i = this.#tail++;
    while (i > this.#head && times[i - 1]! > time) {
      times[i] = times[i - 1]!;
      ifaces[i] = ifaces[i - 1]!;
      frames[i] = frames[i - 1]!;
      i--;
    }
    times[i] = time;
    ifaces[i] = iface;
    frames[i] = frame;
    if (!this.#draining && !this.#drainScheduled) {
      this.#drainScheduled = true;
      this.scheduler.after(0, this.#drain, BACKLOG_TASK);
    }
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    this.#draining = true;
    const times = this.#bTime, ifaces = this.#bIface, frames = this.#bFrame;
    try {
      while (this.#head < this.#tail) {
        const i = this.#head++;
        this.#frameTime = times[i]!;
        const frame = frames[i]!;
        frames[i] = null; // the frame's lifetime ends here: do not keep it reachable until the next burst
        this.receive(ifaces[i]!, frame);
      }
    } finally {
      for (let i = this.#head; i < this.#tail; i++) frames[i] = null;
      this.#tail = 0;
      this.#head = 0;
      this.#draining = false;
    }
  };

  /** `lo`: the frame comes back in on the same interface, through the backlog like any short link. */
  loopback(iface: Iface, frame: EthernetFrame): void {
    this.#enqueue(this.now(), iface, frame);
  }

  /** A frame arrives on an interface. */
  receive(iface: Iface, frame: EthernetFrame): void {
    // A namespace this network registered is in the map until removed (the flag saves a string-keyed lookup per
    // frame); otherwise ask the map, as another namespace may have taken the id since.
    if (!iface.up || (!iface.ns.attached && !this.namespaces.has(iface.ns.id))) return;
    if (iface.guard) {
      // A security group at the ENI: outside the host, before its NIC (tcpdump on the node never sees the drop).
      const why = iface.guard.inbound(iface, frame, this.now());
      if (why !== null) {
        const rid = frameReqId(frame);
        if (this.traces.wants(rid)) this.traces.record({ time: this.now(), reqId: rid, pid: pidOf(frame), netns: iface.ns.id, kind: 'drop', iface: iface.name, dir: 'in', packet: formatFrameLine(frame.payload), detail: why });
        return;
      }
    }
    const payload = frame.payload;
    const isArp = 'kind' in payload && payload.kind === 'arp';
    // Conntrack state is per namespace: a packet entering another namespace starts untracked there (a packet
    // looping back through lo keeps it).
    if (!isArp && iface.kind !== 'loopback') (payload as Ipv4Packet).nfct = undefined;
    this.capture(iface, frame, 'in');
    const reqId = isArp ? 0 : (payload as Ipv4Packet).reqId;
    if (this.traces.wants(reqId)) {
      this.traces.record({ time: this.now(), reqId, pid: pidOf(frame), netns: iface.ns.id, kind: 'recv', iface: iface.name, dir: 'in', packet: formatFrameLine(frame.payload), detail: `${formatMac(frame.src)} > ${formatMac(frame.dst)}` });
    }
    if (iface.master) {
      this.#bridgeInput(iface.master, iface, frame, reqId);
      return;
    }
    if (frame.dst !== iface.mac && frame.dst !== BROADCAST_MAC) {
      if (this.traces.wants(reqId)) this.traces.record({ time: this.now(), reqId, pid: pidOf(frame), netns: iface.ns.id, kind: 'drop', iface: iface.name, packet: formatFrameLine(frame.payload), detail: `frame for ${formatMac(frame.dst)}, not this interface (${formatMac(iface.mac)})` });
      return;
    }
    iface.ns.l2Input(iface, frame);
  }

  /** A frame entered a bridge from a port: learn, then deliver up, forward or flood. */
  #bridgeInput(bridge: Iface, port: Iface, frame: EthernetFrame, reqId: number): void {
    const now = this.now();
    // Refresh a known MAC's entry in place (no record per frame); Map order is unchanged either way.
    const src = frame.src;
    const known = port.fdbSrcMac === src && port.fdbSrcGeneration === bridge.fdbGeneration ? port.fdbSrcEntry : bridge.fdb!.get(src);
    if (known !== undefined) {
      known.port = port;
      known.updatedAt = now;
      if (port.fdbSrcEntry !== known) {
        port.fdbSrcMac = src;
        port.fdbSrcEntry = known;
        port.fdbSrcGeneration = bridge.fdbGeneration;
      }
    } else {
      bridge.fdb!.set(src, { port, updatedAt: now });
      bridge.fdbGeneration++;
    }
    const tracing = this.traces.wants(reqId);
    if (frame.dst === bridge.mac || frame.dst === BROADCAST_MAC) {
      if (frame.dst === BROADCAST_MAC) this.#flood(bridge, port, frame, reqId);
      if (tracing) this.#bridgeHop(bridge, frame, reqId, frame.dst === BROADCAST_MAC ? `broadcast: flooded to the other ports and passed up to ${bridge.name}` : `for ${bridge.name} itself: passed up to the IP stack`);
      const isIp = !('kind' in frame.payload && frame.payload.kind === 'arp');
      if (isIp && this.#capturing > 0 && bridge.ns.captures.length > 0) {
        // br_netfilter: a frame that the bridge's own IP layer only DNATs and sends back out of the same bridge
        // never shows on the bridge in a capture. The decision comes after routing (`settleBridgeCapture`).
        this.#bridgeIn = { bridge, frame: snapshot(frame), time: this.now() };
      } else this.capture(bridge, frame, 'in');
      bridge.ns.l2Input(bridge, frame);
      // Dropped before routing (PREROUTING): it was still seen on the bridge.
      this.settleBridgeCapture(undefined);
      this.#bridgeOutSuppressed = null;
      return;
    }
    const entry = fdbLookup(bridge, frame.dst);
    if (entry && bridge.ports!.has(entry.port)) {
      if (entry.port === port && !port.hairpin) return;
      if (tracing) this.#bridgeHop(bridge, frame, reqId, `FDB: ${formatMac(frame.dst)} is on port ${entry.port.name}`);
      const payload = frame.payload as Ipv4Packet | { kind: 'arp' };
      if (!('kind' in payload && payload.kind === 'arp') && !bridge.ns.bridgeNetfilter(bridge, payload as Ipv4Packet)) return;
      this.#portOut(entry.port, frame, reqId);
      return;
    }
    if (tracing) this.#bridgeHop(bridge, frame, reqId, `unknown destination ${formatMac(frame.dst)}: flooded`);
    this.#flood(bridge, port, frame, reqId);
  }

  /** The bridge's own IP stack transmits (routed out of cni0): FDB lookup or flood. */
  bridgeOutput(bridge: Iface, frame: EthernetFrame, reqId: number): void {
    if (frame.dst !== BROADCAST_MAC) {
      const entry = fdbLookup(bridge, frame.dst);
      if (entry && bridge.ports!.has(entry.port)) {
        if (this.traces.wants(reqId)) this.#bridgeHop(bridge, frame, reqId, `FDB: ${formatMac(frame.dst)} is on port ${entry.port.name}`);
        this.#portOut(entry.port, frame, reqId);
        return;
      }
    }
    this.#flood(bridge, null, frame, reqId);
  }

  #flood(bridge: Iface, except: Iface | null, frame: EthernetFrame, reqId: number): void {
    for (const p of bridge.ports!) if (p !== except) this.#portOut(p, frame, reqId);
  }

  #portOut(port: Iface, frame: EthernetFrame, reqId: number): void {
    if (!port.up) return;
    this.capture(port, frame, 'out');
    this.wire(port, frame, reqId);
  }

  #bridgeHop(bridge: Iface, frame: EthernetFrame, reqId: number, detail: string): void {
    this.traces.record({ time: this.now(), reqId, pid: pidOf(frame), netns: bridge.ns.id, kind: 'bridge', iface: bridge.name, packet: formatFrameLine(frame.payload), detail });
  }

  // ---------------------------------------------------------------- captures

  /** Hand a frame to the namespace's live captures (tcpdump); free when nobody captures. */
  capture(iface: Iface, frame: EthernetFrame, dir: 'in' | 'out'): void {
    if (this.#capturing === 0) return;
    const sinks = iface.ns.captures;
    if (sinks.length === 0) return;
    let d: 'In' | 'Out' | 'P' | 'B' | 'M' = 'Out';
    if (dir === 'in') d = frame.dst === BROADCAST_MAC ? 'B' : frame.dst === iface.mac || iface.kind === 'loopback' ? 'In' : 'P';
    const snap = snapshot(frame);
    const now = this.now();
    for (const s of sinks) if (s.iface === undefined || s.iface === iface.name) s.onFrame(now, iface, snap, d);
  }

  #bridgeIn: { bridge: Iface; frame: EthernetFrame; time: number } | null = null;
  #bridgeOutSuppressed: Iface | null = null;

  /**
   * Called by the IP layer once it routed a packet that came up from a bridge: shown on the bridge (`cni0 In`)
   * when delivered locally or routed elsewhere, hidden in both directions when it goes back out of the same
   * bridge (what br_netfilter does with pod → ClusterIP → pod on one node).
   */
  settleBridgeCapture(outIface: string | undefined): void {
    const pending = this.#bridgeIn;
    if (!pending) return;
    this.#bridgeIn = null;
    if (outIface === pending.bridge.name) {
      this.#bridgeOutSuppressed = pending.bridge;
      return;
    }
    const sinks = pending.bridge.ns.captures;
    for (const s of sinks) if (s.iface === undefined || s.iface === pending.bridge.name) s.onFrame(pending.time, pending.bridge, pending.frame, 'In');
  }

  /** Whether the bridge's outgoing capture is suppressed for the packet being sent now (see above). */
  takeBridgeOutSuppressed(iface: Iface): boolean {
    if (this.#bridgeOutSuppressed !== iface) return false;
    this.#bridgeOutSuppressed = null;
    return true;
  }

  /** Attach a capture to a namespace; returns a detach function. */
  attachCapture(ns: NetNamespace, sink: NetNamespace['captures'][number]): () => void {
    ns.captures.push(sink);
    this.#capturing++;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      const i = ns.captures.indexOf(sink);
      if (i >= 0) ns.captures.splice(i, 1);
      this.#capturing--;
    };
  }
}

/** The bridge's FDB entry for `mac`, through its one-entry memo (a bridge mostly sends to the same port again). */
function fdbLookup(bridge: Iface, mac: Mac): FdbEntry | undefined {
  if (bridge.fdbDstMac === mac && bridge.fdbDstGeneration === bridge.fdbGeneration) return bridge.fdbDstEntry;
  const entry = bridge.fdb!.get(mac);
  bridge.fdbDstMac = mac;
  bridge.fdbDstEntry = entry;
  bridge.fdbDstGeneration = bridge.fdbGeneration;
  return entry;
}

function snapshot(frame: EthernetFrame): EthernetFrame {
  const payload = frame.payload;
  return 'kind' in payload && payload.kind === 'arp' ? frame : { dst: frame.dst, src: frame.src, payload: clonePacket(payload as Ipv4Packet) };
}

function pidOf(frame: EthernetFrame): number {
  const p = frame.payload;
  return 'kind' in p && p.kind === 'arp' ? 0 : (p as Ipv4Packet).pid;
}
