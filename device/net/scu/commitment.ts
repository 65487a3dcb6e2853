/**
 * Storage Commitment Push Model SCU (PS3.4 Annex J; conformance §8) as network operations:
 * the N-ACTION "request storage commitment" with a Transaction UID and the Referenced SOP
 * Sequence, and the tracker that matches the archive's N-EVENT-REPORT (on the same association
 * or on a new one to our listener; both feed the same tracker) to the transaction waiting for
 * it. The queue (another module) persists transactions, retries with a new Transaction UID
 * after the configured time, and marks instances committed or commit-failed.
 */
import {
  buildCommitmentRequest,
  COMMITMENT_ACTION_TYPE,
  STORAGE_COMMITMENT_PUSH_INSTANCE,
  STORAGE_COMMITMENT_PUSH_SOP_CLASS,
  type CommitmentReport,
  type SopReference,
} from '../../../dicom/iod/index.js';
import type { acse, dimse } from '../../../dicom/net/index.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { Association, RequestHandler } from '../association.js';
import { DimseStatusError, NoAcceptableContextError } from '../errors.js';
import { commitmentReportScp, type CommitmentReportHandler, type ReportOrigin } from '../scp/commitment-report.js';
import { encodeForContext } from '../dataset-bytes.js';
import { FIND_SYNTAXES } from './services.js';

export function commitmentProposals(): acse.ContextProposal[] {
  return [{ abstractSyntax: STORAGE_COMMITMENT_PUSH_SOP_CLASS, transferSyntaxes: FIND_SYNTAXES }];
}

/** N-ACTION-RQ: asks the archive to commit `refs` under `transactionUid`. Resolves on its Success. */
export async function requestCommitment(assoc: Association, transactionUid: string, refs: readonly SopReference[]): Promise<dimse.StatusInfo> {
  const step = `N-ACTION storage commitment ${transactionUid}`;
  const ctx = assoc.negotiated.byAbstractSyntax.get(STORAGE_COMMITMENT_PUSH_SOP_CLASS)?.[0];
  if (!ctx) throw new NoAcceptableContextError(assoc.peer, step, 'the peer did not accept Storage Commitment Push Model');
  let last: { status: dimse.StatusInfo; command: dimse.DimseCommand } | undefined;
  for await (const r of assoc.invoke({
    contextId: ctx.id,
    command: {
      type: 'N-ACTION-RQ',
      hasDataSet: true,
      requestedSopClassUid: STORAGE_COMMITMENT_PUSH_SOP_CLASS,
      requestedSopInstanceUid: STORAGE_COMMITMENT_PUSH_INSTANCE,
      actionTypeId: COMMITMENT_ACTION_TYPE,
    },
    service: 'N-ACTION',
    data: encodeForContext(buildCommitmentRequest(transactionUid, refs), ctx.transferSyntax),
    step,
  })) {
    last = r;
  }
  if (!last || last.status.category !== 'success') {
    throw new DimseStatusError(assoc.peer, step, last?.status ?? { code: 0xffff, hex: 'FFFF', category: 'failure', meaning: 'no response', entry: undefined }, last?.command.errorComment);
  }
  return last.status;
}

export type CommitmentOutcome =
  | { readonly kind: 'report'; readonly report: CommitmentReport; readonly from: ReportOrigin }
  | { readonly kind: 'timeout' };

/**
 * Transactions waiting for their report. `onReport` is the CommitmentReportHandler the
 * listener and `sameAssociationHandler()` call; a report for a transaction nobody waits for
 * (after a restart, or a late one after a retry) goes to `unmatched`, for the queue to record.
 */
export class CommitmentTracker implements CommitmentReportHandler {
  private readonly waiting = new Map<string, { resolve: (o: CommitmentOutcome) => void; timer: TimerHandle }>();

  constructor(
    private readonly clock: Clock,
    private readonly unmatched: (report: CommitmentReport, from: ReportOrigin) => Promise<void> = async () => undefined,
  ) {}

  /** Resolves with the report for `transactionUid`, or a timeout after `ms` of the clock. Call before the N-ACTION. */
  expect(transactionUid: string, ms: number): Promise<CommitmentOutcome> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.waiting.delete(transactionUid);
        resolve({ kind: 'timeout' });
      }, ms);
      this.waiting.set(transactionUid, { resolve, timer });
    });
  }

  get pending(): number {
    return this.waiting.size;
  }

  async onReport(report: CommitmentReport, from: ReportOrigin): Promise<void> {
    const w = this.waiting.get(report.transactionUid);
    if (!w) return this.unmatched(report, from);
    this.waiting.delete(report.transactionUid);
    w.timer.cancel();
    w.resolve({ kind: 'report', report, from });
  }

  /** The handler for an SCU association on which the archive may send the report right away. */
  sameAssociationHandler(): RequestHandler {
    const scp = commitmentReportScp(this);
    return (req) => (req.context.abstractSyntax === STORAGE_COMMITMENT_PUSH_SOP_CLASS ? scp(req) : Promise.resolve({ status: 0x0211 }));
  }
}
