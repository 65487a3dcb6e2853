/**
 * Storage Commitment Push Model data sets (PS3.4 Annex J): the N-ACTION-RQ's Transaction UID
 * and Referenced SOP Sequence, and the N-EVENT-REPORT's answer (event 1: all committed; event
 * 2: some failed, with a Failure Reason per instance).
 */
import { DataSet } from '../dataset/index.js';
import { IodError } from './errors.js';
import { put, putItems, tagOf } from './put.js';

export const STORAGE_COMMITMENT_PUSH_SOP_CLASS = '1.2.840.10008.1.20.1';
/** The well-known SOP Instance the N-ACTION is addressed to. */
export const STORAGE_COMMITMENT_PUSH_INSTANCE = '1.2.840.10008.1.20.1.1';
/** N-ACTION Action Type ID "Request Storage Commitment". */
export const COMMITMENT_ACTION_TYPE = 1;
/** N-EVENT-REPORT Event Type IDs. */
export const COMMITMENT_EVENT = { ALL_COMMITTED: 1, SOME_FAILED: 2 } as const;

export interface SopReference {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

export interface FailedSopReference extends SopReference {
  /** (0008,1197), e.g. 0x0110 processing failure, 0x0112 no such object instance. */
  readonly failureReason: number;
}

export interface CommitmentReport {
  readonly transactionUid: string;
  readonly eventTypeId: number;
  readonly committed: readonly SopReference[];
  readonly failed: readonly FailedSopReference[];
  /** Retrieve AE Title (0008,0054) of the data set, when the archive gave one. */
  readonly retrieveAeTitle: string | undefined;
}

function refItem(r: SopReference): DataSet {
  const item = new DataSet();
  put(item, 'ReferencedSOPClassUID', r.sopClassUid);
  put(item, 'ReferencedSOPInstanceUID', r.sopInstanceUid);
  return item;
}

/** The N-ACTION-RQ data set. */
export function buildCommitmentRequest(transactionUid: string, refs: readonly SopReference[]): DataSet {
  if (refs.length === 0) throw new IodError('IOD_MISSING', 'a storage commitment request needs at least one instance');
  const ds = new DataSet();
  put(ds, 'TransactionUID', transactionUid);
  putItems(ds, 'ReferencedSOPSequence', refs.map(refItem));
  return ds;
}

/** The N-EVENT-REPORT-RQ data set (the archive's side; the simulated hospital sends it). */
export function buildCommitmentReport(report: Omit<CommitmentReport, 'eventTypeId'>): DataSet {
  const ds = new DataSet();
  put(ds, 'TransactionUID', report.transactionUid);
  if (report.retrieveAeTitle !== undefined) put(ds, 'RetrieveAETitle', report.retrieveAeTitle);
  if (report.committed.length > 0) putItems(ds, 'ReferencedSOPSequence', report.committed.map(refItem));
  if (report.failed.length > 0) {
    putItems(
      ds,
      'FailedSOPSequence',
      report.failed.map((f) => {
        const item = refItem(f);
        put(item, 'FailureReason', f.failureReason);
        return item;
      }),
    );
  }
  return ds;
}

function readRefs(ds: DataSet, keyword: string): { sopClassUid: string; sopInstanceUid: string; item: DataSet }[] {
  return (ds.items(tagOf(keyword)) ?? []).map((item, i) => {
    const sopClassUid = item.string(tagOf('ReferencedSOPClassUID'))?.trim();
    const sopInstanceUid = item.string(tagOf('ReferencedSOPInstanceUID'))?.trim();
    if (!sopClassUid || !sopInstanceUid) throw new IodError('IOD_MISSING', `${keyword} item ${i + 1} lacks its Referenced SOP Class/Instance UID`);
    return { sopClassUid, sopInstanceUid, item };
  });
}

/** Reads an N-EVENT-REPORT-RQ data set; `eventTypeId` comes from the command. */
export function parseCommitmentReport(ds: DataSet, eventTypeId: number): CommitmentReport {
  const transactionUid = ds.string(tagOf('TransactionUID'))?.trim();
  if (!transactionUid) throw new IodError('IOD_MISSING', 'storage commitment report without a Transaction UID (0008,1195)');
  const committed = readRefs(ds, 'ReferencedSOPSequence').map(({ sopClassUid, sopInstanceUid }) => ({ sopClassUid, sopInstanceUid }));
  const failed = readRefs(ds, 'FailedSOPSequence').map(({ sopClassUid, sopInstanceUid, item }) => ({
    sopClassUid,
    sopInstanceUid,
    failureReason: item.number(tagOf('FailureReason')) ?? 0x0110,
  }));
  return { transactionUid, eventTypeId, committed, failed, retrieveAeTitle: ds.string(tagOf('RetrieveAETitle'))?.trim() || undefined };
}

/** Reads an N-ACTION-RQ data set (the archive's side). */
export function parseCommitmentRequest(ds: DataSet): { transactionUid: string; refs: SopReference[] } {
  const transactionUid = ds.string(tagOf('TransactionUID'))?.trim();
  if (!transactionUid) throw new IodError('IOD_MISSING', 'storage commitment request without a Transaction UID (0008,1195)');
  return { transactionUid, refs: readRefs(ds, 'ReferencedSOPSequence').map(({ sopClassUid, sopInstanceUid }) => ({ sopClassUid, sopInstanceUid })) };
}
