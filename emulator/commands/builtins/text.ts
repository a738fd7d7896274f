/**
 * Text filters learners pipe kubectl into: grep, head, tail, wc, sort, uniq, seq, cut, tr, tee — GNU formats and
 * exit statuses (grep: 0 match, 1 none, 2 trouble).
 */
import { fsMessage } from '../../shell/interpreter';
import type { CommandContext, CommandSpec } from '../../shell/types';
import { lines, missingOperand, parseOrUsage, readInputs, wholeStdin } from './options';

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: 'A-Za-z0-9_', cntrl: '\\x00-\\x1f',
  print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

/** POSIX basic (BRE) or extended (ERE) regular expression → JavaScript source. */
export function posixToJs(pattern: string, extended: boolean): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) {
          const cls = POSIX_CLASSES[pattern.slice(i + 2, end)];
          if (cls !== undefined) {
            out += cls;
            i = end + 1;
            continue;
          }
        }
      }
      if (c === ']' && !out.endsWith('[') && !out.endsWith('[^')) inClass = false;
      out += c === '\\' ? '\\\\' : c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      if (pattern[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '\\') {
      const n = pattern[++i];
      if (n === undefined) throw new SyntaxError('Trailing backslash');
      if (!extended && '|+?(){}'.includes(n)) out += n;
      else if (n === '<' || n === '>') out += '\\b';
      else out += '\\' + n;
      continue;
    }
    if (!extended && '|+?(){}'.includes(c)) {
      out += '\\' + c;
      continue;
    }
    if (!extended && c === '*' && (out === '' || out === '^')) {
      out += '\\*';
      continue;
    }
    out += c;
  }
  if (inClass) throw new SyntaxError('Unmatched [, [^, [:, [., or [=');
  return out;
}

export const grep: CommandSpec = {
  name: 'grep',
  summary: 'Print lines that match a pattern (-i -v -c -n -E -F -w -o -q -l -e)',
  streamsStdin: true,
  run(ctx) {
    const opts = parseOrUsage(
      ctx,
      {
        flags: 'ivcnEFwoqlhHsx',
        withValue: 'emABC',
        long: { 'ignore-case': 'i', 'invert-match': 'v', count: 'c', 'line-number': 'n', 'extended-regexp': 'E', 'fixed-strings': 'F', 'word-regexp': 'w', quiet: 'q', 'only-matching': 'o', 'regexp=': 'e', 'color=': 'Z', 'colour=': 'Z' },
      },
      2,
    );
    if (typeof opts === 'number') return opts;
    const f = opts.flags;
    const operands = [...opts.operands];
    const patterns = opts.all.get('e') ?? (operands.length > 0 ? [operands.shift()!] : undefined);
    if (!patterns) {
      ctx.stderr.write(`Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n`);
      return 2;
    }
    let re: RegExp;
    try {
      const alternatives = patterns.flatMap((p) => p.split('\n')).map((p) => {
        let src = f.has('F') ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : posixToJs(p, f.has('E'));
        if (f.has('w')) src = `(?<![A-Za-z0-9_])(?:${src})(?![A-Za-z0-9_])`;
        if (f.has('x')) src = `^(?:${src})$`;
        return src;
      });
      re = new RegExp(alternatives.map((a) => `(?:${a})`).join('|'), f.has('i') ? 'gi' : 'g');
    } catch (e) {
      const msg = e instanceof SyntaxError && e.message.startsWith('Unmatched') ? e.message : 'Invalid regular expression';
      ctx.stderr.write(`grep: ${msg}\n`);
      return 2;
    }
    const withName = f.has('H') || (!f.has('h') && operands.length > 1);
    const options: GrepOptions = {
      re,
      flags: f,
      withName,
      after: Number(opts.values.get('A') ?? opts.values.get('C') ?? 0),
      before: Number(opts.values.get('B') ?? opts.values.get('C') ?? 0),
      max: opts.values.has('m') ? Number(opts.values.get('m')) : Infinity,
    };
    if (ctx.stdinStream && operands.length === 0) return grepStream(ctx, ctx.stdinStream, options);
    if (ctx.stdinStream) return wholeStdin(ctx).then((c) => grep.run(c));
    const { inputs, ok } = readInputs(ctx, operands.length > 0 ? operands : []);
    let matchedAny = false;
    let out = '';
    for (const input of inputs) {
      const m = new GrepMatcher(input.name === '-' ? '(standard input)' : input.name, options);
      for (const line of lines(input.text)) {
        out += m.feed(line);
        if (m.done) break;
      }
      out += m.end();
      if (m.count > 0) matchedAny = true;
      if (m.done && f.has('q')) break;
    }
    ctx.stdout.write(out);
    if (matchedAny && f.has('q')) return 0;
    if (!ok) return 2;
    return matchedAny ? 0 : 1;
  },
};

interface GrepOptions {
  readonly re: RegExp;
  readonly flags: ReadonlySet<string>;
  readonly withName: boolean;
  readonly after: number;
  readonly before: number;
  readonly max: number;
}

/**
 * grep over one input, a line at a time: what to print for each line (matches, -A/-B context, `--` separators)
 * and at the end (-c, -l). Fed from a whole file or, in a pipeline, from lines as the producer writes them.
 */
class GrepMatcher {
  count = 0;
  #index = 0;
  #lastPrinted = -1;
  #afterLeft = 0;
  /** The last `before` lines, for -B context: [line number, text]. */
  #recent: [number, string][] = [];

  constructor(readonly name: string, readonly o: GrepOptions) {}

  /** -m reached or -q matched: nothing more to read. */
  get done(): boolean {
    return this.count >= this.o.max || (this.count > 0 && this.o.flags.has('q'));
  }

  feed(line: string): string {
    const { re, flags: f, withName, before, after } = this.o;
    const i = this.#index++;
    let out = '';
    re.lastIndex = 0;
    const hit = re.test(line) !== f.has('v');
    const quiet = f.has('c') || f.has('l') || f.has('q');
    if (!hit) {
      if (this.#afterLeft > 0 && !quiet) {
        out += (withName ? this.name + '-' : '') + (f.has('n') ? `${i + 1}-` : '') + line + '\n';
        this.#lastPrinted = i;
        this.#afterLeft--;
      } else if (before > 0) {
        this.#recent.push([i, line]);
        if (this.#recent.length > before) this.#recent.shift();
      }
      return out;
    }
    this.count++;
    if (quiet) return '';
    if ((before > 0 || after > 0) && this.#lastPrinted >= 0 && i - before > this.#lastPrinted + 1) out += '--\n';
    for (const [b, text] of this.#recent) {
      if (b > this.#lastPrinted && b >= i - before) out += (withName ? this.name + '-' : '') + (f.has('n') ? `${b + 1}-` : '') + text + '\n';
    }
    this.#recent = [];
    const prefix = (withName ? this.name + ':' : '') + (f.has('n') ? `${i + 1}:` : '');
    if (f.has('o') && !f.has('v')) {
      re.lastIndex = 0;
      for (const m of line.matchAll(re)) if (m[0] !== '') out += prefix + m[0] + '\n';
    } else out += prefix + line + '\n';
    this.#lastPrinted = i;
    this.#afterLeft = after;
    return out;
  }

  end(): string {
    const f = this.o.flags;
    let out = '';
    if (f.has('c') && !f.has('q')) out += (this.o.withName ? this.name + ':' : '') + this.count + '\n';
    if (f.has('l') && !f.has('q') && this.count > 0) out += this.name + '\n';
    return out;
  }
}

/** `producer | grep PATTERN`: print each matching line as soon as the producer wrote it (grep is line-buffered on a terminal). */
async function grepStream(ctx: CommandContext, input: AsyncIterable<string>, o: GrepOptions): Promise<number> {
  const m = new GrepMatcher('(standard input)', o);
  let partial = '';
  for await (const chunk of input) {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    let out = '';
    for (const line of parts) {
      out += m.feed(line);
      if (m.done) break;
    }
    if (out) ctx.stdout.write(out);
    if (m.done) break;
  }
  if (partial !== '' && !m.done) ctx.stdout.write(m.feed(partial));
  ctx.stdout.write(m.end());
  return m.count > 0 ? 0 : 1;
}

function headTail(ctx: CommandContext, tail: boolean): number | Promise<number> {
  const name = tail ? 'tail' : 'head';
  const opts = parseOrUsage(ctx, { flags: 'qvf', withValue: 'nc', long: { 'lines=': 'n', 'bytes=': 'c', quiet: 'q' }, numericShorthand: 'n' });
  if (typeof opts === 'number') return opts;
  const raw = opts.values.get('n') ?? '10';
  const fromStart = tail && raw.startsWith('+');
  const allBut = !tail && raw.startsWith('-');
  const n = Number(raw.replace(/^[+-]/, ''));
  if (!Number.isInteger(n)) {
    ctx.stderr.write(`${name}: invalid number of lines: ‘${raw}’\n`);
    return 1;
  }
  if (ctx.stdinStream) {
    // `producer | head -n N`: the first N lines as they come, then head exits (and the shell's SIGPIPE stops
    // the producer). Other forms need the whole input.
    if (!tail && !allBut && !opts.values.has('c') && opts.operands.length === 0) return headStream(ctx, ctx.stdinStream, n);
    return wholeStdin(ctx).then((c) => headTail(c, tail));
  }
  const { inputs, ok } = readInputs(ctx, opts.operands);
  const headers = inputs.length > 1 && !opts.flags.has('q');
  let out = '';
  inputs.forEach((input, idx) => {
    if (headers) out += `${idx > 0 ? '\n' : ''}==> ${input.name === '-' ? 'standard input' : input.name} <==\n`;
    const text = input.text;
    const ls = text.split('\n');
    const trailing = text.endsWith('\n');
    if (trailing) ls.pop();
    let picked: string[];
    if (tail) picked = fromStart ? ls.slice(Math.max(0, n - 1)) : n === 0 ? [] : ls.slice(-n);
    else picked = allBut ? ls.slice(0, Math.max(0, ls.length - n)) : ls.slice(0, n);
    if (picked.length === 0) return;
    const lastIsLast = tail ? true : picked.length === ls.length;
    out += picked.join('\n') + (lastIsLast && !trailing ? '' : '\n');
  });
  ctx.stdout.write(out);
  return ok ? 0 : 1;
}

async function headStream(ctx: CommandContext, input: AsyncIterable<string>, n: number): Promise<number> {
  let left = n;
  if (left === 0) return 0;
  for await (const chunk of input) {
    let end = 0;
    while (left > 0) {
      const nl = chunk.indexOf('\n', end);
      if (nl < 0) {
        end = chunk.length;
        break;
      }
      end = nl + 1;
      left--;
    }
    ctx.stdout.write(chunk.slice(0, end));
    if (left === 0) break;
  }
  return 0;
}

export const head: CommandSpec = { name: 'head', summary: 'First lines of input (-n N)', streamsStdin: true, run: (ctx) => headTail(ctx, false) };
export const tail: CommandSpec = { name: 'tail', summary: 'Last lines of input (-n N, -n +N)', run: (ctx) => headTail(ctx, true) };

function countWords(text: string): number {
  const m = text.match(/\S+/g);
  return m ? m.length : 0;
}

export const wc: CommandSpec = {
  name: 'wc',
  summary: 'Count lines, words and bytes (-l -w -c -m)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'lwcmL', long: { lines: 'l', words: 'w', bytes: 'c', chars: 'm' } });
    if (typeof opts === 'number') return opts;
    let which = ['l', 'w', 'm', 'c'].filter((c) => opts.flags.has(c));
    if (which.length === 0) which = ['l', 'w', 'c'];
    const { inputs, ok } = readInputs(ctx, opts.operands);
    const encoder = new TextEncoder();
    const rows = inputs.map((i) => ({
      name: opts.operands.length === 0 ? '' : i.name,
      counts: which.map((c) =>
        c === 'l' ? (i.text.match(/\n/g)?.length ?? 0) : c === 'w' ? countWords(i.text) : c === 'm' ? [...i.text].length : encoder.encode(i.text).length,
      ),
    }));
    if (rows.length > 1) rows.push({ name: 'total', counts: which.map((_, k) => rows.reduce((s, r) => s + r.counts[k]!, 0)) });
    // GNU wc: one count of one input prints bare; stdin gets width 7; files get the width of the largest count.
    const fromStdin = inputs.some((i) => i.name === '-');
    let width: number;
    if (which.length === 1 && rows.length === 1) width = 1;
    else if (fromStdin) width = 7;
    else width = Math.max(1, ...rows.flatMap((r) => r.counts.map((c) => String(c).length)));
    let out = '';
    for (const r of rows) {
      out += r.counts.map((c) => String(c).padStart(width)).join(' ') + (r.name ? ' ' + r.name : '') + '\n';
    }
    ctx.stdout.write(out);
    return ok ? 0 : 1;
  },
};

function numericPrefix(s: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)/.exec(s);
  return m ? Number(m[1]) : 0;
}

const HUMAN_UNITS: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, k: 1e3 };

export const sort: CommandSpec = {
  name: 'sort',
  summary: 'Sort lines (-n -r -u -k N -t SEP -h -f)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'nrufhVb', withValue: 'kt', long: { 'numeric-sort': 'n', reverse: 'r', unique: 'u', 'key=': 'k', 'field-separator=': 't' } }, 2);
    if (typeof opts === 'number') return opts;
    const f = opts.flags;
    const sep = opts.values.get('t');
    const keySpec = opts.values.get('k');
    let keyStart = 0;
    let keyEnd: number | undefined;
    if (keySpec !== undefined) {
      const m = /^(\d+)(?:\.\d+)?[a-zA-Z]*(?:,(\d+)(?:\.\d+)?[a-zA-Z]*)?$/.exec(keySpec);
      if (!m || m[1] === '0') {
        ctx.stderr.write(`sort: invalid number at field start: invalid count at start of ‘${keySpec}’\n`);
        return 2;
      }
      keyStart = Number(m[1]) - 1;
      keyEnd = m[2] !== undefined ? Number(m[2]) : undefined;
      if (/n/.test(keySpec)) f.add('n');
      if (/r/.test(keySpec)) f.add('r');
      if (/h/.test(keySpec)) f.add('h');
    }
    const { inputs, ok } = readInputs(ctx, opts.operands);
    const all = inputs.flatMap((i) => lines(i.text));
    const key = (line: string): string => {
      if (keySpec === undefined) return line;
      let fields: string[];
      if (sep !== undefined) fields = line.split(sep);
      else fields = line.match(/\s*\S+/g) ?? [];
      return fields.slice(keyStart, keyEnd ?? fields.length).join(sep ?? '');
    };
    const num = (s: string): number => {
      if (f.has('h')) {
        const m = /^\s*(-?\d+(?:\.\d+)?)([KMGTk]?)/.exec(s);
        return m ? Number(m[1]) * (HUMAN_UNITS[m[2]!] ?? 1) : 0;
      }
      return numericPrefix(s);
    };
    const bytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const cmpKey = (a: string, b: string): number => {
      if (f.has('n') || f.has('h')) return num(a) - num(b);
      if (f.has('f')) return bytes(a.toUpperCase(), b.toUpperCase());
      if (f.has('b')) return bytes(a.trimStart(), b.trimStart());
      return bytes(a, b);
    };
    const decorated = all.map((line) => ({ line, k: key(line) }));
    decorated.sort((x, y) => {
      const c = cmpKey(x.k, y.k);
      // GNU sort's last-resort comparison is the whole line, bytewise; -u and -r apply to it too.
      const r = c !== 0 ? c : f.has('u') ? 0 : bytes(x.line, y.line);
      return f.has('r') ? -r : r;
    });
    let result = decorated;
    if (f.has('u')) result = decorated.filter((d, i) => i === 0 || cmpKey(decorated[i - 1]!.k, d.k) !== 0);
    ctx.stdout.write(result.map((d) => d.line + '\n').join(''));
    return ok ? 0 : 2;
  },
};

export const uniq: CommandSpec = {
  name: 'uniq',
  summary: 'Collapse repeated adjacent lines (-c -d -u)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'cdui', long: { count: 'c', repeated: 'd', unique: 'u', 'ignore-case': 'i' } });
    if (typeof opts === 'number') return opts;
    const { inputs, ok } = readInputs(ctx, opts.operands.slice(0, 1));
    const f = opts.flags;
    const norm = (s: string) => (f.has('i') ? s.toLowerCase() : s);
    const groups: { line: string; n: number }[] = [];
    for (const line of lines(inputs[0]?.text ?? '')) {
      const last = groups[groups.length - 1];
      if (last && norm(last.line) === norm(line)) last.n++;
      else groups.push({ line, n: 1 });
    }
    let out = '';
    for (const g of groups) {
      if (f.has('d') && g.n < 2) continue;
      if (f.has('u') && g.n > 1) continue;
      out += (f.has('c') ? `${String(g.n).padStart(7)} ` : '') + g.line + '\n';
    }
    ctx.stdout.write(out);
    return ok ? 0 : 1;
  },
};

export const seq: CommandSpec = {
  name: 'seq',
  summary: 'Print a sequence of numbers (seq LAST, seq FIRST LAST, seq FIRST INCR LAST)',
  run(ctx) {
    const args: string[] = [];
    let sepr = '\n';
    let equalWidth = false;
    const argv = ctx.argv.slice(1);
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      if (a === '-s') sepr = argv[++i] ?? '\n';
      else if (a.startsWith('-s') && a.length > 2) sepr = a.slice(2);
      else if (a === '-w') equalWidth = true;
      else args.push(a);
    }
    if (args.length === 0) return missingOperand(ctx);
    if (args.length > 3) {
      ctx.stderr.write(`seq: extra operand ‘${args[3]}’\nTry 'seq --help' for more information.\n`);
      return 1;
    }
    for (const a of args) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(a)) {
        ctx.stderr.write(`seq: invalid floating point argument: ‘${a}’\nTry 'seq --help' for more information.\n`);
        return 1;
      }
    }
    const nums = args.map(Number);
    const [first, incr, last] = nums.length === 1 ? [1, 1, nums[0]!] : nums.length === 2 ? [nums[0]!, 1, nums[1]!] : [nums[0]!, nums[1]!, nums[2]!];
    if (incr === 0) {
      ctx.stderr.write(`seq: invalid Zero increment value: ‘${args[1]}’\nTry 'seq --help' for more information.\n`);
      return 1;
    }
    const decimals = Math.max(...args.map((a) => (a.includes('.') ? a.length - a.indexOf('.') - 1 : 0)));
    const out: string[] = [];
    for (let k = 0; out.length < 1_000_000; k++) {
      const v = first + k * incr;
      if (incr > 0 ? v > last + 1e-9 : v < last - 1e-9) break;
      out.push(v.toFixed(decimals));
    }
    if (equalWidth) {
      const w = Math.max(...out.map((s) => s.length));
      for (let i = 0; i < out.length; i++) {
        const s = out[i]!;
        out[i] = s.startsWith('-') ? '-' + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      }
    }
    ctx.stdout.write(out.length > 0 ? out.join(sepr) + '\n' : '');
    return 0;
  },
};

/** Parse cut's LIST (`1`, `1,3`, `2-`, `-3`) into a predicate over 1-based positions. */
function cutList(list: string): ((n: number) => boolean) | undefined {
  const ranges: [number, number][] = [];
  for (const part of list.split(',')) {
    const m = /^(\d*)(-?)(\d*)$/.exec(part);
    if (!m || (m[1] === '' && m[3] === '')) return undefined;
    const lo = m[1] ? Number(m[1]) : 1;
    const hi = m[2] ? (m[3] ? Number(m[3]) : Infinity) : lo;
    if (lo === 0) return undefined;
    ranges.push([lo, hi]);
  }
  return (n) => ranges.some(([lo, hi]) => n >= lo && n <= hi);
}

export const cut: CommandSpec = {
  name: 'cut',
  summary: 'Select fields or characters of each line (-d SEP -f LIST, -c LIST)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 's', withValue: 'dfc', long: { 'delimiter=': 'd', 'fields=': 'f', 'characters=': 'c' } });
    if (typeof opts === 'number') return opts;
    const fields = opts.values.get('f');
    const chars = opts.values.get('c');
    const list = fields ?? chars;
    if (list === undefined) {
      ctx.stderr.write(`cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n`);
      return 1;
    }
    const pick = cutList(list);
    if (!pick) {
      ctx.stderr.write(`cut: invalid field value ‘${list}’\nTry 'cut --help' for more information.\n`);
      return 1;
    }
    const delim = opts.values.get('d') ?? '\t';
    if (delim.length !== 1) {
      ctx.stderr.write(`cut: the delimiter must be a single character\nTry 'cut --help' for more information.\n`);
      return 1;
    }
    const { inputs, ok } = readInputs(ctx, opts.operands);
    let out = '';
    for (const line of inputs.flatMap((i) => lines(i.text))) {
      if (chars !== undefined) {
        out += [...line].filter((_, i) => pick(i + 1)).join('') + '\n';
      } else if (!line.includes(delim)) {
        if (!opts.flags.has('s')) out += line + '\n';
      } else out += line.split(delim).filter((_, i) => pick(i + 1)).join(delim) + '\n';
    }
    ctx.stdout.write(out);
    return ok ? 0 : 1;
  },
};

function trSet(spec: string): string {
  let s = '';
  const src = spec.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\\\/g, '\\');
  const classes: Record<string, string> = { '[:lower:]': 'abcdefghijklmnopqrstuvwxyz', '[:upper:]': 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '[:digit:]': '0123456789', '[:space:]': ' \t\n\r\f\v' };
  for (let i = 0; i < src.length; i++) {
    const cls = Object.keys(classes).find((k) => src.startsWith(k, i));
    if (cls) {
      s += classes[cls];
      i += cls.length - 1;
    } else if (src[i + 1] === '-' && i + 2 < src.length) {
      for (let c = src.charCodeAt(i); c <= src.charCodeAt(i + 2); c++) s += String.fromCharCode(c);
      i += 2;
    } else s += src[i];
  }
  return s;
}

export const tr: CommandSpec = {
  name: 'tr',
  summary: 'Translate or delete characters (tr a-z A-Z, tr -d, tr -s)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'ds' });
    if (typeof opts === 'number') return opts;
    const [a, b] = opts.operands;
    if (a === undefined || (!opts.flags.has('d') && !opts.flags.has('s') && b === undefined)) return missingOperand(ctx);
    const from = trSet(a);
    const to = b !== undefined ? trSet(b) : '';
    let out = '';
    let prev = '';
    for (const ch of ctx.stdin) {
      if (opts.flags.has('d') && from.includes(ch)) continue;
      let c = ch;
      const idx = from.indexOf(ch);
      if (!opts.flags.has('d') && idx >= 0 && to.length > 0) c = to[Math.min(idx, to.length - 1)]!;
      if (opts.flags.has('s') && c === prev && (to || from).includes(c)) continue;
      out += c;
      prev = c;
    }
    ctx.stdout.write(out);
    return 0;
  },
};

export const tee: CommandSpec = {
  name: 'tee',
  summary: 'Copy standard input to files and to standard output (-a append)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'a', long: { append: 'a' } });
    if (typeof opts === 'number') return opts;
    let status = 0;
    for (const op of opts.operands) {
      try {
        ctx.host.fs.writeFile(ctx.resolvePath(op), ctx.stdin, opts.flags.has('a'));
      } catch (e) {
        ctx.stderr.write(`tee: ${op}: ${fsMessage(e)}\n`);
        status = 1;
      }
    }
    ctx.stdout.write(ctx.stdin);
    return status;
  },
};

export const TEXT_COMMANDS: readonly CommandSpec[] = [grep, head, tail, wc, sort, uniq, seq, cut, tr, tee];
