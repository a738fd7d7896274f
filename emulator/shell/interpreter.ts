/**
 * The shell interpreter: walks the syntax tree from parser.ts against a stack of hosts (workstation → `ssh
 * worker-1` → …), expanding words, wiring pipes and redirects, and running commands from `world.commands`.
 *
 * Pipes (pipe.ts): the stages of a pipeline start together. A filter that streams its input (`streamsStdin`:
 * grep) sees the producer's lines as they are written, so `kubectl get pods -w | grep web` shows matches as they
 * happen; any other command gets the producer's whole output once it exited (the buffered model, which is how
 * `kubectl get pods | sort | wc -l` behaves for the finite outputs a lab produces). The last stage writes
 * straight to the terminal.
 *
 * Ctrl-C aborts the line's AbortSignal: a running command is raced against it (so even a command that ignores the
 * signal returns control at once with status 130) and nothing after it in the line runs.
 */
import type { World } from '../world';
import type { Command, List, Pipeline, Redirect, SimpleCommand, Word, AndOr } from './ast';
import { ArithError, evaluateArithmetic } from './arith';
import { expandGlob, hasGlobChars, segmentRegExp } from './glob';
import { IncompleteInputError, parse, ShellSyntaxError, type ParseOptions } from './parser';
import type {
  ChildIo,
  CommandContext,
  CommandSpec,
  EditorRequest,
  EnterHostOptions,
  OutputStream,
  SessionControl,
  ShellHost,
} from './types';
import { FsError, normalizePath } from './vfs';
import { Pipe } from './pipe';

/** The streams one command or list runs with. */
export interface ShellIo {
  readonly stdin: string;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** stdout is the terminal (not a pipe or a file). */
  readonly stdoutIsTerminal: boolean;
  /**
   * The stdin of an enclosing loop or group, shared by its commands so that `read` consumes it line by line
   * (`kubectl get pods -o name | while read p; do …; done`). Commands see what is left of it.
   */
  readonly input?: { readonly text: string; pos: number };
  /**
   * stdin is this pipe, whose producer may still be running (`stdin` is '' meanwhile): a streaming command reads
   * it as it fills, anything else waits for the producer's whole output (`#drainPipe`).
   */
  readonly pipe?: Pipe;
  /** Where background jobs (`cmd &`) write: streams that outlive the command line (the terminal itself). */
  readonly background?: { readonly stdout: OutputStream; readonly stderr: OutputStream };
  /** These commands run as a background job (`CommandContext.background`: observers like tcpdump return at once). */
  readonly job?: boolean;
}

/** A background job (`kubectl port-forward … &`): runs in a forked shell, reported as bash does. */
interface Job {
  readonly id: number;
  readonly pid: number;
  readonly text: string;
  readonly abort: AbortController;
  state: 'Running' | 'Done' | 'Exit' | 'Terminated';
  status: number;
  readonly finished: Promise<number>;
}

export interface ShellOptions {
  /** App terminal (true) or `svclab run` / tests (false). */
  readonly interactive: boolean;
  /** Terminal width for `ls` columns and the like. */
  readonly columns?: () => number;
  readonly clearScreen?: () => void;
  readonly openEditor?: (request: EditorRequest) => boolean;
  /** The learner left the login host (`exit` there, Ctrl-D): the terminal decides what that means. */
  readonly onLogout?: (code: number) => void;
  /** Shared history (child shells write to their parent's). */
  readonly history?: string[];
  /** A login shell prints `logout` when the learner leaves it (terminal, script runner; not `ssh host cmd`). */
  readonly loginShell?: boolean;
}

/** One host on the session's stack, with its shell state. */
interface Frame {
  readonly host: ShellHost;
  cwd: string;
  vars: Map<string, string>;
  readonly exported: Set<string>;
  /** `alias k=kubectl` (interactive shells expand them; `sh -c` child shells start without). */
  readonly aliases: Map<string, string>;
  readonly onExit?: (code: number) => string;
}

/** The PID shells report for `$$` (fixed: determinism beats realism here). */
const SHELL_PID = 4242;
/** How long `wait` moves the clock for jobs in a script before it gives up on them (see #waitNonInteractive). */
const NONINTERACTIVE_WAIT_MS = 60_000;
/** A `while true` without a sleep cannot be interrupted in a single-threaded emulator; stop it instead. */
const LOOP_LIMIT = 100_000;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

class BufferSink implements OutputStream {
  text = '';
  write(text: string): void {
    this.text += text;
  }
}

const NULL_SINK: OutputStream = { write() {} };

/** Raised by `${x:?msg}` and arithmetic errors: the command is not run, status 1. */
class ExpansionError extends Error {}

/** Per-line execution state: the abort signal (Ctrl-C). */
interface Run {
  readonly signal: AbortSignal;
}

export function shellName(host: ShellHost): string {
  return host.promptStyle === 'busybox' ? 'sh' : 'bash';
}

export class Shell implements SessionControl {
  readonly world: World;
  readonly #opts: ShellOptions;
  readonly #stack: Frame[] = [];
  readonly #history: string[];
  #status = 0;
  #exitRequested: number | undefined;
  #loggedOut = false;

  constructor(world: World, host: ShellHost, opts: ShellOptions, env?: ReadonlyMap<string, string>) {
    this.world = world;
    this.#opts = opts;
    this.#history = opts.history ?? [];
    this.#stack.push(this.#newFrame(host, this.#loginOptions(), env));
  }

  #loginOptions(): EnterHostOptions | undefined {
    return this.#opts.loginShell ? { onExit: () => 'logout\n' } : undefined;
  }

  // ------------------------------------------------------------------ state

  get host(): ShellHost {
    return this.#frame.host;
  }

  get cwd(): string {
    return this.#frame.cwd;
  }

  get env(): Map<string, string> {
    return this.#frame.vars;
  }

  /** `$?`. */
  lastStatus(): number {
    return this.#status;
  }

  /** Set `$?` (Ctrl-C at the prompt makes it 130). */
  setStatus(status: number): void {
    this.#status = status;
  }

  get interactive(): boolean {
    return this.#opts.interactive;
  }

  /** Hosts from the login host to the current one. */
  get hostStack(): readonly ShellHost[] {
    return this.#stack.map((f) => f.host);
  }

  /** True once `exit` left the login host (the script runner stops there). */
  get loggedOut(): boolean {
    return this.#loggedOut;
  }

  get #frame(): Frame {
    return this.#stack[this.#stack.length - 1]!;
  }

  /** The prompt, as bash (`student@workstation:~$ `) or busybox sh (`/ # `) shows it. */
  prompt(): string {
    const f = this.#frame;
    const home = f.vars.get('HOME') ?? f.host.home;
    let dir = f.cwd;
    if (home !== '/' && (dir === home || dir.startsWith(home + '/'))) dir = '~' + dir.slice(home.length);
    const sigil = f.host.user === 'root' ? '#' : '$';
    if (f.host.promptStyle === 'busybox') return `${dir} ${sigil} `;
    return `${f.host.user}@${f.host.hostname}:${dir}${sigil} `;
  }

  #newFrame(host: ShellHost, opts?: EnterHostOptions, extraEnv?: ReadonlyMap<string, string>): Frame {
    const vars = new Map<string, string>();
    const exported = new Set<string>();
    const set = (k: string, v: string) => {
      vars.set(k, v);
      exported.add(k);
    };
    set('HOME', host.home);
    set('HOSTNAME', host.hostname);
    set('PATH', DEFAULT_PATH);
    set('PWD', host.home);
    set('SHELL', host.promptStyle === 'busybox' ? '/bin/sh' : '/bin/bash');
    set('TERM', 'xterm-256color');
    set('USER', host.user);
    for (const [k, v] of host.env ?? []) set(k, v);
    for (const [k, v] of extraEnv ?? []) set(k, v);
    const cwd = host.fs.isDir(host.home) ? normalizePath(host.home) : '/';
    vars.set('PWD', cwd);
    return { host, cwd, vars, exported, aliases: new Map(), onExit: opts?.onExit };
  }

  // --------------------------------------------------------- SessionControl

  enterHost(host: ShellHost, opts?: EnterHostOptions): void {
    this.#stack.push(this.#newFrame(host, opts));
  }

  setCwd(path: string): void {
    const f = this.#frame;
    f.vars.set('OLDPWD', f.cwd);
    f.cwd = normalizePath(path);
    f.vars.set('PWD', f.cwd);
  }

  exit(code: number): void {
    this.#exitRequested = code;
  }

  history(): readonly string[] {
    return this.#history;
  }

  /** Record a command line in history (the terminal and script runner call this, as readline would). */
  addHistory(line: string): void {
    if (line.trim() === '') return;
    if (this.#history[this.#history.length - 1] === line) return;
    this.#history.push(line);
  }

  clearScreen(): void {
    this.#opts.clearScreen?.();
  }

  openEditor(request: EditorRequest): boolean {
    return this.#opts.openEditor?.(request) ?? false;
  }

  exportedNames(): Set<string> {
    return this.#frame.exported;
  }

  aliases(): Map<string, string> {
    return this.#frame.aliases;
  }

  /** Words of a command with a leading alias replaced (for completion): `k get po` → `kubectl get po`. */
  expandAliasWords(words: readonly string[]): string[] {
    const value = words[0] !== undefined ? this.#frame.aliases.get(words[0]) : undefined;
    if (value === undefined) return [...words];
    return [...value.split(/[ \t]+/).filter((w) => w !== ''), ...words.slice(1)];
  }

  async runCommand(host: ShellHost, argv: readonly string[], io: ChildIo): Promise<number> {
    const child = this.#child(host, io.env);
    const run = makeRun(io.signal);
    const cio: ShellIo = { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, stdoutIsTerminal: false };
    return child.#invoke(argv, new Map(), cio, run);
  }

  async runShell(host: ShellHost, line: string, io: ChildIo): Promise<number> {
    const child = this.#child(host, io.env);
    const cio: ShellIo = { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr, stdoutIsTerminal: false };
    return child.run(line, cio, io.signal);
  }

  #child(host: ShellHost, env?: ReadonlyMap<string, string>): Shell {
    return new Shell(this.world, host, { ...this.#opts, onLogout: undefined, loginShell: false, history: this.#history }, env);
  }

  // -------------------------------------------------------------- running

  /**
   * Parse and run one complete command line (which may span lines: heredocs, loops). Syntax errors are printed
   * as bash prints them (status 2). Returns the line's exit status; afterwards `$?` holds it.
   */
  async run(src: string, io: ShellIo, signal: AbortSignal, parseOpts: ParseOptions = {}): Promise<number> {
    const sh = shellName(this.host);
    let list: List;
    try {
      const parsed = parse(src, parseOpts);
      list = parsed.list;
      for (const w of parsed.warnings) io.stderr.write(`${sh}: ${w}\n`);
    } catch (e) {
      if (sh === 'sh' && (e instanceof ShellSyntaxError || e instanceof IncompleteInputError)) {
        // BusyBox ash words them its own way.
        if (e instanceof ShellSyntaxError) {
          io.stderr.write(`sh: syntax error: unexpected ${e.token === 'newline' ? 'newline' : `"${e.token}"`}\n`);
        } else if (e.reason === 'quote') io.stderr.write('sh: syntax error: unterminated quoted string\n');
        else io.stderr.write('sh: syntax error: unexpected end of file\n');
      } else if (e instanceof ShellSyntaxError) {
        io.stderr.write(`${sh}: ${e.message}\n`);
      } else if (e instanceof IncompleteInputError) {
        if (e.reason === 'quote') io.stderr.write(`${sh}: ${e.message}\n`);
        io.stderr.write(`${sh}: syntax error: unexpected end of file\n`);
      } else throw e;
      this.#status = 2;
      return 2;
    }
    const run = makeRun(signal);
    const status = await this.#list(list, io, run);
    if (signal.aborted) this.#status = 130;
    if (this.#exitRequested !== undefined) this.#leaveHost(this.#exitRequested, io);
    return this.#status;
  }

  /** Pop the current host (after `exit`); leaving the login host logs the session out. */
  #leaveHost(code: number, io: ShellIo): void {
    this.#exitRequested = undefined;
    const frame = this.#stack.pop()!;
    const message = frame.onExit?.(code);
    if (message) io.stdout.write(message);
    this.#status = code;
    if (this.#stack.length === 0) {
      this.#loggedOut = true;
      // Keep a usable shell: the app's terminal starts a fresh login shell, the script runner stops.
      this.#stack.push(this.#newFrame(frame.host, this.#loginOptions()));
      this.#opts.onLogout?.(code);
    }
  }

  /** Leave the current host as `exit` would (Ctrl-D on an empty line). */
  logout(io: ShellIo): void {
    this.#leaveHost(this.#status, io);
  }

  async #list(list: List, io: ShellIo, run: Run): Promise<number> {
    for (const item of list.items) {
      if (this.#interrupted(run)) break;
      if (item.background) this.#startJob(item.andOr, item.text ?? '', io);
      else await this.#andOr(item.andOr, io, run);
    }
    return this.#status;
  }

  // ---------------------------------------------------------------- jobs

  readonly #jobs: Job[] = [];
  #lastPid = SHELL_PID;

  /**
   * `cmd &`: run it in a forked shell (bash runs background jobs in a subshell) with its own abort signal —
   * Ctrl-C does not reach it, `kill %N` does. Whatever it does synchronously (a tunnel opening) happens now.
   */
  #startJob(andOr: AndOr, text: string, io: ShellIo): void {
    const running = this.#jobs.filter((j) => j.state === 'Running');
    const id = running.length === 0 ? 1 : Math.max(...running.map((j) => j.id)) + 1;
    const pid = ++this.#lastPid + 100;
    const abort = new AbortController();
    const fork = this.#child(this.host);
    const from = this.#frame;
    const to = fork.#frame;
    to.vars = new Map(from.vars);
    to.cwd = from.cwd;
    for (const n of from.exported) to.exported.add(n);
    for (const [k, v] of from.aliases) to.aliases.set(k, v);
    const streams = io.background ?? io;
    const jobIo: ShellIo = { stdin: '', stdout: streams.stdout, stderr: streams.stderr, stdoutIsTerminal: io.background !== undefined, job: true };
    io.stderr.write(`[${id}] ${pid}\n`);
    this.#frame.vars.set('!', String(pid));
    const finished = fork.#list({ items: [{ andOr, background: false }] }, jobIo, makeRun(abort.signal)).then(
      (status) => status,
      () => 1,
    );
    const job: Job = { id, pid, text, abort, state: 'Running', status: 0, finished };
    void finished.then((status) => {
      job.status = status;
      job.state = abort.signal.aborted ? 'Terminated' : status === 0 ? 'Done' : 'Exit';
    });
    this.#jobs.push(job);
    this.#status = 0;
  }

  #jobLine(job: Job, index: number, list: readonly Job[]): string {
    const mark = index === list.length - 1 ? '+' : index === list.length - 2 ? '-' : ' ';
    const state = job.state === 'Exit' ? `Exit ${job.status}` : job.state;
    return `[${job.id}]${mark}  ${state.padEnd(24)}${job.text}${job.state === 'Running' ? ' &' : ''}`;
  }

  /** Lines bash prints before the next prompt for jobs that ended (`[1]+  Done  sleep 5`); forgets those jobs. */
  takeJobNotices(): string[] {
    const all = [...this.#jobs];
    const notices = all.map((j, i) => (j.state !== 'Running' ? this.#jobLine(j, i, all) : undefined)).filter((l): l is string => l !== undefined);
    for (let i = this.#jobs.length - 1; i >= 0; i--) if (this.#jobs[i]!.state !== 'Running') this.#jobs.splice(i, 1);
    return notices;
  }

  /**
   * `wait` in a script (`svclab run`, checks): nothing else moves the clock, so move it here while the jobs run —
   * `tcpdump -c 5 … &` then `wait` ends when five packets came. A job that only ends on a signal
   * (`kubectl port-forward … &`) would hold the script forever: after 60 s of virtual time `wait` stops waiting
   * for it and the job keeps running.
   */
  async #waitNonInteractive(jobs: readonly Job[], run: Run): Promise<void> {
    const scheduler = this.world.scheduler;
    const deadline = scheduler.now() + NONINTERACTIVE_WAIT_MS;
    while (jobs.some((j) => j.state === 'Running') && scheduler.now() < deadline && !run.signal.aborted) {
      scheduler.advance(Math.min(100, deadline - scheduler.now()));
      for (let i = 0; i < 50; i++) await Promise.resolve();
    }
  }

  /** The job a `%N` / `%%` / `%+` / `%-` / pid spec names (no spec: the current job, bash's `+`). */
  #findJob(spec: string | undefined): Job | undefined {
    const jobs = this.#jobs;
    if (spec === undefined || spec === '%%' || spec === '%+' || spec === '%') return jobs[jobs.length - 1];
    if (spec === '%-') return jobs[jobs.length - 2];
    return jobs.find((j) => spec === `%${j.id}` || spec === String(j.pid));
  }

  /**
   * `fg [%N]`: the job becomes the foreground command again — bash prints its command line, then the shell waits
   * for it; Ctrl-C now reaches it (the terminal's signal aborts the job) and it ends as an interrupted command.
   */
  async #fg(args: readonly string[], io: ShellIo, run: Run): Promise<number> {
    const sh = shellName(this.host);
    const job = this.#findJob(args[0]);
    if (!job) {
      io.stderr.write(`${sh}: fg: ${args[0] ?? 'current'}: no such job\n`);
      return 1;
    }
    this.#jobs.splice(this.#jobs.indexOf(job), 1);
    io.stdout.write(job.text + '\n');
    if (job.state !== 'Running') return job.status;
    const status = await raceAbort(job.finished, run.signal);
    if (run.signal.aborted) job.abort.abort();
    return status;
  }

  /** `jobs`, `wait`, `kill %N`, `fg`: the job-control builtins that need the job table. */
  async #jobBuiltin(name: string, args: readonly string[], io: ShellIo, run: Run): Promise<number | undefined> {
    const sh = shellName(this.host);
    if (name === 'fg') return this.#fg(args, io, run);
    if (name === 'jobs') {
      const all = [...this.#jobs];
      for (let i = 0; i < all.length; i++) io.stdout.write(this.#jobLine(all[i]!, i, all) + '\n');
      for (let i = this.#jobs.length - 1; i >= 0; i--) if (this.#jobs[i]!.state !== 'Running') this.#jobs.splice(i, 1);
      return 0;
    }
    if (name === 'wait') {
      const targets = args.length === 0 ? this.#jobs : this.#jobs.filter((j) => args.includes(`%${j.id}`) || args.includes(String(j.pid)));
      if (!this.#opts.interactive) await this.#waitNonInteractive(targets, run);
      let status = 0;
      for (const j of targets) {
        if (!this.#opts.interactive && j.state === 'Running') continue;
        status = await raceAbort(j.finished, run.signal);
      }
      return status;
    }
    // kill: only job specs and job pids are ours; anything else goes to a registered `kill` command, if any.
    const specs = args.filter((a) => !a.startsWith('-') || /^-\d+$/.test(a) === false);
    const jobs = specs.map((a) => this.#jobs.find((j) => a === `%${j.id}` || a === String(j.pid) || (a === '%%' && j === this.#jobs[this.#jobs.length - 1])));
    if (specs.length === 0 || jobs.some((j) => j === undefined)) {
      const other = this.world.commands.get('kill');
      if (other && !other.builtin && !specs.some((a) => a.startsWith('%'))) return undefined;
      const bad = specs[jobs.findIndex((j) => j === undefined)] ?? '';
      io.stderr.write(bad.startsWith('%') ? `${sh}: kill: ${bad}: no such job\n` : `${sh}: kill: (${bad}) - No such process\n`);
      return 1;
    }
    for (const j of jobs) j!.abort.abort();
    return 0;
  }

  /** Stop running the current list: Ctrl-C, `exit`, or a pending `break`/`continue`. */
  #interrupted(run: Run): boolean {
    return run.signal.aborted || this.#exitRequested !== undefined || this.#loopControl !== undefined;
  }

  /** `break`/`continue` in effect: how many enclosing loops it still applies to. */
  #loopControl: { kind: 'break' | 'continue'; levels: number } | undefined;
  #loopDepth = 0;

  /**
   * After a loop body ran: returns 'break' to leave this loop, 'continue' to go on with the next iteration,
   * clearing the request once it reached its loop.
   */
  #afterBody(): 'break' | 'next' {
    const lc = this.#loopControl;
    if (!lc) return 'next';
    if (lc.levels > 1) {
      lc.levels--;
      return 'break';
    }
    this.#loopControl = undefined;
    return lc.kind === 'break' ? 'break' : 'next';
  }

  async #loop(body: () => Promise<'break' | 'next'>): Promise<void> {
    this.#loopDepth++;
    try {
      for (;;) if ((await body()) === 'break') return;
    } finally {
      this.#loopDepth--;
    }
  }

  async #andOr(andOr: AndOr, io: ShellIo, run: Run): Promise<number> {
    let status = await this.#pipeline(andOr.first, io, run);
    for (const { op, pipeline } of andOr.rest) {
      if (this.#interrupted(run)) break;
      if ((op === '&&' && status !== 0) || (op === '||' && status === 0)) continue;
      status = await this.#pipeline(pipeline, io, run);
    }
    return status;
  }

  async #pipeline(p: Pipeline, io: ShellIo, run: Run): Promise<number> {
    let status: number;
    if (p.commands.length === 1) {
      status = await this.#command(p.commands[0]!, io, run);
    } else {
      // All stages start together, each writing into the pipe the next one reads; a stage's pipe closes when
      // it exits (or is interrupted), which is the end of input for the next one. A reader that exits before
      // its producer (`… | head -3`, `grep -m1`) stops the producer, as SIGPIPE does. Ctrl-C stops them all.
      const n = p.commands.length;
      const pipes = Array.from({ length: n - 1 }, () => new Pipe());
      const stops = p.commands.map(() => new AbortController());
      const interrupt = () => stops.forEach((s) => s.abort());
      if (run.signal.aborted) interrupt();
      else run.signal.addEventListener('abort', interrupt, { once: true });
      const stages = p.commands.map((cmd, i) => {
        const last = i === n - 1;
        const stageIo: ShellIo = {
          stdin: i === 0 ? io.stdin : '',
          stdout: last ? io.stdout : pipes[i]!,
          stderr: io.stderr,
          stdoutIsTerminal: last && io.stdoutIsTerminal,
          ...(io.job ? { job: true } : {}),
          ...(i === 0 && io.input ? { input: io.input } : {}),
          ...(i === 0 && io.pipe ? { pipe: io.pipe } : {}),
          ...(i > 0 ? { pipe: pipes[i - 1]! } : {}),
        };
        return this.#command(cmd, stageIo, makeRun(stops[i]!.signal)).finally(() => {
          pipes[i]?.close();
          if (i > 0 && !pipes[i - 1]!.closed) stops[i - 1]!.abort();
        });
      });
      try {
        status = (await Promise.all(stages))[n - 1]!;
      } finally {
        run.signal.removeEventListener('abort', interrupt);
      }
    }
    if (p.bang) status = status === 0 ? 1 : 0;
    if (run.signal.aborted) status = 130;
    this.#status = status;
    return status;
  }

  /** stdin as one string: wait for the pipe's producer to exit (the buffered pipe model). */
  async #drainPipe(io: ShellIo): Promise<ShellIo> {
    if (!io.pipe) return io;
    const { pipe, ...rest } = io;
    return { ...rest, stdin: await pipe.text() };
  }

  async #command(cmd: Command, pipedIo: ShellIo, run: Run): Promise<number> {
    if (cmd.kind === 'simple') return this.#simple(cmd, pipedIo, run);
    const io = await this.#drainPipe(pipedIo);
    if (run.signal.aborted) return (this.#status = 130);
    const redirected = await this.#redirects(cmd.redirects, io, run);
    if (!redirected) return (this.#status = 1);
    const rio: ShellIo = redirected.input ? redirected : { ...redirected, input: { text: redirected.stdin, pos: 0 } };
    switch (cmd.kind) {
      case 'for': {
        const items = cmd.items ? await this.#expandWords(cmd.items, rio, run) : [];
        let status = 0;
        let i = 0;
        await this.#loop(async () => {
          if (i >= items.length || this.#interrupted(run)) return 'break';
          this.#frame.vars.set(cmd.variable, items[i++]!);
          status = await this.#list(cmd.body, rio, run);
          return this.#afterBody();
        });
        return (this.#status = status);
      }
      case 'while': {
        let status = 0;
        let n = 0;
        await this.#loop(async () => {
          if (this.#interrupted(run)) return 'break';
          if (n++ >= LOOP_LIMIT) {
            rio.stderr.write(`${shellName(this.host)}: ${cmd.until ? 'until' : 'while'}: loop stopped after ${LOOP_LIMIT} iterations (emulator limit)\n`);
            status = 1;
            return 'break';
          }
          const cond = await this.#list(cmd.condition, rio, run);
          if (this.#loopControl) return this.#afterBody();
          if (cmd.until ? cond === 0 : cond !== 0) return 'break';
          status = await this.#list(cmd.body, rio, run);
          return this.#afterBody();
        });
        return (this.#status = status);
      }
      case 'if': {
        for (const clause of cmd.clauses) {
          const cond = await this.#list(clause.condition, rio, run);
          if (run.signal.aborted) return 130;
          if (cond === 0) return this.#list(clause.body, rio, run);
        }
        if (cmd.elseBody) return this.#list(cmd.elseBody, rio, run);
        return (this.#status = 0);
      }
      case 'group': {
        if (!cmd.subshell) return this.#list(cmd.body, rio, run);
        return this.#subshell(() => this.#list(cmd.body, rio, run));
      }
    }
  }

  /** Run `fn` so that variable and directory changes do not leak out (subshells, `$(…)`). */
  async #subshell(fn: () => Promise<number>): Promise<number> {
    const f = this.#frame;
    const saved = { vars: new Map(f.vars), cwd: f.cwd, depth: this.#stack.length };
    try {
      return await fn();
    } finally {
      f.vars = saved.vars;
      f.cwd = saved.cwd;
      // `exit` inside a subshell leaves only the subshell.
      if (this.#exitRequested !== undefined && this.#stack.length === saved.depth) this.#exitRequested = undefined;
    }
  }

  /**
   * Alias expansion of the command word (bash expands an alias once, so `alias ls='ls -l'` does not loop). A
   * value that is one simple command (`kubectl`, `kubectl get pods`) splices its words in; any other value
   * (pipes, `;`) is run as text with the remaining words appended.
   */
  #expandAlias(cmd: SimpleCommand, seen: Set<string>): SimpleCommand | string {
    const first = cmd.words[0]?.parts;
    if (!first || first.length !== 1 || first[0]!.kind !== 'literal' || first[0]!.quoted) return cmd;
    const name = first[0]!.text;
    const value = this.#frame.aliases.get(name);
    if (value === undefined || seen.has(name)) return cmd;
    seen.add(name);
    let parsed: List;
    try {
      parsed = parse(value + '\n').list;
    } catch {
      return cmd;
    }
    const only = parsed.items.length === 1 && parsed.items[0]!.andOr.rest.length === 0 ? parsed.items[0]!.andOr.first : undefined;
    const inner = only && !only.bang && only.commands.length === 1 ? only.commands[0] : undefined;
    if (inner?.kind === 'simple') {
      const spliced: SimpleCommand = {
        kind: 'simple',
        assignments: [...cmd.assignments, ...inner.assignments],
        words: [...inner.words, ...cmd.words.slice(1)],
        redirects: [...inner.redirects, ...cmd.redirects],
      };
      return this.#expandAlias(spliced, seen);
    }
    return [value, ...cmd.words.slice(1).map((w) => w.raw)].join(' ');
  }

  async #simple(original: SimpleCommand, io: ShellIo, run: Run): Promise<number> {
    const aliased = this.#opts.interactive || this.#opts.loginShell ? this.#expandAlias(original, new Set()) : original;
    if (typeof aliased === 'string') {
      const list = parse(aliased + '\n').list;
      const rio = await this.#redirects(original.redirects, io, run);
      if (!rio) return (this.#status = 1);
      return this.#list(list, rio, run);
    }
    const cmd = aliased;
    let argv: string[];
    const assigns = new Map<string, string>();
    this.#cmdSubStatus = undefined;
    try {
      argv = await this.#expandWords(cmd.words, io, run);
      for (const a of cmd.assignments) assigns.set(a.name, await this.#expandString(a.value, io, run, true));
    } catch (e) {
      if (e instanceof ExpansionError) {
        io.stderr.write(`${shellName(this.host)}: ${e.message}\n`);
        return (this.#status = 1);
      }
      throw e;
    }
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.#frame.vars.set(k, v);
      const rio = await this.#redirects(cmd.redirects, io, run);
      if (!rio) return (this.#status = 1);
      return (this.#status = this.#cmdSubStatus ?? 0);
    }
    const rio = await this.#redirects(cmd.redirects, io, run);
    if (!rio) return (this.#status = 1);
    return (this.#status = await this.#invoke(argv, assigns, rio, run));
  }

  #cmdSubStatus: number | undefined;
  /** Process substitutions so far: `diff <(a) <(b)` gets /dev/fd/63 and /dev/fd/62, as bash numbers them. */
  #procSubs = 0;

  /** Whether `name` is a command this host can run (builtins always). */
  lookup(name: string): CommandSpec | undefined {
    const spec = this.world.commands.get(name);
    if (!spec) return undefined;
    if (spec.builtin) return spec;
    const allowed = this.host.commands;
    return !allowed || allowed.has(name) ? spec : undefined;
  }

  /** Every command name available on the current host (for Tab completion and `help`). */
  commandNames(): string[] {
    return [...this.world.commands.keys()].filter((n) => this.lookup(n) !== undefined).sort();
  }

  async #invoke(argv: readonly string[], assigns: Map<string, string>, pipedIo: ShellIo, run: Run): Promise<number> {
    const name = argv[0]!;
    const sh = shellName(this.host);
    const streams = pipedIo.pipe !== undefined && this.lookup(name)?.streamsStdin === true;
    const io = streams ? pipedIo : await this.#drainPipe(pipedIo);
    if (pipedIo.pipe && run.signal.aborted) return 130;
    if (name === 'break' || name === 'continue') return this.#loopKeyword(name, argv[1], io);
    if (name === 'source' || name === '.') return this.#source(name, argv.slice(1), io, run);
    if (name === 'read') return this.#read(argv.slice(1), io);
    if (name === 'jobs' || name === 'wait' || name === 'kill' || name === 'fg') {
      const handled = await this.#jobBuiltin(name, argv.slice(1), io, run);
      if (handled !== undefined) return handled;
    }
    const spec = this.lookup(name);
    if (!spec) {
      if (name.includes('/')) {
        const path = this.resolvePath(name);
        const fs = this.host.fs;
        if (fs.isDir(path)) io.stderr.write(`${sh}: ${name}: Is a directory\n`);
        else if (fs.exists(path)) io.stderr.write(`${sh}: ${name}: Permission denied\n`);
        else io.stderr.write(`${sh}: ${name}: No such file or directory\n`);
        return fs.exists(path) ? 126 : 127;
      }
      io.stderr.write(sh === 'sh' ? `sh: ${name}: not found\n` : `bash: ${name}: command not found\n`);
      return 127;
    }
    let env = this.#frame.vars;
    if (assigns.size > 0) {
      env = new Map(env);
      for (const [k, v] of assigns) env.set(k, v);
    }
    const ctx: CommandContext = {
      argv,
      stdin: io.input ? io.input.text.slice(io.input.pos) : io.stdin,
      ...(streams ? { stdinStream: pipedIo.pipe } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
      env,
      cwd: this.cwd,
      host: this.host,
      world: this.world,
      session: this,
      signal: run.signal,
      interactive: this.#opts.interactive,
      stdoutIsTerminal: io.stdoutIsTerminal,
      ...(io.job ? { background: true } : {}),
      columns: this.#opts.columns?.() ?? 80,
      resolvePath: (p) => this.resolvePath(p, env),
    };
    try {
      const result = spec.run(ctx);
      if (typeof result === 'number') return result;
      return await raceAbort(result, run.signal);
    } catch (e) {
      if (run.signal.aborted) return 130;
      const message = e instanceof Error ? e.message : String(e);
      io.stderr.write(`${name}: ${message}\n`);
      return 1;
    }
  }

  /** `read [-r] [-p PROMPT] [NAME…]`: one line of stdin into variables (the last takes the rest). */
  #read(args: readonly string[], io: ShellIo): number {
    let raw = false;
    const names: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-r') raw = true;
      else if (a === '-p') io.stderr.write(args[++i] ?? '');
      else if (a === '-s' || a === '-e') continue;
      else names.push(a);
    }
    if (names.length === 0) names.push('REPLY');
    let line: string | undefined;
    let sawNewline = false;
    const input = io.input;
    const text = input ? input.text : io.stdin;
    const pos = input ? input.pos : 0;
    if (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      sawNewline = nl >= 0;
      line = text.slice(pos, nl < 0 ? text.length : nl);
      if (input) input.pos = nl < 0 ? text.length : nl + 1;
    }
    const vars = this.#frame.vars;
    if (line === undefined) {
      for (const n of names) vars.set(n, '');
      return 1;
    }
    if (!raw) line = line.replace(/\\(.)/g, '$1');
    const ifs = vars.get('IFS') ?? ' \t\n';
    let rest = line.replace(new RegExp(`^[${escapeClass(ifs)}]+`), '');
    names.forEach((n, idx) => {
      if (idx === names.length - 1) {
        vars.set(n, rest.replace(new RegExp(`[${escapeClass(ifs)}]+$`), ''));
        return;
      }
      const m = new RegExp(`^([^${escapeClass(ifs)}]*)[${escapeClass(ifs)}]*`).exec(rest)!;
      vars.set(n, m[1]!);
      rest = rest.slice(m[0].length);
    });
    return sawNewline ? 0 : 1;
  }

  /** `source FILE` / `. FILE`: run a file's commands in this shell (variables, aliases and `cd` stay). */
  async #source(name: string, args: readonly string[], io: ShellIo, run: Run): Promise<number> {
    const sh = shellName(this.host);
    const file = args[0];
    if (file === undefined) {
      io.stderr.write(`${sh}: ${name}: filename argument required\n${name}: usage: ${name} filename [arguments]\n`);
      return 2;
    }
    const text = this.host.fs.readFile(this.resolvePath(file));
    if (text === undefined) {
      io.stderr.write(`${sh}: ${file}: ${this.host.fs.isDir(this.resolvePath(file)) ? 'is a directory' : 'No such file or directory'}\n`);
      return 1;
    }
    let list: List;
    try {
      list = parse(text.endsWith('\n') ? text : text + '\n', { heredocAtEof: 'terminate' }).list;
    } catch (e) {
      io.stderr.write(`${sh}: ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    return this.#list(list, io, run);
  }

  /** `break [n]` / `continue [n]`: special builtins, so the interpreter handles them itself. */
  #loopKeyword(name: 'break' | 'continue', arg: string | undefined, io: ShellIo): number {
    const sh = shellName(this.host);
    if (this.#loopDepth === 0) {
      io.stderr.write(`${sh}: ${name}: only meaningful in a \`for', \`while', or \`until' loop\n`);
      return 0;
    }
    const levels = arg === undefined ? 1 : Number(arg);
    if (!Number.isInteger(levels) || levels < 1) {
      io.stderr.write(`${sh}: ${name}: ${arg}: loop count out of range\n`);
      return 1;
    }
    this.#loopControl = { kind: name, levels: Math.min(levels, this.#loopDepth) };
    return 0;
  }

  /** Resolve a path as the shell would: `~`, `~/x`, relative to the working directory, `.`/`..` folded. */
  resolvePath(path: string, env: Map<string, string> = this.#frame.vars): string {
    const home = env.get('HOME') ?? this.host.home;
    if (path === '~') return normalizePath(home);
    if (path.startsWith('~/')) return normalizePath(home + path.slice(1));
    if (path.startsWith('/')) return normalizePath(path);
    return normalizePath(this.cwd + '/' + path);
  }

  // ------------------------------------------------------------ redirects

  async #redirects(redirects: readonly Redirect[], io: ShellIo, run: Run): Promise<ShellIo | undefined> {
    if (redirects.length === 0) return io;
    const sh = shellName(this.host);
    let stdin = io.stdin;
    let stdinRedirected = false;
    let stdout = io.stdout;
    let stderr = io.stderr;
    let stdoutIsTerminal = io.stdoutIsTerminal;
    const fs = this.host.fs;
    const setFd = (fd: number, sink: OutputStream, terminal: boolean) => {
      if (fd === 1) {
        stdout = sink;
        stdoutIsTerminal = terminal;
      } else if (fd === 2) stderr = sink;
    };
    for (const r of redirects) {
      if (r.op === '<<' || r.op === '<<-') {
        const h = r.heredoc!;
        if (r.fd === 0) {
          stdin = h.expand ? await this.#expandString(h.body, io, run, false) : h.raw;
          stdinRedirected = true;
        }
        continue;
      }
      let target: string;
      try {
        const fields = await this.#expandWord(r.target!, io, run, r.op !== '<<<');
        if (r.op === '<<<') {
          stdin = fields.join(' ') + '\n';
          stdinRedirected = true;
          continue;
        }
        if (fields.length !== 1) {
          io.stderr.write(`${sh}: ${r.target!.raw}: ambiguous redirect\n`);
          return undefined;
        }
        target = fields[0]!;
      } catch (e) {
        if (e instanceof ExpansionError) {
          io.stderr.write(`${sh}: ${e.message}\n`);
          return undefined;
        }
        throw e;
      }
      if (r.op === '>&' || r.op === '<&') {
        if (/^\d+$/.test(target)) {
          const src = Number(target);
          const sink = src === 1 ? stdout : src === 2 ? stderr : undefined;
          if (!sink) {
            io.stderr.write(`${sh}: ${target}: Bad file descriptor\n`);
            return undefined;
          }
          setFd(r.fd, sink, src === 1 && stdoutIsTerminal);
          continue;
        }
        if (target === '-') {
          setFd(r.fd, NULL_SINK, false);
          continue;
        }
        // `>&file` is `&>file`.
      }
      if (target === '/dev/null') {
        if (r.op === '<') {
          stdin = '';
          stdinRedirected = true;
        } else if (r.op === '&>' || r.op === '&>>' || r.op === '>&') {
          stdout = NULL_SINK;
          stderr = NULL_SINK;
          stdoutIsTerminal = false;
        } else setFd(r.fd, NULL_SINK, false);
        continue;
      }
      if (target === '/dev/stdout' || target === '/dev/stderr') {
        const sink = target === '/dev/stdout' ? stdout : stderr;
        setFd(r.fd, sink, target === '/dev/stdout' && stdoutIsTerminal);
        continue;
      }
      const path = this.resolvePath(target);
      if (r.op === '<') {
        const content = fs.readFile(path);
        if (content === undefined) {
          io.stderr.write(`${sh}: ${target}: ${fs.isDir(path) ? 'Is a directory' : 'No such file or directory'}\n`);
          return undefined;
        }
        stdin = content;
        stdinRedirected = true;
        continue;
      }
      const append = r.op === '>>' || r.op === '&>>';
      try {
        if (!append || !fs.exists(path)) fs.writeFile(path, '');
      } catch (e) {
        io.stderr.write(`${sh}: ${target}: ${fsMessage(e)}\n`);
        return undefined;
      }
      const sink: OutputStream = { write: (text) => fs.writeFile(path, text, true) };
      if (r.op === '&>' || r.op === '&>>' || r.op === '>&') {
        stdout = sink;
        stderr = sink;
        stdoutIsTerminal = false;
      } else setFd(r.fd, sink, false);
    }
    return {
      stdin,
      stdout,
      stderr,
      stdoutIsTerminal,
      ...(!stdinRedirected && io.input ? { input: io.input } : {}),
      ...(!stdinRedirected && io.pipe ? { pipe: io.pipe } : {}),
      ...(io.job ? { job: true } : {}),
      ...(io.background ? { background: io.background } : {}),
    };
  }

  // ------------------------------------------------------------ expansion

  async #expandWords(words: readonly Word[], io: ShellIo, run: Run): Promise<string[]> {
    const out: string[] = [];
    for (const w of words) out.push(...(await this.#expandWord(w, io, run, true)));
    return out;
  }

  /** A word without field splitting or globbing (assignments, heredoc bodies). */
  async #expandString(word: Word, io: ShellIo, run: Run, tilde: boolean): Promise<string> {
    let out = '';
    for (let i = 0; i < word.parts.length; i++) {
      const part = word.parts[i]!;
      if (part.kind === 'literal') {
        out += i === 0 && tilde && !part.quoted ? this.#tilde(part.text) : part.text;
      } else out += await this.#expandPart(part, io, run);
    }
    return out;
  }

  /** A word with tilde expansion, parameter/command/arithmetic expansion, field splitting and globbing. */
  async #expandWord(word: Word, io: ShellIo, run: Run, split: boolean): Promise<string[]> {
    interface Field {
      text: string;
      pattern: string;
      glob: boolean;
    }
    const fields: Field[] = [];
    let cur: Field | undefined;
    const field = (): Field => (cur ??= { text: '', pattern: '', glob: false });
    const end = () => {
      if (cur) fields.push(cur);
      cur = undefined;
    };
    for (let i = 0; i < word.parts.length; i++) {
      const part = word.parts[i]!;
      if (part.kind === 'literal') {
        const f = field();
        if (part.quoted) {
          f.text += part.text;
          f.pattern += part.text.replace(/[\\*?[]/g, '\\$&');
        } else {
          const text = i === 0 ? this.#tilde(part.text) : part.text;
          f.text += text;
          if (i === 0 && text !== part.text) {
            // `~` became $HOME: the home part is literal, the rest (`/manifests/*.yaml`) may glob.
            const homeLen = text.length - (part.text.length - 1);
            f.pattern += text.slice(0, homeLen).replace(/[\\*?[]/g, '\\$&') + text.slice(homeLen);
          } else f.pattern += text;
          if (hasGlobChars(text)) f.glob = true;
        }
        continue;
      }
      const value = await this.#expandPart(part, io, run);
      if (part.quoted || !split) {
        const f = field();
        f.text += value;
        f.pattern += value.replace(/[\\*?[]/g, '\\$&');
        continue;
      }
      // Unquoted expansion: split on IFS whitespace.
      const ifs = this.#frame.vars.get('IFS') ?? ' \t\n';
      let chunk = '';
      const flushChunk = () => {
        if (chunk === '') return;
        const f = field();
        f.text += chunk;
        f.pattern += chunk;
        if (hasGlobChars(chunk)) f.glob = true;
        chunk = '';
      };
      for (const ch of value) {
        if (ifs.includes(ch)) {
          flushChunk();
          end();
        } else chunk += ch;
      }
      flushChunk();
    }
    end();
    if (!split) return fields.map((f) => f.text);
    const out: string[] = [];
    for (const f of fields) {
      if (f.glob) {
        const matches = expandGlob(f.pattern, this.cwd, this.host.fs);
        if (matches.length > 0) {
          out.push(...matches);
          continue;
        }
      }
      out.push(f.text);
    }
    return out;
  }

  #tilde(text: string): string {
    if (text === '~' || text.startsWith('~/')) return (this.#frame.vars.get('HOME') ?? this.host.home) + text.slice(1);
    return text;
  }

  async #expandPart(part: Exclude<Word['parts'][number], { kind: 'literal' }>, io: ShellIo, run: Run): Promise<string> {
    switch (part.kind) {
      case 'param':
        return this.#param(part.param, io, run);
      case 'arith': {
        try {
          // Expand `$x` and `$(…)` inside first, as bash does, then evaluate.
          const expr = await this.#expandString(parseArithText(part.expr), io, run, false);
          return String(evaluateArithmetic(expr, (n) => this.#paramValue(n)));
        } catch (e) {
          if (e instanceof ArithError) throw new ExpansionError(`${part.expr.trim()}: ${e.message}`);
          throw e;
        }
      }
      case 'procsub': {
        // bash hands the command a /dev/fd path; here the output is written to such a file on this host.
        const sink = new BufferSink();
        await this.#subshell(() => this.#list(part.body, { stdin: '', stdout: sink, stderr: io.stderr, stdoutIsTerminal: false }, run));
        const fs = this.host.fs;
        fs.mkdir('/dev/fd', true);
        const fd = 63 - (this.#procSubs++ % 4);
        fs.writeFile(`/dev/fd/${fd}`, sink.text);
        return `/dev/fd/${fd}`;
      }
      case 'command': {
        const sink = new BufferSink();
        const status = await this.#subshell(() =>
          this.#list(part.body, { stdin: '', stdout: sink, stderr: io.stderr, stdoutIsTerminal: false }, run),
        );
        this.#cmdSubStatus = status;
        return sink.text.replace(/\n+$/, '');
      }
    }
  }

  async #param(p: import('./ast').ParamExpansion, io: ShellIo, run: Run): Promise<string> {
    const value = this.#paramValue(p.name);
    if (p.length) return String((value ?? '').length);
    if (!p.op) return value ?? '';
    const colon = p.op.startsWith(':');
    const unset = value === undefined || (colon && value === '');
    const arg = async () => (p.arg ? this.#expandString(p.arg, io, run, true) : '');
    const v = value ?? '';
    switch (p.op) {
      case '#':
      case '##':
      case '%':
      case '%%': {
        // Remove the shortest (`#`, `%`) or longest (`##`, `%%`) prefix/suffix matching a glob pattern.
        const re = segmentRegExp(await arg());
        const lengths = [...Array(v.length + 1).keys()];
        if (p.op === '##' || p.op === '%%') lengths.reverse();
        for (const n of lengths) {
          if (p.op.startsWith('#') ? re.test(v.slice(0, n)) : re.test(v.slice(v.length - n))) {
            return p.op.startsWith('#') ? v.slice(n) : v.slice(0, v.length - n);
          }
        }
        return v;
      }
      case '/':
      case '//': {
        const pattern = await arg();
        if (pattern === '') return v;
        const re = segmentRegExp(pattern);
        const rep = p.replacement ? await this.#expandString(p.replacement, io, run, false) : '';
        let out = '';
        let i = 0;
        let replaced = false;
        while (i <= v.length) {
          let end = -1;
          if (!replaced || p.op === '//') {
            for (let j = v.length; j > i; j--) {
              if (re.test(v.slice(i, j))) {
                end = j;
                break;
              }
            }
          }
          if (end > 0) {
            out += rep;
            i = end;
            replaced = true;
          } else {
            if (i < v.length) out += v[i];
            i++;
          }
        }
        return out;
      }
      case ':': {
        const [offRaw = '0', lenRaw] = (await arg()).split(':');
        const lookup = (n: string) => this.#paramValue(n);
        let off = evaluateArithmetic(offRaw, lookup);
        if (off < 0) off = Math.max(0, v.length + off);
        if (lenRaw === undefined) return v.slice(off);
        let len = evaluateArithmetic(lenRaw, lookup);
        if (len < 0) return v.slice(off, Math.max(off, v.length + len));
        return v.slice(off, off + len);
      }
      case ':-':
      case '-':
        return unset ? arg() : value!;
      case ':=':
      case '=': {
        if (!unset) return value!;
        const v = await arg();
        this.#frame.vars.set(p.name, v);
        return v;
      }
      case ':+':
      case '+':
        return unset ? '' : arg();
      case ':?':
      case '?': {
        if (!unset) return value!;
        const msg = await arg();
        throw new ExpansionError(`${p.name}: ${msg || 'parameter null or not set'}`);
      }
    }
  }

  #paramValue(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.#status);
      case '$':
        return String(SHELL_PID);
      case '#':
        return '0';
      case '0':
        return shellName(this.host) === 'sh' ? 'sh' : 'bash';
      case '@':
      case '*':
      case '!':
        return '';
      case '-':
        return 'himBHs';
      case 'RANDOM':
        return String(this.#random());
      default:
        if (/^[1-9]$/.test(name)) return undefined;
        return this.#frame.vars.get(name);
    }
  }

  #rng: import('../core/rng').Rng | undefined;
  #random(): number {
    this.#rng ??= this.world.rng.fork('shell-random');
    return this.#rng.int(32768);
  }
}

/** The text inside `$(( … ))` may hold `$x` and `$(…)`: parse it as a double-quoted string. */
function parseArithText(expr: string): Word {
  const parsed = parse(`"${expr.replace(/["\\]/g, '\\$&')}"`);
  const cmd = parsed.list.items[0]?.andOr.first.commands[0];
  if (cmd?.kind === 'simple' && cmd.words[0]) return cmd.words[0];
  return { parts: [{ kind: 'literal', text: expr, quoted: true }], raw: expr };
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

function makeRun(signal: AbortSignal): Run {
  return { signal };
}

/** The command's status, or 130 as soon as `signal` aborts (the listener is removed either way). */
function raceAbort(result: Promise<number>, signal: AbortSignal): Promise<number> {
  if (signal.aborted) return Promise.resolve(130);
  return new Promise<number>((resolve, reject) => {
    const onAbort = () => resolve(130);
    signal.addEventListener('abort', onAbort, { once: true });
    result.then(
      (status) => {
        signal.removeEventListener('abort', onAbort);
        resolve(status);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Words an errno-carrying error the way coreutils and bash print them. */
export function fsMessage(e: unknown): string {
  if (e instanceof FsError) {
    switch (e.code) {
      case 'ENOENT':
        return 'No such file or directory';
      case 'ENOTDIR':
        return 'Not a directory';
      case 'EISDIR':
        return 'Is a directory';
      case 'EEXIST':
        return 'File exists';
      case 'ENOTEMPTY':
        return 'Directory not empty';
    }
  }
  return e instanceof Error ? e.message : String(e);
}
