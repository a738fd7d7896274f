/**
 * The syntax tree of the POSIX-shell subset learners type. The parser (parser.ts) builds it, the interpreter
 * (interpreter.ts) walks it; the shapes follow the POSIX grammar's names (list, and-or, pipeline, simple command).
 */

/** A piece of a word. `quoted` parts are neither field-split nor globbed. */
export type WordPart =
  | { readonly kind: 'literal'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'param'; readonly param: ParamExpansion; readonly quoted: boolean }
  | { readonly kind: 'command'; readonly body: List; readonly quoted: boolean }
  | { readonly kind: 'arith'; readonly expr: string; readonly quoted: boolean }
  /** `<(cmd)`: the command's output as a file name (`source <(kubectl completion bash)`). */
  | { readonly kind: 'procsub'; readonly body: List; readonly quoted: false };

export interface ParamExpansion {
  /** Variable name or special parameter (`?`, `$`, `#`, `0`…`9`, `@`, `*`, `!`). */
  readonly name: string;
  /** `${#NAME}` */
  readonly length?: boolean;
  /** `${NAME:-word}` and friends. */
  readonly op?: ':-' | '-' | ':=' | '=' | ':+' | '+' | ':?' | '?' | '#' | '##' | '%' | '%%' | '/' | '//' | ':';
  /** The word after the operator (for `/`: the pattern; for `:`: `offset[:length]`). */
  readonly arg?: Word;
  /** `${x/pattern/replacement}`: the replacement. */
  readonly replacement?: Word;
}

export interface Word {
  readonly parts: readonly WordPart[];
  /** Source text, for messages and for heredoc delimiters. */
  readonly raw: string;
}

export type RedirectOp = '>' | '>>' | '<' | '>&' | '<&' | '&>' | '&>>' | '<<' | '<<-' | '<<<';

export interface Redirect {
  /** The file descriptor redirected (1 for `>`, 0 for `<`, 2 for `2>`). */
  readonly fd: number;
  readonly op: RedirectOp;
  /** File name, fd number (`>&`), or here-string word. Absent for heredocs. */
  readonly target?: Word;
  readonly heredoc?: Heredoc;
}

export interface Heredoc {
  readonly delimiter: string;
  /** False when the delimiter was quoted (`<<'EOF'`): the body is taken literally. */
  readonly expand: boolean;
  /** The body as written (tabs already stripped for `<<-`), ending with a newline unless empty. */
  readonly raw: string;
  /** The body parsed as a double-quoted word (used when `expand`). */
  readonly body: Word;
}

export interface Assignment {
  readonly name: string;
  readonly value: Word;
}

export interface SimpleCommand {
  readonly kind: 'simple';
  readonly assignments: readonly Assignment[];
  readonly words: readonly Word[];
  readonly redirects: readonly Redirect[];
}

export interface ForCommand {
  readonly kind: 'for';
  readonly variable: string;
  /** Undefined for `for x; do` (iterates over "$@", empty here). */
  readonly items: readonly Word[] | undefined;
  readonly body: List;
  readonly redirects: readonly Redirect[];
}

export interface WhileCommand {
  readonly kind: 'while';
  /** `until` loops run while the condition fails. */
  readonly until: boolean;
  readonly condition: List;
  readonly body: List;
  readonly redirects: readonly Redirect[];
}

export interface IfCommand {
  readonly kind: 'if';
  readonly clauses: readonly { readonly condition: List; readonly body: List }[];
  readonly elseBody: List | undefined;
  readonly redirects: readonly Redirect[];
}

/** `{ …; }` (same shell) or `( … )` (subshell: variable and cwd changes do not leak out). */
export interface GroupCommand {
  readonly kind: 'group';
  readonly subshell: boolean;
  readonly body: List;
  readonly redirects: readonly Redirect[];
}

export type Command = SimpleCommand | ForCommand | WhileCommand | IfCommand | GroupCommand;

export interface Pipeline {
  /** `! cmd` inverts the status. */
  readonly bang: boolean;
  readonly commands: readonly Command[];
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

export interface List {
  /** `text` is the item's source (for `jobs` and bash's `[1]+  Done  sleep 5`). */
  readonly items: readonly { readonly andOr: AndOr; readonly background: boolean; readonly text?: string }[];
}
