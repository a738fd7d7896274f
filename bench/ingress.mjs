#!/usr/bin/env node
/** `node bench/ingress.mjs [--requests=2000]`: HTTP requests through an Ingress controller with 100 rules (ingress-bench.ts). */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-bench-')), 'ingress-bench.mjs');
await build({
  entryPoints: [path.join(root, 'bench/ingress-entry.ts')],
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', target: 'node20',
  // yaml is CommonJS: give the ESM bundle a require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const mod = await import(pathToFileURL(out).href);
await mod.main(process.argv.slice(2));
