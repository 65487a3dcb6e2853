/**
 * Applies the ordered migration list: each not yet recorded in schema_version runs in its own
 * transaction together with its schema_version row, so a crash leaves the schema at a whole
 * version. A database newer than this program is refused rather than guessed at.
 */
import { DbError } from './errors.js';
import type { Migration, SqlDatabase } from './types.js';

export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new DbError('DB_MIGRATION', `migration #${i + 1} (${m.name}) has version ${m.version}; versions must be 1, 2, 3 … in list order`, '');
    }
  });
}

/** Returns the versions it applied. */
export function migrate(db: SqlDatabase, list: readonly Migration[], now: () => Date = () => new Date()): number[] {
  checkMigrationList(list);
  db.exec(
    `CREATE TABLE IF NOT EXISTS schema_version (
       version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const current = db.prepare<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0;
  if (current > list.length) {
    throw new DbError(
      'DB_NEWER_SCHEMA',
      `database schema version ${current} is newer than this program knows (${list.length}); refusing to open it`,
      db.path,
    );
  }
  const applied: number[] = [];
  for (const m of list.slice(current)) {
    try {
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run([m.version, m.name, now().toISOString()]);
      });
    } catch (e) {
      throw new DbError('DB_MIGRATION', `migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, db.path, { cause: e });
    }
    applied.push(m.version);
  }
  return applied;
}

export function schemaVersion(db: SqlDatabase): number {
  return db.prepare<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version').get()?.v ?? 0;
}
