/**
 * The N-EVENT-REPORT side of Storage Commitment (PS3.4 J.3.3): the archive reports which
 * instances it committed, on the association of our N-ACTION or on a new one to our listener.
 * The report is parsed, handed to the handler (which records it), and answered with Success.
 */
import { COMMITMENT_EVENT, parseCommitmentReport, type CommitmentReport } from '../../../dicom/iod/index.js';
import type { IncomingRequest, RequestResponse } from '../association.js';
import { readSmallDataSet } from '../dataset-bytes.js';

/** Where a report came from, for the record. */
export interface ReportOrigin {
  readonly callingAeTitle: string;
  readonly host: string;
}

export interface CommitmentReportHandler {
  /** Records the report; a throw answers the archive with a processing failure (it will retry). */
  onReport(report: CommitmentReport, from: ReportOrigin): Promise<void>;
}

export function commitmentReportScp(handler: CommitmentReportHandler): (req: IncomingRequest) => Promise<RequestResponse> {
  return async (req) => {
    const cmd = req.command;
    if (cmd.type !== 'N-EVENT-REPORT-RQ') return { status: 0x0211 };
    const event = cmd.eventTypeId ?? 0;
    if (event !== COMMITMENT_EVENT.ALL_COMMITTED && event !== COMMITMENT_EVENT.SOME_FAILED) return { status: 0x0113 }; // no such event type
    let report: CommitmentReport;
    try {
      const ds = await readSmallDataSet(req);
      if (!ds) return { status: 0x0120, errorComment: 'no event information' }; // missing attribute
      report = parseCommitmentReport(ds, event);
    } catch (e) {
      return { status: 0x0110, errorComment: (e as Error).message.slice(0, 64) };
    }
    await handler.onReport(report, { callingAeTitle: req.callingAeTitle, host: req.peer.host });
    return { status: 0x0000 };
  };
}
