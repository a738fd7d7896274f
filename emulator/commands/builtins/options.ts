/**
 * getopt-style option parsing for the coreutils-like commands: clustered short flags (`-rf`), options with a
 * value (`-n 5`, `-n5`, `--lines=5`), `--` ending options, and GNU's error wording.
 */
import type { CommandContext } from '../../shell/types';

export interface OptionSpec {
  /** Short flags without a value, e.g. `'lar1'`. */
  readonly flags?: string;
  /** Short options that take a value, e.g. `'nk'`. */
  readonly withValue?: string;
  /** Long option → short equivalent (`lines` → `n`); a trailing `=` means it takes a value. */
  readonly long?: Readonly<Record<string, string>>;
  /** Stop at the first operand (`ssh host cmd -l`, `sudo cmd -x`). */
  readonly stopAtOperand?: boolean;
  /** Accept `-5` as shorthand for `-n 5` (head, tail). */
  readonly numericShorthand?: string;
}

export interface ParsedOptions {
  readonly flags: Set<string>;
  /** Last value of each option; `all` keeps every value (`grep -e a -e b`). */
  readonly values: Map<string, string>;
  readonly all: Map<string, string[]>;
  readonly operands: string[];
}

export class UsageError extends Error {}

export function parseOptions(args: readonly string[], spec: OptionSpec): ParsedOptions {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const all = new Map<string, string[]>();
  const operands: string[] = [];
  const flagChars = spec.flags ?? '';
  const valueChars = spec.withValue ?? '';
  const setValue = (k: string, v: string) => {
    values.set(k, v);
    all.set(k, [...(all.get(k) ?? []), v]);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && spec.long) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const short = spec.long[name] ?? spec.long[name + '='];
      if (short === undefined) throw new UsageError(`unrecognized option '${a}'`);
      if (spec.long[name + '='] !== undefined) {
        let v: string | undefined = eq < 0 ? args[++i] : a.slice(eq + 1);
        if (v === undefined) throw new UsageError(`option '--${name}' requires an argument`);
        setValue(short, v);
      } else flags.add(short);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (spec.numericShorthand && /^-\d+$/.test(a)) {
        setValue(spec.numericShorthand, a.slice(1));
        continue;
      }
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (valueChars.includes(c)) {
          let v: string | undefined = a.slice(j + 1);
          if (v === '') v = args[++i];
          if (v === undefined) throw new UsageError(`option requires an argument -- '${c}'`);
          setValue(c, v);
          break;
        }
        if (!flagChars.includes(c)) throw new UsageError(`invalid option -- '${c}'`);
        flags.add(c);
      }
      continue;
    }
    operands.push(a);
    if (spec.stopAtOperand) {
      operands.push(...args.slice(i + 1));
      break;
    }
  }
  return { flags, values, all, operands };
}

/** Parse, or print GNU's two-line usage error and return the status to exit with. */
export function parseOrUsage(
  ctx: CommandContext,
  spec: OptionSpec,
  usageStatus = 1,
): ParsedOptions | number {
  const name = ctx.argv[0]!;
  try {
    return parseOptions(ctx.argv.slice(1), spec);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    ctx.stderr.write(`${name}: ${e.message}\nTry '${name} --help' for more information.\n`);
    return usageStatus;
  }
}

/** `name: missing operand` + GNU's hint. */
export function missingOperand(ctx: CommandContext, what = 'operand'): number {
  const name = ctx.argv[0]!;
  ctx.stderr.write(`${name}: missing ${what}\nTry '${name} --help' for more information.\n`);
  return 1;
}

/**
 * For a command that streams stdin (`streamsStdin`) but needs it whole in this case (`grep x - file`, `head -c`):
 * the same context with the producer's whole output in `stdin`, once the producer exited.
 */
export async function wholeStdin(ctx: CommandContext): Promise<CommandContext> {
  if (!ctx.stdinStream) return ctx;
  let text = '';
  for await (const chunk of ctx.stdinStream) text += chunk;
  const { stdinStream: _consumed, ...rest } = ctx;
  return { ...rest, stdin: text };
}

/** Read operands as files (`-` or none = stdin), reporting unreadable ones the way coreutils does. */
export function readInputs(
  ctx: CommandContext,
  operands: readonly string[],
): { inputs: { name: string; text: string }[]; ok: boolean } {
  const out: { name: string; text: string }[] = [];
  let failed = false;
  if (operands.length === 0) return { inputs: [{ name: '-', text: ctx.stdin }], ok: true };
  for (const op of operands) {
    if (op === '-') {
      out.push({ name: '-', text: ctx.stdin });
      continue;
    }
    const path = ctx.resolvePath(op);
    const text = ctx.host.fs.readFile(path);
    if (text === undefined) {
      failed = true;
      const why = ctx.host.fs.isDir(path) ? 'Is a directory' : 'No such file or directory';
      ctx.stderr.write(`${ctx.argv[0]}: ${op}: ${why}\n`);
      continue;
    }
    out.push({ name: op, text });
  }
  return { inputs: out, ok: !failed };
}

/** Split text into lines, without the empty string after a final newline. */
export function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}
