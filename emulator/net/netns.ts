/**
 * A network namespace: interfaces, addresses, routes, the neighbour (ARP) table, netfilter, sockets — and the IPv4
 * stack that moves packets through them in the kernel's order:
 *
 *   receive:  NIC → [static NAT] → PREROUTING → route → local? INPUT → socket
 *                                                      : FORWARD → POSTROUTING → neighbour → NIC
 *   send:     socket → route → OUTPUT → (re-route if DNAT) → POSTROUTING → neighbour → NIC
 *
 * Netfilter is reached only through `NetfilterNamespace.hook`; the stack never reads rules.
 */
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
  type NetfilterNamespace,
  type NfHook,
  type NfHookContext,
  type NfVerdict,
  type RejectWith,
} from '../netfilter/hook-api';
import { BROADCAST_MAC, broadcastOf, formatIpv4, formatMac, networkOf, type Ipv4, type Mac } from './addr';
import { Iface, type IfaceKind } from './iface';
import type { Network } from './network';
import { ARP_REPLY, ARP_REQUEST, type ArpPacket } from './packet/arp';
import type { EthernetFrame } from './packet/ethernet';
import type { StreamData } from './packet/http';
import {
  ICMP_DEST_UNREACH,
  ICMP_ECHO_REPLY,
  ICMP_ECHO_REQUEST,
  ICMP_HOST_ANO,
  ICMP_HOST_UNREACH,
  ICMP_NET_ANO,
  ICMP_NET_UNREACH,
  ICMP_PKT_FILTERED,
  ICMP_PORT_UNREACH,
  ICMP_PROT_UNREACH,
  ICMP_TIME_EXCEEDED,
  icmpIsError,
  type IcmpMessage,
} from './packet/icmp';
import { clonePacket, packetOf, type Ipv4Packet } from './packet/ipv4';
import type { TcpSegment } from './packet/tcp';
import type { DnsMessage } from './packet/dns';
import type { RawData } from './packet/http';
import { formatRoute, routeRecord, RouteTable, type Route } from './routing';
import { dropPrefix, type TaskHandle } from '../core/scheduler';
import { newTcpConnection, type TcpConnection, type TcpError, type TcpEvents, type TcpSocket, type TimeWaitSocket } from './tcp-socket';
import { formatFrameLine, formatTuple } from './format';

export type NeighState = 'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'PERMANENT';

// Neighbour states as the kernel numbers them (NUD_*, include/uapi/linux/neighbour.h): one bit each, so the
// per-packet question "is there a MAC to send to?" is one test of NUD_VALID, and a state is a small integer the
// engine compares in one instruction (a state name is a string it must first check is internalized, per read).
const NUD_INCOMPLETE = 0x01;
const NUD_REACHABLE = 0x02;
const NUD_STALE = 0x04;
const NUD_DELAY = 0x08;
const NUD_PROBE = 0x10;
const NUD_FAILED = 0x20;
const NUD_PERMANENT = 0x80;
/** The states with a link-layer address to send to: every one but INCOMPLETE and FAILED. */
const NUD_VALID = NUD_PERMANENT | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;

function nudName(nud: number): NeighState {
  switch (nud) {
    case NUD_INCOMPLETE: return 'INCOMPLETE';
    case NUD_REACHABLE: return 'REACHABLE';
    case NUD_STALE: return 'STALE';
    case NUD_DELAY: return 'DELAY';
    case NUD_PROBE: return 'PROBE';
    case NUD_FAILED: return 'FAILED';
    default: return 'PERMANENT';
  }
}

/**
 * A neighbour (ARP) entry. Its fields are declared without initializers, so each starts as `undefined` and the
 * engine keeps them as plain references: `mac` (48 bits, beyond small-integer range) stays the one number object
 * it was stored as. A field that only ever held numbers would be kept unboxed, and every packet sent to the
 * neighbour would box its MAC anew to pass it down to the link layer (16 bytes a packet).
 */
export class NeighEntry {
  readonly ip: Ipv4;
  readonly iface: Iface;
  mac: Mac;
  /** The state, a NUD_* bit (`state` names it). */
  nud: number;
  confirmedAt: number;
  reachableMs = 0;
  probes = 0;
  queue: Ipv4Packet[] | null;
  timer: { id: number; due: number } | undefined = undefined;

  constructor(ip: Ipv4, iface: Iface, mac: Mac, nud: number, confirmedAt: number, queue: Ipv4Packet[] | null) {
    this.ip = ip;
    this.iface = iface;
    this.mac = mac;
    this.nud = nud;
    this.confirmedAt = confirmedAt;
    this.queue = queue;
  }

  /** The state as `ip neigh` shows it. */
  get state(): NeighState {
    return nudName(this.nud);
  }
}

/**
 * What the stack decides about one destination address before a packet to it leaves: whether the address is local,
 * its route, the route's device, the next hop and whether that is a broadcast address there, and the neighbour
 * entry of the next hop. See `NetNamespace.#dst`.
 */
class Destination {
  readonly addr: Ipv4;
  readonly local: boolean;
  /** The route (one to lo for a local address), or undefined: no route. */
  readonly route: Route | undefined;
  /** `route.type === 'unicast'`: the packet can go. */
  readonly unicast: boolean;
  /** The route's device, when the namespace has it. */
  readonly iface: Iface | undefined;
  /** The gateway, or the address itself when on-link. */
  readonly nexthop: Ipv4;
  /** The next hop is a broadcast address of one of `iface`'s subnets (never asked for lo). */
  readonly broadcast: boolean;
  /** The neighbour table's entry for (`iface`, `nexthop`), as it was at the table's generation `neighGen`. */
  neigh: NeighEntry | undefined = undefined;
  neighGen = -1;

  constructor(addr: Ipv4, local: boolean, route: Route | undefined, iface: Iface | undefined) {
    this.addr = addr;
    this.local = local;
    this.route = route;
    this.unicast = route !== undefined && route.type === 'unicast';
    this.iface = iface;
    this.nexthop = route !== undefined && route.via !== undefined ? route.via : addr;
    this.broadcast = iface !== undefined && iface.isLoopback === false && (this.nexthop === 0xffffffff || isBroadcastOn(iface, this.nexthop));
  }
}

export interface UdpMessage {
  readonly src: Ipv4;
  readonly sport: number;
  /** The address the datagram was sent to (after DNAT: the pod's own address). */
  readonly dst: Ipv4;
  readonly dport: number;
  readonly data: DnsMessage | RawData;
  readonly reqId: number;
  readonly ttl: number;
}

/**
 * A datagram as a UDP socket receives it: a class rather than an object literal, so that it is built without the
 * allocation-site record a literal carries while the engine decides whether to allocate it in the old generation
 * (four a request on the HTTP bench: 80 bytes a request less, heap sampling).
 */
class Datagram implements UdpMessage {
  constructor(
    readonly src: Ipv4,
    readonly sport: number,
    readonly dst: Ipv4,
    readonly dport: number,
    readonly data: DnsMessage | RawData,
    readonly reqId: number,
    readonly ttl: number,
  ) {}
}

/** An ICMP error delivered to the socket whose packet caused it. */
export interface SocketError {
  readonly type: number;
  readonly code: number;
  /** Who sent the error (a router, the destination, or this host itself for a failed ARP). */
  readonly from: Ipv4;
  /** The quoted packet (un-NATed by conntrack when the error passed netfilter). */
  readonly original: Ipv4Packet;
  readonly reqId: number;
  readonly ttl: number;
}

const NO_SEND_OPTIONS: SendOptions = {};

export interface SendOptions {
  readonly reqId?: number;
  readonly ttl?: number;
  readonly df?: boolean;
  /** Source address (else chosen by the route). */
  readonly src?: Ipv4;
}

export class UdpSocket {
  closed = false;
  constructor(
    readonly ns: NetNamespace,
    readonly addr: Ipv4,
    readonly port: number,
    public onMessage: (msg: UdpMessage, sock: UdpSocket) => void,
    public onError: ((err: SocketError, sock: UdpSocket) => void) | null,
    /**
     * The owner's state, for handlers shared by many sockets (the kernel's `sk_user_data`): a DNS exchange passes
     * itself and module-level handlers instead of two closures per socket.
     */
    readonly userData: unknown = null,
  ) {}

  /** Send a datagram; returns false when there is no route (ENETUNREACH). */
  send(dst: Ipv4, dport: number, data: DnsMessage | RawData, opts: SendOptions = {}): boolean {
    return this.ns.sendUdp(this, dst, dport, data, opts);
  }

  /**
   * Answer a received datagram: to its source, from the address it reached (IP_PKTINFO; after DNAT the reply leaves
   * from the pod's address and conntrack un-DNATs it), in its trace. `send(msg.src, msg.sport, data, { reqId:
   * msg.reqId, src: msg.dst })` without an options record per reply.
   */
  reply(msg: UdpMessage, data: DnsMessage | RawData): boolean {
    return this.ns.replyUdp(this, msg, data);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ns.udpSockets.delete(this.port);
  }
}

export interface EchoReply {
  readonly from: Ipv4;
  readonly seq: number;
  readonly ttl: number;
  readonly reqId: number;
}

/** A ping socket: echo requests out, replies and errors in (matched by echo id). */
export class PingSocket {
  closed = false;
  constructor(
    readonly ns: NetNamespace,
    readonly id: number,
    public onReply: (r: EchoReply) => void,
    public onError: (e: SocketError & { seq: number }) => void,
  ) {}

  send(dst: Ipv4, seq: number, opts: SendOptions & { dataLength?: number } = {}): boolean {
    const l4: IcmpMessage = { kind: 'icmp', id: this.id, seq, dataLength: opts.dataLength ?? 56, original: null, quotedLength: 0 };
    const p = this.ns.newPacket(opts.src ?? 0, dst, IPPROTO_ICMP, this.id, this.id, 0, l4, opts);
    p.icmpType = ICMP_ECHO_REQUEST;
    return this.ns.output(p);
  }

  close(): void {
    this.closed = true;
    this.ns.pingSockets.delete(this.id);
  }
}

export interface TcpListener {
  readonly addr: Ipv4;
  readonly port: number;
  readonly backlog: number;
  /** Called for each accepted connection (handshake complete); returns the connection's event handlers. */
  readonly accept: (conn: TcpConnection) => TcpEvents;
  /** Process name for `ss -p`. */
  readonly process?: string;
  close(): void;
}

export interface ConnectOptions {
  readonly dst: Ipv4;
  readonly dport: number;
  readonly events: TcpEvents;
  readonly reqId?: number;
  readonly src?: Ipv4;
  readonly sport?: number;
}

const ACCEPT_ALL = { verdict: { kind: 'accept' as const }, steps: [] };

/** Netfilter with no rules: every hook accepts. Used until a namespace gets a real ruleset. */
export const passThroughNetfilter: NetfilterNamespace = {
  hook: () => ACCEPT_ALL,
};

/** Static 1:1 NAT of a cloud internet gateway: public ↔ private, on the gateway's internet-facing interface. */
export interface StaticNat {
  readonly outsideIface: string;
  readonly publicToPrivate: AddressMap;
  readonly privateToPublic: AddressMap;
}

/**
 * A map from address to address that counts its changes (`version`), so that a lookup can be remembered until the
 * next one (as `AddressSet`). The internet gateway's 1:1 NAT asks it for every packet crossing it (ten a request on
 * the LB path), keyed by addresses beyond 2^31, which the map hashes as number objects (about 80 instructions a
 * lookup); `get` answers the last key again from a memo.
 */
export class AddressMap extends Map<Ipv4, Ipv4> {
  version = 0;
  #key = -1;
  #value: Ipv4 | undefined = undefined;
  #memoVersion = -1;

  override get(key: Ipv4): Ipv4 | undefined {
    if (key === this.#key && this.#memoVersion === this.version) return this.#value;
    return this.#miss(key);
  }

  #miss(key: Ipv4): Ipv4 | undefined {
    const value = super.get(key);
    this.#key = key;
    this.#value = value;
    this.#memoVersion = this.version;
    return value;
  }

  override set(key: Ipv4, value: Ipv4): this {
    this.version++;
    return super.set(key, value);
  }

  override delete(key: Ipv4): boolean {
    this.version++;
    return super.delete(key);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}

const REAPER_TASK = { background: true, label: 'time-wait' };
/** Deadlines the TIME-WAIT list makes room for at its first (it doubles when full; most namespaces never use it). */
const TIME_WAIT_SLOTS = 64;
/** Answers `isLocal` remembers. */
const LOCAL_MEMO_SLOTS = 4;
/** Destinations `#dst` keeps (a power of two). */
const DST_SLOTS = 4;
const ARP_RETRANS_MS = 1000;
const ARP_PROBES = 3;
const DELAY_PROBE_MS = 5000;

export class NetNamespace {
  readonly ifaces = new Map<string, Iface>();
  readonly routes = new RouteTable();
  ipForward = false;
  #netfilter: NetfilterNamespace = passThroughNetfilter;
  /** Whether `#netfilter` is a real ruleset (not `passThroughNetfilter`): see `#hookRuns`. */
  #hasRules = false;
  /**
   * Rules the host itself carries at boot (docker's MASQUERADE on the workstation), in iptables-restore form;
   * loaded into the namespace's netfilter when one that can restore rules is installed.
   */
  bootRules: string | undefined;

  get netfilter(): NetfilterNamespace {
    return this.#netfilter;
  }

  set netfilter(nf: NetfilterNamespace) {
    this.#netfilter = nf;
    this.#hasRules = nf !== passThroughNetfilter;
    const restorable = nf as NetfilterNamespace & { restore?(text: string, opts: { noflush: boolean }): void };
    if (this.bootRules && typeof restorable.restore === 'function') restorable.restore(this.bootRules, { noflush: true });
  }
  staticNat: StaticNat | null = null;
  /** `net.bridge.bridge-nf-call-iptables`: bridged IPv4 frames go through netfilter (see `bridgeNetfilter`). */
  bridgeNfCallIptables = true;
  /** All local addresses (every interface's), for INPUT delivery and `--dst-type LOCAL`. */
  readonly localAddrs = new AddressSet();
  readonly neigh = new Map<number, NeighEntry>();
  /**
   * TCP connections (and TIME-WAIT records) by local port, then by remote ip*65536+port. A port with one
   * connection (every client connection's ephemeral port) holds it directly: no map is built and dropped per
   * connection. A port with a few holds them in a list, in the order they came, scanned: once TIME-WAIT records
   * hold most ephemeral ports (60 s of them: tens of thousands on the HTTP bench, whose clock moves 1 ms a request),
   * most new client connections share a port with one or two, and a map per port would be built from entries and
   * keyed by boxed numbers (the keys pass 2^31). A port with more than `PORT_LIST_MAX` holds a map by key. A
   * listening port whose last connection closed keeps its entry, as null (see `#releasePort`).
   */
  readonly #conns = new Map<number, PortConns>();
  /** The port last added to `#conns` as a new key, while it is the newest key there; else -1. */
  #newestConnPort = -1;

  /** The connections by local port, then by remote ip*65536+port, in creation order (for `ss`). */
  get tcpConns(): Map<number, Map<number, TcpSocket>> {
    const view = new Map<number, Map<number, TcpSocket>>();
    for (const [port, x] of this.#conns) {
      if (x === null) continue;
      view.set(port, x instanceof Map ? x : Array.isArray(x) ? new Map(x.map((c) => [connKey(c), c])) : new Map([[connKey(x), x]]));
    }
    return view;
  }

  /** The connection on local port `port` with the remote whose ip*65536+port is `key`. */
  #conn(port: number, key: number): TcpSocket | undefined {
    const x = this.#conns.get(port);
    if (x === undefined || x === null) return undefined;
    if (Array.isArray(x)) {
      const i = indexOfKey(x, key);
      return i >= 0 ? x[i] : undefined;
    }
    if (x instanceof Map) return x.get(key);
    return connKey(x) === key ? x : undefined;
  }
  readonly tcpListeners = new Map<number, TcpListener>();
  readonly udpSockets = new UdpSocketTable();
  readonly pingSockets = new Map<number, PingSocket>();
  /** Live packet captures (tcpdump) in this namespace. */
  readonly captures: CaptureSink[] = [];
  /** Registered in its network's namespace map (set by `Network.createNamespace`, cleared on removal). */
  attached = false;
  readonly #ctx: {
    now: number;
    trace: boolean;
    isLocalAddress: (a: number) => boolean;
    ifaceAddress: (iface: string, dst: number) => number | undefined;
  };
  #ipId: number;

  constructor(
    readonly net: Network,
    /** Namespace id = the host id (`node/worker-1`, `pod/default/web-…`). */
    readonly id: string,
    /** Name `ip` shows for the peer (`link-netns NAME`), when the namespace has one. */
    readonly displayName: string | undefined,
  ) {
    this.#ctx = {
      now: 0,
      trace: false,
      isLocalAddress: (a) => this.isLocal(a),
      ifaceAddress: (name, dst) => this.ifaceAddress(name, dst),
    };
    this.#ipId = net.rng.int(65536);
    this.addIface('lo', 'loopback', 0, 65536).addrs.push({ addr: 0x7f000001, prefix: 8 });
    this.localAddrs.add(0x7f000001);
  }

  // ---------------------------------------------------------------- configuration

  addIface(name: string, kind: IfaceKind, mac: Mac, mtu = 1500): Iface {
    if (this.ifaces.has(name)) throw new Error(`RTNETLINK answers: File exists (${name} in ${this.id})`);
    const iface = new Iface(this, kind === 'loopback' ? 1 : this.net.nextIfindex(), name, kind, mac, mtu);
    this.ifaces.set(name, iface);
    this.#forgetDevMemo();
    this.#forgetDsts();
    return iface;
  }

  removeIface(name: string): void {
    const iface = this.ifaces.get(name);
    if (!iface) return;
    for (const a of iface.addrs) this.localAddrs.delete(a.addr);
    this.routes.removeDev(name);
    for (const [k, e] of this.neigh) if (e.iface === iface) { this.net.scheduler.cancel(e.timer); this.neigh.delete(k); }
    this.#neighGen++;
    if (iface.master) {
      iface.master.ports!.delete(iface);
      for (const [mac, f] of iface.master.fdb!) if (f.port === iface) iface.master.fdb!.delete(mac);
      iface.master.fdbGeneration++;
    }
    this.ifaces.delete(name);
    this.#forgetDevMemo();
    this.#forgetDsts();
    iface.up = false;
  }

  /** `ip addr add A/P dev D`: also adds the connected route (`proto kernel scope link src A`). */
  addAddr(ifaceName: string, addr: Ipv4, prefix: number): void {
    const iface = this.#iface(ifaceName);
    iface.addrs.push({ addr, prefix });
    this.localAddrs.add(addr);
    if (prefix < 32) {
      this.routes.replace({ dst: networkOf(addr, prefix), prefix, type: 'unicast', dev: ifaceName, src: addr, proto: 'kernel', scope: 'link' });
    }
  }

  addRoute(route: Omit<Route, 'proto' | 'scope'> & Partial<Pick<Route, 'proto' | 'scope'>>): void {
    this.routes.replace({ proto: 'static', scope: route.via === undefined && route.type === 'unicast' ? 'link' : 'global', ...route });
  }

  iface(name: string): Iface | undefined {
    return this.ifaces.get(name);
  }

  // Routes name their device; the per-packet path resolves the name through a two-entry memo (a node forwards
  // between cni0 and eth0, in turn) instead of a string-keyed map lookup per packet. A hit leaves the entries where
  // they are (alternating between the two would otherwise swap them on every other packet); a miss drops the one
  // stored earlier.
  #devA = '';
  #ifaceA: Iface | undefined = undefined;
  #devB = '';
  #ifaceB: Iface | undefined = undefined;

  #forgetDevMemo(): void {
    this.#devA = this.#devB = '';
    this.#ifaceA = this.#ifaceB = undefined;
  }

  /** `ifaces.get(name)` through the memo. */
  #dev(name: string): Iface | undefined {
    if (name === this.#devA) return this.#ifaceA;
    if (name === this.#devB) return this.#ifaceB;
    return this.#devMiss(name);
  }

  /** `#dev`'s lookup and memo update, apart: `#dev` is inlined into the per-packet path, and counts there. */
  #devMiss(name: string): Iface | undefined {
    const i = this.ifaces.get(name);
    if (i === undefined) return undefined;
    this.#devB = this.#devA;
    this.#ifaceB = this.#ifaceA;
    this.#devA = name;
    this.#ifaceA = i;
    return i;
  }

  #iface(name: string): Iface {
    const i = this.ifaces.get(name);
    if (!i) throw new Error(`Cannot find device "${name}" in ${this.id}`);
    return i;
  }

  isLocal(addr: Ipv4): boolean {
    // Every packet asks this once or twice, and a node asks about the few addresses a request involves (the pods
    // it forwards between, both ways), in turn. The last answers are kept while the set is unchanged, newest
    // first, the oldest dropped on a miss (public addresses are not small integers: hashing them costs).
    if (this.localAddrs.version === this.#localMemoVersion) {
      const addrs = this.#localMemoAddrs;
      for (let i = 0; i < LOCAL_MEMO_SLOTS; i++) if (addrs[i] === addr) return this.#localMemoAnswers[i] === 1;
    }
    return this.#isLocalMiss(addr);
  }

  /** `isLocal` when the memo has no answer: the set asked, the answer remembered (apart, so that `isLocal` inlines). */
  #isLocalMiss(addr: Ipv4): boolean {
    const addrs = this.#localMemoAddrs, answers = this.#localMemoAnswers;
    if (this.localAddrs.version !== this.#localMemoVersion) {
      addrs.fill(-1);
      this.#localMemoVersion = this.localAddrs.version;
    }
    const local = this.#isLocalAddr(addr);
    for (let i = LOCAL_MEMO_SLOTS - 1; i > 0; i--) {
      addrs[i] = addrs[i - 1]!;
      answers[i] = answers[i - 1]!;
    }
    addrs[0] = addr;
    answers[0] = local ? 1 : 0;
    return local;
  }

  /** Whether `addr` is one of the namespace's addresses or in 127.0.0.0/8 (what `isLocal` answers, unremembered). */
  #isLocalAddr(addr: Ipv4): boolean {
    return this.localAddrs.has(addr) || addr >>> 24 === 127;
  }

  readonly #localMemoAddrs = new Float64Array(LOCAL_MEMO_SLOTS).fill(-1);
  readonly #localMemoAnswers = new Uint8Array(LOCAL_MEMO_SLOTS);
  #localMemoVersion = -1;

  /** The address of `name` the kernel would pick to reach `dst` (inet_select_addr): same subnet first. */
  ifaceAddress(name: string, dst: Ipv4): Ipv4 | undefined {
    const iface = this.ifaces.get(name);
    if (!iface || iface.addrs.length === 0) return undefined;
    for (const a of iface.addrs) if (networkOf(a.addr, a.prefix) === networkOf(dst, a.prefix)) return a.addr;
    return iface.addrs[0]!.addr;
  }

  /** The first IPv4 address on an interface other than lo (what `hostname -i` prints). */
  primaryAddr(): Ipv4 | undefined {
    for (const i of this.ifaces.values()) if (i.kind !== 'loopback' && i.addrs[0]) return i.addrs[0].addr;
    return undefined;
  }

  // ---------------------------------------------------------------- destinations

  // Every packet routed asks the same things about its destination: is it local, which route, which device, which
  // next hop, is that a broadcast address, which neighbour entry. A node forwards both ways between the few pods a
  // request involves (client, its DNS server, the backend), so three or four destinations take turns: they are kept
  // in a fixed handful of slots (nothing keyed by address grows or thrashes). A slot is replaced by second chance
  // (CLOCK): a hit marks it, and a miss takes the first unmarked slot from a hand that unmarks the slots it passes.
  // A client pod asks about its DNS server, its own address and, per request, a new ClusterIP: the two it asks every
  // request stay marked, and each new ClusterIP replaces the last one. (Replacing the oldest stored let three
  // ClusterIPs in a row push out the DNS server and then the pod's own address: 1.67 misses a request, not 1.)
  // They hold while the local addresses and the routes are unchanged (their versions: an address that can be a
  // subnet's broadcast comes with its connected route) and the interfaces too (`#forgetDsts`); each keeps its
  // neighbour entry while the neighbour table is unchanged (`#neighGen`).
  readonly #dstAddrs = new Float64Array(DST_SLOTS).fill(-1);
  readonly #dsts: (Destination | undefined)[] = new Array<Destination | undefined>(DST_SLOTS).fill(undefined);
  /** The slots hit since the hand last passed them, one bit each (a small integer: a hit marks with one store). */
  #dstMarks = 0;
  /** The slot the next miss looks at first. */
  #dstHand = 0;
  #dstLocalVersion = -1;
  #dstRouteVersion = -1;
  /** Counts the changes of `neigh` (an entry set or deleted). */
  #neighGen = 0;

  /** What the stack decides about `addr` (kept: see above). */
  #dst(addr: Ipv4): Destination {
    if (this.localAddrs.version === this.#dstLocalVersion && this.routes.version === this.#dstRouteVersion) {
      const addrs = this.#dstAddrs;
      for (let i = 0; i < DST_SLOTS; i++) {
        if (addrs[i] === addr) {
          this.#dstMarks |= 1 << i;
          return this.#dsts[i]!;
        }
      }
    }
    return this.#dstMiss(addr);
  }

  /** `#dst` for an address not kept: decided and kept (apart, so that `#dst` inlines). */
  #dstMiss(addr: Ipv4): Destination {
    if (this.localAddrs.version !== this.#dstLocalVersion || this.routes.version !== this.#dstRouteVersion) {
      this.#forgetDsts();
      this.#dstLocalVersion = this.localAddrs.version;
      this.#dstRouteVersion = this.routes.version;
    }
    // The set itself, not `isLocal`: an address kept here is not asked again while kept, so its answer in `isLocal`'s
    // memo would only take a slot (a client pod's new ClusterIP every request).
    const local = this.#isLocalAddr(addr);
    const d = this.#destination(addr, local, local ? localRoute(addr) : this.routes.lookup(addr));
    let slot = this.#dstHand, marks = this.#dstMarks;
    while ((marks & (1 << slot)) !== 0) {
      marks &= ~(1 << slot);
      slot = (slot + 1) & (DST_SLOTS - 1);
    }
    this.#dstMarks = marks;
    this.#dstHand = (slot + 1) & (DST_SLOTS - 1);
    this.#dstAddrs[slot] = addr;
    const old = this.#dsts[slot];
    // The destination it replaces most often went by the same next hop (a pod's last ClusterIP, by its gateway):
    // its neighbour entry, found at the table's present generation, is this one's too (no lookup in the table).
    if (old !== undefined && old.neighGen === this.#neighGen && old.iface === d.iface && old.nexthop === d.nexthop) {
      d.neigh = old.neigh;
      d.neighGen = old.neighGen;
    }
    this.#dsts[slot] = d;
    return d;
  }

  #destination(addr: Ipv4, local: boolean, route: Route | undefined): Destination {
    return new Destination(addr, local, route, route !== undefined && route.dev !== undefined ? this.ifaces.get(route.dev) : undefined);
  }

  #forgetDsts(): void {
    this.#dstAddrs.fill(-1);
    this.#dsts.fill(undefined);
    this.#dstMarks = 0;
    this.#dstHand = 0;
  }

  // ---------------------------------------------------------------- routing

  /** Route decision for a destination: the matching route and the source address the kernel would pick. */
  routeTo(dst: Ipv4): { route: Route; src: Ipv4; local: boolean } | undefined {
    if (this.isLocal(dst)) {
      const route = localRoute(dst);
      return { route, src: dst, local: true };
    }
    const route = this.routes.lookup(dst);
    if (!route) return undefined;
    return { route, src: route.src ?? this.#selectSrc(route, dst), local: false };
  }

  #selectSrc(route: Route, dst: Ipv4): Ipv4 {
    const iface = route.dev !== undefined ? this.#dev(route.dev) : undefined;
    const target = route.via ?? dst;
    if (iface !== undefined) {
      const addrs = iface.addrs;
      // The same route towards the same next hop picks the same address while the list is unchanged (appended to
      // only): the per-packet path asks this for every packet a pod sends through its default route.
      if (this.#srcRoute === route && this.#srcTarget === target && this.#srcIface === iface && this.#srcAddrs === addrs.length) return this.#src;
      for (const a of addrs) {
        if (networkOf(a.addr, a.prefix) === networkOf(target, a.prefix)) return this.#noteSrc(route, target, iface, a.addr);
      }
      if (addrs[0]) return this.#noteSrc(route, target, iface, addrs[0].addr);
    }
    return this.primaryAddr() ?? 0;
  }

  #srcRoute: Route | undefined = undefined;
  #srcTarget = 0;
  #srcIface: Iface | undefined = undefined;
  #srcAddrs = 0;
  #src = 0;

  #noteSrc(route: Route, target: Ipv4, iface: Iface, src: Ipv4): Ipv4 {
    this.#srcRoute = route;
    this.#srcTarget = target;
    this.#srcIface = iface;
    this.#srcAddrs = iface.addrs.length;
    this.#src = src;
    return src;
  }

  // ---------------------------------------------------------------- packets out

  nextIpId(): number {
    this.#ipId = (this.#ipId + 1) & 0xffff;
    return this.#ipId;
  }

  newPacket(
    src: Ipv4,
    dst: Ipv4,
    proto: number,
    sport: number,
    dport: number,
    tcpFlags: number,
    l4: Ipv4Packet['l4'],
    opts: SendOptions = NO_SEND_OPTIONS,
    reqId: number = opts.reqId ?? 0,
  ): Ipv4Packet {
    const id = this.nextIpId();
    return packetOf(src, dst, proto, sport, dport, tcpFlags, 0, 0, l4, opts.ttl ?? 64, opts.df ?? true, id, 0, reqId, this.net.nextPid());
  }

  /**
   * Send a locally generated packet: route, OUTPUT, POSTROUTING, neighbour. `src` 0 = choose by route.
   * Returns false when there is no route (the caller reports ENETUNREACH).
   */
  output(p: Ipv4Packet): boolean {
    // The destination's kept record, and a source address only for a packet without one: a socket's packets carry
    // theirs (every TCP segment).
    let d = this.#dst(p.dst);
    const tracing = this.net.traces.wants(p.reqId);
    if (d.unicast === false) {
      const r = d.route;
      if (tracing) this.#hop(p, 'drop', { detail: r !== undefined ? `route type ${r.type}: ${formatRoute(r)}` : 'no route to host (Network is unreachable)' });
      return false;
    }
    const route = d.route!;
    if (p.src === 0) p.src = d.local === true ? p.dst : (route.src ?? this.#selectSrc(route, p.dst));
    if (tracing) this.#hop(p, 'route', { route: formatRoute(route), verdict: d.local === true ? 'local' : 'output' });
    p.inIface = '';
    p.outIface = route.dev ?? '';
    const dstBefore = p.dst;
    if (this.#hookRuns(tracing) && this.#hook('OUTPUT', p, tracing) === false) return true;
    if (p.dst !== dstBefore) {
      d = this.#dst(p.dst);
      if (d.unicast === false) {
        if (tracing) this.#hop(p, 'drop', { detail: 'no route after DNAT' });
        return true;
      }
      p.outIface = d.route!.dev ?? '';
      if (tracing) this.#hop(p, 'route', { route: formatRoute(d.route!), verdict: 'rerouted after DNAT' });
    }
    if (this.#hookRuns(tracing) && this.#hook('POSTROUTING', p, tracing) === false) return true;
    this.#neighOutput(d, p);
    return true;
  }


  // ---------------------------------------------------------------- packets in

  /** A frame arrived on one of this namespace's interfaces (not a bridge port). */
  l2Input(iface: Iface, frame: EthernetFrame): void {
    this.frameInput(iface, frame.src, frame.payload, this.net.traces.wants(frameReqId(frame)));
  }

  /**
   * `l2Input` with the frame's source MAC and payload as arguments (the network's path: no frame record).
   * `tracing` is `net.traces.wants(reqId)` for the frame's request (0 for ARP), as the network found it.
   */
  frameInput(iface: Iface, src: Mac, payload: EthernetFrame['payload'], tracing: boolean): void {
    if ('kind' in payload && payload.kind === 'arp') {
      this.#arpInput(iface, payload);
      return;
    }
    const p = payload as Ipv4Packet;
    // Traffic from a neighbour confirms it; only tracked while one of this interface's entries is in DELAY.
    if (iface.delayPending > 0) iface.noteRx(src, this.net.now());
    this.ipInput(iface, p, tracing);
  }

  /** `tracing` is `net.traces.wants(p.reqId)`. */
  ipInput(iface: Iface, p: Ipv4Packet, tracing: boolean): void {
    p.inIface = iface.name;
    p.outIface = '';
    const nat = this.staticNat;
    if (nat !== null && iface.name === nat.outsideIface) {
      const priv = nat.publicToPrivate.get(p.dst);
      if (priv !== undefined) {
        const before = tracing ? formatTuple(p) : '';
        p.dst = priv;
        if (tracing) this.#hop(p, 'nat', { natBefore: before, natAfter: formatTuple(p), detail: 'internet gateway: public IP → private IP (1:1 NAT)' });
      }
    }
    if (this.#hookRuns(tracing) && this.#hook('PREROUTING', p, tracing) === false) return;
    const d = this.#dst(p.dst);
    if (d.local === true || p.dst === 0xffffffff) {
      this.net.settleBridgeCapture(undefined);
      if (tracing) this.#hop(p, 'route', { verdict: 'local', detail: `${formatIpv4(p.dst)} is a local address: deliver (INPUT)` });
      if (this.#hookRuns(tracing) && this.#hook('INPUT', p, tracing) === false) return;
      this.#deliverLocal(p, tracing);
      return;
    }
    if (this.ipForward === false) {
      this.net.settleBridgeCapture(undefined);
      if (tracing) this.#hop(p, 'drop', { detail: `not for this host and ip_forward=0 in ${this.id}` });
      return;
    }
    const route = d.route;
    this.net.settleBridgeCapture(route !== undefined ? route.dev : undefined);
    if (route === undefined || d.unicast === false) {
      if (tracing) this.#hop(p, 'drop', { detail: route ? `${route.type} route ${formatRoute(route)}` : `no route to ${formatIpv4(p.dst)}` });
      if (!route || route.type === 'unreachable') this.icmpError(p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH);
      else if (route.type === 'prohibit') this.icmpError(p, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED);
      return;
    }
    if (p.ttl <= 1) {
      if (tracing) this.#hop(p, 'drop', { detail: 'TTL exceeded in transit' });
      this.icmpError(p, ICMP_TIME_EXCEEDED, 0);
      return;
    }
    p.ttl--;
    p.outIface = route.dev ?? '';
    if (tracing) this.#hop(p, 'route', { route: formatRoute(route), verdict: 'forward' });
    if (this.#hookRuns(tracing) && this.#hookForward(p, tracing) === false) return;
    if (nat !== null && route.dev === nat.outsideIface) {
      const pub = nat.privateToPublic.get(p.src);
      if (pub !== undefined) {
        const before = tracing ? formatTuple(p) : '';
        p.src = pub;
        if (tracing) this.#hop(p, 'nat', { natBefore: before, natAfter: formatTuple(p), detail: 'internet gateway: private IP → public IP (1:1 NAT)' });
      }
    }
    this.#neighOutput(d, p);
  }

  // ---------------------------------------------------------------- netfilter

  /**
   * br_netfilter (`net.bridge.bridge-nf-call-iptables = 1`, on in every Kubernetes node): an IPv4 frame bridged
   * between two ports of `bridge` still traverses PREROUTING, FORWARD and POSTROUTING, with `-i`/`-o` the bridge.
   * This is what un-DNATs a reply from a Service's endpoint to a client pod on the same bridge. Returns false when
   * a hook dropped or rejected the packet.
   */
  bridgeNetfilter(bridge: Iface, p: Ipv4Packet): boolean {
    if (this.bridgeNfCallIptables === false || this.#hasRules === false) return true;
    return this.#bridgeHooks(bridge, p);
  }

  /** `bridgeNetfilter`'s three hooks, apart: the test above inlines into the bridge's per-frame path. */
  #bridgeHooks(bridge: Iface, p: Ipv4Packet): boolean {
    const tracing = this.net.traces.wants(p.reqId);
    p.inIface = bridge.name;
    p.outIface = '';
    if (this.#hook('PREROUTING', p, tracing) === false) return false;
    p.outIface = bridge.name;
    if (this.#hook('FORWARD', p, tracing) === false) return false;
    return this.#hook('POSTROUTING', p, tracing);
  }

  /**
   * FORWARD then POSTROUTING: one netfilter call for an untraced packet (see `NetfilterNamespace.forward`).
   * `tracing` is `net.traces.wants(p.reqId)`, as the caller found it for this packet; the caller asked `#hookRuns`.
   */
  #hookForward(p: Ipv4Packet, tracing: boolean): boolean {
    const nf = this.#netfilter;
    if (nf.forward === undefined || tracing === true) return this.#hook('FORWARD', p, tracing) && this.#hook('POSTROUTING', p, tracing);
    const ctx = this.#ctx;
    ctx.now = this.net.now();
    ctx.trace = false;
    return this.#verdict(p, nf.forward(p, ctx as NfHookContext).verdict);
  }

  /**
   * Whether a hook has anything to do for this packet: the namespace has rules, or the packet is traced (the hook's
   * hop is recorded). Without either the hook would accept without looking, so the stack asks this where it calls
   * a hook: a namespace without rules (every pod's) costs a comparison per hook. (A method doing both, check and
   * hook, was not inlined into its callers: the engine counts the netfilter code inlined into it against their
   * budget, and every pod's hook was a call.)
   */
  #hookRuns(tracing: boolean): boolean {
    return this.#hasRules === true || tracing === true;
  }

  /** Run `hook` on the packet; false when it was dropped or rejected. `tracing` as for `#hookForward`. */
  #hook(hook: NfHook, p: Ipv4Packet, tracing: boolean): boolean {
    const ctx = this.#ctx;
    ctx.now = this.net.now();
    ctx.trace = tracing;
    const before = tracing === true ? formatTuple(p) : '';
    const res = this.#netfilter.hook(hook, p, ctx as NfHookContext);
    const v = res.verdict;
    if (tracing === true) {
      const after = formatTuple(p);
      this.#hop(p, 'hook', {
        hook,
        steps: res.steps,
        verdict: v.kind,
        ...(res.conntrack ? { conntrack: res.conntrack } : {}),
        ...(after !== before ? { natBefore: before, natAfter: after } : {}),
        ...(v.kind !== 'accept' ? { detail: v.reason } : {}),
      });
    }
    return this.#verdict(p, v);
  }

  /** Act on a hook's verdict: true to go on; a rejected packet is answered. */
  #verdict(p: Ipv4Packet, v: NfVerdict): boolean {
    if (v.kind === 'accept') return true;
    if (v.kind === 'reject') this.#reject(p, v.with);
    return false;
  }

  #reject(p: Ipv4Packet, how: RejectWith): void {
    if (how === 'tcp-reset') {
      if (p.proto !== IPPROTO_TCP || p.tcpFlags & TCP_RST || p.l4.kind !== 'tcp') return;
      this.sendReset(p);
      return;
    }
    const code: Record<Exclude<RejectWith, 'tcp-reset'>, number> = {
      'icmp-port-unreachable': ICMP_PORT_UNREACH,
      'icmp-net-unreachable': ICMP_NET_UNREACH,
      'icmp-host-unreachable': ICMP_HOST_UNREACH,
      'icmp-proto-unreachable': ICMP_PROT_UNREACH,
      'icmp-net-prohibited': ICMP_NET_ANO,
      'icmp-host-prohibited': ICMP_HOST_ANO,
      'icmp-admin-prohibited': ICMP_PKT_FILTERED,
    };
    this.icmpError(p, ICMP_DEST_UNREACH, code[how]);
  }

  /** RST answering `p` (closed port, or REJECT --reject-with tcp-reset). */
  sendReset(p: Ipv4Packet): void {
    const seg = p.l4 as TcpSegment;
    const dataLen = seg.data ? seg.data.byteLength : 0;
    const synFin = (p.tcpFlags & TCP_SYN ? 1 : 0) + (p.tcpFlags & 1 ? 1 : 0);
    const hasAck = (p.tcpFlags & TCP_ACK) !== 0;
    const l4: TcpSegment = {
      kind: 'tcp',
      seq: hasAck ? seg.ack : 0,
      ack: hasAck ? 0 : (seg.seq + dataLen + synFin) >>> 0,
      window: 0,
      urgent: 0,
      options: [],
      data: null,
    };
    const rst = this.newPacket(p.dst, p.src, IPPROTO_TCP, p.dport, p.sport, hasAck ? TCP_RST : TCP_RST | TCP_ACK, l4, { reqId: p.reqId });
    rst.id = 0;
    this.output(rst);
  }

  /** Send an ICMP error about `p` back to its source (never about an ICMP error, as RFC 1122 says). */
  icmpError(p: Ipv4Packet, type: number, code: number): void {
    if (p.proto === IPPROTO_ICMP && icmpIsError(p.icmpType)) return;
    if (p.src === 0 || p.src === 0xffffffff) return;
    const original = clonePacket(p);
    const quotedLength = Math.min(p.length, 576 - 28);
    const l4: IcmpMessage = { kind: 'icmp', id: 0, seq: 0, dataLength: 0, original, quotedLength };
    let src = 0;
    if (this.isLocal(p.dst)) src = p.dst;
    else {
      const back = this.routeTo(p.src);
      src = back ? back.src : (this.primaryAddr() ?? 0);
    }
    const err = this.newPacket(src, p.src, IPPROTO_ICMP, 0, 0, 0, l4, { reqId: p.reqId, df: false });
    err.icmpType = type;
    err.icmpCode = code;
    err.embedded = original;
    this.output(err);
  }

  // ---------------------------------------------------------------- local delivery

  /** `tracing` is `net.traces.wants(p.reqId)`, as `ipInput` found it for this packet. */
  #deliverLocal(p: Ipv4Packet, tracing: boolean): void {
    switch (p.proto) {
      case IPPROTO_TCP:
        this.#tcpInput(p, tracing);
        return;
      case IPPROTO_UDP: {
        const sock = this.udpSockets.get(p.dport);
        if (sock === undefined || (sock.addr !== 0 && sock.addr !== p.dst) || p.l4.kind !== 'udp') {
          if (tracing) this.#hop(p, 'drop', { detail: `nothing listens on UDP port ${p.dport}: ICMP port unreachable` });
          this.icmpError(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
          return;
        }
        if (tracing) this.#hop(p, 'deliver', { detail: `UDP socket ${formatIpv4(sock.addr)}:${sock.port}` });
        sock.onMessage(new Datagram(p.src, p.sport, p.dst, p.dport, p.l4.data, p.reqId, p.ttl), sock);
        return;
      }
      case IPPROTO_ICMP: {
        const m = p.l4 as IcmpMessage;
        if (p.icmpType === ICMP_ECHO_REQUEST) {
          if (tracing) this.#hop(p, 'deliver', { detail: 'kernel answers echo request' });
          const reply = this.newPacket(p.dst, p.src, IPPROTO_ICMP, m.id, m.id, 0, { ...m }, { reqId: p.reqId });
          reply.icmpType = ICMP_ECHO_REPLY;
          this.output(reply);
          return;
        }
        if (p.icmpType === ICMP_ECHO_REPLY) {
          const s = this.pingSockets.get(m.id);
          if (tracing) this.#hop(p, s ? 'deliver' : 'drop', { detail: s ? `ping socket id ${m.id}` : 'no ping socket' });
          s?.onReply({ from: p.src, seq: m.seq, ttl: p.ttl, reqId: p.reqId });
          return;
        }
        if (icmpIsError(p.icmpType) && m.original) {
          if (tracing) this.#hop(p, 'deliver', { detail: 'ICMP error for a local socket' });
          this.#icmpErrorInput(p, m.original);
        }
        return;
      }
      default:
        this.icmpError(p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH);
    }
  }

  #icmpErrorInput(p: Ipv4Packet, o: Ipv4Packet): void {
    const err = { type: p.icmpType, code: p.icmpCode, from: p.src, original: o, reqId: p.reqId, ttl: p.ttl };
    if (o.proto === IPPROTO_TCP) {
      this.#conn(o.sport, o.dst * 65536 + o.dport)?.icmpError(err);
    } else if (o.proto === IPPROTO_UDP) {
      const s = this.udpSockets.get(o.sport);
      s?.onError?.(err, s);
    } else if (o.proto === IPPROTO_ICMP && o.l4.kind === 'icmp') {
      this.pingSockets.get(o.l4.id)?.onError({ ...err, seq: o.l4.seq });
    }
  }

  #tcpInput(p: Ipv4Packet, tracing: boolean): void {
    const conn = this.#conn(p.dport, p.src * 65536 + p.sport);
    if (conn !== undefined) {
      if (tracing) this.#hop(p, 'deliver', { detail: `TCP socket ${conn.stateName}` });
      conn.input(p);
      return;
    }
    const l = this.tcpListeners.get(p.dport);
    if (l && (l.addr === 0 || l.addr === p.dst) && p.tcpFlags & TCP_SYN && !(p.tcpFlags & (TCP_ACK | TCP_RST))) {
      if (tracing) this.#hop(p, 'deliver', { detail: `listening socket ${l.addr === 0 ? '*' : formatIpv4(l.addr)}:${l.port}` });
      const c = newTcpConnection(this, p.dst, p.dport, p.src, p.sport, p.reqId, null);
      this.#addConn(c);
      c.acceptSyn(p, l);
      return;
    }
    if (p.tcpFlags & TCP_RST) return;
    if (tracing) this.#hop(p, 'drop', { detail: `nothing listens on TCP port ${p.dport}: reset` });
    this.sendReset(p);
  }

  // ---------------------------------------------------------------- sockets API

  /** Listen for TCP connections (`addr` 0 = all addresses). Throws EADDRINUSE. */
  listenTcp(port: number, accept: (conn: TcpConnection) => TcpEvents, opts: { addr?: Ipv4; backlog?: number; process?: string } = {}): TcpListener {
    if (this.tcpListeners.has(port)) throw new Error(`EADDRINUSE: TCP port ${port} in ${this.id}`);
    const l: TcpListener = {
      addr: opts.addr ?? 0,
      port,
      backlog: opts.backlog ?? 511,
      accept,
      ...(opts.process ? { process: opts.process } : {}),
      close: () => {
        if (this.tcpListeners.get(port) === l) this.tcpListeners.delete(port);
      },
    };
    this.tcpListeners.set(port, l);
    return l;
  }

  /**
   * Open a TCP connection: sends the SYN now; `events` report the outcome (onConnect, or onClose with
   * ECONNREFUSED / ETIMEDOUT / EHOSTUNREACH / ENETUNREACH).
   */
  connectTcp(opts: ConnectOptions): TcpConnection {
    // The destination the SYN will be routed by (a kept, unchanging record: `#dst`).
    const d = this.#dst(opts.dst);
    const route = d.route;
    const src = opts.src ?? (route !== undefined ? (route.src ?? this.#selectSrc(route, opts.dst)) : 0);
    const sport = opts.sport ?? this.#ephemeralTcpPort(opts.dst, opts.dport);
    const c = newTcpConnection(this, src, sport, opts.dst, opts.dport, opts.reqId ?? 0, opts.events);
    if (d.unicast === false) {
      this.net.scheduler.after(0, () => c.fail('ENETUNREACH'));
      return c;
    }
    this.#addConn(c);
    c.connect();
    return c;
  }

  #addConn(c: TcpConnection): void {
    const port = c.localPort;
    const x = this.#conns.get(port);
    if (Array.isArray(x)) this.#addConnToList(port, x, c);
    else if (x instanceof Map) x.set(connKey(c), c);
    else if (x === undefined) this.#addConnPort(port, c);
    else if (x === null) {
      // A kept entry (`#releasePort`) is filled in place when no port was added after it; otherwise it moves to
      // the end, as the entry deleted and added again did: `ss` lists the ports in the map's order.
      if (port === this.#newestConnPort) this.#conns.set(port, c);
      else {
        this.#conns.delete(port);
        this.#addConnPort(port, c);
      }
    } else if (connKey(x) === connKey(c)) this.#conns.set(port, c);
    else this.#conns.set(port, [x, c]);
  }

  /** A connection joins a port's list: in place of one with its key (as a map's set), else at the end. */
  #addConnToList(port: number, list: TcpSocket[], c: TcpConnection): void {
    const i = indexOfKey(list, connKey(c));
    if (i >= 0) list[i] = c;
    else if (list.length < PORT_LIST_MAX) list.push(c);
    else {
      const m = new Map<number, TcpSocket>();
      for (const s of list) m.set(connKey(s), s);
      m.set(connKey(c), c);
      this.#conns.set(port, m);
    }
  }

  #addConnPort(port: number, c: TcpConnection): void {
    this.#conns.set(port, c);
    this.#newestConnPort = port;
  }

  /**
   * A port's last connection is gone. A listening port keeps its entry (null): a server's port goes from one
   * connection to none and back with every request, and the engine shrinks a map emptied that way (a runtime call
   * that allocates a new table). Only listening ports keep one, so kept entries are as few as the listeners.
   */
  #releasePort(port: number): void {
    if (this.tcpListeners.has(port)) {
      this.#conns.set(port, null);
      return;
    }
    this.#conns.delete(port);
    if (port === this.#newestConnPort) this.#newestConnPort = -1;
  }

  /** A connection entering TIME-WAIT leaves its place in the table to its record (`TimeWaitSocket`). */
  replaceConn(c: TcpConnection, tw: TimeWaitSocket): void {
    const x = this.#conns.get(c.localPort);
    if (x === c) this.#conns.set(c.localPort, tw);
    else if (Array.isArray(x)) {
      const i = x.indexOf(c);
      if (i >= 0) x[i] = tw;
    } else if (x instanceof Map && x.get(connKey(c)) === c) x.set(connKey(c), tw);
  }

  readonly #timeWait: TimeWaitSocket[] = [];
  /**
   * When each of `#timeWait` ends, at the same index up to its length: a typed array, so the deadlines (fractional
   * virtual times) are plain doubles. A list of numbers held them as one number object each (a heap snapshot after
   * 3,000 HTTP requests showed the list's elements kind generic and a 16-byte box a request in it), every one of them
   * copied and promoted by the young-generation collector and kept for the 60 s of TIME-WAIT.
   */
  #timeWaitUntil = new Float64Array(0);
  #timeWaitHead = 0;
  #reaperArmed = false;

  /**
   * Connections in TIME-WAIT, oldest first (all wait the same 60 s): one reaper task at the oldest one's expiry
   * instead of a timer per connection.
   */
  enterTimeWait(c: TimeWaitSocket, until: number): void {
    const n = this.#timeWait.length;
    if (n === this.#timeWaitUntil.length) {
      const bigger = new Float64Array(Math.max(TIME_WAIT_SLOTS, n * 2));
      bigger.set(this.#timeWaitUntil);
      this.#timeWaitUntil = bigger;
    }
    this.#timeWaitUntil[n] = until;
    this.#timeWait.push(c);
    if (!this.#reaperArmed) this.#armReaper();
  }

  #armReaper(): void {
    if (this.#timeWaitHead === this.#timeWait.length) {
      this.#timeWait.length = 0;
      this.#timeWaitHead = 0;
      this.#reaperArmed = false;
      return;
    }
    this.#reaperArmed = true;
    this.#reaperTask = this.net.scheduler.atReusing(this.#reaperTask, this.#timeWaitUntil[this.#timeWaitHead]!, this.#reap, REAPER_TASK);
  }

  /**
   * The reaper's task, queued again once it has run (nothing else holds it): it runs about once a request on the
   * HTTP bench, and a new task each time was a young object pushed into the scheduler's long-lived heap (the write
   * barrier's slow path for the push and for every move while it sifts).
   */
  #reaperTask: TaskHandle | undefined = undefined;

  readonly #reap = (): void => {
    const now = this.net.scheduler.now();
    while (this.#timeWaitHead < this.#timeWait.length && this.#timeWaitUntil[this.#timeWaitHead]! <= now) {
      this.#timeWait[this.#timeWaitHead++]!.expireTimeWait();
    }
    if (this.#timeWaitHead > 1024 && this.#timeWaitHead * 2 > this.#timeWait.length) {
      this.#timeWaitUntil.copyWithin(0, this.#timeWaitHead, this.#timeWait.length);
      dropPrefix(this.#timeWait, this.#timeWaitHead);
      this.#timeWaitHead = 0;
    }
    this.#armReaper();
  };

  /** Called by a connection when it reaches CLOSED. */
  removeConn(c: TcpSocket): void {
    const m = this.#conns.get(c.localPort);
    if (m === undefined || m === null) return;
    if (Array.isArray(m)) {
      const i = m.indexOf(c);
      if (i >= 0) m.splice(i, 1);
      if (m.length === 0) this.#releasePort(c.localPort);
      return;
    }
    if (!(m instanceof Map)) {
      if (m === c) this.#releasePort(c.localPort);
      return;
    }
    const key = connKey(c);
    if (m.get(key) === c) m.delete(key);
    if (m.size === 0) this.#releasePort(c.localPort);
  }

  /** Linux picks ephemeral ports in 32768–60999; a port is reusable towards a different remote. */
  #ephemeralTcpPort(dst: Ipv4, dport: number): number {
    const range = 60999 - 32768 + 1;
    const key = dst * 65536 + dport;
    const start = 32768 + this.net.rng.int(range);
    let port = start;
    let timeWait: TcpSocket | undefined;
    for (let i = 0; i < range; i++) {
      const old = this.#conn(port, key);
      if (!this.tcpListeners.has(port)) {
        if (!old) return port;
        if (!timeWait && old.state === 'TIME-WAIT') timeWait = old;
      }
      // After a short search, take over a port lingering in TIME-WAIT towards this peer (tcp_tw_reuse).
      if (timeWait && i >= 64) break;
      port = port === 60999 ? 32768 : port + 1;
    }
    if (timeWait) {
      timeWait.destroy();
      return timeWait.localPort;
    }
    throw new Error('EADDRNOTAVAIL: no free ephemeral port');
  }

  #ephemeralUdpPort(): number {
    const range = 60999 - 32768 + 1;
    let port = 32768 + this.net.rng.int(range);
    for (let i = 0; i < range; i++) {
      if (!this.udpSockets.has(port)) return port;
      port = port === 60999 ? 32768 : port + 1;
    }
    throw new Error('EADDRNOTAVAIL: no free UDP port');
  }

  /** Bind a UDP port (`addr` 0 = all addresses). Throws EADDRINUSE. */
  bindUdp(port: number, onMessage: (msg: UdpMessage, sock: UdpSocket) => void, opts: { addr?: Ipv4; onError?: (e: SocketError, s: UdpSocket) => void } = {}): UdpSocket {
    if (this.udpSockets.has(port)) throw new Error(`EADDRINUSE: UDP port ${port} in ${this.id}`);
    const s = new UdpSocket(this, opts.addr ?? 0, port, onMessage, opts.onError ?? null);
    this.udpSockets.set(port, s);
    return s;
  }

  /** A client UDP socket on an ephemeral port; `userData` is handed to the handlers as `sock.userData`. */
  openUdp(onMessage: (msg: UdpMessage, sock: UdpSocket) => void, onError?: (e: SocketError, s: UdpSocket) => void, userData: unknown = null): UdpSocket {
    const port = this.#ephemeralUdpPort(); // free: no EADDRINUSE check, no options record per socket
    const s = new UdpSocket(this, 0, port, onMessage, onError ?? null, userData);
    this.udpSockets.set(port, s);
    return s;
  }

  sendUdp(sock: UdpSocket, dst: Ipv4, dport: number, data: DnsMessage | RawData, opts: SendOptions): boolean {
    const p = this.newPacket(opts.src ?? sock.addr, dst, IPPROTO_UDP, sock.port, dport, 0, { kind: 'udp', data }, opts);
    return this.output(p);
  }

  /** `UdpSocket.reply`: the source, ports and request id positional (default TTL and DF, as `send` without them). */
  replyUdp(sock: UdpSocket, to: UdpMessage, data: DnsMessage | RawData): boolean {
    const p = this.newPacket(to.dst, to.src, IPPROTO_UDP, sock.port, to.sport, 0, { kind: 'udp', data }, NO_SEND_OPTIONS, to.reqId);
    return this.output(p);
  }

  openPing(onReply: PingSocket['onReply'], onError: PingSocket['onError']): PingSocket {
    let id = 1 + this.net.rng.int(65535);
    while (this.pingSockets.has(id)) id = (id % 65535) + 1;
    const s = new PingSocket(this, id, onReply, onError);
    this.pingSockets.set(id, s);
    return s;
  }

  // ---------------------------------------------------------------- neighbours (ARP)

  #neighKey(iface: Iface, ip: Ipv4): number {
    return iface.index * 4294967296 + ip;
  }

  /** Send `p` to its next hop: `d` is its destination as routed (unicast). */
  #neighOutput(d: Destination, p: Ipv4Packet): void {
    // A hook after routing rewrote the destination (no stock hook does: DNAT is done by then): same route.
    if (p.dst !== d.addr) d = this.#destination(p.dst, d.local, d.route);
    // Explicit comparisons (=== undefined, === false) rather than truthiness, as on the network's per-hop path.
    const iface = d.iface;
    if (iface === undefined || iface.up === false) {
      if (this.net.traces.wants(p.reqId)) this.#hop(p, 'drop', { detail: `output device ${d.route!.dev ?? '?'} is down or gone` });
      return;
    }
    if (iface.isLoopback === true) {
      this.#xmit(iface, 0, 0, p, p.reqId);
      return;
    }
    if (d.broadcast === true) {
      this.#xmit(iface, BROADCAST_MAC, iface.mac, p, p.reqId);
      return;
    }
    const e = d.neighGen === this.#neighGen ? d.neigh : this.#neighOf(d);
    if (e !== undefined) {
      let nud = e.nud;
      if (nud === NUD_REACHABLE && this.net.now() - e.confirmedAt > e.reachableMs) e.nud = nud = NUD_STALE;
      if ((nud & NUD_VALID) !== 0) {
        if (nud === NUD_STALE) this.#enterDelay(e);
        this.#xmit(iface, e.mac, iface.mac, p, p.reqId);
        return;
      }
      if (nud === NUD_INCOMPLETE) {
        // Wait with the others (the kernel queues a few packets per neighbour).
        if (e.queue!.length < 101) e.queue!.push(p);
        return;
      }
    }
    this.#neighResolve(iface, d.nexthop, p);
  }

  /** The neighbour entry of `d`'s next hop, from the table (the map key, beyond small-integer range, made here). */
  #neighOf(d: Destination): NeighEntry | undefined {
    const e = this.neigh.get(this.#neighKey(d.iface!, d.nexthop));
    d.neigh = e;
    d.neighGen = this.#neighGen;
    return e;
  }

  /** No usable entry for the next hop (none, or FAILED): a new INCOMPLETE one holds the packet while ARP asks. */
  #neighResolve(iface: Iface, nexthop: Ipv4, p: Ipv4Packet): void {
    const e = new NeighEntry(nexthop, iface, 0, NUD_INCOMPLETE, 0, []);
    this.neigh.set(this.#neighKey(iface, nexthop), e);
    this.#neighGen++;
    e.queue!.push(p);
    if (this.net.traces.wants(p.reqId)) this.#hop(p, 'arp', { iface: iface.name, detail: `who-has ${formatIpv4(nexthop)}? (ARP request broadcast on ${iface.name})` });
    this.#arpProbe(e, p.reqId);
  }

  #arpProbe(e: NeighEntry, reqId: number): void {
    const iface = e.iface;
    const src = iface.addrs.find((a) => networkOf(a.addr, a.prefix) === networkOf(e.ip, a.prefix))?.addr ?? iface.addrs[0]?.addr ?? 0;
    e.probes++;
    const unicast = e.nud === NUD_PROBE;
    const arp: ArpPacket = { kind: 'arp', op: ARP_REQUEST, senderMac: iface.mac, senderIp: src, targetMac: 0, targetIp: e.ip };
    this.#xmit(iface, unicast ? e.mac : BROADCAST_MAC, iface.mac, arp, reqId);
    e.timer = this.net.scheduler.after(ARP_RETRANS_MS, () => this.#arpTimeout(e, reqId), { label: 'arp' });
  }

  #arpTimeout(e: NeighEntry, reqId: number): void {
    e.timer = undefined;
    if (e.nud !== NUD_INCOMPLETE && e.nud !== NUD_PROBE) return;
    if (e.probes < ARP_PROBES) {
      this.#arpProbe(e, reqId);
      return;
    }
    e.nud = NUD_FAILED;
    const queued = e.queue ?? [];
    e.queue = null;
    // Every queued packet gets "host unreachable", from this host, as the kernel does when resolution fails.
    for (const p of queued) {
      if (this.net.traces.wants(p.reqId)) this.#hop(p, 'drop', { iface: e.iface.name, detail: `no ARP reply from ${formatIpv4(e.ip)} after ${ARP_PROBES} requests: host unreachable` });
      this.icmpError(p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH);
    }
    this.neigh.delete(this.#neighKey(e.iface, e.ip));
    this.#neighGen++;
  }

  #enterDelay(e: NeighEntry): void {
    e.nud = NUD_DELAY;
    const since = this.net.now();
    e.iface.delayPending++;
    e.timer = this.net.scheduler.after(
      DELAY_PROBE_MS,
      () => {
        e.timer = undefined;
        if (--e.iface.delayPending === 0) e.iface.forgetRx();
        if (e.nud !== NUD_DELAY) return;
        const heard = e.iface.lastRx(e.mac);
        if (heard !== undefined && heard >= since) {
          e.nud = NUD_REACHABLE;
          e.confirmedAt = heard;
          e.reachableMs = this.#reachableTime();
          return;
        }
        e.nud = NUD_PROBE;
        e.probes = 0;
        e.queue = [];
        this.#arpProbe(e, 0);
      },
      { background: true, label: 'neigh-delay' },
    );
  }

  #arpInput(iface: Iface, a: ArpPacket): void {
    const now = this.net.now();
    const key = this.#neighKey(iface, a.senderIp);
    const e = this.neigh.get(key);
    const forUs = this.localAddrs.has(a.targetIp);
    if (e && e.nud !== NUD_PERMANENT) {
      // Keep the stored MAC object when the value is unchanged (every reply that refreshes a neighbour): the ARP
      // packet holds its MACs unboxed, so `senderMac` is a fresh number object each time it is read, and a young
      // one here would make each frame sent to this neighbour store a young object into the backlog's old arrays
      // (a write barrier's slow path per hop: a third of the bench's frames, before).
      if (e.mac !== a.senderMac) e.mac = a.senderMac;
      if (a.op === ARP_REPLY || e.nud === NUD_INCOMPLETE || e.nud === NUD_PROBE) {
        if (e.nud === NUD_DELAY && e.timer && --iface.delayPending === 0) iface.forgetRx();
        e.nud = NUD_REACHABLE;
        e.confirmedAt = now;
        e.reachableMs = this.#reachableTime();
        this.net.scheduler.cancel(e.timer);
        e.timer = undefined;
        const q = e.queue;
        e.queue = null;
        if (q) for (const p of q) this.#xmit(iface, e.mac, iface.mac, p, p.reqId);
      }
    } else if (!e && forUs && a.op === ARP_REQUEST) {
      // The kernel learns the asker (as STALE) when a request is for one of its addresses.
      this.neigh.set(key, new NeighEntry(a.senderIp, iface, a.senderMac, NUD_STALE, now, null));
      this.#neighGen++;
    }
    if (a.op === ARP_REQUEST && forUs) {
      const reply: ArpPacket = { kind: 'arp', op: ARP_REPLY, senderMac: iface.mac, senderIp: a.targetIp, targetMac: a.senderMac, targetIp: a.senderIp };
      this.#xmit(iface, a.senderMac, iface.mac, reply, 0);
    }
  }

  /** base_reachable_time 30 s, randomised to 15–45 s as the kernel does. */
  #reachableTime(): number {
    return 15_000 + this.net.rng.int(30_000);
  }

  /**
   * Announce an address (gratuitous ARP: who-has A tell A, broadcast), as the bridge CNI plugin does for a new
   * pod: neighbours that cached the address under an old MAC (a deleted pod that had the same IP) update it.
   */
  gratuitousArp(ifaceName: string): void {
    const iface = this.#iface(ifaceName);
    const a = iface.addrs[0];
    if (!a) return;
    const arp: ArpPacket = { kind: 'arp', op: ARP_REQUEST, senderMac: iface.mac, senderIp: a.addr, targetMac: 0, targetIp: a.addr };
    this.#xmit(iface, BROADCAST_MAC, iface.mac, arp, 0);
  }

  /** Static neighbour entry (`ip neigh add … nud permanent`). */
  addNeighbour(ifaceName: string, ip: Ipv4, mac: Mac): void {
    const iface = this.#iface(ifaceName);
    this.neigh.set(this.#neighKey(iface, ip), new NeighEntry(ip, iface, mac, NUD_PERMANENT, 0, null));
    this.#neighGen++;
  }

  /** Neighbour entries as `ip neigh` lists them (state evaluated now). */
  neighbours(): NeighEntry[] {
    const now = this.net.now();
    const out: NeighEntry[] = [];
    for (const e of this.neigh.values()) {
      if (e.nud === NUD_REACHABLE && now - e.confirmedAt > e.reachableMs) e.nud = NUD_STALE;
      out.push(e);
    }
    return out;
  }

  // ---------------------------------------------------------------- link layer

  /** Transmit a frame out of one of this namespace's interfaces. */
  transmit(iface: Iface, frame: EthernetFrame, reqId = frameReqId(frame)): void {
    this.#xmit(iface, frame.dst, frame.src, frame.payload, reqId);
  }

  /** `transmit` with the frame's fields as arguments: the stack's own path, no frame record per hop. */
  #xmit(iface: Iface, dst: Mac, src: Mac, payload: EthernetFrame['payload'], reqId: number): void {
    if (iface.up === false) return;
    const net = this.net;
    if (iface.isBridge === false || net.takeBridgeOutSuppressed(iface) === false) {
      if (net.capturing === true) net.captureFrame(iface, dst, src, payload, 'out');
    }
    if (net.traces.wants(reqId)) this.#traceXmit(iface, dst, src, payload, reqId);
    if (iface.isBridge === true) net.bridgeSend(iface, dst, src, payload, reqId);
    else if (iface.isLoopback === true) net.loopbackSend(iface, dst, src, payload);
    else net.send(iface, dst, src, payload, reqId); // a veth
  }

  // ---------------------------------------------------------------- traces

  #hop(p: Ipv4Packet, kind: 'hook' | 'route' | 'drop' | 'deliver' | 'nat' | 'arp', extra: Record<string, unknown>): void {
    this.net.traces.record({
      time: this.net.now(),
      reqId: p.reqId,
      pid: p.pid,
      netns: this.id,
      kind,
      packet: formatFrameLine(p),
      ...extra,
    } as Parameters<Network['traces']['record']>[0]);
  }

  /** The xmit hop of a traced frame (its record built here: `#xmit` is inlined into the per-hop path). */
  #traceXmit(iface: Iface, dst: Mac, src: Mac, payload: EthernetFrame['payload'], reqId: number): void {
    const isArp = 'kind' in payload && payload.kind === 'arp';
    this.net.traces.record({
      time: this.net.now(),
      reqId,
      pid: isArp ? 0 : (payload as Ipv4Packet).pid,
      netns: this.id,
      kind: 'xmit',
      iface: iface.name,
      dir: 'out',
      packet: formatFrameLine(payload),
      ...(iface.kind === 'loopback' ? {} : { detail: `${formatMac(src)} > ${formatMac(dst)}` }),
    });
  }

}

/** The route to one of the namespace's own addresses (through lo), in the route table's record shape. */
function localRoute(dst: Ipv4): Route {
  return routeRecord(dst, 32, 'unicast', undefined, 'lo', dst, 'kernel', 'host', undefined);
}

/** A connection's key among those sharing its local port: remote ip*65536+port. */
function connKey(c: TcpSocket): number {
  return c.remoteAddr * 65536 + c.remotePort;
}

/** Connections on one local port (see `NetNamespace.#conns`): one, a list of a few, a map by key, or none kept. */
type PortConns = TcpSocket | TcpSocket[] | Map<number, TcpSocket> | null;
/** Connections a port's list holds before it becomes a map. */
const PORT_LIST_MAX = 8;

/** The index of the connection with key `key` in a port's list, or -1. */
function indexOfKey(list: TcpSocket[], key: number): number {
  for (let i = 0; i < list.length; i++) if (connKey(list[i]!) === key) return i;
  return -1;
}

/** Whether `addr` is the broadcast address of one of the interface's subnets. */
function isBroadcastOn(iface: Iface, addr: Ipv4): boolean {
  const addrs = iface.addrs;
  for (let i = 0; i < addrs.length; i++) {
    const a = addrs[i]!;
    if (a.prefix < 31 && broadcastOf(a.addr, a.prefix) === addr) return true;
  }
  return false;
}

/**
 * UDP sockets by local port, with one of them held in a field rather than the map. A pod's resolver opens a
 * socket for each lookup and closes it after the answer, usually the pod's only UDP socket: in a map that takes
 * it from one entry to none and back every lookup, and the engine shrinks an emptied map's table (a runtime call
 * that allocates a new one) and hashes every access. A server's one bound socket (CoreDNS's port 53) is found by
 * a comparison.
 */
export class UdpSocketTable {
  #port = -1;
  #sock: UdpSocket | undefined = undefined;
  /** The other sockets, made when a second one is bound (most namespaces never have one). */
  #more: Map<number, UdpSocket> | null = null;

  get(port: number): UdpSocket | undefined {
    if (port === this.#port) return this.#sock;
    return this.#more !== null ? this.#more.get(port) : undefined;
  }

  has(port: number): boolean {
    return port === this.#port || (this.#more !== null && this.#more.has(port));
  }

  set(port: number, sock: UdpSocket): void {
    // The field takes a socket only while the map is empty, so a port is never in both.
    if (port === this.#port || (this.#sock === undefined && (this.#more === null || this.#more.size === 0))) {
      this.#port = port;
      this.#sock = sock;
    } else (this.#more ??= new Map()).set(port, sock);
  }

  delete(port: number): boolean {
    if (port !== this.#port) return this.#more !== null && this.#more.delete(port);
    this.#port = -1;
    this.#sock = undefined;
    return true;
  }

  get size(): number {
    return (this.#sock === undefined ? 0 : 1) + (this.#more !== null ? this.#more.size : 0);
  }

  /** Every socket (in no particular order: listings sort them by port). */
  values(): UdpSocket[] {
    const all = this.#more !== null ? [...this.#more.values()] : [];
    if (this.#sock !== undefined) all.push(this.#sock);
    return all;
  }
}

/** A set of addresses that counts its changes (`version`), so a lookup can be remembered until the next one. */
export class AddressSet extends Set<Ipv4> {
  version = 0;

  override add(addr: Ipv4): this {
    if (!super.has(addr)) this.version++;
    return super.add(addr);
  }

  override delete(addr: Ipv4): boolean {
    const removed = super.delete(addr);
    if (removed) this.version++;
    return removed;
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}

export function frameReqId(frame: EthernetFrame): number {
  const p = frame.payload;
  return 'kind' in p && p.kind === 'arp' ? 0 : (p as Ipv4Packet).reqId;
}

/** A live capture (tcpdump) attached to a namespace: `iface` undefined = `-i any`. */
export interface CaptureSink {
  readonly iface: string | undefined;
  /** `dir` as tcpdump's -i any shows it: In, Out, P (other host), B (broadcast), M (multicast). */
  onFrame(time: number, iface: Iface, frame: EthernetFrame, dir: 'In' | 'Out' | 'P' | 'B' | 'M'): void;
}

export type { StreamData, TcpError };
