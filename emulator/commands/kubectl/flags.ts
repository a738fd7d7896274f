/**
 * A small pflag: long flags (`--name=v`, `--name v`), shorthands (`-n v`, `-nv`, `-n=v`, bundled bools `-it`),
 * `--` ends flag parsing, flags and arguments may be interspersed. Errors carry pflag's exact text; kubectl adds
 * `See 'kubectl <command> --help' for usage.` (cobra's flag error hook as component-base installs it).
 */

export type FlagType = 'bool' | 'string' | 'int' | 'stringArray' | 'stringSlice';

export interface FlagDef {
  readonly name: string;
  readonly short?: string;
  readonly type: FlagType;
  /** Bool flags given without `=value` take this (pflag's NoOptDefVal); `--dry-run` alone means `client`. */
  readonly noOptDefault?: string;
  readonly default?: string | number | boolean | readonly string[];
}

/** An error kubectl reports and exits 1 with; `message` is printed to stderr as is (plus a newline). */
export class KubectlError extends Error {
  readonly exitCode: number;
  /** What kubectl had already printed on stdout when it failed (a template's partial output and report). */
  readonly stdout: string;
  constructor(message: string, exitCode = 1, stdout = '') {
    super(message);
    this.exitCode = exitCode;
    this.stdout = stdout;
  }
}

export interface ParsedFlags {
  readonly values: Map<string, string | number | boolean | string[]>;
  /** Flags the user actually set (pflag's `Changed`). */
  readonly changed: Set<string>;
  readonly args: string[];
  /** Index into `args` where `--` appeared (cobra's ArgsLenAtDash), -1 when absent. */
  readonly argsLenAtDash: number;
}

/** Flags every kubectl command accepts (kubectl's persistent flags). */
export const GLOBAL_FLAGS: readonly FlagDef[] = [
  { name: 'namespace', short: 'n', type: 'string', default: '' },
  { name: 'context', type: 'string', default: '' },
  { name: 'cluster', type: 'string', default: '' },
  { name: 'user', type: 'string', default: '' },
  { name: 'kubeconfig', type: 'string', default: '' },
  { name: 'server', short: 's', type: 'string', default: '' },
  { name: 'request-timeout', type: 'string', default: '0' },
  { name: 'v', short: 'v', type: 'int', default: 0 },
  { name: 'as', type: 'string', default: '' },
  { name: 'token', type: 'string', default: '' },
  { name: 'insecure-skip-tls-verify', type: 'bool', default: false },
  { name: 'match-server-version', type: 'bool', default: false },
  { name: 'warnings-as-errors', type: 'bool', default: false },
  { name: 'cache-dir', type: 'string', default: '' },
  { name: 'profile', type: 'string', default: 'none' },
];

export function usageError(message: string, commandPath: string): KubectlError {
  return new KubectlError(`error: ${message}\nSee '${commandPath} --help' for usage.`);
}

function parseValue(def: FlagDef, raw: string, display: string): string | number | boolean {
  if (def.type === 'int') {
    if (!/^[+-]?\d+$/.test(raw)) throw new Error(`invalid argument "${raw}" for "${display}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
    return Number(raw);
  }
  if (def.type === 'bool') {
    const t = ['1', 't', 'T', 'TRUE', 'true', 'True'];
    const f = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
    if (t.includes(raw)) return true;
    if (f.includes(raw)) return false;
    throw new Error(`invalid argument "${raw}" for "${display}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
  }
  return raw;
}

/**
 * Index of the first positional argument, as cobra finds a subcommand (stripFlags): `-n dev` and `--timeout 5s`
 * consume the word after them, so `kubectl -n dev rollout status deploy/x` and `kubectl create -n dev deployment x`
 * find `rollout`/`status`/`deployment`, not `dev`. -1 when there is none.
 */
export function firstPositional(argv: readonly string[], defs: readonly FlagDef[] = []): number {
  const takesValue = new Set<string>();
  for (const d of [...defs, ...GLOBAL_FLAGS]) {
    if (d.type === 'bool' || d.noOptDefault !== undefined) continue;
    takesValue.add(`--${d.name}`);
    if (d.short) takesValue.add(`-${d.short}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!a.startsWith('-') || a === '-') return i;
    if (takesValue.has(a)) i++;
  }
  return -1;
}

export function parseFlags(argv: readonly string[], defs: readonly FlagDef[], commandPath: string): ParsedFlags {
  const all = [...defs, ...GLOBAL_FLAGS];
  const byName = new Map(all.map((d) => [d.name, d]));
  const byShort = new Map(all.filter((d) => d.short).map((d) => [d.short!, d]));
  const values = new Map<string, string | number | boolean | string[]>();
  for (const d of all) {
    if (d.default !== undefined) values.set(d.name, Array.isArray(d.default) ? [...d.default] : (d.default as string | number | boolean));
    else if (d.type === 'stringArray' || d.type === 'stringSlice') values.set(d.name, []);
  }
  const changed = new Set<string>();
  const args: string[] = [];
  let argsLenAtDash = -1;

  const set = (def: FlagDef, raw: string, _typed: string) => {
    // pflag names a flag in errors as `-r, --replicas` when it has a shorthand, whichever form was typed.
    const display = def.short ? `-${def.short}, --${def.name}` : `--${def.name}`;
    let v: string | number | boolean | string[];
    try {
      if (def.type === 'stringArray' || def.type === 'stringSlice') {
        const prev = changed.has(def.name) ? (values.get(def.name) as string[]) : [];
        const items = def.type === 'stringSlice' ? (raw === '' ? [] : raw.split(',')) : [raw];
        v = [...prev, ...items];
      } else v = parseValue(def, raw, display);
    } catch (e) {
      throw usageError((e as Error).message, commandPath);
    }
    values.set(def.name, v);
    changed.add(def.name);
  };

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      argsLenAtDash = args.length;
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const def = byName.get(name);
      if (!def) throw usageError(`unknown flag: --${name}`, commandPath);
      if (eq >= 0) set(def, a.slice(eq + 1), `--${name}`);
      else if (def.type === 'bool') set(def, 'true', `--${name}`);
      else if (def.noOptDefault !== undefined) set(def, def.noOptDefault, `--${name}`);
      else {
        if (i + 1 >= argv.length) throw usageError(`flag needs an argument: --${name}`, commandPath);
        set(def, argv[++i]!, `--${name}`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const shorts = a.slice(1);
      for (let j = 0; j < shorts.length; j++) {
        const c = shorts[j]!;
        const def = byShort.get(c);
        if (!def) throw usageError(`unknown shorthand flag: '${c}' in ${a}`, commandPath);
        const rest = shorts.slice(j + 1);
        if (rest.startsWith('=')) {
          set(def, rest.slice(1), `-${c}, --${def.name}`);
          break;
        }
        if (def.type === 'bool') {
          set(def, 'true', `-${c}, --${def.name}`);
          continue;
        }
        if (def.noOptDefault !== undefined && rest === '') {
          set(def, def.noOptDefault, `-${c}, --${def.name}`);
          break;
        }
        if (rest !== '') {
          set(def, rest, `-${c}, --${def.name}`);
          break;
        }
        if (i + 1 >= argv.length) throw usageError(`flag needs an argument: '${c}' in -${c}`, commandPath);
        set(def, argv[++i]!, `-${c}, --${def.name}`);
        break;
      }
      continue;
    }
    args.push(a);
  }
  return { values, changed, args, argsLenAtDash };
}

/** Typed accessors over a parse result. */
export class Flags {
  constructor(readonly parsed: ParsedFlags) {}
  str(name: string): string {
    const v = this.parsed.values.get(name);
    return v === undefined ? '' : String(v);
  }
  bool(name: string): boolean {
    return this.parsed.values.get(name) === true;
  }
  int(name: string): number {
    const v = this.parsed.values.get(name);
    return typeof v === 'number' ? v : 0;
  }
  list(name: string): string[] {
    const v = this.parsed.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  changed(name: string): boolean {
    return this.parsed.changed.has(name);
  }
  get args(): string[] {
    return this.parsed.args;
  }
}
