/**
 * The cart's local store of DICOM instances: files in the data directory, one row each in the
 * database. "Acknowledged" means durable: put() resolves only once the file has been written
 * with the atomic write (temp + fsync + rename + directory fsync) AND its row is committed
 * (synchronous=FULL). The order matters: file first, row second, so a crash in between leaves a
 * file without a row, which start-up re-indexes (reconcile); never a row pointing at nothing.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../clock.js';
import type { SqlDatabase } from '../db/index.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { StorageError } from './errors.js';
import { readIdentity, type InstanceIdentity } from './identity.js';
import { INCOMING_DIR, INSTANCES_DIR, checkUid, isLeftover, relativeInstancePath, toRelative } from './layout.js';

export type InstanceState = 'ok' | 'missing';

export interface InstanceRecord extends InstanceIdentity {
  readonly examId: string | null;
  /** Absolute path of the file. */
  readonly path: string;
  readonly size: number;
  readonly state: InstanceState;
  /** Why the state is not ok. */
  readonly error: string | null;
  /** The calling AE that sent it to us, for received objects. */
  readonly receivedFrom: string | null;
  readonly createdAt: string;
}

export interface PutRequest extends InstanceIdentity {
  readonly examId?: string;
  readonly receivedFrom?: string;
  /** Writes the whole Part 10 file through `write` (streamed; never needs the object in memory). */
  produce(write: (chunk: Uint8Array) => Promise<void>): Promise<void>;
}

export interface InstanceFilter {
  readonly examId?: string;
  /** Received from this calling AE title. */
  readonly receivedFrom?: string;
  readonly studyInstanceUid?: string;
  readonly state?: InstanceState;
}

export interface Page {
  readonly limit: number;
  readonly offset?: number;
}

export interface ReconcileReport {
  /** Rows whose file is gone: flagged 'missing' (kept, so the loss is visible). */
  readonly missing: readonly string[];
  /** Files written but not indexed (a crash between rename and commit): indexed now. */
  readonly reindexed: readonly string[];
  /** Files that were missing and are back. */
  readonly restored: readonly string[];
  /** Temporary files of interrupted writes, removed. */
  readonly leftoversRemoved: number;
  /** Files in the store that cannot be indexed (left in place, logged). */
  readonly unreadable: readonly string[];
}

export type InstanceEvent =
  | { readonly type: 'instance-added'; readonly instance: InstanceRecord }
  | { readonly type: 'instance-missing'; readonly sopInstanceUid: string }
  | { readonly type: 'instance-deleted'; readonly sopInstanceUid: string };

export interface InstanceStoreOptions {
  /** The data directory; instances go under <dataDir>/instances. */
  readonly dataDir: string;
  readonly clock: Clock;
  readonly log?: Logger;
  /**
   * Free bytes the spool disk must keep: a put is refused with STORAGE_FULL when the disk has
   * less than this before writing (default 0: only ENOSPC refuses).
   */
  readonly reserveBytes?: number;
}

interface Row {
  sop_instance_uid: string;
  sop_class_uid: string;
  study_instance_uid: string;
  series_instance_uid: string;
  exam_id: string | null;
  path: string;
  size: number;
  frames: number;
  transfer_syntax_uid: string;
  state: InstanceState;
  error: string | null;
  received_from: string | null;
  created_at: string;
}

const COLUMNS = `sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, frames,
  transfer_syntax_uid, state, error, received_from, created_at`;

function isNoSpace(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export class InstanceStore {
  readonly dataDir: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly reserveBytes: number;
  /** UIDs being written now: a second put of the same UID must not rename over the first. */
  private readonly inFlight = new Set<string>();
  private readonly events = new Subject<InstanceEvent>();
  readonly events$: Observable<InstanceEvent> = this.events.asObservable();

  constructor(
    private readonly db: SqlDatabase,
    opts: InstanceStoreOptions,
  ) {
    this.dataDir = opts.dataDir;
    this.clock = opts.clock;
    this.log = opts.log ?? nullLogger;
    this.reserveBytes = opts.reserveBytes ?? 0;
  }

  /** Absolute path an instance is (or will be) stored at. */
  pathFor(study: string, series: string, sop: string): string {
    return join(this.dataDir, relativeInstancePath(study, series, sop));
  }

  /**
   * The directory a writer that makes its own atomic write (the capture pipeline) writes an
   * instance into, created durably; then adopt() indexes the file.
   */
  async directoryFor(study: string, series: string): Promise<string> {
    const dir = dirname(this.pathFor(study, series, '1'));
    // The writer is about to write here: the spool reserve applies to it as to put().
    await this.checkSpace(dir);
    await this.makeDirDurably(dir);
    return dir;
  }

  /** Writes and indexes an instance; resolves once file and row are durable. */
  async put(req: PutRequest): Promise<InstanceRecord> {
    const abs = this.pathFor(req.studyInstanceUid, req.seriesInstanceUid, req.sopInstanceUid);
    checkUid(req.sopClassUid, 'SOP Class UID');
    checkUid(req.transferSyntaxUid, 'Transfer Syntax UID');
    this.claim(req.sopInstanceUid);
    try {
      await this.checkSpace(abs);
      try {
        await this.makeDirDurably(dirname(abs));
        await writeFileAtomically(abs, req.produce);
      } catch (e) {
        throw this.writeError(e, abs);
      }
      return await this.index(abs, req, req.examId ?? null, req.receivedFrom ?? null);
    } finally {
      this.inFlight.delete(req.sopInstanceUid);
    }
  }

  /** Copies a Part 10 file from elsewhere into the store (its identity read from its header). */
  async importFile(source: string, extras: { examId?: string; receivedFrom?: string } = {}): Promise<InstanceRecord> {
    const id = await readIdentity(source);
    return this.put({
      ...id,
      ...extras,
      produce: async (write) => {
        for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) await write(chunk as Buffer);
      },
    });
  }

  /**
   * Indexes a file already written atomically at its place in the store (by a writer given
   * directoryFor()); resolves once the row is committed. The header must agree with the path.
   */
  async adopt(path: string, extras: { examId?: string; receivedFrom?: string } = {}): Promise<InstanceRecord> {
    const id = await readIdentity(path);
    const expected = this.pathFor(id.studyInstanceUid, id.seriesInstanceUid, id.sopInstanceUid);
    if (expected !== path) {
      throw new StorageError('STORAGE_UNREADABLE', `${path} is not where its UIDs place it (${expected})`, path);
    }
    this.claim(id.sopInstanceUid);
    try {
      return await this.index(path, id, extras.examId ?? null, extras.receivedFrom ?? null);
    } finally {
      this.inFlight.delete(id.sopInstanceUid);
    }
  }

  /**
   * Where a writer puts an instance whose place is not known until it is whole (a received
   * object: its study and series are inside the data set): a directory on the same file system,
   * emptied by reconcile() at start-up. Then adoptReceived() moves the file to its place.
   */
  async incomingDir(): Promise<string> {
    const dir = join(this.dataDir, INCOMING_DIR);
    await this.makeDirDurably(dir);
    return dir;
  }

  /** Throws STORAGE_FULL when the spool disk is below its reserve (checked before every write). */
  async ensureSpace(what: string): Promise<void> {
    await this.checkSpace(what);
  }

  /**
   * Moves a whole, fsynced Part 10 file from incomingDir() to its place and indexes it; resolves
   * once the rename and the row are durable (the atomicity of put()). The data set must name the
   * SOP Instance UID `expectedUid` (the C-STORE's). A second copy of an instance already stored
   * is dropped (the stored one is kept: it may already have been sent or committed) when it is
   * the same object (SOP class, study, series), and refused (STORAGE_DUPLICATE) when it is not:
   * a UID reused for another object is the sender's error, and overwriting would lose data.
   */
  async adoptReceived(
    tmp: string,
    expectedUid: string,
    receivedFrom: string,
    /** Runs in the row's own transaction (the audit entry: one commit, one fsync, not two). */
    alongside?: (record: InstanceRecord) => void,
  ): Promise<{ record: InstanceRecord; duplicate: boolean }> {
    try {
      const id = await readIdentity(tmp);
      if (id.sopInstanceUid !== expectedUid) {
        throw new StorageError('STORAGE_UNREADABLE', `the data set's SOP Instance UID ${id.sopInstanceUid} differs from the request's ${expectedUid}`, tmp);
      }
      const stored = this.get(id.sopInstanceUid);
      if (stored) {
        const same = stored.sopClassUid === id.sopClassUid && stored.studyInstanceUid === id.studyInstanceUid && stored.seriesInstanceUid === id.seriesInstanceUid;
        if (!same) throw new StorageError('STORAGE_DUPLICATE', `SOP Instance UID ${id.sopInstanceUid} is already stored for another object (study/series/class differ); not replaced`, stored.path);
        await rm(tmp, { force: true });
        this.log.warn('duplicate instance received; the stored copy is kept', { sopInstanceUid: id.sopInstanceUid, receivedFrom });
        return { record: stored, duplicate: true };
      }
      const abs = this.pathFor(id.studyInstanceUid, id.seriesInstanceUid, id.sopInstanceUid);
      this.claim(id.sopInstanceUid);
      try {
        try {
          await this.makeDirDurably(dirname(abs));
          await rename(tmp, abs);
          await this.syncDir(dirname(abs));
        } catch (e) {
          throw this.writeError(e, abs);
        }
        return { record: await this.index(abs, id, null, receivedFrom, alongside), duplicate: false };
      } finally {
        this.inFlight.delete(id.sopInstanceUid);
      }
    } finally {
      await rm(tmp, { force: true }); // a refused file goes; a moved one is no longer there
    }
  }

  get(sopInstanceUid: string): InstanceRecord | undefined {
    const row = this.db.prepare<Row>(`SELECT ${COLUMNS} FROM instances WHERE sop_instance_uid = ?`).get([sopInstanceUid]);
    return row ? this.toRecord(row) : undefined;
  }

  /** Absolute path of a stored instance. */
  pathOf(sopInstanceUid: string): string {
    const rec = this.get(sopInstanceUid);
    if (!rec) throw new StorageError('STORAGE_NOT_FOUND', `no stored instance ${sopInstanceUid}`);
    return rec.path;
  }

  /** Newest first. */
  list(filter: InstanceFilter = {}, page: Page = { limit: 100 }): InstanceRecord[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: Math.max(0, Math.floor(page.limit)), offset: Math.max(0, Math.floor(page.offset ?? 0)) };
    if (filter.examId !== undefined) (where.push('exam_id = @examId'), (params['examId'] = filter.examId));
    if (filter.receivedFrom !== undefined) (where.push('received_from = @receivedFrom'), (params['receivedFrom'] = filter.receivedFrom));
    if (filter.studyInstanceUid !== undefined) (where.push('study_instance_uid = @study'), (params['study'] = filter.studyInstanceUid));
    if (filter.state !== undefined) (where.push('state = @state'), (params['state'] = filter.state));
    const sql = `SELECT ${COLUMNS} FROM instances ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, sop_instance_uid DESC LIMIT @limit OFFSET @offset`;
    return this.db.prepare<Row>(sql).all(params).map((r) => this.toRecord(r));
  }

  count(filter: InstanceFilter = {}): number {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (filter.examId !== undefined) (where.push('exam_id = @examId'), (params['examId'] = filter.examId));
    if (filter.receivedFrom !== undefined) (where.push('received_from = @receivedFrom'), (params['receivedFrom'] = filter.receivedFrom));
    if (filter.studyInstanceUid !== undefined) (where.push('study_instance_uid = @study'), (params['study'] = filter.studyInstanceUid));
    if (filter.state !== undefined) (where.push('state = @state'), (params['state'] = filter.state));
    const sql = `SELECT COUNT(*) AS n FROM instances ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return this.db.prepare<{ n: number }>(sql).get(params)?.n ?? 0;
  }

  /**
   * Removes an instance's row and file (the quota's call; it checks first that every
   * destination has it). The row goes first, in one transaction with its finished jobs: a crash
   * after the commit leaves a file without a row, which reconcile re-indexes — never a row
   * without its file.
   */
  async remove(sopInstanceUid: string): Promise<void> {
    const rec = this.get(sopInstanceUid);
    if (!rec) return;
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM jobs WHERE sop_instance_uid = ?').run([sopInstanceUid]);
      this.db.prepare('DELETE FROM instances WHERE sop_instance_uid = ?').run([sopInstanceUid]);
    });
    await rm(rec.path, { force: true });
    this.events.next({ type: 'instance-deleted', sopInstanceUid });
  }

  /**
   * Start-up check of store against database (before anything else writes): leftovers of
   * interrupted writes removed, rows without a file flagged 'missing', files without a row
   * indexed from their header (their exam taken from the study's other instances).
   */
  async reconcile(): Promise<ReconcileReport> {
    const onDisk = new Set<string>();
    const missing: string[] = [];
    const reindexed: string[] = [];
    const restored: string[] = [];
    const unreadable: string[] = [];
    let leftoversRemoved = 0;
    const root = join(this.dataDir, INSTANCES_DIR);
    const list = async (dir: string) => {
      try {
        return await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    };
    // instances/<study>/<series>/<file>: the series directories are read several at a time
    // (a year of a cart is ~1,000 of them; one at a time, their latency adds up), and the
    // relative paths are built by concatenation, as the rows store them.
    const seriesDirs: string[] = [];
    for (const study of await list(root)) {
      if (!study.isDirectory()) continue;
      for (const series of await list(join(root, study.name))) {
        if (series.isDirectory()) seriesDirs.push(`${study.name}/${series.name}`);
      }
    }
    const leftovers: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < seriesDirs.length) {
        const rel = seriesDirs[next++]!;
        for (const f of await list(join(root, rel))) {
          if (!f.isFile()) continue;
          if (isLeftover(f.name)) leftovers.push(join(root, rel, f.name));
          else if (f.name.endsWith('.dcm')) onDisk.add(`${INSTANCES_DIR}/${rel}/${f.name}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    // Received objects that were never whole (the service stopped mid-transfer).
    for (const f of await list(join(this.dataDir, INCOMING_DIR))) if (f.isFile()) leftovers.push(join(this.dataDir, INCOMING_DIR, f.name));
    for (const f of leftovers) await rm(f, { force: true });
    leftoversRemoved = leftovers.length;

    // Paths only, from the covering index on path: building 100,000 row objects costs more
    // than the whole directory walk.
    const known = new Set(this.db.prepare('SELECT path FROM instances').column() as string[]);
    const orphans: string[] = [];
    for (const rel of onDisk) if (!known.delete(rel)) orphans.push(rel);
    const byPath = this.db.prepare<{ sop_instance_uid: string; state: InstanceState }>('SELECT sop_instance_uid, state FROM instances WHERE path = ?');
    const flag = this.db.prepare("UPDATE instances SET state = 'missing', error = ? WHERE sop_instance_uid = ?");
    const unflag = this.db.prepare("UPDATE instances SET state = 'ok', error = NULL WHERE sop_instance_uid = ?");
    const flagged = this.db.prepare<{ sop_instance_uid: string; path: string }>("SELECT sop_instance_uid, path FROM instances WHERE state <> 'ok'").all();
    this.db.transaction(() => {
      // `known` now holds the rows whose file is not there.
      for (const path of known) {
        const r = byPath.get([path]);
        if (r?.state !== 'ok') continue;
        flag.run([`file ${path} not found at start-up`, r.sop_instance_uid]);
        missing.push(r.sop_instance_uid);
      }
      for (const r of flagged) {
        if (onDisk.has(r.path)) (unflag.run([r.sop_instance_uid]), restored.push(r.sop_instance_uid));
      }
    });
    for (const rel of orphans) {
      const abs = join(this.dataDir, rel);
      try {
        const rec = await this.adoptOrphan(abs);
        reindexed.push(rec.sopInstanceUid);
      } catch (e) {
        unreadable.push(abs);
        this.log.error('file in the store cannot be indexed; left in place', { file: abs, err: e as Error });
      }
    }
    for (const uid of missing) {
      this.log.error('stored instance file missing', { sopInstanceUid: uid });
      this.events.next({ type: 'instance-missing', sopInstanceUid: uid });
    }
    if (reindexed.length || missing.length || leftoversRemoved || unreadable.length) {
      this.log.warn('instance store reconciled', { missing: missing.length, reindexed: reindexed.length, restored: restored.length, leftoversRemoved, unreadable: unreadable.length });
    }
    return { missing, reindexed, restored, leftoversRemoved, unreadable };
  }

  private async adoptOrphan(abs: string): Promise<InstanceRecord> {
    const id = await readIdentity(abs);
    const exam = this.db
      .prepare<{ exam_id: string }>('SELECT exam_id FROM instances WHERE study_instance_uid = ? AND exam_id IS NOT NULL LIMIT 1')
      .get([id.studyInstanceUid]);
    return this.adopt(abs, exam ? { examId: exam.exam_id } : {});
  }

  private claim(uid: string): void {
    checkUid(uid, 'SOP Instance UID');
    if (this.inFlight.has(uid) || this.db.prepare('SELECT 1 FROM instances WHERE sop_instance_uid = ?').get([uid])) {
      throw new StorageError('STORAGE_DUPLICATE', `an instance with SOP Instance UID ${uid} is already stored`);
    }
    this.inFlight.add(uid);
  }

  private async index(abs: string, id: InstanceIdentity, examId: string | null, receivedFrom: string | null, alongside?: (record: InstanceRecord) => void): Promise<InstanceRecord> {
    const size = (await stat(abs)).size;
    const row: Row = {
      sop_instance_uid: id.sopInstanceUid,
      sop_class_uid: id.sopClassUid,
      study_instance_uid: id.studyInstanceUid,
      series_instance_uid: id.seriesInstanceUid,
      exam_id: examId,
      path: toRelative(this.dataDir, abs),
      size,
      frames: id.frames,
      transfer_syntax_uid: id.transferSyntaxUid,
      state: 'ok',
      error: null,
      received_from: receivedFrom,
      created_at: this.clock.now().toISOString(),
    };
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO instances (${COLUMNS}) VALUES (@sop_instance_uid, @sop_class_uid, @study_instance_uid, @series_instance_uid,
            @exam_id, @path, @size, @frames, @transfer_syntax_uid, @state, @error, @received_from, @created_at)`,
        )
        .run(row as unknown as Record<string, string | number | null>);
      alongside?.(this.toRecord(row));
    });
    const rec = this.toRecord(row);
    this.events.next({ type: 'instance-added', instance: rec });
    return rec;
  }

  private async checkSpace(abs: string): Promise<void> {
    if (this.reserveBytes <= 0) return;
    await mkdir(this.dataDir, { recursive: true });
    const s = await statfs(this.dataDir);
    if (s && s.bavail * s.bsize < this.reserveBytes) {
      throw new StorageError(
        'STORAGE_FULL',
        `the spool disk has ${s.bavail * s.bsize} bytes free, below the ${this.reserveBytes}-byte reserve; nothing was written`,
        abs,
        'ENOSPC',
      );
    }
  }

  private writeError(e: unknown, abs: string): StorageError {
    if (e instanceof StorageError) return e;
    const errno = (e as NodeJS.ErrnoException).code;
    if (isNoSpace(e)) return new StorageError('STORAGE_FULL', `the spool disk is full; ${abs} was not stored (nothing partial was left)`, abs, errno, { cause: e });
    return new StorageError('STORAGE_WRITE_FAILED', `writing ${abs} failed: ${(e as Error).message}`, abs, errno, { cause: e });
  }

  private async syncDir(dir: string): Promise<void> {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** mkdir -p, then fsync each new directory's parent so the new entries survive power loss. */
  private async makeDirDurably(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true });
    if (first === undefined) return;
    for (let d = dir; ; d = dirname(d)) {
      const parent = dirname(d);
      const fh = await open(parent, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      if (d === first || parent === d) break;
    }
  }

  private toRecord(r: Row): InstanceRecord {
    return {
      sopInstanceUid: r.sop_instance_uid,
      sopClassUid: r.sop_class_uid,
      studyInstanceUid: r.study_instance_uid,
      seriesInstanceUid: r.series_instance_uid,
      transferSyntaxUid: r.transfer_syntax_uid,
      frames: r.frames,
      examId: r.exam_id,
      path: join(this.dataDir, r.path),
      size: r.size,
      state: r.state,
      error: r.error,
      receivedFrom: r.received_from,
      createdAt: r.created_at,
    };
  }
}
