import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrations';
import { corruptStamp, openProgressDatabase } from './open-database';
import { DEFAULT_SETTINGS, ProgressStore } from './progress-store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-progress-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(file = path.join(dir, 'progress.db')) {
  const opened = openProgressDatabase(file, { now: () => Date.UTC(2026, 10, 28, 7, 0, 0) });
  return { ...opened, store: new ProgressStore(opened.db) };
}

describe('ProgressStore', () => {
  it('records attempts, hints and completion per step and completes the lab when every step is done', () => {
    const { store, db } = openStore();
    store.recordStep({ labId: 'lab1', stepId: 'a', kind: 'hint' }, { now: 10, stepCount: 2 });
    store.recordStep({ labId: 'lab1', stepId: 'a', kind: 'attempt', seed: 7, profile: 'cloud' }, { now: 20, stepCount: 2 });
    let lab = store.recordStep({ labId: 'lab1', stepId: 'a', kind: 'complete' }, { now: 30, stepCount: 2 });
    expect(lab.status).toBe('in-progress');
    expect(lab.seed).toBe(7);
    expect(lab.profile).toBe('cloud');
    expect(lab.steps).toEqual([
      { labId: 'lab1', stepId: 'a', status: 'completed', attempts: 2, hintsUsed: 1, firstAttemptAt: 20, updatedAt: 30, completedAt: 30, timeSpentMs: 0 },
    ]);
    lab = store.recordStep({ labId: 'lab1', stepId: 'b', kind: 'complete' }, { now: 40, stepCount: 2 });
    expect(lab).toMatchObject({ status: 'completed', startedAt: 10, completedAt: 40 });
    // A later failed attempt does not un-complete a step.
    lab = store.recordStep({ labId: 'lab1', stepId: 'a', kind: 'attempt' }, { now: 50, stepCount: 2 });
    expect(lab.steps[0]).toMatchObject({ status: 'completed', attempts: 3, completedAt: 30 });
    store.resetLab('lab1');
    expect(store.getLab('lab1')).toBeNull();
    db.close();
  });

  it('keeps a lab\'s seed, quiz answers, time spent and commands until the lab is reset', () => {
    const { store, db } = openStore();
    store.startLab('lab1', 7, 'local', 10);
    store.startLab('lab1', 9, 'cloud', 11); // an open later keeps the first seed
    store.setQuizAnswer('lab1', 'q', ['b'], 12);
    store.setQuizAnswer('lab1', 'q2', ['a', 'c'], 13);
    store.addTimeSpent('lab1', 's1', 1500, 14);
    store.addTimeSpent('lab1', 's1', 500, 15);
    store.appendTranscript({ labId: 'lab1', sessionId: 't1', host: 'workstation', prompt: '$ ', command: 'kubectl get svc', output: '', exitCode: 0, startedAt: 1 }, 16);
    store.appendTranscript({ labId: null, sessionId: 't2', host: 'workstation', prompt: '$ ', command: 'sandbox', output: '', exitCode: 0, startedAt: 1 }, 17);
    expect(store.getLab('lab1')).toMatchObject({ seed: 7, profile: 'local', status: 'in-progress' });
    expect(store.quizAnswers('lab1')).toEqual({ q: ['b'], q2: ['a', 'c'] });
    expect(store.getLab('lab1')?.steps).toEqual([expect.objectContaining({ stepId: 's1', timeSpentMs: 2000, attempts: 0 })]);
    expect(store.labTranscript('lab1').map((r) => r.command)).toEqual(['kubectl get svc']);
    store.resetLab('lab1');
    expect(store.getLab('lab1')).toBeNull();
    expect(store.quizAnswers('lab1')).toEqual({});
    expect(store.labTranscript('lab1')).toEqual([]);
    expect(store.listTranscript(null).map((r) => r.command)).toEqual(['sandbox']);
    db.close();
  });

  it('keeps settings with defaults for what was never set, and ignores values of the wrong type', () => {
    const { store, db } = openStore();
    expect(store.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(store.updateSettings({ theme: 'dark', seed: 9 })).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', seed: 9 });
    db.prepare("INSERT OR REPLACE INTO settings (key, value) VALUES ('fontSize', '\"huge\"')").run();
    expect(store.getSettings().fontSize).toBe(DEFAULT_SETTINGS.fontSize);
    db.close();
  });

  it('returns the most recent transcript rows in order, per lab', () => {
    const { store, db } = openStore();
    for (let i = 0; i < 5; i++) {
      store.appendTranscript(
        { labId: i % 2 ? 'lab1' : null, sessionId: 's', host: 'workstation', prompt: '$ ', command: `c${i}`, output: '', exitCode: i, startedAt: i },
        100 + i,
      );
    }
    expect(store.listTranscript(null, 2).map((r) => r.command)).toEqual(['c2', 'c4']);
    expect(store.listTranscript('lab1').map((r) => [r.command, r.exitCode, r.savedAt])).toEqual([
      ['c1', 1, 101],
      ['c3', 3, 103],
    ]);
    db.close();
  });

  it('property: attempts + completion counts match the events applied, whatever their order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('attempt', 'hint', 'complete' as const), { maxLength: 30 }), (kinds) => {
        const db = new Database(':memory:');
        migrate(db);
        const store = new ProgressStore(db);
        kinds.forEach((kind, i) => store.recordStep({ labId: 'l', stepId: 's', kind }, { now: i + 1 }));
        const step = store.getLab('l')?.steps[0];
        if (kinds.length === 0) {
          expect(step).toBeUndefined();
          return;
        }
        expect(step?.attempts).toBe(kinds.filter((k) => k !== 'hint').length);
        expect(step?.hintsUsed).toBe(kinds.filter((k) => k === 'hint').length);
        expect(step?.status).toBe(kinds.includes('complete') ? 'completed' : 'in-progress');
        const firstComplete = kinds.indexOf('complete');
        expect(step?.completedAt).toBe(firstComplete < 0 ? null : firstComplete + 1);
        db.close();
      }),
      { numRuns: 100 },
    );
  });
});

describe('schema migrations', () => {
  it('are numbered 1..N consecutively', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  // Data as an app at schema version v wrote it, for every version before the latest.
  const seeders: Record<number, (db: Database.Database) => void> = {
    0: () => {},
    1: (db) => {
      db.prepare("INSERT INTO lab_progress VALUES ('lab1', 'in-progress', 5, 100, 200, NULL)").run();
      db.prepare("INSERT INTO step_progress VALUES ('lab1', 'a', 'completed', 2, 1, 150, 150)").run();
      db.prepare("INSERT INTO step_progress VALUES ('lab1', 'b', 'not-started', 0, 0, 200, NULL)").run();
      db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"')").run();
    },
    2: (db) => {
      db.prepare("INSERT INTO lab_progress VALUES ('lab1', 'in-progress', 5, 100, 200, NULL, NULL)").run();
      db.prepare("INSERT INTO step_progress VALUES ('lab1', 'a', 'completed', 2, 1, 150, 150, 150)").run();
      db.prepare("INSERT INTO step_progress VALUES ('lab1', 'b', 'not-started', 0, 0, 200, NULL, NULL)").run();
      db.prepare("INSERT INTO settings VALUES ('theme', '\"dark\"')").run();
    },
  };

  for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
    it(`migrate from version ${from} to ${LATEST_SCHEMA_VERSION} keeps the data`, () => {
      const file = path.join(dir, `v${from}.db`);
      const old = new Database(file);
      migrate(old, from);
      expect(schemaVersion(old)).toBe(from);
      const seed = seeders[from];
      if (!seed) throw new Error(`no seeder for schema version ${from}: add one with the new migration`);
      seed(old);
      old.close();

      const { store, db, recovery } = openStore(file);
      expect(recovery).toBeNull();
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      if (from >= 1) {
        const lab = store.getLab('lab1');
        expect(lab).toMatchObject({ status: 'in-progress', seed: 5, profile: null, startedAt: 100 });
        expect(lab?.steps.map((s) => [s.stepId, s.status, s.attempts, s.hintsUsed, s.firstAttemptAt])).toEqual([
          ['a', 'completed', 2, 1, 150],
          ['b', 'not-started', 0, 0, null],
        ]);
        expect(store.getSettings().theme).toBe('dark');
      }
      // The latest schema's tables work after the migration.
      store.appendTranscript(
        { labId: null, sessionId: 's', host: 'h', prompt: '$ ', command: 'ls', output: '', exitCode: 0, startedAt: 1 },
        2,
      );
      expect(store.listTranscript(null)).toHaveLength(1);
      db.close();
    });
  }
});

describe('opening a damaged database', () => {
  it('moves a garbage file aside, tells the learner, and continues with a fresh database', () => {
    const file = path.join(dir, 'progress.db');
    fs.writeFileSync(file, 'this is not a database '.repeat(500));
    fs.writeFileSync(`${file}-wal`, 'junk wal');
    const { store, db, recovery, persistent } = openStore(file);
    const expected = `${file}.corrupt-${corruptStamp(Date.UTC(2026, 10, 28, 7, 0, 0))}`;
    expect(recovery?.movedTo).toBe(expected);
    expect(recovery?.message).toMatch(/could not be read/);
    expect(recovery?.message).toContain(expected);
    expect(persistent).toBe(true);
    expect(fs.readFileSync(expected, 'utf8')).toMatch(/^this is not a database/);
    expect(fs.readFileSync(`${expected}-wal`, 'utf8')).toBe('junk wal');
    store.updateSettings({ theme: 'light' });
    db.close();
    const again = openStore(file);
    expect(again.recovery).toBeNull();
    expect(again.store.getSettings().theme).toBe('light');
    again.db.close();
  });

  it('recovers a truncated database (valid header, missing pages)', () => {
    const file = path.join(dir, 'progress.db');
    const first = openStore(file);
    for (let i = 0; i < 200; i++) first.store.recordStep({ labId: 'l', stepId: `s${i}`, kind: 'complete' }, { now: i });
    first.db.pragma('wal_checkpoint(TRUNCATE)');
    first.db.close();
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 3));
    const { recovery, store, db } = openStore(file);
    expect(recovery?.movedTo).toMatch(/\.corrupt-/);
    expect(store.listLabs()).toEqual([]);
    db.close();
  });

  it('moves aside a database from a newer app version instead of misreading it', () => {
    const file = path.join(dir, 'progress.db');
    const db0 = new Database(file);
    db0.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db0.close();
    const { recovery, db } = openStore(file);
    expect(recovery?.message).toMatch(/newer version/);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('keeps going in memory, and says so, when the progress folder cannot be created', () => {
    // A file where the folder should be: fails for root too (permission bits would not).
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, 'x');
    const { store, db, recovery, persistent } = openStore(path.join(blocker, 'progress.db'));
    expect(persistent).toBe(false);
    expect(recovery?.message).toMatch(/will not be saved/);
    expect(store.updateSettings({ theme: 'dark' }).theme).toBe('dark');
    expect(fs.readFileSync(blocker, 'utf8')).toBe('x');
    db.close();
  });
});

describe('durability', () => {
  it('loses no committed step when the writer is killed with SIGKILL mid-burst', async () => {
    const bundle = path.join(dir, 'child.cjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, 'durability-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      external: ['better-sqlite3'],
      nodePaths: [path.resolve('node_modules')],
      logLevel: 'silent',
    });
    const file = path.join(dir, 'progress.db');
    const child = spawn(process.execPath, [bundle, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: path.resolve('node_modules') },
    });
    let committed = -1;
    let buf = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const l of lines) if (/^\d+$/.test(l)) committed = Number(l);
        if (committed >= 400) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => (committed >= 400 ? resolve() : reject(new Error(`child exited early: ${stderr}`))));
    });
    expect(await exited).toBe('SIGKILL');

    const { store, db, recovery } = openStore(file);
    expect(recovery).toBeNull();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const completed = new Set(store.listLabs().flatMap((l) => l.steps.filter((s) => s.status === 'completed').map((s) => s.stepId)));
    for (let i = 0; i <= committed; i++) expect(completed.has(`step-${i}`), `step-${i} reported committed`).toBe(true);
    const transcript = store.listTranscript('lab-0', 100_000).map((r) => r.command);
    for (let i = 0; i <= committed; i += 7) expect(transcript).toContain(`echo ${i}`);
    db.close();
  });
});
