/** Page object for the packet views: simulation (event list + controls), hop inspector, topology, resources. */
import fs from 'node:fs';
import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { startWebShellProcess, tempDataDir, type WebShellProcess } from '../support/web-shell-process';

/** A fresh web shell (its own data dir) for each test of the calling spec file; call at the top level. */
export function webShellPerTest(): () => WebShellProcess {
  let shell: WebShellProcess | undefined;
  test.beforeEach(async () => {
    shell = await startWebShellProcess(tempDataDir());
  });
  test.afterEach(async () => {
    if (!shell) return;
    await shell.stop();
    fs.rmSync(shell.dataDir, { recursive: true, force: true });
  });
  return () => shell!;
}

/**
 * A screenshot of the window as a test artifact; with KSL_UPDATE_SCREENSHOT set, also the README's `docs/<name>.png`.
 */
export async function viewShot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  if (process.env['KSL_UPDATE_SCREENSHOT']) {
    fs.mkdirSync('docs', { recursive: true });
    fs.copyFileSync(file, `docs/${name}.png`);
  }
}

export type ViewName = 'Simulation' | 'Topology' | 'Resources' | 'Editor';

export class ViewsPage {
  readonly root: Locator;
  readonly eventList: Locator;
  readonly rows: Locator;
  readonly inspector: Locator;
  readonly stepForward: Locator;
  readonly stepBack: Locator;
  readonly topology: Locator;
  readonly resources: Locator;
  /** The open view's panel. */
  readonly panel: Locator;
  /** Play/Pause of the view shown (the simulation's toolbar or the topology's playback bar). */
  readonly play: Locator;
  /** "N of M events" under the filters. */
  readonly eventCount: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Packet views' });
    this.eventList = page.getByRole('grid', { name: 'Event list' });
    this.rows = this.eventList.getByRole('row').filter({ has: page.getByRole('gridcell') });
    this.inspector = page.getByRole('region', { name: 'Hop inspector' });
    this.stepForward = page.getByRole('button', { name: 'Step forward' });
    this.stepBack = page.getByRole('button', { name: 'Step back' });
    this.topology = page.getByRole('region', { name: 'Topology' });
    this.resources = page.getByRole('region', { name: 'Resources' });
    this.panel = this.root.getByRole('tabpanel');
    this.play = this.root.getByRole('button', { name: /^(▶ Play|⏸ Pause)$/ });
    this.eventCount = this.root.getByRole('status').filter({ hasText: / events$/ });
  }

  tab(name: ViewName): Locator {
    return this.root.getByRole('tab', { name });
  }

  async open(name: ViewName): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
  }

  filter(protocol: string): Locator {
    return this.root.getByRole('checkbox', { name: protocol });
  }

  /** Step forward until the inspector shows `text`, as a learner pressing Forward would; fails after `max` steps. */
  async stepUntilInspector(text: RegExp, max = 200, by: 'button' | 'keyboard' = 'button'): Promise<number> {
    for (let i = 0; i < max; i++) {
      if (text.test((await this.inspector.textContent()) ?? '')) return i;
      // The keyboard (ArrowDown in the focused event list) is one round trip; a click waits for actionability.
      if (by === 'keyboard') await this.page.keyboard.press('ArrowDown');
      else await this.stepForward.click();
    }
    throw new Error(`the inspector never showed ${String(text)} in ${max} steps`);
  }

  topologyNode(name: RegExp): Locator {
    return this.topology.getByRole('button', { name });
  }
}
