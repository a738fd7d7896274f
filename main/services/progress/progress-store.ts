/**
 * Lab/step progress, the command transcript and settings, kept in SQLite. Every public write is one transaction:
 * either all of it is on disk when the call returns, or none of it is.
 */
import type { Database, Statement } from 'better-sqlite3';
import type {
  LabProgress,
  ProfileName,
  Settings,
  SettingsPatch,
  StepEventRequest,
  StepProgress,
  StepStatus,
  TranscriptRow,
} from '../../contract';

export const DEFAULT_SETTINGS: Settings = { theme: 'system', profile: 'local', seed: 1, fontSize: 14 };

interface LabRow {
  lab_id: string;
  status: StepStatus;
  seed: number | null;
  profile: ProfileName | null;
  started_at: number | null;
  updated_at: number;
  completed_at: number | null;
  quiz_answers: string;
}

interface StepRow {
  lab_id: string;
  step_id: string;
  status: StepStatus;
  attempts: number;
  hints_used: number;
  first_attempt_at: number | null;
  updated_at: number;
  completed_at: number | null;
  time_spent_ms: number;
}

interface TranscriptDbRow {
  lab_id: string | null;
  session_id: string;
  host: string;
  prompt: string;
  command: string;
  output: string;
  exit_code: number;
  virtual_time: number;
  saved_at: number;
}

function transcriptRow(r: TranscriptDbRow): TranscriptRow {
  return {
    labId: r.lab_id,
    sessionId: r.session_id,
    host: r.host,
    prompt: r.prompt,
    command: r.command,
    output: r.output,
    exitCode: r.exit_code,
    startedAt: r.virtual_time,
    savedAt: r.saved_at,
  };
}

export type TranscriptInsert = Omit<TranscriptRow, 'savedAt'>;

export interface RecordStepOptions {
  /** Wall-clock ms. */
  readonly now: number;
  /** How many steps the lab has; when every one is completed the lab is completed. */
  readonly stepCount?: number;
}

export class ProgressStore {
  readonly #db: Database;
  readonly #q: {
    lab: Statement<[string], LabRow>;
    labs: Statement<[], LabRow>;
    steps: Statement<[string], StepRow>;
    step: Statement<[string, string], StepRow>;
    upsertLab: Statement<[string, StepStatus, number | null, ProfileName | null, number, number, number | null]>;
    upsertStep: Statement<
      [string, string, StepStatus, number, number, number | null, number, number | null]
    >;
    deleteLab: Statement<[string]>;
    deleteSteps: Statement<[string]>;
    settings: Statement<[], { key: string; value: string }>;
    setSetting: Statement<[string, string]>;
    insertTranscript: Statement<
      [string | null, string, string, string, string, string, number, number, number]
    >;
    transcript: Statement<[string | null, number], TranscriptDbRow>;
    labTranscript: Statement<[string], TranscriptDbRow>;
    deleteTranscript: Statement<[string]>;
    ensureLab: Statement<[string, number, ProfileName, number, number]>;
    setQuizAnswers: Statement<[string, number, string]>; // answers JSON, now, lab id
    ensureStep: Statement<[string, string, number]>;
    addTime: Statement<[number, number, string, string]>;
  };

  constructor(db: Database) {
    this.#db = db;
    this.#q = {
      lab: db.prepare('SELECT * FROM lab_progress WHERE lab_id = ?'),
      labs: db.prepare('SELECT * FROM lab_progress ORDER BY lab_id'),
      steps: db.prepare('SELECT * FROM step_progress WHERE lab_id = ? ORDER BY step_id'),
      step: db.prepare('SELECT * FROM step_progress WHERE lab_id = ? AND step_id = ?'),
      upsertLab: db.prepare(`
        INSERT INTO lab_progress (lab_id, status, seed, profile, started_at, updated_at, completed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (lab_id) DO UPDATE SET status = excluded.status, seed = excluded.seed,
          profile = excluded.profile, updated_at = excluded.updated_at, completed_at = excluded.completed_at`),
      upsertStep: db.prepare(`
        INSERT INTO step_progress (lab_id, step_id, status, attempts, hints_used, first_attempt_at, updated_at,
          completed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (lab_id, step_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
          hints_used = excluded.hints_used, first_attempt_at = excluded.first_attempt_at,
          updated_at = excluded.updated_at, completed_at = excluded.completed_at`),
      deleteLab: db.prepare('DELETE FROM lab_progress WHERE lab_id = ?'),
      deleteSteps: db.prepare('DELETE FROM step_progress WHERE lab_id = ?'),
      settings: db.prepare('SELECT key, value FROM settings'),
      setSetting: db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
      insertTranscript: db.prepare(`
        INSERT INTO command_transcript (lab_id, session_id, host, prompt, command, output, exit_code, virtual_time,
          saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      transcript: db.prepare(`
        SELECT * FROM (SELECT * FROM command_transcript WHERE lab_id IS ? ORDER BY id DESC LIMIT ?) ORDER BY id`),
      labTranscript: db.prepare('SELECT * FROM command_transcript WHERE lab_id = ? ORDER BY id'),
      deleteTranscript: db.prepare('DELETE FROM command_transcript WHERE lab_id = ?'),
      ensureLab: db.prepare(`
        INSERT INTO lab_progress (lab_id, status, seed, profile, started_at, updated_at) VALUES (?, 'in-progress', ?, ?, ?, ?)
        ON CONFLICT (lab_id) DO NOTHING`),
      setQuizAnswers: db.prepare('UPDATE lab_progress SET quiz_answers = ?, updated_at = ? WHERE lab_id = ?'),
      ensureStep: db.prepare(`
        INSERT INTO step_progress (lab_id, step_id, status, updated_at) VALUES (?, ?, 'in-progress', ?)
        ON CONFLICT (lab_id, step_id) DO NOTHING`),
      addTime: db.prepare(
        'UPDATE step_progress SET time_spent_ms = time_spent_ms + ?, updated_at = ? WHERE lab_id = ? AND step_id = ?',
      ),
    };
  }

  // --- progress -------------------------------------------------------------------------------------------------

  getLab(labId: string): LabProgress | null {
    const lab = this.#q.lab.get(labId);
    return lab ? this.#toLab(lab) : null;
  }

  listLabs(): LabProgress[] {
    return this.#q.labs.all().map((r) => this.#toLab(r));
  }

  /** Apply one step event (a failed check, a hint, a pass) to the step and its lab, in one transaction. */
  recordStep(req: StepEventRequest, opts: RecordStepOptions): LabProgress {
    return this.#db.transaction((): LabProgress => {
      const now = opts.now;
      const prev = this.#q.step.get(req.labId, req.stepId);
      const completedBefore = prev?.status === 'completed';
      const status: StepStatus = req.kind === 'complete' || completedBefore ? 'completed' : 'in-progress';
      const attempts = (prev?.attempts ?? 0) + (req.kind === 'hint' ? 0 : 1);
      const hints = (prev?.hints_used ?? 0) + (req.kind === 'hint' ? 1 : 0);
      const firstAttempt = prev?.first_attempt_at ?? (req.kind === 'hint' ? null : now);
      const completedAt = prev?.completed_at ?? (status === 'completed' ? now : null);
      this.#q.upsertStep.run(req.labId, req.stepId, status, attempts, hints, firstAttempt, now, completedAt);

      const lab = this.#q.lab.get(req.labId);
      const steps = this.#q.steps.all(req.labId);
      const done = steps.filter((s) => s.status === 'completed').length;
      const labCompleted = opts.stepCount !== undefined && opts.stepCount > 0 && done >= opts.stepCount;
      this.#q.upsertLab.run(
        req.labId,
        labCompleted ? 'completed' : 'in-progress',
        req.seed ?? lab?.seed ?? null,
        req.profile ?? lab?.profile ?? null,
        lab?.started_at ?? now,
        now,
        labCompleted ? (lab?.completed_at ?? now) : null,
      );
      return this.getLab(req.labId)!;
    })();
  }

  /** Reset = start over: the lab's steps, its seed, its quiz answers and its commands all go. */
  resetLab(labId: string): void {
    this.#db.transaction(() => {
      this.#q.deleteSteps.run(labId);
      this.#q.deleteLab.run(labId);
      this.#q.deleteTranscript.run(labId);
    })();
  }

  /** The learner opened a lab: remember the seed and profile its world is built from (kept if already there). */
  startLab(labId: string, seed: number, profile: ProfileName, now: number): LabProgress {
    this.#q.ensureLab.run(labId, seed, profile, now, now);
    return this.getLab(labId)!;
  }

  /** Step id → the learner's latest quiz answer (replayed on resume, exported for grading). */
  quizAnswers(labId: string): Record<string, string[]> {
    const raw = this.#q.lab.get(labId)?.quiz_answers ?? '{}';
    try {
      const v: unknown = JSON.parse(raw);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string[]>) : {};
    } catch {
      return {};
    }
  }

  setQuizAnswer(labId: string, stepId: string, choices: readonly string[], now: number): void {
    this.#db.transaction(() => {
      const answers = { ...this.quizAnswers(labId), [stepId]: [...choices] };
      this.#q.setQuizAnswers.run(JSON.stringify(answers), now, labId);
    })();
  }

  /** Add wall-clock time the learner spent on a step. */
  addTimeSpent(labId: string, stepId: string, ms: number, now: number): void {
    if (!(ms > 0)) return;
    this.#db.transaction(() => {
      this.#q.ensureStep.run(labId, stepId, now);
      this.#q.addTime.run(Math.round(ms), now, labId, stepId);
    })();
  }

  /** Every command of a lab since its last reset, oldest first (resume replays them; export writes them). */
  labTranscript(labId: string): TranscriptRow[] {
    return this.#q.labTranscript.all(labId).map(transcriptRow);
  }

  // --- transcript -----------------------------------------------------------------------------------------------

  appendTranscript(row: TranscriptInsert, savedAt: number): void {
    this.#q.insertTranscript.run(
      row.labId,
      row.sessionId,
      row.host,
      row.prompt,
      row.command,
      row.output,
      row.exitCode,
      row.startedAt,
      savedAt,
    );
  }

  listTranscript(labId: string | null, limit = 100): TranscriptRow[] {
    return this.#q.transcript.all(labId, limit).map(transcriptRow);
  }

  // --- settings -------------------------------------------------------------------------------------------------

  getSettings(): Settings {
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const { key, value } of this.#q.settings.all()) {
      if (!(key in DEFAULT_SETTINGS)) continue;
      try {
        const v: unknown = JSON.parse(value);
        if (typeof v === typeof DEFAULT_SETTINGS[key as keyof Settings]) out[key] = v;
      } catch {
        // An unparsable value falls back to the default rather than breaking the app.
      }
    }
    return out as unknown as Settings;
  }

  updateSettings(patch: SettingsPatch): Settings {
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) this.#q.setSetting.run(key, JSON.stringify(value));
      }
    })();
    return this.getSettings();
  }

  // --- helpers --------------------------------------------------------------------------------------------------

  #toLab(r: LabRow): LabProgress {
    return {
      labId: r.lab_id,
      status: r.status,
      seed: r.seed,
      profile: r.profile,
      startedAt: r.started_at,
      updatedAt: r.updated_at,
      completedAt: r.completed_at,
      steps: this.#q.steps.all(r.lab_id).map(
        (s): StepProgress => ({
          labId: s.lab_id,
          stepId: s.step_id,
          status: s.status,
          attempts: s.attempts,
          hintsUsed: s.hints_used,
          firstAttemptAt: s.first_attempt_at,
          updatedAt: s.updated_at,
          completedAt: s.completed_at,
          timeSpentMs: s.time_spent_ms,
        }),
      ),
    };
  }
}
