/**
 * kubectl's JSONPath (k8s.io/client-go/util/jsonpath): `{.a.b}`, `{.items[*].metadata.name}`, `{.a[0]}`, slices,
 * `[?(@.type=="InternalIP")]` filters, `..` recursive descent, `{range …}{end}`, quoted literals such as `{"\n"}`,
 * escaped dots in keys (`.metadata.labels.app\.kubernetes\.io/name`) and `['key']`. Results of one expression are
 * joined with a space; maps and lists print as compact JSON, as kubectl does.
 */
import { KubectlError } from '../flags';

type Node =
  | { t: 'text'; s: string }
  | { t: 'path'; steps: Step[] }
  | { t: 'range'; steps: Step[]; body: Node[] };

type Step =
  | { t: 'field'; name: string }
  | { t: 'wild' }
  | { t: 'recursive' }
  | { t: 'index'; start?: number; end?: number; step?: number; single: boolean }
  | { t: 'filter'; left: Step[]; op?: string; right?: string | number | boolean | Step[] };

function parseSteps(expr: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  let s = expr.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const n = s.length;
  while (i < n) {
    const c = s[i]!;
    if (c === '@') {
      i++;
      continue;
    }
    if (c === '.') {
      if (s[i + 1] === '.') {
        steps.push({ t: 'recursive' });
        i += 2;
        continue;
      }
      i++;
      let name = '';
      while (i < n && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < n) {
          name += s[i + 1];
          i += 2;
          continue;
        }
        name += s[i++];
      }
      if (name === '*') steps.push({ t: 'wild' });
      else if (name !== '') steps.push({ t: 'field', name });
      continue;
    }
    if (c === '[') {
      const close = findClose(s, i);
      const inner = s.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ t: 'wild' });
      else if (inner.startsWith('?(')) steps.push(parseFilter(inner.slice(2, -1)));
      else if (/^'.*'$/.test(inner) || /^".*"$/.test(inner)) steps.push({ t: 'field', name: inner.slice(1, -1) });
      else if (/^-?\d*(:-?\d*){0,2}$/.test(inner)) {
        const parts = inner.split(':');
        if (parts.length === 1) steps.push({ t: 'index', start: Number(parts[0]), single: true });
        else
          steps.push({
            t: 'index',
            start: parts[0] === '' ? undefined : Number(parts[0]),
            end: parts[1] === '' ? undefined : Number(parts[1]),
            step: parts[2] === undefined || parts[2] === '' ? undefined : Number(parts[2]),
            single: false,
          });
      } else throw new Error(`invalid array index ${inner}`);
      continue;
    }
    // A bare name at the start (`{metadata.name}` is accepted by kubectl's parser as a field).
    let name = '';
    while (i < n && s[i] !== '.' && s[i] !== '[') name += s[i++];
    if (name) steps.push({ t: 'field', name });
  }
  return steps;
}

function findClose(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new Error('unterminated array');
}

function parseFilter(inner: string): Step {
  const m = /^(.*?)\s*(==|!=|<=|>=|<|>|=~)\s*(.*)$/.exec(inner.trim());
  if (!m) return { t: 'filter', left: parseSteps(inner.trim()) };
  const rightRaw = m[3]!.trim();
  let right: string | number | boolean | Step[];
  if (/^'.*'$/.test(rightRaw) || /^".*"$/.test(rightRaw)) right = rightRaw.slice(1, -1);
  else if (/^-?\d+(\.\d+)?$/.test(rightRaw)) right = Number(rightRaw);
  else if (rightRaw === 'true' || rightRaw === 'false') right = rightRaw === 'true';
  else right = parseSteps(rightRaw);
  return { t: 'filter', left: parseSteps(m[1]!.trim()), op: m[2]!, right };
}

export function parseTemplate(template: string): Node[] {
  const nodes: Node[] = [];
  const stack: { body: Node[]; steps: Step[] }[] = [];
  const cur = () => (stack.length ? stack[stack.length - 1]!.body : nodes);
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      cur().push({ t: 'text', s: template.slice(i) });
      break;
    }
    if (open > i) cur().push({ t: 'text', s: template.slice(i, open) });
    // Find the matching close brace, skipping quoted text.
    let j = open + 1;
    let quote = '';
    for (; j < template.length; j++) {
      const c = template[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = '';
        continue;
      }
      if (c === '"' || c === "'") quote = c;
      else if (c === '}') break;
    }
    if (j >= template.length) throw new Error('unclosed action');
    const inner = template.slice(open + 1, j).trim();
    i = j + 1;
    if (inner === 'end') {
      const r = stack.pop();
      if (!r) throw new Error('not in range, nothing to end');
      cur().push({ t: 'range', steps: r.steps, body: r.body });
    } else if (inner.startsWith('range ')) {
      stack.push({ steps: parseSteps(inner.slice(6)), body: [] });
    } else if (/^".*"$/s.test(inner) || /^'.*'$/s.test(inner)) {
      cur().push({ t: 'text', s: unquote(inner) });
    } else {
      cur().push({ t: 'path', steps: parseSteps(inner) });
    }
  }
  if (stack.length) throw new Error('unclosed range');
  return nodes;
}

function unquote(q: string): string {
  const body = q.slice(1, -1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c));
}

function evalSteps(steps: Step[], roots: unknown[], root: unknown): unknown[] {
  let cur = roots;
  for (const st of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (st.t === 'field') {
        if (v && typeof v === 'object' && !Array.isArray(v) && st.name in (v as object)) next.push((v as Record<string, unknown>)[st.name]);
      } else if (st.t === 'wild') {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') for (const k of Object.keys(v).sort()) next.push((v as Record<string, unknown>)[k]);
      } else if (st.t === 'recursive') {
        const walk = (x: unknown) => {
          next.push(x);
          if (Array.isArray(x)) x.forEach(walk);
          else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) walk((x as Record<string, unknown>)[k]);
        };
        walk(v);
      } else if (st.t === 'index') {
        if (!Array.isArray(v)) continue;
        const len = v.length;
        if (st.single) {
          let k = st.start!;
          if (k < 0) k += len;
          if (k < 0 || k >= len) throw new KubectlError(`error: array index out of bounds: index ${st.start}, length ${len}`);
          next.push(v[k]);
        } else {
          let a = st.start ?? 0;
          let b = st.end ?? len;
          if (a < 0) a += len;
          if (b < 0) b += len;
          a = Math.max(0, Math.min(len, a));
          b = Math.max(0, Math.min(len, b));
          for (let k = a; k < b; k += st.step ?? 1) next.push(v[k]);
        }
      } else if (st.t === 'filter') {
        const items = Array.isArray(v) ? v : [v];
        for (const item of items) {
          const lefts = evalSteps(st.left, [item], root);
          if (st.op === undefined) {
            if (lefts.length) next.push(item);
            continue;
          }
          const rights = Array.isArray(st.right) ? evalSteps(st.right, [item], root) : [st.right];
          const l = lefts[0];
          const r = rights[0];
          if (l === undefined) continue;
          let ok = false;
          switch (st.op) {
            case '==':
              ok = String(l) === String(r);
              break;
            case '!=':
              ok = String(l) !== String(r);
              break;
            case '<':
              ok = Number(l) < Number(r);
              break;
            case '>':
              ok = Number(l) > Number(r);
              break;
            case '<=':
              ok = Number(l) <= Number(r);
              break;
            case '>=':
              ok = Number(l) >= Number(r);
              break;
            case '=~':
              ok = new RegExp(String(r)).test(String(l));
              break;
          }
          if (ok) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function execute(nodes: Node[], data: unknown, root: unknown, allowMissing: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.s;
    else if (n.t === 'path') {
      const vals = evalSteps(n.steps, [data], root);
      if (vals.length === 0 && !allowMissing) {
        const last = n.steps[n.steps.length - 1];
        throw new KubectlError(`error: error executing jsonpath ${JSON.stringify('{' + stepsText(n.steps) + '}')}: Error executing template: ${last && last.t === 'field' ? `${last.name} is not found` : 'not found'}. Printing more information for debugging the template:`);
      }
      out += vals.map(show).join(' ');
    } else {
      const vals = evalSteps(n.steps, [data], root);
      for (const v of vals) out += execute(n.body, v, root, allowMissing);
    }
  }
  return out;
}

function stepsText(steps: Step[]): string {
  return steps.map((s) => (s.t === 'field' ? `.${s.name}` : s.t === 'wild' ? '[*]' : s.t === 'recursive' ? '..' : s.t === 'index' ? `[${s.start ?? ''}]` : '[?()]')).join('');
}

/** Evaluate a kubectl jsonpath template against `data`. kubectl's printer allows missing keys. */
export function jsonpath(template: string, data: unknown, allowMissing = true): string {
  let nodes: Node[];
  try {
    nodes = parseTemplate(template);
  } catch (e) {
    throw new KubectlError(`error: error parsing jsonpath ${template}, ${(e as Error).message}`);
  }
  return execute(nodes, data, data, allowMissing);
}

/** The values one custom-columns expression yields (already stringified), for `-o custom-columns`. */
export function jsonpathValues(expr: string, data: unknown): unknown[] {
  let e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) e = e.slice(1, -1);
  if (!e.startsWith('.') && !e.startsWith('$') && !e.startsWith('[')) e = '.' + e;
  return evalSteps(parseSteps(e), [data], data);
}
