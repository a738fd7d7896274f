/**
 * A small in-memory filesystem, one per host: enough for `cat > svc.yaml <<EOF`, `ls -l`, `mkdir -p`, `rm -r`,
 * `kubectl apply -f`. Paths are absolute and already resolved by the shell (`resolvePath`); this module only
 * normalises `.`/`..`/duplicate slashes so that callers cannot create two names for one file.
 *
 * Modification times come from an injected clock (the world's virtual clock), never from the wall clock.
 */
import type { FileStat, VirtualFs } from './types';

interface FileNode {
  readonly kind: 'file';
  content: string;
  mtime: number;
  mode: number;
}

interface DirNode {
  readonly kind: 'dir';
  readonly entries: Map<string, Node>;
  mtime: number;
  mode: number;
}

type Node = FileNode | DirNode;

export interface MemoryFsOptions {
  /** Virtual clock for mtimes (ms since epoch). */
  readonly now?: () => number;
  /** Owner shown by `ls -l`. */
  readonly owner?: string;
}

/** Split an absolute path into its components, resolving `.` and `..` (`..` at `/` stays at `/`). */
export function pathComponents(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

export function normalizePath(path: string): string {
  return '/' + pathComponents(path).join('/');
}

export function dirname(path: string): string {
  const parts = pathComponents(path);
  parts.pop();
  return '/' + parts.join('/');
}

export function basename(path: string): string {
  const parts = pathComponents(path);
  return parts[parts.length - 1] ?? '/';
}

/** Error thrown by the mutating operations; `code` follows errno names so commands can word their messages. */
export class FsError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'ENOTEMPTY',
    readonly path: string,
  ) {
    super(`${code}: ${path}`);
  }
}

export class MemoryFs implements VirtualFs {
  readonly #root: DirNode;
  readonly #now: () => number;
  readonly owner: string;

  constructor(opts: MemoryFsOptions = {}) {
    this.#now = opts.now ?? (() => 0);
    this.owner = opts.owner ?? 'root';
    this.#root = { kind: 'dir', entries: new Map(), mtime: this.#now(), mode: 0o755 };
  }

  #lookup(path: string): Node | undefined {
    let node: Node = this.#root;
    for (const part of pathComponents(path)) {
      if (node.kind !== 'dir') return undefined;
      const next: Node | undefined = node.entries.get(part);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  /** The directory that holds `path`, or an FsError saying why there is none. */
  #parentOf(path: string): { dir: DirNode; name: string } {
    const parts = pathComponents(path);
    const name = parts.pop();
    if (name === undefined) throw new FsError('EEXIST', '/');
    const parent = this.#lookup('/' + parts.join('/'));
    if (!parent) throw new FsError('ENOENT', path);
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', path);
    return { dir: parent, name };
  }

  readFile(path: string): string | undefined {
    const node = this.#lookup(path);
    return node?.kind === 'file' ? node.content : undefined;
  }

  /** Creates or replaces (or appends to) a file. Throws FsError when the parent is missing or `path` is a dir. */
  writeFile(path: string, content: string, append = false): void {
    const { dir, name } = this.#parentOf(path);
    const existing = dir.entries.get(name);
    const now = this.#now();
    if (existing?.kind === 'dir') throw new FsError('EISDIR', path);
    if (existing) {
      existing.content = append ? existing.content + content : content;
      existing.mtime = now;
    } else {
      dir.entries.set(name, { kind: 'file', content, mtime: now, mode: 0o644 });
      dir.mtime = now;
    }
  }

  exists(path: string): boolean {
    return this.#lookup(path) !== undefined;
  }

  isDir(path: string): boolean {
    return this.#lookup(path)?.kind === 'dir';
  }

  mkdir(path: string, recursive = false): void {
    const now = this.#now();
    if (recursive) {
      let node: DirNode = this.#root;
      for (const part of pathComponents(path)) {
        const next = node.entries.get(part);
        if (!next) {
          const created: DirNode = { kind: 'dir', entries: new Map(), mtime: now, mode: 0o755 };
          node.entries.set(part, created);
          node.mtime = now;
          node = created;
        } else if (next.kind === 'dir') {
          node = next;
        } else {
          throw new FsError('ENOTDIR', path);
        }
      }
      return;
    }
    const { dir, name } = this.#parentOf(path);
    if (dir.entries.has(name)) throw new FsError('EEXIST', path);
    dir.entries.set(name, { kind: 'dir', entries: new Map(), mtime: now, mode: 0o755 });
    dir.mtime = now;
  }

  list(path: string): string[] | undefined {
    const node = this.#lookup(path);
    if (node?.kind !== 'dir') return undefined;
    return [...node.entries.keys()].sort(compareNames);
  }

  remove(path: string, recursive = false): boolean {
    const parts = pathComponents(path);
    if (parts.length === 0) return false;
    let dir: DirNode;
    let name: string;
    try {
      ({ dir, name } = this.#parentOf(path));
    } catch {
      return false;
    }
    const node = dir.entries.get(name);
    if (!node) return false;
    if (node.kind === 'dir' && node.entries.size > 0 && !recursive) throw new FsError('ENOTEMPTY', path);
    dir.entries.delete(name);
    dir.mtime = this.#now();
    return true;
  }

  stat(path: string): FileStat | undefined {
    const node = this.#lookup(path);
    if (!node) return undefined;
    return {
      isDir: node.kind === 'dir',
      size: node.kind === 'file' ? utf8Length(node.content) : 4096,
      mtime: node.mtime,
      mode: node.mode,
      owner: this.owner,
    };
  }

  /** Update the mtime (`touch`), creating an empty file when absent. */
  touch(path: string): void {
    const node = this.#lookup(path);
    if (node) node.mtime = this.#now();
    else this.writeFile(path, '');
  }
}

/** `ls` sorts names as the C locale does; dotfiles first only because `.` sorts before letters. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
