/**
 * The progress database's schema, as an ordered list of migrations. `PRAGMA user_version` holds the number of
 * migrations applied; opening a database applies the missing ones, each in its own transaction, so a crash
 * mid-migration leaves the previous version intact. Never edit a shipped migration: add a new one.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** The schema version this migration produces (1-based, consecutive). */
  readonly version: number;
  readonly description: string;
  readonly up: (db: Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'lab and step progress, settings',
    up: (db) =>
      db.exec(`
        CREATE TABLE lab_progress (
          lab_id       TEXT PRIMARY KEY,
          status       TEXT NOT NULL CHECK (status IN ('not-started', 'in-progress', 'completed')),
          seed         INTEGER,
          started_at   INTEGER,
          updated_at   INTEGER NOT NULL,
          completed_at INTEGER
        );
        CREATE TABLE step_progress (
          lab_id       TEXT NOT NULL,
          step_id      TEXT NOT NULL,
          status       TEXT NOT NULL CHECK (status IN ('not-started', 'in-progress', 'completed')),
          attempts     INTEGER NOT NULL DEFAULT 0,
          hints_used   INTEGER NOT NULL DEFAULT 0,
          updated_at   INTEGER NOT NULL,
          completed_at INTEGER,
          PRIMARY KEY (lab_id, step_id)
        );
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        );
      `),
  },
  {
    version: 2,
    description: 'command transcript; lab profile; first attempt time',
    up: (db) =>
      db.exec(`
        ALTER TABLE lab_progress ADD COLUMN profile TEXT;
        ALTER TABLE step_progress ADD COLUMN first_attempt_at INTEGER;
        UPDATE step_progress SET first_attempt_at = updated_at WHERE attempts > 0 OR status <> 'not-started';
        CREATE TABLE command_transcript (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          lab_id       TEXT,
          session_id   TEXT NOT NULL,
          host         TEXT NOT NULL,
          prompt       TEXT NOT NULL,
          command      TEXT NOT NULL,
          output       TEXT NOT NULL,
          exit_code    INTEGER NOT NULL,
          virtual_time INTEGER NOT NULL,
          saved_at     INTEGER NOT NULL
        );
        CREATE INDEX command_transcript_by_lab ON command_transcript (lab_id, id);
      `),
  },
  {
    version: 3,
    description: 'time spent per step; quiz answers per lab (resume replays them)',
    up: (db) =>
      db.exec(`
        ALTER TABLE step_progress ADD COLUMN time_spent_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE lab_progress ADD COLUMN quiz_answers TEXT NOT NULL DEFAULT '{}';
      `),
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring `db` from its current version up to `target` (default: latest). Returns the versions applied. */
export function migrate(db: Database, target = LATEST_SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version > target) break;
    if (m.version <= schemaVersion(db)) continue;
    db.transaction(() => {
      m.up(db);
      // user_version cannot be bound as a parameter; the value is our own integer.
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}
