/**
 * The shape of a `svclab` subcommand. Each lives in `cli/commands/<name>.ts` and is listed in
 * `cli/commands/index.ts`; `svclab --help` and dispatch come from that list, so adding `grade` or `labs` is one
 * file plus one line there.
 */

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
}

export interface CliCommand {
  readonly name: string;
  /** One line for `svclab --help`. */
  readonly summary: string;
  /** The usage line(s), e.g. `svclab run [--profile local|cloud] [--seed N] [--json] FILE|-`. */
  readonly usage: string;
  /** Returns the process exit status. Throw `CliUsageError` for bad usage (exit 2, one line). */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Bad usage or unreadable input: `svclab` prints `svclab: <message>` on one line and exits 2. */
export class CliUsageError extends Error {}

export type FlagKind = 'string' | 'boolean';

export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

/**
 * `--name value`, `--name=value`, boolean `--name`; `-` is a positional (stdin); `--` ends flags. Unknown flags
 * are usage errors.
 */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, FlagKind>>, command: string): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a !== '-') throw new CliUsageError(`${command}: unknown option '${a}'`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    const kind = spec[name];
    if (!kind) throw new CliUsageError(`${command}: unknown option '--${name}'`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new CliUsageError(`${command}: option '--${name}' takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined || value === '') throw new CliUsageError(`${command}: option '--${name}' needs a value`);
    flags.set(name, value);
  }
  return { flags, positionals };
}

/** `--profile local|cloud` (default local). */
export function profileFlag(parsed: ParsedArgs, command: string): 'local' | 'cloud' {
  const v = parsed.flags.get('profile') ?? 'local';
  if (v !== 'local' && v !== 'cloud') throw new CliUsageError(`${command}: --profile must be local or cloud, not '${String(v)}'`);
  return v;
}

/** `--seed N`: an integer 0 … 2^32-1 (default 1). */
export function seedFlag(parsed: ParsedArgs, command: string): number {
  const v = parsed.flags.get('seed');
  if (v === undefined) return 1;
  if (typeof v !== 'string' || !/^\d+$/.test(v) || Number(v) > 0xffffffff) {
    throw new CliUsageError(`${command}: --seed must be an integer from 0 to 4294967295, not '${String(v)}'`);
  }
  return Number(v);
}
