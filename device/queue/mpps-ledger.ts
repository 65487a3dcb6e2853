/**
 * The persistent side of MPPS (IHE SWF RAD-6/7): per exam × mpps destination the procedure
 * step (its SOP Instance UID and the last status the SCP accepted), and per 'mpps' job the
 * message it sends (N-CREATE or N-SET, with the data set built when the exam event happened).
 * The jobs themselves are rows of the queue; this module only adds what they carry.
 */
import { SPECIFIC_CHARACTER_SET } from '../../dicom/core/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, readDataSet } from '../../dicom/encoding/index.js';
import type { MppsStatus } from '../../dicom/iod/index.js';
import type { Clock } from '../clock.js';
import type { SqlDatabase } from '../db/index.js';
import { encodeForContext } from '../net/dataset-bytes.js';
import type { JobQueue } from './job-queue.js';

export type MppsOperation = 'N-CREATE' | 'N-SET';

/** What one 'mpps' job sends. */
export interface MppsMessage {
  readonly jobId: number;
  readonly examId: string;
  readonly destination: string;
  readonly operation: MppsOperation;
  /** The status this message gives the step. */
  readonly status: MppsStatus;
  readonly mppsSopInstanceUid: string;
  /** The status the SCP has accepted so far (null: no N-CREATE accepted yet). */
  readonly lastStatus: MppsStatus | null;
  readonly dataSet: DataSet;
}

/** A procedure step as the API shows it. */
export interface MppsStepView {
  readonly destination: string;
  readonly mppsSopInstanceUid: string;
  readonly lastStatus: MppsStatus | null;
  readonly updatedAt: string;
}

function bytesOf(ds: DataSet): Uint8Array {
  return encodeForContext(ds, EXPLICIT_VR_LE);
}

function dataSetOf(bytes: Uint8Array): DataSet {
  return readDataSet(bytes, { explicitVR: true, littleEndian: true }).dataset;
}

export class MppsLedger {
  constructor(
    private readonly db: SqlDatabase,
    private readonly queue: JobQueue,
    private readonly clock: Clock,
  ) {}

  /**
   * Exam started: a step (one UID for all destinations) and its N-CREATE job per destination.
   * Runs in one transaction (nested in the caller's when there is one). Returns the jobs made.
   */
  planCreate(examId: string, destinations: readonly string[], mppsSopInstanceUid: string, dataSet: DataSet): number {
    if (destinations.length === 0) return 0;
    const bytes = bytesOf(dataSet);
    const now = this.clock.now().toISOString();
    return this.db.transaction(() => {
      let n = 0;
      for (const d of destinations) {
        if (this.db.prepare('SELECT 1 FROM mpps_steps WHERE exam_id = ? AND destination = ?').get([examId, d])) continue;
        this.db.prepare('INSERT INTO mpps_steps (exam_id, destination, mpps_sop_instance_uid, last_status, updated_at) VALUES (?, ?, ?, NULL, ?)').run([examId, d, mppsSopInstanceUid, now]);
        const job = this.queue.addProcedureJob('mpps', examId, d);
        this.db.prepare("INSERT INTO mpps_messages (job_id, exam_id, destination, operation, status, dataset) VALUES (?, ?, ?, 'N-CREATE', 'IN PROGRESS', ?)").run([job.jobId, examId, d, bytes]);
        n++;
      }
      return n;
    });
  }

  /**
   * Exam ended or discontinued: the final N-SET job for every step of the exam that has none
   * yet (a second end never makes a second N-SET). `dataSetFor` builds it per destination.
   */
  planFinal(examId: string, status: Exclude<MppsStatus, 'IN PROGRESS'>, dataSetFor: (destination: string) => DataSet): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const { destination } of this.db.prepare<{ destination: string }>('SELECT destination FROM mpps_steps WHERE exam_id = ? ORDER BY destination').all([examId])) {
        const has = this.db.prepare("SELECT 1 FROM mpps_messages WHERE exam_id = ? AND destination = ? AND operation = 'N-SET'").get([examId, destination]);
        if (has) continue;
        const job = this.queue.addProcedureJob('mpps', examId, destination);
        this.db
          .prepare("INSERT INTO mpps_messages (job_id, exam_id, destination, operation, status, dataset) VALUES (?, ?, ?, 'N-SET', ?, ?)")
          .run([job.jobId, examId, destination, status, bytesOf(dataSetFor(destination))]);
        n++;
      }
      return n;
    });
  }

  /** The exam's MPPS destinations (steps planned). */
  destinationsOf(examId: string): string[] {
    return this.db.prepare<{ d: string }>('SELECT destination AS d FROM mpps_steps WHERE exam_id = ? ORDER BY destination').all([examId]).map((r) => r.d);
  }

  /** Specific Character Set of the exam's N-CREATE (the N-SET is written in the same). */
  characterSetOf(examId: string): string[] {
    const r = this.db.prepare<{ dataset: Uint8Array }>("SELECT dataset FROM mpps_messages WHERE exam_id = ? AND operation = 'N-CREATE' ORDER BY job_id LIMIT 1").get([examId]);
    if (!r) return [];
    return dataSetOf(r.dataset).strings(SPECIFIC_CHARACTER_SET) ?? [];
  }

  message(jobId: number): MppsMessage | undefined {
    const r = this.db
      .prepare<{ exam_id: string; destination: string; operation: MppsOperation; status: MppsStatus; dataset: Uint8Array; uid: string; last_status: MppsStatus | null }>(
        `SELECT m.exam_id, m.destination, m.operation, m.status, m.dataset, s.mpps_sop_instance_uid AS uid, s.last_status
         FROM mpps_messages m JOIN mpps_steps s ON s.exam_id = m.exam_id AND s.destination = m.destination WHERE m.job_id = ?`,
      )
      .get([jobId]);
    if (!r) return undefined;
    return {
      jobId,
      examId: r.exam_id,
      destination: r.destination,
      operation: r.operation,
      status: r.status,
      mppsSopInstanceUid: r.uid,
      lastStatus: r.last_status,
      dataSet: dataSetOf(r.dataset),
    };
  }

  /** The SCP accepted `status` for the step (call in the transaction that settles the job). */
  accepted(examId: string, destination: string, status: MppsStatus): void {
    this.db.prepare('UPDATE mpps_steps SET last_status = ?, updated_at = ? WHERE exam_id = ? AND destination = ?').run([status, this.clock.now().toISOString(), examId, destination]);
  }

  steps(examId: string): MppsStepView[] {
    return this.db
      .prepare<{ destination: string; uid: string; last_status: MppsStatus | null; updated_at: string }>(
        'SELECT destination, mpps_sop_instance_uid AS uid, last_status, updated_at FROM mpps_steps WHERE exam_id = ? ORDER BY destination',
      )
      .all([examId])
      .map((r) => ({ destination: r.destination, mppsSopInstanceUid: r.uid, lastStatus: r.last_status, updatedAt: r.updated_at }));
  }
}
