/**
 * Exams in the database: the exam rows, durable series and instance-number reservations, and
 * the list the API shows (an instance is listed once its row exists in `instances`, i.e. once
 * its file and record are durable; a reservation whose write never finished is not shown).
 */
import type { SqlDatabase } from '../db/index.js';
import type { ExamInstance, ExamListFilter, ExamPatient, ExamRecord, ExamState, InstanceKind } from '../device.js';

export interface NewExam {
  readonly examId: string;
  readonly studyInstanceUid: string;
  readonly accessionNumber: string;
  readonly scheduled: boolean;
  readonly patient: ExamPatient;
  readonly studyDate: string;
  readonly worklistItem?: string;
  readonly startedAt: string;
}

export interface Reservation {
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
}

/** Series per kind of object: ultrasound images (stills and cines) in one, screen captures in another. */
export function seriesGroupOf(kind: InstanceKind): 'us' | 'sc' {
  return kind === 'screen' ? 'sc' : 'us';
}

interface ExamRow {
  exam_id: string;
  study_instance_uid: string;
  accession_number: string;
  scheduled: number;
  patient_name: string;
  patient_id: string;
  patient_sex: string;
  patient_birth_date: string;
  state: string;
  started_at: string;
  ended_at: string | null;
}
interface InstanceRow {
  sop_instance_uid: string;
  sop_class_uid: string;
  kind: string;
  series_instance_uid: string;
  series_number: number;
  instance_number: number;
  frames: number;
  created_at: string;
}

export const TERMINAL: readonly ExamState[] = ['ended', 'cancelled'];

export class ExamStore {
  constructor(private readonly db: SqlDatabase) {}

  insert(e: NewExam, state: ExamState): void {
    this.db
      .prepare(
        `INSERT INTO exams (exam_id, study_instance_uid, accession_number, scheduled, patient_name, patient_id, patient_sex, patient_birth_date,
           study_date, worklist_item, state, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run([e.examId, e.studyInstanceUid, e.accessionNumber, e.scheduled ? 1 : 0, e.patient.name, e.patient.id, e.patient.sex, e.patient.birthDate, e.studyDate, e.worklistItem ?? null, state, e.startedAt, e.startedAt]);
  }

  setState(examId: string, state: ExamState, at: string): void {
    const ended = TERMINAL.includes(state) ? at : null;
    this.db.prepare('UPDATE exams SET state = ?, updated_at = ?, ended_at = COALESCE(?, ended_at) WHERE exam_id = ?').run([state, at, ended, examId]);
  }

  /** Allocates (durably, in one commit) the series and the next instance number of that series. */
  reserve(examId: string, kind: InstanceKind, newUid: () => string, at: string): Reservation {
    return this.db.transaction(() => {
      const group = seriesGroupOf(kind);
      let series = this.db.prepare<{ series_instance_uid: string; series_number: number }>('SELECT series_instance_uid, series_number FROM exam_series WHERE exam_id = ? AND series_group = ?').get([examId, group]);
      if (!series) {
        const n = this.db.prepare<{ n: number }>('SELECT COALESCE(MAX(series_number), 0) + 1 AS n FROM exam_series WHERE exam_id = ?').get([examId])!.n;
        series = { series_instance_uid: newUid(), series_number: n };
        this.db.prepare('INSERT INTO exam_series (exam_id, series_group, series_instance_uid, series_number) VALUES (?, ?, ?, ?)').run([examId, group, series.series_instance_uid, n]);
      }
      const instanceNumber = this.db.prepare<{ n: number }>('SELECT COALESCE(MAX(instance_number), 0) + 1 AS n FROM exam_instances WHERE exam_id = ? AND series_number = ?').get([examId, series.series_number])!.n;
      const sopInstanceUid = newUid();
      this.db.prepare('INSERT INTO exam_instances (sop_instance_uid, exam_id, kind, series_number, instance_number, reserved_at) VALUES (?, ?, ?, ?, ?, ?)').run([sopInstanceUid, examId, kind, series.series_number, instanceNumber, at]);
      return { sopInstanceUid, seriesInstanceUid: series.series_instance_uid, seriesNumber: series.series_number, instanceNumber };
    });
  }

  instances(examId: string): ExamInstance[] {
    return this.db
      .prepare<InstanceRow>(
        `SELECT ei.sop_instance_uid, i.sop_class_uid, ei.kind, i.series_instance_uid, ei.series_number, ei.instance_number, i.frames, i.created_at
           FROM exam_instances ei JOIN instances i ON i.sop_instance_uid = ei.sop_instance_uid
          WHERE ei.exam_id = ? ORDER BY ei.series_number, ei.instance_number`,
      )
      .all([examId])
      .map((r) => ({
        sopInstanceUid: r.sop_instance_uid,
        sopClassUid: r.sop_class_uid,
        kind: r.kind as InstanceKind,
        seriesInstanceUid: r.series_instance_uid,
        seriesNumber: r.series_number,
        instanceNumber: r.instance_number,
        frames: r.frames,
        storedAt: r.created_at,
      }));
  }

  get(examId: string): ExamRecord | undefined {
    const row = this.db.prepare<ExamRow>(`SELECT ${COLS} FROM exams WHERE exam_id = ?`).get([examId]);
    return row ? this.toRecord(row) : undefined;
  }

  /** Newest first. */
  list(f: ExamListFilter = {}): ExamRecord[] {
    const where: string[] = [];
    const p: Record<string, string | number> = {};
    if (f.state) (where.push('state = @state'), (p['state'] = f.state));
    if (f.patientId) (where.push('patient_id = @pid'), (p['pid'] = f.patientId));
    if (f.date) (where.push('study_date = @date'), (p['date'] = f.date));
    p['limit'] = Math.min(Math.max(1, f.limit ?? 50), 500);
    p['offset'] = Math.max(0, f.offset ?? 0);
    return this.db
      .prepare<ExamRow>(`SELECT ${COLS} FROM exams ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, exam_id DESC LIMIT @limit OFFSET @offset`)
      .all(p)
      .map((r) => this.toRecord(r));
  }

  /** Exams a previous run left open (the service stopped or crashed mid-exam). */
  open(): ExamRecord[] {
    return this.db
      .prepare<ExamRow>(`SELECT ${COLS} FROM exams WHERE state NOT IN ('ended', 'cancelled') ORDER BY started_at`)
      .all()
      .map((r) => this.toRecord(r));
  }

  /** Exams unscheduled today so far (the `{seq}` of the patient ID rule). */
  unscheduledOn(studyDate: string): number {
    return this.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM exams WHERE scheduled = 0 AND study_date = ?').get([studyDate])!.n;
  }

  private toRecord(r: ExamRow): ExamRecord {
    return {
      examId: r.exam_id,
      studyInstanceUid: r.study_instance_uid,
      accessionNumber: r.accession_number,
      scheduled: r.scheduled === 1,
      patient: { name: r.patient_name, id: r.patient_id, sex: r.patient_sex, birthDate: r.patient_birth_date },
      state: r.state as ExamState,
      startedAt: r.started_at,
      ...(r.ended_at ? { endedAt: r.ended_at } : {}),
      instances: this.instances(r.exam_id),
    };
  }
}

const COLS = 'exam_id, study_instance_uid, accession_number, scheduled, patient_name, patient_id, patient_sex, patient_birth_date, state, started_at, ended_at';
