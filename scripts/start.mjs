#!/usr/bin/env node
/**
 * `npm start` (after the build): Electron where its binary is installed; otherwise one line saying so, and the
 * web shell in a Chromium app window (or its link printed). Arguments after `--` go to the web shell.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The Electron binary, or why there is none. */
export function findElectron() {
  try {
    // The electron package's main export is the path of its downloaded binary; it throws when the download failed.
    const binary = require('electron');
    if (typeof binary === 'string' && fs.existsSync(binary)) return { binary };
    return { reason: 'the electron package is installed but its binary is missing' };
  } catch {
    return { reason: 'the electron package is not installed (its binary could not be downloaded)' };
  }
}

const run = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
};

const electron = findElectron();
if (electron.binary && !process.argv.includes('--web')) {
  run(electron.binary, ['.']);
} else {
  if (!electron.binary) console.log(`Electron is not available: ${electron.reason}; starting the web shell instead.`);
  run(process.execPath, [path.join(root, 'dist/main/web-main.js'), ...process.argv.slice(2).filter((a) => a !== '--web')]);
}
