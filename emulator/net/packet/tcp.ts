/**
 * TCP segments. Ports and flags live on the IPv4 packet record (they are what netfilter matches and NAT rewrites);
 * the segment holds the rest of the header and the stream data.
 */
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../netfilter/hook-api';
import { ByteReader, ByteWriter, ParseError } from './bytes';
import { emitStreamData, parseStreamData, type StreamData } from './http';

export const TCP_URG = 0x20;

export type TcpOption =
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'sackOK' }
  /** `val`, `ecr`: 32-bit, signed (the stack's own) or unsigned (parsed), as a segment's seq/ack. */
  | { readonly kind: 'ts'; readonly val: number; readonly ecr: number }
  | { readonly kind: 'nop' }
  | { readonly kind: 'wscale'; readonly shift: number }
  | { readonly kind: 'eol' };

export interface TcpSegment {
  readonly kind: 'tcp';
  /**
   * The 32-bit sequence and acknowledgment numbers: the stack's own segments hold them as signed int32 (V8 keeps
   * those unboxed), parsed ones unsigned. Read them with `>>> 0`, compare them after `| 0`.
   */
  seq: number;
  ack: number;
  window: number;
  urgent: number;
  options: readonly TcpOption[];
  data: StreamData | null;
}

/**
 * The option records every segment of the stack shares (records carry no state of their own and lists are never
 * mutated): NOP and SACK-permitted, one record each for every list. `tcpOptionsLength` recognises the stack's two
 * lists by them, by identity.
 */
export const NOP_OPTION: TcpOption = { kind: 'nop' };
export const SACK_OK_OPTION: TcpOption = { kind: 'sackOK' };

/**
 * Bytes of the options with their padding. The stack's own lists are known by their shared records at their places,
 * with one `kind` read: NOP, NOP, timestamps (12 bytes: every segment after the handshake) and MSS, SACK-permitted,
 * timestamps, NOP, window scale (20: a SYN or SYN-ACK). Counting reads `kind` of every option, a lookup that has
 * seen every option's shape (a cache probe each), and a one-entry memo missed as soon as two connections took turns.
 * Kept small so that it inlines where a packet's length is taken; other lists are measured by `otherOptionsLength`.
 */
export function tcpOptionsLength(options: readonly TcpOption[]): number {
  const n = options.length;
  if (n === 3 && options[0] === NOP_OPTION && options[1] === NOP_OPTION && options[2]!.kind === 'ts') return 12;
  if (n === 5 && options[1] === SACK_OK_OPTION && options[3] === NOP_OPTION && options[0]!.kind === 'mss' && options[2]!.kind === 'ts' && options[4]!.kind === 'wscale') return 20;
  return otherOptionsLength(options);
}

// A parsed list's length: the last one is kept (a capture re-reads the same segment).
let lastOptions: readonly TcpOption[] | null = null;
let lastOptionsLength = 0;

function otherOptionsLength(options: readonly TcpOption[]): number {
  if (options === lastOptions) return lastOptionsLength;
  const len = countOptionsLength(options);
  lastOptions = options;
  lastOptionsLength = len;
  return len;
}

function countOptionsLength(options: readonly TcpOption[]): number {
  let n = 0;
  for (const o of options) {
    switch (o.kind) {
      case 'mss': n += 4; break;
      case 'sackOK': n += 2; break;
      case 'ts': n += 10; break;
      case 'wscale': n += 3; break;
      default: n += 1;
    }
  }
  return (n + 3) & ~3;
}

export function tcpHeaderLength(seg: TcpSegment): number {
  return 20 + tcpOptionsLength(seg.options);
}

export function tcpLength(seg: TcpSegment): number {
  return tcpHeaderLength(seg) + (seg.data ? seg.data.byteLength : 0);
}

/** tcpdump's `Flags [S.]` letters, in its order: F S R P U . (ACK). */
export function tcpFlagsText(flags: number): string {
  let s = '';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ACK) s += '.';
  return s === '' ? 'none' : s;
}

export function emitTcpHeader(
  w: ByteWriter,
  sport: number,
  dport: number,
  flags: number,
  seg: TcpSegment,
): number {
  const start = w.length;
  const optLen = tcpOptionsLength(seg.options);
  w.u16(sport).u16(dport).u32(seg.seq >>> 0).u32(seg.ack >>> 0);
  w.u8(((20 + optLen) / 4) << 4).u8(flags & 0xff).u16(seg.window).u16(0).u16(seg.urgent);
  let n = 0;
  for (const o of seg.options) {
    switch (o.kind) {
      case 'mss': w.u8(2).u8(4).u16(o.value); n += 4; break;
      case 'sackOK': w.u8(4).u8(2); n += 2; break;
      case 'ts': w.u8(8).u8(10).u32(o.val >>> 0).u32(o.ecr >>> 0); n += 10; break;
      case 'wscale': w.u8(3).u8(3).u8(o.shift); n += 3; break;
      case 'nop': w.u8(1); n += 1; break;
      case 'eol': w.u8(0); n += 1; break;
    }
  }
  w.zeros(optLen - n);
  return start;
}

export function emitTcpPayload(w: ByteWriter, seg: TcpSegment): void {
  if (seg.data) w.bytes(emitStreamData(seg.data));
}

export interface ParsedTcp {
  sport: number;
  dport: number;
  flags: number;
  segment: TcpSegment;
}

/** Parse a TCP header and payload; `r` spans exactly the segment (or a quoted prefix of it). */
export function parseTcp(r: ByteReader, quoted = false): ParsedTcp {
  const sport = r.u16();
  const dport = r.u16();
  const seq = r.u32();
  const ack = r.u32();
  const off = r.u8() >> 4;
  const flags = r.u8();
  const window = r.u16();
  r.u16(); // checksum: recomputed on emit
  const urgent = r.u16();
  if (off < 5) throw new ParseError('bad TCP data offset');
  const options: TcpOption[] = [];
  const optEnd = r.pos + (off - 5) * 4;
  if (optEnd > r.end) {
    if (!quoted) throw new ParseError('truncated TCP options');
  } else {
    while (r.pos < optEnd) {
      const kind = r.u8();
      if (kind === 0) {
        r.pos = optEnd; // EOL: the rest is padding
        break;
      }
      if (kind === 1) { options.push({ kind: 'nop' }); continue; }
      const len = r.u8();
      if (kind === 2 && len === 4) options.push({ kind: 'mss', value: r.u16() });
      else if (kind === 4 && len === 2) options.push({ kind: 'sackOK' });
      else if (kind === 8 && len === 10) options.push({ kind: 'ts', val: r.u32(), ecr: r.u32() });
      else if (kind === 3 && len === 3) options.push({ kind: 'wscale', shift: r.u8() });
      else throw new ParseError(`unsupported TCP option ${kind}`);
    }
  }
  const rest = r.pos < r.end ? r.bytes(r.end - r.pos) : undefined;
  const data = rest && rest.length > 0 ? parseStreamData(rest) : null;
  return { sport, dport, flags, segment: { kind: 'tcp', seq, ack, window, urgent, options, data } };
}
