import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { AppPage } from '../../pages/app-page';
import { startWebShellProcess, tempDataDir } from '../../support/web-shell-process';

test('@web settings, step progress and the transcript are kept across a restart', async ({ page }) => {
  const dataDir = tempDataDir();
  try {
    let shell = await startWebShellProcess(dataDir);
    let app = new AppPage(page);
    await app.open(shell.url);
    // Theme cycles system → light → dark.
    await app.themeButton.click();
    await app.themeButton.click();
    await expect(app.themeButton).toHaveAccessibleName('Theme: Dark');
    await app.seedInput.fill('42');
    await app.seedInput.press('Enter');
    await expect(app.statusBar).toContainText('Seed: 42');
    await app.waitReady();
    await app.run('echo remember me');
    await app.expectTerminal(/^remember me$/m);
    await page.evaluate(() =>
      window.kubeServiceLab!.invoke('progress:record-step', { labId: '01-why-services', stepId: '01-call-by-pod-ip', kind: 'complete', seed: 42 }),
    );
    await expect
      .poll(() => page.evaluate(() => window.kubeServiceLab!.invoke('transcript:list', { labId: null }).then((rows) => rows.map((r) => r.command))))
      .toContain('echo remember me');
    await shell.stop();

    shell = await startWebShellProcess(dataDir);
    app = new AppPage(page);
    await app.open(shell.url);
    await expect(app.themeButton).toHaveAccessibleName('Theme: Dark');
    expect(await app.documentTheme()).toBe('dark');
    await expect(app.statusBar).toContainText('Seed: 42');
    const progress = await page.evaluate(() => window.kubeServiceLab!.invoke('progress:get', { labId: '01-why-services' }));
    expect(progress?.steps).toEqual([expect.objectContaining({ stepId: '01-call-by-pod-ip', status: 'completed', attempts: 1 })]);
    const transcript = await page.evaluate(() => window.kubeServiceLab!.invoke('transcript:list', { labId: null }));
    expect(transcript.map((r) => [r.command, r.output, r.exitCode])).toContainEqual(['echo remember me', 'remember me\n', 0]);
    await shell.stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('@web a damaged progress file is set aside and the learner is told in plain words', async ({ page }) => {
  const dataDir = tempDataDir();
  try {
    fs.writeFileSync(path.join(dataDir, 'progress.db'), 'garbage, not SQLite '.repeat(400));
    const shell = await startWebShellProcess(dataDir);
    const app = new AppPage(page);
    await app.open(shell.url);
    const alert = app.alerts.filter({ hasText: 'could not be read' });
    await expect(alert).toContainText(/kept as .*progress\.db\.corrupt-\d{8}T\d{6}Z/);
    await alert.getByRole('button', { name: /^Dismiss/ }).click();
    await expect(alert).toHaveCount(0);
    // The app goes on: the terminal works and a fresh database was made.
    await app.run('echo still working');
    await app.expectTerminal(/^still working$/m);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
    await shell.stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
