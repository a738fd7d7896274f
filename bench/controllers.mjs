#!/usr/bin/env node
/** `node bench/controllers.mjs [--runs=N] [--warmup=N]`: controllers bench (see controllers-bench.ts), bundled on the fly with esbuild. */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-bench-')), 'controllers-bench.mjs');
await build({
  entryPoints: [path.join(root, 'bench/controllers-entry.ts')],
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', target: 'node20',
});
const mod = await import(pathToFileURL(out).href);
await mod.main(process.argv.slice(2));
