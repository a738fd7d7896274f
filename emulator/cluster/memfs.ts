/** A minimal in-memory VirtualFs for node and pod hosts (each host has its own). */
import type { VirtualFs } from '../shell/types';

function norm(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function parent(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export class MemFs implements VirtualFs {
  readonly #files = new Map<string, string>();
  readonly #dirs = new Set<string>(['/']);

  constructor(initial: Record<string, string> = {}) {
    for (const [p, c] of Object.entries(initial)) this.writeFile(p, c);
  }

  readFile(path: string): string | undefined {
    return this.#files.get(norm(path));
  }

  writeFile(path: string, content: string, append = false): void {
    const p = norm(path);
    this.mkdir(parent(p), true);
    this.#files.set(p, append ? (this.#files.get(p) ?? '') + content : content);
  }

  exists(path: string): boolean {
    const p = norm(path);
    return this.#files.has(p) || this.#dirs.has(p);
  }

  isDir(path: string): boolean {
    return this.#dirs.has(norm(path));
  }

  mkdir(path: string, recursive = false): void {
    const p = norm(path);
    if (this.#dirs.has(p)) return;
    const up = parent(p);
    if (!this.#dirs.has(up)) {
      if (!recursive) throw new Error(`mkdir: cannot create directory '${path}': No such file or directory`);
      this.mkdir(up, true);
    }
    this.#dirs.add(p);
  }

  list(path: string): string[] | undefined {
    const p = norm(path);
    if (!this.#dirs.has(p)) return undefined;
    const prefix = p === '/' ? '/' : `${p}/`;
    const out = new Set<string>();
    for (const k of [...this.#files.keys(), ...this.#dirs]) {
      if (k === p || !k.startsWith(prefix)) continue;
      out.add(k.slice(prefix.length).split('/')[0]!);
    }
    return [...out].sort();
  }

  remove(path: string, recursive = false): boolean {
    const p = norm(path);
    if (this.#files.delete(p)) return true;
    if (!this.#dirs.has(p) || p === '/') return false;
    const children = this.list(p) ?? [];
    if (children.length && !recursive) return false;
    const prefix = `${p}/`;
    for (const k of [...this.#files.keys()]) if (k.startsWith(prefix)) this.#files.delete(k);
    for (const k of [...this.#dirs]) if (k.startsWith(prefix)) this.#dirs.delete(k);
    this.#dirs.delete(p);
    return true;
  }
}
