/**
 * Headless grading: replay a learner's exported transcript into a fresh world built from the lab, its profile and
 * the learner's seed; evaluate checks after every command exactly as the app does (so the same transcript gets
 * the same score in the app and here); answer the quizzes from the file; report per step and per check.
 * Recorded output is never trusted: only what the emulator does on replay counts.
 */
import { LabSession, type LabRuntime } from './session';
import type { TranscriptFile } from './transcript';
import type { CheckResult, LoadedLab } from './types';

export interface GradedStep {
  readonly id: string;
  readonly title: string;
  readonly completed: boolean;
  readonly checks: readonly CheckResult[];
  readonly quiz?: { readonly answered: readonly string[] | null; readonly correct: boolean; readonly message?: string };
}

export interface ReplayNote {
  /** 0-based index of the entry in the transcript file. */
  readonly index: number;
  readonly command: string;
  readonly note: string;
}

export interface GradeReport {
  readonly labId: string;
  readonly title: string;
  readonly seed: number;
  readonly profile: string;
  /** 0–100. */
  readonly score: number;
  readonly passed: number;
  readonly total: number;
  readonly completed: boolean;
  readonly steps: readonly GradedStep[];
  readonly commandsReplayed: number;
  /** Entries that replayed on a different host than recorded, or exited differently (for the instructor). */
  readonly replayNotes: readonly ReplayNote[];
}

export class GradeError extends Error {
  override readonly name = 'GradeError';
}

export async function gradeTranscript(lab: LoadedLab, file: TranscriptFile, runtime: LabRuntime): Promise<GradeReport> {
  const m = lab.manifest;
  if (file.labId !== m.id) throw new GradeError(`transcript is for lab "${file.labId}", not "${m.id}"`);
  if (file.profile !== m.profile) throw new GradeError(`transcript profile "${file.profile}" does not match lab profile "${m.profile}"`);
  for (const stepId of Object.keys(file.quizAnswers)) {
    const step = m.steps.find((s) => s.id === stepId);
    if (!step?.quiz) throw new GradeError(`quizAnswers names "${stepId}", which is not a quiz step of lab "${m.id}"`);
  }
  const session = await LabSession.start(lab, { seed: file.seed, runtime });
  try {
    const notes: ReplayNote[] = [];
    const answerQuizzes = (): void => {
      for (const [stepId, choices] of Object.entries(file.quizAnswers)) {
        const v = session.view().steps.find((s) => s.id === stepId)!;
        if (v.state === 'active' && !v.quiz?.correct) session.answerQuiz(stepId, choices);
      }
    };
    answerQuizzes();
    for (const [index, e] of file.entries.entries()) {
      const got = await session.run(e.command, { onHost: e.host });
      if (got.host !== e.host) notes.push({ index, command: e.command, note: `ran on ${got.host}, recorded on ${e.host}` });
      else if (e.exitCode !== undefined && got.exitCode !== e.exitCode) notes.push({ index, command: e.command, note: `exit ${got.exitCode} on replay, recorded ${e.exitCode}` });
      // A quiz unlocked by this command is answered as soon as it can be, as the learner would have.
      answerQuizzes();
    }
    const view = session.evaluate();
    const steps: GradedStep[] = view.steps.map((s) => {
      const def = m.steps.find((d) => d.id === s.id)!;
      const answered = file.quizAnswers[s.id] ?? null;
      return {
        id: s.id,
        title: s.title,
        completed: s.state === 'completed',
        checks: s.checks,
        ...(def.quiz ? { quiz: gradedQuiz(s.state, answered, s.state === 'completed' || s.quiz?.correct === true) } : {}),
      };
    });
    let total = 0;
    let passed = 0;
    for (const s of steps) {
      total += s.checks.length + (s.quiz ? 1 : 0);
      passed += s.checks.filter((c) => c.passed).length + (s.quiz?.correct ? 1 : 0);
    }
    return {
      labId: m.id,
      title: m.title,
      seed: file.seed,
      profile: m.profile,
      score: total === 0 ? 100 : Math.floor((passed * 100) / total),
      passed,
      total,
      completed: view.completed,
      steps,
      commandsReplayed: file.entries.length,
      replayNotes: notes,
    };
  } finally {
    session.dispose();
  }
}

function gradedQuiz(state: string, answered: readonly string[] | null, correct: boolean): NonNullable<GradedStep['quiz']> {
  if (correct) return { answered, correct };
  const message = state === 'locked' ? 'quiz locked: complete the steps it needs first' : answered ? 'quiz answered incorrectly' : 'quiz not answered';
  return { answered, correct, message };
}

/** Plain-text report for the terminal. */
export function formatReport(r: GradeReport): string {
  const lines: string[] = [];
  lines.push(`Lab ${r.labId}: ${r.title}`);
  lines.push(`Seed ${r.seed}, profile ${r.profile}, ${r.commandsReplayed} commands replayed`);
  lines.push(`Score: ${r.score}% (${r.passed}/${r.total} checks passed)${r.completed ? ' — completed' : ''}`);
  for (const s of r.steps) {
    lines.push('');
    lines.push(`${s.completed ? '[x]' : '[ ]'} ${s.title} (${s.id})`);
    for (const c of s.checks) {
      lines.push(`    ${c.passed ? 'PASS' : 'FAIL'}  ${c.id}: ${c.description}`);
      if (!c.passed && c.message) lines.push(`          ${c.message}`);
    }
    if (s.quiz) {
      lines.push(`    ${s.quiz.correct ? 'PASS' : 'FAIL'}  quiz: ${s.quiz.answered ? `answered ${s.quiz.answered.join(', ') || '(nothing)'}` : 'not answered'}`);
      if (s.quiz.message) lines.push(`          ${s.quiz.message}`);
    }
  }
  if (r.replayNotes.length > 0) {
    lines.push('');
    lines.push('Replay notes:');
    for (const n of r.replayNotes) lines.push(`  #${n.index + 1} ${n.command}: ${n.note}`);
  }
  return lines.join('\n') + '\n';
}
