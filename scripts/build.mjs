#!/usr/bin/env node
/**
 * Builds everything the app runs, fast:
 *   dist/main/electron-main.cjs   Electron main process (cjs)
 *   dist/main/preload.cjs         the preload (cjs, sandboxed: bundles everything but `electron`)
 *   dist/main/web-main.js         the web shell (esm)
 *   dist/cli.js                   the svclab CLI, when cli/svclab.ts exists
 *   dist/renderer/                the Svelte renderer (vite), skipped with --node-only or when up to date
 * Native and Electron modules stay external: better-sqlite3, ws, electron.
 * Every labs/<nn-slug>/lab.ts and its Markdown is gathered into the `virtual:lab-catalog` module at build time.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const nodeOnly = args.has('--node-only');
const forceRenderer = args.has('--force');
const quiet = args.has('--quiet');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const started = performance.now();
const log = (msg) => quiet || console.error(msg);

const LAB_DIR = /^\d{2}-[a-z0-9-]+$/;

/** `import { LAB_CATALOG } from 'virtual:lab-catalog'`: every lab manifest with its Markdown files inlined. */
const labCatalogPlugin = {
  name: 'lab-catalog',
  setup(b) {
    b.onResolve({ filter: /^virtual:lab-catalog$/ }, () => ({ path: 'lab-catalog', namespace: 'lab-catalog' }));
    b.onLoad({ filter: /.*/, namespace: 'lab-catalog' }, () => {
      const labsDir = path.join(root, 'labs');
      const dirs = fs.existsSync(labsDir)
        ? fs.readdirSync(labsDir).filter((d) => LAB_DIR.test(d) && fs.existsSync(path.join(labsDir, d, 'lab.ts'))).sort()
        : [];
      const imports = dirs.map((d, i) => `import { lab as lab${i} } from ${JSON.stringify(path.join(labsDir, d, 'lab.ts'))};`);
      const files = {};
      const watchFiles = [];
      for (const d of dirs) {
        files[d] = {};
        const walk = (rel) => {
          for (const e of fs.readdirSync(path.join(labsDir, d, rel), { withFileTypes: true })) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) walk(r);
            else if (e.name.endsWith('.md')) {
              files[d][r] = fs.readFileSync(path.join(labsDir, d, r), 'utf8');
              watchFiles.push(path.join(labsDir, d, r));
            }
          }
        };
        walk('');
      }
      const contents = `${imports.join('\n')}
const FILES = ${JSON.stringify(files)};
const MANIFESTS = [${dirs.map((_, i) => `lab${i}`).join(', ')}];
export const LAB_CATALOG = MANIFESTS.map((manifest) => ({
  manifest,
  markdown: Object.fromEntries(manifest.steps.map((s) => [s.id, (FILES[manifest.id] || {})[s.instructions || 'steps/' + s.id + '.md'] || ''])),
}));
`;
      return { contents, loader: 'js', resolveDir: root, watchFiles };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3', 'ws'],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  plugins: [labCatalogPlugin],
  absWorkingDir: root,
};

const jobs = [
  build({ ...common, entryPoints: ['main/electron-main.ts'], outfile: 'dist/main/electron-main.cjs', format: 'cjs' }),
  // A sandboxed preload may require only `electron` (and a few polyfilled modules): bundle the rest in.
  build({ ...common, entryPoints: ['main/preload.ts'], outfile: 'dist/main/preload.cjs', format: 'cjs', plugins: [], external: ['electron'] }),
  build({
    ...common,
    entryPoints: { 'web-main': 'main/web-shell/web-main.ts' },
    outdir: 'dist/main',
    // The emulator is a chunk of its own, imported once the server listens (see web-main.ts).
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    format: 'esm',
    // Bundled CommonJS dependencies may call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __ksl_createRequire } from 'node:module'; const require = __ksl_createRequire(import.meta.url);" },
  }),
];

if (fs.existsSync(path.join(root, 'cli/svclab.ts'))) {
  jobs.push(
    build({
      ...common,
      entryPoints: ['cli/svclab.ts'],
      outfile: 'dist/cli.js',
      format: 'esm',
      banner: { js: "import { createRequire as __ksl_createRequire } from 'node:module'; const require = __ksl_createRequire(import.meta.url);" },
    }),
  );
}

const results = await Promise.all(jobs);

// Chunk names carry content hashes, so each build of a changed emulator adds new ones. Remove old chunks, but
// only once they are a while old: a web shell started from the previous build may still import its chunk.
const chunksDir = path.join(root, 'dist/main/chunks');
const current = new Set(Object.keys(results[2].metafile.outputs).map((o) => path.resolve(root, o)));
for (const f of fs.existsSync(chunksDir) ? fs.readdirSync(chunksDir) : []) {
  const p = path.join(chunksDir, f);
  if (!current.has(p) && !current.has(p.replace(/\.map$/, '')) && Date.now() - fs.statSync(p).mtimeMs > 10 * 60_000) fs.rmSync(p, { force: true });
}
log(`built main, preload, web shell${jobs.length > 3 ? ', cli' : ''} in ${Math.round(performance.now() - started)} ms`);

/** Newest modification time under `dir` (files only). */
function newest(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

if (!nodeOnly) {
  const out = path.join(root, 'dist/renderer/index.html');
  const inputs = ['renderer', 'main/contract.ts', 'vite.config.ts', 'package-lock.json'].map((p) => newest(path.join(root, p)));
  if (!forceRenderer && fs.existsSync(out) && fs.statSync(out).mtimeMs >= Math.max(...inputs)) {
    log('renderer up to date');
  } else {
    const t = performance.now();
    const { build: viteBuild } = await import('vite');
    await viteBuild({ configFile: path.join(root, 'vite.config.ts'), root: path.join(root, 'renderer'), logLevel: 'warn' });
    log(`built renderer in ${Math.round(performance.now() - t)} ms`);
  }
}
