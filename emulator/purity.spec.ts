/**
 * The emulator runs unchanged in vitest, the CLI, the web shell and Electron, and it is deterministic. This test
 * enforces both by reading every source file under emulator/ (tests excluded: they are harness, not emulator):
 * no platform imports (Node built-ins, electron, better-sqlite3, svelte, ws), no DOM globals, no wall clock, no
 * unseeded randomness, no timers. Time comes from world.scheduler, randomness from world.rng.
 */
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN_PACKAGES = [/^electron(\/|$)/, /^better-sqlite3$/, /^svelte(\/|$)/, /^ws$/, /^@xterm\//];
const BUILTINS = new Set(builtinModules);

function forbiddenImport(spec: string): string | undefined {
  if (spec.startsWith('node:')) return 'a Node built-in';
  if (BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0]!)) return 'a Node built-in';
  if (FORBIDDEN_PACKAGES.some((re) => re.test(spec))) return 'a platform package';
  return undefined;
}

const FORBIDDEN_USES: { re: RegExp; why: string }[] = [
  { re: /\bDate\.now\s*\(/, why: 'reads the wall clock (use world.scheduler.now())' },
  { re: /\bnew\s+Date\s*\(\s*\)/, why: 'reads the wall clock (use world.scheduler.now())' },
  { re: /(?<![.\w$])performance\.now\s*\(/, why: 'reads the wall clock (use world.scheduler.now())' },
  { re: /\bMath\.random\s*\(/, why: 'unseeded randomness (use world.rng.fork(...))' },
  { re: /(?<![.\w$])(?:globalThis\.)?(setTimeout|setInterval|setImmediate)\s*\(/, why: 'a wall-clock timer (use world.scheduler.after())' },
  { re: /(?<![.\w$?])(window|document)\s*(\.|\[|\?\.)/, why: 'a DOM global' },
  { re: /\btypeof\s+(window|document)\b/, why: 'a DOM global' },
  { re: /(?<![.\w$?])process\s*\.\s*\w/, why: 'the Node process object' },
  { re: /(?<![.\w$?])Buffer\s*\.\s*\w/, why: 'Node’s Buffer' },
  { re: /(?<![.\w$])require\s*\(/, why: 'require()' },
];

/**
 * Blank out comments, and (when `strings`) string and template literal contents, keeping line breaks so line
 * numbers stay right. Regex literals are rare in the emulator and left as they are.
 */
export function blank(src: string, strings: boolean): string {
  let out = '';
  let i = 0;
  const keepNl = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < src.length) {
    const c = src[i]!;
    const n = src[i + 1];
    if (c === '/' && n === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      out += keepNl(src.slice(i, stop));
      i = stop;
    } else if (c === '/' && n === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      out += keepNl(src.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      const body = src.slice(i + 1, j);
      out += c + (strings ? keepNl(body) : body) + (j < src.length ? c : '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export interface Violation {
  readonly line: number;
  readonly what: string;
}

export function scanSource(src: string): Violation[] {
  const found: Violation[] = [];
  const noComments = blank(src, false);
  const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;
  const importRe = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of noComments.matchAll(importRe)) {
    const spec = (m[1] ?? m[2])!;
    const why = forbiddenImport(spec);
    if (why) found.push({ line: lineOf(noComments, m.index), what: `imports ${spec} (${why})` });
  }
  const code = blank(src, true);
  const lines = code.split('\n');
  lines.forEach((text, idx) => {
    for (const { re, why } of FORBIDDEN_USES) {
      const m = re.exec(text);
      if (m) found.push({ line: idx + 1, what: `${m[0].trim()} — ${why}` });
    }
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js|mjs|cjs|mts|cts)$/.test(e.name) && !/\.(spec|test)\.[mc]?[tj]s$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

describe('emulator purity scanner', () => {
  it('finds platform imports, DOM globals, clocks, randomness and timers', () => {
    const src = [
      "import fs from 'node:fs';",
      "import { join } from 'path';",
      "import type { Database } from 'better-sqlite3';",
      "export { x } from 'electron';",
      "const m = await import('svelte');",
      'const t = Date.now();',
      'const r = Math.random();',
      'setTimeout(() => {}, 5);',
      'globalThis.setInterval(f, 1);',
      'document.title = "x";',
      "const w = window['foo'];",
      'const d = new Date();',
      'const env = process.env.HOME;',
    ].join('\n');
    expect(scanSource(src).map((v) => v.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('ignores comments, strings, properties and look-alikes', () => {
    const src = [
      '// never call Date.now() or setTimeout() here',
      '/* import fs from "node:fs" */',
      "const msg = 'window.open is not available; Math.random() either';",
      'const seg = { window: 65535 };',
      'const w = tcp.window; s.window.size = 3;',
      'sched.setTimeout(1); this.process.run();',
      'const at = new Date(world.scheduler.now());',
      "import { Scheduler } from './core/scheduler';",
      'const t = `${a} document.cookie`;',
    ].join('\n');
    expect(scanSource(src)).toEqual([]);
  });
});

describe('emulator/', () => {
  it('imports no platform module and reads no clock, randomness, timer or DOM', () => {
    const root = path.resolve(import.meta.dirname);
    const problems: string[] = [];
    for (const file of sourceFiles(root)) {
      for (const v of scanSource(fs.readFileSync(file, 'utf8'))) problems.push(`${path.relative(process.cwd(), file)}:${v.line}: ${v.what}`);
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
