/**
 * The composition root with a real emulator world and a real lab: a terminal opened for the lab, `lab:start` runs
 * the lab in that world, commands submitted to the terminal are checked in the background (`lab:changed`), steps
 * are saved (`progress:changed`), the export grades, and requests are validated before any service sees them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lab as externalName } from '../labs/07-externalname/lab';
import { gradeTranscript } from '../labs/engine/grade';
import { defaultRuntime } from '../labs/engine/runtime';
import { parseTranscriptFile } from '../labs/engine/transcript';
import { loadFromDisk } from '../labs/node-loader';
import { KubeServiceLabApp } from './app';
import type { LabAnswered, LabExport, LabView, PushEvent, TerminalOpened } from './contract';
import { openEmulatorSession } from './services/emulator-session';
import { lazyLabRuntime } from './testing/lazy-lab-runtime';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-app-labs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const A = { clientId: 'a' };
const lab = loadFromDisk(externalName);

describe('KubeServiceLabApp labs', () => {
  it('runs a lab in the terminal world, checks in the background, saves and exports', async () => {
    const app = new KubeServiceLabApp({ labRuntime: lazyLabRuntime, dataDir: dir, labs: [lab], version: '0', openWorldSession: openEmulatorSession });
    const pushes: { event: PushEvent; payload: unknown }[] = [];
    app.onPush((_c, event, payload) => pushes.push({ event, payload }));
    try {
      const t = (await app.dispatch('terminal:open', { labId: lab.manifest.id, profile: 'local', cols: 100, rows: 30 }, A)) as TerminalOpened;
      let view = (await app.dispatch('lab:start', { sessionId: t.sessionId }, A)) as LabView;
      expect(view.id).toBe(lab.manifest.id);
      expect(view.seed).toBe(t.seed);
      expect(view.completion).toBe(0);
      const svc = String(view.params['svc']);

      await app.dispatch('terminal:submit', { sessionId: t.sessionId, line: `kubectl create service externalname ${svc} --external-name=api.external.com` }, A);
      const changed = pushes.filter((p) => p.event === 'lab:changed').map((p) => p.payload as { sessionId: string; view: LabView });
      expect(changed.at(-1)?.sessionId).toBe(t.sessionId);
      expect(changed.at(-1)?.view.steps[0]?.state).toBe('completed');
      expect(pushes.some((p) => p.event === 'progress:changed')).toBe(true);

      view = (await app.dispatch('lab:hint', { sessionId: t.sessionId, stepId: view.steps[1]!.id }, A)) as LabView;
      expect(view.steps[1]!.hintsShown.length).toBe(Math.min(1, lab.manifest.steps[1]!.hints?.length ?? 0));
      await expect(app.dispatch('lab:answer', { sessionId: t.sessionId, stepId: 'x', choices: 'a' }, A)).rejects.toThrow(/choices/);
      await expect(app.dispatch('lab:check', { sessionId: t.sessionId }, A)).rejects.toThrow(/stepId/);
      await expect(app.dispatch('lab:view', { sessionId: t.sessionId }, { clientId: 'b' })).rejects.toThrow(/no lab is running/);
      const quiz = lab.manifest.steps.find((s) => s.quiz)!;
      const answered = (await app.dispatch('lab:answer', { sessionId: t.sessionId, stepId: quiz.id, choices: [quiz.quiz!.choices[0]!.id] }, A)) as LabAnswered;
      expect(answered.feedback.choices.length).toBeGreaterThan(0);

      const exported = (await app.dispatch('lab:export', { labId: lab.manifest.id }, A)) as LabExport;
      const file = parseTranscriptFile(JSON.parse(JSON.stringify(exported.labs[0])));
      expect(file.entries.map((e) => e.command)).toEqual([`kubectl create service externalname ${svc} --external-name=api.external.com`]);
      const report = await gradeTranscript(lab, file, defaultRuntime);
      view = (await app.dispatch('lab:view', { sessionId: t.sessionId }, A)) as LabView;
      expect(report.score).toBe(view.completion);

      await app.dispatch('lab:reset', { labId: lab.manifest.id }, A);
      await expect(app.dispatch('lab:view', { sessionId: t.sessionId }, A)).rejects.toThrow(/no lab is running/);
      expect(await app.dispatch('progress:get', { labId: lab.manifest.id }, A)).toBeNull();
    } finally {
      app.dispose();
    }
  }, 60_000);
});
