/**
 * Small utilities that show up around kubectl: xargs (`kubectl get pods -o name | xargs kubectl delete`),
 * pagers (`kubectl describe pod web | less` prints the whole text: the terminal scrolls instead of paging),
 * basename, dirname, base64.
 */
import type { CommandSpec } from '../../shell/types';
import { missingOperand } from './options';

export const xargs: CommandSpec = {
  name: 'xargs',
  summary: 'Build command lines from standard input (xargs kubectl delete, -n N, -I {})',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    let perCall = Infinity;
    let replace: string | undefined;
    let noRunIfEmpty = false;
    while (args.length > 0 && args[0]!.startsWith('-')) {
      const a = args.shift()!;
      if (a === '-n') perCall = Number(args.shift());
      else if (/^-n\d+$/.test(a)) perCall = Number(a.slice(2));
      else if (a === '-I') replace = args.shift();
      else if (a.startsWith('-I')) replace = a.slice(2);
      else if (a === '-r' || a === '--no-run-if-empty') noRunIfEmpty = true;
      else if (a === '--') break;
      else {
        ctx.stderr.write(`xargs: invalid option -- '${a.replace(/^-+/, '')}'\nUsage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...\nTry 'xargs --help' for more information.\n`);
        return 1;
      }
    }
    const command = args.length > 0 ? args : ['echo'];
    if (!ctx.session.runCommand) return 1;
    const io = { stdin: '', stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal };
    const calls: string[][] = [];
    if (replace !== undefined) {
      for (const line of ctx.stdin.split('\n').filter((l) => l.trim() !== '')) {
        calls.push(command.map((a) => a.split(replace!).join(line.trim())));
      }
    } else {
      const items = ctx.stdin.match(/\S+/g) ?? [];
      if (items.length === 0) {
        if (!noRunIfEmpty) calls.push(command);
      } else {
        const n = Number.isFinite(perCall) && perCall > 0 ? perCall : items.length;
        for (let i = 0; i < items.length; i += n) calls.push([...command, ...items.slice(i, i + n)]);
      }
    }
    let status = 0;
    for (const argv of calls) {
      if (ctx.signal.aborted) return 130;
      const code = await ctx.session.runCommand(ctx.host, argv, io);
      if (code === 127) {
        return 127;
      }
      if (code !== 0) status = 123;
    }
    return status;
  },
};

function pager(name: string): CommandSpec {
  return {
    name,
    summary: 'Show text (the terminal scrolls; no paging)',
    run(ctx) {
      const files = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
      if (files.length === 0) {
        ctx.stdout.write(ctx.stdin);
        return 0;
      }
      let status = 0;
      for (const f of files) {
        const text = ctx.host.fs.readFile(ctx.resolvePath(f));
        if (text === undefined) {
          ctx.stderr.write(`${f}: No such file or directory\n`);
          status = 1;
        } else ctx.stdout.write(text);
      }
      return status;
    },
  };
}

export const basenameCmd: CommandSpec = {
  name: 'basename',
  summary: 'Strip directories (and a suffix) from a path',
  run(ctx) {
    const [path, suffix] = ctx.argv.slice(1);
    if (path === undefined) return missingOperand(ctx);
    const trimmed = path.replace(/\/+$/, '') || '/';
    let base = trimmed === '/' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
    if (suffix && base !== suffix && base.endsWith(suffix)) base = base.slice(0, -suffix.length);
    ctx.stdout.write(base + '\n');
    return 0;
  },
};

export const dirnameCmd: CommandSpec = {
  name: 'dirname',
  summary: 'Strip the last component of a path',
  run(ctx) {
    const paths = ctx.argv.slice(1);
    if (paths.length === 0) return missingOperand(ctx);
    for (const p of paths) {
      const trimmed = p.replace(/\/+$/, '');
      const i = trimmed.lastIndexOf('/');
      ctx.stdout.write((i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i).replace(/\/+$/, '') || '/') + '\n');
    }
    return 0;
  },
};

/** UTF-8 text ↔ base64, without platform APIs (no Buffer in the emulator). */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    out += B64[a >> 2]! + B64[((a & 3) << 4) | ((b ?? 0) >> 4)]!;
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)]!;
    out += c === undefined ? '=' : B64[c & 63]!;
  }
  return out;
}

export function base64Decode(text: string): string | undefined {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) return undefined;
  const bytes: number[] = [];
  let buf = 0;
  let bits = 0;
  for (const ch of clean.replace(/=+$/, '')) {
    buf = (buf << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buf >> bits) & 255);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export const base64: CommandSpec = {
  name: 'base64',
  summary: 'Encode or decode base64 (-d)',
  run(ctx) {
    const args = ctx.argv.slice(1);
    const decode = args.includes('-d') || args.includes('--decode');
    const file = args.find((a) => !a.startsWith('-'));
    const input = file === undefined || file === '-' ? ctx.stdin : ctx.host.fs.readFile(ctx.resolvePath(file));
    if (input === undefined) {
      ctx.stderr.write(`base64: ${file}: No such file or directory\n`);
      return 1;
    }
    if (decode) {
      const out = base64Decode(input);
      if (out === undefined) {
        ctx.stderr.write('base64: invalid input\n');
        return 1;
      }
      ctx.stdout.write(out);
      return 0;
    }
    const enc = base64Encode(input);
    ctx.stdout.write((enc.match(/.{1,76}/g) ?? ['']).join('\n') + (enc === '' ? '' : '\n'));
    return 0;
  },
};

export const MISC_COMMANDS: readonly CommandSpec[] = [xargs, pager('less'), pager('more'), basenameCmd, dirnameCmd, base64];
