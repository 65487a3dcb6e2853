/**
 * Storage Commitment SCP of the simulated hospital (PS3.4 J.3): answers the N-ACTION at once,
 * then after a delay opens a NEW association to the requesting AE (as archives commonly do),
 * proposing itself as SCP of the Push Model (role selection), and sends the N-EVENT-REPORT:
 * committed what its storage directory holds, failed (0x0112, no such object instance) the rest.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { IMPLICIT_VR_LE, EXPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import {
  buildCommitmentReport,
  COMMITMENT_EVENT,
  parseCommitmentRequest,
  STORAGE_COMMITMENT_PUSH_INSTANCE,
  STORAGE_COMMITMENT_PUSH_SOP_CLASS,
  type CommitmentReport,
} from '../../dicom/iod/index.js';
import type { Clock } from '../../device/clock.js';
import type { Logger } from '../../device/log/logger.js';
import { Association, type IncomingRequest, type RequestResponse } from '../../device/net/association.js';
import { encodeForContext, readSmallDataSet } from '../../device/net/dataset-bytes.js';
import { withAssociation } from '../../device/net/scu/session.js';

export interface RemoteAe {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

export interface CommitmentScpOptions {
  readonly hospitalAeTitle: string;
  readonly storageDir: string;
  /** Where each calling AE listens for the report (the archive's "DicomModalities"). */
  readonly remotes: readonly RemoteAe[];
  readonly delayMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called after each report was delivered (or failed to be), for tests and the log. */
  readonly onReportSent?: (report: Omit<CommitmentReport, 'eventTypeId'> & { eventTypeId: number }, error?: Error) => void;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export function commitmentScp(o: CommitmentScpOptions): (req: IncomingRequest) => Promise<RequestResponse> {
  return async (req) => {
    if (req.command.type !== 'N-ACTION-RQ') return { status: 0x0211 };
    if (req.command.actionTypeId !== 1) return { status: 0x0123 }; // no such action type
    const ds = await readSmallDataSet(req);
    if (!ds) return { status: 0x0120, errorComment: 'no action information' };
    let request: ReturnType<typeof parseCommitmentRequest>;
    try {
      request = parseCommitmentRequest(ds);
    } catch (e) {
      return { status: 0x0110, errorComment: (e as Error).message.slice(0, 64) };
    }
    const remote = o.remotes.find((r) => r.aeTitle.trim() === req.callingAeTitle.trim());
    if (!remote) return { status: 0x0110, errorComment: `unknown AE ${req.callingAeTitle}: nowhere to report` };
    o.clock.setTimeout(() => void report(o, remote, request), o.delayMs);
    return { status: 0x0000 };
  };
}

async function report(o: CommitmentScpOptions, remote: RemoteAe, request: ReturnType<typeof parseCommitmentRequest>): Promise<void> {
  const committed = [];
  const failed = [];
  for (const r of request.refs) {
    if (await exists(join(o.storageDir, `${r.sopInstanceUid}.dcm`))) committed.push(r);
    else failed.push({ ...r, failureReason: 0x0112 });
  }
  const eventTypeId = failed.length === 0 ? COMMITMENT_EVENT.ALL_COMMITTED : COMMITMENT_EVENT.SOME_FAILED;
  const rep = { transactionUid: request.transactionUid, committed, failed, retrieveAeTitle: o.hospitalAeTitle, eventTypeId };
  try {
    await withAssociation(
      {
        peer: remote,
        callingAeTitle: o.hospitalAeTitle,
        proposals: [{ abstractSyntax: STORAGE_COMMITMENT_PUSH_SOP_CLASS, transferSyntaxes: [EXPLICIT_VR_LE, IMPLICIT_VR_LE] }],
        // We are the SCP of the Push Model on an association we open (PS3.4 J.3.3).
        extraUserInformation: [{ type: 'role-selection', sopClassUid: STORAGE_COMMITMENT_PUSH_SOP_CLASS, scuRole: 0, scpRole: 1 }],
        logger: o.log,
        clock: o.clock,
      },
      async (a: Association) => {
        const ctx = a.negotiated.byAbstractSyntax.get(STORAGE_COMMITMENT_PUSH_SOP_CLASS)?.[0];
        if (!ctx) throw new Error(`${remote.aeTitle} did not accept the storage commitment report`);
        let status: number | undefined;
        for await (const r of a.invoke({
          contextId: ctx.id,
          command: { type: 'N-EVENT-REPORT-RQ', hasDataSet: true, affectedSopClassUid: STORAGE_COMMITMENT_PUSH_SOP_CLASS, affectedSopInstanceUid: STORAGE_COMMITMENT_PUSH_INSTANCE, eventTypeId },
          service: 'N-EVENT-REPORT',
          data: encodeForContext(buildCommitmentReport(rep), ctx.transferSyntax),
          step: `N-EVENT-REPORT ${request.transactionUid}`,
        })) {
          status = r.status.code;
        }
        if (status !== 0) throw new Error(`${remote.aeTitle} answered the report with status ${status?.toString(16)}`);
      },
    );
    o.log.info('commitment reported', { transactionUid: request.transactionUid, committed: committed.length, failed: failed.length });
    o.onReportSent?.(rep);
  } catch (e) {
    o.log.warn('commitment report not delivered', { transactionUid: request.transactionUid, error: (e as Error).message });
    o.onReportSent?.(rep, e as Error);
  }
}
