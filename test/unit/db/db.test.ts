import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbError, migrations, openDatabase, schemaVersion, type Migration } from '../../../device/db/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sonicart-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('opens in WAL mode with synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = openDatabase(join(dir, 'a', 'cart.db'));
    expect(db.prepare<{ journal_mode: string }>('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    expect(db.prepare<{ synchronous: number }>('PRAGMA synchronous').get()?.synchronous).toBe(2);
    expect(db.prepare<{ foreign_keys: number }>('PRAGMA foreign_keys').get()?.foreign_keys).toBe(1);
    expect(db.prepare<{ timeout: number }>('PRAGMA busy_timeout').get()?.timeout).toBe(5000);
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
  });

  it('applies only the migrations not yet recorded, and records each once', () => {
    const path = join(dir, 'cart.db');
    const first: Migration[] = [{ version: 1, name: 't1', sql: 'CREATE TABLE t1 (x INTEGER)' }];
    openDatabase(path, { migrations: first }).close();
    const second = [...first, { version: 2, name: 't2', sql: 'CREATE TABLE t2 (y INTEGER)' }];
    const db = openDatabase(path, { migrations: second });
    const rows = db.prepare<{ version: number; name: string }>('SELECT version, name FROM schema_version ORDER BY version').all();
    expect(rows.map((r) => [r.version, r.name])).toEqual([[1, 't1'], [2, 't2']]);
    db.close();
  });

  it('a failing migration leaves the schema at the previous whole version', () => {
    const path = join(dir, 'cart.db');
    const list: Migration[] = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'half', sql: 'CREATE TABLE b (y INTEGER); CREATE TABLE a (dup INTEGER)' },
    ];
    expect(() => openDatabase(path, { migrations: list })).toThrow(DbError);
    const db = openDatabase(path, { migrations: list.slice(0, 1) });
    expect(schemaVersion(db)).toBe(1);
    // table b of the failed migration was rolled back with it
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    db.close();
  });

  it('refuses a database whose schema is newer than the program', () => {
    const path = join(dir, 'cart.db');
    const list: Migration[] = [
      { version: 1, name: 'a', sql: 'CREATE TABLE a (x)' },
      { version: 2, name: 'b', sql: 'CREATE TABLE b (x)' },
    ];
    openDatabase(path, { migrations: list }).close();
    try {
      openDatabase(path, { migrations: list.slice(0, 1) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DbError);
      expect((e as DbError).code).toBe('DB_NEWER_SCHEMA');
    }
  });

  it('refuses a migration list out of order', () => {
    const list: Migration[] = [{ version: 2, name: 'x', sql: 'SELECT 1' }];
    expect(() => openDatabase(join(dir, 'c.db'), { migrations: list })).toThrow(/versions must be 1, 2, 3/);
  });

  it('the shipped list is numbered 1..n', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});

describe('SqlDatabase', () => {
  it('transaction rolls back everything when fn throws, and re-throws', () => {
    const db = openDatabase(':memory:', { migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE t (x INTEGER)' }] });
    const ins = db.prepare('INSERT INTO t (x) VALUES (?)');
    expect(() =>
      db.transaction(() => {
        ins.run([1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM t').get()?.n).toBe(0);
    expect(db.transaction(() => ins.run([2]).changes)).toBe(1);
    db.prepare('INSERT INTO t (x) VALUES (@x)').run({ x: 3 });
    expect([...db.prepare<{ x: number }>('SELECT x FROM t ORDER BY x').iterate()].map((r) => r.x)).toEqual([2, 3]);
    expect(db.prepare<{ x: number }>('SELECT x FROM t ORDER BY x').all().map((r) => r.x)).toEqual([2, 3]);
    db.close();
  });

  it('a non-durable transaction commits, and durability (synchronous=FULL) is back afterwards, also when it throws', () => {
    const db = openDatabase(join(dir, 'nd.db'), { migrations: [{ version: 1, name: 't', sql: 'CREATE TABLE t (x INTEGER)' }] });
    const sync = () => db.prepare<{ synchronous: number }>('PRAGMA synchronous').get()?.synchronous;
    db.transaction(() => db.prepare('INSERT INTO t (x) VALUES (1)').run(), { durable: false });
    expect(sync()).toBe(2);
    expect(() => db.transaction(() => { throw new Error('x'); }, { durable: false })).toThrow('x');
    expect(sync()).toBe(2);
    expect(db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM t').get()?.n).toBe(1);
    db.close();
  });

  it('jobs reference instances: an instance with jobs cannot be deleted', () => {
    const db = openDatabase(':memory:');
    db.prepare(
      `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, path, size, transfer_syntax_uid, created_at)
       VALUES ('1.2', '1.2.840.10008.5.1.4.1.1.6.1', '1.3', '1.4', 'a/b.dcm', 10, '1.2.840.10008.1.2.1', 'now')`,
    ).run();
    db.prepare(
      `INSERT INTO jobs (kind, sop_instance_uid, destination, state, updated_at, created_at) VALUES ('store', '1.2', 'pacs', 'scheduled', 'now', 'now')`,
    ).run();
    expect(() => db.prepare("DELETE FROM instances WHERE sop_instance_uid = '1.2'").run()).toThrow(/FOREIGN KEY/);
    expect(() =>
      db.prepare(`INSERT INTO jobs (kind, destination, state, updated_at, created_at) VALUES ('store', 'pacs', 'bogus', 'now', 'now')`).run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});
