/** ARP for IPv4 over Ethernet (RFC 826): who-has requests are broadcast, is-at replies are unicast. */
import { formatIpv4, formatMac, type Ipv4, type Mac } from '../addr';
import { ByteReader, ByteWriter, ParseError } from './bytes';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;

export interface ArpPacket {
  readonly kind: 'arp';
  readonly op: number;
  readonly senderMac: Mac;
  readonly senderIp: Ipv4;
  readonly targetMac: Mac;
  readonly targetIp: Ipv4;
}

export function emitArp(w: ByteWriter, p: ArpPacket): void {
  w.u16(1).u16(0x0800).u8(6).u8(4).u16(p.op);
  w.u48(p.senderMac).u32(p.senderIp).u48(p.targetMac).u32(p.targetIp);
}

export function parseArp(r: ByteReader): ArpPacket {
  if (r.u16() !== 1 || r.u16() !== 0x0800 || r.u8() !== 6 || r.u8() !== 4) throw new ParseError('not IPv4-over-Ethernet ARP');
  const op = r.u16();
  return { kind: 'arp', op, senderMac: r.u48(), senderIp: r.u32(), targetMac: r.u48(), targetIp: r.u32() };
}

/** tcpdump -n text: `ARP, Request who-has 10.244.1.6 tell 10.244.1.5, length 28`. */
export function arpSummary(p: ArpPacket, length = 28): string {
  if (p.op === ARP_REQUEST) return `ARP, Request who-has ${formatIpv4(p.targetIp)} tell ${formatIpv4(p.senderIp)}, length ${length}`;
  if (p.op === ARP_REPLY) return `ARP, Reply ${formatIpv4(p.senderIp)} is-at ${formatMac(p.senderMac)}, length ${length}`;
  return `ARP, op ${p.op}, length ${length}`;
}
