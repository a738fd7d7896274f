/**
 * Page object for the lab panel: pick a lab, read its completion, steps, checks and hints, answer quizzes, and type
 * a step's commands into the terminal as a learner does (waiting for each command to finish, never sleeping).
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { escapeRegExp, type AppPage } from './app-page';

declare global {
  interface Window {
    __kslCommands?: number;
  }
}

export class LabPanelPage {
  readonly panel: Locator;
  readonly completion: Locator;
  readonly steps: Locator;
  readonly currentStep: Locator;

  constructor(
    readonly page: Page,
    readonly app: AppPage,
  ) {
    this.panel = page.getByRole('region', { name: 'Lab' });
    this.completion = this.panel.getByRole('progressbar', { name: 'Completion' });
    this.steps = this.panel.getByRole('list', { name: 'Steps' });
    this.currentStep = this.panel.locator('article.step');
  }

  /** Open a lab from the sidebar and wait until its world is set up and the panel shows it. */
  async openLab(title: string): Promise<void> {
    await this.app.labs.getByRole('button', { name: new RegExp(`^${escapeRegExp(title)}`) }).click();
    await this.app.waitReady();
    await expect(this.completion).toBeVisible({ timeout: 30_000 });
    await this.page.evaluate(() => {
      if (window.__kslCommands !== undefined) return;
      window.__kslCommands = 0;
      window.kubeServiceLab!.on('terminal:command', () => (window.__kslCommands! += 1));
    });
  }

  async seed(): Promise<number> {
    return Number(await this.panel.getAttribute('data-seed'));
  }

  async completionValue(): Promise<number> {
    return Number(await this.completion.getAttribute('aria-valuenow'));
  }

  async selectStep(index: number): Promise<void> {
    await this.steps.getByRole('button', { name: new RegExp(`^Step ${index + 1}: `) }).click();
  }

  stepState(): Promise<string | null> {
    return this.currentStep.getAttribute('data-state');
  }

  /** Type one command line into the terminal and wait until the shell has finished it. */
  async type(line: string): Promise<void> {
    const before = await this.#commandsSoFar();
    await this.app.focusTerminal();
    await this.page.keyboard.insertText(line);
    await this.page.keyboard.press('Enter');
    await this.#commandFinished(before, line);
  }

  #commandsSoFar(): Promise<number> {
    return this.page.evaluate(() => window.__kslCommands ?? 0);
  }

  /** Wait for the shell's `terminal:command` event (checked every animation frame, so a quick command costs no sleep). */
  async #commandFinished(before: number, line: string): Promise<void> {
    await this.page
      .waitForFunction((n) => (window.__kslCommands ?? 0) > n, before, { timeout: 30_000 })
      .catch((e: unknown) => {
        throw new Error(`command did not finish in 30 s: ${line}`, { cause: e });
      });
  }

  /** The command snippet of the open step that pastes `line` into the terminal. */
  snippet(line: string): Locator {
    return this.currentStep.getByRole('button', { name: `Paste into terminal: ${line}`, exact: true });
  }

  /** Click a command snippet (it pastes into the terminal), press Enter, and wait until the shell has finished it. */
  async runSnippet(line: string): Promise<void> {
    const before = await this.#commandsSoFar();
    // The same command may be offered twice in one step (run it, change something, run it again): either pastes it.
    await this.snippet(line).first().click();
    await expect(this.page.getByRole('textbox', { name: 'Terminal input' })).toBeFocused();
    await this.page.keyboard.press('Enter');
    await this.#commandFinished(before, line);
  }

  /** Every check of the open step, passed or not. */
  checks(): Locator {
    return this.currentStep.getByRole('list', { name: 'Checks' }).getByRole('listitem');
  }

  passedChecks(): Locator {
    return this.currentStep.getByRole('list', { name: 'Checks' }).getByRole('listitem', { name: /^Passed: / });
  }

  async showHint(): Promise<void> {
    await this.currentStep.getByRole('button', { name: /^Show hint/ }).click();
  }

  hints(): Locator {
    return this.currentStep.getByRole('list', { name: 'Hints' }).getByRole('listitem');
  }

  check(description: string | RegExp): Locator {
    const name = typeof description === 'string' ? new RegExp(`: ${escapeRegExp(description)}$`) : description;
    return this.currentStep.getByRole('listitem').filter({ has: this.page.locator('.desc') }).and(this.page.getByRole('listitem', { name }));
  }

  failedChecks(): Locator {
    return this.currentStep.locator('ul.checks > li.fail');
  }

  async pressCheck(): Promise<void> {
    await this.currentStep.getByRole('button', { name: 'Check', exact: true }).click();
  }

  /** Tick the choices whose text is given, then submit. */
  async answer(choiceTexts: readonly string[]): Promise<void> {
    const quiz = this.currentStep.getByRole('form', { name: 'Quiz' });
    for (const t of choiceTexts) await quiz.getByLabel(t, { exact: true }).check();
    await quiz.getByRole('button', { name: 'Submit answer' }).click();
  }

  quizFeedback(): Locator {
    return this.currentStep.getByRole('status', { name: 'Quiz feedback' });
  }
}
