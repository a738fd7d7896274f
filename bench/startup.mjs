#!/usr/bin/env node
/**
 * Startup and typing latency of the app as a learner meets it (web shell + Chromium):
 *  - startup: from launching the web shell (`node dist/main/web-main.js`) to a terminal ready for input (session
 *    open, prompt drawn), with the browser already running; median of several launches.
 *  - keystroke → echo: 200 keys typed into the terminal; for each, from xterm.js receiving the key (onData) to
 *    the echoed character parsed into the terminal (onWriteParsed), and to the next painted frame after it.
 * Targets: startup < 1.5 s, echo < 16 ms (one frame at 60 Hz).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.KSL_CHROMIUM ?? '/usr/bin/chromium';
const LAUNCHES = Number(process.env.KSL_BENCH_LAUNCHES ?? 5);
const KEYS = 200;

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}
const ms = (x) => `${x.toFixed(1)} ms`;

function startWebShell(dataDir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/main/web-main.js'), '--port', '0', '--no-open', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^Kube Service Lab: (\S+)$/m.exec(out);
      if (m) resolve({ child, url: m[1], t0, tUrl: performance.now() });
    });
    child.once('exit', (code) => reject(new Error(`web shell exited (${code})`)));
  });
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist/main/web-main.js')) || !fs.existsSync(path.join(root, 'dist/renderer/index.html'))) {
    console.error('bench: build first (npm run build)');
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`bench: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-bench-'));
  const startups = [];
  const urlTimes = [];
  let last;
  try {
    for (let i = 0; i < LAUNCHES; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const shell = await startWebShell(dataDir);
      await page.goto(shell.url);
      await page.waitForSelector('section[aria-label="Terminal"][data-state="ready"]', { timeout: 30_000 });
      const tReady = performance.now();
      startups.push(tReady - shell.t0);
      urlTimes.push(shell.tUrl - shell.t0);
      if (i < LAUNCHES - 1) {
        await page.close();
        shell.child.kill('SIGTERM');
        await new Promise((r) => shell.child.once('exit', r));
      } else {
        last = { page, shell };
      }
    }

    const { page, shell } = last;
    await page.evaluate(() => {
      const term = window.__kslTest.terminal;
      const b = (window.__kslBench = { parsed: [], painted: [], pending: null });
      term.onData((d) => {
        if (d.length === 1 && d >= ' ') b.pending = performance.now();
      });
      term.onWriteParsed(() => {
        if (b.pending === null) return;
        const t0 = b.pending;
        b.pending = null;
        b.parsed.push(performance.now() - t0);
        requestAnimationFrame(() => b.painted.push(performance.now() - t0));
      });
    });
    await page.getByRole('textbox', { name: 'Terminal input' }).focus();
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < KEYS; i++) {
      if (i > 0 && i % 60 === 0) await page.keyboard.press('Control+C'); // a fresh line now and then
      await page.keyboard.press(letters[i % letters.length]);
      await page.waitForFunction((n) => window.__kslBench.painted.length >= n, i + 1, { polling: 'raf', timeout: 5_000 });
    }
    const { parsed, painted } = await page.evaluate(() => window.__kslBench);
    shell.child.kill('SIGTERM');

    const startMedian = median(startups);
    const echoMedian = median(parsed);
    const echoP95 = quantile(parsed, 0.95);
    console.log(`startup (launch → terminal ready): median ${ms(startMedian)}, min ${ms(Math.min(...startups))}, max ${ms(Math.max(...startups))} over ${LAUNCHES} launches (URL printed after median ${ms(median(urlTimes))}) — target < 1500 ms: ${startMedian < 1500 ? 'met' : 'MISSED'}`);
    console.log(`keystroke → echo in terminal: median ${ms(echoMedian)}, p95 ${ms(echoP95)} over ${parsed.length} keys — target < 16 ms: ${echoP95 < 16 ? 'met' : 'MISSED'}`);
    console.log(`keystroke → next painted frame: median ${ms(median(painted))}, p95 ${ms(quantile(painted, 0.95))}`);
  } finally {
    await browser.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
