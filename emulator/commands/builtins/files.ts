/**
 * Filesystem commands over the host's virtual filesystem, with coreutils' messages and exit statuses:
 * cat, ls, mkdir, rm, touch, cp, mv.
 */
import { fsMessage } from '../../shell/interpreter';
import { basename, FsError, normalizePath } from '../../shell/vfs';
import type { CommandContext, CommandSpec, FileStat, VirtualFs } from '../../shell/types';
import { missingOperand, parseOrUsage, readInputs } from './options';

export const cat: CommandSpec = {
  name: 'cat',
  summary: 'Print files (or standard input)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'nAE', long: { number: 'n' } });
    if (typeof opts === 'number') return opts;
    const { inputs, ok } = readInputs(ctx, opts.operands);
    let text = inputs.map((i) => i.text).join('');
    if (opts.flags.has('n')) {
      const parts = text.split('\n');
      const last = parts.pop();
      text = parts.map((l, i) => `${String(i + 1).padStart(6)}\t${l}\n`).join('') + (last ? `${String(parts.length + 1).padStart(6)}\t${last}` : '');
    }
    ctx.stdout.write(text);
    return ok ? 0 : 1;
  },
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function modeString(st: FileStat): string {
  const bits = st.mode;
  let s = st.isDir ? 'd' : '-';
  for (const shift of [6, 3, 0]) {
    const b = (bits >> shift) & 7;
    s += (b & 4 ? 'r' : '-') + (b & 2 ? 'w' : '-') + (b & 1 ? 'x' : '-');
  }
  return s;
}

/** `ls -l`'s time column: `Jan  1 00:00` within six months of now, `Jan  1  2025` otherwise (UTC). */
function lsTime(mtime: number, now: number): string {
  const d = new Date(mtime);
  const mon = MONTHS[d.getUTCMonth()]!;
  const day = String(d.getUTCDate()).padStart(2);
  if (Math.abs(now - mtime) < SIX_MONTHS_MS) {
    return `${mon} ${day} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  }
  return `${mon} ${day}  ${d.getUTCFullYear()}`;
}

function humanSize(n: number): string {
  if (n < 1024) return String(n);
  const units = ['K', 'M', 'G', 'T'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return (v < 10 ? (Math.ceil(v * 10) / 10).toFixed(1) : String(Math.ceil(v))) + units[u];
}

function statOf(fs: VirtualFs, path: string): FileStat {
  return (
    fs.stat?.(path) ?? {
      isDir: fs.isDir(path),
      size: fs.readFile(path)?.length ?? 4096,
      mtime: 0,
      mode: fs.isDir(path) ? 0o755 : 0o644,
      owner: 'root',
    }
  );
}

/**
 * GNU ls's column layout for a terminal: names fill columns top to bottom, using the fewest rows whose total
 * width fits; each column is as wide as its longest name plus two spaces.
 */
export function columnize(names: readonly string[], width: number): string {
  if (names.length === 0) return '';
  for (let cols = Math.min(names.length, Math.max(1, Math.floor(width / 3))); cols >= 1; cols--) {
    const rows = Math.ceil(names.length / cols);
    const usedCols = Math.ceil(names.length / rows);
    const widths: number[] = [];
    for (let c = 0; c < usedCols; c++) {
      const col = names.slice(c * rows, (c + 1) * rows);
      widths.push(Math.max(...col.map((n) => n.length)) + (c < usedCols - 1 ? 2 : 0));
    }
    const total = widths.reduce((a, b) => a + b, 0);
    if (total <= width || cols === 1) {
      let out = '';
      for (let r = 0; r < rows; r++) {
        let line = '';
        for (let c = 0; c < usedCols; c++) {
          const name = names[c * rows + r];
          if (name === undefined) continue;
          const isLast = c === usedCols - 1 || names[(c + 1) * rows + r] === undefined;
          line += isLast ? name : name.padEnd(widths[c]!);
        }
        out += line + '\n';
      }
      return out;
    }
  }
  return names.join('\n') + '\n';
}

export const ls: CommandSpec = {
  name: 'ls',
  summary: 'List directory contents (-l -a -A -1 -d -h)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'laA1dhtrR', long: { all: 'a', 'almost-all': 'A', 'human-readable': 'h' } }, 2);
    if (typeof opts === 'number') return opts;
    const fs = ctx.host.fs;
    const f = opts.flags;
    const now = ctx.world.scheduler.now();
    const operands = opts.operands.length > 0 ? opts.operands : ['.'];
    let status = 0;
    const files: string[] = [];
    const dirs: string[] = [];
    for (const op of operands) {
      const path = ctx.resolvePath(op);
      if (!fs.exists(path)) {
        ctx.stderr.write(`ls: cannot access '${op}': No such file or directory\n`);
        status = 2;
      } else if (fs.isDir(path) && !f.has('d')) dirs.push(op);
      else files.push(op);
    }
    const render = (entries: { name: string; path: string }[], withTotal: boolean): string => {
      if (!f.has('l')) {
        const names = entries.map((e) => e.name);
        return ctx.stdoutIsTerminal && !f.has('1') ? columnize(names, ctx.columns ?? 80) : names.map((n) => n + '\n').join('');
      }
      const stats = entries.map((e) => ({ e, st: statOf(fs, e.path) }));
      const links = stats.map(({ e, st }) =>
        st.isDir ? String(2 + (fs.list(e.path) ?? []).filter((n) => fs.isDir(e.path + '/' + n)).length) : '1',
      );
      const sizes = stats.map(({ st }) => (f.has('h') ? humanSize(st.size) : String(st.size)));
      const lw = Math.max(...links.map((s) => s.length));
      const sw = Math.max(...sizes.map((s) => s.length));
      const ow = Math.max(...stats.map(({ st }) => st.owner.length));
      let out = '';
      if (withTotal) {
        const blocks = stats.reduce((sum, { st }) => sum + (st.isDir ? 4 : Math.ceil(st.size / 4096) * 4), 0);
        out += `total ${blocks}\n`;
      }
      stats.forEach(({ e, st }, i) => {
        out += `${modeString(st)} ${links[i]!.padStart(lw)} ${st.owner.padEnd(ow)} ${st.owner.padEnd(ow)} ${sizes[i]!.padStart(sw)} ${lsTime(st.mtime, now)} ${e.name}\n`;
      });
      return out;
    };
    const sortEntries = (entries: { name: string; path: string }[]) => {
      if (f.has('t')) entries.sort((a, b) => statOf(fs, b.path).mtime - statOf(fs, a.path).mtime || (a.name < b.name ? -1 : 1));
      if (f.has('r')) entries.reverse();
      return entries;
    };
    let out = '';
    if (files.length > 0) {
      out += render(sortEntries(files.map((name) => ({ name, path: ctx.resolvePath(name) }))), false);
    }
    const showHeaders = operands.length > 1 || f.has('R');
    const listDir = (op: string, first: boolean) => {
      const path = ctx.resolvePath(op);
      let names = fs.list(path) ?? [];
      if (f.has('a')) names = ['.', '..', ...names];
      else if (!f.has('A')) names = names.filter((n) => !n.startsWith('.'));
      const entries = sortEntries(
        names.map((name) => ({ name, path: name === '.' ? path : name === '..' ? normalizePath(path + '/..') : path + '/' + name })),
      );
      if (!first || files.length > 0) out += '\n';
      if (showHeaders) out += `${op}:\n`;
      out += render(entries, true);
      if (f.has('R')) {
        for (const e of entries) {
          if (e.name === '.' || e.name === '..') continue;
          if (fs.isDir(e.path)) listDir(op.endsWith('/') ? op + e.name : op + '/' + e.name, false);
        }
      }
    };
    dirs.sort().forEach((d, i) => listDir(d, i === 0));
    ctx.stdout.write(out);
    return status;
  },
};

export const mkdir: CommandSpec = {
  name: 'mkdir',
  summary: 'Make directories (-p: with parents, no error if existing)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'pv', long: { parents: 'p' } });
    if (typeof opts === 'number') return opts;
    if (opts.operands.length === 0) return missingOperand(ctx);
    let status = 0;
    for (const op of opts.operands) {
      const path = ctx.resolvePath(op);
      try {
        if (opts.flags.has('p')) {
          ctx.host.fs.mkdir(path, true);
        } else if (ctx.host.fs.exists(path)) {
          throw new FsError('EEXIST', path);
        } else ctx.host.fs.mkdir(path, false);
      } catch (e) {
        ctx.stderr.write(`mkdir: cannot create directory ‘${op}’: ${fsMessage(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
};

export const rm: CommandSpec = {
  name: 'rm',
  summary: 'Remove files (-r directories, -f ignore missing)',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'rRfvid', long: { recursive: 'r', force: 'f' } });
    if (typeof opts === 'number') return opts;
    const force = opts.flags.has('f');
    const recursive = opts.flags.has('r') || opts.flags.has('R');
    if (opts.operands.length === 0) return force ? 0 : missingOperand(ctx);
    let status = 0;
    const fs = ctx.host.fs;
    for (const op of opts.operands) {
      const path = ctx.resolvePath(op);
      if (!fs.exists(path)) {
        if (!force) {
          ctx.stderr.write(`rm: cannot remove '${op}': No such file or directory\n`);
          status = 1;
        }
        continue;
      }
      if (path === '/') {
        ctx.stderr.write(`rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n`);
        status = 1;
        continue;
      }
      if (fs.isDir(path) && !recursive) {
        ctx.stderr.write(`rm: cannot remove '${op}': Is a directory\n`);
        status = 1;
        continue;
      }
      fs.remove(path, true);
    }
    return status;
  },
};

export const touch: CommandSpec = {
  name: 'touch',
  summary: 'Create empty files or update their times',
  run(ctx) {
    const opts = parseOrUsage(ctx, { flags: 'acm' });
    if (typeof opts === 'number') return opts;
    if (opts.operands.length === 0) return missingOperand(ctx, 'file operand');
    let status = 0;
    for (const op of opts.operands) {
      const path = ctx.resolvePath(op);
      const fs = ctx.host.fs as VirtualFs & { touch?(p: string): void };
      try {
        if (fs.touch) fs.touch(path);
        else if (!fs.exists(path)) fs.writeFile(path, '');
      } catch (e) {
        ctx.stderr.write(`touch: cannot touch '${op}': ${fsMessage(e)}\n`);
        status = 1;
      }
    }
    return status;
  },
};

/** Copy `src` to `dst` (both absolute), recursively for directories. */
function copyTree(fs: VirtualFs, src: string, dst: string): void {
  if (fs.isDir(src)) {
    if (!fs.isDir(dst)) fs.mkdir(dst, false);
    for (const name of fs.list(src) ?? []) copyTree(fs, src + '/' + name, dst + '/' + name);
  } else {
    fs.writeFile(dst, fs.readFile(src) ?? '');
  }
}

function transfer(ctx: CommandContext, move: boolean): number {
  const name = move ? 'mv' : 'cp';
  const opts = parseOrUsage(ctx, { flags: move ? 'fivn' : 'rRafivp', long: { recursive: 'r', force: 'f' } });
  if (typeof opts === 'number') return opts;
  const ops = opts.operands;
  if (ops.length === 0) return missingOperand(ctx, 'file operand');
  if (ops.length === 1) {
    ctx.stderr.write(`${name}: missing destination file operand after '${ops[0]}'\nTry '${name} --help' for more information.\n`);
    return 1;
  }
  const fs = ctx.host.fs;
  const recursive = move || opts.flags.has('r') || opts.flags.has('R') || opts.flags.has('a');
  const dstOp = ops[ops.length - 1]!;
  const dst = ctx.resolvePath(dstOp);
  const sources = ops.slice(0, -1);
  const intoDir = fs.isDir(dst);
  if (sources.length > 1 && !intoDir) {
    ctx.stderr.write(`${name}: target '${dstOp}': ${fs.exists(dst) ? 'Not a directory' : 'No such file or directory'}\n`);
    return 1;
  }
  let status = 0;
  for (const op of sources) {
    const src = ctx.resolvePath(op);
    if (!fs.exists(src)) {
      ctx.stderr.write(`${name}: cannot stat '${op}': No such file or directory\n`);
      status = 1;
      continue;
    }
    if (fs.isDir(src) && !recursive) {
      ctx.stderr.write(`cp: -r not specified; omitting directory '${op}'\n`);
      status = 1;
      continue;
    }
    const target = intoDir ? normalizePath(dst + '/' + basename(src)) : dst;
    if (target === src) {
      ctx.stderr.write(`${name}: '${op}' and '${intoDir ? `${dstOp.replace(/\/$/, '')}/${basename(src)}` : dstOp}' are the same file\n`);
      status = 1;
      continue;
    }
    if (fs.isDir(src) && (target + '/').startsWith(src + '/')) {
      ctx.stderr.write(`${name}: cannot ${move ? 'move' : 'copy'} a directory, '${op}', into itself, '${dstOp}'\n`);
      status = 1;
      continue;
    }
    try {
      if (fs.isDir(target) && !fs.isDir(src)) throw new FsError('EISDIR', target);
      copyTree(fs, src, target);
      if (move) fs.remove(src, true);
    } catch (e) {
      ctx.stderr.write(`${name}: cannot create regular file '${dstOp}': ${fsMessage(e)}\n`);
      status = 1;
    }
  }
  return status;
}

export const cp: CommandSpec = { name: 'cp', summary: 'Copy files (-r directories)', run: (ctx) => transfer(ctx, false) };
export const mv: CommandSpec = { name: 'mv', summary: 'Move or rename files', run: (ctx) => transfer(ctx, true) };

export const FILE_COMMANDS: readonly CommandSpec[] = [cat, ls, mkdir, rm, touch, cp, mv];
