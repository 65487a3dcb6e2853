/**
 * SqlDatabase on better-sqlite3 12 (Node 20-compatible; 13.x needs Node 22+). The only file
 * that imports the engine, so `node:sqlite` can replace it by writing one sibling module.
 */
import Database from 'better-sqlite3';
import type { RunResult, SqlDatabase, SqlParams, SqlStatement } from './types.js';

type Engine = InstanceType<typeof Database>;
type EngineStatement = Database.Statement<unknown[], unknown>;

/** better-sqlite3 takes named parameters as one object and positional ones spread. */
function bind(params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  return Array.isArray(params) ? [...params] : [params];
}

class Statement<Row> implements SqlStatement<Row> {
  constructor(private readonly st: EngineStatement) {}
  run(params?: SqlParams): RunResult {
    const r = this.st.run(...bind(params));
    return { changes: r.changes, lastInsertRowid: r.lastInsertRowid };
  }
  get(params?: SqlParams): Row | undefined {
    return this.st.get(...bind(params)) as Row | undefined;
  }
  all(params?: SqlParams): Row[] {
    return this.st.all(...bind(params)) as Row[];
  }
  iterate(params?: SqlParams): IterableIterator<Row> {
    return this.st.iterate(...bind(params)) as IterableIterator<Row>;
  }
}

export interface EngineOptions {
  readonly busyTimeoutMs: number;
  readonly readonly?: boolean;
}

export function openBetterSqlite(path: string, opts: EngineOptions): SqlDatabase {
  const db: Engine = new Database(path, { readonly: opts.readonly ?? false, timeout: opts.busyTimeoutMs });
  // WAL: readers never block the writer; synchronous=FULL: a commit is durable when it returns
  // (NORMAL would lose the last commits on power loss, which "acknowledged = durable" forbids).
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs))}`);
  const cache = new Map<string, EngineStatement>();
  return {
    path,
    exec: (sql) => void db.exec(sql),
    prepare<Row>(sql: string): SqlStatement<Row> {
      // Statements are cached by text: the stores prepare per call for readability, SQLite
      // should not re-parse each time.
      let st = cache.get(sql);
      if (!st) {
        st = db.prepare<unknown[], unknown>(sql);
        cache.set(sql, st);
      }
      return new Statement<Row>(st);
    },
    transaction<T>(fn: () => T, o?: { readonly durable?: boolean }): T {
      if (o?.durable !== false) return db.transaction(fn).immediate();
      db.pragma('synchronous = NORMAL');
      try {
        return db.transaction(fn).immediate();
      } finally {
        db.pragma('synchronous = FULL');
      }
    },
    close: () => {
      cache.clear();
      if (db.open) db.close();
    },
  };
}
