import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

function electronInstalled(): boolean {
  try {
    const p = createRequire(import.meta.url)('electron') as unknown;
    return typeof p === 'string' && fs.existsSync(p);
  } catch {
    return false;
  }
}

describe('npm start without the Electron binary', () => {
  beforeAll(() => {
    if (!fs.existsSync('dist/main/web-main.js')) execFileSync(process.execPath, ['scripts/build.mjs', '--node-only', '--quiet']);
  }, 120_000);

  it('says so in one line and starts the web shell instead', async (ctx) => {
    if (electronInstalled()) {
      console.log('skipped: the Electron binary is installed here, so npm start launches Electron');
      ctx.skip();
    }
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-start-'));
    const child = spawn(process.execPath, ['scripts/start.mjs', '--no-open', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      await expect.poll(() => out.split('\n').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      const [first, second] = out.split('\n');
      expect(first).toMatch(/^Electron is not available: .*; starting the web shell instead\.$/);
      expect(second).toMatch(/^Kube Service Lab: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    } finally {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
