/**
 * @web labs through the UI, as a learner: open a lab, read the step, type its commands into the terminal, ask for a
 * hint, answer the quiz by clicking, see every check go green and 100 %; a wrong attempt shows the check's message;
 * restart the app on the same data dir and land where you were.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { lab as externalName } from '../../../labs/07-externalname/lab';
import { lab as clusterIpAlways } from '../../../labs/08-clusterip-always/lab';
import { LAB_MANIFESTS } from '../../../labs/catalog';
import { gradeTranscript } from '../../../labs/engine/grade';
import { drawParams, render } from '../../../labs/engine/params';
import { defaultRuntime } from '../../../labs/engine/runtime';
import { parseTranscriptFile } from '../../../labs/engine/transcript';
import type { LabManifest, ParamValues } from '../../../labs/engine/types';
import { loadFromDisk } from '../../../labs/node-loader';
import { parseMarkdown, type Inline } from '../../../renderer/lib/labs/markdown';
import { AppPage } from '../../pages/app-page';
import { LabPanelPage } from '../../pages/lab-panel-page';
import { startWebShellProcess, tempDataDir, type WebShellProcess } from '../../support/web-shell-process';

test.describe.configure({ timeout: 240_000 });
// A failure keeps the trace's action log, console and network, without DOM snapshots or a screencast: snapshotting
// the app (terminal, topology SVG, event list) before every action made a lab run several times slower (lab 13:
// 84 s for one step with snapshots, 13 s for the whole lab without).
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: false } });

let shell: WebShellProcess;
let dataDir: string;

async function openLab(page: Page, manifest: LabManifest): Promise<{ app: AppPage; lab: LabPanelPage }> {
  const app = new AppPage(page);
  await app.open(shell.url);
  const lab = new LabPanelPage(page, app);
  await lab.openLab(manifest.title);
  return { app, lab };
}

/** Open a lab and do its first step: some progress, less than all. */
async function openAndSolveFirstStep(page: Page, manifest: LabManifest): Promise<{ lab: LabPanelPage; seed: number; completion: number }> {
  const { lab } = await openLab(page, manifest);
  const seed = await lab.seed();
  await solveStep(lab, manifest, 0, drawParams(manifest, seed));
  const completion = await lab.completionValue();
  expect(completion).toBeGreaterThan(0);
  expect(completion).toBeLessThan(100);
  return { lab, seed, completion };
}

/**
 * Do step `index` as the learner would: each solution line run by clicking its command snippet in the instructions
 * (then Enter), or typed when the instructions do not show that exact line; the correct quiz choices clicked.
 */
async function solveStep(lab: LabPanelPage, manifest: LabManifest, index: number, params: ParamValues): Promise<void> {
  const step = manifest.steps[index]!;
  await lab.selectStep(index);
  await expect(lab.currentStep, `step ${step.id} is unlocked`).not.toHaveAttribute('data-state', 'locked');
  // What the learner did for an earlier step may already have satisfied this one (the checks run in the background).
  if ((await lab.stepState()) === 'completed') return;
  for (const line of (step.solution ?? []).map((l) => render(l, params))) {
    if ((await lab.snippet(line).count()) > 0) await lab.runSnippet(line);
    else await lab.type(line);
  }
  if (step.quiz) {
    await lab.answer(step.quiz.choices.filter((c) => c.correct).map((c) => render(c.text, params)));
    await expect(lab.quizFeedback()).toContainText('Correct.');
  }
  await expect(lab.currentStep, `step ${step.id} completes`).toHaveAttribute('data-state', 'completed', { timeout: 30_000 });
  await expect(lab.checks()).toHaveCount(step.checks?.length ?? 0);
  await expect(lab.passedChecks()).toHaveCount(step.checks?.length ?? 0);
}

/** Every step in order, a hint asked for on the first step that has one, then 100 % and "Lab complete". */
async function solveLab(lab: LabPanelPage, manifest: LabManifest): Promise<void> {
  const params = drawParams(manifest, await lab.seed());
  const withHint = manifest.steps.findIndex((s) => (s.hints?.length ?? 0) > 0);
  expect(withHint, `${manifest.id} offers a hint where a learner gets stuck`).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < manifest.steps.length; i++) {
    if (i === withHint) await askHint(lab, manifest, i, params);
    await solveStep(lab, manifest, i, params);
  }
  await expect(lab.completion).toHaveAttribute('aria-valuenow', '100');
  await expect(lab.panel.getByRole('status').filter({ hasText: 'Lab complete' })).toBeVisible();
}

/** The learner is stuck: the first hint appears, and only that one (they come one at a time). */
async function askHint(lab: LabPanelPage, manifest: LabManifest, index: number, params: ParamValues): Promise<void> {
  const step = manifest.steps[index]!;
  await lab.selectStep(index);
  await expect(lab.currentStep).toHaveAttribute('data-state', 'active');
  await lab.showHint();
  await expect(lab.hints()).toHaveCount(1);
  await expect(lab.hints().first()).toContainText(firstBlockText(render(step.hints![0]!, params)));
}

/** The text of the first block of a hint, as the panel renders its Markdown. */
function firstBlockText(markdown: string): string {
  const block = parseMarkdown(markdown)[0]!;
  const text = (parts: readonly Inline[]) => parts.map((p) => p.text).join('');
  if (block.kind === 'list') return text(block.items[0]!);
  return block.kind === 'code' ? (block.commands[0] ?? block.text) : text(block.inline);
}

// Every lab of the catalogue, so a new lab is solved through the UI as soon as it is listed. One web shell serves
// them all (each test has its own page, so its own client, terminal session and world).
test.describe('every lab, solved through the UI', () => {
  let catalogShell: WebShellProcess;
  let catalogDataDir: string;
  let app: AppPage;
  test.beforeAll(async ({ browser }) => {
    catalogDataDir = tempDataDir();
    catalogShell = await startWebShellProcess(catalogDataDir);
    // One window for the whole catalogue, as a learner going from lab to lab: each lab is opened from the list,
    // which closes the previous lab's terminal session and opens the new lab's world.
    app = new AppPage(await browser.newPage());
    await app.open(catalogShell.url);
  });
  test.afterAll(async () => {
    await app.page.close();
    await catalogShell.stop();
    fs.rmSync(catalogDataDir, { recursive: true, force: true });
  });

  for (const manifest of LAB_MANIFESTS) {
    test(`@web solve "${manifest.id}" (${manifest.profile}) through the UI: every check green, 100 %`, async () => {
      const lab = new LabPanelPage(app.page, app);
      await lab.openLab(manifest.title);
      await expect(lab.panel.getByRole('heading', { level: 2 })).toHaveText(manifest.title);
      expect(await lab.completionValue()).toBeLessThan(100);
      await solveLab(lab, manifest);
    });
  }
});

// One app per test, each on a data dir of its own: these tests restart it or look at what it saved.
test.describe('a lab\'s life cycle', () => {
  test.beforeEach(async () => {
    dataDir = tempDataDir();
    shell = await startWebShellProcess(dataDir);
  });
  test.afterEach(async () => {
    await shell.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

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
    let { lab, seed, completion: before } = await openAndSolveFirstStep(page, clusterIpAlways);
    // A variable the learner will still count on after the restart.
    await lab.type('SVC=exchange-lb');
    // …and the directory the shell was in.
    await lab.type('cd /tmp');
    const shownBefore = await lab.app.terminalLines();
    const params = drawParams(clusterIpAlways, seed);
    const typedAtPrompt = [...clusterIpAlways.steps[0]!.solution!, 'SVC=exchange-lb'].map((line) => `:~$ ${render(line, params)}`);
    // The screen showed each command as it was typed (the terminal narrowing between a paste and Enter once cut a row).
    for (const typed of typedAtPrompt) expect(shownBefore.join('\n'), 'the screen before the restart').toContain(typed);
    await shell.stop();

    shell = await startWebShellProcess(dataDir);
    ({ lab } = await openLab(page, clusterIpAlways));
    expect(await lab.seed()).toBe(seed);
    // The terminal shows what the learner last saw: the commands typed before the restart and their output, line for
    // line as before, then a fresh prompt to carry on at.
    await lab.app.expectTerminal(/^service\/exchange-lb exposed$/m);
    const resumed = await lab.app.terminalText();
    // Line for line (the terminal may be another width now: compare the lines written, not the rows drawn).
    const resumedLines = await lab.app.terminalLines();
    const linesBefore = shownBefore.slice(0, -1);
    const at = resumedLines.findIndex((_, i) => linesBefore.every((l, j) => resumedLines[i + j] === l));
    expect(at, `the lines shown before the restart:\n${linesBefore.join('\n')}\n\nafter it:\n${resumedLines.join('\n')}`).toBeGreaterThanOrEqual(0);
    for (const typed of typedAtPrompt) expect(resumed.replace(/\n/g, '')).toContain(typed);
    await expect.poll(() => lab.app.cursorLine()).toMatch(/^student@[\w-]+:\/tmp\$ ?$/);
    await lab.type('cd');
    await expect(lab.completion).toHaveAttribute('aria-valuenow', String(before));
    await lab.selectStep(0);
    expect(await lab.stepState()).toBe('completed');
    // The world was rebuilt from seed + commands: the Services the learner created are there.
    // …and so is the shell the learner typed into: its variables came back with the replay.
    await lab.type('kubectl get svc exchange-np $SVC -o name');
    await lab.app.expectTerminal(/^service\/exchange-lb$/m);
    // And the lab carries on to 100 %.
    for (let i = 1; i < clusterIpAlways.steps.length; i++) await solveStep(lab, clusterIpAlways, i, drawParams(clusterIpAlways, seed));
    await expect(lab.completion).toHaveAttribute('aria-valuenow', '100');
  });

  test('@web Export downloads a transcript the headless grader scores as the panel does; Reset starts the lab over', async ({ page }) => {
    const { lab, completion: shown } = await openAndSolveFirstStep(page, externalName);

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
});
