/**
 * The API's view of MPPS and storage commitment (adapters.ts over the ledgers): an instance's
 * destination shows `committed` / `commit-failed` once the archive answered, else its store
 * job's state; the commitment detail carries the Failure Reason; the queue summary counts
 * committed and commit-failed instances; an exam lists its procedure steps with their last job;
 * the queue's `commit` kind is the wire's `commitment`.
 */
import { describe, expect, it } from 'vitest';
import { DataSet } from '../../../dicom/dataset/index.js';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase } from '../../../device/db/index.js';
import { CommitmentLedger } from '../../../device/queue/commitment-ledger.js';
import { JobQueue } from '../../../device/queue/job-queue.js';
import { MppsLedger } from '../../../device/queue/mpps-ledger.js';
import { queuePort } from '../../../device/web/adapters.js';

const US = '1.2.840.10008.5.1.4.1.1.6.1';

describe('API views of MPPS and storage commitment', () => {
  it('instance destinations, commitment detail, summary counts, procedure steps, job kinds', async () => {
    const clock = new ManualClock();
    const db = openDatabase(':memory:');
    const queue = new JobQueue(db, { clock });
    const mpps = new MppsLedger(db, queue, clock);
    const commitments = new CommitmentLedger({ db, queue, clock, maxResends: 0 });
    const port = queuePort(queue, { mpps, commitments });
    const now = clock.now().toISOString();
    for (const u of ['1.1', '1.2', '1.3']) {
      db.prepare('INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, transfer_syntax_uid, created_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)').run([u, US, '9', '9.1', 'e', `p/${u}`, '1.2.840.10008.1.2.1', now]);
    }
    queue.enqueue({ examId: 'e' }, ['pacs']);
    for (let c = queue.claim('pacs'); c; c = queue.claim('pacs')) queue.finish(c.jobId, { statusCode: 0 }, 'stored');
    for (const u of ['1.1', '1.2', '1.3']) commitments.stored(u, 'pacs', 'e');
    const job = queue.addProcedureJob('commit', 'e', 'pacs');
    commitments.begin({ transactionUid: '2.25.7', jobId: job.jobId, examId: 'e', destination: 'pacs', refs: ['1.1', '1.2', '1.3'].map((u) => ({ sopClassUid: US, sopInstanceUid: u })) });
    await commitments.onReport(
      { transactionUid: '2.25.7', eventTypeId: 2, committed: [{ sopClassUid: US, sopInstanceUid: '1.1' }], failed: [{ sopClassUid: US, sopInstanceUid: '1.2', failureReason: 0x0112 }], retrieveAeTitle: undefined },
      { callingAeTitle: 'PACS', host: '127.0.0.1' },
    );

    expect(port.destinationsOf('1.1')).toEqual({ pacs: 'committed' });
    expect(port.destinationsOf('1.2')).toEqual({ pacs: 'commit-failed' });
    expect(port.destinationsOf('1.3')).toEqual({ pacs: 'completed' });
    expect(port.commitmentOf('1.2')).toEqual({ pacs: { state: 'commit-failed', failureReason: '0112', transactionUid: '2.25.7' } });
    expect(port.commitmentOf('1.3')).toEqual({ pacs: { state: 'pending', transactionUid: '2.25.7' } });
    const byExam = port.destinationsOfExam('e');
    expect(Object.fromEntries([...byExam].map(([u, d]) => [u, d['pacs']]))).toEqual({ '1.1': 'committed', '1.2': 'commit-failed', '1.3': 'completed' });
    expect(port.commitmentOfExam('e').get('1.1')).toEqual({ pacs: { state: 'committed', transactionUid: '2.25.7' } });
    const summary = port.summary();
    expect(summary.counts).toMatchObject({ completed: 3, scheduled: 1, committed: 1, 'commit-failed': 1 });
    expect(summary.destinations['pacs']).toMatchObject({ committed: 1, 'commit-failed': 1 });
    expect(port.list({ kind: 'commitment', limit: 10, offset: 0 }).jobs).toMatchObject([{ kind: 'commitment', examId: 'e', destination: 'pacs', state: 'scheduled' }]);

    mpps.planCreate('e', ['ris'], '2.25.8', new DataSet());
    expect(port.procedureSteps('e')).toMatchObject([{ destination: 'ris', mppsSopInstanceUid: '2.25.8', job: { kind: 'mpps', state: 'scheduled' } }]);
    expect(port.procedureSteps('e')[0]!.reported).toBeUndefined();
    mpps.accepted('e', 'ris', 'IN PROGRESS');
    expect(port.procedureSteps('e')[0]!.reported).toBe('IN PROGRESS');
    expect(port.procedureSteps('other')).toEqual([]);
    db.close();
  });
});
