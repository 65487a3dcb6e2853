/**
 * The exam context: who the patient is and which study the cart's objects belong to, either from
 * a chosen worklist entry (conformance §3: the Study Instance UID is the worklist's, never
 * invented when one was given) or for an unscheduled patient typed at the cart (a new Study
 * Instance UID).
 */
import { SPECIFIC_CHARACTER_SET } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import { IodError } from './errors.js';
import { copy, put, putItems, tagOf } from './put.js';

export interface ExamContext {
  readonly scheduled: boolean;
  /** Specific Character Set terms every object of the exam is written in. */
  readonly characterSet: readonly string[];
  readonly studyInstanceUid: string;
  /** Study Date / Time: when the exam started (DA, TM). */
  readonly studyDate: string;
  readonly studyTime: string;
  /**
   * Patient, study and request attributes already encoded in `characterSet`, copied as they are
   * into each object: Patient and General Study modules, and the Request Attributes Sequence.
   */
  readonly attributes: DataSet;
}

const PATIENT_KEYWORDS = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'OtherPatientIDsSequence',
  'PatientComments',
] as const;
const PATIENT_STUDY_KEYWORDS = ['PatientAge', 'PatientSize', 'PatientWeight', 'AdditionalPatientHistory', 'PregnancyStatus'] as const;
const STUDY_KEYWORDS = ['AccessionNumber', 'ReferringPhysicianName', 'IssuerOfAccessionNumberSequence'] as const;

/** A Study ID (SH, ≤ 16) when nothing was scheduled: the exam's start, YYMMDDHHMMSS; DICOMDIR STUDY records need one. */
function defaultStudyId(when: { date: string; time: string }): string {
  return `${when.date.slice(2)}${when.time.slice(0, 6)}`;
}

/** Keeps at most `n` characters (SH/LO limits) of a value that comes from a longer VR. */
function clip(s: string | undefined, n: number): string | undefined {
  return s === undefined ? undefined : s.slice(0, n);
}

/**
 * Maps a worklist entry (as returned by C-FIND, or read from DICOM JSON) onto the exam.
 * Throws IodError(IOD_MISSING) when the entry has no Study Instance UID and `newUid` is absent.
 */
export function examFromWorklist(entry: DataSet, when: { date: string; time: string }, newUid: () => string): ExamContext {
  const a = new DataSet();
  const charset = entry.characterSet();
  if (charset.length > 0) a.putStrings(SPECIFIC_CHARACTER_SET, 'CS', charset);
  for (const k of [...PATIENT_KEYWORDS, ...PATIENT_STUDY_KEYWORDS, ...STUDY_KEYWORDS]) copy(entry, a, k);
  const studyUid = entry.string(tagOf('StudyInstanceUID'))?.trim() || newUid();
  const sps = entry.items(tagOf('ScheduledProcedureStepSequence'))?.[0];
  const reqId = entry.string(tagOf('RequestedProcedureID'));
  const reqDesc = entry.string(tagOf('RequestedProcedureDescription'));
  // General Study: Study ID ← Requested Procedure ID (SH), Study Description ← Requested Procedure
  // Description, Procedure Code Sequence ← Requested Procedure Code Sequence (PS3.17 Annex on
  // modality worklist attribute mapping).
  put(a, 'StudyID', clip(reqId, 16) || defaultStudyId(when));
  if (reqDesc) put(a, 'StudyDescription', clip(reqDesc, 64));
  copy(entry, a, 'RequestedProcedureCodeSequence', 'ProcedureCodeSequence');
  // Request Attributes Sequence (General Series): one item per requested procedure step.
  const item = new DataSet(a);
  copy(entry, item, 'AccessionNumber');
  copy(entry, item, 'IssuerOfAccessionNumberSequence');
  put(item, 'StudyInstanceUID', studyUid);
  copy(entry, item, 'RequestedProcedureID');
  copy(entry, item, 'RequestedProcedureDescription');
  copy(entry, item, 'RequestedProcedureCodeSequence');
  if (sps) {
    copy(sps, item, 'ScheduledProcedureStepID');
    copy(sps, item, 'ScheduledProcedureStepDescription');
    copy(sps, item, 'ScheduledProtocolCodeSequence');
  }
  putItems(a, 'RequestAttributesSequence', [item]);
  if (sps) {
    // Performed Procedure Step Summary: what the cart is doing, named after what was scheduled.
    copy(sps, a, 'ScheduledProcedureStepDescription', 'PerformedProcedureStepDescription');
  }
  if (!a.has(tagOf('PatientID'))) throw new IodError('IOD_MISSING', 'worklist entry has no Patient ID');
  return { scheduled: true, characterSet: charset, studyInstanceUid: studyUid, studyDate: when.date, studyTime: when.time, attributes: a };
}

export interface UnscheduledPatient {
  /** PN with components, e.g. 'Doe^Jane' or 'Yamada^Tarou=山田^太郎'. */
  readonly name?: string;
  readonly id: string;
  readonly birthDate?: string;
  readonly sex?: 'M' | 'F' | 'O' | '';
  /** Specific Character Set terms able to write the name; ISO_IR 192 when the name is not ASCII and none is given. */
  readonly characterSet?: readonly string[];
}

/** An unscheduled exam: a new Study Instance UID, the patient as typed, no request attributes. */
export function unscheduledExam(p: UnscheduledPatient, when: { date: string; time: string }, newUid: () => string): ExamContext {
  const name = p.name ?? '';
  const charset = p.characterSet ?? (/^[\x20-\x7e]*$/.test(name) ? [] : ['ISO_IR 192']);
  const a = new DataSet();
  if (charset.length > 0) a.putStrings(SPECIFIC_CHARACTER_SET, 'CS', [...charset]);
  put(a, 'PatientName', name);
  put(a, 'PatientID', p.id);
  put(a, 'PatientBirthDate', p.birthDate ?? '');
  put(a, 'PatientSex', p.sex ?? '');
  put(a, 'AccessionNumber', '');
  put(a, 'ReferringPhysicianName', '');
  put(a, 'StudyID', defaultStudyId(when));
  return { scheduled: false, characterSet: charset, studyInstanceUid: newUid(), studyDate: when.date, studyTime: when.time, attributes: a };
}
