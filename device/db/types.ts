/**
 * The database as the service sees it: a narrow synchronous SQL interface, so that the engine
 * behind it (better-sqlite3 today, `node:sqlite` on a newer Node) can be swapped without
 * touching the stores. Synchronous on purpose: SQLite is in-process and a transaction that
 * cannot be interleaved with other JavaScript is what makes "row committed" mean something.
 */

/** A value SQLite stores as-is. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** Named parameters (`@name` / `:name` in the SQL) or positional ones. */
export type SqlParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];

export interface RunResult {
  /** Rows changed by the statement. */
  readonly changes: number;
  readonly lastInsertRowid: number | bigint;
}

/** A prepared statement; `Row` is the shape the caller expects back (not checked at runtime). */
export interface SqlStatement<Row = Record<string, SqlValue>> {
  run(params?: SqlParams): RunResult;
  get(params?: SqlParams): Row | undefined;
  all(params?: SqlParams): Row[];
  iterate(params?: SqlParams): IterableIterator<Row>;
}

export interface SqlDatabase {
  /** Runs one or more statements without parameters (DDL, pragmas). */
  exec(sql: string): void;
  prepare<Row = Record<string, SqlValue>>(sql: string): SqlStatement<Row>;
  /**
   * Runs `fn` inside BEGIN IMMEDIATE … COMMIT; anything it throws rolls back and is re-thrown.
   * With synchronous=FULL the commit is on disk when this returns.
   *
   * `durable: false` skips the fsync of this commit (synchronous=NORMAL for it): it is still
   * atomic and ordered (WAL), and becomes durable with the next durable commit. Only for writes
   * whose loss in a crash is harmless (a job marked in progress goes back to scheduled anyway).
   */
  transaction<T>(fn: () => T, opts?: { readonly durable?: boolean }): T;
  /** The path the database was opened from (':memory:' for a memory database). */
  readonly path: string;
  close(): void;
}

/** One step of the schema: applied once, in order, never edited after it shipped. */
export interface Migration {
  /** 1, 2, 3 … in list order; recorded in schema_version. */
  readonly version: number;
  /** What it adds, for the log and the schema_version row. */
  readonly name: string;
  readonly sql: string;
}
