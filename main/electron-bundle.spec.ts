/**
 * The Electron main process is one CommonJS bundle. A dynamic import() of a bundled module makes esbuild wrap
 * every module that import reaches in a lazy initializer (`__esm`), and then each module-level constant of the
 * emulator is a mutable variable of the bundle that optimized code loads and checks at every use (measured: 4 %
 * more instructions per request on the packet path). Entry points hand the app its lazily loaded parts instead
 * (AppOptions.labRuntime); this keeps it so.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('electron-main bundle', () => {
  it('has no lazily initialized modules (no dynamic import of bundled code)', async () => {
    const out = await build({
      entryPoints: ['main/electron-main.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
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
    // The emulator is in the bundle (the check would pass trivially without it).
    expect(code).toContain('new ConntrackTable(');
    const wrapped = [...code.matchAll(/^var (init_\w+) = __esm\(/gm)].map((m) => m[1]);
    expect(wrapped).toEqual([]);
  }, 60_000);
});
