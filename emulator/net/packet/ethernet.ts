/** Ethernet II frames: what NICs, veths and bridges move. */
import { ByteReader, ByteWriter, ParseError } from './bytes';
import { emitArp, parseArp, type ArpPacket } from './arp';
import { emitIpv4, parseIpv4, type Ipv4Packet } from './ipv4';
import type { Mac } from '../addr';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;

export interface EthernetFrame {
  readonly dst: Mac;
  readonly src: Mac;
  readonly payload: Ipv4Packet | ArpPacket;
}

export function ethertypeOf(f: EthernetFrame): number {
  return 'kind' in f.payload && f.payload.kind === 'arp' ? ETHERTYPE_ARP : ETHERTYPE_IPV4;
}

export function emitEthernet(f: EthernetFrame, w = new ByteWriter(128)): Uint8Array {
  w.u48(f.dst).u48(f.src).u16(ethertypeOf(f));
  const p = f.payload;
  if ('kind' in p && p.kind === 'arp') emitArp(w, p);
  else w.bytes(emitIpv4(p as Ipv4Packet).view());
  return w.finish();
}

export function parseEthernet(bytes: Uint8Array): EthernetFrame {
  const r = new ByteReader(bytes);
  const dst = r.u48();
  const src = r.u48();
  const type = r.u16();
  if (type === ETHERTYPE_ARP) return { dst, src, payload: parseArp(r) };
  if (type === ETHERTYPE_IPV4) return { dst, src, payload: parseIpv4(bytes.subarray(14)) };
  throw new ParseError(`unsupported ethertype 0x${type.toString(16)}`);
}
