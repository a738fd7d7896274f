/**
 * Commands that are part of the shell itself (bash/busybox builtins): they run on every host, whatever its
 * `commands` set says. They change the session (`cd`, `exit`, `export`) through `SessionControl`.
 */
import { shellName } from '../../shell/interpreter';
import { pathCandidates } from '../../shell/completion';
import type { CommandContext, CommandSpec } from '../../shell/types';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function sh(ctx: CommandContext): string {
  return shellName(ctx.host);
}

export const cd: CommandSpec = {
  name: 'cd',
  builtin: true,
  summary: 'Change the working directory',
  complete: (args, c) => pathCandidates(c.host, c.cwd ?? c.host.home, args[args.length - 1] ?? '', true),
  run(ctx) {
    const args = ctx.argv.slice(1).filter((a, i) => !(i === 0 && a === '--'));
    if (args.length > 1) {
      ctx.stderr.write(`${sh(ctx)}: cd: too many arguments\n`);
      return 1;
    }
    let target = args[0] ?? ctx.env.get('HOME') ?? ctx.host.home;
    let print = false;
    if (target === '-') {
      const old = ctx.env.get('OLDPWD');
      if (!old) {
        ctx.stderr.write(`${sh(ctx)}: cd: OLDPWD not set\n`);
        return 1;
      }
      target = old;
      print = true;
    }
    const path = ctx.resolvePath(target);
    const fs = ctx.host.fs;
    if (!fs.isDir(path)) {
      const why = fs.exists(path) ? 'Not a directory' : 'No such file or directory';
      if (ctx.host.promptStyle === 'busybox') ctx.stderr.write(`sh: cd: can't cd to ${target}: ${why}\n`);
      else ctx.stderr.write(`bash: cd: ${target}: ${why}\n`);
      return 1;
    }
    ctx.session.setCwd?.(path);
    if (print) ctx.stdout.write(path + '\n');
    return 0;
  },
};

export const pwd: CommandSpec = {
  name: 'pwd',
  builtin: true,
  summary: 'Print the working directory',
  run(ctx) {
    ctx.stdout.write(ctx.cwd + '\n');
    return 0;
  },
};

function echoEscapes(s: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const n = s[++i]!;
    switch (n) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '\\': out += '\\'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'e': out += '\x1b'; break;
      case 'v': out += '\v'; break;
      case 'f': out += '\f'; break;
      case 'c': return { text: out, stop: true };
      case '0': {
        const m = /^[0-7]{0,3}/.exec(s.slice(i + 1))![0];
        out += String.fromCharCode(parseInt(m || '0', 8));
        i += m.length;
        break;
      }
      default: out += '\\' + n;
    }
  }
  return { text: out, stop: false };
}

export const echo: CommandSpec = {
  name: 'echo',
  builtin: true,
  summary: 'Print the arguments',
  run(ctx) {
    const args = ctx.argv.slice(1);
    let newline = true;
    let escapes = false;
    while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
      const opt = args.shift()!;
      for (const c of opt.slice(1)) {
        if (c === 'n') newline = false;
        else if (c === 'e') escapes = true;
        else escapes = false;
      }
    }
    let text = args.join(' ');
    if (escapes) {
      const r = echoEscapes(text);
      text = r.text;
      if (r.stop) newline = false;
    }
    ctx.stdout.write(newline ? text + '\n' : text);
    return 0;
  },
};

/** printf FORMAT [ARG…]: %s %d %i %u %x %X %o %c %f %e %g %b %q %%, widths, precision, flags; the format repeats. */
export function formatPrintf(format: string, args: readonly string[], onError: (msg: string) => void): string {
  let out = '';
  let argi = 0;
  const next = (): string | undefined => args[argi++];
  do {
    const before = argi;
    for (let i = 0; i < format.length; i++) {
      const c = format[i]!;
      if (c === '\\') {
        const r = echoEscapes(format.slice(i, i + 2));
        out += r.text;
        i++;
        continue;
      }
      if (c !== '%') {
        out += c;
        continue;
      }
      const m = /^%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?([sdiuxXocfeEgGbq%])/.exec(format.slice(i));
      if (!m) {
        out += c;
        continue;
      }
      i += m[0].length - 1;
      const [, flagStr = '', widthRaw, precRaw, conv] = m;
      if (conv === '%') {
        out += '%';
        continue;
      }
      const width = widthRaw === '*' ? Number(next() ?? 0) : widthRaw ? Number(widthRaw) : 0;
      const prec = precRaw === '*' ? Number(next() ?? 0) : precRaw !== undefined ? Number(precRaw) : undefined;
      const arg = next();
      let s: string;
      switch (conv) {
        case 's':
          s = arg ?? '';
          if (prec !== undefined) s = s.slice(0, prec);
          break;
        case 'b':
          s = echoEscapes(arg ?? '').text;
          break;
        case 'q':
          s = /^[A-Za-z0-9_./=:,@%+-]+$/.test(arg ?? '') ? (arg ?? '') : `'${(arg ?? '').replace(/'/g, `'\\''`)}'`;
          break;
        case 'c':
          s = (arg ?? '').slice(0, 1);
          break;
        default: {
          const raw = arg ?? '0';
          let n = Number(raw.startsWith("'") || raw.startsWith('"') ? raw.charCodeAt(1) : raw);
          if (Number.isNaN(n)) {
            onError(`${raw}: invalid number`);
            n = 0;
          }
          if ('diu'.includes(conv!)) s = String(Math.trunc(n));
          else if (conv === 'x') s = Math.trunc(n).toString(16);
          else if (conv === 'X') s = Math.trunc(n).toString(16).toUpperCase();
          else if (conv === 'o') s = Math.trunc(n).toString(8);
          else if (conv === 'e' || conv === 'E') {
            s = n.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
            if (conv === 'E') s = s.toUpperCase();
          } else if (conv === 'g' || conv === 'G') s = String(Number(n.toPrecision(prec || 6)));
          else s = n.toFixed(prec ?? 6);
          if (flagStr.includes('+') && n >= 0 && 'dieEfgG'.includes(conv!)) s = '+' + s;
          if (flagStr.includes('0') && !flagStr.includes('-') && s.length < width) {
            const neg = s.startsWith('-') || s.startsWith('+');
            s = (neg ? s[0] : '') + s.slice(neg ? 1 : 0).padStart(width - (neg ? 1 : 0), '0');
          }
        }
      }
      out += flagStr.includes('-') ? s.padEnd(width) : s.padStart(width);
    }
    if (argi === before) break;
  } while (argi < args.length);
  return out;
}

export const printf: CommandSpec = {
  name: 'printf',
  builtin: true,
  summary: 'Format and print data',
  run(ctx) {
    const args = ctx.argv.slice(1);
    if (args[0] === '--') args.shift();
    if (args.length === 0) {
      ctx.stderr.write(`${sh(ctx)}: printf: usage: printf [-v var] format [arguments]\n`);
      return 2;
    }
    let status = 0;
    const text = formatPrintf(args[0]!, args.slice(1), (msg) => {
      ctx.stderr.write(`${sh(ctx)}: printf: ${msg}\n`);
      status = 1;
    });
    ctx.stdout.write(text);
    return status;
  },
};

function quoteDeclare(v: string): string {
  return '"' + v.replace(/(["\\$`])/g, '\\$1') + '"';
}

export const exportCmd: CommandSpec = {
  name: 'export',
  builtin: true,
  summary: 'Set a variable and export it to commands',
  run(ctx) {
    const exported = ctx.session.exportedNames?.();
    const args = ctx.argv.slice(1).filter((a) => a !== '-n' || false);
    if (args.length === 0 || (args.length === 1 && args[0] === '-p')) {
      const names = [...(exported ?? ctx.env.keys())].filter((n) => ctx.env.has(n)).sort();
      for (const n of names) ctx.stdout.write(`declare -x ${n}=${quoteDeclare(ctx.env.get(n)!)}\n`);
      return 0;
    }
    let status = 0;
    for (const a of args) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      if (!NAME_RE.test(name)) {
        ctx.stderr.write(`${sh(ctx)}: export: \`${a}': not a valid identifier\n`);
        status = 1;
        continue;
      }
      if (eq >= 0) ctx.env.set(name, a.slice(eq + 1));
      exported?.add(name);
    }
    return status;
  },
};

export const unset: CommandSpec = {
  name: 'unset',
  builtin: true,
  summary: 'Remove variables',
  run(ctx) {
    for (const a of ctx.argv.slice(1)) {
      if (a === '-v' || a === '-f') continue;
      ctx.env.delete(a);
      ctx.session.exportedNames?.().delete(a);
    }
    return 0;
  },
};

function exitLike(name: 'exit' | 'logout'): CommandSpec {
  return {
    name,
    builtin: true,
    summary: name === 'exit' ? 'Leave the shell (back from ssh or a pod shell)' : 'Leave a login shell',
    run(ctx) {
      const arg = ctx.argv[1];
      let code = ctx.session.lastStatus?.() ?? 0;
      if (arg !== undefined) {
        if (!/^-?\d+$/.test(arg)) {
          ctx.stderr.write(`${sh(ctx)}: ${name}: ${arg}: numeric argument required\n`);
          code = 2;
        } else code = ((Number(arg) % 256) + 256) % 256;
      }
      ctx.session.exit?.(code);
      return code;
    },
  };
}

export const exit = exitLike('exit');
export const logout = exitLike('logout');

export const trueCmd: CommandSpec = { name: 'true', builtin: true, summary: 'Do nothing, successfully', run: () => 0 };
export const falseCmd: CommandSpec = { name: 'false', builtin: true, summary: 'Do nothing, unsuccessfully', run: () => 1 };
export const colon: CommandSpec = { name: ':', builtin: true, summary: 'Do nothing, successfully', run: () => 0 };

export const history: CommandSpec = {
  name: 'history',
  builtin: true,
  summary: 'Show the command history',
  run(ctx) {
    const entries = ctx.session.history?.() ?? [];
    const n = ctx.argv[1] !== undefined && /^\d+$/.test(ctx.argv[1]) ? Number(ctx.argv[1]) : entries.length;
    const start = Math.max(0, entries.length - n);
    for (let i = start; i < entries.length; i++) {
      ctx.stdout.write(`${String(i + 1).padStart(5)}  ${entries[i]}\n`);
    }
    return 0;
  },
};

export const clear: CommandSpec = {
  name: 'clear',
  builtin: true,
  summary: 'Clear the terminal screen',
  run(ctx) {
    ctx.session.clearScreen();
    return 0;
  },
};

export const type: CommandSpec = {
  name: 'type',
  builtin: true,
  summary: 'Tell how a command name would be interpreted',
  run(ctx) {
    let status = 0;
    for (const name of ctx.argv.slice(1)) {
      const spec = ctx.world.commands.get(name);
      const available = spec && (spec.builtin || !ctx.host.commands || ctx.host.commands.has(name));
      if (!available) {
        ctx.stderr.write(`${sh(ctx)}: type: ${name}: not found\n`);
        status = 1;
      } else if (spec.builtin) ctx.stdout.write(`${name} is a shell builtin\n`);
      else ctx.stdout.write(`${name} is /usr/bin/${name}\n`);
    }
    return status;
  },
};

export const help: CommandSpec = {
  name: 'help',
  builtin: true,
  summary: 'List the commands available here',
  run(ctx) {
    const specs = [...ctx.world.commands.values()]
      .filter((s) => s.builtin || !ctx.host.commands || ctx.host.commands.has(s.name))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const width = Math.max(...specs.map((s) => s.name.length)) + 2;
    ctx.stdout.write(
      `Kube Service Lab shell on ${ctx.host.hostname}. These commands are available here:\n\n` +
        specs.map((s) => `  ${s.name.padEnd(width)}${s.summary}`).join('\n') +
        '\n\nShell syntax: ; && || | $(…) `…` $VAR "quotes" <<EOF heredocs > >> 2> 2>&1 < redirects,\n' +
        'for/while/if loops. Tab completes commands, flags, resources and files; ↑/↓ and Ctrl-R recall history.\n',
    );
    return 0;
  },
};

/** `test EXPR` / `[ EXPR ]`: strings, integers, files; `!`, `-a`, `-o`, parentheses. Status 0 true, 1 false, 2 error. */
function evalTest(args: string[], ctx: CommandContext): boolean {
  let i = 0;
  const fail = (msg: string): never => {
    throw new TestError(msg);
  };
  const fs = ctx.host.fs;
  const intOf = (s: string): number => {
    if (!/^\s*-?\d+\s*$/.test(s)) fail(`${s}: integer expression expected`);
    return Number(s);
  };
  const primary = (): boolean => {
    const a = args[i];
    if (a === undefined) throw new TestError('argument expected');
    if (a === '!') {
      i++;
      return !primary();
    }
    if (a === '(') {
      i++;
      const v = orExpr();
      if (args[i] !== ')') fail("`)' expected");
      i++;
      return v;
    }
    const b = args[i + 1];
    const c = args[i + 2];
    const binary = ['=', '==', '!=', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '<', '>'];
    if (b !== undefined && binary.includes(b) && c !== undefined) {
      i += 3;
      switch (b) {
        case '=': case '==': return a === c;
        case '!=': return a !== c;
        case '<': return a < c;
        case '>': return a > c;
        case '-eq': return intOf(a) === intOf(c);
        case '-ne': return intOf(a) !== intOf(c);
        case '-lt': return intOf(a) < intOf(c);
        case '-le': return intOf(a) <= intOf(c);
        case '-gt': return intOf(a) > intOf(c);
        default: return intOf(a) >= intOf(c);
      }
    }
    if (/^-[zndfes]$/.test(a) && b !== undefined) {
      i += 2;
      const path = ctx.resolvePath(b);
      switch (a) {
        case '-z': return b === '';
        case '-n': return b !== '';
        case '-d': return fs.isDir(path);
        case '-f': return fs.exists(path) && !fs.isDir(path);
        case '-e': return fs.exists(path);
        default: return (fs.readFile(path) ?? '') !== '';
      }
    }
    i++;
    return a !== '';
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (args[i] === '-a') {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (args[i] === '-o') {
      i++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return false;
  const v = orExpr();
  if (i < args.length) fail(`${args[i]}: unexpected operator`);
  return v;
}

class TestError extends Error {}

function testLike(name: 'test' | '['): CommandSpec {
  return {
    name,
    builtin: true,
    summary: 'Evaluate a condition (strings, numbers, files)',
    run(ctx) {
      const args = ctx.argv.slice(1);
      if (name === '[') {
        if (args[args.length - 1] !== ']') {
          ctx.stderr.write(`${sh(ctx)}: [: missing \`]'\n`);
          return 2;
        }
        args.pop();
      }
      try {
        return evalTest(args, ctx) ? 0 : 1;
      } catch (e) {
        if (!(e instanceof TestError)) throw e;
        ctx.stderr.write(`${sh(ctx)}: ${name}: ${e.message}\n`);
        return 2;
      }
    },
  };
}

export const test = testLike('test');
export const bracket = testLike('[');

function quoteAlias(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export const alias: CommandSpec = {
  name: 'alias',
  builtin: true,
  summary: "Define or list aliases (alias k=kubectl)",
  run(ctx) {
    const aliases = ctx.session.aliases?.();
    if (!aliases) return 1;
    const args = ctx.argv.slice(1).filter((a) => a !== '-p');
    if (args.length === 0) {
      for (const name of [...aliases.keys()].sort()) ctx.stdout.write(`alias ${name}=${quoteAlias(aliases.get(name)!)}\n`);
      return 0;
    }
    let status = 0;
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq < 0) {
        const v = aliases.get(a);
        if (v === undefined) {
          ctx.stderr.write(`${sh(ctx)}: alias: ${a}: not found\n`);
          status = 1;
        } else ctx.stdout.write(`alias ${a}=${quoteAlias(v)}\n`);
        continue;
      }
      const name = a.slice(0, eq);
      if (!/^[^\s/$`=|&;()<>'"]+$/.test(name)) {
        ctx.stderr.write(`${sh(ctx)}: alias: \`${name}': invalid alias name\n`);
        status = 1;
        continue;
      }
      aliases.set(name, a.slice(eq + 1));
    }
    return status;
  },
};

export const unalias: CommandSpec = {
  name: 'unalias',
  builtin: true,
  summary: 'Remove aliases',
  run(ctx) {
    const aliases = ctx.session.aliases?.();
    if (!aliases) return 1;
    let status = 0;
    for (const a of ctx.argv.slice(1)) {
      if (a === '-a') aliases.clear();
      else if (!aliases.delete(a)) {
        ctx.stderr.write(`${sh(ctx)}: unalias: ${a}: not found\n`);
        status = 1;
      }
    }
    return status;
  },
};

/**
 * `complete -o default -F __start_kubectl k`: accepted so that setup lines from the kubectl cheat sheet work;
 * completion here already follows aliases to the command's own completer.
 */
export const complete: CommandSpec = { name: 'complete', builtin: true, summary: 'Set up Tab completion (accepted; completion is built in)', run: () => 0 };

/** Listed for `help` and `type`; the interpreter itself runs `source`/`.` (in the current shell). */
export const source: CommandSpec = { name: 'source', builtin: true, summary: 'Run a file\'s commands in this shell', run: () => 0 };
export const read: CommandSpec = { name: 'read', builtin: true, summary: 'Read a line of input into variables', run: () => 1 };
export const jobs: CommandSpec = { name: 'jobs', builtin: true, summary: 'List background jobs (cmd &)', run: () => 0 };
export const wait: CommandSpec = { name: 'wait', builtin: true, summary: 'Wait for background jobs', run: () => 0 };
export const kill: CommandSpec = { name: 'kill', builtin: true, summary: 'Stop a background job (kill %1)', run: () => 1 };
export const fg: CommandSpec = { name: 'fg', builtin: true, summary: 'Bring a background job to the foreground (fg %1; Ctrl-C then stops it)', run: () => 1 };
export const dot: CommandSpec = { name: '.', builtin: true, summary: 'Run a file\'s commands in this shell', run: () => 0 };

/** Listed for `help` and `type`; the interpreter itself carries out `break` and `continue`. */
export const breakCmd: CommandSpec = { name: 'break', builtin: true, summary: 'Leave a for/while/until loop', run: () => 0 };
export const continueCmd: CommandSpec = { name: 'continue', builtin: true, summary: 'Next iteration of a loop', run: () => 0 };

export const SHELL_BUILTINS: readonly CommandSpec[] = [
  test, bracket, breakCmd, continueCmd, alias, unalias, complete, source, dot, read, jobs, wait, kill, fg,
  cd, pwd, echo, printf, exportCmd, unset, exit, logout, trueCmd, falseCmd, colon, history, clear, type, help,
];
