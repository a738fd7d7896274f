/** UDP datagrams. Ports live on the IPv4 packet record (netfilter matches and NAT rewrites them there). */
import { ByteReader, ByteWriter, ParseError } from './bytes';
import { dnsWireLength, emitDns, parseDns, type DnsMessage } from './dns';
import { rawData, type RawData } from './http';

export interface UdpDatagram {
  readonly kind: 'udp';
  readonly data: DnsMessage | RawData;
}

export function udpPayloadLength(d: UdpDatagram): number {
  return d.data.kind === 'dns' ? dnsWireLength(d.data) : d.data.byteLength;
}

export function udpLength(d: UdpDatagram): number {
  return 8 + udpPayloadLength(d);
}

export function emitUdp(w: ByteWriter, sport: number, dport: number, d: UdpDatagram): number {
  const start = w.length;
  const payload = d.data.kind === 'dns' ? emitDns(d.data) : d.data.bytes;
  w.u16(sport).u16(dport).u16(8 + payload.length).u16(0).bytes(payload);
  return start;
}

export interface ParsedUdp {
  sport: number;
  dport: number;
  datagram: UdpDatagram;
}

export function parseUdp(r: ByteReader, quoted = false): ParsedUdp {
  const sport = r.u16();
  const dport = r.u16();
  const len = r.u16();
  r.u16(); // checksum
  if (len < 8) throw new ParseError('bad UDP length');
  const avail = Math.min(len - 8, r.remaining);
  if (!quoted && avail !== len - 8) throw new ParseError('truncated UDP payload');
  const bytes = r.bytes(avail);
  let data: DnsMessage | RawData = rawData(bytes);
  if ((sport === 53 || dport === 53) && !quoted) {
    try {
      data = parseDns(bytes);
    } catch {
      data = rawData(bytes);
    }
  }
  return { sport, dport, datagram: { kind: 'udp', data } };
}
