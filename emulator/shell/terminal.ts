/**
 * A terminal session: raw keystrokes in (xterm.js `onData`, or a TTY in `svclab shell`), terminal output out.
 * It plays the parts a real terminal splits between the tty line discipline and readline: echo and line editing
 * (line-editor.ts), history, Tab completion, `> ` continuation prompts for heredocs and loops typed over several
 * lines, Ctrl-C interrupting the running command, and typeahead buffered while a command runs.
 *
 * The initial prompt is not emitted (listeners attach after creation): whoever shows the terminal writes
 * `prompt()` first. After that every prompt comes through `onOutput`.
 */
import { Emitter, type Disposable } from '../core/events';
import type { World } from '../world';
import { columnize } from '../commands/builtins/files';
import { commonPrefix, LineEditor } from './line-editor';
import { complete } from './completion';
import { Shell, type ShellIo } from './interpreter';
import { checkComplete } from './parser';
import { stripAnsi } from './script-runner';
import type { TerminalSession, TranscriptEntry } from './terminal-api';
import type { EditorRequest, OutputStream, ShellHost } from './types';

export interface TerminalSessionOptions {
  /** True for the app and `svclab shell` (default); false makes commands behave as without a TTY. */
  readonly interactive?: boolean;
  readonly cols?: number;
  readonly rows?: number;
  /** Start on this host (default: the world's login host). */
  readonly host?: ShellHost;
  /** The app's editor (`vi FILE`, `kubectl edit`); absent in the CLI. */
  readonly openEditor?: (request: EditorRequest) => boolean;
}

/** What `createTerminalSession` returns: the TerminalSession contract plus a logout event and the shell. */
export interface ShellTerminalSession extends TerminalSession {
  /** The learner left the login host (`exit`, Ctrl-D). The session then carries on with a fresh login shell. */
  onLogout(listener: (code: number) => void): Disposable;
  /** True while a command line runs. */
  readonly busy: boolean;
  readonly shell: Shell;
}

const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/**
 * bash's history expansion for what learners type: `!!` (the last command, e.g. `sudo !!`), `!$` (its last
 * word), `!N` and `!-N`, and `!prefix`. Not inside single quotes, not before a blank, `=` or `(`. The expanded
 * line is echoed before it runs, as bash does.
 */
export function expandHistory(text: string, history: readonly string[]): { text: string; error?: string } {
  if (!text.includes('!')) return { text };
  let out = '';
  let inSingle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" ) inSingle = !inSingle;
    if (c === '\\' && !inSingle) {
      out += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c !== '!' || inSingle) {
      out += c;
      continue;
    }
    const rest = text.slice(i + 1);
    const m = /^(!|\$|-?\d+|[A-Za-z][\w.-]*)/.exec(rest);
    if (!m) {
      out += c;
      continue;
    }
    const designator = m[1]!;
    let entry: string | undefined;
    if (designator === '!' || designator === '$') entry = history[history.length - 1];
    else if (/^-\d+$/.test(designator)) entry = history[history.length + Number(designator)];
    else if (/^\d+$/.test(designator)) entry = history[Number(designator) - 1];
    else entry = [...history].reverse().find((h) => h.startsWith(designator));
    if (entry === undefined) return { text, error: `!${designator}: event not found` };
    if (designator === '$') {
      const words = entry.trim().split(/\s+/);
      out += words[words.length - 1] ?? '';
    } else out += entry;
    i += designator.length;
  }
  return { text: out };
}

export function createTerminalSession(world: World, opts: TerminalSessionOptions = {}): ShellTerminalSession {
  return new Terminal(world, opts);
}

class Terminal implements ShellTerminalSession {
  readonly shell: Shell;
  readonly #world: World;
  readonly #output = new Emitter<string>();
  readonly #commands = new Emitter<TranscriptEntry>();
  readonly #logouts = new Emitter<number>();
  readonly #editor: LineEditor;
  #cols: number;
  #rows: number;
  #pendingOut = '';
  /** Lines typed so far of a command that needs more (heredoc body, open quote, `for` without `done`). */
  #continuation: string[] = [];
  #firstPrompt = '';
  #running: { abort: AbortController; closed: boolean } | undefined;
  #typeahead = '';
  #escape = '';
  #lastKeyWasTab = false;
  #waiters: ((e: TranscriptEntry) => void)[] = [];
  #disposed = false;

  constructor(world: World, opts: TerminalSessionOptions) {
    this.#world = world;
    this.#cols = opts.cols ?? 80;
    this.#rows = opts.rows ?? 24;
    this.shell = new Shell(world, opts.host ?? world.loginHost, {
      interactive: opts.interactive ?? true,
      loginShell: true,
      columns: () => this.#cols,
      clearScreen: () => this.#write('\x1b[H\x1b[2J\x1b[3J'),
      openEditor: opts.openEditor,
      onLogout: (code) => this.#logouts.fire(code),
    });
    this.#editor = new LineEditor(this.#cols, () => this.shell.history());
    void this.#editor.reset(this.shell.prompt().length);
    this.#firstPrompt = this.shell.prompt();
  }

  // ------------------------------------------------------------ contract

  readonly onOutput = (listener: (data: string) => void): Disposable => this.#output.event(listener);
  readonly onCommand = (listener: (entry: TranscriptEntry) => void): Disposable => this.#commands.event(listener);
  readonly onLogout = (listener: (code: number) => void): Disposable => this.#logouts.event(listener);

  get busy(): boolean {
    return this.#running !== undefined;
  }

  prompt(): string {
    return this.#continuation.length > 0 ? '> ' : this.shell.prompt();
  }

  refreshPrompt(): void {
    if (this.#disposed || this.busy || this.#search || this.#continuation.length > 0 || this.#editor.buffer !== '') return;
    const p = this.prompt();
    this.#firstPrompt = p;
    this.#write('\r\x1b[K' + p + this.#editor.reset(p.length));
    this.#flush();
  }

  resize(cols: number, rows: number): void {
    this.#rows = Math.max(1, rows);
    const width = Math.max(1, cols);
    if (width === this.#cols || this.#disposed) return;
    this.#cols = width;
    // The line on screen is redrawn for the new width (readline's SIGWINCH); a running command's output is not.
    if (this.#running || this.#search) this.#editor.cols = width;
    if (this.#search) this.#drawSearch();
    else if (!this.#running) this.#write(this.#editor.resize(width, this.prompt()));
    this.#flush();
  }

  get rows(): number {
    return this.#rows;
  }

  input(data: string): void {
    if (this.#disposed) return;
    this.#processInput(data);
    this.#flush();
  }

  submit(line: string): Promise<TranscriptEntry> {
    const text = line.replace(/\r\n?/g, '\n');
    if (text.trim() === '' || text.trimStart().startsWith('#')) {
      const entry: TranscriptEntry = {
        host: this.shell.host.id,
        prompt: this.shell.prompt(),
        command: '',
        output: '',
        exitCode: this.shell.lastStatus(),
        startedAt: this.#world.scheduler.now(),
      };
      this.input('\r');
      return Promise.resolve(entry);
    }
    const done = new Promise<TranscriptEntry>((resolve) => this.#waiters.push(resolve));
    // Typed as keys: a half-typed line is discarded first (Ctrl-U), as a learner clicking a snippet would expect.
    const clearLine = this.#running || this.#editor.buffer === '' ? '' : '\x15';
    this.input(clearLine + text.replace(/\n/g, '\r') + '\r');
    return done;
  }

  dispose(): void {
    this.#disposed = true;
    this.#running?.abort.abort();
    this.#output.dispose();
    this.#commands.dispose();
    this.#logouts.dispose();
  }

  // -------------------------------------------------------------- output

  #write(text: string): void {
    this.#pendingOut += text;
  }

  #flush(): void {
    if (this.#pendingOut === '' || this.#disposed) return;
    const out = this.#pendingOut;
    this.#pendingOut = '';
    this.#output.fire(out);
  }

  // --------------------------------------------------------------- input

  #processInput(data: string): void {
    let s = this.#escape + data;
    this.#escape = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (this.#running) {
        if (c === '\x03') this.#interrupt();
        else this.#typeahead += c;
        continue;
      }
      if (c === '\x1b') {
        const seq = /^\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O.|[^[O])/.exec(s.slice(i));
        if (!seq) {
          // An escape sequence split across two input() calls: keep it for the next one.
          if (s.length - i < 8) {
            this.#escape = s.slice(i);
            return;
          }
          continue;
        }
        this.#key(seq[0]);
        i += seq[0].length - 1;
        continue;
      }
      if (c === '\r' && s[i + 1] === '\n') i++;
      this.#key(c);
    }
  }

  #key(key: string): void {
    const ed = this.#editor;
    if (this.#search) {
      this.#searchKey(key);
      return;
    }
    const wasTab = this.#lastKeyWasTab;
    this.#lastKeyWasTab = key === '\t';
    switch (key) {
      case '\x12':
        this.#startSearch();
        return;
      case '\r':
      case '\n':
        this.#enter();
        return;
      case '\x7f':
      case '\b':
        this.#write(ed.backspace());
        return;
      case '\x1b[3~':
        this.#write(ed.deleteForward());
        return;
      case '\x01':
      case '\x1b[H':
      case '\x1bOH':
      case '\x1b[1~':
      case '\x1b[7~':
        this.#write(ed.home());
        return;
      case '\x05':
      case '\x1b[F':
      case '\x1bOF':
      case '\x1b[4~':
      case '\x1b[8~':
        this.#write(ed.end());
        return;
      case '\x02':
      case '\x1b[D':
      case '\x1bOD':
        this.#write(ed.left());
        return;
      case '\x06':
      case '\x1b[C':
      case '\x1bOC':
        this.#write(ed.right());
        return;
      case '\x1bb':
      case '\x1b[1;5D':
        this.#write(ed.wordLeft());
        return;
      case '\x1bf':
      case '\x1b[1;5C':
        this.#write(ed.wordRight());
        return;
      case '\x10':
      case '\x1b[A':
      case '\x1bOA':
        this.#write(ed.historyUp());
        return;
      case '\x0e':
      case '\x1b[B':
      case '\x1bOB':
        this.#write(ed.historyDown());
        return;
      case '\x15':
        this.#write(ed.killToStart());
        return;
      case '\x0b':
        this.#write(ed.killToEnd());
        return;
      case '\x17':
      case '\x1b\x7f':
        this.#write(ed.killWordBack());
        return;
      case '\x19':
        this.#write(ed.yank());
        return;
      case '\x03':
        this.#interrupt();
        return;
      case '\x04':
        this.#ctrlD();
        return;
      case '\x0c':
        this.#write(CLEAR_SCREEN + ed.drawAll(this.prompt()));
        return;
      case '\t':
        this.#tab(wasTab);
        return;
      default:
        if (key.startsWith('\x1b')) return; // unhandled sequence (F-keys, bracketed-paste markers)
        if (key < ' ') return; // other control characters are ignored, as readline does by default
        this.#write(ed.insert(key));
    }
  }

  // ------------------------------------------------- Ctrl-R history search

  /** readline's reverse incremental search: `(reverse-i-search)`query': match`. */
  #search: { query: string; index: number; failed: boolean; original: string; shownRows: number } | undefined;

  #startSearch(): void {
    const ed = this.#editor;
    const h = this.shell.history();
    // Clear the line from the start of the prompt and show the search line instead.
    this.#write(ed.moveTo(0) + '\r\x1b[J');
    this.#search = { query: '', index: h.length, failed: false, original: ed.buffer, shownRows: 0 };
    this.#drawSearch();
  }

  #searchMatch(): string {
    const s = this.#search!;
    const entry = this.shell.history()[s.index];
    return entry === undefined ? '' : entry.split('\n')[0]!;
  }

  #drawSearch(): void {
    const s = this.#search!;
    const line = `(${s.failed ? 'failed ' : ''}reverse-i-search)\`${s.query}': ${s.index < this.shell.history().length ? this.#searchMatch() : ''}`;
    const up = s.shownRows > 0 ? `\x1b[${s.shownRows}A` : '';
    const fix = line.length > 0 && line.length % this.#cols === 0 ? ' \r' : '';
    this.#write(up + '\r\x1b[J' + line + fix);
    s.shownRows = Math.floor(line.length / this.#cols);
  }

  /** Look for the query from history entry `from` backwards. */
  #searchFrom(from: number): void {
    const s = this.#search!;
    const h = this.shell.history();
    for (let i = Math.min(from, h.length - 1); i >= 0; i--) {
      if (h[i]!.includes(s.query)) {
        s.index = i;
        s.failed = false;
        return;
      }
    }
    s.failed = true;
  }

  #endSearch(accept: boolean): void {
    const s = this.#search!;
    const text = accept && s.index < this.shell.history().length ? this.#searchMatch() : s.original;
    this.#search = undefined;
    const up = s.shownRows > 0 ? `\x1b[${s.shownRows}A` : '';
    const ed = this.#editor;
    ed.buffer = text;
    ed.cursor = text.length;
    this.#write(up + '\r\x1b[J' + ed.drawAll(this.prompt()));
  }

  #searchKey(key: string): void {
    const s = this.#search!;
    if (key === '\x12') {
      this.#searchFrom(s.index - 1);
      this.#drawSearch();
    } else if (key === '\x7f' || key === '\b') {
      s.query = s.query.slice(0, -1);
      this.#searchFrom(this.shell.history().length - 1);
      if (s.query === '') s.failed = false;
      this.#drawSearch();
    } else if (key === '\x07' || key === '\x03') {
      this.#endSearch(false);
      if (key === '\x03') this.#key('\x03');
    } else if (key === '\r' || key === '\n') {
      this.#endSearch(true);
      this.#key('\r');
    } else if (key.length === 1 && key >= ' ') {
      s.query += key;
      this.#searchFrom(s.failed ? s.index : s.index === this.shell.history().length ? s.index - 1 : s.index);
      this.#drawSearch();
    } else {
      // Any other key (arrows, Ctrl-A/E, Esc) accepts the match for editing and then does its usual job.
      this.#endSearch(true);
      if (key !== '\x1b') this.#key(key);
    }
  }

  #showPrompt(): void {
    if (this.#continuation.length === 0) {
      for (const line of this.shell.takeJobNotices()) this.#write(line + '\r\n');
    }
    const p = this.prompt();
    this.#write(p + this.#editor.reset(p.length));
  }

  #enter(): void {
    const ed = this.#editor;
    this.#write(ed.toEnd() + '\r\n');
    const line = ed.buffer;
    if (this.#continuation.length === 0) this.#firstPrompt = this.shell.prompt();
    const recalled = this.#continuation.length === 0 ? ed.recalledEntry() : undefined;
    if (recalled !== undefined) {
      // A multi-line command recalled from history: show its other lines after `> ` and run it whole.
      const rest = recalled.split('\n').slice(1);
      this.#write(rest.map((l) => `> ${l}\r\n`).join(''));
      this.#continuation = [];
      void this.#execute(recalled, this.#firstPrompt, false);
      return;
    }
    this.#continuation.push(line);
    const text = this.#continuation.join('\n');
    if (this.#continuation.length === 1 && (text.trim() === '' || text.trimStart().startsWith('#'))) {
      this.#continuation = [];
      if (text.trim() !== '') this.shell.addHistory(text);
      this.#showPrompt();
      return;
    }
    if (checkComplete(text + '\n') === 'incomplete') {
      this.#showPrompt();
      return;
    }
    this.#continuation = [];
    const expanded = expandHistory(text, this.shell.history());
    if (expanded.error !== undefined) {
      // bash prints the error, keeps nothing in history and runs nothing; the transcript still records the line.
      const message = `${this.shell.host.promptStyle === 'busybox' ? 'sh' : 'bash'}: ${expanded.error}\n`;
      this.#write(message.replace(/\n/g, '\r\n'));
      this.shell.setStatus(1);
      this.#showPrompt();
      this.#flush();
      const entry: TranscriptEntry = {
        host: this.shell.host.id,
        prompt: this.#firstPrompt,
        command: text,
        output: message,
        exitCode: 1,
        startedAt: this.#world.scheduler.now(),
      };
      this.#commands.fire(entry);
      this.#waiters.shift()?.(entry);
      return;
    }
    if (expanded.text !== text) this.#write(expanded.text.replace(/\n/g, '\r\n') + '\r\n');
    void this.#execute(expanded.text, this.#firstPrompt, false);
  }

  /** Ctrl-C: at the prompt, abandon the line; while a command runs, interrupt it. */
  #interrupt(): void {
    this.#write('^C');
    if (this.#running) {
      this.#typeahead = '';
      this.#running.abort.abort();
      this.#flush();
      return;
    }
    this.#write('\r\n');
    this.#continuation = [];
    this.shell.setStatus(130);
    this.#showPrompt();
  }

  /** Ctrl-D: on an empty line, leave the host (`exit`); otherwise delete under the cursor. */
  #ctrlD(): void {
    const ed = this.#editor;
    if (ed.buffer !== '') {
      this.#write(ed.deleteForward());
      return;
    }
    if (this.#continuation.length > 0) {
      // bash ends a heredoc at end-of-file with a warning, and reports anything else unfinished.
      const text = this.#continuation.join('\n');
      this.#continuation = [];
      this.#write('\r\n');
      void this.#execute(text, this.#firstPrompt, true);
      return;
    }
    const sink = this.#terminalSink(undefined);
    this.shell.logout({ stdin: '', stdout: sink, stderr: sink, stdoutIsTerminal: true });
    this.#showPrompt();
  }

  #tab(secondTab: boolean): void {
    const ed = this.#editor;
    const before = ed.buffer.slice(0, ed.cursor);
    const c = complete(this.shell, before);
    if (c.candidates.length === 0) {
      this.#write('\x07');
      return;
    }
    if (c.candidates.length === 1) {
      const cand = c.candidates[0]!;
      const suffix = cand.endsWith('/') ? '' : ' ';
      this.#write(ed.insert(cand.slice(c.word.length) + suffix));
      return;
    }
    const lcp = commonPrefix(c.candidates);
    if (lcp.length > c.word.length) {
      this.#write(ed.insert(lcp.slice(c.word.length)));
      this.#lastKeyWasTab = false;
      return;
    }
    if (!secondTab) {
      this.#write('\x07');
      return;
    }
    // Second Tab: list the possibilities under the line, then redraw the prompt and the line, as bash does.
    const listing = columnize(c.display, this.#cols).replace(/\n/g, '\r\n');
    const cursor = ed.cursor;
    this.#write(ed.toEnd() + '\r\n' + listing);
    ed.cursor = cursor;
    this.#write(ed.drawAll(this.prompt()));
  }

  // ------------------------------------------------------------- running

  /** Background jobs write straight to the terminal, whenever they print. */
  readonly #jobSink: { stdout: OutputStream; stderr: OutputStream } = (() => {
    const sink = this.#terminalSink(undefined);
    return { stdout: sink, stderr: sink };
  })();

  /** Output of a running command: `\n` → `\r\n`, captured (ANSI-stripped later) for the transcript. */
  #terminalSink(run: { closed: boolean } | undefined, capture?: { text: string }): OutputStream {
    return {
      write: (text: string) => {
        if (run?.closed || this.#disposed) return;
        if (capture) capture.text += text;
        this.#write(text.replace(/\r?\n/g, '\r\n'));
        this.#flush();
      },
    };
  }

  async #execute(text: string, prompt: string, atEof: boolean): Promise<void> {
    const host = this.shell.host.id;
    const startedAt = this.#world.scheduler.now();
    const abort = new AbortController();
    const run = { abort, closed: false };
    this.#running = run;
    const capture = { text: '' };
    const sink = this.#terminalSink(run, capture);
    const io: ShellIo = { stdin: '', stdout: sink, stderr: sink, stdoutIsTerminal: true, background: this.#jobSink };
    this.shell.addHistory(text);
    let exitCode: number;
    try {
      exitCode = await this.shell.run(text + '\n', io, abort.signal, atEof ? { heredocAtEof: 'terminate' } : {});
    } catch (e) {
      sink.write(`${e instanceof Error ? e.message : String(e)}\n`);
      exitCode = 1;
    }
    run.closed = true;
    this.#running = undefined;
    if (this.#disposed) return;
    if (abort.signal.aborted) {
      this.#write('\r\n');
      exitCode = 130;
      this.shell.setStatus(130);
    }
    const entry: TranscriptEntry = { host, prompt, command: text, output: stripAnsi(capture.text), exitCode, startedAt };
    this.#showPrompt();
    this.#flush();
    this.#commands.fire(entry);
    this.#waiters.shift()?.(entry);
    if (this.#typeahead !== '') {
      const t = this.#typeahead;
      this.#typeahead = '';
      this.input(t);
    }
  }
}
