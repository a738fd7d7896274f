/**
 * The standard tests every lab gets (called from each `lab.spec.ts`):
 * - its format is valid (parameters defined, needs form a DAG, every check has a description, quizzes sound);
 * - its solution, run in a fresh world, passes every check and completes every step — and grading the exported
 *   transcript in another fresh world gives 100%;
 * - a plausible wrong attempt fails the named check with an actionable message.
 * Labs whose emulator features have not landed are skipped with the missing capabilities printed.
 */
import { describe, expect, it } from 'vitest';
import { gradeTranscript } from './engine/grade';
import { validateLab } from './engine/load';
import { render } from './engine/params';
import { defaultRuntime } from './engine/runtime';
import { LabSession } from './engine/session';
import { toTranscriptFile } from './engine/transcript';
import type { LabManifest, LabView, LoadedLab } from './engine/types';
import { probe } from './capabilities';
import { loadFromDisk } from './node-loader';

export interface WrongAttempt {
  readonly title: string;
  /** Commands the learner types instead of (part of) the solution; `{{var}}` allowed. */
  readonly commands: readonly string[];
  /** Solution steps to run first (their solutions), before the wrong commands. */
  readonly solveFirst?: readonly string[];
  readonly quizAnswers?: Readonly<Record<string, readonly string[]>>;
  /** The check that must fail, and what its message must say. */
  readonly failsCheck: string;
  readonly message: RegExp;
}

export interface LabSpecOptions {
  readonly seed?: number;
  /** One or more plausible wrong attempts (mistakes and shortcuts), each failing a named check. */
  readonly wrong: WrongAttempt | readonly WrongAttempt[];
}

/** The lab's required capabilities that do not work yet, each with the reason its functional probe gave. */
export async function missingCapabilities(m: LabManifest): Promise<string[]> {
  const r = await probe(m.profile);
  return (m.requires ?? []).filter((c) => !r.present.has(c)).map((c) => `${c} (${r.missing.get(c) ?? 'not probed'})`);
}

/** Run every step's solution and answer every quiz correctly. */
export async function solve(session: LabSession, upTo?: readonly string[]): Promise<LabView> {
  for (const step of session.lab.manifest.steps) {
    if (upTo && !upTo.includes(step.id)) continue;
    for (const line of session.solution(step.id)) await session.run(line);
    if (step.quiz) session.answerQuiz(step.id, step.quiz.choices.filter((c) => c.correct).map((c) => c.id));
  }
  return session.evaluate();
}

function failing(view: LabView): string {
  return view.steps
    .flatMap((s) => [
      ...s.checks.filter((c) => !c.passed).map((c) => `  ${s.id}/${c.id}: ${c.message}`),
      ...(s.quiz && s.state !== 'completed' ? [`  ${s.id}/quiz: ${s.quiz.correct ? 'correct but step incomplete' : 'not answered correctly'}`] : []),
    ])
    .join('\n');
}

function transcriptDump(session: LabSession): string {
  return [...session.setupTranscript.map((e) => ({ ...e, command: `(setup) ${e.command}` })), ...session.transcript]
    .map((e) => `${e.prompt}${e.command}  [exit ${e.exitCode}]\n${e.output}`)
    .join('');
}

const PROBED = new Map<string, string[]>();

/** Probe the emulator for what the lab needs; call (and await) before `labSpec`. */
export async function probeFor(manifest: LabManifest): Promise<void> {
  PROBED.set(manifest.id, await missingCapabilities(manifest));
}

export function labSpec(manifest: LabManifest, opts: LabSpecOptions): void {
  if (!PROBED.has(manifest.id)) throw new Error(`call await probeFor(lab) before labSpec(lab, …) in ${manifest.id}/lab.spec.ts`);
  const seed = opts.seed ?? manifest.defaultSeed ?? 1;
  // Top-level await in the spec module: vitest collects after the probe ran, so skipIf sees the result.
  const missing = PROBED.get(manifest.id) ?? [];
  const gated = missing.length > 0;
  describe(`lab ${manifest.id}`, () => {
    let lab: LoadedLab;
    const load = () => (lab ??= loadFromDisk(manifest));

    it('is a well-formed lab', () => {
      expect(validateLab(load())).toEqual([]);
    });

    if (gated) {
      // Printed so a skipped lab is never mistaken for a passing one.
      console.warn(`[labs] ${manifest.id}: end-to-end tests skipped — emulator capability missing: ${missing.join(', ')}`);
    }

    // Labs with randomized parameters are solved for two learner seeds (different names, ports, replica counts).
    const seeds = manifest.params ? [seed, seed + 6] : [seed];
    it.skipIf(gated).each(seeds)(`solution completes every step with every check passing, seed %i (needs: ${(manifest.requires ?? []).join(', ')})`, async (seed) => {
      const session = await LabSession.start(load(), { seed, runtime: defaultRuntime });
      try {
        const view = await solve(session);
        if (!view.completed) console.error(`${manifest.id} failing checks:\n${failing(view)}\n--- transcript ---\n${transcriptDump(session)}`);
        expect(failing(view)).toBe('');
        expect(view.completed).toBe(true);
        expect(view.completion).toBe(100);

        // The exported transcript grades to 100% in another fresh world (replay is deterministic).
        const file = toTranscriptFile({
          labId: manifest.id,
          seed,
          profile: manifest.profile,
          entries: session.transcript,
          quizAnswers: session.quizAnswers(),
        });
        const report = await gradeTranscript(load(), JSON.parse(JSON.stringify(file)), defaultRuntime);
        expect(report.score).toBe(100);
        expect(report.replayNotes).toEqual([]);
      } finally {
        session.dispose();
      }
    });

    for (const wrong of Array.isArray(opts.wrong) ? (opts.wrong as readonly WrongAttempt[]) : [opts.wrong as WrongAttempt]) {
      it.skipIf(gated)(`wrong attempt — ${wrong.title} — fails ${wrong.failsCheck}`, async () => {
        const session = await LabSession.start(load(), { seed, runtime: defaultRuntime });
        try {
          if (wrong.solveFirst) await solve(session, wrong.solveFirst);
          for (const line of wrong.commands) await session.run(render(line, session.params));
          for (const [step, answer] of Object.entries(wrong.quizAnswers ?? {})) session.answerQuiz(step, answer);
          const view = session.evaluate();
          const result = view.steps.flatMap((s) => s.checks).find((c) => c.id === wrong.failsCheck);
          expect(result, `check ${wrong.failsCheck} exists`).toBeDefined();
          if (result!.passed) console.error(`--- transcript ---\n${transcriptDump(session)}`);
          expect(result!.passed).toBe(false);
          expect(result!.message).toMatch(wrong.message);
          expect(view.completed).toBe(false);
        } finally {
          session.dispose();
        }
      });
    }
  });
}
