/**
 * The contract between the shell and everything it runs. The shell (parser, interpreter, line editor) lives in
 * `emulator/shell/`; commands (kubectl, curl, iptables, …) live in `emulator/commands/` and only see a
 * `CommandContext`. Nothing here imports a platform API, so the same shell serves the app, the CLI and tests.
 */
import type { World } from '../world';

export interface OutputStream {
  /** Text with `\n` line endings; the terminal layer turns them into `\r\n`. */
  write(text: string): void;
}

/** A host a learner can have a shell on: the workstation/laptop, a node (`ssh worker-1`), a pod (`kubectl exec`). */
export interface ShellHost {
  /** Unique id, e.g. `workstation`, `node/worker-1`, `pod/default/web-5d9c7b8f4-abcde`. */
  readonly id: string;
  readonly kind: 'workstation' | 'node' | 'pod' | 'vm';
  /** What `hostname` prints and the prompt shows. */
  readonly hostname: string;
  /** `student`, `root`, … */
  readonly user: string;
  readonly home: string;
  /** Per-host virtual filesystem. */
  readonly fs: VirtualFs;
  /** Network namespace id in `world.network`, when the host has one. */
  readonly netns?: string;
  /** Addresses `ssh` also reaches this host by (its IPs), besides its hostname. */
  readonly addresses?: readonly string[];
  /**
   * Commands this host has (a busybox pod has `nslookup` and `wget` but no `curl`); undefined = every command.
   * Shell builtins are always available.
   */
  readonly commands?: ReadonlySet<string>;
  /** Prompt style: bash (`user@host:cwd$ `) or busybox sh in a pod (`/ # `). */
  readonly promptStyle: 'bash' | 'busybox';
  /** Environment variables the host starts a shell with (pods: KUBERNETES_SERVICE_HOST …). */
  readonly env?: ReadonlyMap<string, string>;
}

/** What `ls -l` and `stat` need to know about an entry. */
export interface FileStat {
  readonly isDir: boolean;
  readonly size: number;
  /** Virtual ms since epoch. */
  readonly mtime: number;
  /** Permission bits, e.g. 0o644. */
  readonly mode: number;
  readonly owner: string;
}

/**
 * Paths are absolute (callers resolve them with `CommandContext.resolvePath`). Mutations may throw `FsError`
 * (emulator/shell/vfs.ts) with an errno-like code; `MemoryFs` there is the implementation every host uses.
 */
export interface VirtualFs {
  readFile(path: string): string | undefined;
  /** Throws when the parent directory is missing or `path` is a directory. */
  writeFile(path: string, content: string, append?: boolean): void;
  exists(path: string): boolean;
  isDir(path: string): boolean;
  mkdir(path: string, recursive?: boolean): void;
  /** Entry names of a directory, sorted; undefined when not a directory. */
  list(path: string): string[] | undefined;
  remove(path: string, recursive?: boolean): boolean;
  /** Entry metadata, undefined when absent (optional so fakes stay small). */
  stat?(path: string): FileStat | undefined;
}

/** What a running command can do to the session that runs it. */
export interface SessionControl {
  /**
   * Push a new host on the session's stack (`ssh`, `kubectl exec -it … -- sh`); `exit` pops it. `onExit` returns
   * what to print when the learner leaves it again (ssh: `logout\nConnection to worker-1 closed.\n`).
   */
  enterHost(host: ShellHost, opts?: EnterHostOptions): void;
  /** `cd`: set the shell's working directory (already resolved and checked). */
  setCwd?(path: string): void;
  /** `exit`/`logout`: leave the current host (pop the stack) with this status. */
  exit?(code: number): void;
  /** `$?` before the running command (`exit` without an argument). */
  lastStatus?(): number;
  /** The live set of exported variable names of the current shell (`export`, `env`, `unset`). */
  exportedNames?(): Set<string>;
  /** The current shell's aliases, name → value (`alias k=kubectl`). */
  aliases?(): Map<string, string>;
  /** The session's command history, oldest first (`history`). */
  history?(): readonly string[];
  /**
   * Run one command by argv on `host` in a child shell (no parsing): `kubectl exec POD -- nslookup web`,
   * `sudo iptables-save`. Output goes to `io`; returns the exit status (127 when the host lacks the command).
   */
  runCommand?(host: ShellHost, argv: readonly string[], io: ChildIo): Promise<number>;
  /** Parse and run a command line on `host` in a child shell: `ssh worker-1 'iptables-save | grep KUBE'`, `sh -c`. */
  runShell?(host: ShellHost, line: string, io: ChildIo): Promise<number>;
  /** Ask the app to open a file or object in its editor (`kubectl edit`); false when there is no editor (CLI). */
  openEditor?(request: EditorRequest): boolean;
  /** Clear the screen (`clear`, Ctrl-L). */
  clearScreen(): void;
}

export interface EnterHostOptions {
  /** Text printed when the learner exits this host (default: nothing). */
  readonly onExit?: (code: number) => string;
}

/** Streams of a child shell started by a command (`ssh NODE CMD`, `kubectl exec`). */
export interface ChildIo {
  readonly stdin: string;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly signal: AbortSignal;
  /** Extra environment for the child (on top of the host's). */
  readonly env?: ReadonlyMap<string, string>;
}

export interface EditorRequest {
  readonly title: string;
  readonly content: string;
  /** Called with the edited text when the learner saves; returns the message to print. */
  readonly onSave: (text: string) => { ok: boolean; message: string };
}

export interface CommandContext {
  /** argv[0] is the command name as typed. */
  readonly argv: readonly string[];
  /** Whole standard input (pipes and heredocs are buffered). */
  readonly stdin: string;
  /**
   * Standard input chunk by chunk as a pipe's producer writes it (`kubectl get pods -w | grep web`): set only for
   * commands whose spec has `streamsStdin`, when their stdin is a pipe; `stdin` is then ''. The iteration ends
   * when the producer exits.
   */
  readonly stdinStream?: AsyncIterable<string>;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** The shell's variables, exported or not; commands read, `export`/assignments write. */
  readonly env: Map<string, string>;
  readonly cwd: string;
  readonly host: ShellHost;
  readonly world: World;
  readonly session: SessionControl;
  /** Aborted by Ctrl-C. Long-running commands (`kubectl get -w`, `ping`, `tcpdump`) stop when it fires. */
  readonly signal: AbortSignal;
  /** True in the app's terminal, false in `svclab run` (where `-w` and `-it` behave as without a TTY). */
  readonly interactive: boolean;
  /**
   * Standard output is the terminal itself (not a pipe or a file): `ls` prints columns, as on a real TTY.
   * Optional so hand-built contexts in tests stay small; undefined = false.
   */
  readonly stdoutIsTerminal?: boolean;
  /** Terminal width in columns (80 when unknown). */
  readonly columns?: number;
  /**
   * The command was started as a background job (`cmd &`). Long-running observers (`tcpdump`) then set up, return
   * at once and keep writing to stdout as events happen, as they would on a real terminal. Undefined = false.
   */
  readonly background?: boolean;
  /** Resolve a path against cwd and `~`. */
  resolvePath(path: string): string;
}

/** Returns the exit status. */
export type CommandImpl = (ctx: CommandContext) => number | Promise<number>;

export interface CommandSpec {
  readonly name: string;
  /**
   * Shell builtins (`cd`, `export`, `exit`, `echo`, …) run on every host regardless of `ShellHost.commands`,
   * as a shell's own builtins do.
   */
  readonly builtin?: boolean;
  readonly run: CommandImpl;
  /**
   * The command reads standard input incrementally (`CommandContext.stdinStream`), as a filter like grep does: in
   * a pipeline it starts at once and sees lines while the producer still runs. Other commands get the producer's
   * whole output in `stdin` once it exited.
   */
  readonly streamsStdin?: boolean;
  /** One line for `help`. */
  readonly summary: string;
  /** Tab completion for the arguments (the command name itself is completed by the shell). */
  readonly complete?: (args: readonly string[], ctx: CompletionContext) => string[];
}

export interface CompletionContext {
  readonly world: World;
  readonly host: ShellHost;
  /** The shell's working directory (for file completion). */
  readonly cwd?: string;
}
