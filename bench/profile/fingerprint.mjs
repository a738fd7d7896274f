#!/usr/bin/env node
/** `node bench/profile/fingerprint.mjs`: the data-plane fingerprint (fingerprint-entry.ts), bundled as the benches are. */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Beside the packages it leaves external (yaml's CommonJS does not bundle as ESM), so that they resolve.
const out = path.join(root, 'node_modules/.cache/svclab-fingerprint.mjs');
fs.mkdirSync(path.dirname(out), { recursive: true });
await build({
  entryPoints: [path.join(root, 'bench/profile/fingerprint-entry.ts')],
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', target: 'node20',
  packages: 'external',
});
process.env.SVCLAB_ROOT = root;
process.chdir(root);
const mod = await import(pathToFileURL(out).href);
await mod.main();
