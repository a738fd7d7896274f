/**
 * HTTP/1.1 messages as TCP payload records. The stack carries the record; `byteLength` is the size the message
 * would have on the wire (it moves TCP sequence numbers), and `emitHttp`/`parseHttp` are exact inverses for pcap.
 */
import { SHORT_TEXT, utf8, utf8Length, fromUtf8 } from './bytes';

export type HttpHeaders = ReadonlyArray<readonly [string, string]>;

export interface HttpRequest {
  readonly kind: 'http-request';
  readonly method: string;
  readonly target: string;
  readonly version: string;
  readonly headers: HttpHeaders;
  readonly body: string;
  readonly byteLength: number;
}

export interface HttpResponse {
  readonly kind: 'http-response';
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: HttpHeaders;
  readonly body: string;
  readonly byteLength: number;
}

/** Opaque stream bytes (a payload that is not HTTP, or a fragment). */
export interface RawData {
  readonly kind: 'raw';
  readonly bytes: Uint8Array;
  readonly byteLength: number;
}

export type StreamData = HttpRequest | HttpResponse | RawData;

/**
 * The short strings of the last head measured and their UTF-8 lengths, by place: the start line's three fields,
 * then each header's name and value. A client sends the same method, version and header names, and mostly the same
 * values, request after request (curl: GET, HTTP/1.1, Host, User-Agent, Accept), as the same string objects: a short
 * string the last head had at the same place is not read again (utf8Length reads one character by character, about
 * 26 instructions a character in optimized code, the string's representation checked for each one). Longer strings
 * are the ones that change per request (a Host value of a client cycling through names): comparing one with the last
 * would cost a string comparison, often a runtime call for a substring; they are found by string instead
 * (`longLength`). Fixed places, one string each: nothing grows.
 */
const HEAD_PLACES = 16;
const headStrings: string[] = new Array<string>(HEAD_PLACES).fill('');
const headByteLengths: number[] = new Array<number>(HEAD_PLACES).fill(0);

function placedLength(place: number, s: string): number {
  if (place >= HEAD_PLACES || s.length > SHORT_TEXT) return longLength(s);
  // Equal content gives the same length, so a string equal to the kept one (not the same object) is a hit too.
  if (headStrings[place] === s) return headByteLengths[place]!;
  const n = utf8Length(s);
  headStrings[place] = s;
  headByteLengths[place] = n;
  return n;
}

/**
 * The UTF-8 lengths of the longer head strings measured, by string: a client cycling through Services sends a new
 * Host value each request, but each value comes round again, and a map finds it by its hash (kept in the string once
 * computed): about 150 instructions with the comparison of the strings, against 477 for the search of `utf8Length`
 * (callgrind, pod path, 1,000 Services). Cleared when full, so values that change per request (and are measured
 * once each) cannot make it grow.
 */
const LONG_TEXT_MEMO_MAX = 4096;
const longTextLengths = new Map<string, number>();

function longLength(s: string): number {
  const known = longTextLengths.get(s);
  if (known !== undefined) return known;
  const n = utf8Length(s);
  if (longTextLengths.size >= LONG_TEXT_MEMO_MAX) longTextLengths.clear();
  longTextLengths.set(s, n);
  return n;
}

/** Bytes of a head whose start line is `a b c` (its three fields, not joined into one string to be measured). */
function headLength(a: string, b: string, c: string, headers: HttpHeaders): number {
  let n = placedLength(0, a) + placedLength(1, b) + placedLength(2, c) + 4;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    n += placedLength(3 + 2 * i, h[0]) + placedLength(4 + 2 * i, h[1]) + 4;
  }
  return n + 2;
}

export function httpRequest(
  method: string,
  target: string,
  headers: HttpHeaders,
  body = '',
  version = 'HTTP/1.1',
): HttpRequest {
  const byteLength = headLength(method, target, version, headers) + utf8Length(body);
  return { kind: 'http-request', method, target, version, headers, body, byteLength };
}

export function httpResponse(
  status: number,
  reason: string,
  headers: HttpHeaders,
  body = '',
  version = 'HTTP/1.1',
): HttpResponse {
  const byteLength = headLength(version, String(status), reason, headers) + utf8Length(body);
  return { kind: 'http-response', version, status, reason, headers, body, byteLength };
}

export function rawData(bytes: Uint8Array): RawData {
  return { kind: 'raw', bytes, byteLength: bytes.length };
}

export function httpHeader(msg: HttpRequest | HttpResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of msg.headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** The first line, as tcpdump prints after `HTTP: `. */
export function httpStartLine(msg: HttpRequest | HttpResponse): string {
  return msg.kind === 'http-request'
    ? `${msg.method} ${msg.target} ${msg.version}`
    : `${msg.version} ${msg.status} ${msg.reason}`;
}

export function httpText(msg: HttpRequest | HttpResponse): string {
  let s = httpStartLine(msg) + '\r\n';
  for (const [k, v] of msg.headers) s += `${k}: ${v}\r\n`;
  return s + '\r\n' + msg.body;
}

export function emitStreamData(data: StreamData): Uint8Array {
  return data.kind === 'raw' ? data.bytes : utf8(httpText(data));
}

/**
 * Parse bytes as an HTTP message when they look like one (a request line or a status line ending in CRLF and a
 * complete head); otherwise return them as raw data. The inverse of `emitStreamData`.
 */
export function parseStreamData(bytes: Uint8Array): StreamData {
  const text = fromUtf8(bytes);
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0 || utf8Length(text) !== bytes.length) return rawData(bytes);
  const lines = text.slice(0, headEnd).split('\r\n');
  const first = lines[0]!;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(': ');
    if (i <= 0) return rawData(bytes);
    headers.push([line.slice(0, i), line.slice(i + 2)]);
  }
  const body = text.slice(headEnd + 4);
  let msg: StreamData | undefined;
  const status = /^(HTTP\/\d\.\d) (\d{3}) (.*)$/.exec(first);
  const request = /^([A-Z]+) (\S+) (HTTP\/\d\.\d)$/.exec(first);
  if (status) msg = httpResponse(Number(status[2]), status[3]!, headers, body, status[1]!);
  else if (request) msg = httpRequest(request[1]!, request[2]!, headers, body, request[3]!);
  if (!msg || msg.byteLength !== bytes.length) return rawData(bytes);
  const again = emitStreamData(msg);
  for (let i = 0; i < again.length; i++) if (again[i] !== bytes[i]) return rawData(bytes);
  return msg;
}
