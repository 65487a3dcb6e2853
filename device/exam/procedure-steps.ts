/**
 * The exam's Modality Performed Procedure Step (IHE SWF RAD-6/7, conformance §8): what the exam
 * workflow asks for at start, end and cancel, turned into MPPS messages in the persistent queue
 * (one per exam × `mpps` destination, strictly in order; procedure-sender.ts sends them).
 * - start: N-CREATE "IN PROGRESS" with the worklist item's scheduled step references (empty ones
 *   for an unscheduled patient);
 * - end (and an exam a crash left open, ended at the next start): N-SET "COMPLETED" with the
 *   Performed Series Sequence listing every stored instance of the exam;
 * - cancel: N-SET "DISCONTINUED" with the reason (CID 9300) and no series (nothing is sent).
 * Each call runs in the exam transition's transaction, so the exam's state and its MPPS
 * message are never apart.
 */
import { DataSet } from '../../dicom/dataset/index.js';
import {
  buildMppsCompleted,
  buildMppsDiscontinued,
  buildMppsInProgress,
  dicomDate,
  dicomTime,
  DISCONTINUATION_REASONS,
  type CodedReason,
  type ExamContext,
  type PerformedSeries,
} from '../../dicom/iod/index.js';
import type { DeviceConfig } from '../config/types.js';
import type { SqlDatabase } from '../db/index.js';
import type { DiscontinuationReason, InstanceKind } from '../device.js';
import type { MppsLedger } from '../queue/mpps-ledger.js';

export type { DiscontinuationReason };
/** Every reason the service names has its code (the build fails if the two lists drift). */
const CODED: Readonly<Record<DiscontinuationReason, CodedReason>> = DISCONTINUATION_REASONS;

/** The Series Description a capture of this kind is written with (and the MPPS lists). */
export function seriesDescriptionOf(kind: InstanceKind): string {
  return kind === 'screen' ? 'Screen capture' : 'Ultrasound';
}

export interface ExamProceduresDeps {
  readonly config: DeviceConfig;
  readonly db: SqlDatabase;
  readonly ledger: MppsLedger;
  readonly newUid: () => string;
}

export class ExamProcedures {
  constructor(private readonly d: ExamProceduresDeps) {}

  /** The destinations with the role `mpps`. */
  destinations(): string[] {
    return this.d.config.destinations.filter((x) => x.roles.includes('mpps')).map((x) => x.name);
  }

  /** The exam started (first live image): N-CREATE IN PROGRESS to every mpps destination. */
  started(examId: string, exam: ExamContext, at: Date): number {
    const dests = this.destinations();
    if (dests.length === 0) return 0;
    const ds = buildMppsInProgress({
      exam,
      ppsId: ppsIdOf(examId),
      stationAeTitle: this.d.config.aeTitle,
      stationName: this.d.config.stationName,
      start: { date: dicomDate(at), time: dicomTime(at) },
    });
    return this.d.ledger.planCreate(examId, dests, this.d.newUid(), ds);
  }

  /** The exam ended: N-SET COMPLETED listing every stored instance, by series. */
  ended(examId: string, at: Date): number {
    const series = this.performedSeries(examId);
    const end = { date: dicomDate(at), time: dicomTime(at) };
    return this.d.ledger.planFinal(examId, 'COMPLETED', (dest) => buildMppsCompleted(this.charsetContext(examId), end, series.map((s) => ({ ...s, retrieveAeTitle: this.retrieveAeFor(dest) }))));
  }

  /** The exam was cancelled: N-SET DISCONTINUED with its reason; nothing was sent, so no series. */
  discontinued(examId: string, at: Date, reason: DiscontinuationReason = 'unspecified'): number {
    const coded = CODED[reason];
    const end = { date: dicomDate(at), time: dicomTime(at) };
    return this.d.ledger.planFinal(examId, 'DISCONTINUED', () => buildMppsDiscontinued(this.charsetContext(examId), end, coded));
  }

  /** Only the character set of the exam matters to the N-SET builders: the one its N-CREATE was written in. */
  private charsetContext(examId: string): ExamContext {
    return { scheduled: false, characterSet: this.d.ledger.characterSetOf(examId), studyInstanceUid: '', studyDate: '', studyTime: '', attributes: new DataSet() };
  }

  /** Where the images can be retrieved: the destination itself when it stores, else the first store destination. */
  private retrieveAeFor(destination: string): string {
    const all = this.d.config.destinations;
    const self = all.find((x) => x.name === destination && x.roles.includes('store'));
    return (self ?? all.find((x) => x.roles.includes('store')))?.calledAe ?? '';
  }

  private performedSeries(examId: string): Omit<PerformedSeries, 'retrieveAeTitle'>[] {
    const rows = this.d.db
      .prepare<{ series: string; sopClassUid: string; sopInstanceUid: string; kind: InstanceKind }>(
        `SELECT i.series_instance_uid AS series, i.sop_class_uid AS sopClassUid, i.sop_instance_uid AS sopInstanceUid, e.kind AS kind
         FROM instances i JOIN exam_instances e ON e.sop_instance_uid = i.sop_instance_uid
         WHERE i.exam_id = ? ORDER BY e.series_number, e.instance_number`,
      )
      .all([examId]);
    const bySeries = new Map<string, { description: string; images: { sopClassUid: string; sopInstanceUid: string }[] }>();
    for (const r of rows) {
      let s = bySeries.get(r.series);
      if (!s) bySeries.set(r.series, (s = { description: seriesDescriptionOf(r.kind), images: [] }));
      s.images.push({ sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid });
    }
    // No operator log-in on this cart yet: Operators' Name is sent empty (type 2).
    return [...bySeries].map(([uid, s]) => ({ seriesInstanceUid: uid, seriesDescription: s.description, operator: '', images: s.images }));
  }
}

/** Performed Procedure Step ID (SH, ≤ 16): from the exam ID, so the same exam always gets the same one. */
export function ppsIdOf(examId: string): string {
  const id = examId.replace(/[^0-9A-Za-z]/g, '').slice(0, 16).toUpperCase();
  return id.length > 0 ? id : 'PPS';
}
