/**
 * The parts of sed and awk that learners use on kubectl output: `sed 's/old/new/g'`, `sed -n '2p'`, `sed '1d'`;
 * `awk '{print $1}'`, `awk -F: 'NR>1 {print $2, $NF}'`, `awk '/Running/ {n++} END {print n}'`, printf. Anything
 * beyond is reported as a syntax error rather than silently misread.
 */
import type { CommandSpec } from '../../shell/types';
import { fsMessage } from '../../shell/interpreter';
import { formatPrintf } from './shell-builtins';
import { lines, readInputs, wholeStdin } from './options';
import { posixToJs } from './text';

// ------------------------------------------------------------------ sed

type SedAddr = { kind: 'line'; n: number } | { kind: 'last' } | { kind: 're'; re: RegExp };
interface SedCmd {
  a1?: SedAddr;
  a2?: SedAddr;
  negate: boolean;
  op: 's' | 'p' | 'd' | 'q' | '=';
  re?: RegExp;
  repl?: string;
  global?: boolean;
  print?: boolean;
  inRange?: boolean;
}

class SedError extends Error {}

function parseSed(script: string, extended: boolean, exprNo: number): SedCmd[] {
  const cmds: SedCmd[] = [];
  let i = 0;
  const err = (msg: string): never => {
    throw new SedError(`-e expression #${exprNo}, char ${i + 1}: ${msg}`);
  };
  const readDelimited = (delim: string): string => {
    let out = '';
    while (i < script.length && script[i] !== delim) {
      if (script[i] === '\\' && script[i + 1] === delim) {
        out += delim;
        i += 2;
      } else if (script[i] === '\\' && i + 1 < script.length) {
        out += script[i]! + script[i + 1]!;
        i += 2;
      } else out += script[i++];
    }
    if (i >= script.length) err(`unterminated \`s' command`);
    i++;
    return out;
  };
  const addr = (): SedAddr | undefined => {
    const m = /^\d+/.exec(script.slice(i));
    if (m) {
      i += m[0].length;
      return { kind: 'line', n: Number(m[0]) };
    }
    if (script[i] === '$') {
      i++;
      return { kind: 'last' };
    }
    if (script[i] === '/') {
      i++;
      const src = readDelimited('/');
      return { kind: 're', re: new RegExp(posixToJs(src, extended)) };
    }
    return undefined;
  };
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i]!)) i++;
    if (i >= script.length) break;
    const cmd: SedCmd = { negate: false, op: 'p' };
    cmd.a1 = addr();
    if (cmd.a1 && script[i] === ',') {
      i++;
      cmd.a2 = addr() ?? err('unexpected `,\'');
    }
    while (script[i] === ' ') i++;
    if (script[i] === '!') {
      cmd.negate = true;
      i++;
    }
    const op = script[i++];
    if (op === 's') {
      const delim = script[i++];
      if (delim === undefined || delim === '\\' || delim === '\n') err(`unterminated \`s' command`);
      const pattern = readDelimited(delim!);
      const repl = readDelimited(delim!);
      let flags = '';
      while (i < script.length && /[gpiI0-9]/.test(script[i]!)) flags += script[i++];
      cmd.op = 's';
      cmd.global = flags.includes('g');
      cmd.print = flags.includes('p');
      try {
        cmd.re = new RegExp(posixToJs(pattern, extended), (cmd.global ? 'g' : '') + (/[iI]/.test(flags) ? 'i' : ''));
      } catch {
        err('Invalid preceding regular expression');
      }
      // sed's `&` and `\1` become JavaScript's `$&` and `$1`; a literal `$` must not be read as one.
      cmd.repl = repl.replace(/\$/g, '$$$$').replace(/\\(\d)|\\&|&|\\n|\\(.)/g, (m, d: string | undefined, c: string | undefined) =>
        d !== undefined ? `$${d}` : m === '\\&' ? '&' : m === '&' ? '$&' : m === '\\n' ? '\n' : (c ?? m),
      );
    } else if (op === 'p' || op === 'd' || op === 'q' || op === '=') {
      cmd.op = op;
    } else if (op === undefined) {
      err('missing command');
    } else {
      i--;
      err(`unknown command: \`${op}'`);
    }
    while (i < script.length && script[i] === ' ') i++;
    if (i < script.length && script[i] !== ';' && script[i] !== '\n' && script[i] !== '}') err('extra characters after command');
    cmds.push(cmd);
  }
  return cmds;
}

function sedMatch(a: SedAddr, line: string, n: number, last: boolean): boolean {
  return a.kind === 'line' ? a.n === n : a.kind === 'last' ? last : a.re.test(line);
}

export const sed: CommandSpec = {
  name: 'sed',
  summary: "Edit lines: sed 's/old/new/g', sed -n '2p', sed '1d'",
  streamsStdin: true,
  run(ctx) {
    const args = ctx.argv.slice(1);
    let quiet = false;
    let extended = false;
    let inPlace = false;
    const scripts: string[] = [];
    const files: string[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (a === '-n' || a === '--quiet') quiet = true;
      else if (a === '-E' || a === '-r') extended = true;
      else if (a === '-i') inPlace = true;
      else if (a === '-e') scripts.push(args[++k] ?? '');
      else if (/^-[nEri]+$/.test(a)) {
        quiet ||= a.includes('n');
        extended ||= /[Er]/.test(a);
        inPlace ||= a.includes('i');
      } else if (scripts.length === 0) scripts.push(a);
      else files.push(a);
    }
    if (scripts.length === 0) {
      ctx.stderr.write('Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n');
      return 1;
    }
    let cmds: SedCmd[];
    try {
      cmds = scripts.flatMap((s, k) => parseSed(s, extended, k + 1));
    } catch (e) {
      ctx.stderr.write(`sed: ${(e as Error).message}\n`);
      return 1;
    }
    /** One pass of the script over a stream of lines; `feed` returns false once `q` ends it. */
    const runner = () => {
      for (const c of cmds) c.inRange = false;
      let n = 0;
      let out = '';
      const feed = (input: string, last: boolean, newline: boolean): boolean => {
        n++;
        let line = input;
        let deleted = false;
        let quit = false;
        for (const c of cmds) {
          let hit: boolean;
          if (!c.a1) hit = true;
          else if (!c.a2) hit = sedMatch(c.a1, line, n, last);
          else if (c.inRange) {
            hit = true;
            if (c.a2.kind === 'line' ? n >= c.a2.n : sedMatch(c.a2, line, n, last)) c.inRange = false;
          } else {
            hit = sedMatch(c.a1, line, n, last);
            if (hit) c.inRange = !(c.a2.kind === 'line' && c.a2.n <= n);
          }
          if (c.negate) hit = !hit;
          if (!hit) continue;
          if (c.op === 's') {
            c.re!.lastIndex = 0;
            if (c.re!.test(line)) {
              c.re!.lastIndex = 0;
              line = line.replace(c.re!, c.repl!);
              if (c.print) out += line + '\n';
            }
          } else if (c.op === 'p') out += line + '\n';
          else if (c.op === '=') out += n + '\n';
          else if (c.op === 'd') {
            deleted = true;
            break;
          } else if (c.op === 'q') {
            quit = true;
            break;
          }
        }
        if (!deleted && !quiet) out += line + (newline ? '\n' : '');
        return !quit;
      };
      const take = (): string => {
        const o = out;
        out = '';
        return o;
      };
      return { feed, take };
    };
    const process = (text: string): string => {
      const ls = lines(text);
      const r = runner();
      for (let k = 0; k < ls.length; k++) {
        const last = k === ls.length - 1;
        if (!r.feed(ls[k]!, last, !last || text.endsWith('\n'))) break;
      }
      return r.take();
    };
    if (ctx.stdinStream && !inPlace && files.length === 0) {
      // `producer | sed …` edits lines as they arrive, one line behind (as sed reads ahead to know which is `$`).
      const input = ctx.stdinStream;
      return (async () => {
        const r = runner();
        let partial = '';
        let held: string | undefined;
        let going = true;
        for await (const chunk of input) {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop()!;
          for (const l of parts) {
            if (held !== undefined && going) going = r.feed(held, false, true);
            held = l;
          }
          const o = r.take();
          if (o) ctx.stdout.write(o);
          if (!going) return 0;
        }
        if (partial !== '') {
          if (held !== undefined && going) going = r.feed(held, false, true);
          if (going) r.feed(partial, true, false);
        } else if (held !== undefined && going) r.feed(held, true, true);
        ctx.stdout.write(r.take());
        return 0;
      })();
    }
    if (ctx.stdinStream) return wholeStdin(ctx).then((c) => sed.run(c));
    if (inPlace) {
      let status = 0;
      for (const f of files) {
        const path = ctx.resolvePath(f);
        const text = ctx.host.fs.readFile(path);
        if (text === undefined) {
          ctx.stderr.write(`sed: can't read ${f}: No such file or directory\n`);
          status = 2;
          continue;
        }
        try {
          ctx.host.fs.writeFile(path, process(text));
        } catch (e) {
          ctx.stderr.write(`sed: couldn't edit ${f}: ${fsMessage(e)}\n`);
          status = 4;
        }
      }
      return status;
    }
    const { inputs, ok } = readInputs(ctx, files);
    ctx.stdout.write(process(inputs.map((x) => x.text).join('')));
    return ok ? 0 : 2;
  },
};

// ------------------------------------------------------------------ awk

type AwkValue = string | number;
type Expr =
  | { k: 'num'; v: number }
  | { k: 'str'; v: string }
  | { k: 'field'; e: Expr }
  | { k: 'var'; name: string }
  | { k: 'regex'; re: RegExp }
  | { k: 'bin'; op: string; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'concat'; parts: Expr[] }
  | { k: 'assign'; name: string; op: string; e: Expr }
  | { k: 'incr'; name: string; d: number; post: boolean }
  | { k: 'call'; fn: string; args: Expr[] };
type Stmt =
  | { k: 'print'; args: Expr[] }
  | { k: 'printf'; args: Expr[] }
  | { k: 'expr'; e: Expr }
  | { k: 'next' };
interface Rule {
  kind: 'BEGIN' | 'END' | 'main';
  pattern?: Expr;
  body?: Stmt[];
}

class AwkSyntaxError extends Error {}

function tokenizeAwk(src: string): string[] {
  const toks: string[] = [];
  let i = 0;
  let lastSignificant = '';
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === ';') {
      toks.push(';');
      i++;
      lastSignificant = ';';
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\\') {
          const n = src[j + 1];
          s += n === 'n' ? '\n' : n === 't' ? '\t' : (n ?? '');
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new AwkSyntaxError('runaway string constant "' + s.slice(0, 10) + ' ...');
      toks.push('"' + s);
      i = j + 1;
      lastSignificant = 'str';
      continue;
    }
    // A `/` starts a regex where an operand is expected.
    if (c === '/' && !/^(num|str|id|\)|\$|\]|field)$/.test(lastSignificant)) {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== '/') {
        if (src[j] === '\\' && src[j + 1] === '/') {
          s += '/';
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new AwkSyntaxError('runaway regular expression /' + s.slice(0, 10) + ' ...');
      toks.push('/' + s);
      i = j + 1;
      lastSignificant = 'str';
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      toks.push(num[0]);
      i += num[0].length;
      lastSignificant = 'num';
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      toks.push(id[0]);
      i += id[0].length;
      lastSignificant = 'id';
      continue;
    }
    const op = ['++', '--', '+=', '-=', '*=', '/=', '==', '!=', '<=', '>=', '&&', '||', '!~'].find((o) => src.startsWith(o, i)) ?? c;
    if (!'++--+=-=*=/===!=<=>=&&||!~{}()$,<>+-*/%!~=?:'.includes(op)) throw new AwkSyntaxError(`syntax error at or near ${op}`);
    toks.push(op);
    i += op.length;
    lastSignificant = op === ')' ? ')' : op === '$' ? '$' : op;
  }
  return toks;
}

function parseAwk(src: string): Rule[] {
  const toks = tokenizeAwk(src);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const expect = (t: string) => {
    if (toks[i] !== t) throw new AwkSyntaxError(`syntax error at or near ${toks[i] ?? 'end of file'}`);
    i++;
  };
  const skipSemis = () => {
    while (peek() === ';') i++;
  };

  const primary = (): Expr => {
    const t = next();
    if (t === undefined) throw new AwkSyntaxError('syntax error at or near end of file');
    if (t === '$') return { k: 'field', e: primary() };
    if (t === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    if (t === '!') return { k: 'not', e: primary() };
    if (t === '-') return { k: 'neg', e: primary() };
    if (t === '++' || t === '--') {
      const name = next()!;
      return { k: 'incr', name, d: t === '++' ? 1 : -1, post: false };
    }
    if (t.startsWith('"')) return { k: 'str', v: t.slice(1) };
    if (t.startsWith('/') && t.length >= 1 && !/^\/=?$/.test(t)) return { k: 'regex', re: new RegExp(posixToJs(t.slice(1), true)) };
    if (/^\d/.test(t)) return { k: 'num', v: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(' && ['length', 'toupper', 'tolower', 'substr', 'index', 'int', 'split'].includes(t)) {
        next();
        const args: Expr[] = [];
        while (peek() !== ')') {
          args.push(expr());
          if (peek() === ',') next();
          else break;
        }
        expect(')');
        return { k: 'call', fn: t, args };
      }
      if (t === 'length') return { k: 'call', fn: 'length', args: [] };
      const op = peek();
      if (op === '=' || op === '+=' || op === '-=' || op === '*=' || op === '/=') {
        next();
        return { k: 'assign', name: t, op, e: expr() };
      }
      if (op === '++' || op === '--') {
        next();
        return { k: 'incr', name: t, d: op === '++' ? 1 : -1, post: true };
      }
      return { k: 'var', name: t };
    }
    throw new AwkSyntaxError(`syntax error at or near ${t}`);
  };
  const mul = (): Expr => {
    let l = primary();
    while (peek() === '*' || peek() === '/' || peek() === '%') l = { k: 'bin', op: next()!, l, r: primary() };
    return l;
  };
  const add = (): Expr => {
    let l = mul();
    while (peek() === '+' || peek() === '-') l = { k: 'bin', op: next()!, l, r: mul() };
    return l;
  };
  const startsOperand = (t: string | undefined) =>
    t !== undefined && (t === '$' || t === '(' || t === '!' || t.startsWith('"') || /^[\dA-Za-z_]/.test(t) || (t.startsWith('/') && t.length > 1));
  const concat = (): Expr => {
    const parts = [add()];
    while (startsOperand(peek()) && !['in'].includes(peek()!)) parts.push(add());
    return parts.length === 1 ? parts[0]! : { k: 'concat', parts };
  };
  const cmp = (inPrint: boolean): Expr => {
    let l = concat();
    for (;;) {
      const t = peek();
      if (t === '<' || t === '<=' || t === '==' || t === '!=' || t === '>=' || (t === '>' && !inPrint) || t === '~' || t === '!~') {
        next();
        l = { k: 'bin', op: t, l, r: concat() };
      } else return l;
    }
  };
  const and = (inPrint = false): Expr => {
    let l = cmp(inPrint);
    while (peek() === '&&') {
      next();
      l = { k: 'bin', op: '&&', l, r: cmp(inPrint) };
    }
    return l;
  };
  const or = (inPrint = false): Expr => {
    let l = and(inPrint);
    while (peek() === '||') {
      next();
      l = { k: 'bin', op: '||', l, r: and(inPrint) };
    }
    return l;
  };
  const expr = (): Expr => or();

  const statement = (): Stmt => {
    const t = peek();
    if (t === 'print' || t === 'printf') {
      next();
      const args: Expr[] = [];
      const paren = peek() === '(';
      if (paren) next();
      while (peek() !== undefined && peek() !== ';' && peek() !== '}' && peek() !== ')') {
        args.push(or(true));
        if (peek() === ',') next();
        else break;
      }
      if (paren) expect(')');
      return { k: t, args };
    }
    if (t === 'next') {
      next();
      return { k: 'next' };
    }
    return { k: 'expr', e: expr() };
  };
  const block = (): Stmt[] => {
    expect('{');
    const body: Stmt[] = [];
    skipSemis();
    while (peek() !== '}') {
      if (peek() === undefined) throw new AwkSyntaxError('missing } near end of file');
      body.push(statement());
      skipSemis();
    }
    next();
    return body;
  };

  const rules: Rule[] = [];
  skipSemis();
  while (i < toks.length) {
    const t = peek();
    if (t === 'BEGIN' || t === 'END') {
      next();
      rules.push({ kind: t, body: block() });
    } else if (t === '{') {
      rules.push({ kind: 'main', body: block() });
    } else {
      const pattern = expr();
      rules.push({ kind: 'main', pattern, ...(peek() === '{' ? { body: block() } : {}) });
    }
    skipSemis();
  }
  return rules;
}

function awkNum(v: AwkValue): number {
  if (typeof v === 'number') return v;
  const m = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(v);
  return m ? Number(m[0]) : 0;
}

function awkStr(v: AwkValue): string {
  if (typeof v === 'string') return v;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

function looksNumeric(v: AwkValue): boolean {
  return typeof v === 'number' || /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v);
}

export const awk: CommandSpec = {
  name: 'awk',
  summary: "Pattern scanning: awk '{print $1}', awk -F: 'NR>1 {print $NF}'",
  streamsStdin: true,
  run(ctx) {
    const args = ctx.argv.slice(1);
    let fs: string | undefined;
    const assigns: [string, string][] = [];
    while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
      const a = args.shift()!;
      if (a === '-F') fs = args.shift();
      else if (a.startsWith('-F')) fs = a.slice(2);
      else if (a === '-v') {
        const kv = args.shift() ?? '';
        const eq = kv.indexOf('=');
        assigns.push([kv.slice(0, eq), kv.slice(eq + 1)]);
      } else if (a === '--') break;
      else {
        ctx.stderr.write(`awk: not an option: ${a}\n`);
        return 2;
      }
    }
    const program = args.shift();
    if (program === undefined) {
      ctx.stderr.write('usage: awk [-F value] [-v var=value] [--] \'program text\' [file ...]\n');
      return 2;
    }
    // Files named: stdin only if `-` is one of them, and then whole (awk reads its operands in order).
    if (ctx.stdinStream && args.length > 0) return wholeStdin(ctx).then((c) => awk.run(c));
    let rules: Rule[];
    try {
      rules = parseAwk(program);
    } catch (e) {
      if (!(e instanceof AwkSyntaxError || e instanceof SyntaxError)) throw e;
      ctx.stderr.write(`awk: line 1: ${e.message}\n`);
      return 2;
    }
    const vars = new Map<string, AwkValue>(assigns);
    let fields: string[] = [''];
    let out = '';
    const sep = fs === undefined || fs === ' ' ? undefined : fs === '\\t' || fs === 't' ? '\t' : fs;
    const setRecord = (line: string) => {
      const parts = sep === undefined ? line.trim().split(/[ \t]+/).filter((p) => p !== '') : line.split(sep.length === 1 ? sep : new RegExp(sep));
      fields = [line, ...parts];
      vars.set('NF', parts.length);
    };
    const get = (name: string): AwkValue => vars.get(name) ?? '';
    const evalE = (e: Expr): AwkValue => {
      switch (e.k) {
        case 'num': return e.v;
        case 'str': return e.v;
        case 'field': {
          const n = Math.trunc(awkNum(evalE(e.e)));
          return n < 0 ? '' : (fields[n] ?? '');
        }
        case 'var': return get(e.name);
        case 'regex': return e.re.test(fields[0]!) ? 1 : 0;
        case 'not': return truthy(evalE(e.e)) ? 0 : 1;
        case 'neg': return -awkNum(evalE(e.e));
        case 'concat': return e.parts.map((p) => awkStr(evalE(p))).join('');
        case 'assign': {
          const v = evalE(e.e);
          const cur = get(e.name);
          const nv = e.op === '=' ? v : e.op === '+=' ? awkNum(cur) + awkNum(v) : e.op === '-=' ? awkNum(cur) - awkNum(v) : e.op === '*=' ? awkNum(cur) * awkNum(v) : awkNum(cur) / awkNum(v);
          vars.set(e.name, nv);
          return nv;
        }
        case 'incr': {
          const cur = awkNum(get(e.name));
          vars.set(e.name, cur + e.d);
          return e.post ? cur : cur + e.d;
        }
        case 'call': {
          const a = e.args.map(evalE);
          switch (e.fn) {
            case 'length': return awkStr(a[0] ?? fields[0]!).length;
            case 'toupper': return awkStr(a[0] ?? '').toUpperCase();
            case 'tolower': return awkStr(a[0] ?? '').toLowerCase();
            case 'int': return Math.trunc(awkNum(a[0] ?? 0));
            case 'index': return awkStr(a[0] ?? '').indexOf(awkStr(a[1] ?? '')) + 1;
            case 'substr': {
              const s = awkStr(a[0] ?? '');
              const start = Math.max(1, Math.round(awkNum(a[1] ?? 1)));
              return a[2] === undefined ? s.slice(start - 1) : s.slice(start - 1, start - 1 + Math.round(awkNum(a[2])));
            }
            default: return '';
          }
        }
        case 'bin': {
          if (e.op === '&&') return truthy(evalE(e.l)) && truthy(evalE(e.r)) ? 1 : 0;
          if (e.op === '||') return truthy(evalE(e.l)) || truthy(evalE(e.r)) ? 1 : 0;
          if (e.op === '~' || e.op === '!~') {
            const re = e.r.k === 'regex' ? e.r.re : new RegExp(posixToJs(awkStr(evalE(e.r)), true));
            const m = re.test(awkStr(evalE(e.l)));
            return (e.op === '~') === m ? 1 : 0;
          }
          const l = evalE(e.l);
          const r = evalE(e.r);
          switch (e.op) {
            case '+': return awkNum(l) + awkNum(r);
            case '-': return awkNum(l) - awkNum(r);
            case '*': return awkNum(l) * awkNum(r);
            case '/': return awkNum(l) / awkNum(r);
            case '%': return awkNum(l) % awkNum(r);
          }
          const numeric = looksNumeric(l) && looksNumeric(r);
          const c = numeric ? awkNum(l) - awkNum(r) : awkStr(l) < awkStr(r) ? -1 : awkStr(l) > awkStr(r) ? 1 : 0;
          switch (e.op) {
            case '<': return c < 0 ? 1 : 0;
            case '<=': return c <= 0 ? 1 : 0;
            case '>': return c > 0 ? 1 : 0;
            case '>=': return c >= 0 ? 1 : 0;
            case '==': return c === 0 ? 1 : 0;
            default: return c !== 0 ? 1 : 0;
          }
        }
      }
    };
    const truthy = (v: AwkValue) => (typeof v === 'number' ? v !== 0 : v !== '');
    /** Returns false on `next`. */
    const exec = (body: Stmt[]): boolean => {
      for (const s of body) {
        if (s.k === 'next') return false;
        if (s.k === 'expr') evalE(s.e);
        else if (s.k === 'print') out += (s.args.length === 0 ? fields[0]! : s.args.map((a) => awkStr(evalE(a))).join(' ')) + '\n';
        else {
          const [fmt, ...rest] = s.args.map((a) => awkStr(evalE(a)));
          out += formatPrintf(fmt ?? '', rest, () => {});
        }
      }
      return true;
    };
    for (const r of rules) if (r.kind === 'BEGIN') exec(r.body!);
    let nr = 0;
    const record = (line: string): void => {
      vars.set('NR', ++nr);
      setRecord(line);
      for (const r of rules) {
        if (r.kind !== 'main') continue;
        if (r.pattern && !truthy(evalE(r.pattern))) continue;
        if (!r.body) out += fields[0] + '\n';
        else if (!exec(r.body)) break;
      }
    };
    const end = (): void => {
      for (const r of rules) if (r.kind === 'END') exec(r.body!);
      ctx.stdout.write(out);
      out = '';
    };
    const stream = ctx.stdinStream;
    if (stream) {
      // `producer | awk …`: each record as it arrives (kubectl get -w | awk '{print $1}' prints as pods change).
      return (async () => {
        let partial = '';
        for await (const chunk of stream) {
          const parts = (partial + chunk).split('\n');
          partial = parts.pop()!;
          for (const l of parts) record(l);
          if (out) ctx.stdout.write(out);
          out = '';
        }
        if (partial !== '') record(partial);
        end();
        return 0;
      })();
    }
    const { inputs, ok } = readInputs(ctx, args);
    for (const input of inputs) for (const line of lines(input.text)) record(line);
    end();
    return ok ? 0 : 2;
  },
};

export const SED_AWK_COMMANDS: readonly CommandSpec[] = [sed, awk];
