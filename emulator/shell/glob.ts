/**
 * Pathname expansion (`ls *.yaml`, `kubectl apply -f manifests/*.yaml`) over a host's virtual filesystem.
 * Patterns arrive with quoted characters backslash-escaped, so `"*".yaml` matches only a file named `*.yaml`.
 */
import type { VirtualFs } from './types';

export function hasGlobChars(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** Glob pattern segment → anchored RegExp. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '\\' && i + 1 < segment.length) {
      re += escapeRe(segment[++i]!);
    } else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let cls = segment.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += escapeRe(c);
  }
  return new RegExp('^' + re + '$', 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1');
}

/**
 * Expand `pattern` relative to `cwd`; returns sorted matches (relative patterns give relative paths), or an empty
 * list when nothing matches (the caller then keeps the word as typed, as bash does without `nullglob`).
 */
export function expandGlob(pattern: string, cwd: string, fs: VirtualFs): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, idx) => s !== '' || idx === 0);
  if (absolute) segments.shift();
  let paths: { fsPath: string; shown: string }[] = [{ fsPath: absolute ? '/' : cwd, shown: absolute ? '/' : '' }];
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    const next: { fsPath: string; shown: string }[] = [];
    for (const p of paths) {
      const join = (name: string) => ({
        fsPath: p.fsPath === '/' ? '/' + name : p.fsPath + '/' + name,
        shown: p.shown === '' ? name : p.shown.endsWith('/') ? p.shown + name : p.shown + '/' + name,
      });
      if (!hasGlobChars(seg)) {
        const name = unescapeGlob(seg);
        const cand = join(name);
        if (last ? fs.exists(cand.fsPath) : fs.isDir(cand.fsPath)) next.push(cand);
        continue;
      }
      const re = segmentRegExp(seg);
      const showHidden = seg.startsWith('.');
      for (const name of fs.list(p.fsPath) ?? []) {
        if (name.startsWith('.') && !showHidden) continue;
        if (!re.test(name)) continue;
        const cand = join(name);
        if (last || fs.isDir(cand.fsPath)) next.push(cand);
      }
    }
    paths = next;
    if (paths.length === 0) return [];
  }
  return paths.map((p) => p.shown).sort();
}
