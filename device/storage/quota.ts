/**
 * The spool disk's quota. Removes whole studies, oldest first, and only studies that have left
 * the cart: every instance stored (completed or warning) at every store destination, nothing
 * queued or being sent, and committed where the destination asks for storage commitment (a
 * hook, until commitment exists). Never removes anything not sent: when the sent studies do not
 * free enough, it warns instead. Also warns before the disk is full (statfs).
 */
import { readdir, rmdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SqlDatabase } from '../db/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import type { InstanceStore } from './instance-store.js';
import { INSTANCES_DIR } from './layout.js';

export interface QuotaLimits {
  /** The instances may take at most this many bytes (sum of file sizes). */
  readonly maxStoreBytes?: number;
  /** Keep at least this much free on the disk; sent studies are removed to get back to it. */
  readonly minFreeBytes?: number;
  /** Warn when less than this is free after the clean-up (default 2 × minFreeBytes, or 10 %). */
  readonly warnFreeBytes?: number;
}

export interface DiskSpace {
  readonly freeBytes: number;
  readonly totalBytes: number;
}

export interface QuotaOptions {
  readonly db: SqlDatabase;
  readonly store: InstanceStore;
  readonly limits: QuotaLimits;
  /** The destinations a study must have reached (the configured `store` destinations). */
  readonly destinations: () => readonly string[];
  /**
   * Hook for storage commitment: whether this destination has committed this instance. Only
   * asked for destinations where commitment is configured (default: none is).
   */
  readonly committed?: (sopInstanceUid: string, destination: string) => boolean;
  readonly commitmentRequired?: (destination: string) => boolean;
  readonly log?: Logger;
  /** Free/total of the data directory's file system (default statfs). */
  readonly diskSpace?: (dir: string) => Promise<DiskSpace>;
}

export interface QuotaReport {
  readonly storeBytes: number;
  readonly disk: DiskSpace;
  /** Studies removed this time, oldest first. */
  readonly removedStudies: readonly string[];
  readonly removedBytes: number;
  /** Set when the disk is (nearly) full and no sent study is left to remove. */
  readonly warning?: string;
}

async function statfsSpace(dir: string): Promise<DiskSpace> {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export class Quota {
  private readonly log: Logger;
  private readonly diskSpace: (dir: string) => Promise<DiskSpace>;

  constructor(private readonly o: QuotaOptions) {
    this.log = o.log ?? nullLogger;
    this.diskSpace = o.diskSpace ?? statfsSpace;
  }

  storeBytes(): number {
    return this.o.db.prepare<{ n: number | null }>('SELECT SUM(size) AS n FROM instances').get()?.n ?? 0;
  }

  /** Studies that may be removed, oldest first (by their first instance). */
  removableStudies(): { study: string; bytes: number }[] {
    const dests = this.o.destinations();
    if (dests.length === 0) return [];
    const out: { study: string; bytes: number }[] = [];
    const studies = this.o.db
      .prepare<{ study: string; bytes: number }>(
        'SELECT study_instance_uid AS study, SUM(size) AS bytes, MIN(created_at) AS first FROM instances GROUP BY study_instance_uid ORDER BY first, study',
      )
      .all();
    for (const s of studies) if (this.fullySent(s.study, dests)) out.push(s);
    return out;
  }

  /** Every instance at every destination, nothing pending, committed where required. */
  fullySent(study: string, dests: readonly string[]): boolean {
    const db = this.o.db;
    const pending = db
      .prepare<{ n: number }>(
        `SELECT COUNT(*) AS n FROM jobs j JOIN instances i ON i.sop_instance_uid = j.sop_instance_uid
         WHERE i.study_instance_uid = ? AND j.state IN ('scheduled', 'in-progress', 'retry')`,
      )
      .get([study])?.n;
    if (pending) return false;
    const notThere = db.prepare<{ n: number }>(
      `SELECT COUNT(*) AS n FROM instances i WHERE i.study_instance_uid = @study AND NOT EXISTS (
         SELECT 1 FROM jobs j WHERE j.sop_instance_uid = i.sop_instance_uid AND j.destination = @d AND j.kind = 'store'
           AND j.state IN ('completed', 'warning'))`,
    );
    for (const d of dests) if (notThere.get({ study, d })?.n) return false;
    const needCommit = dests.filter((d) => this.o.commitmentRequired?.(d) === true);
    if (needCommit.length) {
      const uids = db.prepare<{ u: string }>('SELECT sop_instance_uid AS u FROM instances WHERE study_instance_uid = ?').all([study]);
      for (const d of needCommit) for (const { u } of uids) if (!this.o.committed?.(u, d)) return false;
    }
    return true;
  }

  /** Removes sent studies, oldest first, while over a limit; then warns if still short of space. */
  async enforce(): Promise<QuotaReport> {
    const { maxStoreBytes, minFreeBytes } = this.o.limits;
    let storeBytes = this.storeBytes();
    let disk = await this.diskSpace(this.o.store.dataDir);
    const over = (): boolean => (maxStoreBytes !== undefined && storeBytes > maxStoreBytes) || (minFreeBytes !== undefined && disk.freeBytes < minFreeBytes);
    const removedStudies: string[] = [];
    let removedBytes = 0;
    if (over()) {
      for (const s of this.removableStudies()) {
        if (!over()) break;
        await this.removeStudy(s.study);
        removedStudies.push(s.study);
        removedBytes += s.bytes;
        storeBytes -= s.bytes;
        disk = await this.diskSpace(this.o.store.dataDir);
      }
      if (removedStudies.length) this.log.info('quota removed sent studies', { studies: removedStudies.length, bytes: removedBytes });
    }
    const warnAt = this.o.limits.warnFreeBytes ?? (minFreeBytes !== undefined ? 2 * minFreeBytes : disk.totalBytes / 10);
    let warning: string | undefined;
    if (over()) {
      warning = `the spool is over its quota (${storeBytes} bytes stored, ${disk.freeBytes} free) and every study left is not yet sent everywhere: nothing more can be removed`;
    } else if (disk.freeBytes < warnAt) {
      warning = `the spool disk is nearly full: ${disk.freeBytes} of ${disk.totalBytes} bytes free`;
    }
    if (warning) this.log.warn('spool space', { storeBytes, freeBytes: disk.freeBytes });
    return { storeBytes, disk, removedStudies, removedBytes, ...(warning ? { warning } : {}) };
  }

  private async removeStudy(study: string): Promise<void> {
    const uids = this.o.db.prepare<{ u: string }>('SELECT sop_instance_uid AS u FROM instances WHERE study_instance_uid = ?').all([study]);
    const dirs = new Set<string>();
    for (const { u } of uids) {
      dirs.add(dirname(this.o.store.pathOf(u)));
      await this.o.store.remove(u);
    }
    // Empty series and study directories go too (a non-empty one, e.g. a re-received file, stays).
    for (const d of dirs) {
      await rmdir(d).catch(() => undefined);
      const studyDir = dirname(d);
      if (studyDir.startsWith(join(this.o.store.dataDir, INSTANCES_DIR)) && (await readdir(studyDir).catch(() => ['x'])).length === 0) await rmdir(studyDir).catch(() => undefined);
    }
  }
}
