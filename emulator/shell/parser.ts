/**
 * Parser for the POSIX-shell subset learners type: lists (`;` `&` newline), and-or lists (`&&` `||`), pipelines,
 * simple commands with assignments and redirects, `for`/`while`/`until`/`if`, `{ …; }` and `( … )`, quoting
 * (`'…'`, `"…"`, `$'…'`, backslash), expansions (`$VAR`, `${VAR…}`, `$(…)`, backticks, `$((…))`) and heredocs.
 *
 * One pass, recursive descent, with the tokenizer inside the parser because shell tokens depend on position:
 * heredoc bodies start at the next newline after their operator, and `$(…)` nests a whole program inside a word.
 *
 * Two failure kinds, as bash distinguishes them:
 *  - `IncompleteInputError`: the text ends where more is needed (open quote, `|` at the end, `for` without `done`,
 *    a heredoc without its delimiter). The terminal answers with a `> ` continuation prompt.
 *  - `ShellSyntaxError`: a token where none may be (`&& ls`, `echo )`). Printed as
 *    ``bash: syntax error near unexpected token `&&'``.
 */
import type {
  AndOr,
  Assignment,
  Command,
  Heredoc,
  List,
  ParamExpansion,
  Pipeline,
  Redirect,
  RedirectOp,
  SimpleCommand,
  Word,
  WordPart,
} from './ast';

export class ShellSyntaxError extends Error {
  constructor(readonly token: string) {
    super(`syntax error near unexpected token \`${token}'`);
  }
}

export type IncompleteReason = 'quote' | 'heredoc' | 'continuation' | 'compound';

export class IncompleteInputError extends Error {
  constructor(
    readonly reason: IncompleteReason,
    /** The quote character still open, or the heredoc delimiter wanted. */
    readonly detail = '',
  ) {
    super(
      reason === 'quote'
        ? `unexpected EOF while looking for matching \`${detail}'`
        : 'syntax error: unexpected end of file',
    );
  }
}

export interface ParseOptions {
  /**
   * What a heredoc without its delimiter line means at the end of the text: more input is needed (the terminal,
   * default), or the body ends there with a warning (a script at end of file, as bash does).
   */
  readonly heredocAtEof?: 'incomplete' | 'terminate';
}

export interface ParseResult {
  readonly list: List;
  /** bash's warnings, e.g. ``here-document at line 1 delimited by end-of-file (wanted `EOF')``. */
  readonly warnings: readonly string[];
}

type Token =
  | { readonly type: 'word'; readonly word: Word }
  | { readonly type: 'op'; readonly op: string; readonly fd?: number }
  | { readonly type: 'newline' }
  | { readonly type: 'eof' };

const RESERVED = new Set(['for', 'in', 'do', 'done', 'while', 'until', 'if', 'then', 'elif', 'else', 'fi', '{', '}', '!']);
/** Reserved words that can only close or continue a compound command: a syntax error where a command starts. */
const CLOSERS = new Set(['do', 'done', 'then', 'elif', 'else', 'fi', '}', 'in']);
const REDIRECT_OPS = new Set(['>', '>>', '<', '>&', '<&', '&>', '&>>', '<<', '<<-', '<<<', '>|']);
// Longest first, so `&&` wins over `&` and `<<-` over `<<`.
const OPERATORS = ['&>>', '<<-', '<<<', '&&', '||', ';;', '&>', '>>', '>&', '>|', '<<', '<&', ';', '&', '|', '(', ')', '<', '>'];
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGN_RE = /^([A-Za-z_][A-Za-z0-9_]*)=/;

interface PendingHeredoc {
  readonly delimiter: string;
  readonly stripTabs: boolean;
  readonly expand: boolean;
  readonly line: number;
  filled?: Heredoc;
}

function isMeta(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')' || c === '<' || c === '>';
}

function tokenText(t: Token): string {
  switch (t.type) {
    case 'word':
      return t.word.raw;
    case 'op':
      return t.op;
    default:
      return 'newline';
  }
}

function reservedWord(t: Token): string | undefined {
  if (t.type !== 'word') return undefined;
  const parts = t.word.parts;
  if (parts.length !== 1) return undefined;
  const p = parts[0]!;
  if (p.kind !== 'literal' || p.quoted) return undefined;
  return RESERVED.has(p.text) ? p.text : undefined;
}

/** Parse a whole command line (or script fragment). Throws ShellSyntaxError or IncompleteInputError. */
export function parse(src: string, opts: ParseOptions = {}): ParseResult {
  const p = new Parser(src, 0, opts);
  const list = p.parseProgram();
  return { list, warnings: p.warnings };
}

/** Classify text for a line editor: complete, needs more lines, or wrong. */
export function checkComplete(src: string): 'complete' | 'incomplete' | 'error' {
  try {
    parse(src);
    return 'complete';
  } catch (e) {
    if (e instanceof IncompleteInputError) return 'incomplete';
    return 'error';
  }
}

class Parser {
  readonly warnings: string[];
  #src: string;
  #pos: number;
  #peeked: Token | undefined;
  #pending: PendingHeredoc[] = [];
  #opts: ParseOptions;

  constructor(src: string, pos: number, opts: ParseOptions, warnings: string[] = []) {
    this.#src = src;
    this.#pos = pos;
    this.#opts = opts;
    this.warnings = warnings;
  }

  get pos(): number {
    return this.#pos;
  }

  // ---------------------------------------------------------------- grammar

  parseProgram(): List {
    const list = this.#compoundList([], false);
    const t = this.#peek();
    if (t.type !== 'eof') throw new ShellSyntaxError(tokenText(t));
    if (this.#pending.length > 0) this.#readHeredocsAtEof();
    return list;
  }

  /** The body of `$(…)`: a list ended by `)`; returns with the `)` consumed. */
  parseSubstitution(): List {
    const list = this.#compoundList([], true);
    const t = this.#next();
    if (t.type === 'eof') throw new IncompleteInputError('compound');
    if (!(t.type === 'op' && t.op === ')')) throw new ShellSyntaxError(tokenText(t));
    return list;
  }

  #compoundList(stopWords: readonly string[], stopAtParen: boolean): List {
    const items: { andOr: AndOr; background: boolean; text?: string }[] = [];
    for (;;) {
      this.#skipNewlines();
      const t = this.#peek();
      if (t.type === 'eof') break;
      if (stopAtParen && t.type === 'op' && t.op === ')') break;
      const rw = reservedWord(t);
      if (rw !== undefined && stopWords.includes(rw)) break;
      const start = this.#peekedStart;
      const andOr = this.#andOr();
      const sep = this.#peek();
      if (sep.type === 'op' && (sep.op === ';' || sep.op === '&')) {
        const text = this.#src.slice(start, this.#peekedStart).trim();
        this.#next();
        items.push({ andOr, background: sep.op === '&', text });
        continue;
      }
      items.push({ andOr, background: false });
      if (sep.type === 'newline') continue;
      break;
    }
    return { items };
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op' || (t.op !== '&&' && t.op !== '||')) break;
      this.#next();
      this.#skipNewlines();
      if (this.#peek().type === 'eof') throw new IncompleteInputError('continuation');
      rest.push({ op: t.op, pipeline: this.#pipeline() });
    }
    return { first, rest };
  }

  #pipeline(): Pipeline {
    let bang = false;
    if (reservedWord(this.#peek()) === '!') {
      this.#next();
      bang = true;
    }
    const commands: Command[] = [this.#command()];
    for (;;) {
      const t = this.#peek();
      if (t.type !== 'op' || t.op !== '|') break;
      this.#next();
      this.#skipNewlines();
      if (this.#peek().type === 'eof') throw new IncompleteInputError('continuation');
      commands.push(this.#command());
    }
    return { bang, commands };
  }

  #command(): Command {
    const t = this.#peek();
    if (t.type === 'eof') throw new IncompleteInputError('continuation');
    if (t.type === 'op' && t.op === '(') {
      this.#next();
      const body = this.#compoundList([], true);
      this.#expectOp(')', body);
      return { kind: 'group', subshell: true, body, redirects: this.#trailingRedirects() };
    }
    const rw = reservedWord(t);
    if (rw !== undefined) {
      if (rw === 'for') return this.#for();
      if (rw === 'while' || rw === 'until') return this.#while(rw === 'until');
      if (rw === 'if') return this.#if();
      if (rw === '{') {
        this.#next();
        const body = this.#compoundList(['}'], false);
        this.#expectWord('}', body);
        return { kind: 'group', subshell: false, body, redirects: this.#trailingRedirects() };
      }
      if (CLOSERS.has(rw)) throw new ShellSyntaxError(rw);
    }
    if (t.type === 'word' || (t.type === 'op' && REDIRECT_OPS.has(t.op))) return this.#simple();
    throw new ShellSyntaxError(tokenText(t));
  }

  #simple(): SimpleCommand {
    const assignments: Assignment[] = [];
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type === 'word') {
        this.#next();
        const assignment = words.length === 0 ? asAssignment(t.word) : undefined;
        if (assignment) assignments.push(assignment);
        else words.push(t.word);
      } else if (t.type === 'op' && REDIRECT_OPS.has(t.op)) {
        redirects.push(this.#redirect());
      } else break;
    }
    return { kind: 'simple', assignments, words, redirects };
  }

  #redirect(): Redirect {
    const t = this.#next() as { type: 'op'; op: string; fd?: number };
    const op = (t.op === '>|' ? '>' : t.op) as RedirectOp;
    const target = this.#peek();
    if (target.type !== 'word') throw new ShellSyntaxError(tokenText(target));
    this.#next();
    const defaultFd = op === '<' || op === '<&' || op === '<<' || op === '<<-' || op === '<<<' ? 0 : 1;
    const fd = t.fd ?? defaultFd;
    if (op === '<<' || op === '<<-') {
      const word = target.word;
      const pending: PendingHeredoc = {
        delimiter: word.parts.map((p) => (p.kind === 'literal' ? p.text : '')).join(''),
        stripTabs: op === '<<-',
        expand: word.parts.every((p) => !p.quoted),
        line: this.#lineAt(this.#pos),
      };
      this.#pending.push(pending);
      // The body is read when the tokenizer reaches the end of this line; the getter defers to then.
      return {
        fd,
        op,
        get heredoc(): Heredoc {
          return pending.filled ?? emptyHeredoc(pending);
        },
      } as Redirect;
    }
    return { fd, op, target: target.word };
  }

  #trailingRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.type === 'op' && REDIRECT_OPS.has(t.op)) out.push(this.#redirect());
      else return out;
    }
  }

  #for(): Command {
    this.#next();
    const nameTok = this.#next();
    if (nameTok.type === 'eof') throw new IncompleteInputError('compound');
    if (nameTok.type !== 'word') throw new ShellSyntaxError(tokenText(nameTok));
    const variable = nameTok.word.raw;
    if (!NAME_RE.test(variable)) throw new ShellSyntaxError(variable);
    let items: Word[] | undefined;
    this.#skipNewlines();
    if (reservedWord(this.#peek()) === 'in') {
      this.#next();
      items = [];
      for (;;) {
        const t = this.#peek();
        if (t.type !== 'word') break;
        this.#next();
        items.push(t.word);
      }
    }
    const sep = this.#peek();
    if (sep.type === 'op' && sep.op === ';') this.#next();
    else if (sep.type === 'eof') throw new IncompleteInputError('compound');
    else if (sep.type !== 'newline' && reservedWord(sep) !== 'do') throw new ShellSyntaxError(tokenText(sep));
    this.#skipNewlines();
    this.#expectWord('do');
    const body = this.#compoundList(['done'], false);
    this.#expectWord('done', body);
    return { kind: 'for', variable, items, body, redirects: this.#trailingRedirects() };
  }

  #while(until: boolean): Command {
    this.#next();
    const condition = this.#compoundList(['do'], false);
    this.#expectWord('do', condition);
    const body = this.#compoundList(['done'], false);
    this.#expectWord('done', body);
    return { kind: 'while', until, condition, body, redirects: this.#trailingRedirects() };
  }

  #if(): Command {
    this.#next();
    const clauses: { condition: List; body: List }[] = [];
    let elseBody: List | undefined;
    for (;;) {
      const condition = this.#compoundList(['then'], false);
      this.#expectWord('then', condition);
      const body = this.#compoundList(['elif', 'else', 'fi'], false);
      clauses.push({ condition, body });
      const t = this.#peek();
      const rw = reservedWord(t);
      if (rw === 'elif') {
        if (body.items.length === 0) throw new ShellSyntaxError('elif');
        this.#next();
        continue;
      }
      if (rw === 'else') {
        if (body.items.length === 0) throw new ShellSyntaxError('else');
        this.#next();
        elseBody = this.#compoundList(['fi'], false);
        this.#expectWord('fi', elseBody);
        break;
      }
      this.#expectWord('fi', body);
      break;
    }
    return { kind: 'if', clauses, elseBody, redirects: this.#trailingRedirects() };
  }

  /** Expect a reserved word; `before` is the list that must not be empty before it (bash rejects `do done`). */
  #expectWord(word: string, before?: List): void {
    const t = this.#peek();
    if (t.type === 'eof') throw new IncompleteInputError('compound');
    if (reservedWord(t) !== word) throw new ShellSyntaxError(tokenText(t));
    if (before && before.items.length === 0) throw new ShellSyntaxError(word);
    this.#next();
  }

  #expectOp(op: string, before?: List): void {
    const t = this.#peek();
    if (t.type === 'eof') throw new IncompleteInputError('compound');
    if (!(t.type === 'op' && t.op === op)) throw new ShellSyntaxError(tokenText(t));
    if (before && before.items.length === 0) throw new ShellSyntaxError(op);
    this.#next();
  }

  #skipNewlines(): void {
    while (this.#peek().type === 'newline') this.#next();
  }

  // ---------------------------------------------------------------- tokenizer

  #peek(): Token {
    if (this.#peeked === undefined) {
      this.#peeked = this.#lex();
      this.#peekedStart = this.#tokenStart;
    }
    return this.#peeked;
  }

  /** Source offset where the last lexed token began (after blanks and comments). */
  #tokenStart = 0;
  #peekedStart = 0;

  #next(): Token {
    const t = this.#peek();
    this.#peeked = undefined;
    return t;
  }

  #lineAt(pos: number): number {
    let n = 1;
    for (let i = 0; i < pos && i < this.#src.length; i++) if (this.#src[i] === '\n') n++;
    return n;
  }

  #lex(): Token {
    const src = this.#src;
    for (;;) {
      const c = src[this.#pos];
      if (c === ' ' || c === '\t' || c === '\r') {
        this.#pos++;
      } else if (c === '\\' && src[this.#pos + 1] === '\n') {
        this.#pos += 2;
        if (this.#pos >= src.length) throw new IncompleteInputError('continuation');
      } else if (c === '#') {
        while (this.#pos < src.length && src[this.#pos] !== '\n') this.#pos++;
      } else break;
    }
    this.#tokenStart = this.#pos;
    if (this.#pos >= src.length) {
      if (this.#pending.length > 0) this.#readHeredocsAtEof();
      return { type: 'eof' };
    }
    const c = src[this.#pos]!;
    if (c === '\n') {
      this.#pos++;
      if (this.#pending.length > 0) this.#readHeredocs();
      return { type: 'newline' };
    }
    // An io number: digits directly followed by `<` or `>` (`2>`, `2>&1`).
    const m = /^(\d+)(?=[<>])/.exec(src.slice(this.#pos, this.#pos + 4));
    if (m) {
      const at = this.#pos + m[1]!.length;
      const op = OPERATORS.find((o) => (o[0] === '<' || o[0] === '>') && src.startsWith(o, at));
      if (op) {
        this.#pos = at + op.length;
        return { type: 'op', op, fd: Number(m[1]) };
      }
    }
    if (src.startsWith('<(', this.#pos)) return { type: 'word', word: this.#lexWord() };
    for (const op of OPERATORS) {
      if (src.startsWith(op, this.#pos)) {
        this.#pos += op.length;
        return { type: 'op', op };
      }
    }
    return { type: 'word', word: this.#lexWord() };
  }

  #lexWord(): Word {
    const src = this.#src;
    const start = this.#pos;
    const parts = new PartBuilder();
    while (this.#pos < src.length) {
      const c = src[this.#pos]!;
      if (c === '<' && src[this.#pos + 1] === '(') {
        const sub = new Parser(src, this.#pos + 2, this.#opts, this.warnings);
        const body = sub.parseSubstitution();
        this.#pos = sub.pos;
        parts.push({ kind: 'procsub', body, quoted: false });
        continue;
      }
      if (isMeta(c)) break;
      if (c === '\\') {
        const n = src[this.#pos + 1];
        if (n === undefined) {
          this.#pos++;
          parts.literal('\\', false);
        } else if (n === '\n') {
          this.#pos += 2;
          if (this.#pos >= src.length) throw new IncompleteInputError('continuation');
        } else {
          this.#pos += 2;
          parts.literal(n, true);
        }
      } else if (c === "'") {
        const end = src.indexOf("'", this.#pos + 1);
        if (end < 0) throw new IncompleteInputError('quote', "'");
        parts.literal(src.slice(this.#pos + 1, end), true);
        this.#pos = end + 1;
      } else if (c === '"') {
        this.#pos++;
        this.#lexDoubleQuoted(parts);
      } else if (c === '$' && src[this.#pos + 1] === "'") {
        this.#pos += 2;
        parts.literal(this.#lexAnsiC(), true);
      } else if (c === '$') {
        this.#lexDollar(parts, false);
      } else if (c === '`') {
        parts.push({ kind: 'command', body: this.#lexBacktick(), quoted: false });
      } else {
        parts.literal(c, false);
        this.#pos++;
      }
    }
    return { parts: parts.done(), raw: src.slice(start, this.#pos) };
  }

  /** After the opening `"`; consumes through the closing one. */
  #lexDoubleQuoted(parts: PartBuilder): void {
    const src = this.#src;
    parts.literal('', true); // `""` is an empty word, not no word
    for (;;) {
      if (this.#pos >= src.length) throw new IncompleteInputError('quote', '"');
      const c = src[this.#pos]!;
      if (c === '"') {
        this.#pos++;
        return;
      }
      if (c === '\\') {
        const n = src[this.#pos + 1];
        if (n === '$' || n === '`' || n === '"' || n === '\\') {
          parts.literal(n, true);
          this.#pos += 2;
        } else if (n === '\n') {
          this.#pos += 2;
        } else {
          parts.literal('\\', true);
          this.#pos++;
        }
      } else if (c === '$') {
        this.#lexDollar(parts, true);
      } else if (c === '`') {
        parts.push({ kind: 'command', body: this.#lexBacktick(), quoted: true });
      } else {
        parts.literal(c, true);
        this.#pos++;
      }
    }
  }

  /** `$'…'` after the `$'`: ANSI-C escapes. */
  #lexAnsiC(): string {
    const src = this.#src;
    let out = '';
    for (;;) {
      if (this.#pos >= src.length) throw new IncompleteInputError('quote', "'");
      const c = src[this.#pos++]!;
      if (c === "'") return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const n = src[this.#pos++];
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', e: '\x1b', '0': '\0' };
      out += n !== undefined && n in map ? map[n] : '\\' + (n ?? '');
    }
  }

  #lexDollar(parts: PartBuilder, quoted: boolean): void {
    const src = this.#src;
    const n = src[this.#pos + 1];
    if (n === '(' && src[this.#pos + 2] === '(') {
      // $(( expr )) — find the matching `))` counting parentheses.
      let depth = 0;
      let i = this.#pos + 3;
      for (; i < src.length; i++) {
        const ch = src[i];
        if (ch === '(') depth++;
        else if (ch === ')') {
          if (depth === 0) {
            if (src[i + 1] !== ')') throw new ShellSyntaxError(')');
            break;
          }
          depth--;
        }
      }
      if (i >= src.length) throw new IncompleteInputError('compound');
      parts.push({ kind: 'arith', expr: src.slice(this.#pos + 3, i), quoted });
      this.#pos = i + 2;
      return;
    }
    if (n === '(') {
      const sub = new Parser(src, this.#pos + 2, this.#opts, this.warnings);
      const body = sub.parseSubstitution();
      this.#pos = sub.pos;
      parts.push({ kind: 'command', body, quoted });
      return;
    }
    if (n === '{') {
      parts.push({ kind: 'param', param: this.#lexBraceParam(quoted), quoted });
      return;
    }
    if (n !== undefined && /[?$#!@*\-0-9]/.test(n)) {
      parts.push({ kind: 'param', param: { name: n }, quoted });
      this.#pos += 2;
      return;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(this.#pos + 1, this.#pos + 257));
    if (name) {
      parts.push({ kind: 'param', param: { name: name[0] }, quoted });
      this.#pos += 1 + name[0].length;
      return;
    }
    parts.literal('$', quoted);
    this.#pos++;
  }

  /** `${…}` starting at the `$`. */
  #lexBraceParam(quoted: boolean): ParamExpansion {
    const src = this.#src;
    let depth = 0;
    let i = this.#pos + 2;
    for (; i < src.length; i++) {
      const ch = src[i];
      if (ch === '\\') i++;
      else if (ch === '{') depth++;
      else if (ch === '}') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (i >= src.length) throw new IncompleteInputError('compound');
    const inner = src.slice(this.#pos + 2, i);
    this.#pos = i + 1;
    const bad = (): never => {
      throw new ShellSyntaxError(`\${${inner}}`);
    };
    if (inner.startsWith('#') && inner.length > 1) {
      const name = inner.slice(1);
      if (!NAME_RE.test(name) && !/^[?$#!@*0-9]$/.test(name)) bad();
      return { name, length: true };
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[?$#!@*\-0-9])(:?[-=+?]|##?|%%?|\/\/?|:)?/.exec(inner);
    if (!m) return bad();
    if (!m[2]) {
      if (m[0].length !== inner.length) bad();
      return { name: m[1]! };
    }
    const op = m[2] as NonNullable<ParamExpansion['op']>;
    let argText = inner.slice(m[0].length);
    const word = (text: string) => new Parser(text, 0, this.#opts, this.warnings).lexHeredocBody(text, quoted);
    if (op === '/' || op === '//') {
      // `${x/pattern/replacement}`: the first unescaped `/` splits them.
      let i = 0;
      while (i < argText.length && argText[i] !== '/') i += argText[i] === '\\' ? 2 : 1;
      const replacement = i < argText.length ? argText.slice(i + 1) : '';
      argText = argText.slice(0, i);
      return { name: m[1]!, op, arg: word(argText), replacement: word(replacement) };
    }
    return { name: m[1]!, op, arg: word(argText) };
  }

  /** Backtick command substitution starting at the opening backtick. */
  #lexBacktick(): List {
    const src = this.#src;
    let inner = '';
    let i = this.#pos + 1;
    for (; i < src.length; i++) {
      const ch = src[i]!;
      if (ch === '`') break;
      if (ch === '\\' && (src[i + 1] === '`' || src[i + 1] === '\\' || src[i + 1] === '$')) {
        inner += src[i + 1];
        i++;
      } else inner += ch;
    }
    if (i >= src.length) throw new IncompleteInputError('quote', '`');
    this.#pos = i + 1;
    return new Parser(inner, 0, this.#opts, this.warnings).parseProgram();
  }

  /** A heredoc body (or `${x:-…}` argument) as a word: `$`/backtick expansions, `\$ \` \\` escapes, `"` literal. */
  lexHeredocBody(text: string, quoted = true): Word {
    const parts = new PartBuilder();
    this.#src = text;
    this.#pos = 0;
    while (this.#pos < text.length) {
      const c = text[this.#pos]!;
      if (c === '\\') {
        const n = text[this.#pos + 1];
        if (n === '$' || n === '`' || n === '\\') {
          parts.literal(n, true);
          this.#pos += 2;
        } else if (n === '\n') {
          this.#pos += 2;
        } else {
          parts.literal('\\', true);
          this.#pos++;
        }
      } else if (c === '$') {
        this.#lexDollar(parts, quoted);
      } else if (c === '`') {
        parts.push({ kind: 'command', body: this.#lexBacktick(), quoted });
      } else {
        parts.literal(c, quoted);
        this.#pos++;
      }
    }
    return { parts: parts.done(), raw: text };
  }

  #readHeredocs(): void {
    const src = this.#src;
    const pending = this.#pending;
    this.#pending = [];
    for (const h of pending) {
      let body = '';
      for (;;) {
        if (this.#pos >= src.length) {
          this.#pending = pending.slice(pending.indexOf(h));
          this.#endHeredocsAtEof(body);
          return;
        }
        const nl = src.indexOf('\n', this.#pos);
        let line = src.slice(this.#pos, nl < 0 ? src.length : nl);
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        if (nl < 0 && line !== h.delimiter) {
          // The last line is still being typed: only a full line can end the heredoc.
          this.#pending = pending.slice(pending.indexOf(h));
          this.#endHeredocsAtEof(body + line);
          return;
        }
        this.#pos = nl < 0 ? src.length : nl + 1;
        if (line === h.delimiter) break;
        body += line + '\n';
      }
      this.#fill(h, body);
    }
  }

  #readHeredocsAtEof(): void {
    this.#endHeredocsAtEof('');
  }

  /** The text ended inside heredoc bodies: more input, or (scripts) the bodies end here with bash's warning. */
  #endHeredocsAtEof(partialBody: string): void {
    const h = this.#pending[0]!;
    if (this.#opts.heredocAtEof !== 'terminate') throw new IncompleteInputError('heredoc', h.delimiter);
    let body = partialBody;
    if (body !== '' && !body.endsWith('\n')) body += '\n';
    for (const p of this.#pending) {
      this.warnings.push(
        `warning: here-document at line ${p.line} delimited by end-of-file (wanted \`${p.delimiter}')`,
      );
      this.#fill(p, p === h ? body : '');
    }
    this.#pending = [];
    this.#pos = this.#src.length;
  }

  #fill(h: PendingHeredoc, raw: string): void {
    const body = h.expand ? new Parser(raw, 0, this.#opts, this.warnings).lexHeredocBody(raw) : literalWord(raw);
    h.filled = { delimiter: h.delimiter, expand: h.expand, raw, body };
  }
}

function emptyHeredoc(h: PendingHeredoc): Heredoc {
  return { delimiter: h.delimiter, expand: h.expand, raw: '', body: literalWord('') };
}

function literalWord(text: string): Word {
  return { parts: [{ kind: 'literal', text, quoted: true }], raw: text };
}

function asAssignment(word: Word): Assignment | undefined {
  const first = word.parts[0];
  if (!first || first.kind !== 'literal' || first.quoted) return undefined;
  const m = ASSIGN_RE.exec(first.text);
  if (!m) return undefined;
  const rest = first.text.slice(m[0].length);
  const parts: WordPart[] = rest ? [{ kind: 'literal', text: rest, quoted: false }] : [];
  parts.push(...word.parts.slice(1));
  return { name: m[1]!, value: { parts, raw: word.raw.slice(m[0].length) } };
}

/** Collects word parts, merging adjacent literal text of the same quoting. */
class PartBuilder {
  #parts: WordPart[] = [];

  literal(text: string, quoted: boolean): void {
    const last = this.#parts[this.#parts.length - 1];
    if (last && last.kind === 'literal' && last.quoted === quoted) {
      this.#parts[this.#parts.length - 1] = { kind: 'literal', text: last.text + text, quoted };
    } else {
      this.#parts.push({ kind: 'literal', text, quoted });
    }
  }

  push(part: WordPart): void {
    this.#parts.push(part);
  }

  done(): WordPart[] {
    // The empty quoted literal that marks `""` is only needed when nothing else is in the word.
    if (this.#parts.length <= 1) return this.#parts;
    return this.#parts.filter((p) => !(p.kind === 'literal' && p.text === ''));
  }
}
