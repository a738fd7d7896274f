/**
 * The Electron main process and each bench are one-file bundles. A dynamic import() of a bundled module makes
 * esbuild wrap every module that import reaches in a lazy initializer (`__esm`), and then each module-level
 * constant of the emulator is a mutable variable of the bundle that optimized code loads and checks at every use
 * (measured: 4.3 % more instructions per request on the packet path). Entry points hand the app its lazily loaded
 * parts instead (AppOptions.labRuntime), and benches import statically; this keeps it so.
 */
import fs from 'node:fs';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function lazilyInitialized(entry: string, format: 'cjs' | 'esm'): Promise<string[]> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    write: false,
    logLevel: 'silent',
    external: ['electron', 'better-sqlite3', 'ws'],
    define: { __APP_VERSION__: '"0"' },
    plugins: [{
      name: 'lab-catalog-stub',
      setup(b) {
        b.onResolve({ filter: /^virtual:lab-catalog$/ }, () => ({ path: 'lab-catalog', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const LAB_CATALOG = [];', loader: 'js' }));
      },
    }],
  });
  const code = out.outputFiles[0]!.text;
  // Emulator modules are in the bundle (esbuild heads each module with its path; without them the check is empty).
  expect(code).toMatch(/^\/\/ emulator\//m);
  return [...code.matchAll(/^var (init_\w+) = __esm\(/gm)].map((m) => m[1]!);
}

describe('one-file bundles', () => {
  it('electron-main has no lazily initialized module (no dynamic import of bundled code)', async () => {
    expect(await lazilyInitialized('main/electron-main.ts', 'cjs')).toEqual([]);
  }, 60_000);

  it('no bench has a lazily initialized module (a bench must measure the code the app runs)', async () => {
    const entries = fs.readdirSync('bench').filter((f) => f.endsWith('-entry.ts')).map((f) => `bench/${f}`);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) expect({ entry, wrapped: await lazilyInitialized(entry, 'esm') }).toEqual({ entry, wrapped: [] });
  }, 120_000);
});
