/** Page object for the app window: the lab list, the terminal, the header controls and the status bar. */
import { expect, type Locator, type Page } from '@playwright/test';

export class AppPage {
  readonly terminal: Locator;
  readonly labs: Locator;
  readonly statusBar: Locator;
  readonly themeButton: Locator;
  readonly profileSelect: Locator;
  readonly seedInput: Locator;
  readonly alerts: Locator;

  constructor(readonly page: Page) {
    this.terminal = page.getByRole('region', { name: 'Terminal' });
    this.labs = page.getByRole('navigation', { name: 'Labs' });
    this.statusBar = page.getByRole('contentinfo', { name: 'Status bar' });
    this.themeButton = page.getByRole('button', { name: /^Theme: / });
    this.profileSelect = page.getByRole('combobox', { name: 'Profile' });
    this.seedInput = page.getByRole('spinbutton', { name: 'Seed' });
    this.alerts = page.getByRole('alert');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitReady();
  }

  /** The terminal has a session and has drawn what the shell printed (its prompt). */
  async waitReady(): Promise<void> {
    await expect(this.terminal).toHaveAttribute('data-state', 'ready');
    await expect.poll(() => this.terminalText()).not.toBe('');
  }

  terminalText(): Promise<string> {
    return this.page.evaluate(() => window.__kslTest?.terminalText() ?? '');
  }

  /** The terminal's lines as written, rows it wrapped joined again (independent of the terminal's width). */
  terminalLines(): Promise<string[]> {
    return this.page.evaluate(() => window.__kslTest?.terminalLines() ?? []);
  }

  cursorLine(): Promise<string> {
    return this.page.evaluate(() => window.__kslTest?.cursorLine() ?? '');
  }

  async focusTerminal(): Promise<void> {
    await this.page.getByRole('textbox', { name: 'Terminal input' }).focus();
  }

  /** Type a command line into the terminal and press Enter, as the learner does. */
  async run(command: string): Promise<void> {
    await this.focusTerminal();
    await this.page.keyboard.type(command);
    await this.page.keyboard.press('Enter');
  }

  /**
   * Wait until the line being typed ends with `text` on screen: the echo (or the redraw after a resize) may still be
   * on its way. Only where nothing else prints. The shell, like bash, draws the line as if its prompt began at the
   * left margin and does not draw around a background job's output, so after output without a final newline, or
   * with a job printing, a line that wraps can overwrite itself on screen while the command stays as typed.
   */
  async expectTyped(text: string): Promise<void> {
    await expect
      .poll(async () => ((await this.terminalLines()).at(-1) ?? '').trimEnd(), { message: 'the line being typed, on screen' })
      .toMatch(new RegExp(`${escapeRegExp(text.trimEnd())}$`));
  }

  /**
   * Wait until the terminal shows text matching `pattern`. The cluster's clock follows the wall clock in the app, so
   * a command that waits on the cluster (rollout status, wait) takes as many real seconds as it would on a cluster:
   * give those a `timeoutMs` above the virtual time they wait.
   */
  async expectTerminal(pattern: RegExp | string, opts: { timeoutMs?: number } = {}): Promise<void> {
    await expect
      .poll(() => this.terminalText(), { message: `terminal should show ${String(pattern)}`, ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) })
      .toMatch(typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern);
  }

  async documentTheme(): Promise<string | undefined> {
    return this.page.evaluate(() => document.documentElement.dataset['theme']);
  }
}

/** `text` as a regular expression that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
