/** Byte writer/reader used only at the edges (pcap export, round-trip tests): the stack itself moves records. */

export class ByteWriter {
  #buf: Uint8Array;
  #len = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
  }

  get length(): number {
    return this.#len;
  }

  #ensure(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#buf[this.#len++] = v & 255;
    return this;
  }

  u16(v: number): this {
    this.#ensure(2);
    this.#buf[this.#len++] = (v >>> 8) & 255;
    this.#buf[this.#len++] = v & 255;
    return this;
  }

  u32(v: number): this {
    this.u16((v >>> 16) & 0xffff);
    return this.u16(v & 0xffff);
  }

  u16le(v: number): this {
    this.#ensure(2);
    this.#buf[this.#len++] = v & 255;
    this.#buf[this.#len++] = (v >>> 8) & 255;
    return this;
  }

  u32le(v: number): this {
    this.u16le(v & 0xffff);
    return this.u16le((v >>> 16) & 0xffff);
  }

  /** 48-bit MAC. */
  u48(v: number): this {
    this.u16(Math.floor(v / 2 ** 32) & 0xffff);
    return this.u32(v >>> 0);
  }

  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.#ensure(n);
    this.#buf.fill(0, this.#len, this.#len + n);
    this.#len += n;
    return this;
  }

  /** Overwrite a 16-bit field written earlier (lengths, checksums). */
  patch16(at: number, v: number): void {
    this.#buf[at] = (v >>> 8) & 255;
    this.#buf[at + 1] = v & 255;
  }

  view(from = 0, to = this.#len): Uint8Array {
    return this.#buf.subarray(from, to);
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

export class ParseError extends Error {}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  #need(n: number): void {
    if (this.pos + n > this.end) throw new ParseError(`truncated: need ${n} bytes at ${this.pos}`);
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.#need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  u32(): number {
    return ((this.u16() * 65536) + this.u16()) >>> 0;
  }

  u48(): number {
    return this.u16() * 2 ** 32 + this.u32();
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  sub(n: number): ByteReader {
    this.#need(n);
    const r = new ByteReader(this.buf, this.pos + n);
    r.pos = this.pos;
    this.pos += n;
    return r;
  }
}

/** RFC 1071 Internet checksum over `data`, seeded with a partial sum (pseudo-header). */
export function internetChecksum(data: Uint8Array, seed = 0): number {
  let sum = seed;
  const n = data.length;
  for (let i = 0; i + 1 < n; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (n & 1) sum += data[n - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** A UTF-16 code unit beyond ASCII. */
const NON_ASCII = /[^\x00-\x7f]/;

/** The longest text `utf8Length` reads character by character (a longer one is searched with a regular expression). */
export const SHORT_TEXT = 16;

export function utf8Length(text: string): number {
  // Fast path: ASCII text (HTTP heads, DNS names) is one byte per char. Reading a character costs about 26
  // instructions in optimized code (the string's representation is checked for each one), one regular expression
  // test about 280 and a few per character: short strings (methods, header names) are read in the loop, longer
  // ones (host names, paths, bodies) searched once.
  const n = text.length;
  if (n > SHORT_TEXT) return NON_ASCII.test(text) ? encoder.encode(text).length : n;
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) > 127) return encoder.encode(text).length;
  return n;
}

export function latin1(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

const utf8Decoder = new TextDecoder('utf-8');
export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}
