/**
 * The default CommitmentReportHandler of the service: nothing yet asks for storage commitment
 * in the running cart, so a report that arrives matches no transaction we sent. It is answered
 * Success (the archive did its part; refusing would only make it retry), logged without patient
 * data (transaction UID, counts, who sent it) and recorded in the audit trail as unmatched, so a
 * PACS administrator's "we reported it" can be checked. The persistent commitment ledger
 * replaces this in main.ts (the one `commitmentReports` of createDevice).
 */
import type { CommitmentReport } from '../../dicom/iod/index.js';
import type { AuditLog } from '../device.js';
import type { Logger } from '../log/logger.js';
import type { CommitmentReportHandler, ReportOrigin } from '../net/scp/commitment-report.js';

export function unmatchedCommitmentReports(o: { readonly log: Logger; readonly audit: AuditLog }): CommitmentReportHandler {
  return {
    async onReport(report: CommitmentReport, from: ReportOrigin): Promise<void> {
      const counts = { committed: report.committed.length, failed: report.failed.length };
      o.log.warn('storage commitment report matches no transaction of ours', { transactionUid: report.transactionUid, ...counts, from: `${from.callingAeTitle}@${from.host}` });
      o.audit.record({
        who: 'service',
        action: 'commitment-report',
        what: `transaction ${report.transactionUid}`,
        where: from.callingAeTitle,
        outcome: 'failure',
        detail: `unmatched: no such transaction; ${counts.committed} committed, ${counts.failed} failed`,
      });
    },
  };
}
