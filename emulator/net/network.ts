/**
 * The packet network of one World: every network namespace (workstation/laptop, nodes, pods, the VPC router, the
 * internet), the cables between them, and the observers that wrap them — captures (tcpdump, pcap) and packet
 * traces. Frames cross a cable as a scheduler task after the cable's latency, so everything runs on virtual time.
 */
import type { Rng } from '../core/rng';
import type { Scheduler, TaskHandle } from '../core/scheduler';
import { BROADCAST_MAC, randomMac, type Mac } from './addr';
import { Iface, type FdbEntry } from './iface';
import { NetNamespace } from './netns';
import type { EthernetFrame } from './packet/ethernet';
import { clonePacket, type Ipv4Packet } from './packet/ipv4';
import { TraceStore } from './trace';
import { TcpRetransmitTimers } from './tcp-socket';
import { formatFrameLine } from './format';
import { formatMac } from './addr';
import type { NetfilterNamespace } from '../netfilter/hook-api';

/** What a frame carries. */
type FramePayload = EthernetFrame['payload'];

/** Links at most this slow (veths, bridges, the VPC fabric) are drained from the backlog, not scheduled. */
const BACKLOG_MAX_LATENCY_MS = 0.1;
const BACKLOG_TASK = { label: 'net-backlog' };
/** Slots of the backlog's ring at first (a power of two: a slot's index is masked). */
const BACKLOG_SLOTS = 8;
/** Bursts drained with one frame list before it is replaced (see `Network.#drain`). */
const RING_BURSTS = 64;

export class Network {
  readonly namespaces = new Map<string, NetNamespace>();
  readonly traces: TraceStore;
  /** Every TCP connection's retransmission deadline (one scheduler task per timeout length, not per segment). */
  readonly tcpTimers: TcpRetransmitTimers;
  #ifindex = 1;
  #pid = 0;
  #capturing = 0;
  // The backlog: a ring of frames in arrival-time order (no record allocated per frame). A ring rather than a list
  // restarted when it empties: the frame being processed almost always sends the next hop before it returns, so
  // the backlog rarely empties within a burst (27 frames a burst on the HTTP bench) and a list's indexes, and its
  // storage, would grow through the whole burst. The ring's slots are reused; it grows only when more frames
  // than its slots are in flight at once (the HTTP bench keeps at most four).
  /** Arrival time of the frame in each slot (plain doubles: no write barrier, nothing boxed). */
  #bTime = new Float64Array(BACKLOG_SLOTS);
  /**
   * The frames, four entries a slot: the interface it arrives at, destination MAC, source MAC, payload (each MAC
   * as the value it was sent with, a boxed 48-bit number, passed on as it is). A list that stays young: a packet
   * is a young object, and storing it into a list that lives on (promoted to the old generation) makes the engine
   * record the slot for the next young-generation collection (a write barrier's slow path, ~90 instructions a
   * store, once per wire hop). Stores into a young list are plain. The list is replaced every `RING_BURSTS` bursts
   * (see `#drain`). Every store stays within the list's length (the ring grows by replacing it), so the engine's
   * store is a bounds check, not a check for growing the list.
   */
  #bFrames: BacklogEntry[];
  /** Bursts drained with the current `#bFrames`. */
  #ringBursts = 0;
  /** A ring of the current size with every entry null, copied for each new frame list. */
  #emptyRing = emptyRing(BACKLOG_SLOTS);
  /** Slot of the oldest frame. */
  #head = 0;
  /** Frames waiting. */
  #count = 0;
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
    this.#bFrames = this.#emptyRing.slice();
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
    port.fdbSrcGeneration = port.fdbDstGeneration = -1;
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
  // On the per-hop path, flags and optional objects are compared with true/false/null/undefined rather than
  // tested for truthiness: the engine does not know a field holds a boolean or an object, and tests an unknown
  // value's truthiness with about eight instructions (false, '', undetectable, number, bigint); a compare is one.

  /** A veth end transmits: the frame arrives at the peer after the latency (unless the fault injector drops it). */
  wire(from: Iface, frame: EthernetFrame, reqId: number): void {
    this.send(from, frame.dst, frame.src, frame.payload, reqId);
  }

  /**
   * `wire` with the frame's fields as arguments: the stack's own path, which makes no frame record per hop
   * (one is made only for whoever keeps or inspects it: a NIC guard, a slow link's scheduler task, a trace).
   */
  send(from: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number): void {
    const peer = from.peer;
    if (peer === null) return;
    if ((from.guard !== null || from.lossRate > 0) && this.#dropsOnLink(from, dst, src, payload, reqId)) return;
    if (from.latencyMs <= BACKLOG_MAX_LATENCY_MS) this.#enqueue(this.now() + from.latencyMs, peer, dst, src, payload);
    else this.#slowLink(from.latencyMs).carry(peer, dst, src, payload);
  }

  // The per-hop functions (send, #enqueue, #input, #bridgeInput) keep their rare paths (NIC guards, fault
  // injection, traces, captures, flooding) in functions of their own: the engine inlines a function into its
  // caller only below a size in bytecode, and the trace records' literals and strings counted against it.

  /** A NIC guard or the fault injector drops the frame `from` sends (traced as a drop). */
  #dropsOnLink(from: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number): boolean {
    if (from.guard !== null) {
      const why = from.guard.outbound(from, { dst, src, payload }, this.now());
      if (why !== null) {
        if (this.traces.wants(reqId)) this.traces.record({ time: this.now(), reqId, pid: pidOf(payload), netns: from.ns.id, kind: 'drop', iface: from.name, packet: formatFrameLine(payload), detail: why });
        return true;
      }
    }
    if (from.lossRate > 0 && this.rng.next() < from.lossRate) {
      if (this.traces.wants(reqId)) {
        this.traces.record({ time: this.now(), reqId, pid: pidOf(payload), netns: from.ns.id, kind: 'drop', iface: from.name, packet: formatFrameLine(payload), detail: `lost on the link ${from.name} (fault injection, loss ${from.lossRate * 100}%)` });
      }
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- slow links

  /** The frames in flight on links of one latency (more than the backlog's): few distinct latencies exist. */
  readonly #slowLinks: SlowLink[] = [];

  #slowLink(latencyMs: number): SlowLink {
    const links = this.#slowLinks;
    for (let i = 0; i < links.length; i++) if (links[i]!.latencyMs === latencyMs) return links[i]!;
    const link = new SlowLink(latencyMs, this.scheduler, (iface, dst, src, payload) => this.#input(iface, dst, src, payload));
    links.push(link);
    return link;
  }

  // ---------------------------------------------------------------- the backlog (softirq)

  /**
   * Virtual time as the network sees it: while the backlog drains, the arrival time of the frame being
   * processed (the scheduler's clock stays at the start of the burst); otherwise the scheduler's time.
   */
  now(): number {
    // `+`: both answers as plain doubles. The scheduler keeps its clock as a reference to a number object; mixed
    // with the frame time (a double field) the result would be a reference too, and every caller that inlines
    // this (each hop's send, every netfilter hook) would box the frame time anew: 16 bytes a call.
    return this.#draining === true ? this.#frameTime : +this.scheduler.now();
  }

  /**
   * Frames on short links (veths, bridges: microseconds) do not each become a scheduler task. They go into a
   * backlog ordered by arrival time, drained in one task per burst — as the kernel's softirq processes a
   * backlog — so a packet crossing pod → veth → bridge → node → veth → pod costs no scheduler round-trips.
   * Captures and traces still see each hop's own arrival time (`now()`).
   */
  #enqueue(time: number, iface: Iface, dst: Mac, src: Mac, payload: FramePayload): void {
    if (this.#count === this.#bTime.length) this.#growBacklog();
    const times = this.#bTime, frames = this.#bFrames, mask = times.length - 1;
    // Arrival times grow almost always: the frame goes at the back unless the last one arrives later.
    let slot = (this.#head + this.#count) & mask;
    if (this.#count > 0 && times[(slot - 1) & mask]! > time) slot = this.#makeRoom(time);
    this.#count++;
    const at = slot << 2;
    times[slot] = time;
    frames[at] = iface;
    frames[at + 1] = dst;
    frames[at + 2] = src;
    frames[at + 3] = payload;
    if (this.#draining === false && this.#drainScheduled === false) this.#scheduleDrain();
  }

  /** The first frame of a burst: one task drains the backlog (apart, so that `#enqueue` stays small to inline). */
  #scheduleDrain(): void {
    this.#drainScheduled = true;
    // The burst's task record is the last burst's, queued again (it ran, and only the backlog holds it): one record
    // instead of one a burst, and an old record stored into the scheduler's old queue takes no slow path.
    this.#drainTask = this.scheduler.atReusing(this.#drainTask, this.scheduler.now(), this.#drain, BACKLOG_TASK);
  }

  /**
   * The slot for a frame arriving before the last ones waiting: after every frame arriving at or before `time`
   * (stable for equal times); the later ones move one slot back.
   */
  #makeRoom(time: number): number {
    const times = this.#bTime, frames = this.#bFrames, mask = times.length - 1, head = this.#head;
    let k = this.#count;
    while (k > 0) {
      const prev = (head + k - 1) & mask;
      if (!(times[prev]! > time)) break;
      const slot = (head + k) & mask, at = slot << 2, from = prev << 2;
      times[slot] = times[prev]!;
      frames[at] = frames[from]!;
      frames[at + 1] = frames[from + 1]!;
      frames[at + 2] = frames[from + 2]!;
      frames[at + 3] = frames[from + 3]!;
      k--;
    }
    return (head + k) & mask;
  }

  /** More frames in flight than the ring has slots: twice the slots, the frames moved to the front in order. */
  #growBacklog(): void {
    const times = this.#bTime, frames = this.#bFrames, mask = times.length - 1;
    const biggerTimes = new Float64Array(times.length * 2);
    this.#emptyRing = emptyRing(times.length * 2);
    const biggerFrames = this.#emptyRing.slice();
    for (let k = 0; k < this.#count; k++) {
      const slot = (this.#head + k) & mask;
      biggerTimes[k] = times[slot]!;
      for (let j = 0; j < 4; j++) biggerFrames[(k << 2) + j] = frames[(slot << 2) + j]!;
    }
    this.#bTime = biggerTimes;
    this.#bFrames = biggerFrames;
    this.#head = 0;
  }

  /** The task that drains the backlog (see `#enqueue`). */
  #drainTask: TaskHandle | undefined = undefined;

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    this.#draining = true;
    try {
      while (this.#count > 0) {
        // Read anew for every frame: processing one may grow the ring.
        const frames = this.#bFrames, slot = this.#head, at = slot << 2;
        this.#head = (slot + 1) & (this.#bTime.length - 1);
        this.#count--;
        this.#frameTime = this.#bTime[slot]!;
        const payload = frames[at + 3] as FramePayload;
        frames[at + 3] = null; // the packet's lifetime ends here: not reachable from the backlog any more
        this.#input(frames[at] as Iface, frames[at + 1] as Mac, frames[at + 2] as Mac, payload);
      }
    } finally {
      // A frame's processing threw: the frames still waiting are dropped with the list. Otherwise the list is
      // replaced now and then, before it can be promoted: an object is promoted when it survives a second
      // young-generation collection, and on the HTTP bench those come about 1,500 requests (6,000 bursts) apart,
      // so a list used for RING_BURSTS bursts is almost never there for two; a list made for every burst (as
      // before) allocated 150 bytes a burst.
      const dropped = this.#count > 0;
      this.#count = 0;
      this.#head = 0;
      this.#draining = false;
      if (dropped || ++this.#ringBursts === RING_BURSTS) {
        this.#ringBursts = 0;
        this.#bFrames = this.#emptyRing.slice();
      }
    }
  };

  /** `lo`: the frame comes back in on the same interface, through the backlog like any short link. */
  loopback(iface: Iface, frame: EthernetFrame): void {
    this.#enqueue(this.now(), iface, frame.dst, frame.src, frame.payload);
  }

  /** `loopback` with the frame's fields as arguments. */
  loopbackSend(iface: Iface, dst: Mac, src: Mac, payload: FramePayload): void {
    this.#enqueue(this.now(), iface, dst, src, payload);
  }

  /** A frame arrives on an interface. */
  receive(iface: Iface, frame: EthernetFrame): void {
    this.#input(iface, frame.dst, frame.src, frame.payload);
  }

  /** `receive` with the frame's fields as arguments. */
  #input(iface: Iface, dst: Mac, src: Mac, payload: FramePayload): void {
    // A namespace this network registered is in the map until removed (the flag saves a string-keyed lookup per
    // frame); otherwise ask the map, as another namespace may have taken the id since.
    if (iface.up === false || (iface.ns.attached === false && !this.namespaces.has(iface.ns.id))) return;
    if (iface.guard !== null && this.#guardDropsInbound(iface, dst, src, payload)) return;
    const isArp = 'kind' in payload && payload.kind === 'arp';
    // Conntrack state is per namespace: a packet entering another namespace starts untracked there (a packet
    // looping back through lo keeps it).
    if (!isArp && iface.isLoopback === false) (payload as Ipv4Packet).nfct = undefined;
    if (this.#capturing !== 0) this.captureFrame(iface, dst, src, payload, 'in');
    const reqId = isArp ? 0 : (payload as Ipv4Packet).reqId;
    const tracing = this.traces.wants(reqId);
    if (tracing) this.#traceReceived(iface, dst, src, payload, reqId);
    const master = iface.master;
    if (master !== null) {
      this.#bridgeInput(master, iface, dst, src, payload, reqId, tracing);
      return;
    }
    if (dst !== iface.mac && dst !== BROADCAST_MAC) {
      if (tracing) this.#traceNotForIface(iface, dst, payload, reqId);
      return;
    }
    iface.ns.frameInput(iface, src, payload, tracing);
  }

  /** A security group at the ENI: outside the host, before its NIC (tcpdump on the node never sees the drop). */
  #guardDropsInbound(iface: Iface, dst: Mac, src: Mac, payload: FramePayload): boolean {
    const why = iface.guard!.inbound(iface, { dst, src, payload }, this.now());
    if (why === null) return false;
    const rid = reqIdOf(payload);
    if (this.traces.wants(rid)) this.traces.record({ time: this.now(), reqId: rid, pid: pidOf(payload), netns: iface.ns.id, kind: 'drop', iface: iface.name, dir: 'in', packet: formatFrameLine(payload), detail: why });
    return true;
  }

  #traceReceived(iface: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number): void {
    this.traces.record({ time: this.now(), reqId, pid: pidOf(payload), netns: iface.ns.id, kind: 'recv', iface: iface.name, dir: 'in', packet: formatFrameLine(payload), detail: `${formatMac(src)} > ${formatMac(dst)}` });
  }

  #traceNotForIface(iface: Iface, dst: Mac, payload: FramePayload, reqId: number): void {
    this.traces.record({ time: this.now(), reqId, pid: pidOf(payload), netns: iface.ns.id, kind: 'drop', iface: iface.name, packet: formatFrameLine(payload), detail: `frame for ${formatMac(dst)}, not this interface (${formatMac(iface.mac)})` });
  }

  /** A frame entered a bridge from a port: learn, then deliver up, forward or flood. */
  #bridgeInput(bridge: Iface, port: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number, tracing: boolean): void {
    // Refresh a known MAC's entry in place (no record per frame); Map order is unchanged either way. The port is
    // stored only when it changed (a MAC moved): a store of an object is followed by the write barrier's checks.
    if (port.fdbSrcMac === src && port.fdbSrcGeneration === bridge.fdbGeneration) {
      const known = port.fdbSrcEntry!;
      if (known.port !== port) known.port = port;
      known.updatedAt = this.now();
    } else fdbLearn(bridge, port, src, this.now());
    const isArp = 'kind' in payload && payload.kind === 'arp';
    if (dst === bridge.mac || dst === BROADCAST_MAC) {
      if (dst === BROADCAST_MAC) this.#flood(bridge, port, dst, src, payload, reqId);
      if (tracing) this.#traceBridgeUp(bridge, dst, payload, reqId);
      if (this.#capturing !== 0) this.#captureBridgeIn(bridge, dst, src, payload, isArp);
      bridge.ns.frameInput(bridge, src, payload, tracing);
      // Dropped before routing (PREROUTING): it was still seen on the bridge.
      this.settleBridgeCapture(undefined);
      this.#bridgeOutSuppressed = null;
      return;
    }
    const entry = fdbLookup(bridge, port, dst);
    if (entry !== undefined && isPortOf(bridge, entry.port)) {
      if (entry.port === port && port.hairpin === false) return;
      if (tracing) this.#traceFdbHit(bridge, dst, payload, reqId, entry.port);
      if (!isArp && bridge.ns.bridgeNetfilter(bridge, payload as Ipv4Packet) === false) return;
      this.#portOut(entry.port, dst, src, payload, reqId);
      return;
    }
    if (tracing) this.#bridgeHop(bridge, payload, reqId, `unknown destination ${formatMac(dst)}: flooded`);
    this.#flood(bridge, port, dst, src, payload, reqId);
  }

  /** A frame for the bridge itself, or a broadcast, goes up to the bridge's IP stack: shown on the bridge. */
  #captureBridgeIn(bridge: Iface, dst: Mac, src: Mac, payload: FramePayload, isArp: boolean): void {
    if (!isArp && bridge.ns.captures.length > 0) {
      // br_netfilter: a frame that the bridge's own IP layer only DNATs and sends back out of the same bridge
      // never shows on the bridge in a capture. The decision comes after routing (`settleBridgeCapture`).
      this.#bridgeIn = { bridge, frame: snapshot(dst, src, payload), time: this.now() };
    } else this.captureFrame(bridge, dst, src, payload, 'in');
  }

  #traceBridgeUp(bridge: Iface, dst: Mac, payload: FramePayload, reqId: number): void {
    this.#bridgeHop(bridge, payload, reqId, dst === BROADCAST_MAC ? `broadcast: flooded to the other ports and passed up to ${bridge.name}` : `for ${bridge.name} itself: passed up to the IP stack`);
  }

  #traceFdbHit(bridge: Iface, dst: Mac, payload: FramePayload, reqId: number, port: Iface): void {
    this.#bridgeHop(bridge, payload, reqId, `FDB: ${formatMac(dst)} is on port ${port.name}`);
  }

  /** The bridge's own IP stack transmits (routed out of cni0): FDB lookup or flood. */
  bridgeOutput(bridge: Iface, frame: EthernetFrame, reqId: number): void {
    this.bridgeSend(bridge, frame.dst, frame.src, frame.payload, reqId);
  }

  /** `bridgeOutput` with the frame's fields as arguments. */
  bridgeSend(bridge: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number): void {
    if (dst !== BROADCAST_MAC) {
      const entry = fdbLookup(bridge, bridge, dst);
      if (entry !== undefined && isPortOf(bridge, entry.port)) {
        if (this.traces.wants(reqId)) this.#traceFdbHit(bridge, dst, payload, reqId, entry.port);
        this.#portOut(entry.port, dst, src, payload, reqId);
        return;
      }
    }
    this.#flood(bridge, null, dst, src, payload, reqId);
  }

  #flood(bridge: Iface, except: Iface | null, dst: Mac, src: Mac, payload: FramePayload, reqId: number): void {
    for (const p of bridge.ports!) if (p !== except) this.#portOut(p, dst, src, payload, reqId);
  }

  #portOut(port: Iface, dst: Mac, src: Mac, payload: FramePayload, reqId: number): void {
    if (port.up === false) return;
    if (this.#capturing !== 0) this.captureFrame(port, dst, src, payload, 'out');
    this.send(port, dst, src, payload, reqId);
  }

  #bridgeHop(bridge: Iface, payload: FramePayload, reqId: number, detail: string): void {
    this.traces.record({ time: this.now(), reqId, pid: pidOf(payload), netns: bridge.ns.id, kind: 'bridge', iface: bridge.name, packet: formatFrameLine(payload), detail });
  }

  // ---------------------------------------------------------------- captures

  /** Hand a frame to the namespace's live captures (tcpdump); free when nobody captures. */
  capture(iface: Iface, frame: EthernetFrame, dir: 'in' | 'out'): void {
    if (this.#capturing === 0) return;
    this.captureFrame(iface, frame.dst, frame.src, frame.payload, dir);
  }

  /** Whether any capture is attached anywhere (callers skip `captureFrame` when not). */
  get capturing(): boolean {
    return this.#capturing !== 0;
  }

  /** `capture` with the frame's fields as arguments. */
  captureFrame(iface: Iface, dst: Mac, src: Mac, payload: FramePayload, dir: 'in' | 'out'): void {
    if (this.#capturing === 0) return;
    const sinks = iface.ns.captures;
    if (sinks.length === 0) return;
    let d: 'In' | 'Out' | 'P' | 'B' | 'M' = 'Out';
    if (dir === 'in') d = dst === BROADCAST_MAC ? 'B' : dst === iface.mac || iface.kind === 'loopback' ? 'In' : 'P';
    const snap = snapshot(dst, src, payload);
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
    // Every routed packet asks; only a captured bridge leaves one pending (the rest apart, so that this inlines).
    if (this.#bridgeIn !== null) this.#settlePending(this.#bridgeIn, outIface);
  }

  #settlePending(pending: { bridge: Iface; frame: EthernetFrame; time: number }, outIface: string | undefined): void {
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

/**
 * Frames crossing links of one latency too slow for the backlog (the internet's 2 ms, a netem delay): each
 * arrives as its own scheduler task, as a frame on a slow cable would. The frames wait here in sending order, and
 * every task runs the same `arrive`, which takes the oldest: tasks with one delay run in the order they were
 * scheduled (now never goes back), so the frame a task takes is the one it was scheduled for. This saves a frame
 * record and a closure per frame (the LB path sends 40 frames a request over the internet links).
 */
class SlowLink {
  /**
   * The frames in flight, four entries a slot as in the backlog's ring (interface, destination MAC, source MAC,
   * payload): one list to load and bounds-check per frame where four parallel lists took four. A list that stays
   * young (see `Network.#bFrames`): a packet is a young object, and storing it into a list that lives on makes the
   * write barrier record the slot (its slow path, ~50 instructions a store: one per frame carried). The list is
   * replaced by a copy (every slot null: delivered) every `RING_BURSTS` times the link empties, long before a second
   * young-generation collection could promote it.
   */
  #frames: BacklogEntry[] = emptyRing(SLOW_LINK_SLOTS);
  #emptied = 0;
  #head = 0;
  #tail = 0;

  constructor(
    readonly latencyMs: number,
    readonly scheduler: Scheduler,
    readonly input: (iface: Iface, dst: Mac, src: Mac, payload: FramePayload) => void,
  ) {}

  /** Put the frame on the cable: it arrives at `iface` after the latency. */
  carry(iface: Iface, dst: Mac, src: Mac, payload: FramePayload): void {
    const at = this.#tail++ << 2;
    if (at === this.#frames.length) this.#grow();
    const frames = this.#frames;
    frames[at] = iface;
    frames[at + 1] = dst;
    frames[at + 2] = src;
    frames[at + 3] = payload;
    this.scheduler.after(this.latencyMs, this.#arrive);
  }

  /** More frames in flight than the list has slots: twice the slots (stores stay within the list's length). */
  #grow(): void {
    const frames = this.#frames, bigger = emptyRing(frames.length >> 1);
    for (let i = 0; i < frames.length; i++) bigger[i] = frames[i]!;
    this.#frames = bigger;
  }

  readonly #arrive = (): void => {
    const frames = this.#frames, at = this.#head++ << 2;
    const iface = frames[at] as Iface, dst = frames[at + 1] as Mac, src = frames[at + 2] as Mac, payload = frames[at + 3] as FramePayload;
    frames[at + 1] = frames[at + 2] = frames[at + 3] = null; // delivered: the frame is no longer reachable from here
    if (this.#head === this.#tail) {
      this.#head = this.#tail = 0;
      if (++this.#emptied === RING_BURSTS) {
        this.#emptied = 0;
        this.#frames = frames.slice();
      }
    }
    this.input(iface, dst, src, payload);
  };
}

/** Frames in flight a slow link has slots for at first (it doubles when full). */
const SLOW_LINK_SLOTS = 8;

/**
 * The bridge's FDB entry for `mac`, through a one-entry memo kept where the frame entered: on the ingress port for
 * a bridged frame (what comes in by one port mostly goes out by the same other one: node A's traffic to node B,
 * while a memo on the bridge would flip between the two directions), on the bridge for its own stack's frames.
 */
function fdbLookup(bridge: Iface, from: Iface, mac: Mac): FdbEntry | undefined {
  if (from.fdbDstGeneration === bridge.fdbGeneration) {
    if (from.fdbDstMac === mac) {
      if (from.fdbDstLast !== 0) from.fdbDstLast = 0;
      return from.fdbDstEntry;
    }
    if (from.fdbDstMac2 === mac) {
      if (from.fdbDstLast !== 1) from.fdbDstLast = 1;
      return from.fdbDstEntry2;
    }
  }
  return fdbDstMiss(bridge, from, mac);
}

/** `fdbLookup` for a MAC neither memo holds: the table's answer replaces the memo used less recently. */
function fdbDstMiss(bridge: Iface, from: Iface, mac: Mac): FdbEntry | undefined {
  const entry = bridge.fdb!.get(mac);
  if (from.fdbDstGeneration !== bridge.fdbGeneration) {
    from.fdbDstGeneration = bridge.fdbGeneration;
    from.fdbDstMac2 = -1;
    from.fdbDstEntry2 = undefined;
    from.fdbDstLast = 1;
  }
  if (from.fdbDstLast === 1) {
    from.fdbDstMac = mac;
    from.fdbDstEntry = entry;
    from.fdbDstLast = 0;
  } else {
    from.fdbDstMac2 = mac;
    from.fdbDstEntry2 = entry;
    from.fdbDstLast = 1;
  }
  return entry;
}

/** `#bridgeInput`'s learning of a source MAC that is not the port's last one: refresh or add its entry. */
function fdbLearn(bridge: Iface, port: Iface, src: Mac, now: number): void {
  const known = bridge.fdb!.get(src);
  if (known !== undefined) {
    known.port = port;
    known.updatedAt = now;
    port.fdbSrcMac = src;
    port.fdbSrcEntry = known;
    port.fdbSrcGeneration = bridge.fdbGeneration;
  } else {
    bridge.fdb!.set(src, { port, updatedAt: now });
    bridge.fdbGeneration++;
  }
}

/**
 * Whether the port an FDB entry names is still one of the bridge's ports. An entry is learned from a frame that
 * came in by a port of the bridge, and removing a port deletes its entries, so a port that still names the bridge
 * as its master is one: the field answers without a hash lookup per frame. Only a port moved to another bridge
 * since (it stays in the old bridge's set) needs the set.
 */
function isPortOf(bridge: Iface, port: Iface): boolean {
  return port.master === bridge || bridge.ports!.has(port);
}

/** An entry of the backlog's frame ring (see `Network.#bFrames`). */
type BacklogEntry = Iface | Mac | FramePayload | null;

/**
 * A frame ring of `slots` frames (four entries each) with every entry null, made with push so that its elements
 * are of the packed kind (a load needs no check for holes) and so are its copies (`slice`).
 */
function emptyRing(slots: number): BacklogEntry[] {
  const ring: BacklogEntry[] = [];
  for (let i = 0; i < slots * 4; i++) ring.push(null);
  return ring;
}

/** The frame as captures keep it: a copy of the IP header (later NAT on the packet does not change it). */
function snapshot(dst: Mac, src: Mac, payload: FramePayload): EthernetFrame {
  return { dst, src, payload: 'kind' in payload && payload.kind === 'arp' ? payload : clonePacket(payload as Ipv4Packet) };
}

function pidOf(p: FramePayload): number {
  return 'kind' in p && p.kind === 'arp' ? 0 : (p as Ipv4Packet).pid;
}

function reqIdOf(p: FramePayload): number {
  return 'kind' in p && p.kind === 'arp' ? 0 : (p as Ipv4Packet).reqId;
}
