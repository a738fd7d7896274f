/** IPv4 arithmetic on unsigned 32-bit integers (control-plane side: allocators and IPAM). */

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export interface Cidr {
  readonly text: string;
  readonly base: number;
  readonly bits: number;
  /** Number of addresses, network and broadcast included. */
  readonly size: number;
}

export function parseCidr(text: string): Cidr {
  const [ip, bitsText] = text.split('/');
  const bits = Number(bitsText);
  const n = ipToInt(ip ?? '');
  if (n === undefined || !(bits >= 0 && bits <= 32)) throw new Error(`invalid CIDR ${text}`);
  const size = 2 ** (32 - bits);
  const base = bits === 0 ? 0 : (n & ~(size - 1)) >>> 0;
  return { text, base, bits, size };
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + c.size;
}
