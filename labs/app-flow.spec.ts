/**
 * The app's path: the learner types into an interactive terminal session (as xterm.js would), the lab session
 * records each finished command and re-evaluates in the background; the exported transcript then grades to the
 * same score headlessly.
 */
import { describe, expect, it } from 'vitest';
import { createTerminalSession } from '../emulator/shell/terminal';
import type { TranscriptEntry } from '../emulator/shell/terminal-api';
import { probe } from './capabilities';
import { gradeTranscript } from './engine/grade';
import { defaultRuntime } from './engine/runtime';
import { LabSession } from './engine/session';
import { toTranscriptFile } from './engine/transcript';
import { lab as nodePortLab } from './03-nodeport/lab';
import { loadFromDisk } from './node-loader';

const r = await probe('local');
const missing = (nodePortLab.requires ?? []).filter((c) => !r.present.has(c));
if (missing.length) console.warn(`[app-flow.spec] skipped: emulator capability missing: ${missing.join(', ')}`);

describe('lab in the app terminal', () => {
  it.skipIf(missing.length > 0)('typed commands complete the lab step by step; the export grades the same headlessly', async () => {
    const lab = loadFromDisk(nodePortLab);
    const world = defaultRuntime.createWorld(lab.manifest.profile, 21);
    const session = await LabSession.start(lab, { seed: 21, runtime: defaultRuntime, world });
    const term = createTerminalSession(world, { interactive: true, cols: 120, rows: 30 });
    // The app's wall-clock ticker moves virtual time while a command waits (curl's packets, pods starting);
    // here a loop plays the ticker: 50 ms of virtual time per turn of the event loop.
    const type = async (line: string) => {
      let done = false;
      const p = term.submit(line).finally(() => (done = true));
      for (let turns = 0; !done && turns < 10_000; turns++) {
        world.scheduler.advance(50);
        await new Promise((r) => setImmediate(r));
      }
      return p;
    };
    const completions: number[] = [];
    term.onCommand((entry: TranscriptEntry) => {
      world.settle();
      session.record(entry);
      completions.push(session.view().completion);
    });
    for (const step of lab.manifest.steps) {
      for (const line of session.solution(step.id)) await type(line);
      if (step.quiz) session.answerQuiz(step.id, step.quiz.choices.filter((c) => c.correct).map((c) => c.id));
    }
    const view = session.evaluate();
    expect(view.completed).toBe(true);
    // Progress only grows, command by command, as the background checks latch.
    expect(completions).toEqual([...completions].sort((a, b) => a - b));
    expect(completions[0]).toBeLessThan(100);

    const file = toTranscriptFile({ labId: lab.manifest.id, seed: 21, profile: 'local', entries: session.transcript, quizAnswers: session.quizAnswers() });
    const report = await gradeTranscript(lab, JSON.parse(JSON.stringify(file)), defaultRuntime);
    expect(report.score).toBe(view.completion);
    expect(report.replayNotes).toEqual([]);
    term.dispose();
    session.dispose();
  });
});
