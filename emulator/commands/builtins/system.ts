/**
 * Session and system commands: sleep (virtual time), env, hostname, whoami, date (virtual clock, UTC), ssh to a
 * node, sudo, and the editor commands that hand a file to the app's editor.
 */
import { sleepVirtual } from '../../shell/virtual-time';
import { fsMessage } from '../../shell/interpreter';
import type { CommandContext, CommandSpec, ShellHost } from '../../shell/types';
import type { World } from '../../world';
import { missingOperand, parseOrUsage } from './options';

const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export const sleep: CommandSpec = {
  name: 'sleep',
  summary: 'Wait N seconds of cluster time (suffixes s m h d)',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    if (args.length === 0) return missingOperand(ctx);
    let total = 0;
    for (const a of args) {
      const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
      if (!m) {
        ctx.stderr.write(`sleep: invalid time interval ‘${a}’\nTry 'sleep --help' for more information.\n`);
        return 1;
      }
      total += Number(m[1]) * UNIT_MS[m[2]!]!;
    }
    const done = await sleepVirtual(ctx, Math.round(total));
    return done ? 0 : 130;
  },
};

export const env: CommandSpec = {
  name: 'env',
  summary: 'Print the environment (or run a command with extra variables)',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    const extra = new Map<string, string>();
    while (args.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[0]!)) {
      const a = args.shift()!;
      const eq = a.indexOf('=');
      extra.set(a.slice(0, eq), a.slice(eq + 1));
    }
    if (args.length > 0 && ctx.session.runCommand) {
      return ctx.session.runCommand(ctx.host, args, { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal, env: extra });
    }
    const exported = ctx.session.exportedNames?.();
    let out = '';
    for (const [k, v] of ctx.env) if (!exported || exported.has(k)) out += `${k}=${v}\n`;
    for (const [k, v] of extra) out += `${k}=${v}\n`;
    ctx.stdout.write(out);
    return 0;
  },
};

export const hostname: CommandSpec = {
  name: 'hostname',
  summary: 'Print the host name',
  run(ctx) {
    const arg = ctx.argv[1];
    if ((arg === '-i' || arg === '-I') && ctx.host.addresses && ctx.host.addresses.length > 0) {
      ctx.stdout.write((arg === '-I' ? ctx.host.addresses.join(' ') + ' ' : ctx.host.addresses[0]) + '\n');
      return 0;
    }
    ctx.stdout.write(ctx.host.hostname + '\n');
    return 0;
  },
};

export const whoami: CommandSpec = {
  name: 'whoami',
  summary: 'Print the user name',
  run(ctx) {
    ctx.stdout.write(ctx.host.user + '\n');
    return 0;
  },
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** strftime over a UTC instant (the emulator's clocks are all UTC). */
export function strftimeUtc(format: string, ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%' || i + 1 >= format.length) {
      out += c;
      continue;
    }
    const k = format[++i]!;
    switch (k) {
      case 'a': out += DAYS[d.getUTCDay()]; break;
      case 'A': out += DAYS_LONG[d.getUTCDay()]; break;
      case 'b': case 'h': out += MONTHS[d.getUTCMonth()]; break;
      case 'B': out += MONTHS_LONG[d.getUTCMonth()]; break;
      case 'd': out += p2(d.getUTCDate()); break;
      case 'e': out += String(d.getUTCDate()).padStart(2); break;
      case 'H': out += p2(d.getUTCHours()); break;
      case 'I': out += p2(((d.getUTCHours() + 11) % 12) + 1); break;
      case 'M': out += p2(d.getUTCMinutes()); break;
      case 'S': out += p2(d.getUTCSeconds()); break;
      case 'N': out += String(d.getUTCMilliseconds() * 1_000_000).padStart(9, '0'); break;
      case 'p': out += d.getUTCHours() < 12 ? 'AM' : 'PM'; break;
      case 'm': out += p2(d.getUTCMonth() + 1); break;
      case 'y': out += p2(d.getUTCFullYear() % 100); break;
      case 'Y': out += d.getUTCFullYear(); break;
      case 'j': out += String(Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1).padStart(3, '0'); break;
      case 'u': out += d.getUTCDay() === 0 ? 7 : d.getUTCDay(); break;
      case 'w': out += d.getUTCDay(); break;
      case 's': out += Math.floor(ms / 1000); break;
      case 'Z': out += 'UTC'; break;
      case 'z': out += '+0000'; break;
      case 'F': out += strftimeUtc('%Y-%m-%d', ms); break;
      case 'T': out += strftimeUtc('%H:%M:%S', ms); break;
      case 'D': out += strftimeUtc('%m/%d/%y', ms); break;
      case 'R': out += strftimeUtc('%H:%M', ms); break;
      case 'c': out += strftimeUtc('%a %b %e %H:%M:%S %Y', ms); break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '%': out += '%'; break;
      default: out += '%' + k;
    }
  }
  return out;
}

export const date: CommandSpec = {
  name: 'date',
  summary: 'Print the (virtual) date and time, UTC',
  run(ctx) {
    const now = ctx.world.scheduler.now();
    let format = '%a %b %e %H:%M:%S %Z %Y';
    for (const a of ctx.argv.slice(1)) {
      if (a.startsWith('+')) format = a.slice(1);
      else if (a === '-u' || a === '--utc') continue;
      else if (a === '-R' || a === '--rfc-email') format = '%a, %d %b %Y %H:%M:%S +0000';
      else if (a === '-I' || a === '--iso-8601' || a === '-Idate') format = '%Y-%m-%d';
      else if (a === '-Iseconds' || a === '--iso-8601=seconds') format = '%Y-%m-%dT%H:%M:%S+00:00';
      else {
        ctx.stderr.write(`date: invalid date ‘${a}’\n`);
        return 1;
      }
    }
    ctx.stdout.write(strftimeUtc(format, now) + '\n');
    return 0;
  },
};

const SSH_USAGE = `usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface]
           [-b bind_address] [-c cipher_spec] [-D [bind_address:]port]
           [-E log_file] [-e escape_char] [-F configfile] [-I pkcs11]
           [-i identity_file] [-J [user@]host[:port]] [-L address]
           [-l login_name] [-m mac_spec] [-O ctl_cmd] [-o option] [-p port]
           [-Q query_option] [-R address] [-S ctl_path] [-W host:port]
           [-w local_tun[:remote_tun]] destination [command [argument ...]]
`;

/** The host `ssh NAME` reaches: `node/NAME`, `vm/NAME`, or any node/VM whose hostname or address is NAME. */
export function findSshHost(world: World, name: string): ShellHost | undefined {
  const direct = world.hosts.get(`node/${name}`) ?? world.hosts.get(`vm/${name}`);
  if (direct) return direct;
  for (const h of world.hosts.values()) {
    if (h.kind !== 'node' && h.kind !== 'vm') continue;
    if (h.hostname === name || h.addresses?.includes(name)) return h;
  }
  return undefined;
}

export const ssh: CommandSpec = {
  name: 'ssh',
  summary: 'Log in to a node (ssh worker-1), or run one command there',
  complete(args, c) {
    // The destination: the first word that is not an option (or an option's value).
    const before = args.slice(0, -1);
    if (before.some((a, i) => !a.startsWith('-') && !/^-[BbcDEeFIiJLlmOopQRSWw]$/.test(before[i - 1] ?? ''))) return [];
    const word = args[args.length - 1] ?? '';
    const at = word.lastIndexOf('@');
    const user = at >= 0 ? word.slice(0, at + 1) : '';
    const names = [...c.world.hosts.values()].filter((h) => h.kind === 'node' || h.kind === 'vm').map((h) => user + h.hostname);
    return names.sort();
  },
  async run(ctx) {
    const opts = parseOrUsage(ctx, { flags: '46AaCfGgKkMNnqsTtVvXxYy', withValue: 'BbcDEeFIiJLlmOopQRSWw', stopAtOperand: true }, 255);
    if (typeof opts === 'number') return opts;
    const [destination, ...command] = opts.operands;
    if (destination === undefined) {
      ctx.stderr.write(SSH_USAGE);
      return 255;
    }
    const at = destination.lastIndexOf('@');
    const name = at >= 0 ? destination.slice(at + 1) : destination;
    const host = findSshHost(ctx.world, name);
    if (!host) {
      ctx.stderr.write(`ssh: Could not resolve hostname ${name}: Name or service not known\n`);
      return 255;
    }
    if (command.length > 0) {
      if (!ctx.session.runShell) return 255;
      return ctx.session.runShell(host, command.join(' '), {
        stdin: ctx.stdin,
        stdout: ctx.stdout,
        stderr: ctx.stderr,
        signal: ctx.signal,
      });
    }
    ctx.session.enterHost(host, { onExit: () => `logout\nConnection to ${name} closed.\n` });
    return 0;
  },
};

export const sudo: CommandSpec = {
  name: 'sudo',
  summary: 'Run a command as root',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    while (args[0] === '-E' || args[0] === '-H' || args[0] === '--') args.shift();
    if (args[0] === '-i' || args[0] === '-s' || (args[0] === 'su' && args.length <= 2)) {
      if (ctx.host.user === 'root') return 0;
      ctx.session.enterHost({ ...ctx.host, user: 'root', home: '/root' });
      return 0;
    }
    if (args.length === 0) {
      ctx.stderr.write('usage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [-C num] [-D directory] [-g group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u user] [VAR=value] [-i | -s] [<command>]\n');
      return 1;
    }
    if (!ctx.session.runCommand) return 1;
    const status = await ctx.session.runCommand(ctx.host, args, { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal });
    if (status === 127) return 1;
    return status;
  },
};

/**
 * `watch [-n SECS] [-t] [-g] COMMAND`: reruns COMMAND every interval (virtual seconds), redrawing the screen
 * under procps' header, until Ctrl-C — or, with -g, until its output changes. Without a terminal it prints one
 * round (or, with -g, waits in virtual time for the change, at most 10 minutes).
 */
export const watch: CommandSpec = {
  name: 'watch',
  summary: 'Rerun a command every 2 s (watch -n 1 kubectl get pods); Ctrl-C stops',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let interval = 2;
    let title = true;
    let untilChange = false;
    while (args.length > 0 && args[0]!.startsWith('-')) {
      const a = args.shift()!;
      if (a === '-n' || a === '--interval') interval = Number(args.shift());
      else if (/^-n\d/.test(a)) interval = Number(a.slice(2));
      else if (a === '-t' || a === '--no-title') title = false;
      else if (a === '-g' || a === '--chgexit') untilChange = true;
      else if (a === '-d' || a === '--differences' || a === '-c' || a === '--color') continue;
      else if (a === '--') break;
      else {
        ctx.stderr.write(`watch: invalid option -- '${a.replace(/^-+/, '')}'\n`);
        return 1;
      }
    }
    if (!Number.isFinite(interval) || interval <= 0) interval = 2;
    interval = Math.max(0.1, interval);
    if (args.length === 0) {
      ctx.stderr.write('Usage:\n watch [options] command\n');
      return 1;
    }
    const command = args.join(' ');
    const round = async (): Promise<string> => {
      let out = '';
      const sink = { write: (t: string) => void (out += t) };
      await ctx.session.runShell?.(ctx.host, command, { stdin: '', stdout: sink, stderr: sink, signal: ctx.signal });
      return out;
    };
    const header = (): string => {
      if (!title) return '';
      const left = `Every ${interval.toFixed(1)}s: ${command}`;
      const right = `${ctx.host.hostname}: ${strftimeUtc('%a %b %e %H:%M:%S %Y', ctx.world.scheduler.now())}`;
      const width = ctx.columns ?? 80;
      const gap = width - left.length - right.length;
      return (gap >= 1 ? left + ' '.repeat(gap) + right : left) + '\n\n';
    };
    let previous: string | undefined;
    const deadline = ctx.world.scheduler.now() + 10 * 60_000;
    for (;;) {
      const out = await round();
      if (ctx.signal.aborted) return 0;
      if (ctx.interactive) ctx.stdout.write('\x1b[H\x1b[2J' + header() + out);
      if (untilChange && previous !== undefined && out !== previous) {
        if (!ctx.interactive) ctx.stdout.write(header() + out);
        return 0;
      }
      if (!ctx.interactive && !untilChange) {
        ctx.stdout.write(header() + out);
        return 0;
      }
      if (!ctx.interactive && ctx.world.scheduler.now() >= deadline) {
        ctx.stdout.write(header() + out);
        return 0;
      }
      previous = out;
      if (!(await sleepVirtual(ctx, Math.round(interval * 1000)))) return 0;
    }
  },
};

function editor(name: string): CommandSpec {
  return {
    name,
    summary: name === 'edit' ? 'Edit a file in the app\'s editor' : `Edit a file (opens the app's editor)`,
    run(ctx: CommandContext) {
      const file = ctx.argv.slice(1).find((a) => !a.startsWith('-') && !a.startsWith('+'));
      if (file === undefined) {
        ctx.stderr.write(`${name}: give a file name, e.g. ${name} svc.yaml\n`);
        return 1;
      }
      const path = ctx.resolvePath(file);
      const fs = ctx.host.fs;
      if (fs.isDir(path)) {
        ctx.stderr.write(`${name}: ${file}: Is a directory\n`);
        return 1;
      }
      const opened = ctx.session.openEditor?.({
        title: path,
        content: fs.readFile(path) ?? '',
        onSave: (text) => {
          try {
            fs.writeFile(path, text);
            const lineCount = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
            return { ok: true, message: `"${file}" ${lineCount}L, ${new TextEncoder().encode(text).length}B written` };
          } catch (e) {
            return { ok: false, message: `"${file}" E212: Can't open file for writing: ${fsMessage(e)}` };
          }
        },
      });
      if (!opened) {
        ctx.stderr.write(
          `${name}: no editor in this terminal (svclab run/shell). Write files with a heredoc instead:\n  cat > ${file} <<'EOF'\n  …\n  EOF\n`,
        );
        return 1;
      }
      return 0;
    },
  };
}

export const SYSTEM_COMMANDS: readonly CommandSpec[] = [
  sleep, env, hostname, whoami, date, ssh, sudo, watch, editor('vi'), editor('vim'), editor('nano'), editor('edit'),
];
