/**
 * @web `svclab grade --ui` and the headless grader agree: the same transcript (a learner who did part of lab 07 and
 * got a quiz wrong) replayed through the real app in Chromium and through the emulator alone gives the same score
 * and the same verdict for every check.
 */
import { expect, test } from '@playwright/test';
import { gradeThroughUi } from '../../../cli/commands/grade-ui';
import { lab as externalName } from '../../../labs/07-externalname/lab';
import { gradeTranscript } from '../../../labs/engine/grade';
import { render } from '../../../labs/engine/params';
import { defaultRuntime } from '../../../labs/engine/runtime';
import { LabSession } from '../../../labs/engine/session';
import { toTranscriptFile } from '../../../labs/engine/transcript';
import { loadFromDisk } from '../../../labs/node-loader';
import { CHROMIUM } from '../../../playwright.config';

test.describe.configure({ timeout: 180_000 });

test('@web grade --ui reads the same score from the app as the headless grade', async () => {
  const lab = loadFromDisk(externalName);
  const seed = 9;
  const session = await LabSession.start(lab, { seed, runtime: defaultRuntime });
  const [first, second] = lab.manifest.steps;
  for (const line of [...(first!.solution ?? []), ...(second!.solution ?? [])]) await session.run(render(line, session.params));
  const quizStep = lab.manifest.steps.find((s) => s.quiz)!;
  const wrong = quizStep.quiz!.choices.find((c) => !c.correct)!.id;
  const file = JSON.parse(
    JSON.stringify(toTranscriptFile({ labId: lab.manifest.id, seed, profile: lab.manifest.profile, entries: session.transcript, quizAnswers: { [quizStep.id]: [wrong] } })),
  );
  session.dispose();

  const headless = await gradeTranscript(lab, file, defaultRuntime);
  const ui = await gradeThroughUi(lab, file, { chromium: CHROMIUM });
  expect(headless.score).toBeGreaterThan(0);
  expect(headless.score).toBeLessThan(100);
  expect(ui.score).toBe(headless.score);
  const verdicts = (checks: readonly { id: string; passed: boolean }[]) => Object.fromEntries(checks.map((c) => [c.id, c.passed]));
  const headlessChecks = headless.steps.flatMap((s) => s.checks);
  expect(verdicts(ui.checks.filter((c) => c.id !== 'quiz'))).toEqual(verdicts(headlessChecks));
  expect([ui.passed, ui.total]).toEqual([headless.passed, headless.total]);
});
