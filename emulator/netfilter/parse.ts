/**
 * iptables rule syntax → rule data. One parser serves `iptables -A/-I/-D/…` command lines (argv from the shell)
 * and `iptables-restore` input (lines tokenized here the way iptables-restore does: double quotes group, `\`
 * escapes inside them). Options are claimed by the most recently loaded match that knows them, as in xtables;
 * `--dport` after `-p tcp` loads the implicit `tcp` match at that point, which is why `iptables-save` prints
 * `-m tcp` where the user never wrote it.
 */
import { parseIpv4, prefixMask } from './ip';
import type { NfTable, RejectWith } from './hook-api';
import { TCPHDR } from './hook-api';
import {
  CT_STATES, PROTO_NUMBERS, isTableName, type AddrMatch, type AddrType, type CtStateName, type IfaceMatch,
  type InvertiblePorts, type MatchModule, type NatRange, type PortRange, type RuleSpec, type Target,
} from './rule';
import { servicePort } from './services';

export const IPTABLES_VERSION = 'v1.8.9 (nf_tables)';

/** An error as iptables prints it; `status` is its exit code (2 = bad usage, 1 = operation failed). */
export class IptablesError extends Error {
  constructor(message: string, readonly status: number = 2) {
    super(message);
  }
}

const TRY_HELP = "Try `iptables -h' or 'iptables --help' for more information.";

export function usageError(msg: string): IptablesError {
  return new IptablesError(`iptables ${IPTABLES_VERSION}: ${msg}\n${TRY_HELP}`, 2);
}

/** Split one iptables-restore line into arguments. */
export function tokenizeRestoreLine(line: string): string[] {
  if (!line.includes('"')) return line.split(/[ \t]+/).filter((t) => t !== '');
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  let have = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuote) {
      if (ch === '\\' && i + 1 < line.length) {
        cur += line[++i];
      } else if (ch === '"') {
        inQuote = false;
      } else cur += ch;
      continue;
    }
    if (ch === '"') {
      inQuote = true;
      have = true;
    } else if (ch === ' ' || ch === '\t') {
      if (have) out.push(cur);
      cur = '';
      have = false;
    } else {
      cur += ch;
      have = true;
    }
  }
  if (have) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars

export function parseAddrArg(text: string, invert: boolean): AddrMatch {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const addr = host === 'localhost' ? 0x7f000001 : parseIpv4(host);
  if (addr === undefined) throw usageError(`host/network \`${host}' not found`);
  let mask = 0xffffffff;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (/^\d{1,2}$/.test(m) && Number(m) <= 32) mask = prefixMask(Number(m));
    else {
      const dotted = parseIpv4(m);
      if (dotted === undefined) throw usageError(`invalid mask \`${m}' specified`);
      mask = dotted;
    }
  }
  return { addr: (addr & mask) >>> 0, mask: mask >>> 0, invert };
}

function parsePort(text: string, proto: 'tcp' | 'udp'): number {
  if (/^\d+$/.test(text) && Number(text) <= 65535) return Number(text);
  const byName = servicePort(text, proto);
  if (byName !== undefined) return byName;
  throw usageError(`invalid port/service \`${text}' specified`);
}

function parsePortRange(text: string, proto: 'tcp' | 'udp'): PortRange {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const p = parsePort(text, proto);
    return { lo: p, hi: p };
  }
  const lo = colon === 0 ? 0 : parsePort(text.slice(0, colon), proto);
  const hi = colon === text.length - 1 ? 65535 : parsePort(text.slice(colon + 1), proto);
  return lo <= hi ? { lo, hi } : { lo: hi, hi: lo };
}

function parseUint32(text: string, what: string): number {
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n > 0xffffffff) throw usageError(`Bad ${what} value "${text}"`);
  return n >>> 0;
}

function parseValueMask(text: string, what: string): { value: number; mask: number | undefined } {
  const slash = text.indexOf('/');
  if (slash < 0) return { value: parseUint32(text, what), mask: undefined };
  return { value: parseUint32(text.slice(0, slash), what), mask: parseUint32(text.slice(slash + 1), what) };
}

const TCP_FLAG_BITS: Record<string, number> = {
  FIN: TCPHDR.FIN, SYN: TCPHDR.SYN, RST: TCPHDR.RST, PSH: TCPHDR.PSH, ACK: TCPHDR.ACK, URG: 0x20, ALL: 0x3f, NONE: 0,
};

function parseTcpFlags(text: string): number {
  let bits = 0;
  for (const f of text.split(',')) {
    const b = TCP_FLAG_BITS[f.toUpperCase()];
    if (b === undefined) throw usageError(`Unknown TCP flag \`${f}'`);
    bits |= b;
  }
  return bits;
}

const ICMP_TYPES: Record<string, { type: number; code?: number }> = {
  'echo-reply': { type: 0 }, pong: { type: 0 },
  'destination-unreachable': { type: 3 },
  'network-unreachable': { type: 3, code: 0 }, 'host-unreachable': { type: 3, code: 1 },
  'protocol-unreachable': { type: 3, code: 2 }, 'port-unreachable': { type: 3, code: 3 },
  'fragmentation-needed': { type: 3, code: 4 }, 'network-prohibited': { type: 3, code: 9 },
  'host-prohibited': { type: 3, code: 10 }, 'communication-prohibited': { type: 3, code: 13 },
  'echo-request': { type: 8 }, ping: { type: 8 },
  'time-exceeded': { type: 11 }, 'ttl-exceeded': { type: 11, code: 0 },
};

const REJECT_WITH: Record<string, RejectWith> = {
  'icmp-net-unreachable': 'icmp-net-unreachable', 'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable', 'host-unreach': 'icmp-host-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable', 'proto-unreach': 'icmp-proto-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable', 'port-unreach': 'icmp-port-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited', 'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited', 'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited', 'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset', 'tcp-rst': 'tcp-reset',
};

const LOG_LEVELS: Record<string, number> = {
  emerg: 0, alert: 1, crit: 2, error: 3, err: 3, warning: 4, warn: 4, notice: 5, info: 6, debug: 7,
};

const ADDR_TYPES: readonly AddrType[] = [
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT',
  'THROW', 'NAT', 'XRESOLVE',
];

function parseAddrTypes(text: string): AddrType[] {
  return text.split(',').map((t) => {
    const u = t.toUpperCase() as AddrType;
    if (!ADDR_TYPES.includes(u)) throw usageError(`addrtype: unknown addrtype "${t}"`);
    return u;
  });
}

function parseCtStates(text: string, module: string): CtStateName[] {
  const set = new Set<CtStateName>();
  for (const s of text.split(',')) {
    const u = s.toUpperCase() as CtStateName;
    if (!CT_STATES.includes(u) || (module === 'state' && (u === 'SNAT' || u === 'DNAT'))) {
      throw usageError(`Bad ${module === 'state' ? 'state' : 'ctstate'} "${s}"`);
    }
    set.add(u);
  }
  return CT_STATES.filter((s) => set.has(s));
}

/** `10.244.1.5`, `10.244.1.5:8080`, `1.2.3.4-1.2.3.9:1000-2000`. */
function parseNatRange(text: string, needPortsProto: boolean): NatRange {
  const colon = text.indexOf(':');
  const addrPart = colon < 0 ? text : text.slice(0, colon);
  const portPart = colon < 0 ? undefined : text.slice(colon + 1);
  const [a, b] = addrPart.split('-');
  const lo = parseIpv4(a ?? '');
  const hi = b === undefined ? lo : parseIpv4(b);
  if (lo === undefined || hi === undefined) throw usageError(`Bad IP address "${addrPart}"`);
  if (portPart === undefined) return { addrLo: lo, addrHi: hi };
  if (!needPortsProto) throw usageError('Need TCP, UDP, SCTP or DCCP with port specification');
  const [p, q] = portPart.split('-');
  const plo = Number(p);
  const phi = q === undefined ? plo : Number(q);
  if (!(Number.isInteger(plo) && Number.isInteger(phi) && plo >= 0 && phi <= 65535 && plo <= phi)) {
    throw usageError(`Port "${portPart}" not valid`);
  }
  return { addrLo: lo, addrHi: hi, portLo: plo, portHi: phi };
}

// ---------------------------------------------------------------------------------------------------------------
// Match and target option parsers

type Next = () => string;

interface ModuleParser {
  readonly module: string;
  /** Claims `opt` (consuming its arguments through `next`); false when the option is not this module's. */
  take(opt: string, next: Next, invert: boolean): boolean;
  build(): MatchModule;
}

const KNOWN_MODULES = new Set([
  'comment', 'tcp', 'udp', 'icmp', 'addrtype', 'statistic', 'mark', 'conntrack', 'state', 'recent', 'multiport', 'nfacct',
]);

function moduleParser(name: string, protoName: () => string | undefined): ModuleParser {
  switch (name) {
    case 'comment': {
      let comment: string | undefined;
      return {
        module: name,
        take(opt, next) {
          if (opt !== '--comment') return false;
          comment = next();
          return true;
        },
        build() {
          if (comment === undefined) throw usageError('comment: option "--comment" must be specified');
          return { module: 'comment', comment };
        },
      };
    }
    case 'tcp':
    case 'udp': {
      let sport: InvertiblePorts | undefined;
      let dport: InvertiblePorts | undefined;
      let tcpFlags: { mask: number; comp: number; invert: boolean } | undefined;
      return {
        module: name,
        take(opt, next, invert) {
          if (opt === '--sport' || opt === '--source-port') sport = { ...parsePortRange(next(), name), invert };
          else if (opt === '--dport' || opt === '--destination-port') dport = { ...parsePortRange(next(), name), invert };
          else if (name === 'tcp' && opt === '--tcp-flags') {
            const mask = parseTcpFlags(next());
            tcpFlags = { mask, comp: parseTcpFlags(next()), invert };
          } else if (name === 'tcp' && opt === '--syn') {
            tcpFlags = { mask: TCPHDR.FIN | TCPHDR.SYN | TCPHDR.RST | TCPHDR.ACK, comp: TCPHDR.SYN, invert };
          } else return false;
          return true;
        },
        build() {
          return { module: name, ...(sport ? { sport } : {}), ...(dport ? { dport } : {}), ...(tcpFlags ? { tcpFlags } : {}) };
        },
      };
    }
    case 'icmp': {
      let icmpType: { type: number; code?: number; invert: boolean } | undefined;
      return {
        module: name,
        take(opt, next, invert) {
          if (opt !== '--icmp-type') return false;
          const v = next();
          const named = ICMP_TYPES[v];
          if (named) icmpType = { ...named, invert };
          else {
            const m = /^(\d+)(?:\/(\d+))?$/.exec(v);
            if (!m) throw usageError(`Invalid ICMP type \`${v}'`);
            icmpType = { type: Number(m[1]), ...(m[2] !== undefined ? { code: Number(m[2]) } : {}), invert };
          }
          return true;
        },
        build() {
          return { module: 'icmp', ...(icmpType ? { icmpType } : {}) };
        },
      };
    }
    case 'addrtype': {
      let srcType: { types: AddrType[]; invert: boolean } | undefined;
      let dstType: { types: AddrType[]; invert: boolean } | undefined;
      let limitIfaceIn = false;
      let limitIfaceOut = false;
      return {
        module: name,
        take(opt, next, invert) {
          if (opt === '--src-type') srcType = { types: parseAddrTypes(next()), invert };
          else if (opt === '--dst-type') dstType = { types: parseAddrTypes(next()), invert };
          else if (opt === '--limit-iface-in') limitIfaceIn = true;
          else if (opt === '--limit-iface-out') limitIfaceOut = true;
          else return false;
          return true;
        },
        build() {
          return {
            module: 'addrtype',
            ...(srcType ? { srcType } : {}),
            ...(dstType ? { dstType } : {}),
            ...(limitIfaceIn ? { limitIfaceIn } : {}),
            ...(limitIfaceOut ? { limitIfaceOut } : {}),
          };
        },
      };
    }
    case 'statistic': {
      let mode: string | undefined;
      let probability: number | undefined;
      let every: number | undefined;
      let packet = 0;
      let inv = false;
      return {
        module: name,
        take(opt, next, invert) {
          if (opt === '--mode') mode = next();
          else if (opt === '--probability') {
            const p = Number(next());
            if (!(p >= 0 && p <= 1)) throw usageError('--probability must be between 0 and 1');
            probability = Math.round(p * 0x80000000);
            inv = invert;
          } else if (opt === '--every') {
            every = Number(next());
            inv = invert;
          } else if (opt === '--packet') packet = Number(next());
          else return false;
          return true;
        },
        build() {
          if (mode === 'random') {
            if (probability === undefined) throw usageError('statistic: --probability must be specified with --mode random');
            return { module: 'statistic', mode: 'random', probability, invert: inv };
          }
          if (mode === 'nth') {
            if (!every) throw usageError('statistic: --every must be specified with --mode nth');
            return { module: 'statistic', mode: 'nth', every, packet, invert: inv };
          }
          throw usageError(`statistic: bad mode "${mode ?? ''}"`);
        },
      };
    }
    case 'mark': {
      let spec: { mark: number; mask: number; invert: boolean } | undefined;
      return {
        module: name,
        take(opt, next, invert) {
          if (opt !== '--mark') return false;
          const { value, mask } = parseValueMask(next(), 'mark');
          spec = { mark: value, mask: mask ?? 0xffffffff, invert };
          return true;
        },
        build() {
          if (!spec) throw usageError('mark: option "--mark" must be specified');
          return { module: 'mark', ...spec };
        },
      };
    }
    case 'conntrack':
    case 'state': {
      let spec: { states: CtStateName[]; invert: boolean } | undefined;
      const optName = name === 'state' ? '--state' : '--ctstate';
      return {
        module: name,
        take(opt, next, invert) {
          if (opt !== optName) return false;
          spec = { states: parseCtStates(next(), name), invert };
          return true;
        },
        build() {
          if (!spec) throw usageError(`${name}: option "${optName}" must be specified`);
          return { module: name, ...spec };
        },
      };
    }
    case 'recent': {
      let recentName = 'DEFAULT';
      let mode: 'set' | 'rcheck' | 'update' | 'remove' | undefined;
      let seconds: number | undefined;
      let hitcount: number | undefined;
      let reap = false;
      let rttl = false;
      let side: 'source' | 'dest' = 'source';
      let mask = 0xffffffff;
      let inv = false;
      return {
        module: name,
        take(opt, next, invert) {
          switch (opt) {
            case '--set': case '--rcheck': case '--update': case '--remove':
              if (mode) throw usageError('recent: only one of `--set\', `--rcheck\' `--update\' or `--remove\' may be set');
              mode = opt.slice(2) as 'set' | 'rcheck' | 'update' | 'remove';
              inv = invert;
              return true;
            case '--name': recentName = next(); return true;
            case '--seconds': seconds = Number(next()); return true;
            case '--hitcount': hitcount = Number(next()); return true;
            case '--reap': reap = true; return true;
            case '--rttl': rttl = true; return true;
            case '--rsource': side = 'source'; return true;
            case '--rdest': side = 'dest'; return true;
            case '--mask': {
              const m = parseIpv4(next());
              if (m === undefined) throw usageError('recent: bad --mask');
              mask = m;
              return true;
            }
            default: return false;
          }
        },
        build() {
          if (!mode) throw usageError("recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
          return {
            module: 'recent', name: recentName, mode, reap, rttl, side, mask, invert: inv,
            ...(seconds !== undefined ? { seconds } : {}), ...(hitcount !== undefined ? { hitcount } : {}),
          };
        },
      };
    }
    case 'multiport': {
      let spec: { dir: 'sports' | 'dports' | 'ports'; ports: PortRange[]; invert: boolean } | undefined;
      return {
        module: name,
        take(opt, next, invert) {
          const dir = opt === '--dports' || opt === '--destination-ports' ? 'dports'
            : opt === '--sports' || opt === '--source-ports' ? 'sports' : opt === '--ports' ? 'ports' : undefined;
          if (!dir) return false;
          const p = protoName();
          if (p !== 'tcp' && p !== 'udp') throw usageError("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
          spec = { dir, ports: next().split(',').map((x) => parsePortRange(x, p)), invert };
          return true;
        },
        build() {
          if (!spec) throw usageError('multiport: no ports specified');
          return { module: 'multiport', ...spec };
        },
      };
    }
    case 'nfacct': {
      let acct: string | undefined;
      return {
        module: name,
        take(opt, next) {
          if (opt !== '--nfacct-name') return false;
          acct = next();
          return true;
        },
        build() {
          if (!acct) throw usageError('nfacct: you have to specify `--nfacct-name\' option');
          return { module: 'nfacct', name: acct };
        },
      };
    }
    default:
      throw new IptablesError(
        `iptables ${IPTABLES_VERSION}: Couldn't load match \`${name}':No such file or directory\n\n${TRY_HELP}`, 2);
  }
}

interface TargetParser {
  take(opt: string, next: Next, invert: boolean): boolean;
  build(protoNum: number | undefined): Target;
}

const BUILTIN_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG']);

export function isBuiltinTarget(name: string): boolean {
  return BUILTIN_TARGETS.has(name);
}

function targetParser(name: string, goto: boolean): TargetParser {
  const portProto = (p: number | undefined) => p === 6 || p === 17 || p === 132;
  switch (goto ? '' : name) {
    case 'ACCEPT': case 'DROP': case 'RETURN':
      return { take: () => false, build: () => ({ kind: name as 'ACCEPT' | 'DROP' | 'RETURN' }) };
    case 'REJECT': {
      let w: RejectWith = 'icmp-port-unreachable';
      return {
        take(opt, next) {
          if (opt !== '--reject-with') return false;
          const v = next();
          const r = REJECT_WITH[v];
          if (!r) throw usageError(`unknown reject type "${v}"`);
          w = r;
          return true;
        },
        build: () => ({ kind: 'REJECT', with: w }),
      };
    }
    case 'DNAT': case 'SNAT': {
      let to: string | undefined;
      let random = false, randomFully = false, persistent = false;
      const toOpt = name === 'DNAT' ? '--to-destination' : '--to-source';
      return {
        take(opt, next) {
          if (opt === toOpt || opt === '--to') to = next();
          else if (opt === '--random') random = true;
          else if (opt === '--random-fully' && name === 'SNAT') randomFully = true;
          else if (opt === '--persistent') persistent = true;
          else return false;
          return true;
        },
        build(p) {
          if (to === undefined) throw usageError(`${name}: option "${toOpt}" must be specified`);
          const range = parseNatRange(to, portProto(p));
          return name === 'DNAT'
            ? { kind: 'DNAT', to: range, random, persistent }
            : { kind: 'SNAT', to: range, random, randomFully, persistent };
        },
      };
    }
    case 'MASQUERADE': {
      let ports: string | undefined;
      let random = false, randomFully = false;
      return {
        take(opt, next) {
          if (opt === '--to-ports') ports = next();
          else if (opt === '--random') random = true;
          else if (opt === '--random-fully') randomFully = true;
          else return false;
          return true;
        },
        build(p) {
          if (ports === undefined) return { kind: 'MASQUERADE', random, randomFully };
          if (!portProto(p)) throw usageError('Need TCP, UDP, SCTP or DCCP with port specification');
          const [a, b] = ports.split('-');
          const lo = Number(a), hi = b === undefined ? lo : Number(b);
          if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi && hi <= 65535)) throw usageError(`Port "${ports}" not valid`);
          return { kind: 'MASQUERADE', ports: { lo, hi }, random, randomFully };
        },
      };
    }
    case 'MARK': {
      let t: { value: number; mask: number } | undefined;
      return {
        take(opt, next) {
          if (opt === '--set-xmark') {
            const { value, mask } = parseValueMask(next(), 'mark');
            t = { value, mask: mask ?? 0xffffffff };
          } else if (opt === '--set-mark') {
            const { value, mask } = parseValueMask(next(), 'mark');
            t = { value, mask: mask === undefined ? 0xffffffff : (mask | value) >>> 0 };
          } else if (opt === '--and-mark') t = { value: 0, mask: ~parseUint32(next(), 'mark') >>> 0 };
          else if (opt === '--or-mark') {
            const v = parseUint32(next(), 'mark');
            t = { value: v, mask: v };
          } else if (opt === '--xor-mark') t = { value: parseUint32(next(), 'mark'), mask: 0 };
          else return false;
          return true;
        },
        build() {
          if (!t) throw usageError('MARK target: Parameter --set/and/or/xor-mark is required');
          return { kind: 'MARK', ...t };
        },
      };
    }
    case 'LOG': {
      let prefix: string | undefined;
      let level = 4;
      return {
        take(opt, next) {
          if (opt === '--log-prefix') prefix = next();
          else if (opt === '--log-level') {
            const v = next();
            const n = /^\d$/.test(v) ? Number(v) : LOG_LEVELS[v.toLowerCase()];
            if (n === undefined || n > 7) throw usageError(`log-level \`${v}' unknown`);
            level = n;
          } else if (opt === '--log-tcp-sequence' || opt === '--log-tcp-options' || opt === '--log-ip-options' || opt === '--log-uid') {
            /* accepted; the emulator's LOG only counts */
          } else return false;
          return true;
        },
        build: () => ({ kind: 'LOG', level, ...(prefix !== undefined ? { prefix } : {}) }),
      };
    }
    default:
      return { take: () => false, build: () => ({ kind: 'jump', chain: name, goto }) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

export type IptablesOp = 'A' | 'I' | 'D' | 'R' | 'C' | 'N' | 'X' | 'F' | 'Z' | 'P' | 'L' | 'S' | 'E';

export interface IptablesCommand {
  readonly table: NfTable;
  readonly op: IptablesOp;
  readonly chain?: string;
  readonly ruleNum?: number;
  /** -P: the policy; -E: the new name. */
  readonly arg?: string;
  readonly spec?: RuleSpec;
  readonly counters?: { packets: number; bytes: number };
  readonly numeric: boolean;
  readonly verbose: boolean;
  readonly exact: boolean;
  readonly lineNumbers: boolean;
}

const LONG_OPS: Record<string, IptablesOp> = {
  '--append': 'A', '--insert': 'I', '--delete': 'D', '--replace': 'R', '--check': 'C', '--new-chain': 'N',
  '--new': 'N', '--delete-chain': 'X', '--flush': 'F', '--zero': 'Z', '--policy': 'P', '--list': 'L',
  '--list-rules': 'S', '--rename-chain': 'E',
};

/** Short flags that may be bundled (`-nvL`, `-vnxL`). */
const BUNDLE = /^-[nvxLSFZXNADIRCPEt]{2,}$/;

/**
 * Parse an `iptables` command line (argv without the program name). A restore line (`-A CHAIN …`) is the same
 * grammar with the table given by the enclosing `*table`.
 */
export function parseIptablesArgs(argv: readonly string[], defaultTable: NfTable = 'filter'): IptablesCommand {
  // Bundles (`-nvL`) are split where an option is read, not beforehand: like getopt, an option's argument is taken
  // whole whatever it looks like (`--comment -CA` is a comment, not `-C -A`).
  const args = argv.slice();
  let table: NfTable = defaultTable;
  let op: IptablesOp | undefined;
  let chain: string | undefined;
  let ruleNum: number | undefined;
  let opArg: string | undefined;
  let numeric = false, verbose = false, exact = false, lineNumbers = false;
  let counters: { packets: number; bytes: number } | undefined;
  let src: AddrMatch | undefined, dst: AddrMatch | undefined;
  let inIface: IfaceMatch | undefined, outIface: IfaceMatch | undefined;
  let proto: { num: number; invert: boolean } | undefined;
  let ruleOptions = false;
  const modules: ModuleParser[] = [];
  let target: TargetParser | undefined;
  let targetName: string | undefined;

  let i = 0;
  const next: Next = () => {
    const v = args[i];
    if (v === undefined) throw usageError(`option "${args[i - 1]}" requires an argument`);
    i++;
    return v;
  };
  const optionalArg = (): string | undefined => {
    const v = args[i];
    if (v === undefined || (v.startsWith('-') && v.length > 1) || v === '!') return undefined;
    i++;
    return v;
  };
  const setOp = (o: IptablesOp) => {
    if (op) throw usageError(`Cannot use -${o} with -${op}`);
    op = o;
  };
  const protoName = () => (proto && !proto.invert ? ['all', 'icmp', 'tcp', 'udp'].find((n) => PROTO_NUMBERS[n] === proto!.num) : undefined);

  let invert = false;
  while (i < args.length) {
    let tok = args[i++]!;
    if (tok.length > 2 && tok.charCodeAt(0) === 45 && tok.charCodeAt(1) !== 45 && BUNDLE.test(tok)) {
      args.splice(i - 1, 1, ...Array.from(tok.slice(1), (ch) => `-${ch}`));
      tok = args[i - 1]!;
    }
    if (tok === '!') {
      if (invert) throw usageError('multiple `!\' flags not allowed');
      invert = true;
      continue;
    }
    const inv = invert;
    invert = false;
    const longOp = LONG_OPS[tok];
    const short = tok.length === 2 && tok[0] === '-' ? tok[1]! : '';
    const opLetter: IptablesOp | undefined = longOp ?? ('AIDRCNXFZPLSE'.includes(short) && short ? (short as IptablesOp) : undefined);
    if (opLetter) {
      setOp(opLetter);
      switch (opLetter) {
        case 'A': case 'C': case 'N':
          chain = next();
          break;
        // -I CHAIN [N] and -D CHAIN [N|rule]: an optional rule number after the chain.
        case 'I':
        case 'D': {
          chain = next();
          const n = args[i];
          if (n !== undefined && /^\d+$/.test(n)) {
            ruleNum = Number(n);
            i++;
          }
          break;
        }
        case 'R': {
          chain = next();
          const n = next();
          if (!/^\d+$/.test(n)) throw usageError(`Invalid rule number \`${n}'`);
          ruleNum = Number(n);
          break;
        }
        case 'P':
          chain = next();
          opArg = next();
          break;
        case 'E':
          chain = next();
          opArg = next();
          break;
        case 'L': case 'S': case 'F': case 'Z': case 'X': {
          chain = optionalArg();
          if (chain !== undefined && (opLetter === 'L' || opLetter === 'S' || opLetter === 'Z')) {
            const n = args[i];
            if (n !== undefined && /^\d+$/.test(n)) {
              ruleNum = Number(n);
              i++;
            }
          }
          break;
        }
      }
      continue;
    }
    switch (tok) {
      case '-t': case '--table': {
        const t = next();
        if (!isTableName(t)) {
          throw new IptablesError(`iptables ${IPTABLES_VERSION}: can't initialize iptables table \`${t}': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.`, 3);
        }
        table = t;
        continue;
      }
      case '-n': case '--numeric': numeric = true; continue;
      case '-v': case '--verbose': verbose = true; continue;
      case '-x': case '--exact': exact = true; continue;
      case '--line-numbers': lineNumbers = true; continue;
      case '-w': case '--wait': optionalArg(); continue;
      case '-W': case '--wait-interval': next(); continue;
      case '-c': case '--set-counters': {
        const p = next();
        const b = next();
        if (!/^\d+$/.test(p) || !/^\d+$/.test(b)) throw usageError('-c packet counter not numeric');
        counters = { packets: Number(p), bytes: Number(b) };
        continue;
      }
      case '-s': case '--source': case '--src':
        src = parseAddrArg(next(), inv);
        ruleOptions = true;
        continue;
      case '-d': case '--destination': case '--dst':
        dst = parseAddrArg(next(), inv);
        ruleOptions = true;
        continue;
      case '-i': case '--in-interface':
        inIface = { name: next(), invert: inv };
        ruleOptions = true;
        continue;
      case '-o': case '--out-interface':
        outIface = { name: next(), invert: inv };
        ruleOptions = true;
        continue;
      case '-p': case '--protocol': {
        const v = next().toLowerCase();
        const num = /^\d+$/.test(v) ? Number(v) : PROTO_NUMBERS[v];
        if (num === undefined || num > 255) throw usageError(`unknown protocol "${v}" specified`);
        proto = { num, invert: inv };
        ruleOptions = true;
        continue;
      }
      case '-m': case '--match': {
        const name = next();
        if (!KNOWN_MODULES.has(name)) moduleParser(name, protoName); // throws "Couldn't load match"
        modules.push(moduleParser(name, protoName));
        ruleOptions = true;
        continue;
      }
      case '-j': case '--jump': case '-g': case '--goto': {
        if (targetName !== undefined) throw usageError('multiple -j flags not allowed');
        targetName = next();
        target = targetParser(targetName, tok === '-g' || tok === '--goto');
        ruleOptions = true;
        continue;
      }
    }
    if (tok.startsWith('-')) {
      let claimed = false;
      for (let m = modules.length - 1; m >= 0 && !claimed; m--) claimed = modules[m]!.take(tok, next, inv);
      if (!claimed && target) claimed = target.take(tok, next, inv);
      if (!claimed) {
        // The implicit protocol match: `-p tcp --dport 80` loads `tcp` here.
        const p = protoName();
        if ((p === 'tcp' || p === 'udp' || p === 'icmp') && !modules.some((m) => m.module === p)) {
          const implicit = moduleParser(p, protoName);
          if (implicit.take(tok, next, inv)) {
            modules.push(implicit);
            claimed = true;
          }
        }
      }
      if (!claimed) throw usageError(`unknown option "${tok}"`);
      ruleOptions = true;
      continue;
    }
    throw usageError(`Bad argument \`${tok}'`);
  }
  if (invert) throw usageError("no command specified after `!'");
  if (!op) throw usageError('no command specified');

  const needsSpec = op === 'A' || op === 'I' || op === 'R' || op === 'C' || (op === 'D' && ruleNum === undefined);
  if (!needsSpec && ruleOptions) throw usageError(`Illegal option \`-${rulesOptionLetter(args)}' with this command`);
  let spec: RuleSpec | undefined;
  if (needsSpec) {
    for (const m of modules) {
      if ((m.module === 'tcp' || m.module === 'udp' || m.module === 'icmp') && protoName() !== m.module) {
        // xtables refuses `-m tcp` without `-p tcp`.
        throw usageError(`${m.module} match: only valid for protocol ${PROTO_NUMBERS[m.module]}`);
      }
    }
    spec = {
      ...(src ? { src } : {}),
      ...(dst ? { dst } : {}),
      ...(inIface ? { inIface } : {}),
      ...(outIface ? { outIface } : {}),
      ...(proto && !(proto.num === 0 && !proto.invert) ? { proto } : {}),
      matches: modules.map((m) => m.build()),
      target: target ? target.build(proto && !proto.invert ? proto.num : undefined) : { kind: 'none' },
    };
  }
  return {
    table, op, numeric, verbose, exact, lineNumbers,
    ...(chain !== undefined ? { chain } : {}),
    ...(ruleNum !== undefined ? { ruleNum } : {}),
    ...(opArg !== undefined ? { arg: opArg } : {}),
    ...(spec ? { spec } : {}),
    ...(counters ? { counters } : {}),
  };
}

function rulesOptionLetter(args: readonly string[]): string {
  const opt = args.find((a) => ['-s', '-d', '-i', '-o', '-p', '-m', '-j', '-g'].includes(a));
  return opt ? opt.slice(1) : 'm';
}
