/**
 * Netfilter as data: a rule is an address/interface/protocol header match, an ordered list of match modules
 * (`-m comment`, `-m tcp`, …) and exactly one target. This is the shape `iptables` parses into and
 * `iptables-save` prints from; the interpreter (`interpreter.ts`) compiles it into closures once per ruleset.
 */
import type { NfTable, RejectWith } from './hook-api';

export const BUILTIN_CHAINS: Readonly<Record<NfTable, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The order iptables-nft-save prints tables in (its built-in table array, not creation order). */
export const SAVE_TABLE_ORDER: readonly NfTable[] = ['mangle', 'raw', 'filter', 'nat'];

export interface AddrMatch {
  readonly addr: number;
  /** Netmask as an unsigned 32-bit number (`/16` → 0xffff0000). */
  readonly mask: number;
  readonly invert: boolean;
}

export interface IfaceMatch {
  /** May end in `+` (prefix wildcard), as `-i veth+`. */
  readonly name: string;
  readonly invert: boolean;
}

export interface PortRange {
  readonly lo: number;
  readonly hi: number;
}

export interface InvertiblePorts extends PortRange {
  readonly invert: boolean;
}

export type AddrType =
  | 'UNSPEC' | 'UNICAST' | 'LOCAL' | 'BROADCAST' | 'ANYCAST' | 'MULTICAST'
  | 'BLACKHOLE' | 'UNREACHABLE' | 'PROHIBIT' | 'THROW' | 'NAT' | 'XRESOLVE';

/** conntrack match states, in the order iptables prints them. */
export const CT_STATES = ['INVALID', 'NEW', 'RELATED', 'ESTABLISHED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
export type CtStateName = (typeof CT_STATES)[number];

export type MatchModule =
  | { readonly module: 'comment'; readonly comment: string }
  | {
      readonly module: 'tcp' | 'udp';
      readonly sport?: InvertiblePorts;
      readonly dport?: InvertiblePorts;
      /** `--tcp-flags MASK COMP` (and `--syn` = FIN,SYN,RST,ACK SYN). */
      readonly tcpFlags?: { readonly mask: number; readonly comp: number; readonly invert: boolean };
    }
  | { readonly module: 'icmp'; readonly icmpType?: { readonly type: number; readonly code?: number; readonly invert: boolean } }
  | {
      readonly module: 'addrtype';
      readonly srcType?: { readonly types: readonly AddrType[]; readonly invert: boolean };
      readonly dstType?: { readonly types: readonly AddrType[]; readonly invert: boolean };
      readonly limitIfaceIn?: boolean;
      readonly limitIfaceOut?: boolean;
    }
  | {
      readonly module: 'statistic';
      readonly mode: 'random';
      /** As the kernel stores it: round(p · 2^31). */
      readonly probability: number;
      readonly invert: boolean;
    }
  | { readonly module: 'statistic'; readonly mode: 'nth'; readonly every: number; readonly packet: number; readonly invert: boolean }
  | { readonly module: 'mark'; readonly mark: number; readonly mask: number; readonly invert: boolean }
  | { readonly module: 'conntrack' | 'state'; readonly states: readonly CtStateName[]; readonly invert: boolean }
  | {
      readonly module: 'recent';
      readonly name: string;
      readonly mode: 'set' | 'rcheck' | 'update' | 'remove';
      readonly seconds?: number;
      readonly reap: boolean;
      readonly hitcount?: number;
      readonly rttl: boolean;
      readonly side: 'source' | 'dest';
      readonly mask: number;
      readonly invert: boolean;
    }
  | { readonly module: 'multiport'; readonly dir: 'sports' | 'dports' | 'ports'; readonly ports: readonly PortRange[]; readonly invert: boolean }
  /** Accounting objects only count; the emulator accepts and prints them. */
  | { readonly module: 'nfacct'; readonly name: string };

export interface NatRange {
  readonly addrLo: number;
  readonly addrHi: number;
  readonly portLo?: number;
  readonly portHi?: number;
}

export type Target =
  | { readonly kind: 'ACCEPT' | 'DROP' | 'RETURN' }
  /** `-j CHAIN` (jump, returns) or `-g CHAIN` (goto, does not). */
  | { readonly kind: 'jump'; readonly chain: string; readonly goto: boolean }
  | { readonly kind: 'REJECT'; readonly with: RejectWith }
  | { readonly kind: 'DNAT'; readonly to: NatRange; readonly random: boolean; readonly persistent: boolean }
  | { readonly kind: 'SNAT'; readonly to: NatRange; readonly random: boolean; readonly randomFully: boolean; readonly persistent: boolean }
  | { readonly kind: 'MASQUERADE'; readonly ports?: PortRange; readonly random: boolean; readonly randomFully: boolean }
  /** MARK v2 as the kernel stores it: mark = (mark & ~mask) ^ value. */
  | { readonly kind: 'MARK'; readonly value: number; readonly mask: number }
  | { readonly kind: 'LOG'; readonly prefix?: string; readonly level: number }
  /** A rule without `-j`: it only counts. */
  | { readonly kind: 'none' };

export interface RuleSpec {
  readonly src?: AddrMatch;
  readonly dst?: AddrMatch;
  readonly inIface?: IfaceMatch;
  readonly outIface?: IfaceMatch;
  readonly proto?: { readonly num: number; readonly invert: boolean };
  readonly matches: readonly MatchModule[];
  readonly target: Target;
}

/** A rule in a chain: the spec plus its counters (mutated by the interpreter). */
export interface Rule extends RuleSpec {
  packets: number;
  bytes: number;
}

export interface Chain {
  readonly name: string;
  readonly builtin: boolean;
  /** Built-in chains only. */
  policy: 'ACCEPT' | 'DROP';
  /** Policy counters (built-in chains). */
  packets: number;
  bytes: number;
  rules: Rule[];
}

export interface Table {
  readonly name: NfTable;
  /** Chains by name; iteration order is irrelevant (renderers sort as iptables does). */
  readonly chains: Map<string, Chain>;
  /** iptables-nft creates a table lazily: only touched tables appear in `iptables-save`. */
  touched: boolean;
}

export const PROTO_NAMES: Readonly<Record<number, string>> = { 0: 'all', 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' };
export const PROTO_NUMBERS: Readonly<Record<string, number>> = { all: 0, icmp: 1, tcp: 6, udp: 17, sctp: 132 };

export function newTable(name: NfTable): Table {
  const chains = new Map<string, Chain>();
  for (const c of BUILTIN_CHAINS[name]) chains.set(c, { name: c, builtin: true, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [] });
  return { name, chains, touched: false };
}

export function newUserChain(name: string): Chain {
  return { name, builtin: false, policy: 'ACCEPT', packets: 0, bytes: 0, rules: [] };
}

export function isTableName(s: string): s is NfTable {
  return s === 'raw' || s === 'mangle' || s === 'nat' || s === 'filter';
}

/** Deep copy (rules keep their counters), for atomic restores. */
export function cloneTable(t: Table): Table {
  const chains = new Map<string, Chain>();
  for (const [n, c] of t.chains) chains.set(n, { ...c, rules: c.rules.map((r) => ({ ...r })) });
  return { name: t.name, chains, touched: t.touched };
}
