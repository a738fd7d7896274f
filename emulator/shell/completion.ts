/**
 * Tab completion as bash does it: the first word of a command completes to command names available on this host;
 * later words ask the command's own `CommandSpec.complete` (kubectl verbs, kinds, object names), and fall back to
 * file names; `$NAME` completes variables.
 */
import type { Shell } from './interpreter';
import type { ShellHost } from './types';
import { normalizePath } from './vfs';

export interface Completion {
  /** Index in the text where the completed word starts. */
  readonly start: number;
  /** The word as typed so far. */
  readonly word: string;
  /** Full replacements for the word; a trailing `/` marks a directory (no space is added after it). */
  readonly candidates: readonly string[];
  /** What a listing shows for each candidate (basenames for paths). */
  readonly display: readonly string[];
}

const SEPARATORS = /;|\|\||\||&&|&|\(|`|\$\(/;
const KEYWORDS_BEFORE_COMMAND = new Set(['do', 'then', 'else', 'elif', '!', 'time', 'sudo', 'watch', 'xargs']);

/** Split the text before the cursor into the words of the current command (naive about quotes, as users type). */
function commandWords(before: string): string[] {
  const parts = before.split(SEPARATORS);
  const seg = parts[parts.length - 1] ?? '';
  const words = seg.split(/[ \t]+/);
  if (words[0] === '') words.shift();
  // Skip leading assignments and words that introduce a command.
  while (words.length > 1 && (KEYWORDS_BEFORE_COMMAND.has(words[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!))) words.shift();
  return words;
}

export function complete(shell: Shell, before: string): Completion {
  const m = /[^\s;|&<>()`]*$/.exec(before)!;
  const word = m[0];
  const start = before.length - word.length;
  // `k get po<Tab>` with `alias k=kubectl` completes as kubectl would.
  const typed = commandWords(before);
  const words = typed.length > 1 ? shell.expandAliasWords(typed) : typed;
  const result = (candidates: string[]): Completion => {
    const uniq = [...new Set(candidates)].filter((c) => c.startsWith(word));
    uniq.sort();
    return { start, word, candidates: uniq, display: uniq.map(displayName) };
  };

  if (word.startsWith('$') && !word.includes('/')) {
    const prefix = word.startsWith('${') ? '${' : '$';
    const names = [...shell.env.keys()].map((k) => prefix + k + (prefix === '${' ? '}' : ''));
    return result(names);
  }
  // Command position: the word being typed is the first of its command.
  if (words.length <= 1) {
    if (word.includes('/')) return result(fileCandidates(shell, word));
    return result(shell.commandNames());
  }
  const name = words[0]!;
  const spec = shell.lookup(name);
  if (spec?.complete) {
    const args = words.slice(1);
    const fromSpec = spec.complete(args, { world: shell.world, host: shell.host, cwd: shell.cwd }).filter((c) => c.startsWith(word));
    if (fromSpec.length > 0) return result(fromSpec);
  }
  return result(fileCandidates(shell, word));
}

/** Files and directories matching a partial path (`~/man` → `~/manifests/`). */
export function fileCandidates(shell: Shell, word: string): string[] {
  return pathCandidates(shell.host, shell.cwd, word, false);
}

/**
 * Paths on `host` completing `word` relative to `cwd` (`~` is the host's home); directories end with `/`.
 * Commands use it from their `complete` (e.g. `cd` offers directories only).
 */
export function pathCandidates(host: ShellHost, cwd: string, word: string, dirsOnly: boolean): string[] {
  const slash = word.lastIndexOf('/');
  const dirPart = slash >= 0 ? word.slice(0, slash + 1) : '';
  const base = slash >= 0 ? word.slice(slash + 1) : word;
  let dir: string;
  if (dirPart === '') dir = cwd;
  else if (dirPart === '~/' || dirPart.startsWith('~/')) dir = normalizePath(host.home + dirPart.slice(1));
  else if (dirPart.startsWith('/')) dir = normalizePath(dirPart);
  else dir = normalizePath(cwd + '/' + dirPart);
  const fs = host.fs;
  const out: string[] = [];
  for (const n of fs.list(dir) ?? []) {
    if (!n.startsWith(base)) continue;
    if (n.startsWith('.') && !base.startsWith('.')) continue;
    const isDir = fs.isDir(normalizePath(dir + '/' + n));
    if (dirsOnly && !isDir) continue;
    out.push(dirPart + n + (isDir ? '/' : ''));
  }
  return out;
}

function displayName(candidate: string): string {
  const trimmed = candidate.endsWith('/') ? candidate.slice(0, -1) : candidate;
  const slash = trimmed.lastIndexOf('/');
  return slash >= 0 ? candidate.slice(slash + 1) : candidate;
}
