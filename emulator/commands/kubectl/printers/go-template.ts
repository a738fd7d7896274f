/**
 * `-o go-template=…` / `-o template=…`: Go's text/template over the object as kubectl hands it over (JSON decoded
 * into maps, integers kept as integers), with kubectl's extra functions `base64decode` and `exists`.
 *
 * Supported: text and actions with `{{-`/`-}}` trimming and comments; pipelines with `|`; fields (`.a.b`,
 * `$x.a`, `(pipeline).a`); variables (`$x := …`, `$x = …`, `$i, $e := range …`); `if`/`else if`/`else`, `range`
 * (arrays, and maps in key order) with `else`, `with`, `break`, `continue`; literals; the builtins and, or, not, len,
 * index, print, printf, println, eq, ne, lt, le, gt, ge, slice, html, js, urlquery. Messages follow text/template's
 * (`template: output:1:5: executing "output" at <…>: error calling index: index out of range: 5`).
 */

/** A template error as kubectl reports it; `parse` errors come before anything is printed. */
export class GoTemplateError extends Error {
  constructor(readonly kind: 'parse' | 'exec', message: string) {
    super(message);
  }
}

/** The zero Value text/template yields for a missing map key (printed as `<no value>`). */
const MISSING = Symbol('no value');
type Value = unknown;

// ------------------------------------------------------------------------------------------------ lexer + parser

type Operand =
  | { k: 'field'; names: string[]; at: At } // .a.b (names empty: dot)
  | { k: 'var'; name: string; names: string[]; at: At } // $x.a
  | { k: 'lit'; v: Value }
  | { k: 'fn'; name: string }
  | { k: 'sub'; pipe: Pipeline; names: string[] };
/** Where a node stands in the template and how text/template prints it in messages. */
interface At { readonly pos: number; readonly text: string }
interface Command { readonly args: Operand[]; readonly pos: number; readonly text: string }
interface Pipeline { readonly decl: string[]; readonly assign: boolean; readonly cmds: Command[]; readonly pos: number; readonly text: string }
type Node =
  | { k: 'text'; text: string }
  | { k: 'action'; pipe: Pipeline }
  | { k: 'if' | 'with'; pipe: Pipeline; list: Node[]; elseList: Node[] }
  | { k: 'range'; pipe: Pipeline; list: Node[]; elseList: Node[] }
  | { k: 'break' | 'continue' };

const FUNCS = new Set(['and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'slice', 'html', 'js', 'urlquery', 'base64decode', 'exists', 'call']);

class Parser {
  #i = 0;
  constructor(private readonly src: string) {}

  #line(pos: number): number {
    return this.src.slice(0, pos).split('\n').length;
  }

  #fail(msg: string, pos = this.#i): never {
    throw new GoTemplateError('parse', `template: output:${this.#line(pos)}: ${msg}`);
  }

  /** The template as a tree of text, actions and control structures. */
  parse(): Node[] {
    const [list, end] = this.#list();
    if (end !== undefined) this.#fail(`unexpected {{${end}}}`);
    return list;
  }

  #list(): [Node[], string | undefined] {
    const out: Node[] = [];
    while (this.#i < this.src.length) {
      const open = this.src.indexOf('{{', this.#i);
      let text = this.src.slice(this.#i, open < 0 ? undefined : open);
      if (open < 0) {
        this.#i = this.src.length;
        if (text) out.push({ k: 'text', text });
        break;
      }
      let p = open + 2;
      const trimLeft = this.src[p] === '-' && /\s/.test(this.src[p + 1] ?? '');
      if (trimLeft) {
        text = text.replace(/\s+$/, '');
        p += 1;
      }
      if (text) out.push({ k: 'text', text });
      const close = this.#findClose(p);
      if (close < 0) this.#fail('unclosed action', open);
      let inner = this.src.slice(p, close);
      let after = close + 2;
      if (/\s-$/.test(inner)) {
        inner = inner.slice(0, -1);
        const m = /^\s*/.exec(this.src.slice(after))!;
        after += m[0].length;
      }
      this.#i = after;
      const t = inner.trim();
      if (t.startsWith('/*')) continue;
      const word = /^(\w+)\b/.exec(t)?.[1];
      if (word === 'end' || word === 'else') return [out, t];
      if (word === 'if' || word === 'with' || word === 'range') out.push(this.#control(word, t.slice(word.length), p + inner.indexOf(word) + word.length));
      else if (word === 'break' || word === 'continue') out.push({ k: word });
      else if (word === 'define' || word === 'template' || word === 'block') this.#fail(`{{${word}}} is not available in this lab's templates`);
      else out.push({ k: 'action', pipe: this.#pipeline(inner, p) });
    }
    return [out, undefined];
  }

  #findClose(from: number): number {
    let q: string | undefined;
    for (let j = from; j < this.src.length - 1; j++) {
      const c = this.src[j]!;
      if (q) {
        if (c === '\\' && q === '"') j++;
        else if (c === q) q = undefined;
      } else if (c === '"' || c === '`') q = c;
      else if (c === '}' && this.src[j + 1] === '}') return j;
    }
    return -1;
  }

  #control(kind: 'if' | 'with' | 'range', rest: string, pos: number): Node {
    const pipe = this.#pipeline(rest, pos);
    const [list, end] = this.#list();
    let elseList: Node[] = [];
    if (end === undefined) this.#fail('unexpected EOF');
    if (end!.startsWith('else')) {
      const cond = end!.slice(4).trim();
      if (cond.startsWith('if ') && kind === 'if') {
        // `{{else if X}}` is `{{else}}{{if X}}…{{end}}` sharing the outer {{end}}.
        elseList = [this.#control('if', cond.slice(2), this.#i)];
        return { k: kind, pipe, list, elseList };
      }
      const [l2, end2] = this.#list();
      if (end2 !== 'end') this.#fail(end2 === undefined ? 'unexpected EOF' : `unexpected {{${end2}}}`);
      elseList = l2;
    }
    return { k: kind, pipe, list, elseList };
  }

  /** `pos`: where `text` starts in the template (for the line:column of execution errors). */
  #pipeline(text: string, pos: number): Pipeline {
    const toks = tokenize(text, (m) => this.#fail(m, pos));
    let decl: string[] = [];
    let assign = false;
    const eq = toks.findIndex(([t]) => t === ':=' || t === '=');
    if (eq > 0 && toks.slice(0, eq).every(([t]) => /^\$\w*$/.test(t) || t === ',')) {
      decl = toks.slice(0, eq).map(([t]) => t).filter((t) => t !== ',');
      assign = toks[eq]![0] === '=';
      toks.splice(0, eq + 1);
    }
    const cmds: Command[] = [];
    let cur: [string, number][] = [];
    const flush = () => {
      if (cur.length === 0) this.#fail('missing command', pos);
      const at = pos + cur[0]![1];
      cmds.push({ args: this.#operands(cur.map(([t, o]) => [t, pos + o] as [string, number])), pos: at, text: cur.map(([t]) => t).join(' ') });
      cur = [];
    };
    for (const tok of toks) {
      if (tok[0] === '|') flush();
      else cur.push(tok);
    }
    flush();
    return { decl, assign, cmds, pos: pos + (toks[0]?.[1] ?? 0), text: text.trim() };
  }

  /** The operands of one command; each token with its position in the template. */
  #operands(tokens: [string, number][]): Operand[] {
    const toks = tokens.map(([t]) => t);
    const pos = tokens[0]?.[1] ?? 0;
    // A chain `.a.b.c` stands where its second field starts (text/template's ChainNode), a lone `.a` at itself.
    const fieldAt = (t: string, at: number): At => {
      const second = t.indexOf('.', 1);
      return { pos: second > 0 && !t.startsWith('$') ? at + second : at, text: t };
    };
    const out: Operand[] = [];
    for (let j = 0; j < toks.length; j++) {
      const t = toks[j]!;
      const tp = tokens[j]![1];
      if (t === '(') {
        let depth = 1;
        let k = j + 1;
        for (; k < toks.length && depth > 0; k++) depth += toks[k] === '(' ? 1 : toks[k] === ')' ? -1 : 0;
        if (depth > 0) this.#fail('unclosed left paren', pos);
        const inner = tokens.slice(j + 1, k - 1);
        const names: string[] = [];
        while (toks[k]?.startsWith('.')) names.push(...toks[k++]!.slice(1).split('.'));
        const text = inner.map(([x]) => x).join(' ');
        out.push({ k: 'sub', pipe: this.#pipeline(text, inner[0]?.[1] ?? tp), names });
        j = k - 1;
      } else if (t === ')') this.#fail('unexpected right paren', pos);
      else if (t === '.') out.push({ k: 'field', names: [], at: { pos: tp, text: '.' } });
      else if (t.startsWith('.')) out.push({ k: 'field', names: t.slice(1).split('.'), at: fieldAt(t, tp) });
      else if (t.startsWith('$')) {
        const [name, ...names] = t.split('.');
        out.push({ k: 'var', name: name!, names, at: { pos: tp, text: t } });
      } else if (t.startsWith('"')) {
        let v: string;
        try {
          v = JSON.parse(t) as string;
        } catch {
          this.#fail('invalid syntax', pos);
        }
        out.push({ k: 'lit', v });
      }
      else if (t.startsWith('`')) out.push({ k: 'lit', v: t.slice(1, -1) });
      else if (t.startsWith("'")) out.push({ k: 'lit', v: t.slice(1, -1).codePointAt(0) ?? 0 });
      else if (t === 'true' || t === 'false') out.push({ k: 'lit', v: t === 'true' });
      else if (t === 'nil') out.push({ k: 'lit', v: null });
      else if (/^[-+]?(\d|\.\d)/.test(t)) {
        const n = Number(t);
        if (Number.isNaN(n)) this.#fail(`bad number syntax: "${t}"`, pos);
        out.push({ k: 'lit', v: /[.eE]/.test(t) && !/^0x/i.test(t) ? new GoFloat(n) : n });
      } else if (/^\w+$/.test(t)) {
        if (!FUNCS.has(t)) this.#fail(`function "${t}" not defined`, pos);
        out.push({ k: 'fn', name: t });
      } else this.#fail(`unexpected "${t}" in command`, pos);
    }
    return out;
  }
}

/** A float literal (`2.0`): Go keeps it apart from the object's integers (`eq .spec.replicas 2.0` is an error). */
class GoFloat {
  constructor(readonly n: number) {}
}

/** The words of an action, each with its offset in `text`. */
function tokenize(text: string, fail: (m: string) => never): [string, number][] {
  const out: [string, number][] = [];
  let j = 0;
  while (j < text.length) {
    const c = text[j]!;
    if (/\s/.test(c)) { j++; continue; }
    if (c === '"' || c === '`' || c === "'") {
      let k = j + 1;
      while (k < text.length && text[k] !== c && !(c !== '`' && text[k] === '\n')) k += text[k] === '\\' && c !== '`' ? 2 : 1;
      if (k >= text.length || text[k] !== c) fail(c === '"' ? 'unterminated quoted string' : c === '`' ? 'unterminated raw quoted string' : 'unterminated character constant');
      out.push([text.slice(j, k + 1), j]);
      j = k + 1;
      continue;
    }
    if (text.startsWith(':=', j)) { out.push([':=', j]); j += 2; continue; }
    if ('|(),='.includes(c)) { out.push([c, j]); j++; continue; }
    let k = j;
    while (k < text.length && !/[\s|(),"`']/.test(text[k]!) && !text.startsWith(':=', k) && text[k] !== '=') k++;
    out.push([text.slice(j, k), j]);
    j = k;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------ evaluation

class BreakSignal {}
class ContinueSignal {}

/** Go's %v for the values a template sees (maps print with sorted keys, nil as <nil>). */
export function goValue(v: Value): string {
  if (v === MISSING) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof GoFloat) return goFloat(v.n);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  return String(v);
}

/** strconv.FormatFloat(f, 'g', -1, 64): the exponent form from 1e+21 and below 1e-4. */
function goFloat(n: number): string {
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const ev = Number(e);
    return `${m}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  }
  return String(n);
}

function truthy(v: Value): boolean {
  if (v === MISSING || v === null || v === undefined || v === false || v === 0 || v === 0n || v === '') return false;
  if (v instanceof GoFloat) return v.n !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Go type names as text/template's messages show them. */
function typeName(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'bigint') return 'int64';
  if (v instanceof GoFloat) return 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v && typeof v === 'object') return 'map[string]interface {}';
  return 'interface {}';
}

class Exec {
  out = '';
  #vars: [string, Value][] = [];
  constructor(private readonly src: string, root: Value) {
    this.#vars.push(['$', root]);
  }

  /** text/template's execution error: `template: output:LINE:COL: executing "output" at <COMMAND>: …`. */
  #fail(at: { text: string; pos: number }, msg: string): never {
    const before = this.src.slice(0, at.pos);
    const line = before.split('\n').length;
    const col = at.pos - (before.lastIndexOf('\n') + 1);
    throw new GoTemplateError('exec', `template: output:${line}:${col}: executing "output" at <${at.text}>: ${msg}`);
  }

  run(list: Node[], dot: Value): void {
    for (const n of list) {
      switch (n.k) {
        case 'text':
          this.out += n.text;
          break;
        case 'action': {
          const v = this.pipeline(n.pipe, dot);
          if (n.pipe.decl.length === 0) this.out += goValue(v);
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.#vars.length;
          const v = this.pipeline(n.pipe, dot);
          if (truthy(v)) this.run(n.list, n.k === 'with' ? v : dot);
          else this.run(n.elseList, dot);
          this.#vars.length = mark;
          break;
        }
        case 'range':
          this.#range(n, dot);
          break;
        case 'break':
          throw new BreakSignal();
        case 'continue':
          throw new ContinueSignal();
      }
    }
  }

  #range(n: Extract<Node, { k: 'range' }>, dot: Value): void {
    const mark = this.#vars.length;
    const decl = n.pipe.decl;
    const v = this.pipeline({ ...n.pipe, decl: [] }, dot);
    let entries: [Value, Value][];
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (typeof v === 'bigint') entries = Array.from({ length: Math.max(0, Number(v)) }, (_, i) => [i, i]);
    else if (v && typeof v === 'object' && !(v instanceof GoFloat)) entries = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    else if (typeof v === 'number') entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
    else if (v === MISSING || v === null) entries = [];
    else this.#fail(n.pipe, `range can't iterate over ${goValue(v)}`);
    if (entries.length === 0) this.run(n.elseList, dot);
    for (const [key, val] of entries) {
      const inner = this.#vars.length;
      if (decl.length === 1) this.#vars.push([decl[0]!, val]);
      else if (decl.length === 2) this.#vars.push([decl[0]!, key], [decl[1]!, val]);
      try {
        this.run(n.list, val);
      } catch (e) {
        if (e instanceof BreakSignal) break;
        if (!(e instanceof ContinueSignal)) throw e;
      } finally {
        this.#vars.length = inner;
      }
    }
    this.#vars.length = mark;
  }

  pipeline(p: Pipeline, dot: Value): Value {
    let v: Value = undefined;
    p.cmds.forEach((c, i) => {
      v = this.#command(c, dot, i === 0 ? undefined : { v });
    });
    if (p.decl.length > 0) {
      const name = p.decl[0]!;
      if (p.assign) {
        const slot = [...this.#vars].reverse().find(([n]) => n === name);
        if (!slot) this.#fail(p, `undefined variable: ${name}`);
        slot[1] = v;
      } else this.#vars.push([name, v]);
    }
    return v;
  }

  #command(c: Command, dot: Value, final: { v: Value } | undefined): Value {
    const [head, ...rest] = c.args;
    if (head!.k === 'fn') {
      const args = rest.map((a) => this.#operand(a, dot, c));
      if (final) args.push(final.v);
      return this.#call(head!.name, args, c);
    }
    if (rest.length > 0 || final) this.#fail(c, `can't give argument to non-function ${c.text.split(' ')[0]}`);
    return this.#operand(head!, dot, c);
  }

  #operand(o: Operand, dot: Value, c: Command): Value {
    switch (o.k) {
      case 'lit':
        return o.v;
      case 'fn':
        return this.#call(o.name, [], c);
      case 'field':
        return this.#fields(dot, o.names, o.at);
      case 'var': {
        const slot = [...this.#vars].reverse().find(([n]) => n === o.name);
        if (!slot) throw new GoTemplateError('parse', `template: output:1: undefined variable "${o.name}"`);
        return this.#fields(slot[1], o.names, o.at);
      }
      case 'sub':
        return this.#fields(this.pipeline(o.pipe, dot), o.names, c);
    }
  }

  #fields(v: Value, names: string[], c: At): Value {
    let cur = v;
    for (const name of names) {
      if (cur === MISSING || cur === null || cur === undefined) return MISSING;
      // values inside the decoded object are interface{} to text/template
      if (typeof cur !== 'object' || Array.isArray(cur) || cur instanceof GoFloat) this.#fail(c, `can't evaluate field ${name} in type interface {}`);
      const o = cur as Record<string, unknown>;
      cur = name in o ? o[name] : MISSING;
    }
    return cur;
  }

  #call(name: string, args: Value[], c: Command): Value {
    const want = (n: number) => {
      if (args.length !== n) this.#fail(c, `wrong number of args for ${name}: want ${n} got ${args.length}`);
    };
    const err = (msg: string): never => this.#fail(c, `error calling ${name}: ${msg}`);
    switch (name) {
      case 'and':
        for (const a of args) if (!truthy(a)) return a;
        return args[args.length - 1];
      case 'or':
        for (const a of args) if (truthy(a)) return a;
        return args[args.length - 1];
      case 'not':
        want(1);
        return !truthy(args[0]);
      case 'len': {
        want(1);
        const a = args[0];
        if (a === MISSING) return err('reflect: call of reflect.Value.Type on zero Value');
        if (typeof a === 'string') return new TextEncoder().encode(a).length;
        if (Array.isArray(a)) return a.length;
        if (a && typeof a === 'object' && !(a instanceof GoFloat)) return Object.keys(a).length;
        return err(`len of type ${typeName(a)}`);
      }
      case 'index': {
        let cur = args[0];
        for (const k of args.slice(1)) {
          if (Array.isArray(cur)) {
            if (typeof k !== 'number' && typeof k !== 'bigint') return err(`cannot index slice/array with type ${typeName(k)}`);
            const i = Number(k);
            if (i < 0 || i >= cur.length) return err(`index out of range: ${i}`);
            cur = cur[i];
          } else if (cur && typeof cur === 'object' && !(cur instanceof GoFloat)) {
            if (typeof k !== 'string') return err(`value has type ${typeName(k)}; should be string`);
            const o = cur as Record<string, unknown>;
            cur = k in o ? o[k] : null;
          } else if (cur === MISSING || cur === null) return err('index of untyped nil');
          else return err(`can't index item of type ${typeName(cur)}`);
        }
        return cur;
      }
      case 'slice': {
        const s = args[0];
        const [a, b] = [args[1] as number | undefined, args[2] as number | undefined];
        if (typeof s === 'string' || Array.isArray(s)) return s.slice(a ?? 0, b ?? s.length);
        return err(`can't slice item of type ${typeName(s)}`);
      }
      case 'print':
        return goSprint(args);
      case 'println':
        return args.map(goValue).join(' ') + '\n';
      case 'printf':
        return goSprintf(String(args[0] ?? ''), args.slice(1));
      case 'eq': {
        if (args.length < 2) this.#fail(c, 'missing argument for comparison');
        return args.slice(1).some((b) => compare(args[0], b, err) === 0);
      }
      case 'ne':
        want(2);
        return compare(args[0], args[1], err) !== 0;
      case 'lt': case 'le': case 'gt': case 'ge': {
        want(2);
        const r = compare(args[0], args[1], err, true);
        return name === 'lt' ? r < 0 : name === 'le' ? r <= 0 : name === 'gt' ? r > 0 : r >= 0;
      }
      case 'html':
        return goSprint(args).replace(/[&'<>"\0]/g, (ch) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[ch]!);
      case 'js':
        return goSprint(args).replace(/[\\'"<>&=]/g, (ch) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' })[ch]!);
      case 'urlquery':
        return encodeURIComponent(goSprint(args)).replace(/%20/g, '+');
      case 'base64decode': {
        want(1);
        const s = String(args[0]);
        const bad = /[^A-Za-z0-9+/=]/.exec(s);
        if (bad || s.length % 4 !== 0) return err(`base64 decode failed: illegal base64 data at input byte ${bad ? bad.index : Math.floor(s.length / 4) * 4}`);
        const bin = atob(s);
        return new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
      }
      case 'exists': {
        let cur = args[0];
        for (const k of args.slice(1)) {
          if (Array.isArray(cur) && typeof k === 'number' && k >= 0 && k < cur.length) cur = cur[k];
          else if (cur && typeof cur === 'object' && typeof k === 'string' && k in (cur as object)) cur = (cur as Record<string, unknown>)[k];
          else return false;
        }
        return true;
      }
      default:
        return err('not a function');
    }
  }
}

function basicKind(v: Value): string {
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === MISSING || v === null || v === undefined) return 'nil';
  return 'other';
}

function compare(a: Value, b: Value, err: (m: string) => never, ordered = false): number {
  const ka = basicKind(a), kb = basicKind(b);
  if (ka === 'other' || kb === 'other') return err(ordered ? 'invalid type for comparison' : 'incompatible types for comparison');
  if (ka !== kb) {
    if (ka === 'nil' || kb === 'nil') return err('incompatible types for comparison');
    return err('incompatible types for comparison');
  }
  if (ka === 'nil') return 0;
  const x = a instanceof GoFloat ? a.n : typeof a === 'bigint' ? Number(a) : (a as number | string | boolean);
  const y = b instanceof GoFloat ? b.n : typeof b === 'bigint' ? Number(b) : (b as number | string | boolean);
  if (ordered && ka === 'bool') return err('invalid type for comparison');
  return x === y ? 0 : x < y ? -1 : 1;
}

/** fmt.Sprint: a space between operands when neither is a string. */
function goSprint(args: Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += goValue(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs templates use: %v %s %d %q %f %x %t %%, with flags `-`, `0`, width and precision. */
function goSprintf(format: string, args: Value[]): string {
  let n = 0;
  return format.replace(/%([-+0 #]*)(\d+)?(?:\.(\d+))?([vsdqfxXteEgtT%])/g, (_m, flags: string, width?: string, prec?: string, verb?: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    const num = a instanceof GoFloat ? a.n : typeof a === 'bigint' ? Number(a) : a;
    switch (verb) {
      case 'd':
        s = typeof num === 'number' ? String(Math.trunc(num)) : `%!d(${typeName(a)}=${goValue(a)})`;
        break;
      case 'f':
        s = typeof num === 'number' ? num.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${typeName(a)}=${goValue(a)})`;
        break;
      case 'q':
        s = typeof a === 'string' ? JSON.stringify(a) : `%!q(${typeName(a)}=${goValue(a)})`;
        break;
      case 'x':
      case 'X':
        s = typeof num === 'number' ? num.toString(16) : [...new TextEncoder().encode(goValue(a))].map((b) => b.toString(16).padStart(2, '0')).join('');
        if (verb === 'X') s = s.toUpperCase();
        break;
      case 'T':
        s = typeName(a);
        break;
      default:
        s = goValue(a);
        if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec));
    }
    const w = width ? Number(width) : 0;
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && verb !== 's' ? s.padStart(w, '0') : s.padStart(w);
    return s;
  });
}

/** The object as kubectl decodes it for templates: integers are int64 (BigInt here), apart from literals' int. */
function withInt64(v: Value): Value {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : new GoFloat(v);
  if (Array.isArray(v)) return v.map(withInt64);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withInt64(x)]));
  return v;
}

/** Parse `template` (throws GoTemplateError 'parse'). */
export function parseGoTemplate(template: string): Node[] {
  return new Parser(template).parse();
}

/** Run a parsed template over `data`: what it printed, and the execution error that stopped it, if any. */
export function runGoTemplate(template: string, nodes: Node[], data: Value): { out: string; error?: GoTemplateError } {
  const root = withInt64(data);
  const ex = new Exec(template, root);
  try {
    ex.run(nodes, root);
  } catch (e) {
    if (e instanceof GoTemplateError) return { out: ex.out, error: e };
    throw e;
  }
  return { out: ex.out };
}
