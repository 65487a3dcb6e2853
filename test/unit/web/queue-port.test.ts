/**
 * The queue through the API's port: bytes-sent progress of an in-progress store job, from the
 * sender (the forwarder's progressOf and its job-progress events), on the list and on the change
 * stream; never on a job in any other state.
 */
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase } from '../../../device/db/index.js';
import { JobQueue, type ForwarderEvent, type SendProgress } from '../../../device/queue/index.js';
import type { JobView } from '../../../device/web/api-types.js';
import { queuePort } from '../../../device/web/adapters.js';

function rig() {
  const db = openDatabase(':memory:');
  const clock = new ManualClock();
  for (const uid of ['1.1', '1.2']) {
    db.prepare(
      `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, transfer_syntax_uid, created_at)
       VALUES (?, '1.2.840.10008.5.1.4.1.1.3.1', '1.9', '1.9.1', 'E1', ?, 150000000, '1.2.840.10008.1.2.1', ?)`,
    ).run([uid, `instances/${uid}.dcm`, clock.now().toISOString()]);
  }
  const queue = new JobQueue(db, { clock });
  queue.enqueue({ examId: 'E1' }, ['pacs']);
  const progress = new Map<number, SendProgress>();
  const events = new Subject<ForwarderEvent>();
  const port = queuePort(queue, undefined, { progressOf: (id) => progress.get(id), events$: events });
  return { queue, progress, events, port };
}

describe('queuePort: send progress', () => {
  it('the list shows bytes sent / total on the in-progress job only', () => {
    const { queue, progress, port } = rig();
    const c = queue.claim('pacs')!;
    progress.set(c.jobId, { bytesSent: 3_145_728, bytesTotal: 150_000_000 });
    const { jobs } = port.list({ limit: 10, offset: 0 });
    const byId = new Map(jobs.map((j) => [j.jobId, j]));
    expect(byId.get(String(c.jobId))).toMatchObject({ state: 'in-progress', progress: { bytesSent: 3_145_728, bytesTotal: 150_000_000 } });
    expect(jobs.filter((j) => j.state === 'scheduled').every((j) => j.progress === undefined)).toBe(true);
  });

  it('the change stream carries progress events as job views; the completed job has none even if the sender lags', () => {
    const { queue, progress, events, port } = rig();
    const seen: JobView[] = [];
    port.changes$.subscribe((j) => seen.push(j));
    const c = queue.claim('pacs')!;
    events.next({ type: 'job-progress', destination: 'pacs', job: c.job, progress: { bytesSent: 1_048_576 } });
    progress.set(c.jobId, { bytesSent: 1_048_576 });
    queue.finish(c.jobId, { statusCode: 0 }, 'Success');
    expect(seen.map((j) => [j.state, j.progress])).toEqual([
      ['in-progress', undefined],
      ['in-progress', { bytesSent: 1_048_576 }],
      ['completed', undefined],
    ]);
    expect(port.list({ limit: 10, offset: 0, states: ['completed'] }).jobs[0]!.progress).toBeUndefined();
  });
});
