/**
 * Packets as tcpdump -n prints them (format reference: tool-output-formats.md §3). Used by the tcpdump command and
 * by packet traces (which print absolute sequence numbers).
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../netfilter/hook-api';
import { formatIpv4 } from './addr';
import { arpSummary, type ArpPacket } from './packet/arp';
import { internetChecksum } from './packet/bytes';
import { dnsSummary } from './packet/dns';
import { httpStartLine } from './packet/http';
import { icmpSummary } from './packet/icmp';
import { emitIpv4, type Ipv4Packet } from './packet/ipv4';
import { tcpFlagsText, type TcpOption } from './packet/tcp';
import { udpPayloadLength } from './packet/udp';

/** tcpdump's relative sequence numbers (print-tcp.c): an entry per conversation, made by its first ACK-bearing packet. */
export class TcpSeqTracker {
  readonly #conv = new Map<string, { fwd: string; seq: number; ack: number }>();

  /** Returns [seq, ack] as tcpdump prints them. */
  relative(p: Ipv4Packet, seq: number, ack: number): [number, number] {
    if (!(p.tcpFlags & TCP_ACK)) return [seq, ack];
    const a = `${p.src}.${p.sport}`, b = `${p.dst}.${p.dport}`;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const e = this.#conv.get(key);
    if (!e || p.tcpFlags & TCP_SYN) {
      this.#conv.set(key, { fwd: a, seq, ack: (ack - 1) >>> 0 });
      return [seq, ack];
    }
    return e.fwd === a ? [(seq - e.seq) >>> 0, (ack - e.ack) >>> 0] : [(seq - e.ack) >>> 0, (ack - e.seq) >>> 0];
  }
}

const HTTP_PORTS = new Set([80, 8080, 3128]);

function optionsText(options: readonly TcpOption[]): string {
  return options
    .map((o) => {
      switch (o.kind) {
        case 'mss': return `mss ${o.value}`;
        case 'sackOK': return 'sackOK';
        case 'ts': return `TS val ${o.val >>> 0} ecr ${o.ecr >>> 0}`;
        case 'wscale': return `wscale ${o.shift}`;
        case 'nop': return 'nop';
        case 'eol': return 'eol';
      }
    })
    .join(',');
}

export interface FormatOptions {
  readonly verbose?: boolean;
  /** Relative sequence numbers as tcpdump does per capture; absent = absolute. */
  readonly seq?: TcpSeqTracker;
}

function protoName(proto: number): string {
  return proto === 6 ? 'TCP' : proto === 17 ? 'UDP' : proto === 1 ? 'ICMP' : `unknown`;
}

/** The part after `IP ` / before it when verbose: `10.244.1.5.38782 > 10.96.45.12.80: Flags [S], …`. */
export function formatIpv4Body(p: Ipv4Packet, opts: FormatOptions = {}): string {
  const src = formatIpv4(p.src), dst = formatIpv4(p.dst);
  const l4 = p.l4;
  switch (l4.kind) {
    case 'tcp': {
      const dataLen = l4.data ? l4.data.byteLength : 0;
      let s = `${src}.${p.sport} > ${dst}.${p.dport}: Flags [${tcpFlagsText(p.tcpFlags)}]`;
      if (opts.verbose) {
        const bytes = emitIpv4(p).view();
        const ck = (bytes[36]! << 8) | bytes[37]!;
        s += `, cksum 0x${ck.toString(16).padStart(4, '0')} (correct)`;
      }
      const [seq, ack] = opts.seq ? opts.seq.relative(p, l4.seq >>> 0, l4.ack >>> 0) : [l4.seq >>> 0, l4.ack >>> 0];
      if (dataLen > 0 || p.tcpFlags & (TCP_SYN | TCP_FIN | TCP_RST)) {
        s += `, seq ${seq}`;
        if (dataLen > 0) s += `:${(seq + dataLen) >>> 0}`;
      }
      if (p.tcpFlags & TCP_ACK) s += `, ack ${ack}`;
      s += `, win ${l4.window}`;
      if (l4.options.length) s += `, options [${optionsText(l4.options)}]`;
      s += `, length ${dataLen}`;
      if (dataLen > 0 && l4.data && l4.data.kind !== 'raw' && (HTTP_PORTS.has(p.sport) || HTTP_PORTS.has(p.dport))) {
        s += `: HTTP: ${httpStartLine(l4.data)}`;
      }
      return s;
    }
    case 'udp': {
      const head = `${src}.${p.sport} > ${dst}.${p.dport}: `;
      if (l4.data.kind === 'dns') return head + `${dnsSummary(l4.data)} (${udpPayloadLength(l4)})`;
      return head + `UDP, length ${udpPayloadLength(l4)}`;
    }
    case 'icmp':
      return `${src} > ${dst}: ${icmpSummary(p.icmpType, p.icmpCode, l4)}`;
    case 'raw-l4':
      return `${src} > ${dst}: ip-proto-${p.proto} ${l4.data.byteLength}`;
  }
}

/** `IP …` line (one line, or two when verbose). */
export function formatIpv4Line(p: Ipv4Packet, opts: FormatOptions = {}): string {
  if (!opts.verbose) return `IP ${formatIpv4Body(p, opts)}`;
  const flags = p.df ? 'DF' : 'none';
  return (
    `IP (tos 0x${p.tos.toString(16)}, ttl ${p.ttl}, id ${p.id}, offset 0, flags [${flags}], ` +
    `proto ${protoName(p.proto)} (${p.proto}), length ${p.length})\n    ${formatIpv4Body(p, opts)}`
  );
}

export function formatFrameLine(payload: Ipv4Packet | ArpPacket, opts: FormatOptions = {}): string {
  if ('kind' in payload && payload.kind === 'arp') return arpSummary(payload);
  return formatIpv4Line(payload as Ipv4Packet, opts);
}

/** `10.244.1.5:38782 > 10.96.45.12:80` (ports omitted for ICMP), for NAT before/after in traces. */
export function formatTuple(p: { src: number; dst: number; sport: number; dport: number; proto: number }): string {
  if (p.proto === 6 || p.proto === 17) return `${formatIpv4(p.src)}:${p.sport} > ${formatIpv4(p.dst)}:${p.dport}`;
  return `${formatIpv4(p.src)} > ${formatIpv4(p.dst)}`;
}

/** `HH:MM:SS.micro` (UTC) from virtual ms. */
export function formatTimestamp(ms: number): string {
  const micros = Math.round(ms * 1000);
  const dayMicros = ((micros % 86_400_000_000) + 86_400_000_000) % 86_400_000_000;
  const totalSec = Math.floor(dayMicros / 1_000_000);
  const us = dayMicros % 1_000_000;
  const h = Math.floor(totalSec / 3600), m = Math.floor((totalSec % 3600) / 60), s = totalSec % 60;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(h)}:${p2(m)}:${p2(s)}.${String(us).padStart(6, '0')}`;
}

/** `-A`: the IP packet's bytes, printable ASCII kept, newline/tab passed through, the rest as `.`. */
export function asciiDump(p: Ipv4Packet): string {
  const bytes = emitIpv4(p).view();
  let s = '';
  for (const b of bytes) s += b === 10 || b === 9 ? String.fromCharCode(b) : b >= 32 && b < 127 ? String.fromCharCode(b) : '.';
  return s;
}

export { internetChecksum };
