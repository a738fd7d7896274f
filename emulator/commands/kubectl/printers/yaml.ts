/**
 * YAML exactly as kubectl writes it. kubectl turns an object into JSON and then into YAML with sigs.k8s.io/yaml,
 * which is go-yaml v2 underneath: map keys in go-yaml's "natural" order, block style, sequences inside mappings
 * not indented, scalars quoted only when a plain scalar would read back as something else, and long scalars
 * folded at column 80. This file re-implements that emitter for JSON-shaped values (the only input kubectl gives
 * it), so `-o yaml` and `--dry-run=client -o yaml` match the real binary byte for byte.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const BEST_WIDTH = 80;

const ASCII = /^[\x00-\x7f]*$/;

/** go-yaml v2 `keyList.Less`: runs of digits compare as numbers; non-letters sort before letters. */
export function yamlKeyLess(a: string, b: string): boolean {
  // Kubernetes keys are ASCII: indexing by code unit is then the same as go-yaml's rune walk, and much cheaper.
  const ar: ArrayLike<string> = ASCII.test(a) ? a : Array.from(a);
  const br: ArrayLike<string> = ASCII.test(b) ? b : Array.from(b);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca < cb;
  }
  return ar.length < br.length;
}

function isLetter(c: string): boolean {
  const x = c.charCodeAt(0);
  if (x < 0x80) return (x >= 65 && x <= 90) || (x >= 97 && x <= 122);
  return /\p{L}/u.test(c);
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

export function sortedYamlKeys(obj: Record<string, unknown>): string[] {
  const keys = Object.keys(obj);
  if (keys.length < 2) return keys;
  return keys.sort((a, b) => (yamlKeyLess(a, b) ? -1 : yamlKeyLess(b, a) ? 1 : 0));
}

// ---- go-yaml's resolver: would this string, written plain, read back as a non-string? ----

const BOOL_NULL_WORDS = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE',
  '', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)|(?: [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?))?$/;

function goParseIntBase0(s: string): boolean {
  // strconv.ParseInt(s, 0, 64) after go-yaml removed underscores: sign, then 0x/0o/0b/0 prefixes or decimal.
  const m = /^[+-]?([\s\S]*)$/.exec(s)!;
  const body = m[1]!;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) return true;
  if (/^0[bB][01]+$/.test(body)) return true;
  if (/^0[oO][0-7]+$/.test(body)) return true;
  if (/^0[0-7]*$/.test(body)) return true;
  if (/^[1-9][0-9]*$/.test(body)) return true;
  return false;
}

/**
 * strconv.ParseFloat(s, 64) succeeding on a decimal literal: digits with at most one point, an optional exponent
 * whose first character after the sign is a digit, and underscores only between digits (Go's underscoreOK: `.0_0`
 * and `.1_2e1_0` are floats, `._0`, `.0__0`, `.0_` and `.0_e5` are not — kubectl quotes exactly the former).
 */
function goParsesDecimalFloat(s: string): boolean {
  const m = /^[+-]?([0-9_]*(?:\.[0-9_]*)?)(?:[eE][+-]?[0-9][0-9_]*)?$/.exec(s);
  if (m === null || !/[0-9]/.test(m[1]!)) return false;
  let saw = '^'; // the last character's class: ^ start, 0 digit, _ underscore, ! anything else
  for (const c of s.replace(/^[+-]/, '')) {
    if (c >= '0' && c <= '9') saw = '0';
    else if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** True when go-yaml would resolve `s` (plain) to something other than a string. */
export function resolvesAsNonString(s: string): boolean {
  if (s === '') return true;
  const c = s[0]!;
  const hint = c === '+' || c === '-' ? 'S' : isDigit(c) ? 'D' : 'yYnNtTfFoO~'.includes(c) ? 'M' : c === '.' ? '.' : c === '<' ? 'M' : '';
  if (!hint) return false;
  if (BOOL_NULL_WORDS.has(s)) return true;
  // go-yaml v2 asks strconv.ParseFloat itself here (not its YAML float pattern), which takes Go's underscores.
  if (hint === '.') return goParsesDecimalFloat(s);
  if (hint === 'D' || hint === 'S') {
    if (TIMESTAMP.test(s)) return true;
    const plain = s.replace(/_/g, '');
    if (goParseIntBase0(plain)) return true;
    if (YAML_FLOAT.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  return false;
}

// ---- the emitter's scalar analysis (libyaml yaml_emitter_analyze_scalar) ----

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}
const isBreakCp = (cp: number | undefined) => cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isSpaceCp = (cp: number | undefined) => cp === 0x20;
const isBlankzCp = (cp: number | undefined) => cp === undefined || cp === 0x20 || cp === 0x09 || isBreakCp(cp) || cp === 0;

function analyze(value: string): Analysis {
  const cps = Array.from(value).map((c) => c.codePointAt(0)!);
  if (cps.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = false;
  if (value.startsWith('---') || value.startsWith('...')) blockIndicators = true;
  let precededByWs = true;
  let followedByWs = isBlankzCp(cps[1]);
  let lineBreaks = false, specialChars = false;
  let leadingSpace = false, leadingBreak = false, trailingSpace = false, trailingBreak = false;
  let breakSpace = false, spaceBreak = false, previousSpace = false, previousBreak = false;
  for (let i = 0; i < cps.length; i++) {
    const cp = cps[i]!;
    const ch = String.fromCodePoint(cp);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':') && followedByWs) blockIndicators = true;
      if (ch === '-' && followedByWs) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWs) blockIndicators = true;
      if (ch === '#' && precededByWs) blockIndicators = true;
    }
    if (!isPrintable(cp)) specialChars = true;
    if (isBreakCp(cp)) lineBreaks = true;
    if (isSpaceCp(cp)) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakCp(cp)) {
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWs = isBlankzCp(cp);
    followedByWs = isBlankzCp(cps[i + 2]);
  }
  let blockPlainAllowed = true, singleQuotedAllowed = true, blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) blockPlainAllowed = singleQuotedAllowed = false;
  if (spaceBreak || specialChars) blockPlainAllowed = singleQuotedAllowed = blockAllowed = false;
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/**
 * Strings that the emitter's analysis would pass as plain without looking further: printable ASCII word
 * characters, no spaces, indicators or breaks, not starting with `-`/`.` (which can start indicators or floats).
 */
const OBVIOUSLY_PLAIN = /^[A-Za-z_\/][A-Za-z0-9_.\/-]*$/;

function chooseStyle(s: string, simpleKey: boolean): Style {
  if (OBVIOUSLY_PLAIN.test(s)) return resolvesAsNonString(s) ? 'double' : 'plain';
  let style: Style;
  const canUsePlain = !resolvesAsNonString(s) && !BASE60_FLOAT.test(s);
  if (s.includes('\n')) style = 'literal';
  else if (canUsePlain) style = 'plain';
  else style = 'double';
  // A double-quoted scalar stays double-quoted whatever the analysis says.
  if (style === 'double') return style;
  const a = analyze(s);
  if (simpleKey && a.multiline) return 'double';
  if (style === 'plain') {
    if (!a.blockPlainAllowed) style = 'single';
    if (s.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}

/** A line-and-column tracking writer, as libyaml's emitter keeps them. */
class Writer {
  out = '';
  column = 0;
  put(s: string): void {
    this.out += s;
    this.column += ASCII.test(s) ? s.length : Array.from(s).length;
  }
  newline(indent: number): void {
    this.out += '\n' + ' '.repeat(indent);
    this.column = indent;
  }
}

/** No space in `value` can reach past column 80, so the emitter cannot fold it: write it in one piece. */
function fitsOnLine(w: Writer, value: string, extra: number): boolean {
  return w.column + value.length + extra <= BEST_WIDTH + 1 || !value.includes(' ');
}

function writePlain(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if (!allowBreaks || fitsOnLine(w, value, 0)) {
    w.put(value);
    return;
  }
  const cps = Array.from(value);
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (ch === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && cps[i + 1] !== ' ') w.newline(indent);
      else w.put(ch);
      spaces = true;
    } else {
      w.put(ch);
      spaces = false;
    }
  }
}

function writeSingle(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if ((!allowBreaks || fitsOnLine(w, value, 1)) && !value.includes("'")) {
    w.put(`'${value}'`);
    return;
  }
  const cps = Array.from(value);
  w.put("'");
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (ch === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1 && cps[i + 1] !== ' ') w.newline(indent);
      else w.put(ch);
      spaces = true;
    } else {
      if (ch === "'") w.put("'");
      w.put(ch);
      spaces = false;
    }
  }
  w.put("'");
}

const ESCAPES: Record<number, string> = {
  0x00: '0', 0x07: 'a', 0x08: 'b', 0x09: 't', 0x0a: 'n', 0x0b: 'v', 0x0c: 'f', 0x0d: 'r', 0x1b: 'e',
  0x22: '"', 0x5c: '\\', 0x85: 'N', 0xa0: '_', 0x2028: 'L', 0x2029: 'P',
};

function writeDouble(w: Writer, value: string, indent: number, allowBreaks: boolean): void {
  if ((!allowBreaks || fitsOnLine(w, value, 1)) && /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) {
    w.put(`"${value}"`);
    return;
  }
  const cps = Array.from(value);
  w.put('"');
  let spaces = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const cp = ch.codePointAt(0)!;
    if (!isPrintable(cp) || cp === 0xfeff || isBreakCp(cp) || ch === '"' || ch === '\\') {
      const e = ESCAPES[cp];
      if (e !== undefined) w.put('\\' + e);
      else if (cp <= 0xff) w.put('\\x' + cp.toString(16).toUpperCase().padStart(2, '0'));
      else if (cp <= 0xffff) w.put('\\u' + cp.toString(16).toUpperCase().padStart(4, '0'));
      else w.put('\\U' + cp.toString(16).toUpperCase().padStart(8, '0'));
      spaces = false;
    } else if (ch === ' ') {
      if (allowBreaks && !spaces && w.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1) {
        w.newline(indent);
        if (cps[i + 1] === ' ') w.put('\\');
      } else w.put(ch);
      spaces = true;
    } else {
      w.put(ch);
      spaces = false;
    }
  }
  w.put('"');
}

function writeLiteral(w: Writer, value: string, indent: number): void {
  let hints = '';
  if (value.startsWith(' ') || value.startsWith('\n')) hints += '2';
  if (!value.endsWith('\n')) hints += '-';
  else if (value.length === 1 || value.endsWith('\n\n')) hints += '+';
  w.put('|' + hints);
  const lines = value.split('\n');
  // A trailing newline ends the last line rather than starting an empty one.
  if (value.endsWith('\n')) lines.pop();
  for (const line of lines) {
    if (line === '') {
      w.out += '\n';
      w.column = 0;
    } else {
      w.newline(indent);
      w.put(line);
    }
  }
}

function writeScalar(w: Writer, s: string, indent: number, simpleKey: boolean): void {
  const style = chooseStyle(s, simpleKey);
  const allowBreaks = !simpleKey;
  if (style === 'plain') writePlain(w, s, indent, allowBreaks);
  else if (style === 'single') writeSingle(w, s, indent, allowBreaks);
  else if (style === 'double') writeDouble(w, s, indent, allowBreaks);
  else writeLiteral(w, s, indent);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  // Go's strconv.FormatFloat(f, 'g', -1, 64) as go-yaml writes floats.
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(n);
}

function isEmptyCollection(v: JsonValue): boolean {
  return (Array.isArray(v) && v.length === 0) || (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);
}

function isCollection(v: JsonValue): v is JsonValue[] | { [k: string]: JsonValue } {
  return v !== null && typeof v === 'object' && !isEmptyCollection(v);
}

/**
 * Write `value` as the node that follows `key:` or `- `; `indent` is the indentation of the collection that holds
 * it (libyaml's `emitter.indent`), so wrapped scalars continue two columns further in.
 */
function writeInline(w: Writer, v: JsonValue, indent: number): void {
  if (v === null) w.put('null');
  else if (typeof v === 'boolean') w.put(v ? 'true' : 'false');
  else if (typeof v === 'number') w.put(formatNumber(v));
  else if (typeof v === 'string') writeScalar(w, v, indent + 2, false);
  else if (Array.isArray(v)) w.put('[]');
  else w.put('{}');
}

function writeMapping(w: Writer, obj: { [k: string]: JsonValue }, indent: number, first: boolean): void {
  let firstKey = first;
  for (const k of sortedYamlKeys(obj)) {
    const v = obj[k]!;
    if (!firstKey) w.newline(indent);
    firstKey = false;
    writeScalar(w, k, indent, true);
    w.put(':');
    if (isCollection(v)) {
      if (Array.isArray(v)) {
        // Sequences inside a mapping are "indentless": `- ` at the key's column.
        w.newline(indent);
        writeSequence(w, v, indent, true);
      } else {
        w.newline(indent + 2);
        writeMapping(w, v, indent + 2, true);
      }
    } else {
      w.put(' ');
      writeInline(w, v, indent);
    }
  }
}

function writeSequence(w: Writer, arr: JsonValue[], indent: number, first: boolean): void {
  let firstItem = first;
  for (const item of arr) {
    if (!firstItem) w.newline(indent);
    firstItem = false;
    w.put('- ');
    if (isCollection(item)) {
      if (Array.isArray(item)) writeSequence(w, item, indent + 2, true);
      else writeMapping(w, item, indent + 2, true);
    } else {
      writeInline(w, item, indent);
    }
  }
}

/** The YAML document kubectl prints for `value` (ends with a newline). */
export function toYaml(value: unknown): string {
  const v = toJsonValue(value);
  const w = new Writer();
  if (isCollection(v)) {
    if (Array.isArray(v)) writeSequence(w, v, 0, true);
    else writeMapping(w, v, 0, true);
  } else {
    writeInline(w, v, -2);
  }
  return w.out + '\n';
}

/** Drop `undefined` and functions as JSON.stringify would, so printers see exactly the JSON the server sends. */
export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
