/**
 * `svclab grade --ui`: grade a transcript through the real app, as an instructor watching the learner would. The
 * web shell (dist/main/web-main.js) starts on a throw-away data dir whose lab is pinned to the transcript's seed;
 * Chromium (Debian's /usr/bin/chromium, driven by Playwright) opens it, picks the lab, types every command into
 * the terminal, ticks the quiz answers from the file when their step is open, and the score and every check are
 * read back from the lab panel. The same engine judges as in the headless mode, through the app's own path.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TranscriptFile } from '../../labs/engine/transcript';
import type { LoadedLab } from '../../labs/engine/types';
import { labsDir } from '../../labs/node-loader';
import { openProgressDatabase } from '../../main/services/progress/open-database';
import { ProgressStore } from '../../main/services/progress/progress-store';

export interface UiCheck {
  readonly stepId: string;
  readonly id: string;
  readonly description: string;
  readonly passed: boolean;
  readonly message?: string;
}

export interface UiGradeReport {
  readonly labId: string;
  readonly seed: number;
  readonly mode: 'ui';
  /** Completion % as the lab panel shows it. */
  readonly score: number;
  readonly passed: number;
  readonly total: number;
  readonly checks: readonly UiCheck[];
}

export interface UiGradeOptions {
  /** Chromium binary (default `$KSL_CHROMIUM` or /usr/bin/chromium). */
  readonly chromium?: string;
  /** The web shell entry (default `dist/main/web-main.js` next to the labs folder). */
  readonly webMain?: string;
  readonly log?: (line: string) => void;
}

interface PlaywrightLike {
  chromium: { launch(opts: object): Promise<{ newPage(opts?: object): Promise<PageLike>; close(): Promise<void> }> };
}
interface LocatorLike {
  click(): Promise<void>;
  check(): Promise<void>;
  count(): Promise<number>;
  getAttribute(name: string): Promise<string | null>;
  first(): LocatorLike;
  nth(i: number): LocatorLike;
  locator(sel: string): LocatorLike;
  waitFor(opts?: object): Promise<void>;
  textContent(): Promise<string | null>;
}
interface PageLike {
  goto(url: string): Promise<unknown>;
  locator(sel: string): LocatorLike;
  evaluate<T>(fn: () => T): Promise<T>;
  keyboard: { insertText(t: string): Promise<void>; press(k: string): Promise<void> };
  waitForFunction<A>(fn: (arg: A) => boolean, arg: A, opts?: object): Promise<unknown>;
}

async function startWebShell(webMain: string, dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [webMain, '--port', '0', '--no-open', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the web shell printed no URL in 30 s: ${err}`)), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Kube Service Lab: (http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the web shell exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const css = (s: string) => s.replace(/["\\]/g, '\\$&');

export async function gradeThroughUi(lab: LoadedLab, file: TranscriptFile, opts: UiGradeOptions = {}): Promise<UiGradeReport> {
  const log = opts.log ?? (() => {});
  const webMain = opts.webMain ?? path.join(labsDir(), '..', 'dist', 'main', 'web-main.js');
  if (!fs.existsSync(webMain)) throw new Error(`grade --ui needs the built app: ${webMain} is missing (run npm run build)`);
  const chromium = opts.chromium ?? process.env['KSL_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!fs.existsSync(chromium)) throw new Error(`grade --ui needs Chromium: ${chromium} is missing (set KSL_CHROMIUM)`);
  const labId = lab.manifest.id;

  // The learner's seed: the app builds a lab's world from the seed saved with its progress.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-grade-ui-'));
  const opened = openProgressDatabase(path.join(dataDir, 'progress.db'), { now: Date.now });
  new ProgressStore(opened.db).startLab(labId, file.seed, lab.manifest.profile, Date.now());
  opened.db.close();

  // A computed specifier: the CLI bundle loads Playwright from node_modules at run time instead of inlining it.
  const pwModule = 'playwright-core';
  const pw = (await import(pwModule)) as PlaywrightLike;
  const shell = await startWebShell(webMain, dataDir);
  const browser = await pw.chromium.launch({
    executablePath: chromium,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(shell.url);
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.locator(`nav[aria-label="Labs"] button:has(.title:text-is("${css(lab.manifest.title)}"))`).click();
    const panel = page.locator('section[aria-label="Lab"]');
    await panel.locator('[role="progressbar"]').waitFor({ timeout: 60_000 });
    await page.locator('section[aria-label="Terminal"][data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.evaluate(() => {
      const w = window as unknown as { __kslCommands: number; kubeServiceLab: { on(e: string, l: () => void): void } };
      w.__kslCommands = 0;
      w.kubeServiceLab.on('terminal:command', () => (w.__kslCommands += 1));
    });

    const stepIndex = new Map(lab.manifest.steps.map((s, i) => [s.id, i]));
    const unanswered = new Set(Object.keys(file.quizAnswers).filter((id) => stepIndex.has(id)));
    const answerOpenQuizzes = async () => {
      for (const stepId of [...unanswered]) {
        const tab = panel.locator('ol[aria-label="Steps"] button').nth(stepIndex.get(stepId)!);
        const label = (await tab.getAttribute('aria-label')) ?? '';
        if (!label.endsWith('(In progress)')) continue;
        await tab.click();
        const form = panel.locator(`article[data-step="${css(stepId)}"] form[aria-label="Quiz"]`);
        for (const choice of file.quizAnswers[stepId] ?? []) await form.locator(`input[value="${css(choice)}"]`).check();
        await form.locator('button[type="submit"]').click();
        await panel.locator(`article[data-step="${css(stepId)}"] [aria-label="Quiz feedback"]`).waitFor({ timeout: 30_000 });
        unanswered.delete(stepId);
        log(`answered quiz ${stepId}: ${(file.quizAnswers[stepId] ?? []).join(', ')}`);
      }
    };

    await answerOpenQuizzes();
    const input = page.locator('[aria-label="Terminal input"]');
    for (const [i, entry] of file.entries.entries()) {
      await input.click();
      await page.keyboard.insertText(entry.command);
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => ((window as unknown as { __kslCommands?: number }).__kslCommands ?? 0) > n, i, { timeout: 120_000 });
      log(`$ ${entry.command}`);
      await answerOpenQuizzes();
    }

    // Read the result from the panel: each step's checks, then the completion %.
    const checks: UiCheck[] = [];
    for (const [i, step] of lab.manifest.steps.entries()) {
      await panel.locator('ol[aria-label="Steps"] button').nth(i).click();
      const items = panel.locator(`article[data-step="${css(step.id)}"] ul.checks > li`);
      await panel.locator(`article[data-step="${css(step.id)}"]`).waitFor();
      const n = await items.count();
      for (let j = 0; j < n; j++) {
        const li = items.nth(j);
        const passed = ((await li.getAttribute('class')) ?? '').split(/\s+/).includes('pass');
        const message = passed ? undefined : ((await li.locator('.msg').count()) > 0 ? ((await li.locator('.msg').textContent()) ?? '') : undefined);
        checks.push({
          stepId: step.id,
          id: (await li.getAttribute('data-check')) ?? '',
          description: (await li.locator('.desc').textContent()) ?? '',
          passed,
          ...(message !== undefined ? { message } : {}),
        });
      }
    }
    // A quiz counts as one check, as in the headless report; a completed step's quiz was answered right.
    for (const [i, step] of lab.manifest.steps.entries()) {
      if (!step.quiz) continue;
      await panel.locator('ol[aria-label="Steps"] button').nth(i).click();
      const article = panel.locator(`article[data-step="${css(step.id)}"]`);
      await article.waitFor();
      const correct =
        (await article.getAttribute('data-state')) === 'completed' || (await article.locator('form[aria-label="Quiz"]').getAttribute('data-correct')) === 'true';
      checks.push({ stepId: step.id, id: 'quiz', description: 'Quiz', passed: correct, ...(correct ? {} : { message: 'quiz not answered correctly' }) });
    }
    const score = Number(await panel.getAttribute('data-completion'));
    return { labId, seed: file.seed, mode: 'ui', score, passed: checks.filter((c) => c.passed).length, total: checks.length, checks };
  } finally {
    await browser.close().catch(() => {});
    await shell.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatUiReport(r: UiGradeReport): string {
  const lines = [`${r.labId} (seed ${r.seed}, through the app): score ${r.score}%  (${r.passed}/${r.total} checks)`];
  for (const c of r.checks) lines.push(`  ${c.passed ? 'PASS' : 'FAIL'}  ${c.stepId}/${c.id}  ${c.description}${c.message ? `\n        ${c.message}` : ''}`);
  return lines.join('\n') + '\n';
}
