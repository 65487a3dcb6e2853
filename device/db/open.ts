/**
 * Opening the cart's database: engine + pragmas + migrations in one call, so every process
 * (service, CLI, tests, benches) sees the same schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openBetterSqlite } from './better-sqlite3.js';
import { DbError } from './errors.js';
import { migrate } from './migrate.js';
import { migrations as defaultMigrations } from './migrations.js';
import type { Migration, SqlDatabase } from './types.js';

export interface OpenDatabaseOptions {
  /** The schema to bring the file to (default: the full list in migrations.ts). */
  readonly migrations?: readonly Migration[];
  /** How long a writer waits for another process's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  readonly now?: () => Date;
}

export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): SqlDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: SqlDatabase;
  try {
    db = openBetterSqlite(path, { busyTimeoutMs: opts.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new DbError('DB_OPEN', `cannot open database ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  try {
    migrate(db, opts.migrations ?? defaultMigrations, opts.now);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}
