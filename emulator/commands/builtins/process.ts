/**
 * Shells as commands (`sh -c '…'`, `bash`, a script on stdin — what `kubectl exec POD -- sh -c …` runs), and the
 * small identity tools: printenv, uname, id, which.
 */
import type { CommandContext, CommandSpec } from '../../shell/types';

function shellCommand(name: 'sh' | 'bash' | 'ash'): CommandSpec {
  return {
    name,
    summary: name === 'bash' ? 'Run a bash shell (bash -c CMD runs one command line)' : 'Run a POSIX shell (sh -c CMD runs one command line)',
    async run(ctx: CommandContext) {
      const args = ctx.argv.slice(1).filter((a) => a !== '-l' && a !== '-i' && a !== '-s' && a !== '--login');
      const io = { stdin: '', stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal };
      if (args[0] === '-c') {
        const line = args[1];
        if (line === undefined) {
          ctx.stderr.write(`${name}: -c: option requires an argument\n`);
          return 2;
        }
        return ctx.session.runShell?.(ctx.host, line, { ...io, stdin: ctx.stdin }) ?? 1;
      }
      if (args[0] !== undefined && args[0].startsWith('-')) {
        ctx.stderr.write(`${name}: ${args[0]}: invalid option\n`);
        return 2;
      }
      if (args.length > 0) {
        const file = args[0]!;
        const script = ctx.host.fs.readFile(ctx.resolvePath(file));
        if (script === undefined) {
          ctx.stderr.write(`${name}: ${file}: No such file or directory\n`);
          return 127;
        }
        return ctx.session.runShell?.(ctx.host, script, io) ?? 1;
      }
      // No arguments: a script piped on stdin runs; at the terminal a nested interactive shell starts (exit leaves it).
      if (ctx.stdin !== '' || !ctx.interactive || !ctx.stdoutIsTerminal) {
        return ctx.stdin === '' ? 0 : (ctx.session.runShell?.(ctx.host, ctx.stdin, io) ?? 1);
      }
      ctx.session.enterHost(ctx.host, name === 'bash' ? { onExit: () => 'exit\n' } : undefined);
      return 0;
    },
  };
}

export const printenv: CommandSpec = {
  name: 'printenv',
  summary: 'Print environment variables',
  run(ctx) {
    const exported = ctx.session.exportedNames?.();
    const names = ctx.argv.slice(1);
    if (names.length === 0) {
      let out = '';
      for (const [k, v] of ctx.env) if (!exported || exported.has(k)) out += `${k}=${v}\n`;
      ctx.stdout.write(out);
      return 0;
    }
    let status = 0;
    for (const n of names) {
      const v = ctx.env.get(n);
      if (v === undefined || (exported && !exported.has(n))) status = 1;
      else ctx.stdout.write(v + '\n');
    }
    return status;
  },
};

export const uname: CommandSpec = {
  name: 'uname',
  summary: 'Print system information',
  run(ctx) {
    const kernel = 'Linux';
    const release = '6.1.0-28-amd64';
    const machine = 'x86_64';
    const args = ctx.argv.slice(1).join('').replace(/-/g, '');
    if (args.includes('a')) {
      ctx.stdout.write(`${kernel} ${ctx.host.hostname} ${release} #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22) ${machine} GNU/Linux\n`);
      return 0;
    }
    const parts: string[] = [];
    if (args === '' || args.includes('s')) parts.push(kernel);
    if (args.includes('n')) parts.push(ctx.host.hostname);
    if (args.includes('r')) parts.push(release);
    if (args.includes('m')) parts.push(machine);
    ctx.stdout.write(parts.join(' ') + '\n');
    return 0;
  },
};

export const id: CommandSpec = {
  name: 'id',
  summary: 'Print user and group ids',
  run(ctx) {
    const user = ctx.host.user;
    ctx.stdout.write(
      user === 'root' ? 'uid=0(root) gid=0(root) groups=0(root)\n' : `uid=1000(${user}) gid=1000(${user}) groups=1000(${user}),27(sudo)\n`,
    );
    return 0;
  },
};

export const which: CommandSpec = {
  name: 'which',
  summary: 'Show where a command is',
  run(ctx) {
    let status = 0;
    for (const n of ctx.argv.slice(1)) {
      const spec = ctx.world.commands.get(n);
      if (spec && !spec.builtin && (!ctx.host.commands || ctx.host.commands.has(n))) ctx.stdout.write(`/usr/bin/${n}\n`);
      else status = 1;
    }
    return status;
  },
};

export const PROCESS_COMMANDS: readonly CommandSpec[] = [shellCommand('sh'), shellCommand('bash'), shellCommand('ash'), printenv, uname, id, which];
