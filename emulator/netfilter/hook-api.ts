/**
 * The seam between the IP stack (`emulator/net/`) and netfilter (`emulator/netfilter/`), as in the Linux kernel:
 * the stack calls `hook()` at each of the five hooks in order; netfilter evaluates tables/chains/rules (data, one
 * interpreter), consults and updates conntrack, applies NAT by rewriting the packet's fields, and returns a verdict.
 * The stack never interprets rules; netfilter never routes.
 */

export type NfHook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';
export type NfTable = 'raw' | 'mangle' | 'nat' | 'filter';

/**
 * IP protocol numbers. Netfilter's packet path reads the enum (esbuild writes its values where they are used; a
 * module constant is a bundle `var` loaded and checked at every use, see conntrack.ts DIR); the IPPROTO_* constants
 * are the same values for the stack.
 */
export const enum IPPROTO { ICMP = 1, TCP = 6, UDP = 17 }
export const IPPROTO_ICMP = IPPROTO.ICMP;
export const IPPROTO_TCP = IPPROTO.TCP;
export const IPPROTO_UDP = IPPROTO.UDP;

/** TCP flag bits as on the wire (TCPHDR, as IPPROTO; TCP_* for the stack). */
export const enum TCPHDR { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 }
export const TCP_FIN = TCPHDR.FIN, TCP_SYN = TCPHDR.SYN, TCP_RST = TCPHDR.RST, TCP_PSH = TCPHDR.PSH, TCP_ACK = TCPHDR.ACK;

/**
 * The fields netfilter matches and rewrites. Addresses are IPv4 as unsigned 32-bit numbers. The stack passes its
 * own packet object (which has these fields) or a view over it; NAT writes `src`/`dst`/`sport`/`dport` back.
 */
export interface NfPacket {
  src: number;
  dst: number;
  proto: number;
  /** TCP/UDP ports; for ICMP echo, `sport` = `dport` = the echo id (conntrack's convention). */
  sport: number;
  dport: number;
  /** TCP flags (TCP only). */
  tcpFlags: number;
  /** ICMP type/code (ICMP only). */
  icmpType: number;
  icmpCode: number;
  /** Total IPv4 length in bytes, for byte counters. */
  length: number;
  /** skb mark. */
  mark: number;
  /** Input interface name (PREROUTING, INPUT, FORWARD), output interface (FORWARD, OUTPUT, POSTROUTING). */
  inIface: string;
  outIface: string;
  /**
   * For ICMP errors: the embedded original header (so conntrack can mark them RELATED and un-NAT them).
   */
  embedded?: { src: number; dst: number; proto: number; sport: number; dport: number };
  /**
   * Netfilter's conntrack attachment, set by the namespace that tracked the packet and read back by its later
   * hooks (and by its PREROUTING when the packet loops back through `lo`): the packet's connection. Opaque to the
   * stack, which clears it when the packet enters another namespace, as Linux drops an skb's conntrack reference
   * when it leaves a netns (network.ts does, on every input but `lo`'s): netfilter trusts an attachment to be its
   * own namespace's, and a connection carries no owner (a field of 4 bytes in each connection, which lives 30-120 s of
   * virtual time). A new packet must start without it (create a new object per packet; never recycle a packet
   * object across packets).
   */
  nfct?: object;
  /**
   * The packet's relation to `nfct` (conntrack.ts CTINFO_*: reply, RELATED, INVALID), as Linux keeps it in the low
   * bits of `skb->_nfct`; read only while `nfct` is set, so clearing `nfct` is enough. A small integer, always
   * written by netfilter with `nfct`; the stack's packet literal starts it at 0 so that every packet has the field.
   */
  ctinfo?: number;
}

export type NfVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop'; readonly reason: string }
  /** REJECT: the stack sends the ICMP error / TCP RST named by `with` back to the sender and drops the packet. */
  | { readonly kind: 'reject'; readonly with: RejectWith; readonly reason: string };

export type RejectWith =
  | 'icmp-port-unreachable'
  | 'icmp-net-unreachable'
  | 'icmp-host-unreachable'
  | 'icmp-proto-unreachable'
  | 'icmp-net-prohibited'
  | 'icmp-host-prohibited'
  | 'icmp-admin-prohibited'
  | 'tcp-reset';

/** One step of netfilter's evaluation, for packet traces and the per-hop inspector. */
export interface NfTraceStep {
  readonly hook: NfHook;
  readonly table: NfTable;
  readonly chain: string;
  /** 1-based rule number in the chain, 0 for the chain's policy. */
  readonly ruleNum: number;
  /** The rule as `iptables-save` prints it (`-A KUBE-SVC-… -m comment … -j KUBE-SEP-…`), or `:CHAIN POLICY`. */
  readonly ruleText: string;
  /** `jump KUBE-SEP-…`, `DNAT 10.244.1.5:8080`, `ACCEPT`, `RETURN`, `policy ACCEPT`, … */
  readonly verdict: string;
}

export interface NfConntrackView {
  /** conntrack -L style line for the packet's connection, after this hook. */
  readonly line: string;
  readonly state: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';
}

export interface NfHookResult {
  readonly verdict: NfVerdict;
  readonly steps: readonly NfTraceStep[];
  readonly conntrack?: NfConntrackView;
}

export interface NfHookContext {
  /** Virtual time, for conntrack timeouts and `-m recent`. */
  readonly now: number;
  /** `-m addrtype --dst-type LOCAL`: is this address one of the namespace's own? */
  isLocalAddress(addr: number): boolean;
  /** When false the interpreter skips building trace steps (the fast path for benchmarks). */
  readonly trace: boolean;
  /**
   * MASQUERADE: the primary IPv4 address of `iface` for reaching `dst` (what the kernel's inet_select_addr picks);
   * undefined when the interface has none (the packet is then dropped, as Linux does).
   */
  ifaceAddress?(iface: string, dst: number): number | undefined;
}

/** Per network namespace: its tables, its conntrack table. */
export interface NetfilterNamespace {
  hook(hook: NfHook, pkt: NfPacket, ctx: NfHookContext): NfHookResult;
  /**
   * FORWARD then POSTROUTING for an untraced forwarded packet (the stack runs nothing between them): the second
   * hook's result unless the first did not accept. One call instead of two per forwarded packet; a traced packet
   * goes through `hook` once per hook, each a hop of its trace.
   */
  forward?(pkt: NfPacket, ctx: NfHookContext): NfHookResult;
}
