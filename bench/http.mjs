#!/usr/bin/env node
/** `node bench/http.mjs [--ms=2500] [--windows=5] [--no-kernel] [--kernel-requests=3000]`: full HTTP requests with DNS through the data-plane services (http-bench.ts), then the same pattern through the real kernel (http-kernel.ts). */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-bench-')), 'http-bench.mjs');
await build({
  entryPoints: [path.join(root, 'bench/http-entry.ts')],
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', target: 'node20',
});
// A collectable heap between phases: the bench collects the set-up's garbage before it measures.
(await import('node:v8')).setFlagsFromString('--expose_gc');
globalThis.gc = (await import('node:vm')).runInNewContext('gc');
process.env.SVCLAB_ROOT = root;
const mod = await import(pathToFileURL(out).href);
await mod.main(process.argv.slice(2));
