/**
 * Rule data → the text iptables prints: the `iptables-save` / `iptables -S` form (normalized exactly as
 * iptables-nft 1.8.9 normalizes: `/32` on hosts, module order as given, `--set-xmark V/M`, 11-decimal
 * probabilities, …) and the `iptables -L` table (column layout from iptables' print_firewall).
 */
import { formatIpv4 } from './ip';
import type { NfTable } from './hook-api';
import { IPTABLES_VERSION } from './parse';
import {
  BUILTIN_CHAINS, PROTO_NAMES, SAVE_TABLE_ORDER,
  type AddrMatch, type Chain, type MatchModule, type NatRange, type PortRange, type Rule, type RuleSpec, type Table, type Target,
} from './rule';
import { serviceName } from './services';

/** xtables_save_string: bare when only [A-Za-z0-9_-], otherwise double-quoted with `"`, `\`, `'` escaped. */
export function saveString(s: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(s)) return s;
  return `"${s.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

export function maskToPrefix(mask: number): number | undefined {
  let p = 0;
  let m = mask >>> 0;
  while (m & 0x80000000) {
    p++;
    m = (m << 1) >>> 0;
  }
  return m === 0 ? p : undefined;
}

function addrText(a: AddrMatch): string {
  const p = maskToPrefix(a.mask);
  return `${formatIpv4(a.addr)}/${p ?? formatIpv4(a.mask)}`;
}

export function formatProbability(stored: number): string {
  return (stored / 0x80000000).toFixed(11);
}

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

function portsSave(r: PortRange): string {
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}:${r.hi}`;
}

function natRangeText(r: NatRange): string {
  let s = formatIpv4(r.addrLo);
  if (r.addrHi !== r.addrLo) s += `-${formatIpv4(r.addrHi)}`;
  if (r.portLo !== undefined) s += r.portHi !== r.portLo ? `:${r.portLo}-${r.portHi}` : `:${r.portLo}`;
  return s;
}

const TCP_FLAG_NAMES: readonly [number, string][] = [[0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG']];

function tcpFlagsText(bits: number): string {
  if (bits === 0x3f) return 'ALL';
  if (bits === 0) return 'NONE';
  return TCP_FLAG_NAMES.filter(([b]) => bits & b).map(([, n]) => n).join(',');
}

function matchSave(m: MatchModule): string {
  switch (m.module) {
    case 'comment':
      return `-m comment --comment ${saveString(m.comment)}`;
    case 'tcp':
    case 'udp': {
      let s = `-m ${m.module}`;
      if (m.sport) s += `${m.sport.invert ? ' !' : ''} --sport ${portsSave(m.sport)}`;
      if (m.dport) s += `${m.dport.invert ? ' !' : ''} --dport ${portsSave(m.dport)}`;
      if (m.module === 'tcp' && m.tcpFlags) {
        s += `${m.tcpFlags.invert ? ' !' : ''} --tcp-flags ${tcpFlagsText(m.tcpFlags.mask)} ${tcpFlagsText(m.tcpFlags.comp)}`;
      }
      return s;
    }
    case 'icmp': {
      if (!m.icmpType) return '-m icmp';
      const t = m.icmpType;
      return `-m icmp${t.invert ? ' !' : ''} --icmp-type ${t.type}${t.code !== undefined ? `/${t.code}` : ''}`;
    }
    case 'addrtype': {
      let s = '-m addrtype';
      if (m.srcType) s += `${m.srcType.invert ? ' !' : ''} --src-type ${m.srcType.types.join(',')}`;
      if (m.dstType) s += `${m.dstType.invert ? ' !' : ''} --dst-type ${m.dstType.types.join(',')}`;
      if (m.limitIfaceIn) s += ' --limit-iface-in';
      if (m.limitIfaceOut) s += ' --limit-iface-out';
      return s;
    }
    case 'statistic':
      return m.mode === 'random'
        ? `-m statistic --mode random${m.invert ? ' !' : ''} --probability ${formatProbability(m.probability)}`
        : `-m statistic --mode nth${m.invert ? ' !' : ''} --every ${m.every} --packet ${m.packet}`;
    case 'mark':
      return `-m mark${m.invert ? ' !' : ''} --mark ${markText(m.mark, m.mask)}`;
    case 'conntrack':
      return `-m conntrack${m.invert ? ' !' : ''} --ctstate ${m.states.join(',')}`;
    case 'state':
      return `-m state${m.invert ? ' !' : ''} --state ${m.states.join(',')}`;
    case 'recent': {
      let s = `-m recent${m.invert ? ' !' : ''} --${m.mode}`;
      if (m.seconds) s += ` --seconds ${m.seconds}`;
      if (m.reap) s += ' --reap';
      if (m.hitcount) s += ` --hitcount ${m.hitcount}`;
      if (m.rttl) s += ' --rttl';
      s += ` --name ${m.name} --mask ${formatIpv4(m.mask)} --r${m.side}`;
      return s;
    }
    case 'multiport':
      return `-m multiport${m.invert ? ' !' : ''} --${m.dir} ${m.ports.map(portsSave).join(',')}`;
    case 'nfacct':
      return `-m nfacct --nfacct-name  ${m.name}`;
  }
}

function markText(v: number, mask: number): string {
  return mask === 0xffffffff ? hex(v) : `${hex(v)}/${hex(mask)}`;
}

function targetSave(t: Target): string {
  switch (t.kind) {
    case 'none':
      return '';
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return `-j ${t.kind}`;
    case 'jump':
      return `${t.goto ? '-g' : '-j'} ${t.chain}`;
    case 'REJECT':
      return `-j REJECT --reject-with ${t.with}`;
    case 'DNAT':
      return `-j DNAT --to-destination ${natRangeText(t.to)}${t.random ? ' --random' : ''}${t.persistent ? ' --persistent' : ''}`;
    case 'SNAT':
      return `-j SNAT --to-source ${natRangeText(t.to)}${t.random ? ' --random' : ''}${t.randomFully ? ' --random-fully' : ''}${t.persistent ? ' --persistent' : ''}`;
    case 'MASQUERADE': {
      let s = '-j MASQUERADE';
      if (t.ports) s += ` --to-ports ${t.ports.lo === t.ports.hi ? t.ports.lo : `${t.ports.lo}-${t.ports.hi}`}`;
      if (t.random) s += ' --random';
      if (t.randomFully) s += ' --random-fully';
      return s;
    }
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case 'LOG':
      return `-j LOG${t.prefix !== undefined ? ` --log-prefix ${saveString(t.prefix)}` : ''}${t.level !== 4 ? ` --log-level ${t.level}` : ''}`;
  }
}

/** The rule as `iptables-save` prints it after `-A CHAIN` (no leading space). */
export function ruleSaveBody(r: RuleSpec): string {
  const parts: string[] = [];
  if (r.src) parts.push(`${r.src.invert ? '! ' : ''}-s ${addrText(r.src)}`);
  if (r.dst) parts.push(`${r.dst.invert ? '! ' : ''}-d ${addrText(r.dst)}`);
  if (r.inIface) parts.push(`${r.inIface.invert ? '! ' : ''}-i ${r.inIface.name}`);
  if (r.outIface) parts.push(`${r.outIface.invert ? '! ' : ''}-o ${r.outIface.name}`);
  if (r.proto) parts.push(`${r.proto.invert ? '! ' : ''}-p ${PROTO_NAMES[r.proto.num] ?? r.proto.num}`);
  for (const m of r.matches) parts.push(matchSave(m));
  const t = targetSave(r.target);
  if (t) parts.push(t);
  return parts.join(' ');
}

export function ruleSaveLine(chain: string, r: RuleSpec): string {
  const body = ruleSaveBody(r);
  return body ? `-A ${chain} ${body}` : `-A ${chain}`;
}

/** Built-in chains in kernel order, then user chains sorted by name (as iptables-save and -S print them). */
export function orderedChains(t: Table): Chain[] {
  const builtins = BUILTIN_CHAINS[t.name].map((n) => t.chains.get(n)!);
  const users = [...t.chains.values()].filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...builtins, ...users];
}

/** ctime(3) format without the newline: `Sat Nov 28 06:13:13 2026` (UTC, as the lab nodes run in UTC). */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export interface SaveOptions {
  /** `-c`: prefix each rule with `[packets:bytes] `. */
  readonly counters?: boolean;
  /** Virtual time for the header/footer comments; omitted → no comment lines. */
  readonly now?: number;
}

export function saveTable(t: Table, opts: SaveOptions = {}): string {
  const lines: string[] = [];
  if (opts.now !== undefined) lines.push(`# Generated by iptables-save ${IPTABLES_VERSION} on ${ctime(opts.now)}`);
  lines.push(`*${t.name}`);
  const chains = orderedChains(t);
  for (const c of chains) lines.push(c.builtin ? `:${c.name} ${c.policy} [${c.packets}:${c.bytes}]` : `:${c.name} - [0:0]`);
  for (const c of chains) {
    for (const r of c.rules) lines.push(`${opts.counters ? `[${r.packets}:${r.bytes}] ` : ''}${ruleSaveLine(c.name, r)}`);
  }
  lines.push('COMMIT');
  if (opts.now !== undefined) lines.push(`# Completed on ${ctime(opts.now)}`);
  return lines.join('\n') + '\n';
}

export function saveTables(tables: ReadonlyMap<NfTable, Table>, opts: SaveOptions & { table?: NfTable } = {}): string {
  let out = '';
  for (const name of SAVE_TABLE_ORDER) {
    if (opts.table !== undefined && name !== opts.table) continue;
    const t = tables.get(name);
    if (!t || (!t.touched && opts.table === undefined)) continue;
    out += saveTable(t, opts);
  }
  return out;
}

/** `iptables -S [CHAIN]` (with `-v`: `-c packets bytes` after the chain name). */
export function listRules(t: Table, chain?: string, verbose = false, ruleNum?: number): string {
  const lines: string[] = [];
  const chains = chain === undefined ? orderedChains(t) : [t.chains.get(chain)!];
  if (ruleNum === undefined) {
    for (const c of chains) {
      if (c.builtin) lines.push(`-P ${c.name} ${c.policy}${verbose ? ` -c ${c.packets} ${c.bytes}` : ''}`);
      else lines.push(`-N ${c.name}`);
    }
  }
  for (const c of chains) {
    c.rules.forEach((r, idx) => {
      if (ruleNum !== undefined && idx + 1 !== ruleNum) return;
      const body = ruleSaveBody(r);
      const cnt = verbose ? ` -c ${r.packets} ${r.bytes}` : '';
      lines.push(`-A ${c.name}${cnt}${body ? ` ${body}` : ''}`);
    });
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

// ---------------------------------------------------------------------------------------------------------------
// iptables -L

export interface ListOptions {
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
  /** Reverse lookup for addresses when not numeric (a Service's ClusterIP → its DNS name); default: none. */
  readonly resolveAddr?: (addr: number) => string | undefined;
}

/** print_num: `%5llu ` with K/M/G/T scaling above 99999, or `%8llu ` with -x. */
export function formatCount(n: number, exact: boolean): string {
  if (exact) return `${String(n).padStart(8, ' ')} `;
  if (n <= 99999) return `${String(n).padStart(5, ' ')} `;
  for (const unit of ['K', 'M', 'G', 'T']) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999 || unit === 'T') return `${String(n).padStart(4, ' ')}${unit} `;
  }
  return '';
}

function portText(p: number, proto: 'tcp' | 'udp', numeric: boolean): string {
  return numeric ? String(p) : (serviceName(p, proto) ?? String(p));
}

function portsList(name: string, r: PortRange & { invert: boolean }, proto: 'tcp' | 'udp', numeric: boolean): string {
  if (r.lo === 0 && r.hi === 65535 && !r.invert) return '';
  const inv = r.invert ? '!' : '';
  return r.lo === r.hi
    ? ` ${name}:${inv}${portText(r.lo, proto, numeric)}`
    : ` ${name}s:${inv}${portText(r.lo, proto, numeric)}:${portText(r.hi, proto, numeric)}`;
}

const ICMP_NAMES: Record<string, string> = {
  '0': 'echo-reply', '3': 'destination-unreachable', '3/0': 'network-unreachable', '3/1': 'host-unreachable',
  '3/2': 'protocol-unreachable', '3/3': 'port-unreachable', '8': 'echo-request', '11': 'time-exceeded',
};

const LOG_LEVEL_NAMES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

function matchList(m: MatchModule, numeric: boolean): string {
  switch (m.module) {
    case 'comment':
      return ` /* ${m.comment} */`;
    case 'tcp':
    case 'udp': {
      let s = ` ${m.module}`;
      if (m.sport) s += portsList('spt', m.sport, m.module, numeric);
      if (m.dport) s += portsList('dpt', m.dport, m.module, numeric);
      if (m.module === 'tcp' && m.tcpFlags) {
        const f = m.tcpFlags;
        s += numeric
          ? ` flags:${f.invert ? '!' : ''}0x${f.mask.toString(16).toUpperCase().padStart(2, '0')}/0x${f.comp.toString(16).toUpperCase().padStart(2, '0')}`
          : ` flags:${f.invert ? '!' : ''}${tcpFlagsText(f.mask)}/${tcpFlagsText(f.comp)}`;
      }
      return s;
    }
    case 'icmp': {
      if (!m.icmpType) return ' icmp';
      const t = m.icmpType;
      const key = t.code !== undefined ? `${t.type}/${t.code}` : `${t.type}`;
      if (!numeric && ICMP_NAMES[key]) return ` icmp ${t.invert ? '!' : ''}${ICMP_NAMES[key]}`;
      return ` icmptype ${t.invert ? '!' : ''}${t.type}${t.code !== undefined ? ` code ${t.code}` : ''}`;
    }
    case 'addrtype': {
      let s = ' ADDRTYPE match';
      if (m.srcType) s += ` src-type ${m.srcType.invert ? '!' : ''}${m.srcType.types.join(',')}`;
      if (m.dstType) s += ` dst-type ${m.dstType.invert ? '!' : ''}${m.dstType.types.join(',')}`;
      if (m.limitIfaceIn) s += ' limit-in';
      if (m.limitIfaceOut) s += ' limit-out';
      return s;
    }
    case 'statistic':
      return m.mode === 'random'
        ? ` statistic mode random${m.invert ? ' !' : ''} probability ${formatProbability(m.probability)}`
        : ` statistic mode nth${m.invert ? ' !' : ''} every ${m.every} packet ${m.packet}`;
    case 'mark':
      return ` mark match${m.invert ? ' !' : ''} ${markText(m.mark, m.mask)}`;
    case 'conntrack':
      return ` ${m.invert ? '! ' : ''}ctstate ${m.states.join(',')}`;
    case 'state':
      return ` ${m.invert ? '! ' : ''}state ${m.states.join(',')}`;
    case 'recent': {
      let s = `${m.invert ? ' !' : ''} recent: ${m.mode === 'rcheck' ? 'CHECK' : m.mode.toUpperCase()}`;
      if (m.seconds) s += ` seconds: ${m.seconds}`;
      if (m.reap) s += ' reap';
      if (m.hitcount) s += ` hit_count: ${m.hitcount}`;
      if (m.rttl) s += ' TTL-Match';
      s += ` name: ${m.name} side: ${m.side} mask: ${formatIpv4(m.mask)}`;
      return s;
    }
    case 'multiport':
      return ` multiport ${m.dir}${m.invert ? ' !' : ''} ${m.ports.map((r) => (r.lo === r.hi ? portText(r.lo, 'tcp', numeric) : `${portText(r.lo, 'tcp', numeric)}:${portText(r.hi, 'tcp', numeric)}`)).join(',')}`;
    case 'nfacct':
      return ` nfacct-name  ${m.name}`;
  }
}

function targetList(t: Target, numeric: boolean): string {
  switch (t.kind) {
    case 'REJECT':
      return ` reject-with ${t.with}`;
    case 'DNAT':
      return ` to:${natRangeText(t.to)}${t.random ? ' random' : ''}${t.persistent ? ' persistent' : ''}`;
    case 'SNAT':
      return ` to:${natRangeText(t.to)}${t.random ? ' random' : ''}${t.randomFully ? ' random-fully' : ''}${t.persistent ? ' persistent' : ''}`;
    case 'MASQUERADE': {
      let s = '';
      if (t.ports) s += ` masq ports: ${t.ports.lo === t.ports.hi ? t.ports.lo : `${t.ports.lo}-${t.ports.hi}`}`;
      if (t.random) s += ' random';
      if (t.randomFully) s += ' random-fully';
      return s;
    }
    case 'MARK': {
      const { value: v, mask: m } = t;
      if (v === 0) return ` MARK and ${hex(~m >>> 0)}`;
      if (v === m) return ` MARK or ${hex(v)}`;
      if (m === 0) return ` MARK xor ${hex(v)}`;
      if (m === 0xffffffff) return ` MARK set ${hex(v)}`;
      return ` MARK xset ${hex(v)}/${hex(m)}`;
    }
    case 'LOG':
      return numeric
        ? ` LOG flags 0 level ${t.level}${t.prefix !== undefined ? ` prefix "${t.prefix}"` : ''}`
        : ` LOG level ${LOG_LEVEL_NAMES[t.level]}${t.prefix !== undefined ? ` prefix "${t.prefix}"` : ''}`;
    default:
      return '';
  }
}

function targetName(t: Target): string {
  switch (t.kind) {
    case 'none': return '';
    case 'jump': return t.chain;
    default: return t.kind;
  }
}

function addrColumn(a: AddrMatch | undefined, o: ListOptions): string {
  if (!a || a.mask === 0) return `${a?.invert ? '!' : ' '}${(o.numeric ? '0.0.0.0/0' : 'anywhere').padEnd(19, ' ')} `;
  const p = maskToPrefix(a.mask);
  let host = formatIpv4(a.addr);
  if (!o.numeric) {
    const name = o.resolveAddr?.(a.addr) ?? (a.addr >>> 24 === 127 && p !== 32 ? 'loopback' : undefined);
    if (name) host = name;
  }
  const text = p === 32 ? host : `${host}/${p ?? formatIpv4(a.mask)}`;
  return `${a.invert ? '!' : ' '}${text.padEnd(19, ' ')} `;
}

function ifaceColumn(i: { name: string; invert: boolean } | undefined, numeric: boolean): string {
  return `${i?.invert ? '!' : ''}${i ? i.name : numeric ? '*' : 'any'}`;
}

export function listRuleLine(r: Rule, num: number, o: ListOptions): string {
  let s = '';
  if (o.lineNumbers) s += `${String(num).padEnd(4, ' ')} `;
  if (o.verbose) s += formatCount(r.packets, o.exact) + formatCount(r.bytes, o.exact);
  s += `${targetName(r.target).padEnd(9, ' ')} `;
  s += r.proto?.invert ? '!' : ' ';
  const pnum = r.proto?.num ?? 0;
  s += (o.numeric ? String(pnum) : (PROTO_NAMES[pnum] ?? String(pnum))).padEnd(5, ' ');
  s += '-- ';
  if (o.verbose) s += ` ${ifaceColumn(r.inIface, o.numeric).padEnd(6, ' ')} ${ifaceColumn(r.outIface, o.numeric).padEnd(6, ' ')} `;
  s += addrColumn(r.src, o);
  s += addrColumn(r.dst, o);
  if (r.target.kind === 'jump' && r.target.goto) s += '[goto] ';
  for (const m of r.matches) s += matchList(m, o.numeric);
  s += targetList(r.target, o.numeric);
  return s;
}

function listHeader(o: ListOptions): string {
  let s = '';
  if (o.lineNumbers) s += `${'num'.padEnd(4, ' ')} `;
  if (o.verbose) s += o.exact ? `${'pkts'.padStart(8, ' ')} ${'bytes'.padStart(10, ' ')} ` : ' pkts bytes ';
  s += `${'target'.padEnd(9, ' ')} `;
  s += ' prot opt';
  if (o.verbose) s += ` ${'in'.padEnd(6, ' ')} ${'out'.padEnd(6, ' ')} `;
  s += ` ${'source'.padEnd(19, ' ')} `;
  s += ` ${'destination'.padEnd(19, ' ')} `;
  return s;
}

/** Number of rules in the table that jump or go to `chain`. */
export function references(t: Table, chain: string): number {
  let n = 0;
  for (const c of t.chains.values()) for (const r of c.rules) if (r.target.kind === 'jump' && r.target.chain === chain) n++;
  return n;
}

export function listChain(t: Table, c: Chain, o: ListOptions, ruleNum?: number): string {
  if (ruleNum !== undefined) {
    const r = c.rules[ruleNum - 1];
    return r ? `${listRuleLine(r, ruleNum, o)}\n` : '';
  }
  const head = c.builtin
    ? o.verbose
      ? `Chain ${c.name} (policy ${c.policy} ${c.packets} packets, ${c.bytes} bytes)`
      : `Chain ${c.name} (policy ${c.policy})`
    : `Chain ${c.name} (${references(t, c.name)} references)`;
  const lines = [head, listHeader(o)];
  c.rules.forEach((r, i) => lines.push(listRuleLine(r, i + 1, o)));
  return lines.join('\n') + '\n';
}

/** `iptables -L [CHAIN]`: chains separated by one empty line, none after the last. */
export function listTable(t: Table, o: ListOptions, chain?: string, ruleNum?: number): string {
  if (chain !== undefined) return listChain(t, t.chains.get(chain)!, o, ruleNum);
  return orderedChains(t).map((c) => listChain(t, c, o)).join('\n');
}
