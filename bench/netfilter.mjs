#!/usr/bin/env node
/**
 * `node bench/netfilter.mjs [--kernel]`: the netfilter hot path with 10, 1,000 and 10,000 Services (see
 * netfilter-bench.ts), then, with --kernel (root, ip netns), the real kernel's new-connection rate on the same
 * kube-proxy ruleset loaded with iptables-restore (emulator/netfilter/kernel/harness.ts) and the ratio.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-bench-')), 'netfilter-bench.mjs');
await build({
  entryPoints: [path.join(root, 'bench/netfilter-entry.ts')],
  bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning', target: 'node20',
});
// A collectable heap between phases: the bench calls gc() after building each ruleset.
(await import('node:v8')).setFlagsFromString('--expose_gc');
globalThis.gc = (await import('node:vm')).runInNewContext('gc');
process.env.SVCLAB_ROOT = root;
const mod = await import(pathToFileURL(out).href);
await mod.main(process.argv.slice(2));
