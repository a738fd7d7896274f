#!/usr/bin/env node
/** docs/screenshot.png for the README: the web shell in Chromium after a few real commands (build first). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-shot-'));
const child = spawn(process.execPath, [path.join(root, 'dist/main/web-main.js'), '--port', '0', '--no-open', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    const m = /^Kube Service Lab: (\S+)$/m.exec(out);
    if (m) resolve(m[1]);
  });
  child.once('exit', () => reject(new Error('web shell exited')));
});
const browser = await chromium.launch({ executablePath: process.env.KSL_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
  await page.goto(url);
  await page.waitForSelector('section[aria-label="Terminal"][data-state="ready"]');
  const commands = process.argv.slice(2).length
    ? process.argv.slice(2)
    : ['kubectl get nodes', 'kubectl create deployment web --image=nginx --replicas=3 --port=80', 'kubectl expose deployment web --port=80', 'sleep 5', 'kubectl get pods -o wide', 'kubectl get svc web', 'kubectl get endpoints web'];
  await page.getByRole('textbox', { name: 'Terminal input' }).focus();
  for (const c of commands) {
    const before = await page.evaluate(() => window.__kslTest.terminalText().split('\n').length);
    await page.keyboard.type(c);
    await page.keyboard.press('Enter');
    // The command finished when the prompt is back on a new line.
    await page.waitForFunction((n) => {
      const t = window.__kslTest;
      return t.terminalText().split('\n').length > n && /[$#] $/.test(t.cursorLine());
    }, before, { timeout: 30_000 });
  }
  fs.mkdirSync(path.join(root, 'docs'), { recursive: true });
  await page.screenshot({ path: path.join(root, 'docs/screenshot.png') });
  console.log('wrote docs/screenshot.png');
} finally {
  await browser.close();
  child.kill('SIGTERM');
  fs.rmSync(dataDir, { recursive: true, force: true });
}
