/**
 * JSON as kubectl prints it: Go's `json.MarshalIndent(obj, "", "    ")`. Objects that came from the server are
 * unstructured maps, so Go sorts their keys; objects kubectl built itself (`--dry-run=client`) are typed structs,
 * so their keys keep field order — callers pass `sortKeys` accordingly. Go also escapes `<`, `>`, `&`.
 */

function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029)
      out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function byteLess(a: string, b: string): number {
  // Go sorts map keys by their UTF-8 bytes; for the ASCII keys Kubernetes uses this is code-unit order.
  return a < b ? -1 : a > b ? 1 : 0;
}

function write(v: unknown, indent: string, sortKeys: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'string') return goQuote(v);
  const inner = indent + '    ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => inner + write(x, inner, sortKeys)).join(',\n') + '\n' + indent + ']';
  }
  const obj = v as Record<string, unknown>;
  let keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function');
  if (sortKeys) keys = keys.sort(byteLess);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => inner + goQuote(k) + ': ' + write(obj[k], inner, sortKeys)).join(',\n') + '\n' + indent + '}';
}

export function toJson(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  return write(value, '', opts.sortKeys ?? true) + '\n';
}

/** Go's `json.Marshal` (no indentation), as kubectl shows the object in a template's error report. */
export function toCompactJson(value: unknown, opts: { sortKeys?: boolean } = {}): string {
  const sortKeys = opts.sortKeys ?? true;
  const w = (v: unknown): string => {
    if (v === null || v === undefined || typeof v !== 'object') return write(v, '', sortKeys);
    if (Array.isArray(v)) return `[${v.map(w).join(',')}]`;
    const o = v as Record<string, unknown>;
    let keys = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== 'function');
    if (sortKeys) keys = keys.sort(byteLess);
    return `{${keys.map((k) => `${goQuote(k)}:${w(o[k])}`).join(',')}}`;
  };
  return w(value);
}
