/**
 * The persistent side of Storage Commitment (PS3.4 Annex J push model, IHE SWF RAD-10): per
 * instance × commitment destination its state (pending → committed | commit-failed), per
 * N-ACTION its transaction, and the recording of every N-EVENT-REPORT, whichever association
 * it came on. It is the cart's CommitmentReportHandler: the listener (a new association) and
 * the sender's own association (the same one) both hand reports here.
 *
 * Decisions (README "MPPS and storage commitment"):
 * - A report is recorded before it is answered Success: a crash after the answer loses nothing.
 * - A late report of an older transaction (one that timed out and was requested again) still
 *   commits the instances it names that are not committed yet; its FAILURES are ignored unless
 *   it is the instance's latest request (the newer request will answer for them).
 * - A failed instance (Failed SOP Sequence) is stored again and requested again, at most
 *   `maxResends` times (PS3.4 J.3.2 leaves the SCU free to retry; IHE RAD TF-2 4.10 expects the
 *   modality to keep the images until committed). After that it is commit-failed with the
 *   archive's Failure Reason, kept locally (never deleted by the quota), and shown in the API.
 */
import type { CommitmentReport, FailedSopReference, SopReference } from '../../dicom/iod/index.js';
import type { Clock } from '../clock.js';
import type { AuditLog } from '../device.js';
import type { SqlDatabase } from '../db/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import type { CommitmentReportHandler, ReportOrigin } from '../net/scp/commitment-report.js';
import { CommitmentTracker } from '../net/scu/commitment.js';
import type { JobQueue } from './job-queue.js';

export type CommitmentState = 'pending' | 'committed' | 'commit-failed';

export interface CommitmentLedgerOptions {
  readonly db: SqlDatabase;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly log?: Logger;
  /** How often an instance the archive failed to commit is stored and requested again. */
  readonly maxResends: number;
  /** Every report of ours recorded (who sent it, what it changed), without patient data. */
  readonly audit?: AuditLog;
  /** A report for a transaction the cart never requested goes here (the listener's default: log + audit). */
  readonly unmatched?: CommitmentReportHandler;
}

/** What a report changed. */
export interface RecordedReport {
  /** The transaction was ours (false: unknown Transaction UID, nothing recorded). */
  readonly known: boolean;
  readonly examId?: string;
  readonly destination?: string;
  /** Instances that became committed by this report. */
  readonly committed: number;
  /** Instances sent again because the archive failed them. */
  readonly resent: readonly FailedSopReference[];
  /** Instances now commit-failed for good. */
  readonly failed: readonly FailedSopReference[];
}

export interface CommitmentInstanceView {
  readonly state: CommitmentState;
  /** (0008,1197) of the last failure, four hex digits. */
  readonly failureReason?: string;
  readonly transactionUid?: string;
}

const hex = (n: number): string => (n & 0xffff).toString(16).toUpperCase().padStart(4, '0');

/** PS3.3 C.14.1.1 Failure Reason meanings, for the reason a user reads. */
export function failureReasonText(code: number): string {
  const known: Record<number, string> = {
    0x0110: 'processing failure',
    0x0112: 'no such object instance',
    0x0119: 'class-instance conflict',
    0x0122: 'referenced SOP class not supported',
    0x0131: 'duplicate transaction UID',
    0x0213: 'resource limitation',
  };
  return `${hex(code)} ${known[code] ?? 'failure'}`;
}

function viewOf(r: { state: CommitmentState; failure_reason: number | null; transaction_uid: string | null }): CommitmentInstanceView {
  return { state: r.state, ...(r.failure_reason !== null ? { failureReason: hex(r.failure_reason) } : {}), ...(r.transaction_uid !== null ? { transactionUid: r.transaction_uid } : {}) };
}

export class CommitmentLedger implements CommitmentReportHandler {
  /** The sender waits here for the report of the transaction it just requested. */
  readonly tracker: CommitmentTracker;
  private readonly db: SqlDatabase;
  private readonly log: Logger;

  constructor(private readonly o: CommitmentLedgerOptions) {
    this.db = o.db;
    this.log = o.log ?? nullLogger;
    this.tracker = new CommitmentTracker(o.clock);
  }

  /** Records the report, then wakes the sender waiting for it (if one is). */
  async onReport(report: CommitmentReport, from: ReportOrigin): Promise<void> {
    const r = this.record(report, from);
    if (!r.known) {
      await this.o.unmatched?.onReport(report, from);
      return;
    }
    this.o.audit?.record({
      who: 'service',
      action: 'commitment-report',
      what: `transaction ${report.transactionUid} of exam ${r.examId ?? ''}`,
      where: r.destination ?? from.callingAeTitle,
      outcome: r.failed.length > 0 || r.resent.length > 0 ? 'failure' : 'success',
      detail: `${report.committed.length} committed, ${report.failed.length} failed (${r.resent.length} sent again, ${r.failed.length} commit-failed); from ${from.callingAeTitle}@${from.host}`,
    });
    await this.tracker.onReport(report, from);
  }

  /** A store job to a commitment destination ended well: the instance waits for commitment there. */
  stored(sopInstanceUid: string, destination: string, examId: string | null): void {
    this.db
      .prepare("INSERT INTO commitments (sop_instance_uid, destination, exam_id, state, updated_at) VALUES (?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING")
      .run([sopInstanceUid, destination, examId, this.o.clock.now().toISOString()]);
  }

  /**
   * At start: instances stored at a commitment destination whose row a crash lost (the store
   * job's commit and this row are two commits) get it now.
   */
  reconcile(destinations: readonly string[]): number {
    let n = 0;
    const now = this.o.clock.now().toISOString();
    for (const d of destinations) {
      n += this.db
        .prepare(
          `INSERT INTO commitments (sop_instance_uid, destination, exam_id, state, updated_at)
           SELECT sop_instance_uid, destination, exam_id, 'pending', @now FROM jobs
           WHERE destination = @d AND kind = 'store' AND state IN ('completed', 'warning') AND exam_id IS NOT NULL
           ON CONFLICT DO NOTHING`,
        )
        .run({ d, now }).changes;
    }
    return n;
  }

  /**
   * Exam × destination pairs that need a commit job: instances pending and never requested (or
   * re-sent), no store job of the exam to it still running, no commit job for it active.
   */
  needingRequest(): { examId: string; destination: string }[] {
    return this.db
      .prepare<{ examId: string; destination: string }>(
        `SELECT DISTINCT c.exam_id AS examId, c.destination AS destination FROM commitments c
         WHERE c.state = 'pending' AND c.transaction_uid IS NULL AND c.exam_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.exam_id = c.exam_id AND j.destination = c.destination
             AND j.kind IN ('store', 'commit') AND j.state IN ('scheduled', 'in-progress', 'retry'))`,
      )
      .all();
  }

  /** The instances of the exam pending at the destination, with their SOP class. */
  pendingRefs(examId: string, destination: string): SopReference[] {
    return this.db
      .prepare<SopReference>(
        `SELECT c.sop_instance_uid AS sopInstanceUid, i.sop_class_uid AS sopClassUid FROM commitments c
         JOIN instances i ON i.sop_instance_uid = c.sop_instance_uid
         WHERE c.exam_id = ? AND c.destination = ? AND c.state = 'pending' ORDER BY i.created_at, c.sop_instance_uid`,
      )
      .all([examId, destination]);
  }

  /** Before the N-ACTION (durable): the transaction, and its UID on every instance it names. */
  begin(t: { readonly transactionUid: string; readonly jobId: number; readonly examId: string; readonly destination: string; readonly refs: readonly SopReference[] }): void {
    const now = this.o.clock.now().toISOString();
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO commitment_transactions (transaction_uid, job_id, exam_id, destination, state, instances, requested_at) VALUES (?, ?, ?, ?, 'requested', ?, ?)")
        .run([t.transactionUid, t.jobId, t.examId, t.destination, t.refs.length, now]);
      const set = this.db.prepare("UPDATE commitments SET transaction_uid = ?, updated_at = ? WHERE sop_instance_uid = ? AND destination = ? AND state = 'pending'");
      for (const r of t.refs) set.run([t.transactionUid, now, r.sopInstanceUid, t.destination]);
    });
  }

  /** The N-ACTION failed, or no report came in time: the transaction ends without one. */
  ended(transactionUid: string, state: 'failed' | 'timed-out', detail: string): void {
    this.db
      .prepare("UPDATE commitment_transactions SET state = ?, detail = ?, answered_at = ? WHERE transaction_uid = ? AND state = 'requested'")
      .run([state, detail, this.o.clock.now().toISOString(), transactionUid]);
  }

  /** Applies a report to the instances (one durable commit). */
  record(report: CommitmentReport, from: ReportOrigin): RecordedReport {
    const tx = this.db
      .prepare<{ exam_id: string; destination: string; state: string }>('SELECT exam_id, destination, state FROM commitment_transactions WHERE transaction_uid = ?')
      .get([report.transactionUid]);
    if (!tx) {
      this.log.warn('storage commitment report for a transaction this cart did not request: ignored', { transactionUid: report.transactionUid, from: from.callingAeTitle, host: from.host });
      return { known: false, committed: 0, resent: [], failed: [] };
    }
    const now = this.o.clock.now().toISOString();
    const d = tx.destination;
    const resent: FailedSopReference[] = [];
    const failed: FailedSopReference[] = [];
    let committed = 0;
    this.db.transaction(() => {
      const commit = this.db.prepare(
        "UPDATE commitments SET state = 'committed', failure_reason = NULL, transaction_uid = @tx, updated_at = @now WHERE sop_instance_uid = @uid AND destination = @d AND state <> 'committed'",
      );
      for (const c of report.committed) committed += commit.run({ tx: report.transactionUid, now, uid: c.sopInstanceUid, d }).changes;
      const row = this.db.prepare<{ state: CommitmentState; resends: number; transaction_uid: string | null }>('SELECT state, resends, transaction_uid FROM commitments WHERE sop_instance_uid = ? AND destination = ?');
      for (const f of report.failed) {
        const r = row.get([f.sopInstanceUid, d]);
        // Only the instance's latest request speaks for a failure (a late report of an older one does not).
        if (!r || r.state !== 'pending' || r.transaction_uid !== report.transactionUid) continue;
        const why = `${d} did not commit it: Failure Reason ${failureReasonText(f.failureReason)} (transaction ${report.transactionUid})`;
        if (r.resends < this.o.maxResends && this.o.queue.resend(f.sopInstanceUid, d, why)) {
          this.db
            .prepare('UPDATE commitments SET failure_reason = ?, resends = resends + 1, transaction_uid = NULL, updated_at = ? WHERE sop_instance_uid = ? AND destination = ?')
            .run([f.failureReason, now, f.sopInstanceUid, d]);
          resent.push(f);
        } else {
          this.db.prepare("UPDATE commitments SET state = 'commit-failed', failure_reason = ?, updated_at = ? WHERE sop_instance_uid = ? AND destination = ?").run([f.failureReason, now, f.sopInstanceUid, d]);
          failed.push(f);
        }
      }
      this.db
        .prepare("UPDATE commitment_transactions SET state = 'reported', answered_at = ?, reported_by = ?, detail = ? WHERE transaction_uid = ?")
        .run([now, `${from.callingAeTitle}@${from.host}`, `${report.committed.length} committed, ${report.failed.length} failed${tx.state === 'timed-out' ? ' (late)' : ''}`, report.transactionUid]);
    });
    this.log.info('storage commitment reported', { transactionUid: report.transactionUid, destination: d, examId: tx.exam_id, committed, resent: resent.length, failed: failed.length, late: tx.state === 'timed-out' });
    return { known: true, examId: tx.exam_id, destination: d, committed, resent, failed };
  }

  /** The quota's hook: may the local copy go, as far as this destination is concerned? */
  isCommitted(sopInstanceUid: string, destination: string): boolean {
    return this.db.prepare("SELECT 1 FROM commitments WHERE sop_instance_uid = ? AND destination = ? AND state = 'committed'").get([sopInstanceUid, destination]) !== undefined;
  }

  /** Per destination, the instance's commitment state (absent: not asked there). */
  statesOf(sopInstanceUid: string): Map<string, CommitmentInstanceView> {
    const out = new Map<string, CommitmentInstanceView>();
    for (const r of this.db
      .prepare<{ destination: string; state: CommitmentState; failure_reason: number | null; transaction_uid: string | null }>(
        'SELECT destination, state, failure_reason, transaction_uid FROM commitments WHERE sop_instance_uid = ?',
      )
      .all([sopInstanceUid])) {
      out.set(r.destination, viewOf(r));
    }
    return out;
  }

  /** Per instance of the exam, per destination, its commitment state (one query). */
  statesOfExam(examId: string): Map<string, Map<string, CommitmentInstanceView>> {
    const out = new Map<string, Map<string, CommitmentInstanceView>>();
    for (const r of this.db
      .prepare<{ uid: string; destination: string; state: CommitmentState; failure_reason: number | null; transaction_uid: string | null }>(
        'SELECT sop_instance_uid AS uid, destination, state, failure_reason, transaction_uid FROM commitments WHERE exam_id = ?',
      )
      .all([examId])) {
      let m = out.get(r.uid);
      if (!m) out.set(r.uid, (m = new Map()));
      m.set(r.destination, viewOf(r));
    }
    return out;
  }

  /** Committed / commit-failed instance counts per destination (the API's queue summary). */
  counts(): Map<string, { committed: number; 'commit-failed': number }> {
    const out = new Map<string, { committed: number; 'commit-failed': number }>();
    for (const r of this.db
      .prepare<{ destination: string; state: 'committed' | 'commit-failed'; n: number }>("SELECT destination, state, COUNT(*) AS n FROM commitments WHERE state IN ('committed', 'commit-failed') GROUP BY destination, state")
      .all()) {
      const c = out.get(r.destination) ?? { committed: 0, 'commit-failed': 0 };
      c[r.state] = r.n;
      out.set(r.destination, c);
    }
    return out;
  }

  /** The transactions of an exam, newest first (the API's exam view and the tests). */
  transactions(examId: string): { transactionUid: string; destination: string; state: string; instances: number; requestedAt: string; answeredAt: string | null; detail: string | null }[] {
    return this.db
      .prepare<{ transactionUid: string; destination: string; state: string; instances: number; requestedAt: string; answeredAt: string | null; detail: string | null }>(
        `SELECT transaction_uid AS transactionUid, destination, state, instances, requested_at AS requestedAt, answered_at AS answeredAt, detail
         FROM commitment_transactions WHERE exam_id = ? ORDER BY requested_at DESC, transaction_uid`,
      )
      .all([examId]);
  }
}
