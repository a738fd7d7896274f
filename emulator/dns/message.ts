/**
 * Helpers over the DNS message record of the packet layer (`emulator/net/packet/dns.ts`, names without the
 * trailing dot, the root is ``): building records and queries, rcode names, reverse names. The wire format
 * (lengths for tcpdump, pcap) stays in the packet layer.
 */
import type { DnsMessage, DnsQuestion, DnsRdata, DnsRecord, DnsType, DnsRcodeName } from '../net/packet/dns';
import { DNS_CLASS_IN, DNS_RCODES, DNS_TYPES, dottedQuad, queryMessage } from '../net/packet/dns';

export type { DnsMessage, DnsQuestion, DnsRecord, DnsRdata, DnsType, DnsRcodeName };

const RCODE_NAMES: DnsRcodeName[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RESERVED${rcode}`;
}

export function rcodeOf(name: DnsRcodeName): number {
  // Every answered query asks this: the two common names compared first (interned strings, a pointer compare each),
  // where reading the table with a computed key is a keyed-load stub call (about 80 instructions).
  if (name === 'NOERROR') return 0;
  if (name === 'NXDOMAIN') return 3;
  return DNS_RCODES[name];
}

export function parseDnsType(text: string): DnsType | undefined {
  const up = text.toUpperCase();
  return up !== 'OPT' && up in DNS_TYPES ? (up as DnsType) : undefined;
}

/** Ends with the root's dot (`web.`): a name to be taken exactly as it is. One character read, no native search. */
export function isAbsolute(name: string): boolean {
  return name.charCodeAt(name.length - 1) === 46;
}

/** `web.` / `web` → `web` (the packet layer's form); `.` → ``. */
export function relative(name: string): string {
  return isAbsolute(name) ? name.slice(0, -1) : name;
}

/**
 * `s` as a flat string of its own characters, for a name kept and compared for a long time. A cut of a longer string
 * (`relative`'s slice, a URL's host taken by a regular expression) is a view into that string, and V8's string
 * comparison stub leaves comparing a view with an equal-length string of other characters to a runtime call (about
 * 450 instructions: a resolver's question compared with the one asked before it, on the HTTP bench). Joining two
 * parts copies the characters into a new sequential string; a short string (under 13 characters) is never a view.
 */
export function flatString(s: string): string {
  return s.length < 13 ? s : [s.slice(0, 1), s.slice(1)].join('');
}

/** `web` → `web.` (how dig and tcpdump print names); `` → `.`. */
export function fqdn(name: string): string {
  return name === '' ? '.' : isAbsolute(name) ? name : name + '.';
}

export function rr(name: string, ttl: number, rdata: DnsRdata): DnsRecord {
  return { name, class: DNS_CLASS_IN, ttl, rdata };
}

export function aRecord(name: string, ttl: number, address: string): DnsRecord {
  return rr(name, ttl, { type: 'A', address });
}

/** A query as a stub resolver sends it: RD set; `edns` adds an OPT record (dig does, glibc does not). */
export function dnsQuery(id: number, name: string, type: DnsType, opts?: { rd?: boolean; ednsCookie?: Uint8Array }): DnsMessage {
  let additional: DnsRecord[] | undefined;
  const cookie = opts?.ednsCookie;
  if (cookie) {
    const options = new Uint8Array(4 + cookie.length);
    options[0] = 0; options[1] = 10; options[2] = 0; options[3] = cookie.length;
    options.set(cookie, 4);
    additional = [{ name: '', class: 1232, ttl: 0, rdata: { type: 'OPT', options } }];
  }
  return queryMessage(id, opts?.rd ?? true, [{ name: relative(name), type, class: DNS_CLASS_IN }], additional);
}

/** The OPT record of a message, if any (its `class` is the advertised UDP payload size). */
export function ednsOf(m: DnsMessage): DnsRecord | undefined {
  const additional = m.additional;
  for (let i = 0; i < additional.length; i++) if (additional[i]!.rdata.type === 'OPT') return additional[i];
  return undefined;
}

/** The address records of an answer (after any CNAMEs). */
export function addressesOf(m: DnsMessage | undefined, type: 'A' | 'AAAA' = 'A'): string[] {
  if (!m) return [];
  // Counted first, so the list is made at its size (pushing onto an empty list reserves seventeen slots).
  const answers = m.answers;
  let n = 0;
  for (let i = 0; i < answers.length; i++) if (answers[i]!.rdata.type === type) n++;
  const out = new Array<string>(n);
  for (let i = 0, k = 0; k < n; i++) {
    const d = answers[i]!.rdata;
    if (d.type === type) out[k++] = d.address;
  }
  return out;
}

/** `10.96.45.12` → `12.45.96.10.in-addr.arpa` */
export function reverseName(ip: string): string {
  return ip.split('.').reverse().join('.') + '.in-addr.arpa';
}

/** `12.45.96.10.in-addr.arpa` → `10.96.45.12`, or undefined when not a full IPv4 reverse name. */
export function ipFromReverseName(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.?$/i.exec(name);
  if (!m) return undefined;
  const parts = [m[4], m[3], m[2], m[1]].map(Number);
  return parts.every((x) => x <= 255) ? parts.join('.') : undefined;
}

export function isIPv4(s: string): boolean {
  return dottedQuad(s) !== undefined;
}
