/**
 * IPv4 and MAC addresses as numbers: the packet path compares and hashes numbers, never strings. Dotted quads and
 * colon-separated MACs exist only at the edges (commands, traces, configuration).
 */

export type Ipv4 = number;
export type Mac = number;

export const BROADCAST_MAC: Mac = 0xffffffffffff;

/** `10.244.1.5` → 0x0af40105; undefined when it is not a dotted quad (four 1–3 digit parts, each ≤ 255). */
export function parseIpv4(text: string): Ipv4 | undefined {
  const len = text.length;
  let n = 0, part = 0, digits = 0, dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - 48);
    } else if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return (n * 256 + part) >>> 0;
}

export function ipv4(text: string): Ipv4 {
  const n = parseIpv4(text);
  if (n === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return n;
}

export function formatIpv4(n: Ipv4): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export interface Cidr {
  readonly addr: Ipv4;
  readonly prefix: number;
}

/** `10.244.1.0/24` → {addr, prefix}; a bare address is a /32. */
export function parseCidr(text: string): Cidr | undefined {
  const [a, p] = text.split('/');
  const addr = parseIpv4(a ?? '');
  if (addr === undefined) return undefined;
  const prefix = p === undefined ? 32 : /^\d{1,2}$/.test(p) ? Number(p) : NaN;
  if (!(prefix >= 0 && prefix <= 32)) return undefined;
  return { addr, prefix };
}

export function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`not an IPv4 CIDR: ${text}`);
  return c;
}

export function inCidr(addr: Ipv4, c: Cidr): boolean {
  const m = prefixMask(c.prefix);
  return ((addr & m) >>> 0) === ((c.addr & m) >>> 0);
}

export function networkOf(addr: Ipv4, prefix: number): Ipv4 {
  return (addr & prefixMask(prefix)) >>> 0;
}

export function broadcastOf(addr: Ipv4, prefix: number): Ipv4 {
  return (networkOf(addr, prefix) | (~prefixMask(prefix) >>> 0)) >>> 0;
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.addr)}/${c.prefix}`;
}

export function formatMac(mac: Mac): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const b = Math.floor(mac / 2 ** (8 * i)) % 256;
    s += (i < 5 ? ':' : '') + b.toString(16).padStart(2, '0');
  }
  return s;
}

export function parseMac(text: string): Mac | undefined {
  const parts = text.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + parseInt(p, 16), 0);
}

/** A locally administered unicast MAC from 6 random bytes (as the kernel's eth_random_addr does). */
export function randomMac(nextUint32: () => number): Mac {
  const hi = ((nextUint32() & 0xfeff) | 0x0200) & 0xffff; // clear multicast bit, set locally-administered bit
  return hi * 2 ** 32 + nextUint32();
}

/** IPv6 link-local address derived from a MAC (EUI-64), as `ip addr` prints it. */
export function linkLocalFromMac(mac: Mac): string {
  const b: number[] = [];
  for (let i = 5; i >= 0; i--) b.push(Math.floor(mac / 2 ** (8 * i)) % 256);
  const eui = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups: string[] = [];
  for (let i = 0; i < 8; i += 2) groups.push(((eui[i]! << 8) | eui[i + 1]!).toString(16));
  return `fe80::${groups.join(':')}`;
}
