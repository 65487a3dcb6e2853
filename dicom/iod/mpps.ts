/**
 * Modality Performed Procedure Step data sets (PS3.4 Annex F; IHE RAD TF-2 RAD-6/RAD-7;
 * conformance §8): the N-CREATE "IN PROGRESS" built from the exam context (the worklist's
 * scheduled step references, or empty ones for an unscheduled patient), and the final N-SET,
 * "COMPLETED" with the Performed Series Sequence or "DISCONTINUED" with a reason.
 */
import { SPECIFIC_CHARACTER_SET } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import type { ExamContext } from './exam.js';
import { IodError } from './errors.js';
import { copy, put, putEmpty, putItems, tagOf } from './put.js';
import type { SopReference } from './commitment.js';

export const MPPS_SOP_CLASS = '1.2.840.10008.3.1.2.3.3';

export type MppsStatus = 'IN PROGRESS' | 'COMPLETED' | 'DISCONTINUED';

export interface MppsStart {
  readonly exam: ExamContext;
  /** Performed Procedure Step ID (0040,0253), SH. */
  readonly ppsId: string;
  /** Performed Station AE Title (0040,0241): the cart's AE title. */
  readonly stationAeTitle: string;
  readonly stationName?: string;
  readonly start: { readonly date: string; readonly time: string };
}

export interface PerformedSeries {
  readonly seriesInstanceUid: string;
  readonly seriesDescription: string;
  /** Operators' Name (PN), as the exam's character set writes it. */
  readonly operator: string;
  readonly retrieveAeTitle: string;
  readonly images: readonly SopReference[];
}

export interface CodedReason {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

/** CID 9300 "Procedure Discontinuation Reasons", the ones a cart offers. */
export const DISCONTINUATION_REASONS = {
  unspecified: { value: '110513', scheme: 'DCM', meaning: 'Discontinued for unspecified reason' },
  wrongWorklistEntry: { value: '110514', scheme: 'DCM', meaning: 'Incorrect worklist entry selected' },
  patientRefused: { value: '110505', scheme: 'DCM', meaning: 'Patient refused to continue procedure' },
  equipmentFailure: { value: '110501', scheme: 'DCM', meaning: 'Equipment failure' },
  patientCondition: { value: '110515', scheme: 'DCM', meaning: 'Patient condition prevented continuing' },
} as const satisfies Record<string, CodedReason>;

function withCharset(exam: ExamContext): DataSet {
  const ds = new DataSet();
  if (exam.characterSet.length > 0) ds.putStrings(SPECIFIC_CHARACTER_SET, 'CS', [...exam.characterSet]);
  return ds;
}

/** One Scheduled Step Attributes item per Request Attributes item of the exam; for an unscheduled exam, one with empty references. */
function scheduledStepItems(exam: ExamContext, parent: DataSet): DataSet[] {
  const requests = exam.attributes.items(tagOf('RequestAttributesSequence')) ?? [];
  if (requests.length === 0) {
    const item = new DataSet(parent);
    put(item, 'StudyInstanceUID', exam.studyInstanceUid);
    putEmpty(item, 'ReferencedStudySequence');
    put(item, 'AccessionNumber', '');
    putEmpty(item, 'RequestAttributesSequence');
    put(item, 'RequestedProcedureID', '');
    put(item, 'RequestedProcedureDescription', '');
    put(item, 'ScheduledProcedureStepID', '');
    put(item, 'ScheduledProcedureStepDescription', '');
    putEmpty(item, 'ScheduledProtocolCodeSequence');
    return [item];
  }
  return requests.map((r) => {
    const item = new DataSet(parent);
    put(item, 'StudyInstanceUID', r.string(tagOf('StudyInstanceUID'))?.trim() || exam.studyInstanceUid);
    putEmpty(item, 'ReferencedStudySequence');
    if (!copy(r, item, 'AccessionNumber')) put(item, 'AccessionNumber', '');
    if (!copy(r, item, 'RequestedProcedureID')) put(item, 'RequestedProcedureID', '');
    if (!copy(r, item, 'RequestedProcedureDescription')) put(item, 'RequestedProcedureDescription', '');
    if (!copy(r, item, 'ScheduledProcedureStepID')) put(item, 'ScheduledProcedureStepID', '');
    if (!copy(r, item, 'ScheduledProcedureStepDescription')) put(item, 'ScheduledProcedureStepDescription', '');
    if (!copy(r, item, 'ScheduledProtocolCodeSequence')) putEmpty(item, 'ScheduledProtocolCodeSequence');
    return item;
  });
}

/** The N-CREATE-RQ data set: status IN PROGRESS, end and series empty (PS3.4 Table F.7.2-1). */
export function buildMppsInProgress(s: MppsStart): DataSet {
  if (s.ppsId.length === 0 || s.ppsId.length > 16) throw new IodError('IOD_BAD_VALUE', `PPS ID must be 1–16 characters: ${JSON.stringify(s.ppsId)}`);
  const ds = withCharset(s.exam);
  putItems(ds, 'ScheduledStepAttributesSequence', scheduledStepItems(s.exam, ds));
  for (const k of ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex']) {
    if (!copy(s.exam.attributes, ds, k)) put(ds, k, '');
  }
  putEmpty(ds, 'ReferencedPatientSequence');
  put(ds, 'PerformedProcedureStepID', s.ppsId);
  put(ds, 'PerformedStationAETitle', s.stationAeTitle);
  put(ds, 'PerformedStationName', s.stationName ?? '');
  put(ds, 'PerformedLocation', '');
  put(ds, 'PerformedProcedureStepStartDate', s.start.date);
  put(ds, 'PerformedProcedureStepStartTime', s.start.time);
  put(ds, 'PerformedProcedureStepStatus', 'IN PROGRESS');
  if (!copy(s.exam.attributes, ds, 'PerformedProcedureStepDescription')) put(ds, 'PerformedProcedureStepDescription', '');
  put(ds, 'PerformedProcedureTypeDescription', '');
  if (!copy(s.exam.attributes, ds, 'ProcedureCodeSequence')) putEmpty(ds, 'ProcedureCodeSequence');
  put(ds, 'PerformedProcedureStepEndDate', '');
  put(ds, 'PerformedProcedureStepEndTime', '');
  put(ds, 'Modality', 'US');
  if (!copy(s.exam.attributes, ds, 'StudyID')) put(ds, 'StudyID', '');
  putEmpty(ds, 'PerformedProtocolCodeSequence');
  putEmpty(ds, 'PerformedSeriesSequence');
  return ds;
}

function seriesItems(series: readonly PerformedSeries[], parent: DataSet): DataSet[] {
  return series.map((s) => {
    const item = new DataSet(parent);
    put(item, 'PerformingPhysicianName', '');
    put(item, 'ProtocolName', s.seriesDescription || 'US');
    put(item, 'OperatorsName', s.operator);
    put(item, 'SeriesInstanceUID', s.seriesInstanceUid);
    put(item, 'SeriesDescription', s.seriesDescription);
    put(item, 'RetrieveAETitle', s.retrieveAeTitle);
    putItems(
      item,
      'ReferencedImageSequence',
      s.images.map((r) => {
        const ref = new DataSet(item);
        put(ref, 'ReferencedSOPClassUID', r.sopClassUid);
        put(ref, 'ReferencedSOPInstanceUID', r.sopInstanceUid);
        return ref;
      }),
    );
    putEmpty(item, 'ReferencedNonImageCompositeSOPInstanceSequence');
    return item;
  });
}

/** The final N-SET-RQ data set: COMPLETED with every stored image (PS3.4 Table F.7.2-1, IHE RAD-7). */
export function buildMppsCompleted(exam: ExamContext, end: { date: string; time: string }, series: readonly PerformedSeries[]): DataSet {
  const ds = withCharset(exam);
  put(ds, 'PerformedProcedureStepEndDate', end.date);
  put(ds, 'PerformedProcedureStepEndTime', end.time);
  put(ds, 'PerformedProcedureStepStatus', 'COMPLETED');
  putItems(ds, 'PerformedSeriesSequence', seriesItems(series, ds));
  return ds;
}

/** The final N-SET-RQ data set for a cancelled exam: DISCONTINUED with its reason (and what was stored before it). */
export function buildMppsDiscontinued(exam: ExamContext, end: { date: string; time: string }, reason: CodedReason, series: readonly PerformedSeries[] = []): DataSet {
  const ds = withCharset(exam);
  put(ds, 'PerformedProcedureStepEndDate', end.date);
  put(ds, 'PerformedProcedureStepEndTime', end.time);
  put(ds, 'PerformedProcedureStepStatus', 'DISCONTINUED');
  const code = new DataSet(ds);
  put(code, 'CodeValue', reason.value);
  put(code, 'CodingSchemeDesignator', reason.scheme);
  put(code, 'CodeMeaning', reason.meaning);
  putItems(ds, 'PerformedProcedureStepDiscontinuationReasonCodeSequence', [code]);
  putItems(ds, 'PerformedSeriesSequence', seriesItems(series, ds));
  return ds;
}
