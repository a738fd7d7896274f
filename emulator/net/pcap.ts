/**
 * pcap files (libpcap format 2.4, microsecond timestamps, little-endian) with link types EN10MB (an interface)
 * and LINUX_SLL2 (`-i any`). The VirtualFs stores text, so a capture file's bytes are stored one byte per char
 * (latin1): `pcapToFileText` / `pcapFromFileText` convert, and the app exports a file with `pcapFromFileText`.
 */
import { ByteReader, ByteWriter, ParseError } from './packet/bytes';
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, emitEthernet, parseEthernet, type EthernetFrame } from './packet/ethernet';
import { emitArp, parseArp, type ArpPacket } from './packet/arp';
import { emitIpv4, parseIpv4, type Ipv4Packet } from './packet/ipv4';
import type { Mac } from './addr';

export const LINKTYPE_EN10MB = 1;
export const LINKTYPE_LINUX_SLL2 = 276;
export const SNAPLEN = 262144;

export type SllPacketType = 'In' | 'B' | 'M' | 'P' | 'Out';
const SLL_TYPES: readonly SllPacketType[] = ['In', 'B', 'M', 'P', 'Out'];

export interface PcapRecord {
  /** Virtual ms since epoch (µs precision kept). */
  readonly time: number;
  readonly frame: EthernetFrame;
  /** LINUX_SLL2 only. */
  readonly ifindex?: number;
  readonly dir?: SllPacketType;
  readonly loopback?: boolean;
}

export interface PcapFile {
  readonly linktype: number;
  readonly snaplen: number;
  readonly records: readonly PcapRecord[];
}

function isArp(p: Ipv4Packet | ArpPacket): p is ArpPacket {
  return 'kind' in p && (p as ArpPacket).kind === 'arp';
}

function recordBytes(linktype: number, r: PcapRecord): Uint8Array {
  if (linktype === LINKTYPE_EN10MB) return emitEthernet(r.frame);
  const w = new ByteWriter(128);
  const p = r.frame.payload;
  w.u16(isArp(p) ? ETHERTYPE_ARP : ETHERTYPE_IPV4).u16(0).u32(r.ifindex ?? 0);
  w.u16(r.loopback ? 772 : 1).u8(SLL_TYPES.indexOf(r.dir ?? 'In')).u8(6).u48(r.frame.src).u16(0);
  if (isArp(p)) emitArp(w, p);
  else w.bytes(emitIpv4(p).view());
  return w.finish();
}

export function writePcap(file: PcapFile): Uint8Array {
  const w = new ByteWriter(4096);
  w.u32le(0xa1b2c3d4).u16le(2).u16le(4).u32le(0).u32le(0).u32le(file.snaplen).u32le(file.linktype);
  for (const r of file.records) {
    const bytes = recordBytes(file.linktype, r);
    const micros = Math.round(r.time * 1000);
    w.u32le(Math.floor(micros / 1e6)).u32le(micros % 1e6).u32le(bytes.length).u32le(bytes.length).bytes(bytes);
  }
  return w.finish();
}

class LeReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  u32(): number {
    if (this.pos + 4 > this.buf.length) throw new ParseError('truncated pcap');
    const b = this.buf;
    const v = (b[this.pos]! | (b[this.pos + 1]! << 8) | (b[this.pos + 2]! << 16) | (b[this.pos + 3]! << 24)) >>> 0;
    this.pos += 4;
    return v;
  }
  u16(): number {
    const b = this.buf;
    const v = b[this.pos]! | (b[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }
}

export function readPcap(bytes: Uint8Array): PcapFile {
  const r = new LeReader(bytes);
  if (r.u32() !== 0xa1b2c3d4) throw new ParseError('bad dump file format');
  r.u16();
  r.u16();
  r.u32();
  r.u32();
  const snaplen = r.u32();
  const linktype = r.u32();
  const records: PcapRecord[] = [];
  while (r.pos < bytes.length) {
    const sec = r.u32(), usec = r.u32(), incl = r.u32();
    r.u32();
    const data = bytes.subarray(r.pos, r.pos + incl);
    r.pos += incl;
    const time = (sec * 1e6 + usec) / 1000;
    if (linktype === LINKTYPE_EN10MB) {
      records.push({ time, frame: parseEthernet(data) });
      continue;
    }
    if (linktype !== LINKTYPE_LINUX_SLL2) throw new ParseError(`unsupported link type ${linktype}`);
    const br = new ByteReader(data);
    const proto = br.u16();
    br.u16();
    const ifindex = br.u32();
    const hatype = br.u16();
    const dir = SLL_TYPES[br.u8()] ?? 'In';
    br.u8();
    const src: Mac = br.u48();
    br.u16();
    const payload = proto === ETHERTYPE_ARP ? parseArp(br) : parseIpv4(data.subarray(20));
    records.push({ time, frame: { src, dst: 0, payload }, ifindex, dir, loopback: hatype === 772 });
  }
  return { linktype, snaplen, records };
}

/** Bytes → the string a VirtualFs stores (one char per byte). */
export function pcapToFileText(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return s;
}

/** The inverse of `pcapToFileText`: what the app writes to disk when the learner exports a capture. */
export function pcapFromFileText(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
  return out;
}

export function linktypeName(linktype: number): string {
  return linktype === LINKTYPE_EN10MB ? 'EN10MB (Ethernet)' : 'LINUX_SLL2 (Linux cooked v2)';
}
