import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { AppPage } from '../../pages/app-page';

/** The Electron binary, or why there is none (electron is an optional dependency whose download may fail). */
function electronBinary(): { binary?: string; reason?: string } {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    if (typeof binary === 'string' && fs.existsSync(binary)) return { binary };
    return { reason: 'the electron package is installed but its binary is missing' };
  } catch {
    return { reason: 'the electron package is not installed (its binary could not be downloaded)' };
  }
}

const found = electronBinary();
if (!found.binary) console.log(`[electron] skipped: ${found.reason}`);

test('@electron the Electron app opens a window whose terminal runs commands', async () => {
  test.skip(!found.binary, `Electron binary not available: ${found.reason}`);
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-electron-'));
  const app = await electron.launch({ executablePath: found.binary, args: ['.', `--user-data-dir=${userData}`] });
  try {
    const win = await app.firstWindow();
    const page = new AppPage(win);
    await page.waitReady();
    // The renderer sees the preload's API and no Node.
    expect(await win.evaluate(() => typeof window.kubeServiceLab?.invoke)).toBe('function');
    expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    await page.run('echo from electron');
    await page.expectTerminal(/^from electron$/m);
  } finally {
    await app.close();
    fs.rmSync(userData, { recursive: true, force: true });
  }
});
