/**
 * Runs a script of terminal commands non-interactively (`svclab run`, lab solutions, grading): one command line
 * per line, blank lines and `#` comments skipped, heredocs and multi-line `for … done` gathered across lines as
 * the terminal's `> ` continuation would. Before each command, and after the last, the world settles (virtual
 * time advances until the controllers are quiescent), so the same seed and script give byte-identical output.
 */
import type { World } from '../world';
import { Shell, type ShellIo } from './interpreter';
import { checkComplete } from './parser';
import type { ScriptResult } from './terminal-api';
import type { OutputStream, ShellHost } from './types';

/** One command of a script run, with the prompt it was typed at (for the plain rendering). */
export interface ScriptStep extends ScriptResult {
  readonly prompt: string;
  /** Virtual time (ms since epoch) when the command started. */
  readonly startedAt: number;
}

export interface RunScriptOptions {
  /** Start on this host instead of the world's login host. */
  readonly host?: ShellHost;
  /** Called as each command finishes (streaming output for the CLI). */
  readonly onStep?: (step: ScriptStep) => void;
  /** Settle the world between commands (default true). */
  readonly settle?: boolean;
  /** Terminal width for column output such as `ls` (default 80). */
  readonly columns?: number;
}

/** Split a script into command units (each complete as the shell would read it), dropping blanks and comments. */
export function splitScript(script: string): { text: string; complete: boolean }[] {
  const units: { text: string; complete: boolean }[] = [];
  const lines = script.replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let buffer: string[] = [];
  for (const line of lines) {
    if (buffer.length === 0 && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    buffer.push(line);
    const text = buffer.join('\n');
    if (checkComplete(text + '\n') !== 'incomplete') {
      units.push({ text, complete: true });
      buffer = [];
    }
  }
  if (buffer.length > 0) units.push({ text: buffer.join('\n'), complete: false });
  return units;
}

/** Capture stdout and stderr interleaved, as a terminal shows them. */
class Capture implements OutputStream {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

export async function runScript(world: World, script: string, opts: RunScriptOptions = {}): Promise<ScriptStep[]> {
  const settle = opts.settle ?? true;
  const shell = new Shell(world, opts.host ?? world.loginHost, {
    interactive: false,
    loginShell: true,
    columns: () => opts.columns ?? 80,
  });
  const steps: ScriptStep[] = [];
  const never = new AbortController().signal;
  // Background jobs (`kubectl port-forward … &`) write to the terminal as things happen: their lines land in the
  // output of whichever step is running then, as they would on a screen.
  let current = new Capture();
  const jobSink = { write: (text: string) => current.write(text) };
  for (const unit of splitScript(script)) {
    if (settle) world.settle();
    const host = shell.host.id;
    const prompt = shell.prompt();
    const startedAt = world.scheduler.now();
    const out = (current = new Capture());
    const io: ShellIo = { stdin: '', stdout: out, stderr: out, stdoutIsTerminal: true, background: { stdout: jobSink, stderr: jobSink } };
    shell.addHistory(unit.text);
    const exitCode = await shell.run(unit.text + '\n', io, never, { heredocAtEof: 'terminate' });
    // A job started by this line prints its first lines (`Forwarding from …`) before the next prompt: let its
    // promise continuations run (a `$(…)` in the job's words takes a few dozen of them).
    for (let i = 0; i < 200; i++) await Promise.resolve();
    const step: ScriptStep = { host, command: unit.text, output: stripAnsi(out.text), exitCode, prompt, startedAt };
    steps.push(step);
    opts.onStep?.(step);
    if (shell.loggedOut) break;
  }
  if (settle) world.settle();
  return steps;
}

/** Each command after its prompt (continuation lines after `> `), then its output. */
export function renderPlain(steps: readonly ScriptStep[]): string {
  return steps.map(renderStep).join('');
}

export function renderStep(step: ScriptStep): string {
  const [first, ...rest] = step.command.split('\n');
  let out = step.prompt + first + '\n';
  for (const line of rest) out += '> ' + line + '\n';
  return out + step.output;
}

/** The JSON shape of `svclab run --json`: `{ host, command, output, exitCode }` per command. */
export function toScriptResults(steps: readonly ScriptStep[]): ScriptResult[] {
  return steps.map(({ host, command, output, exitCode }) => ({ host, command, output, exitCode }));
}

// CSI sequences, OSC sequences, and lone two-character escapes.
const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_RE, '');
}
