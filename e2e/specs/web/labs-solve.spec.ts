/**
 * @web labs through the UI, as a learner: open a lab, read the step, type its commands into the terminal, ask for a
 * hint, answer the quiz by clicking, see every check go green and 100 %; a wrong attempt shows the check's message;
 * restart the app on the same data dir and land where you were.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { lab as externalName } from '../../../labs/07-externalname/lab';
import { lab as clusterIpAlways } from '../../../labs/08-clusterip-always/lab';
import { lab as serviceDiscovery } from '../../../labs/11-service-discovery/lab';
import { gradeTranscript } from '../../../labs/engine/grade';
import { drawParams, render } from '../../../labs/engine/params';
import { defaultRuntime } from '../../../labs/engine/runtime';
import { parseTranscriptFile } from '../../../labs/engine/transcript';
import type { LabManifest } from '../../../labs/engine/types';
import { loadFromDisk } from '../../../labs/node-loader';
import { AppPage } from '../../pages/app-page';
import { LabPanelPage } from '../../pages/lab-panel-page';
import { startWebShellProcess, tempDataDir, type WebShellProcess } from '../../support/web-shell-process';

test.describe.configure({ timeout: 240_000 });

let shell: WebShellProcess;
let dataDir: string;

test.beforeEach(async () => {
  dataDir = tempDataDir();
  shell = await startWebShellProcess(dataDir);
});
test.afterEach(async () => {
  await shell.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function openLab(page: Page, manifest: LabManifest): Promise<{ app: AppPage; lab: LabPanelPage }> {
  const app = new AppPage(page);
  await app.open(shell.url);
  const lab = new LabPanelPage(page, app);
  await lab.openLab(manifest.title);
  return { app, lab };
}

/** Do step `index` as the learner would: its solution typed line by line, the correct quiz choices clicked. */
async function solveStep(lab: LabPanelPage, manifest: LabManifest, index: number, seed: number): Promise<void> {
  const step = manifest.steps[index]!;
  const params = drawParams(manifest, seed);
  await lab.selectStep(index);
  await expect.poll(() => lab.stepState()).not.toBe('locked');
  // What the learner did for an earlier step may already have satisfied this one (the checks run in the background).
  if ((await lab.stepState()) === 'completed') return;
  for (const line of step.solution ?? []) await lab.type(render(line, params));
  if (step.quiz) {
    await lab.answer(step.quiz.choices.filter((c) => c.correct).map((c) => render(c.text, params)));
    await expect(lab.quizFeedback()).toContainText('Correct.');
  }
  await expect.poll(() => lab.stepState(), { message: `step ${step.id} completes`, timeout: 30_000 }).toBe('completed');
  await expect(lab.failedChecks()).toHaveCount(0);
}

async function solveLab(lab: LabPanelPage, manifest: LabManifest): Promise<void> {
  const seed = await lab.seed();
  for (let i = 0; i < manifest.steps.length; i++) await solveStep(lab, manifest, i, seed);
  await expect(lab.completion).toHaveAttribute('aria-valuenow', '100');
  await expect(lab.panel.getByRole('status').filter({ hasText: 'Lab complete' })).toBeVisible();
}

for (const manifest of [externalName, clusterIpAlways, serviceDiscovery]) {
  test(`@web solve "${manifest.id}" through the UI: every check green, 100 %`, async ({ page }) => {
    const { lab } = await openLab(page, manifest);
    expect(await lab.completionValue()).toBeLessThan(100);
    // A hint, revealed one at a time.
    const withHints = manifest.steps.findIndex((s) => (s.hints?.length ?? 0) > 0);
    if (withHints >= 0) {
      await lab.selectStep(withHints);
      if ((await lab.stepState()) !== 'locked') {
        await lab.showHint();
        await expect(lab.hints()).toHaveCount(1);
      }
    }
    await solveLab(lab, manifest);
  });
}

test('@web a wrong attempt shows the failing check and its message; Check counts the attempt', async ({ page }) => {
  const { lab } = await openLab(page, externalName);
  await lab.selectStep(0);
  // An ExternalName pointing at the wrong host.
  const params = drawParams(externalName, await lab.seed());
  await lab.type(`kubectl create service externalname ${String(params['svc'])} --external-name=api.wrong.example`);
  await lab.pressCheck();
  await expect(lab.failedChecks().first()).toBeVisible();
  await expect(lab.failedChecks().first().locator('.msg')).toContainText(/api\.external\.com|api\.wrong\.example/);
  await expect(lab.currentStep.getByText('Attempts: 1')).toBeVisible();
  expect(await lab.stepState()).toBe('active');
});

test('@web progress survives an app restart: the lab resumes where it was', async ({ page }) => {
  let { lab } = await openLab(page, clusterIpAlways);
  const seed = await lab.seed();
  await solveStep(lab, clusterIpAlways, 0, seed);
  const before = await lab.completionValue();
  expect(before).toBeGreaterThan(0);
  await shell.stop();

  shell = await startWebShellProcess(dataDir);
  ({ lab } = await openLab(page, clusterIpAlways));
  expect(await lab.seed()).toBe(seed);
  await expect(lab.completion).toHaveAttribute('aria-valuenow', String(before));
  await lab.selectStep(0);
  expect(await lab.stepState()).toBe('completed');
  // The world was rebuilt from seed + commands: the Services the learner created are there.
  await lab.type('kubectl get svc exchange-np exchange-lb -o name');
  await lab.app.expectTerminal(/^service\/exchange-lb$/m);
  // And the lab carries on to 100 %.
  for (let i = 1; i < clusterIpAlways.steps.length; i++) await solveStep(lab, clusterIpAlways, i, seed);
  await expect(lab.completion).toHaveAttribute('aria-valuenow', '100');
});

test('@web Export downloads a transcript the headless grader scores as the panel does; Reset starts the lab over', async ({ page }) => {
  const { lab } = await openLab(page, externalName);
  const seed = await lab.seed();
  await solveStep(lab, externalName, 0, seed);
  const shown = await lab.completionValue();
  expect(shown).toBeGreaterThan(0);

  const download = page.waitForEvent('download');
  await lab.panel.getByRole('button', { name: 'Export' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^07-externalname-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
  const exported = JSON.parse(fs.readFileSync(await file.path(), 'utf8'));
  expect(exported.progress.steps.some((s: { status: string }) => s.status === 'completed')).toBe(true);
  const report = await gradeTranscript(loadFromDisk(externalName), parseTranscriptFile(exported), defaultRuntime);
  expect(report.score).toBe(shown);

  await lab.panel.getByRole('button', { name: 'Reset' }).click();
  await lab.panel.getByRole('button', { name: 'Yes, reset' }).click();
  await expect(lab.completion).toHaveAttribute('aria-valuenow', '0', { timeout: 30_000 });
  await lab.selectStep(0);
  expect(await lab.stepState()).toBe('active');
  await lab.type('kubectl get svc -o name');
  await lab.app.expectTerminal(/^service\/kubernetes$/m);
});
