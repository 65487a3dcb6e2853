/**
 * The audit row of a send (device.md: every send, who / what / when / where to), written by the
 * queue's onSettled hook inside the commit that records the outcome: one fsync for a group of
 * outcomes and their rows together, instead of a commit of its own per instance after the
 * fact (which also left a window where an outcome was on disk and its audit row was not).
 */
import type { AuditLog } from '../device.js';
import type { Job } from '../queue/index.js';

/** The hook for JobQueueOptions.onSettled: store, MPPS and commitment jobs that reached completed, warning or failed. */
export function auditSends(audit: Pick<AuditLog, 'record'>): (job: Job) => void {
  return (job) => {
    if (job.kind === 'export') return; // media exports are audited by MediaJobs
    audit.record({
      who: 'service',
      action: 'send',
      what: job.kind === 'store' ? `instance ${job.sopInstanceUid ?? ''}` : `${job.kind === 'mpps' ? 'MPPS' : 'storage commitment'} of exam ${job.examId ?? ''}`,
      where: job.destination,
      outcome: job.state === 'failed' ? 'failure' : 'success',
      ...(job.status || job.reason ? { detail: [job.status, job.reason].filter(Boolean).join(' ') } : {}),
    });
  };
}
