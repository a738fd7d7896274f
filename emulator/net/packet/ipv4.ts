/**
 * IPv4 packets. The record extends netfilter's `NfPacket` so the stack hands the same object to the hooks and NAT
 * rewrites it in place; protocol payloads are typed records (TCP segment, UDP datagram, ICMP message).
 */
import type { NfPacket } from '../../netfilter/hook-api';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../netfilter/hook-api';
import { ByteReader, ByteWriter, ParseError, internetChecksum } from './bytes';
import { icmpLength, type IcmpMessage } from './icmp';
import { emitTcpHeader, emitTcpPayload, parseTcp, tcpLength, type TcpSegment } from './tcp';
import { emitUdp, parseUdp, udpLength, type UdpDatagram } from './udp';
import { rawData, type RawData } from './http';

export interface RawL4 {
  readonly kind: 'raw-l4';
  readonly data: RawData;
}

export type L4 = TcpSegment | UdpDatagram | IcmpMessage | RawL4;

export interface Ipv4Packet extends NfPacket {
  /** Network-wide packet id (a packet keeps it while forwarded), for traces. 0 for parsed packets. */
  pid: number;
  /** The request this packet belongs to (set by the tool that started it), 0 for background traffic. */
  reqId: number;
  tos: number;
  id: number;
  df: boolean;
  ttl: number;
  l4: L4;
}

export function l4Length(l4: L4): number {
  switch (l4.kind) {
    case 'tcp': return tcpLength(l4);
    case 'udp': return udpLength(l4);
    case 'icmp': return icmpLength(l4);
    case 'raw-l4': return l4.data.byteLength;
  }
}

export interface PacketFields {
  src: number;
  dst: number;
  proto: number;
  sport?: number;
  dport?: number;
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  tos?: number;
  reqId?: number;
  pid?: number;
  l4: L4;
}

/** Build a packet record with every field present (one object shape on the hot path). */
export function makePacket(f: PacketFields): Ipv4Packet {
  return packetOf(f.src, f.dst, f.proto, f.sport ?? 0, f.dport ?? 0, f.tcpFlags ?? 0, f.icmpType ?? 0, f.icmpCode ?? 0,
    f.l4, f.ttl ?? 64, f.df ?? true, f.id ?? 0, f.tos ?? 0, f.reqId ?? 0, f.pid ?? 0);
}

/** `makePacket` with positional fields: what the stack's senders use, so no field record is built per packet. */
export function packetOf(
  src: number, dst: number, proto: number, sport: number, dport: number, tcpFlags: number, icmpType: number,
  icmpCode: number, l4: L4, ttl: number, df: boolean, id: number, tos: number, reqId: number, pid: number,
): Ipv4Packet {
  return packetOfLength(src >>> 0, dst >>> 0, proto, sport, dport, tcpFlags, icmpType, icmpCode, l4, 20 + l4Length(l4), ttl, df, id, tos, reqId, pid);
}

/**
 * `packetOf` with the packet's length given (`length`: the IP header's 20 bytes and `l4Length(l4)`), for a sender
 * that knows its payload's size without measuring it: a TCP socket builds its segments' option lists itself.
 * `src` and `dst` are stored as given: uint32 values (`packetOf` makes them so), such as a socket's addresses, which
 * came from packets and routes. An address beyond 2^31 is then the number object the socket holds, where `>>> 0`
 * made a new one for every packet (16 bytes; two a packet between the laptop and a load balancer's public address).
 */
export function packetOfLength(
  src: number, dst: number, proto: number, sport: number, dport: number, tcpFlags: number, icmpType: number,
  icmpCode: number, l4: L4, length: number, ttl: number, df: boolean, id: number, tos: number, reqId: number, pid: number,
): Ipv4Packet {
  return {
    src,
    dst,
    proto,
    sport,
    dport,
    tcpFlags,
    icmpType,
    icmpCode,
    length,
    mark: 0,
    inIface: '',
    outIface: '',
    embedded: l4.kind === 'icmp' && l4.original ? l4.original : undefined,
    nfct: undefined,
    ctinfo: 0,
    pid,
    reqId,
    tos,
    id,
    df,
    ttl,
    l4,
  };
}

/**
 * Every packet record comes from the literal in `packetOf`, one shape whose fields the engine stores by the kinds
 * of values it has seen in them. An address beyond 2^31 (172.16/12, 192.168/16) is not a small integer: after one
 * such packet, `src` and `dst` would be kept unboxed in every packet, and each packet would allocate a number box
 * per address, and each read that passes an address on (conntrack, sockets) another, even for the 10.x addresses
 * that need none. Showing the shape a record without addresses (null) first makes both fields plain references:
 * small integers are stored as they are, and only a large address is boxed, once, when stored.
 */
const unaddressed = packetOf(0, 0, 0, 0, 0, 0, 0, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) }, 0, false, 0, 0, 0, 0);
(unaddressed as { src: number | null; dst: number | null }).src = null;
(unaddressed as { src: number | null; dst: number | null }).dst = null;

/** A header copy for captures, quotes and traces: later NAT on the original does not change it. */
export function clonePacket(p: Ipv4Packet): Ipv4Packet {
  const c = { ...p };
  if (p.embedded) c.embedded = p.l4.kind === 'icmp' && p.l4.original ? p.l4.original : { ...p.embedded };
  if (p.l4.kind === 'icmp' && p.l4.original) {
    const original = clonePacket(p.l4.original);
    c.l4 = { ...p.l4, original };
    c.embedded = original;
  }
  return c;
}

function pseudoHeaderSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

/** Emit the packet (up to `limit` bytes, for ICMP quotes) with correct checksums. */
export function emitIpv4(p: Ipv4Packet, w = new ByteWriter(128), limit = Infinity): ByteWriter {
  const start = w.length;
  const body = new ByteWriter(64);
  switch (p.l4.kind) {
    case 'tcp': {
      emitTcpHeader(body, p.sport, p.dport, p.tcpFlags, p.l4);
      emitTcpPayload(body, p.l4);
      body.patch16(16, internetChecksum(body.view(), pseudoHeaderSum(p.src, p.dst, 6, body.length)));
      break;
    }
    case 'udp': {
      emitUdp(body, p.sport, p.dport, p.l4);
      let ck = internetChecksum(body.view(), pseudoHeaderSum(p.src, p.dst, 17, body.length));
      if (ck === 0) ck = 0xffff;
      body.patch16(6, ck);
      break;
    }
    case 'icmp': {
      const m = p.l4;
      body.u8(p.icmpType).u8(p.icmpCode).u16(0);
      if (m.original) {
        body.u32(0);
        const quoted = emitIpv4(m.original).view();
        body.bytes(quoted.subarray(0, Math.min(m.quotedLength, quoted.length)));
        if (quoted.length < m.quotedLength) body.zeros(m.quotedLength - quoted.length);
      } else {
        body.u16(m.id).u16(m.seq);
        // ping's payload: a timestamp then bytes counting up; the content is not shown by any tool we emulate.
        for (let i = 0; i < m.dataLength; i++) body.u8(i & 255);
      }
      body.patch16(2, internetChecksum(body.view()));
      break;
    }
    case 'raw-l4':
      body.bytes(p.l4.data.bytes);
      break;
  }
  const total = 20 + body.length;
  w.u8(0x45).u8(p.tos).u16(total).u16(p.id).u16(p.df ? 0x4000 : 0).u8(p.ttl).u8(p.proto).u16(0);
  w.u32(p.src).u32(p.dst);
  w.patch16(start + 10, internetChecksum(w.view(start, start + 20)));
  w.bytes(body.view());
  if (limit < Infinity && w.length - start > limit) {
    const cut = w.view(start, start + limit).slice();
    const out = new ByteWriter(limit);
    out.bytes(cut);
    return out;
  }
  return w;
}

export function emitIpv4Bytes(p: Ipv4Packet): Uint8Array {
  return emitIpv4(p).finish();
}

/** Parse an IPv4 packet. `quoted` accepts a truncated packet (the quote inside an ICMP error). */
export function parseIpv4(bytes: Uint8Array, quoted = false): Ipv4Packet {
  const r = new ByteReader(bytes);
  const vihl = r.u8();
  if (vihl >> 4 !== 4) throw new ParseError('not IPv4');
  const ihl = (vihl & 15) * 4;
  if (ihl !== 20) throw new ParseError('IPv4 options are not supported');
  const tos = r.u8();
  const total = r.u16();
  const id = r.u16();
  const frag = r.u16();
  const ttl = r.u8();
  const proto = r.u8();
  r.u16();
  const src = r.u32();
  const dst = r.u32();
  if (total < 20 || (!quoted && total !== bytes.length)) throw new ParseError(`IPv4 length ${total} vs ${bytes.length} bytes`);
  const body = new ByteReader(bytes, Math.min(total, bytes.length));
  body.pos = 20;
  let l4: L4;
  let sport = 0, dport = 0, tcpFlags = 0, icmpType = 0, icmpCode = 0;
  if (proto === IPPROTO_TCP) {
    const t = parseTcp(body, quoted);
    ({ sport, dport } = t);
    tcpFlags = t.flags;
    l4 = t.segment;
  } else if (proto === IPPROTO_UDP) {
    const u = parseUdp(body, quoted);
    ({ sport, dport } = u);
    l4 = u.datagram;
  } else if (proto === IPPROTO_ICMP) {
    icmpType = body.u8();
    icmpCode = body.u8();
    body.u16();
    if (icmpType === 0 || icmpType === 8) {
      const idv = body.u16();
      const seq = body.u16();
      const dataLength = body.remaining;
      body.bytes(dataLength);
      l4 = { kind: 'icmp', id: idv, seq, dataLength, original: null, quotedLength: 0 };
      sport = dport = idv;
    } else {
      body.u32();
      const quotedBytes = body.bytes(body.remaining);
      const original = parseIpv4(quotedBytes, true);
      l4 = { kind: 'icmp', id: 0, seq: 0, dataLength: 0, original, quotedLength: quotedBytes.length };
    }
  } else {
    l4 = { kind: 'raw-l4', data: rawData(body.bytes(body.remaining)) };
  }
  const p = makePacket({ src, dst, proto, sport, dport, tcpFlags, icmpType, icmpCode, ttl, id, tos, df: (frag & 0x4000) !== 0, l4 });
  if (quoted) p.length = total;
  return p;
}
