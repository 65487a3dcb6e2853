/**
 * Modality Worklist C-FIND SCU (PS3.4 Annex K): the matching and return keys of conformance
 * §3, as an async iterable of matches.
 *
 *   for await (const entry of findWorklist(assoc, { modality: 'US', date: '20240101' }, { signal })) …
 *
 * Each pending response is one entry (a DataSet whose strings decode through the entry's own
 * Specific Character Set, whichever of conformance §6 it is); the final Success ends the list.
 * Stopping early — `break`, an aborted signal, or the match cap — sends C-CANCEL-RQ and waits
 * for the peer's final response, so the association stays usable. Failure and timeouts throw
 * typed errors; they are never swallowed into an empty list.
 */
import { SonicartError, SPECIFIC_CHARACTER_SET, type Tag, type VR } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { ByteSink } from '../../../dicom/core/index.js';
import { readDataSet, transferSyntax, writeDataSet } from '../../../dicom/encoding/index.js';
import { dimse } from '../../../dicom/net/index.js';
import type { Association } from '../association.js';
import { DimseStatusError, NoAcceptableContextError, OperationCancelledError, PeerProtocolError } from '../errors.js';
import { FIND_SYNTAXES, MWL_FIND_SOP_CLASS } from './services.js';
import { Tags } from '../../../dicom/dictionary/index.js';

export interface WorklistQuery {
  /** Scheduled Procedure Step Modality (0008,0060), e.g. 'US'. */
  readonly modality?: string;
  /** SPS Start Date: 'YYYYMMDD' or a range 'YYYYMMDD-YYYYMMDD'. */
  readonly date?: string;
  /** Scheduled Station AE Title (0040,0001): usually our own AE title. */
  readonly stationAeTitle?: string;
  readonly patientId?: string;
  /** Patient's Name with `*` and `?` wildcards. */
  readonly patientName?: string;
  readonly accessionNumber?: string;
}

export interface FindOptions {
  readonly signal?: AbortSignal;
  /** Stop (and C-CANCEL) after this many matches; default 1000. */
  readonly maxMatches?: number;
  /** Specific Character Set of our request (default ISO_IR 192, UTF-8). */
  readonly characterSet?: string;
}

export const DEFAULT_MAX_MATCHES = 1000;
export const DEFAULT_QUERY_CHARSET = 'ISO_IR 192';

/** Tags of the worklist keys (PS3.4 Table K.6-1), named as PS3.6 does. */
export const MWL = {
  SpecificCharacterSet: SPECIFIC_CHARACTER_SET,
  AccessionNumber: Tags.AccessionNumber,
  Modality: Tags.Modality,
  InstitutionName: Tags.InstitutionName,
  ReferringPhysicianName: Tags.ReferringPhysicianName,
  CodeValue: Tags.CodeValue,
  CodingSchemeDesignator: Tags.CodingSchemeDesignator,
  CodingSchemeVersion: Tags.CodingSchemeVersion,
  CodeMeaning: Tags.CodeMeaning,
  PatientName: Tags.PatientName,
  PatientID: Tags.PatientID,
  PatientBirthDate: Tags.PatientBirthDate,
  PatientSex: Tags.PatientSex,
  PatientAge: Tags.PatientAge,
  PatientSize: Tags.PatientSize,
  PatientWeight: Tags.PatientWeight,
  MedicalAlerts: Tags.MedicalAlerts,
  Allergies: Tags.Allergies,
  PregnancyStatus: Tags.PregnancyStatus,
  LastMenstrualDate: Tags.LastMenstrualDate,
  PatientComments: Tags.PatientComments,
  StudyInstanceUID: Tags.StudyInstanceUID,
  RequestingPhysician: Tags.RequestingPhysician,
  RequestedProcedureDescription: Tags.RequestedProcedureDescription,
  RequestedProcedureCodeSequence: Tags.RequestedProcedureCodeSequence,
  RequestedContrastAgent: Tags.RequestedContrastAgent,
  AdmissionID: Tags.AdmissionID,
  SpecialNeeds: Tags.SpecialNeeds,
  PatientState: Tags.PatientState,
  ScheduledStationAETitle: Tags.ScheduledStationAETitle,
  ScheduledProcedureStepStartDate: Tags.ScheduledProcedureStepStartDate,
  ScheduledProcedureStepStartTime: Tags.ScheduledProcedureStepStartTime,
  ScheduledPerformingPhysicianName: Tags.ScheduledPerformingPhysicianName,
  ScheduledProcedureStepDescription: Tags.ScheduledProcedureStepDescription,
  ScheduledProtocolCodeSequence: Tags.ScheduledProtocolCodeSequence,
  ScheduledProcedureStepID: Tags.ScheduledProcedureStepID,
  ScheduledProcedureStepSequence: Tags.ScheduledProcedureStepSequence,
  RequestedProcedureID: Tags.RequestedProcedureID,
} as const;

type Key = readonly [Tag, VR];

const CODE_ITEM: readonly Key[] = [
  [MWL.CodeValue, 'SH'],
  [MWL.CodingSchemeDesignator, 'SH'],
  [MWL.CodingSchemeVersion, 'SH'],
  [MWL.CodeMeaning, 'LO'],
];

/** Return keys at the top level (conformance §3), asked for empty. */
const TOP_KEYS: readonly Key[] = [
  [MWL.AccessionNumber, 'SH'],
  [MWL.InstitutionName, 'LO'],
  [MWL.ReferringPhysicianName, 'PN'],
  [MWL.PatientName, 'PN'],
  [MWL.PatientID, 'LO'],
  [MWL.PatientBirthDate, 'DA'],
  [MWL.PatientSex, 'CS'],
  [MWL.PatientAge, 'AS'],
  [MWL.PatientSize, 'DS'],
  [MWL.PatientWeight, 'DS'],
  [MWL.MedicalAlerts, 'LO'],
  [MWL.Allergies, 'LO'],
  [MWL.PregnancyStatus, 'US'],
  [MWL.LastMenstrualDate, 'DA'],
  [MWL.PatientComments, 'LT'],
  [MWL.StudyInstanceUID, 'UI'],
  [MWL.RequestingPhysician, 'PN'],
  [MWL.RequestedProcedureDescription, 'LO'],
  [MWL.AdmissionID, 'LO'],
  [MWL.SpecialNeeds, 'LO'],
  [MWL.PatientState, 'LO'],
  [MWL.RequestedProcedureID, 'SH'],
];

/** Keys of the one Scheduled Procedure Step item. */
const SPS_KEYS: readonly Key[] = [
  [MWL.Modality, 'CS'],
  [MWL.RequestedContrastAgent, 'LO'],
  [MWL.ScheduledStationAETitle, 'AE'],
  [MWL.ScheduledProcedureStepStartDate, 'DA'],
  [MWL.ScheduledProcedureStepStartTime, 'TM'],
  [MWL.ScheduledPerformingPhysicianName, 'PN'],
  [MWL.ScheduledProcedureStepDescription, 'LO'],
  [MWL.ScheduledProcedureStepID, 'SH'],
];

function emptyKeys(ds: DataSet, keys: readonly Key[]): void {
  for (const [t, vr] of keys) ds.put(t, vr, { type: 'raw', bytes: new Uint8Array(0) });
}

function codeSequence(parent: DataSet, t: Tag): void {
  const item = new DataSet();
  emptyKeys(item, CODE_ITEM);
  parent.putSequence(t, [item]);
}

const DATE_OR_RANGE = /^(\d{8})?(-(\d{8})?)?$/;

/** The C-FIND identifier: matching keys from `q`, every other key of conformance §3 empty. */
export function worklistIdentifier(q: WorklistQuery, characterSet = DEFAULT_QUERY_CHARSET): DataSet {
  if (q.date !== undefined && (q.date === '' || !DATE_OR_RANGE.test(q.date))) {
    throw new SonicartError('WORKLIST_BAD_DATE', `SPS start date must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD, got ${JSON.stringify(q.date)}`);
  }
  const ds = new DataSet();
  ds.putStrings(MWL.SpecificCharacterSet, 'CS', characterSet);
  emptyKeys(ds, TOP_KEYS);
  codeSequence(ds, MWL.RequestedProcedureCodeSequence);
  if (q.accessionNumber !== undefined) ds.putStrings(MWL.AccessionNumber, 'SH', q.accessionNumber);
  if (q.patientName !== undefined) ds.putStrings(MWL.PatientName, 'PN', q.patientName);
  if (q.patientId !== undefined) ds.putStrings(MWL.PatientID, 'LO', q.patientId);

  const sps = new DataSet();
  ds.putSequence(MWL.ScheduledProcedureStepSequence, [sps]);
  emptyKeys(sps, SPS_KEYS);
  codeSequence(sps, MWL.ScheduledProtocolCodeSequence);
  if (q.modality !== undefined) sps.putStrings(MWL.Modality, 'CS', q.modality);
  if (q.stationAeTitle !== undefined) sps.putStrings(MWL.ScheduledStationAETitle, 'AE', q.stationAeTitle);
  if (q.date !== undefined) sps.putStrings(MWL.ScheduledProcedureStepStartDate, 'DA', q.date);
  return ds;
}

export const worklistProposals = (): { abstractSyntax: string; transferSyntaxes: readonly string[] }[] => [
  { abstractSyntax: MWL_FIND_SOP_CLASS, transferSyntaxes: FIND_SYNTAXES },
];

/**
 * A running worklist query. Iterate it once; afterwards `truncated` says whether the match
 * cap stopped it and `received` how many matches came.
 */
export class WorklistFind implements AsyncIterable<DataSet> {
  truncated = false;
  received = 0;
  private used = false;

  constructor(
    private readonly assoc: Association,
    private readonly query: WorklistQuery,
    private readonly options: FindOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<DataSet> {
    if (this.used) throw new SonicartError('WORKLIST_ITERATED_TWICE', 'a WorklistFind is iterated once');
    this.used = true;
    const { assoc, options } = this;
    const step = 'C-FIND (Modality Worklist)';
    const ctx = assoc.negotiated.byAbstractSyntax.get(MWL_FIND_SOP_CLASS)?.[0];
    if (!ctx) throw new NoAcceptableContextError(assoc.peer, step, 'the peer did not accept the Modality Worklist Information Model – FIND SOP class');
    const ts = transferSyntax(ctx.transferSyntax);
    if (!ts || ts.encapsulated || ts.deflated) throw new NoAcceptableContextError(assoc.peer, step, `the peer chose transfer syntax ${ctx.transferSyntax}, which we did not propose for C-FIND`);
    const enc = { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian };
    const sink = new ByteSink(2048);
    writeDataSet(worklistIdentifier(this.query, options.characterSet), sink, enc);
    const max = options.maxMatches ?? DEFAULT_MAX_MATCHES;
    options.signal?.throwIfAborted();

    const inv = assoc.invoke({
      contextId: ctx.id,
      command: { type: 'C-FIND-RQ', hasDataSet: true, affectedSopClassUid: MWL_FIND_SOP_CLASS, priority: dimse.PRIORITY.medium },
      service: 'C-FIND',
      data: sink.toBytes(),
      step,
    });
    const responses = inv[Symbol.asyncIterator]();
    let final = false;
    let cancelled = false;
    const cancel = (): void => {
      if (cancelled || final) return;
      cancelled = true;
      void assoc.cancel(inv.messageId).catch(() => undefined);
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const r = await responses.next();
        if (r.done) break;
        const rsp = r.value;
        if (rsp.status.category === 'pending') {
          if (cancelled) continue; // in flight before our C-CANCEL: dropped
          if (!rsp.dataSet) throw new PeerProtocolError(assoc.peer, step, `pending C-FIND response (${rsp.status.hex}) without an identifier`);
          this.received++;
          yield decodeIdentifier(rsp.dataSet, enc, assoc, step);
          if (this.received >= max) {
            this.truncated = true;
            cancel();
          }
          continue;
        }
        final = true;
        if (rsp.status.category === 'success' || rsp.status.category === 'cancel') break;
        throw new DimseStatusError(assoc.peer, step, rsp.status, rsp.command.errorComment);
      }
      if (options.signal?.aborted && !this.truncated) {
        throw new OperationCancelledError(assoc.peer, step, 'cancelled by the caller', { cause: options.signal.reason });
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      if (!final) {
        // The caller stopped early (break/return) or something threw: cancel and wait for the
        // peer's final response, so the association can still be used or released cleanly.
        cancel();
        try {
          for (let r = await responses.next(); !r.done; r = await responses.next()) {
            if (r.value.status.category !== 'pending') break;
          }
        } catch {
          // The association failed meanwhile; its error has already reached the caller or will on release.
        }
      }
    }
  }
}

export function findWorklist(assoc: Association, query: WorklistQuery, options: FindOptions = {}): WorklistFind {
  return new WorklistFind(assoc, query, options);
}

function decodeIdentifier(bytes: Uint8Array, enc: { explicitVR: boolean; littleEndian: boolean }, assoc: Association, step: string): DataSet {
  try {
    return readDataSet(bytes, { ...enc }).dataset;
  } catch (e) {
    throw new PeerProtocolError(assoc.peer, step, `C-FIND identifier does not parse: ${(e as Error).message}`, { cause: e });
  }
}
