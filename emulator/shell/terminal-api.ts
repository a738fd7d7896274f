/**
 * What the app (main process, web shell) and the CLI see of a shell: a terminal session fed with raw keystrokes
 * (xterm.js `onData`) that answers with terminal output, and a script runner for `svclab run`.
 * Implemented in `emulator/shell/terminal.ts` and `emulator/shell/script-runner.ts`.
 */
import type { Disposable } from '../core/events';

export interface TranscriptEntry {
  /** Host id the command ran on (`workstation`, `node/worker-1`, `pod/default/web-…`). */
  readonly host: string;
  /** The prompt that was shown, e.g. `student@workstation:~$ `. */
  readonly prompt: string;
  readonly command: string;
  /** Output with `\n` line endings, ANSI escapes stripped. */
  readonly output: string;
  readonly exitCode: number;
  /** Virtual time (ms since epoch) when the command started. */
  readonly startedAt: number;
}

export interface TerminalSession {
  /** Raw terminal input: typed keys, pasted text, escape sequences (arrows, Ctrl-C = \x03, Tab = \t, …). */
  input(data: string): void;
  /** Terminal output (`\r\n` line endings, ANSI escapes) to write into xterm.js. */
  onOutput(listener: (data: string) => void): Disposable;
  /** Fired when a command line finished. */
  onCommand(listener: (entry: TranscriptEntry) => void): Disposable;
  /** The terminal's size changed (xterm fit addon). */
  resize(cols: number, rows: number): void;
  /** Type a whole line as if the learner typed it and pressed Enter (used by lab snippets and replay). */
  submit(line: string): Promise<TranscriptEntry>;
  /** Current prompt text. */
  prompt(): string;
  /**
   * The shell's state changed from outside (a resumed lab restored its directory): redraw the prompt line, if the
   * learner is at an empty prompt, so it shows where the shell really is.
   */
  refreshPrompt?(): void;
  dispose(): void;
}

export interface ScriptResult {
  readonly host: string;
  readonly command: string;
  readonly output: string;
  readonly exitCode: number;
}
