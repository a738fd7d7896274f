import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { AppPage } from '../../pages/app-page';
import { startWebShellProcess, tempDataDir, type WebShellProcess } from '../../support/web-shell-process';

let shell: WebShellProcess;

test.beforeEach(async () => {
  shell = await startWebShellProcess(tempDataDir());
});
test.afterEach(async () => {
  await shell.stop();
  fs.rmSync(shell.dataDir, { recursive: true, force: true });
});

test('@web the terminal runs what the learner types and shows the output', async ({ page }, testInfo) => {
  const app = new AppPage(page);
  await app.open(shell.url);
  await app.expectTerminal(/student@workstation:~\$/);
  await app.run('echo hello from the e2e test');
  await app.expectTerminal(/^hello from the e2e test$/m);
  await app.run('nosuchcommand --flag');
  await app.expectTerminal('bash: nosuchcommand: command not found');
  // The prompt comes back after each command.
  await expect.poll(() => app.cursorLine()).toMatch(/student@workstation:~\$ $/);
  const shot = testInfo.outputPath('terminal.png');
  await page.screenshot({ path: shot });
  await testInfo.attach('terminal', { path: shot, contentType: 'image/png' });
  if (process.env['KSL_UPDATE_SCREENSHOT']) {
    fs.mkdirSync('docs', { recursive: true });
    fs.copyFileSync(shot, 'docs/screenshot.png');
  }
});

test('@web the app shell is keyboard operable and labelled for assistive technology', async ({ page }) => {
  const app = new AppPage(page);
  await app.open(shell.url);
  await expect(app.labs.getByRole('button', { name: /Sandbox/ })).toHaveAttribute('aria-current', 'page');
  await expect(app.statusBar).toContainText('Profile: local');
  await expect(app.statusBar).toContainText('Seed: 1');
  await expect(app.statusBar.getByRole('status')).toHaveText('Terminal ready');
  // Tab reaches the header controls; Ctrl+` brings the keyboard back to the terminal.
  await app.themeButton.focus();
  await page.keyboard.press('Enter');
  await expect(app.themeButton).toHaveAccessibleName('Theme: Light');
  await page.keyboard.press('Control+`');
  await page.keyboard.type('echo back in the terminal');
  await page.keyboard.press('Enter');
  await app.expectTerminal(/^back in the terminal$/m);
});

test('@web switching the profile opens a terminal in the other world', async ({ page }) => {
  const app = new AppPage(page);
  await app.open(shell.url);
  await app.profileSelect.selectOption('cloud');
  await expect(app.statusBar).toContainText('Profile: cloud');
  await app.waitReady();
  await app.run('hostname');
  await app.expectTerminal(/^laptop$/m);
});

test('@web the page and its WebSocket refuse a visitor without the token', async ({ page }) => {
  const bare = shell.url.replace(/\?token=.*$/, '');
  const res = await page.goto(bare);
  expect(res?.status()).toBe(403);
  await expect(page.locator('body')).toContainText('carries a token');
  const wrong = await page.goto(`${bare}?token=not-the-token`);
  expect(wrong?.status()).toBe(403);
});

test('@web choosing a lab from the list opens a terminal in that lab’s world', async ({ page }) => {
  const app = new AppPage(page);
  await app.open(shell.url);
  const labs = await page.evaluate(() => window.kubeServiceLab!.invoke('labs:list'));
  // The catalog ships with the app: an empty list is a build defect, not a reason to skip.
  expect(labs.length).toBeGreaterThan(0);
  const lab = labs[0]!;
  const button = app.labs.getByRole('button', { name: new RegExp(lab.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-current', 'page');
  await expect(app.statusBar).toContainText(`Lab: ${lab.title}`);
  await expect(app.statusBar).toContainText(`Profile: ${lab.profile}`);
  await app.waitReady();
  await app.run('echo in the lab');
  await app.expectTerminal(/^in the lab$/m);
});

test('@web a half-typed line that wraps stays whole when the window is resized, and runs as shown', async ({ page }) => {
  const app = new AppPage(page);
  await app.open(shell.url);
  const columns = () => page.evaluate(() => window.__kslTest!.terminal.cols);
  const wide = await columns();
  // Longer than a row at any of the widths below, so it wraps at each, at a different place.
  const typed = `echo ${'abcdefghij'.repeat(15)}`;
  await app.focusTerminal();
  await page.keyboard.insertText(typed);
  await app.expectTyped(typed);
  await page.setViewportSize({ width: 1000, height: 800 });
  await expect.poll(columns).toBeLessThan(wide);
  await app.expectTyped(typed);
  await page.keyboard.insertText('XYZ');
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect.poll(columns).toBe(wide);
  await app.expectTyped(`${typed}XYZ`);
  await page.keyboard.press('Enter');
  await expect.poll(() => app.terminalLines()).toContain(`${'abcdefghij'.repeat(15)}XYZ`);
});
