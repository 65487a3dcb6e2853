/**
 * MPPS SCU (PS3.4 Annex F; IHE SWF RAD-6 "Modality Procedure Step In Progress", RAD-7
 * "Completed/Discontinued"; conformance §8) as network operations: one N-CREATE or one N-SET
 * on an open association. The data sets come from dicom/iod (buildMppsInProgress …); the
 * persistent queue (another module) decides when each is sent and retries it; these functions
 * refuse what must never be sent (an N-SET after COMPLETED or DISCONTINUED).
 */
import type { DataSet } from '../../../dicom/dataset/index.js';
import { MPPS_SOP_CLASS, type MppsStatus } from '../../../dicom/iod/index.js';
import type { acse, dimse } from '../../../dicom/net/index.js';
import type { Association } from '../association.js';
import type { InvokeRequest } from '../dimse-router.js';
import { AssociationStateError, DimseStatusError, NoAcceptableContextError } from '../errors.js';
import { encodeForContext } from '../dataset-bytes.js';
import { FIND_SYNTAXES } from './services.js';

export { MPPS_SOP_CLASS };

export function mppsProposals(): acse.ContextProposal[] {
  return [{ abstractSyntax: MPPS_SOP_CLASS, transferSyntaxes: FIND_SYNTAXES }];
}

export interface MppsResult {
  readonly status: dimse.StatusInfo;
  /** The MPPS SOP Instance UID: ours, or the one the SCP assigned when we sent none. */
  readonly sopInstanceUid: string;
}

function context(assoc: Association, step: string): acse.AcceptedContext {
  const ctx = assoc.negotiated.byAbstractSyntax.get(MPPS_SOP_CLASS)?.[0];
  if (!ctx) throw new NoAcceptableContextError(assoc.peer, step, 'the peer did not accept Modality Performed Procedure Step');
  return ctx;
}

async function finalResponse(inv: AsyncIterable<{ status: dimse.StatusInfo; command: dimse.DimseCommand }>): Promise<{ status: dimse.StatusInfo; command: dimse.DimseCommand } | undefined> {
  let last: { status: dimse.StatusInfo; command: dimse.DimseCommand } | undefined;
  for await (const r of inv) last = r;
  return last;
}

function check(assoc: Association, step: string, last: { status: dimse.StatusInfo; command: dimse.DimseCommand } | undefined): dimse.StatusInfo {
  // PS3.4 F.7.2.1.2: warnings (e.g. 0x0107 attribute list error) still create/update the step.
  if (!last || (last.status.category !== 'success' && last.status.category !== 'warning')) {
    throw new DimseStatusError(
      assoc.peer,
      step,
      last?.status ?? { code: 0xffff, hex: 'FFFF', category: 'failure', meaning: 'no response', entry: undefined },
      last?.command.errorComment,
    );
  }
  return last.status;
}

/** Sends one MPPS request with its data set on the MPPS context; its final response, checked. */
async function sendMpps(assoc: Association, step: string, command: InvokeRequest['command'], service: InvokeRequest['service'], dataSet: DataSet): Promise<{ status: dimse.StatusInfo; command: dimse.DimseCommand | undefined }> {
  const ctx = context(assoc, step);
  const last = await finalResponse(assoc.invoke({ contextId: ctx.id, command, service, data: encodeForContext(dataSet, ctx.transferSyntax), step }));
  return { status: check(assoc, step, last), command: last?.command };
}

/** N-CREATE "IN PROGRESS" (RAD-6). */
export async function mppsCreate(assoc: Association, sopInstanceUid: string, dataSet: DataSet): Promise<MppsResult> {
  const step = `N-CREATE MPPS ${sopInstanceUid}`;
  const r = await sendMpps(assoc, step, { type: 'N-CREATE-RQ', hasDataSet: true, affectedSopClassUid: MPPS_SOP_CLASS, affectedSopInstanceUid: sopInstanceUid }, 'N-CREATE', dataSet);
  return { status: r.status, sopInstanceUid: r.command?.affectedSopInstanceUid ?? sopInstanceUid };
}

/**
 * N-SET of the final state (RAD-7). `currentStatus` is the status the step has now (as last
 * sent); an N-SET on a step already COMPLETED or DISCONTINUED is refused before anything is sent.
 */
export async function mppsSet(assoc: Association, sopInstanceUid: string, currentStatus: MppsStatus, dataSet: DataSet): Promise<MppsResult> {
  const step = `N-SET MPPS ${sopInstanceUid}`;
  if (currentStatus !== 'IN PROGRESS') {
    throw new AssociationStateError(assoc.peer, step, `the procedure step is already ${currentStatus}; no N-SET may follow`);
  }
  const r = await sendMpps(assoc, step, { type: 'N-SET-RQ', hasDataSet: true, requestedSopClassUid: MPPS_SOP_CLASS, requestedSopInstanceUid: sopInstanceUid }, 'N-SET', dataSet);
  return { status: r.status, sopInstanceUid };
}
