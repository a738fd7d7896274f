import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lab as nodePortLab } from '../../labs/03-nodeport/lab';
import { gradeTranscript } from '../../labs/engine/grade';
import { defaultRuntime, shellFor } from '../../labs/engine/runtime';
import { drawParams, render } from '../../labs/engine/params';
import { parseTranscriptFile } from '../../labs/engine/transcript';
import { loadFromDisk } from '../../labs/node-loader';
import type { LabProgress } from '../contract';
import { Shell } from '../../emulator/shell/interpreter';
import { LabSessions } from './lab-sessions';
import { openProgressDatabase } from './progress/open-database';
import { ProgressStore } from './progress/progress-store';

const lab = loadFromDisk(nodePortLab);
const SEED = 21;
let dir: string;
let closers: (() => void)[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-labsessions-'));
});
afterEach(() => {
  for (const c of closers.splice(0)) c();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One app run: a store on the data dir, a lab world with the seed the service asks for, a shell that plays the terminal. */
function appRun(clock: { t: number }) {
  const opened = openProgressDatabase(path.join(dir, 'progress.db'), { now: () => clock.t });
  const store = new ProgressStore(opened.db);
  const views: unknown[] = [];
  const progress: LabProgress[] = [];
  const sessions = new LabSessions({
    labs: [lab],
    store,
    runtime: async () => defaultRuntime,
    now: () => clock.t,
    push: { view: (_c, _s, v) => views.push(v), progress: (p) => progress.push(p) },
    pollMs: 0,
  });
  const seed = sessions.seedFor(lab.manifest.id) ?? SEED;
  const world = defaultRuntime.createWorld('local', seed);
  const terminal = shellFor(world);
  closers.push(() => (sessions.dispose(), opened.db.close()));
  /** Type a line as the learner: the terminal runs it, the app saves it and tells the lab. */
  const type = async (line: string) => {
    clock.t += 1000;
    const entry = await terminal.submit(line);
    sessions.onCommand('t1', entry);
    store.appendTranscript({ ...entry, sessionId: 't1', labId: lab.manifest.id }, clock.t);
    return entry;
  };
  return { store, sessions, world, seed, type, views, progress };
}

describe('LabSessions', () => {
  it('runs a lab in the terminal world, saves every step, resumes after a restart and exports a gradeable transcript', async () => {
    const clock = { t: 1_000_000 };
    let run = appRun(clock);
    expect(run.seed).toBe(lab.manifest.defaultSeed ?? run.seed);
    let view = await run.sessions.start('t1', 'c1', { labId: lab.manifest.id, seed: run.seed, profile: 'local', world: run.world });
    expect(view.completion).toBeLessThan(100);
    const [first, second] = lab.manifest.steps;

    // A Check with nothing done fails and counts an attempt; a hint is counted.
    view = run.sessions.check('t1', 'c1', first!.id);
    expect(view.steps[0]!.checks.some((c) => !c.passed && (c.message ?? '').length > 0)).toBe(true);
    expect(view.steps[0]!.attempts).toBe(1);
    if ((first!.hints?.length ?? 0) > 0) {
      view = run.sessions.hint('t1', 'c1', first!.id);
      expect(view.steps[0]!.hintsShown).toHaveLength(1);
    }

    // Solve the first step by typing its solution.
    const params = drawParams(lab.manifest, run.seed);
    for (const line of first!.solution ?? []) await run.type(render(line, params));
    if (first!.quiz) run.sessions.answer('t1', 'c1', first!.id, first!.quiz.choices.filter((c) => c.correct).map((c) => c.id));
    view = run.sessions.view('t1', 'c1');
    expect(view.steps[0]!.state).toBe('completed');
    const midCompletion = view.completion;
    // A variable and a directory the learner will still count on after the restart.
    await run.type('SVC_NAME=currency-exchange');
    await run.type('cd /tmp');
    expect(midCompletion).toBeGreaterThan(0);
    const saved = run.store.getLab(lab.manifest.id)!;
    expect(saved.seed).toBe(run.seed);
    expect(saved.steps.find((s) => s.stepId === first!.id)).toMatchObject({ status: 'completed' });
    expect(saved.steps.find((s) => s.stepId === first!.id)!.timeSpentMs).toBeGreaterThan(0);
    expect(run.progress.at(-1)?.labId).toBe(lab.manifest.id);
    closers.splice(0).forEach((c) => c());

    // Restart: a new store over the same file, a fresh world from the saved seed; the lab resumes where it was.
    run = appRun(clock);
    // The terminal redraws what the learner saw: every command after its prompt, then its output, in CRLF.
    const screen = run.sessions.resumedScreen(lab.manifest.id, run.seed);
    const typed = run.store.labTranscript(lab.manifest.id);
    expect(typed.length).toBeGreaterThan(0);
    expect(screen).toBe(typed.map((e) => `${e.prompt}${e.command}\r\n${e.output.replace(/\n/g, '\r\n')}`).join(''));
    expect(screen).toContain(`student@workstation:~$ ${render(first!.solution![0]!, params)}\r\n`);
    expect(screen.replace(/\r\n/g, '')).not.toMatch(/\n/);
    // Another seed's world would not match what is on screen: nothing is redrawn.
    expect(run.sessions.resumedScreen(lab.manifest.id, run.seed + 1)).toBe('');
    const terminalShell = new Shell(run.world, run.world.loginHost, { interactive: false, columns: () => 80 });
    view = await run.sessions.start('t1', 'c1', { labId: lab.manifest.id, seed: run.seed, profile: 'local', world: run.world, shell: terminalShell });
    expect(view.steps[0]!.state).toBe('completed');
    expect(view.steps[0]!.attempts).toBeGreaterThanOrEqual(1);
    // The terminal's shell has what the replay rebuilt: the variable, the directory, the history (arrow up).
    expect(terminalShell.env.get('SVC_NAME')).toBe('currency-exchange');
    expect(terminalShell.cwd).toBe('/tmp');
    expect(terminalShell.history().slice(-2)).toEqual(['SVC_NAME=currency-exchange', 'cd /tmp']);
    expect(view.completion).toBe(midCompletion);
    if (second) expect(view.steps[1]!.state).not.toBe('completed');

    // Finish the lab, export it, and grade the export headlessly: same score as the panel shows.
    for (const step of lab.manifest.steps.slice(1)) {
      for (const line of step.solution ?? []) await run.type(render(line, params));
      if (step.quiz) run.sessions.answer('t1', 'c1', step.id, step.quiz.choices.filter((c) => c.correct).map((c) => c.id));
    }
    view = run.sessions.view('t1', 'c1');
    expect(view.completion).toBe(100);
    expect(view.completed).toBe(true);
    const exported = run.sessions.export(lab.manifest.id);
    expect(exported.labs).toHaveLength(1);
    expect(exported.labs[0]!.progress?.status).toBe('completed');
    const file = parseTranscriptFile(JSON.parse(JSON.stringify(exported.labs[0])));
    const report = await gradeTranscript(lab, file, defaultRuntime);
    expect(report.score).toBe(100);

    // Reset forgets everything; the next open starts from zero.
    run.sessions.reset(lab.manifest.id);
    expect(run.store.getLab(lab.manifest.id)).toBeNull();
    expect(run.store.labTranscript(lab.manifest.id)).toEqual([]);
    expect(() => run.sessions.view('t1', 'c1')).toThrow(/no lab is running/);
  }, 120_000);

  it('a lab left inside ssh resumes inside it: the same host, directory and variables, and exit leaves as ssh does', async () => {
    const clock = { t: 9_000 };
    let run = appRun(clock);
    await run.sessions.start('t1', 'c1', { labId: lab.manifest.id, seed: run.seed, profile: 'local', world: run.world });
    await run.type('ssh worker-1');
    await run.type('cd /etc');
    const last = await run.type('NODE_VAR=kept');
    expect(last.host).toBe('node/worker-1');
    closers.splice(0).forEach((c) => c());

    run = appRun(clock);
    const terminalShell = new Shell(run.world, run.world.loginHost, { interactive: true, columns: () => 80 });
    await run.sessions.start('t1', 'c1', { labId: lab.manifest.id, seed: run.seed, profile: 'local', world: run.world, shell: terminalShell });
    expect(terminalShell.hostStack.map((h) => h.id)).toEqual(['workstation', 'node/worker-1']);
    expect(terminalShell.cwd).toBe('/etc');
    expect(terminalShell.env.get('NODE_VAR')).toBe('kept');
    let out = '';
    const sink = { write: (t: string) => void (out += t) };
    await terminalShell.run('exit\n', { stdin: '', stdout: sink, stderr: sink, stdoutIsTerminal: true }, new AbortController().signal);
    expect(out).toBe('logout\nConnection to worker-1 closed.\n');
    expect(terminalShell.host.id).toBe('workstation');
  }, 60_000);

  it('a wrong quiz answer counts an attempt and is saved; another client cannot drive the session', async () => {
    const clock = { t: 5_000 };
    const run = appRun(clock);
    await run.sessions.start('t1', 'c1', { labId: lab.manifest.id, seed: run.seed, profile: 'local', world: run.world });
    expect(() => run.sessions.check('t1', 'other-client', lab.manifest.steps[0]!.id)).toThrow(/no lab is running/);
    const quizStep = lab.manifest.steps.find((s) => s.quiz && (s.needs ?? []).length === 0);
    if (!quizStep) return;
    const wrong = quizStep.quiz!.choices.find((c) => !c.correct)!;
    const { feedback, view } = run.sessions.answer('t1', 'c1', quizStep.id, [wrong.id]);
    expect(feedback.correct).toBe(false);
    expect(view.steps.find((s) => s.id === quizStep.id)!.attempts).toBe(1);
    expect(run.store.quizAnswers(lab.manifest.id)).toEqual({ [quizStep.id]: [wrong.id] });
  }, 60_000);

  it('redraws a resumed terminal from the newest commands: at most 200, at most 256 KiB, whole commands', () => {
    const clock = { t: 1_000 };
    const run = appRun(clock);
    const id = lab.manifest.id;
    run.store.startLab(id, run.seed, 'local', clock.t);
    const entry = (i: number, output: string) => ({
      ...{ host: 'workstation', prompt: 'student@workstation:~$ ', command: `echo ${i}`, output },
      ...{ exitCode: 0, startedAt: i, sessionId: 't1', labId: id },
    });
    for (let i = 0; i < 300; i++) run.store.appendTranscript(entry(i, `${i}\n`), clock.t);
    let screen = run.sessions.resumedScreen(id, run.seed);
    expect(screen.startsWith('student@workstation:~$ echo 100\r\n100\r\n')).toBe(true);
    expect(screen.endsWith('student@workstation:~$ echo 299\r\n299\r\n')).toBe(true);
    // Outputs of 100 KB each: only the newest two fit; the screen starts at a prompt, never mid-output.
    for (let i = 300; i < 305; i++) run.store.appendTranscript(entry(i, 'x'.repeat(100_000)), clock.t);
    screen = run.sessions.resumedScreen(id, run.seed);
    expect(screen.startsWith('student@workstation:~$ echo 303\r\n')).toBe(true);
    expect(screen.length).toBeLessThanOrEqual(256 * 1024);
    expect(screen).toContain('echo 304');
  });
});
