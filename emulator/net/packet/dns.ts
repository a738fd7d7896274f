/**
 * DNS messages (RFC 1035) as records. The DNS server and resolvers (emulator/dns/) build and read these; the
 * wire form exists for UDP lengths (which tcpdump prints) and pcap. Names are stored without the trailing dot
 * (`web.default.svc.cluster.local`; the root is ``). `emitDns`/`parseDns` are exact inverses; emit compresses
 * names as real servers do, so lengths match theirs.
 */
import { parseIpv4, type Ipv4 } from '../addr';
import { ByteReader, ByteWriter, ParseError } from './bytes';

export const DNS_TYPES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;
export type DnsType = keyof typeof DNS_TYPES;
const TYPE_NAMES = new Map<number, DnsType>(Object.entries(DNS_TYPES).map(([k, v]) => [v, k as DnsType]));

export const DNS_CLASS_IN = 1;

export const DNS_RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type DnsRcodeName = keyof typeof DNS_RCODES;

export interface DnsQuestion {
  readonly name: string;
  readonly type: DnsType;
  readonly class: number;
}

export type DnsRdata =
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'AAAA'; readonly address: string }
  | { readonly type: 'CNAME' | 'NS' | 'PTR'; readonly target: string }
  | {
      readonly type: 'SRV';
      readonly priority: number;
      readonly weight: number;
      readonly port: number;
      readonly target: string;
    }
  | {
      readonly type: 'SOA';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    }
  | { readonly type: 'TXT'; readonly texts: readonly string[] }
  /** EDNS0 OPT pseudo-record: `class` carries the UDP payload size and `ttl` the extended flags. */
  | { readonly type: 'OPT'; readonly options: Uint8Array };

export interface DnsRecord {
  readonly name: string;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: DnsRdata;
}

export interface DnsMessage {
  readonly kind: 'dns';
  readonly id: number;
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly ad: boolean;
  readonly cd: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** A message with defaults for the flags not given (fields listed one by one: one object shape, no spread). */
export function dnsMessage(fields: Partial<DnsMessage> & { id: number }): DnsMessage {
  const f = fields;
  // Key order as the spread of the given fields over the defaults produced (it shows in JSON): id last.
  return {
    kind: 'dns', qr: f.qr ?? false, opcode: f.opcode ?? 0, aa: f.aa ?? false, tc: f.tc ?? false, rd: f.rd ?? false,
    ra: f.ra ?? false, ad: f.ad ?? false, cd: f.cd ?? false, rcode: f.rcode ?? 0,
    questions: f.questions ?? NONE, answers: f.answers ?? NONE,
    authority: f.authority ?? NONE, additional: f.additional ?? NONE,
    id: f.id,
  };
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * `dnsMessage` of a query (no flags but RD, no answers), positional: what a resolver builds for every question it
 * sends, without a field record per query. The same keys in the same order, so the same shape.
 */
export function queryMessage(id: number, rd: boolean, questions: readonly DnsQuestion[], additional: readonly DnsRecord[] | undefined): DnsMessage {
  return {
    kind: 'dns', qr: false, opcode: 0, aa: false, tc: false, rd, ra: false, ad: false, cd: false, rcode: 0,
    questions, answers: NONE, authority: NONE, additional: additional ?? NONE,
    id,
  };
}

// ---- IPv6 text (AAAA) ----

export function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 255;
  });
  return bytes;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(bytes: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestLen < 2) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

// ---- IPv4 text (A) ----

/**
 * The last text found to be a dotted quad and its address. Within one lookup the same string (a Service's
 * ClusterIP) is read three times: by the server that checks it before answering, by the wire length of the reply,
 * and by the client that connects to the address it got. Each read of it is a character loop (about 26 instructions
 * a character in optimized code); the last one that parsed is kept (one entry: nothing grows, a new address simply
 * replaces it).
 */
let lastQuadText = '0.0.0.0';
let lastQuad: Ipv4 = 0;

/**
 * Every text found to be a dotted quad, with its address: the first read of a lookup's address (the server's check of
 * a Service's ClusterIP) is of a string read before, by an earlier lookup of the same name (the view's string, kept
 * with the Service), and a map lookup by it (its hash computed once, kept in the string) costs about 80 instructions
 * where parsing it again cost about 510 on the HTTP bench, which cycles through 999 Services. Bounded: a full table
 * starts over.
 */
const quads = new Map<string, Ipv4>();
const MAX_QUADS = 4096;

/** `parseIpv4` of an address text (an A record's, a host's), the valid ones remembered. */
export function dottedQuad(text: string): Ipv4 | undefined {
  // Equal content parses the same, so an equal string that is not the same object is a hit too.
  if (text === lastQuadText) return lastQuad;
  // A dotted quad starts with a digit: a host name (what `isIPv4` mostly sees otherwise) is not looked up.
  const c = text.charCodeAt(0);
  if (!(c >= 48 && c <= 57)) return undefined;
  let n = quads.get(text);
  if (n === undefined) {
    n = parseIpv4(text);
    if (n === undefined) return undefined;
    if (quads.size >= MAX_QUADS) quads.clear();
    quads.set(text, n);
  }
  lastQuadText = text;
  lastQuad = n;
  return n;
}

// ---- wire format ----

class NameCompressor {
  readonly #offsets = new Map<string, number>();

  write(w: ByteWriter, name: string): void {
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.');
      const at = this.#offsets.get(suffix);
      if (at !== undefined) {
        w.u16(0xc000 | at);
        return;
      }
      if (w.length < 0x4000) this.#offsets.set(suffix, w.length);
      const label = labels[i]!;
      if (label.length === 0 || label.length > 63) throw new Error(`bad DNS label in ${JSON.stringify(name)}`);
      w.u8(label.length);
      for (let c = 0; c < label.length; c++) w.u8(label.charCodeAt(c));
    }
    w.u8(0);
  }
}

function writeRecord(w: ByteWriter, names: NameCompressor, rec: DnsRecord): void {
  const d = rec.rdata;
  names.write(w, rec.name);
  w.u16(DNS_TYPES[d.type]).u16(rec.class).u32(rec.ttl >>> 0);
  const lenAt = w.length;
  w.u16(0);
  const start = w.length;
  switch (d.type) {
    case 'A': {
      const parts = d.address.split('.').map(Number);
      for (const p of parts) w.u8(p);
      break;
    }
    case 'AAAA': {
      const b = parseIpv6(d.address);
      if (!b) throw new Error(`bad AAAA address ${d.address}`);
      w.bytes(b);
      break;
    }
    case 'CNAME':
    case 'NS':
    case 'PTR':
      names.write(w, d.target);
      break;
    case 'SRV':
      w.u16(d.priority).u16(d.weight).u16(d.port);
      names.write(w, d.target); // RFC 2782 forbids compression here, but real servers (CoreDNS) compress anyway
      break;
    case 'SOA':
      names.write(w, d.mname);
      names.write(w, d.rname);
      w.u32(d.serial).u32(d.refresh).u32(d.retry).u32(d.expire).u32(d.minimum);
      break;
    case 'TXT':
      for (const t of d.texts) {
        w.u8(t.length);
        for (let c = 0; c < t.length; c++) w.u8(t.charCodeAt(c));
      }
      break;
    case 'OPT':
      w.bytes(d.options);
      break;
  }
  w.patch16(lenAt, w.length - start);
}

export function emitDns(msg: DnsMessage, w = new ByteWriter(512)): Uint8Array {
  const base = w.length;
  if (base !== 0) throw new Error('emitDns writes a message from offset 0 (compression offsets)');
  const flags =
    (msg.qr ? 0x8000 : 0) |
    ((msg.opcode & 15) << 11) |
    (msg.aa ? 0x400 : 0) |
    (msg.tc ? 0x200 : 0) |
    (msg.rd ? 0x100 : 0) |
    (msg.ra ? 0x80 : 0) |
    (msg.ad ? 0x20 : 0) |
    (msg.cd ? 0x10 : 0) |
    (msg.rcode & 15);
  w.u16(msg.id).u16(flags).u16(msg.questions.length).u16(msg.answers.length);
  w.u16(msg.authority.length).u16(msg.additional.length);
  const names = new NameCompressor();
  for (const q of msg.questions) {
    names.write(w, q.name);
    w.u16(DNS_TYPES[q.type]).u16(q.class);
  }
  for (const r of msg.answers) writeRecord(w, names, r);
  for (const r of msg.authority) writeRecord(w, names, r);
  for (const r of msg.additional) writeRecord(w, names, r);
  return w.finish();
}

/**
 * Wire length of a message (what UDP carries and tcpdump prints in parentheses), counted without encoding: the
 * same walk as `emitDns`, with name compression reduced to its effect on length. A name is written up to its
 * longest label-aligned suffix shared with an earlier name of the message (then a 2-byte pointer), because the
 * compressor's table holds exactly every label-aligned suffix of every name written before (offsets < 0x4000).
 * Anything unusual (bad labels, oversized messages) is measured by encoding, so errors stay emitDns's.
 */
export function dnsWireLength(msg: DnsMessage): number {
  const n = countDns(msg);
  return n >= 0 ? n : emitDns(msg).length;
}

/** Length per `emitDns`, or -1 when the message needs the real encoder (invalid label, offsets past 0x4000). */
function countDns(msg: DnsMessage): number {
  // The compressor's table as names, made for this message: a name made for this lookup (young) is stored into it
  // without the write barrier's slow path that a long-lived table took (about 90 instructions per store, four a
  // lookup), for an allocation of a few words.
  const seen = new Array<string>(8);
  seenCount = 0;
  let len = 12;
  // Indexed loops, not for-of: sections are arrays of several kinds (literals, shared frozen empties, parsed), and
  // iterating them all from one site made V8 build an iterator per section.
  const questions = msg.questions;
  for (let i = 0; i < questions.length; i++) {
    // The first name of a message has nothing before it to share a suffix with: written whole (`nameLength` with no
    // name seen), without a call whose entry (its optional arguments, the module's variables) costs about 80
    // instructions, four times a lookup.
    const name = questions[i]!.name;
    let n: number;
    if (seenCount !== 0) n = nameLength(seen, name, false, seenCount, 0);
    else if (name.length === 0) n = 1;
    else if (validLabels(name)) {
      seen[seenCount++] = name;
      n = name.length + 2;
    } else return -1;
    if (n < 0) return -1;
    len += n + 4;
  }
  // Most sections are empty (a query has its question only, an answer no authority, a NODATA reply no answer): ten
  // of the twelve a lookup's four messages have. Their length is 0 without a call that loads the list's length again.
  const answers = msg.answers, authority = msg.authority, additional = msg.additional;
  const an = answers.length === 0 ? 0 : recordsLength(seen, answers);
  if (an < 0) return -1;
  const ns = authority.length === 0 ? 0 : recordsLength(seen, authority);
  if (ns < 0) return -1;
  const ar = additional.length === 0 ? 0 : recordsLength(seen, additional);
  if (ar < 0) return -1;
  len += an + ns + ar;
  // A name written past offset 0x4000 is not in the compressor's table: let the encoder decide. (Lengths only grow,
  // so a message that ends below 0x4000 wrote every name below it.)
  return len >= 0x4000 ? -1 : len;
}

/**
 * The last SOA record whose three names (owner, mname, rname) were found valid. Records are never mutated, and every
 * negative answer of a zone carries the same SOA record (one per serial): each NODATA reply would otherwise check
 * its three names again, each replacing the one name `validLabels` remembers (the lookup's question) with a native
 * search per name (about 300 instructions each).
 */
let lastValidSoa: DnsRecord | null = null;
/**
 * What `lastValidSoa`'s mname and rname share with the names written before them in the same record (the owner; the
 * owner and mname): the longest label-aligned suffix, found once. Every negative answer's SOA record writes
 * `ns.dns.<zone>` and `hostmaster.<zone>` after `<zone>`, and each found that tail again with a native `endsWith`
 * (about 270 instructions each, two per NODATA reply); only the names before the record still need comparing.
 */
let soaMnameShared = 0;
let soaRnameShared = 0;

/** Bytes of a section's records after the names seen so far, or -1. */
function recordsLength(seen: string[], recs: readonly DnsRecord[]): number {
  let len = 0;
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i]!;
    const checked = r === lastValidSoa;
    const before = seenCount;
    // A record owned by the message's first name (an answer to the question): a pointer to it, found without a call.
    const name = r.name;
    const first = before !== 0 ? seen[0]! : '';
    const n = first.length === name.length && before !== 0 && first === name ? 2 : nameLength(seen, name, checked, before, 0);
    if (n < 0) return -1;
    len += n + 10;
    const d = r.rdata;
    let rd: number;
    switch (d.type) {
      // The encoder writes a byte per dotted part: a valid address is four.
      case 'A': rd = dottedQuad(d.address) !== undefined ? 4 : dotCount(d.address) + 1; break;
      case 'AAAA':
        if (!parseIpv6(d.address)) return -1;
        rd = 16;
        break;
      case 'CNAME': case 'NS': case 'PTR': rd = nameLength(seen, d.target, false, seenCount, 0); break;
      case 'SRV': {
        const t = nameLength(seen, d.target, false, seenCount, 0);
        rd = t < 0 ? -1 : 6 + t;
        break;
      }
      case 'SOA': {
        if (checked) {
          // The names before the record are compared; what the record's own names share is known.
          const m = nameLength(seen, d.mname, true, before, soaMnameShared);
          rd = m + nameLength(seen, d.rname, true, before, soaRnameShared) + 20;
          break;
        }
        const m = nameLength(seen, d.mname, false, seenCount, 0);
        const rn = m < 0 ? -1 : nameLength(seen, d.rname, false, seenCount, 0);
        rd = rn < 0 ? -1 : m + rn + 20;
        if (rd >= 0) {
          lastValidSoa = r;
          soaMnameShared = sharedWith(d.mname, r.name, 0);
          soaRnameShared = sharedWith(d.rname, d.mname, sharedWith(d.rname, r.name, 0));
        }
        break;
      }
      case 'TXT':
        rd = 0;
        for (let t = 0; t < d.texts.length; t++) rd += 1 + d.texts[t]!.length;
        break;
      case 'OPT': rd = d.options.length; break;
      default: return -1;
    }
    if (rd < 0) return -1;
    len += rd;
  }
  return len;
}

function dotCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 46) n++;
  return n;
}

/** How many names the message being measured has in its table (`countDns`'s `seen`): counting is never nested. */
let seenCount = 0;

/**
 * Bytes `NameCompressor.write` emits for `name` after the names `seen` so far; adds it to them. -1: bad label
 * (`checked`: the name's labels are known valid). Only the first `before` names seen are compared when the caller
 * knows the longest suffix the name shares with the ones after them (`known`: see `soaMnameShared`).
 * The compressor's table holds every label-aligned suffix of every earlier name, so the name is written up to the
 * longest label-aligned suffix it shares with one of them. No suffix strings are cut: whole earlier names are
 * matched with `endsWith`, and a tail shared with part of an earlier name is compared character by character, only
 * where it could be longer than what the whole-name matches found (one character pair rules most of them out).
 */
function nameLength(seen: string[], name: string, checked: boolean, before: number, known: number): number {
  const nl = name.length;
  if (nl === 0) return 1;
  // A name already written (an answer owned by the question's name): one pointer, labels already checked.
  // (Lengths compared first: a string compare of two different strings is a call even when their lengths differ.)
  for (let k = 0; k < before; k++) {
    const m = seen[k]!;
    if (m.length === nl && m === name) return 2;
  }
  if (!checked && !validLabels(name)) return -1;
  let shared = known;
  for (let k = 0; k < before && shared < nl; k++) {
    const m = seen[k]!;
    const ml = m.length;
    if (ml > nl) {
      // This whole name ends an earlier one: a single pointer.
      if (m.charCodeAt(ml - nl - 1) === 46 && m.endsWith(name)) shared = nl;
    } else if (ml > shared && ml < nl && name.charCodeAt(nl - ml - 1) === 46 && name.endsWith(m)) {
      shared = ml; // an earlier whole name ends this one (the zone apex, a name asked before)
    }
  }
  for (let k = 0; k < before && shared < nl; k++) {
    const s = sharedTail(name, seen[k]!, shared);
    if (s > shared) shared = s;
  }
  seen[seenCount++] = name;
  return nl - shared + 2;
}

/**
 * The longest label-aligned suffix of `name` that `m` holds (as a whole name or a tail of it: what the compressor's
 * table has from `m`), or `atLeast` when it is not longer; as `nameLength` finds it over the names seen, for one name.
 */
function sharedWith(name: string, m: string, atLeast: number): number {
  const nl = name.length, ml = m.length;
  if (nl === 0 || ml === 0) return atLeast;
  if (ml >= nl) {
    if ((ml === nl ? m === name : m.charCodeAt(ml - nl - 1) === 46 && m.endsWith(name))) return nl;
  } else if (ml > atLeast && name.charCodeAt(nl - ml - 1) === 46 && name.endsWith(m)) atLeast = ml;
  const s = sharedTail(name, m, atLeast);
  return s > atLeast ? s : atLeast;
}

/**
 * Labels of 1..63 characters (what the encoder accepts). A name of at most 63 characters has no label longer than
 * that, so it only needs no empty label: no leading, trailing or doubled dot (one native search, no character loop).
 * The name last found valid is remembered (one entry, compared by content): a lookup's question is measured four
 * times in a row (its A and AAAA queries and replies), and the next lookup's name simply replaces it. Every name
 * found valid is also kept in a set: a stub resolver asks each name with one string for every lookup of it
 * (resolver.ts), so the first message of a lookup finds its question there (about 80 instructions, the string's hash
 * kept in it) instead of searching it again (the native search cost about 600 on the HTTP bench). Bounded: a full
 * set starts over.
 */
function validLabels(name: string): boolean {
  if (name === lastValidName) return true;
  if (!validNames.has(name)) {
    const nl = name.length;
    if (nl <= 63) {
      if (name.charCodeAt(0) === 46 || name.charCodeAt(nl - 1) === 46 || name.indexOf('..') >= 0) return false;
    } else {
      let labelAt = 0;
      for (let i = 0; i < nl; i++) {
        if (name.charCodeAt(i) !== 46) continue;
        if (i === labelAt || i - labelAt > 63) return false;
        labelAt = i + 1;
      }
      if (labelAt >= nl || nl - labelAt > 63) return false;
    }
    if (validNames.size >= MAX_VALID_NAMES) validNames.clear();
    validNames.add(name);
  }
  lastValidName = name;
  return true;
}

const validNames = new Set<string>();
const MAX_VALID_NAMES = 4096;
let lastValidName = 'a'; // a valid name to start with

/**
 * The longest suffix of `a` label-aligned in both `a` and `b` (both with valid labels), when it is longer than
 * `atLeast` (itself label-aligned in `a`, or 0); otherwise anything ≤ `atLeast`.
 */
function sharedTail(a: string, b: string, atLeast: number): number {
  const al = a.length, bl = b.length;
  // A longer aligned tail starts with a label of its own: it takes at least one character past `atLeast`'s dot.
  const need = atLeast === 0 ? 1 : atLeast + 2;
  if (need > bl || need > al || a.charCodeAt(al - need) !== b.charCodeAt(bl - need)) return 0;
  let i = al - 1, j = bl - 1, shared = 0;
  for (; i >= 0 && j >= 0; i--, j--) {
    const c = a.charCodeAt(i);
    if (c !== b.charCodeAt(j)) return shared;
    if (c === 46) shared = al - 1 - i; // the labels after this dot match in both
  }
  // One name ran out, matched to its start: it is shared whole when the other one has a label boundary there.
  if (i < 0) return j < 0 || b.charCodeAt(j) === 46 ? al : shared;
  return a.charCodeAt(i) === 46 ? al - 1 - i : shared;
}

function readName(r: ByteReader): string {
  const labels: string[] = [];
  let pos = r.pos;
  let jumped = false;
  let hops = 0;
  for (;;) {
    if (pos >= r.end) throw new ParseError('truncated DNS name');
    const len = r.buf[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= r.end) throw new ParseError('truncated DNS pointer');
      const target = ((len & 0x3f) << 8) | r.buf[pos + 1]!;
      if (!jumped) r.pos = pos + 2;
      jumped = true;
      if (++hops > 64 || target >= pos) throw new ParseError('DNS pointer loop');
      pos = target;
      continue;
    }
    if (len & 0xc0) throw new ParseError('bad DNS label type');
    pos++;
    if (len === 0) break;
    if (pos + len > r.end) throw new ParseError('truncated DNS label');
    let label = '';
    for (let i = 0; i < len; i++) label += String.fromCharCode(r.buf[pos + i]!);
    labels.push(label);
    pos += len;
  }
  if (!jumped) r.pos = pos;
  return labels.join('.');
}

function typeName(code: number): DnsType {
  const t = TYPE_NAMES.get(code);
  if (!t) throw new ParseError(`unsupported DNS type ${code}`);
  return t;
}

function readRecord(r: ByteReader): DnsRecord {
  const name = readName(r);
  const type = typeName(r.u16());
  const klass = r.u16();
  const ttl = r.u32();
  const len = r.u16();
  const end = r.pos + len;
  if (end > r.end) throw new ParseError('truncated DNS rdata');
  let rdata: DnsRdata;
  switch (type) {
    case 'A': {
      const b = r.bytes(4);
      rdata = { type, address: `${b[0]}.${b[1]}.${b[2]}.${b[3]}` };
      break;
    }
    case 'AAAA':
      rdata = { type, address: formatIpv6(r.bytes(16)) };
      break;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      rdata = { type, target: readName(r) };
      break;
    case 'SRV': {
      const priority = r.u16(), weight = r.u16(), port = r.u16();
      rdata = { type, priority, weight, port, target: readName(r) };
      break;
    }
    case 'SOA': {
      const mname = readName(r), rname = readName(r);
      rdata = { type, mname, rname, serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    }
    case 'TXT': {
      const texts: string[] = [];
      while (r.pos < end) {
        const n = r.u8();
        let t = '';
        for (const c of r.bytes(n)) t += String.fromCharCode(c);
        texts.push(t);
      }
      rdata = { type, texts };
      break;
    }
    case 'OPT':
      rdata = { type, options: r.bytes(len) };
      break;
    default:
      throw new ParseError(`unsupported DNS record type ${type}`);
  }
  if (r.pos !== end) throw new ParseError('DNS rdata length mismatch');
  return { name, class: klass, ttl, rdata };
}

export function parseDns(bytes: Uint8Array): DnsMessage {
  const r = new ByteReader(bytes);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qd; i++) {
    const name = readName(r);
    questions.push({ name, type: typeName(r.u16()), class: r.u16() });
  }
  const read = (n: number) => Array.from({ length: n }, () => readRecord(r));
  const answers = read(an), authority = read(ns), additional = read(ar);
  if (r.remaining !== 0) throw new ParseError('trailing bytes after DNS message');
  return {
    kind: 'dns',
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 15,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0,
    rcode: flags & 15,
    questions,
    answers,
    authority,
    additional,
  };
}

/** tcpdump's one-line DNS summary (without the `(len)` suffix), e.g. `5080+ [1au] A? web.default.svc.cluster.local.`. */
export function dnsSummary(msg: DnsMessage): string {
  const fq = (n: string) => (n === '' ? '.' : n + '.');
  if (!msg.qr) {
    let s = `${msg.id}${msg.rd ? '+' : ''}`;
    if (msg.additional.length) s += ` [${msg.additional.length}au]`;
    const q = msg.questions[0];
    if (q) s += ` ${q.type}? ${fq(q.name)}`;
    return s;
  }
  const rcodeNames = ['', 'FormErr', 'ServFail', 'NXDomain', 'NotImp', 'Refused'];
  let s = `${msg.id}`;
  const rc = rcodeNames[msg.rcode] ?? `Resp${msg.rcode}`;
  if (rc) s += ` ${rc}`;
  if (msg.aa) s += '*';
  if (!msg.ra) s += '-';
  s += ` ${msg.answers.length}/${msg.authority.length}/${msg.additional.length}`;
  for (const a of msg.answers) {
    const d = a.rdata;
    switch (d.type) {
      case 'A':
      case 'AAAA':
        s += ` ${d.type} ${d.address}`;
        break;
      case 'CNAME':
      case 'PTR':
      case 'NS':
        s += ` ${d.type} ${fq(d.target)}`;
        break;
      case 'SRV':
        s += ` SRV ${fq(d.target)}:${d.port} ${d.priority} ${d.weight}`;
        break;
      default:
        s += ` ${d.type}`;
    }
    s += ',';
  }
  if (msg.answers.length) s = s.slice(0, -1);
  return s;
}
