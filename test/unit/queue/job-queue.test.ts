import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { ConnectionClosedError } from '../../../device/net/errors.js';
import { JobQueue, QueueError, type Job, type QueueEvent } from '../../../device/queue/index.js';
import { DbAuditLog } from '../../../device/audit/index.js';

const US = '1.2.840.10008.5.1.4.1.1.6.1';
const ELE = '1.2.840.10008.1.2.1';
const peer = { aeTitle: 'PACS', host: '127.0.0.1', port: 104 };

let db: SqlDatabase;
let clock: ManualClock;
let q: JobQueue;
let events: QueueEvent[];

function addInstance(uid: string, exam = 'E1', cls = US, ts = ELE): void {
  db.prepare(
    `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, transfer_syntax_uid, created_at)
     VALUES (?, ?, '1.9', '1.9.1', ?, ?, 10, ?, ?)`,
  ).run([uid, cls, exam, `instances/1.9/1.9.1/${uid}.dcm`, ts, clock.now().toISOString()]);
}

beforeEach(() => {
  db = openDatabase(':memory:');
  clock = new ManualClock();
  q = new JobQueue(db, { clock, retry: { initialMs: 1000, factor: 2, maxMs: 8000, maxAttempts: 5 } });
  events = [];
  q.events$.subscribe((e) => events.push(e));
  for (const u of ['1.1', '1.2', '1.3']) addInstance(u);
  addInstance('2.1', 'E2');
});

describe('enqueue, list, summary', () => {
  it('one job per instance × destination, by exam or by UIDs; never twice for the same pair', () => {
    expect(q.enqueue({ examId: 'E1' }, ['pacs', 'orthanc'])).toHaveLength(6);
    expect(q.enqueue({ examId: 'E1' }, ['pacs'])).toHaveLength(0);
    expect(q.enqueue({ sopInstanceUids: ['2.1'] }, ['pacs'])).toHaveLength(1);
    expect(q.count()).toBe(7);
    expect(events.filter((e) => e.type === 'jobs-added').map((e) => e.type === 'jobs-added' && e.count)).toEqual([6, 1]);
    const s = q.summary();
    expect(s.total).toBe(7);
    expect(s.byState.scheduled).toBe(7);
    expect(s.byDestination['orthanc']?.scheduled).toBe(3);
  });

  it('refuses unknown instances and empty destination lists, atomically', () => {
    expect(() => q.enqueue({ sopInstanceUids: ['1.1', '9.9'] }, ['pacs'])).toThrow(QueueError);
    expect(q.count()).toBe(0);
    expect(() => q.enqueue({ examId: 'E1' }, [])).toThrow(/at least one destination/);
  });

  it('lists newest first with filters, offset and keyset paging', () => {
    q.enqueue({ examId: 'E1' }, ['pacs', 'orthanc']);
    q.enqueue({ examId: 'E2' }, ['pacs']);
    const all = q.list({}, { limit: 100 });
    expect(all.map((j) => j.jobId)).toEqual([...all.map((j) => j.jobId)].sort((a, b) => b - a));
    expect(q.list({ destination: 'pacs' }, { limit: 100 }).every((j) => j.destination === 'pacs')).toBe(true);
    expect(q.list({ examId: 'E2' }, { limit: 10 }).map((j) => j.sopInstanceUid)).toEqual(['2.1']);
    const p1 = q.list({ destination: 'pacs', state: 'scheduled' }, { limit: 2 });
    const p2 = q.list({ destination: 'pacs', state: 'scheduled' }, { limit: 2, beforeJobId: p1.at(-1)!.jobId });
    const p2o = q.list({ destination: 'pacs', state: 'scheduled' }, { limit: 2, offset: 2 });
    expect(p2).toEqual(p2o);
    expect(new Set([...p1, ...p2].map((j) => j.jobId)).size).toBe(4);
    expect(q.list({ state: ['failed', 'retry'] }, { limit: 10 })).toEqual([]);
    expect(q.list({ sopInstanceUid: '1.2', destination: 'orthanc' }, { limit: 10 })).toHaveLength(1);
  });
});

describe('claim and finish (the §2 policy through the table)', () => {
  beforeEach(() => void q.enqueue({ examId: 'E1' }, ['pacs']));

  it('claims oldest first, marks in progress, records success with its status', () => {
    const c = q.claim('pacs')!;
    expect(c).toMatchObject({ sopInstanceUid: '1.1', sopClassUid: US, transferSyntaxUid: ELE, path: 'instances/1.9/1.9.1/1.1.dcm' });
    expect(q.get(c.jobId)?.state).toBe('in-progress');
    const j = q.finish(c.jobId, { statusCode: 0 }, 'Success');
    expect(j).toMatchObject({ state: 'completed', status: '0000', attempts: 1, nextTry: null });
  });

  it('a claim skips nothing: when the oldest job needs another association it returns undefined', () => {
    expect(q.claim('pacs', (k) => k.sopClassUid !== US)).toBeUndefined();
    expect(q.count({ state: 'in-progress' })).toBe(0);
  });

  it('warning keeps status and reason; other failures fail only that instance', () => {
    const a = q.claim('pacs')!;
    expect(q.finish(a.jobId, { statusCode: 0xb000 }, 'Coercion of Data Elements')).toMatchObject({ state: 'warning', status: 'B000', reason: 'Coercion of Data Elements' });
    const b = q.claim('pacs')!;
    expect(q.finish(b.jobId, { statusCode: 0xc000 }, 'Cannot understand')).toMatchObject({ state: 'failed', status: 'C000' });
    expect(q.pausedUntilMs('pacs')).toBeUndefined();
    expect(q.claim('pacs')?.sopInstanceUid).toBe('1.3');
  });

  it('A7xx: that job to retry at now+backoff, the whole destination paused; other destinations unaffected', () => {
    q.enqueue({ examId: 'E1' }, ['orthanc']);
    const t0 = clock.now().getTime();
    const a = q.claim('pacs')!;
    const j = q.finish(a.jobId, { statusCode: 0xa700 }, 'Refused: Out of Resources');
    expect(j).toMatchObject({ state: 'retry', status: 'A700', attempts: 1, nextTry: new Date(t0 + 1000).toISOString() });
    // the others of pacs wait with it
    expect(q.list({ destination: 'pacs' }, { limit: 10 }).map((x) => x.state)).toEqual(['retry', 'retry', 'retry']);
    expect(q.claim('pacs')).toBeUndefined();
    expect(q.summary().paused).toEqual({ pacs: new Date(t0 + 1000).toISOString() });
    expect(events.filter((e) => e.type === 'destination-paused')).toEqual([expect.objectContaining({ destination: 'pacs', jobs: 3 })]);
    // orthanc goes on
    expect(q.claim('orthanc')?.sopInstanceUid).toBe('1.1');
    clock.advance(1000);
    expect(q.claim('pacs')?.sopInstanceUid).toBe('1.1');
  });

  it('consecutive failures back off exponentially up to the cap; an answer resets it', () => {
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const until = q.destinationUnavailable('pacs', 'connection refused');
      waits.push(until - clock.now().getTime());
      clock.advance(until - clock.now().getTime());
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    const c = q.claim('pacs')!;
    q.finish(c.jobId, { statusCode: 0 }, 'Success');
    expect(q.destinationUnavailable('pacs', 'again') - clock.now().getTime()).toBe(1000);
  });

  it('network failure mid-send: retry with an attempt counted; maxAttempts fails the job', () => {
    const err = new ConnectionClosedError(peer, 'C-STORE 1.1', 'closed');
    let id = 0;
    for (let i = 1; i <= 5; i++) {
      const c = q.claim('pacs')!;
      id = c.jobId;
      const j = q.finish(c.jobId, { error: err }, err.describe());
      if (i < 5) {
        expect(j).toMatchObject({ state: 'retry', attempts: i });
        clock.advance(10_000);
      } else expect(j).toMatchObject({ state: 'failed', attempts: 5, reason: expect.stringMatching(/^gave up after 5 tries/) });
    }
    expect(q.get(id)?.state).toBe('failed');
  });

  it('deferred: back to scheduled, no attempt counted', () => {
    const c = q.claim('pacs')!;
    expect(q.finish(c.jobId, { deferred: true, error: new Error('x') }, 'x')).toMatchObject({ state: 'scheduled', attempts: 0 });
  });

  it('a terminal state is written only by finish (after the response); the claim alone is in-progress', () => {
    const c = q.claim('pacs')!;
    expect(q.count({ state: ['completed', 'warning', 'failed'] })).toBe(0);
    q.finish(c.jobId, { statusCode: 0 }, 'Success');
    expect(q.count({ state: 'completed' })).toBe(1);
  });
});

describe('counts kept by triggers (migration 4)', () => {
  it('equal a real COUNT(*) after inserts, moves, bulk pauses and deletes', () => {
    q.enqueue({ examId: 'E1' }, ['pacs', 'orthanc']);
    q.enqueue({ examId: 'E2' }, ['pacs']);
    const c = q.claim('pacs')!;
    q.finish(c.jobId, { statusCode: 0 }, 'ok');
    q.claim('orthanc');
    q.destinationUnavailable('pacs', 'down');
    q.cancel(q.list({ destination: 'pacs', state: 'retry' }, { limit: 1 })[0]!.jobId);
    db.prepare("DELETE FROM jobs WHERE sop_instance_uid = '2.1'").run();
    const real = (where: string) => db.prepare<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs ${where}`).get()!.n;
    expect(q.count()).toBe(real(''));
    for (const st of ['scheduled', 'in-progress', 'completed', 'failed', 'retry'] as const) {
      expect(q.count({ state: st })).toBe(real(`WHERE state = '${st}'`));
      for (const d of ['pacs', 'orthanc']) expect(q.count({ state: st, destination: d })).toBe(real(`WHERE state = '${st}' AND destination = '${d}'`));
    }
    expect(q.count({ destination: 'pacs', kind: 'store' })).toBe(real("WHERE destination = 'pacs'"));
    expect(q.summary().total).toBe(real(''));
    for (const st of ['completed', 'failed', 'retry'] as const) expect(q.summary().byDestination['pacs']![st]).toBe(real(`WHERE destination = 'pacs' AND state = '${st}'`));
    expect(q.summary().byDestination['pacs']!.completed).toBe(1);
  });
});

describe('group commit (finishMany)', () => {
  beforeEach(() => void q.enqueue({ examId: 'E1' }, ['pacs']));

  it('commits several outcomes at once and emits their events only after the commit (another connection sees them)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sonicart-q-'));
    try {
      const fdb = openDatabase(join(dir, 'q.db'));
      const other = openDatabase(join(dir, 'q.db'));
      db = fdb;
      for (const u of ['1.1', '1.2']) addInstance(u);
      const fq = new JobQueue(fdb, { clock });
      fq.enqueue({ examId: 'E1' }, ['pacs']);
      const a = fq.claim('pacs')!;
      const b = fq.claim('pacs')!;
      const seen: string[] = [];
      fq.events$.subscribe((e) => {
        if (e.type === 'job') seen.push(`${e.job.jobId}:${e.job.state}:${other.prepare<{ s: string }>('SELECT state AS s FROM jobs WHERE job_id = ?').get([e.job.jobId])?.s}`);
      });
      const jobs = fq.finishMany([
        { jobId: a.jobId, outcome: { statusCode: 0 }, why: 'ok' },
        { jobId: b.jobId, outcome: { statusCode: 0xb000 }, why: 'coerced' },
      ]);
      expect(jobs.map((j) => j.state)).toEqual(['completed', 'warning']);
      // each event went out when the other connection could already read the committed state
      expect(seen).toEqual([`${a.jobId}:completed:completed`, `${b.jobId}:warning:warning`]);
      fdb.close();
      other.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one bad item rolls back all of them and emits nothing', () => {
    const a = q.claim('pacs')!;
    const before = events.length;
    expect(() =>
      q.finishMany([
        { jobId: a.jobId, outcome: { statusCode: 0 }, why: 'ok' },
        { jobId: 424242, outcome: { statusCode: 0 }, why: 'ok' },
      ]),
    ).toThrow(/no job 424242/);
    expect(q.get(a.jobId)?.state).toBe('in-progress');
    expect(events.length).toBe(before);
  });
});

describe('user actions and restart', () => {
  beforeEach(() => void q.enqueue({ examId: 'E1' }, ['pacs']));

  it('retry: failed or warning → scheduled with status cleared; lifts the pause', () => {
    const c = q.claim('pacs')!;
    q.finish(c.jobId, { statusCode: 0xa900 }, 'no match');
    const r = q.retry(c.jobId);
    expect(r).toMatchObject({ state: 'scheduled', status: null, reason: null });
    q.destinationUnavailable('pacs', 'down');
    q.retry(q.list({ state: 'retry' }, { limit: 1 })[0]!.jobId);
    expect(q.pausedUntilMs('pacs')).toBeUndefined();
  });

  it('cancel: a waiting job fails with the reason; a job in progress or completed refuses', () => {
    const [a, b] = q.list({}, { limit: 3 });
    expect(q.cancel(a!.jobId)).toMatchObject({ state: 'failed', reason: 'cancelled by the user' });
    const c = q.claim('pacs')!;
    expect(() => q.cancel(c.jobId)).toThrow(/in-progress job does not take 'cancel-requested'/);
    q.finish(c.jobId, { statusCode: 0 }, 'ok');
    expect(() => q.cancel(c.jobId)).toThrow(QueueError);
    expect(() => q.retry(c.jobId)).toThrow(/completed job/);
    expect(() => q.retry(99999)).toThrow(/no job 99999/);
    void b;
  });

  it('recover: jobs left in progress are scheduled again; retry times and pauses survive', () => {
    q.claim('pacs');
    q.claim('pacs');
    expect(q.count({ state: 'in-progress' })).toBe(2);
    const q2 = new JobQueue(db, { clock });
    expect(q2.recover()).toBe(2);
    expect(q2.count({ state: 'in-progress' })).toBe(0);
    expect(q2.count({ state: 'scheduled' })).toBe(3);
    const until = q2.destinationUnavailable('pacs', 'down');
    const q3 = new JobQueue(db, { clock });
    q3.recover();
    expect(q3.pausedUntilMs('pacs')).toBe(until);
  });
});

describe('batch claim (claimMany)', () => {
  beforeEach(() => void q.enqueue({ examId: 'E1' }, ['pacs']));

  it('takes up to max due jobs oldest first, scheduled and due retries merged by job id, in one event each', () => {
    const first = q.claim('pacs')!;
    q.finish(first.jobId, { error: new ConnectionClosedError(peer, 'C-STORE', 'lost') }, 'lost'); // retry, pauses pacs
    expect(q.claimMany('pacs', 10)).toEqual([]); // paused: every waiting job is in retry until the pause ends
    clock.advance(1000);
    events.length = 0;
    const batch = q.claimMany('pacs', 10);
    expect(batch.map((c) => c.sopInstanceUid)).toEqual(['1.1', '1.2', '1.3']);
    expect(batch.every((c) => c.job.state === 'in-progress' && c.job.jobId === c.jobId)).toBe(true);
    expect(events.filter((e) => e.type === 'job').map((e) => (e as { job: Job }).job.state)).toEqual(['in-progress', 'in-progress', 'in-progress']);
    expect(q.count({ state: 'in-progress' })).toBe(3);
  });

  it('stops at the first job the association cannot carry (nothing skipped) and respects max', () => {
    addInstance('1.4', 'E3', '1.2.840.10008.5.1.4.1.1.7');
    addInstance('1.5', 'E3');
    q.enqueue({ examId: 'E3' }, ['pacs']);
    expect(q.claimMany('pacs', 2).map((c) => c.sopInstanceUid)).toEqual(['1.1', '1.2']);
    expect(q.claimMany('pacs', 10, (k) => k.sopClassUid === US).map((c) => c.sopInstanceUid)).toEqual(['1.3']);
    expect(q.count({ state: 'scheduled' })).toBe(2);
    expect(q.claimMany('pacs', 0)).toEqual([]);
  });

  it('deferred hand-back of a batch: back to scheduled, no attempt counted', () => {
    const batch = q.claimMany('pacs', 3);
    const jobs = q.finishMany(batch.map((c) => ({ jobId: c.jobId, outcome: { deferred: true }, why: 'handed back' })));
    expect(jobs.map((j) => [j.state, j.attempts])).toEqual([
      ['scheduled', 0],
      ['scheduled', 0],
      ['scheduled', 0],
    ]);
  });
});

describe('onSettled (the audit row in the outcome\'s commit)', () => {
  it('runs for moves into completed, warning and failed only, inside the commit: a throwing hook records no outcome', () => {
    const seen: string[] = [];
    let fail = false;
    const qa = new JobQueue(db, {
      clock,
      onSettled: (j) => {
        if (fail) throw new Error('disk full');
        seen.push(`${j.sopInstanceUid} ${j.state}`);
      },
    });
    qa.enqueue({ examId: 'E1' }, ['pacs']);
    const [a, b, c] = qa.claimMany('pacs', 3);
    qa.finishMany([
      { jobId: a!.jobId, outcome: { statusCode: 0 }, why: 'ok' },
      { jobId: b!.jobId, outcome: { statusCode: 0xb000 }, why: 'coerced' },
    ]);
    expect(seen).toEqual(['1.1 completed', '1.2 warning']);
    fail = true;
    expect(() => qa.finish(c!.jobId, { statusCode: 0xc000 }, 'refused')).toThrow(/disk full/);
    expect(qa.get(c!.jobId)?.state).toBe('in-progress');
    fail = false;
    qa.finish(c!.jobId, { statusCode: 0xc000 }, 'refused');
    expect(seen).toEqual(['1.1 completed', '1.2 warning', '1.3 failed']);
  });

  it('SIGKILL after a batch claim: the one with an outcome is completed with its audit row, the rest are scheduled again at start, none lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sonicart-claim-crash-'));
    try {
      const path = join(dir, 'cart.db');
      const fileDb = openDatabase(path);
      db = fileDb;
      for (const u of ['1.1', '1.2', '1.3', '1.4', '1.5', '1.6']) addInstance(u);
      new JobQueue(fileDb, { clock }).enqueue({ examId: 'E1' }, ['pacs']);
      fileDb.close();
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(process.cwd(), 'test/helpers/claim-crash-child.ts'), path, '4'], { encoding: 'utf8', timeout: 30_000 });
      expect(child.signal, child.stderr).toBe('SIGKILL');
      const ids = /CLAIMED ([\d,]+)/.exec(child.stdout)![1]!.split(',').map(Number);
      expect(ids).toHaveLength(4);
      const after = openDatabase(path);
      try {
        const q2 = new JobQueue(after, { clock });
        expect(q2.count({ state: 'in-progress' })).toBe(3);
        expect(q2.recover()).toBe(3);
        expect(q2.get(ids[0]!)).toMatchObject({ state: 'completed', attempts: 1 });
        for (const id of ids.slice(1)) expect(q2.get(id)).toMatchObject({ state: 'scheduled', attempts: 0 });
        expect(q2.count({ state: 'scheduled' })).toBe(5);
        const audit = new DbAuditLog(after, clock).list({ action: 'send' });
        expect(audit.map((e) => e.what)).toEqual([`instance ${q2.get(ids[0]!)!.sopInstanceUid}`]);
        // The next claim takes the handed-back jobs first, in order.
        expect(q2.claimMany('pacs', 3).map((c) => c.jobId)).toEqual(ids.slice(1));
      } finally {
        after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

