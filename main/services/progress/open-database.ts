/**
 * Opening the progress database so that the learner never loses the app to a bad file: a database that cannot be
 * read (garbage, truncated, written by a newer app, or unreadable) is moved aside to `<file>.corrupt-<timestamp>`
 * (with its -wal/-shm companions), the learner is told in plain words, and a fresh database takes its place. If not
 * even a fresh file can be opened, progress lives in memory for this run and the learner is told that too.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrations';

export interface Recovery {
  /** Where the unreadable file now is (null when it could not be moved). */
  readonly movedTo: string | null;
  /** Technical reason, for logs. */
  readonly reason: string;
  /** What to tell the learner. */
  readonly message: string;
}

export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly file: string;
  /** Set when the file on disk could not be used. */
  readonly recovery: Recovery | null;
  /** False when progress is only kept in memory for this run. */
  readonly persistent: boolean;
}

export interface OpenOptions {
  /** Wall clock, injected so tests can name the moved-aside file. */
  readonly now?: () => number;
}

class NewerSchemaError extends Error {}

export function corruptStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL: a committed transaction survives the process being killed (the WAL is written before commit
  // returns); only an OS crash or power loss may drop the last commits. FULL would fsync on every command the
  // learner types, on the main process's thread.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 2000');
}

/**
 * Open, check and migrate. On failure `beforeClose` runs while the connection is still open: closing a connection
 * deletes a -wal file SQLite could not use, and that file may hold the learner's last commits.
 */
function openChecked(file: string, beforeClose: (err: unknown) => void = () => {}): Database.Database {
  const db = new Database(file);
  try {
    configure(db);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    const version = schemaVersion(db);
    if (version > LATEST_SCHEMA_VERSION) {
      throw new NewerSchemaError(`schema version ${version} is newer than this app's ${LATEST_SCHEMA_VERSION}`);
    }
    migrate(db);
    return db;
  } catch (err) {
    beforeClose(err);
    db.close();
    throw err;
  }
}

function moveAside(file: string, stamp: string): string | null {
  let target = `${file}.corrupt-${stamp}`;
  for (let n = 1; fs.existsSync(target); n++) target = `${file}.corrupt-${stamp}-${n}`;
  try {
    fs.renameSync(file, target);
  } catch {
    return null;
  }
  for (const suffix of ['-wal', '-shm']) {
    try {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, target + suffix);
    } catch {
      // A stale companion without its main file is ignored by SQLite only if names differ; best effort.
      try {
        fs.rmSync(file + suffix, { force: true });
      } catch {
        /* nothing more we can do */
      }
    }
  }
  return target;
}

export function openProgressDatabase(file: string, opts: OpenOptions = {}): OpenedDatabase {
  const now = opts.now ?? Date.now;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    return memoryOnly(file, err instanceof Error ? err.message : String(err), null, 'Your progress folder cannot be created.');
  }
  let movedTo: string | null = null;
  try {
    const db = openChecked(file, () => {
      if (fs.existsSync(file)) movedTo = moveAside(file, corruptStamp(now()));
    });
    return { db, file, recovery: null, persistent: true };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // `new Database` itself can throw (unreadable file) before the hook ran.
    if (movedTo === null && fs.existsSync(file)) movedTo = moveAside(file, corruptStamp(now()));
    const newer = err instanceof NewerSchemaError;
    const what = newer
      ? 'Your saved progress was written by a newer version of Kube Service Lab, so this version cannot read it.'
      : 'Your saved progress could not be read (the file is damaged).';
    if (movedTo) {
      try {
        const db = openChecked(file);
        return {
          db,
          file,
          persistent: true,
          recovery: {
            movedTo,
            reason,
            message: `${what} It was kept as ${movedTo} and a fresh progress file was started. Earlier lab progress is not shown.`,
          },
        };
      } catch (err2) {
        return memoryOnly(file, `${reason}; then: ${err2 instanceof Error ? err2.message : String(err2)}`, movedTo, what);
      }
    }
    return memoryOnly(file, reason, null, what);
  }
}

function memoryOnly(file: string, reason: string, movedTo: string | null, what: string): OpenedDatabase {
  const db = new Database(':memory:');
  migrate(db);
  const kept = movedTo ? ` It was kept as ${movedTo}.` : ` The file ${file} was left as it is.`;
  return {
    db,
    file,
    persistent: false,
    recovery: {
      movedTo,
      reason,
      message: `${what}${kept} Progress from this session will not be saved; check that ${path.dirname(file)} is writable.`,
    },
  };
}
