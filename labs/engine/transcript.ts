/**
 * The transcript file: what the app exports for an instructor and what `svclab grade` reads. Grading never trusts
 * the recorded output — it replays `command` lines into a fresh world built from `seed` and judges what the
 * emulator does — so `output`/`exitCode` are optional and kept only for the instructor's eyes.
 *
 * ```json
 * { "version": 1, "labId": "03-nodeport", "seed": 7, "profile": "local",
 *   "entries": [{ "host": "workstation", "command": "kubectl get svc" }],
 *   "quizAnswers": { "why": ["b"] } }
 * ```
 */
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { ProfileName } from './types';

export const TRANSCRIPT_VERSION = 1;

export interface TranscriptFileEntry {
  /** Host id the command ran on, as recorded (replay checks it lands on the same host). */
  readonly host: string;
  readonly command: string;
  readonly prompt?: string;
  readonly output?: string;
  readonly exitCode?: number;
  readonly startedAt?: number;
}

export interface TranscriptFile {
  readonly version: number;
  readonly labId: string;
  readonly seed: number;
  readonly profile: ProfileName;
  readonly entries: readonly TranscriptFileEntry[];
  /** Step id → chosen choice ids. */
  readonly quizAnswers: Readonly<Record<string, readonly string[]>>;
  /** Step id → hints revealed (informational; grading does not deduct). */
  readonly hintsUsed?: Readonly<Record<string, number>>;
}

export class TranscriptFormatError extends Error {
  override readonly name = 'TranscriptFormatError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate parsed JSON; throws `TranscriptFormatError` naming the first bad field. */
export function parseTranscriptFile(data: unknown): TranscriptFile {
  const bad = (field: string, want: string): never => {
    throw new TranscriptFormatError(`transcript: ${field} must be ${want}`);
  };
  if (!isRecord(data)) bad('the top level', 'a JSON object');
  const d = data as Record<string, unknown>;
  const version = d.version ?? TRANSCRIPT_VERSION;
  if (version !== TRANSCRIPT_VERSION) bad('version', `${TRANSCRIPT_VERSION} (got ${JSON.stringify(version)})`);
  if (typeof d.labId !== 'string' || d.labId === '') bad('labId', 'a non-empty string');
  if (typeof d.seed !== 'number' || !Number.isInteger(d.seed) || d.seed < 0) bad('seed', 'a non-negative integer');
  if (d.profile !== 'local' && d.profile !== 'cloud') bad('profile', '"local" or "cloud"');
  if (!Array.isArray(d.entries)) bad('entries', 'an array');
  const entries = (d.entries as unknown[]).map((e, i): TranscriptFileEntry => {
    if (!isRecord(e)) return bad(`entries[${i}]`, 'an object');
    if (typeof e.command !== 'string') bad(`entries[${i}].command`, 'a string');
    if (typeof e.host !== 'string') bad(`entries[${i}].host`, 'a string');
    for (const k of ['output', 'prompt'] as const) if (e[k] !== undefined && typeof e[k] !== 'string') bad(`entries[${i}].${k}`, 'a string');
    for (const k of ['exitCode', 'startedAt'] as const) if (e[k] !== undefined && typeof e[k] !== 'number') bad(`entries[${i}].${k}`, 'a number');
    return e as unknown as TranscriptFileEntry;
  });
  const quizAnswers: Record<string, string[]> = {};
  if (d.quizAnswers !== undefined) {
    if (!isRecord(d.quizAnswers)) bad('quizAnswers', 'an object of step id → array of choice ids');
    for (const [step, answer] of Object.entries(d.quizAnswers as Record<string, unknown>)) {
      if (!Array.isArray(answer) || !answer.every((a) => typeof a === 'string')) bad(`quizAnswers.${step}`, 'an array of choice ids');
      quizAnswers[step] = answer as string[];
    }
  }
  let hintsUsed: Record<string, number> | undefined;
  if (d.hintsUsed !== undefined) {
    if (!isRecord(d.hintsUsed)) bad('hintsUsed', 'an object of step id → count');
    hintsUsed = {};
    for (const [step, n] of Object.entries(d.hintsUsed as Record<string, unknown>)) {
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) bad(`hintsUsed.${step}`, 'a non-negative integer');
      hintsUsed[step] = n as number;
    }
  }
  return {
    version: TRANSCRIPT_VERSION,
    labId: d.labId as string,
    seed: d.seed as number,
    profile: d.profile as ProfileName,
    entries,
    quizAnswers,
    ...(hintsUsed ? { hintsUsed } : {}),
  };
}

/** Build the export from a live lab session's transcript (the app's "Export" and tests). */
export function toTranscriptFile(args: {
  labId: string;
  seed: number;
  profile: ProfileName;
  entries: readonly TranscriptEntry[];
  quizAnswers?: Readonly<Record<string, readonly string[]>>;
  hintsUsed?: Readonly<Record<string, number>>;
}): TranscriptFile {
  return {
    version: TRANSCRIPT_VERSION,
    labId: args.labId,
    seed: args.seed,
    profile: args.profile,
    entries: args.entries.map((e) => ({
      host: e.host,
      command: e.command,
      prompt: e.prompt,
      output: e.output,
      exitCode: e.exitCode,
      startedAt: e.startedAt,
    })),
    quizAnswers: { ...(args.quizAnswers ?? {}) },
    ...(args.hintsUsed ? { hintsUsed: { ...args.hintsUsed } } : {}),
  };
}
