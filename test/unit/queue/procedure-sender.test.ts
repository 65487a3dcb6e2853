/**
 * MPPS and storage commitment jobs through the persistent queue, on a real database, against
 * our own acceptor (DicomListener) on loopback with scripted MPPS and commitment services, and a
 * ManualClock for every timer of the queue and the sender (back-off, report timeout, hold):
 * - the N-SET never goes before its N-CREATE succeeded (N-CREATE in retry, N-CREATE failed);
 * - a restart with an MPPS job in progress sends it again, once; an N-CREATE that reached the
 *   SCP before the crash (0111 duplicate) counts as created and the N-SET follows exactly once;
 * - a commitment request without report is retried with a NEW Transaction UID; a late report
 *   of the old transaction still commits the instances; the quota hook follows;
 * - an instance the archive fails is stored again and requested again, bounded, then
 *   commit-failed with the Failure Reason.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildMppsCompleted, buildMppsInProgress, parseCommitmentRequest, unscheduledExam, type CommitmentReport } from '../../../dicom/iod/index.js';
import { tagForKeyword } from '../../../dicom/dictionary/index.js';
import { HOSPITAL_SERVICES } from '../../../hw-sim/hospital/hospital.js';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { readSmallDataSet } from '../../../device/net/dataset-bytes.js';
import type { IncomingRequest, RequestResponse } from '../../../device/net/association.js';
import { DicomListener } from '../../../device/net/scp/listener.js';
import { composeHandler } from '../../../device/net/scp/services.js';
import { CommitmentLedger } from '../../../device/queue/commitment-ledger.js';
import { JobQueue } from '../../../device/queue/job-queue.js';
import { MppsLedger } from '../../../device/queue/mpps-ledger.js';
import { ProcedureSender } from '../../../device/queue/procedure-sender.js';

const STATUS = tagForKeyword('PerformedProcedureStepStatus')!;
const US = '1.2.840.10008.5.1.4.1.1.6.1';
let seq = 0;
const uid = (): string => `2.25.${Date.now()}${++seq}`;

/** What the scripted SCP received, in order. */
interface Received {
  readonly type: 'N-CREATE' | 'N-SET' | 'N-ACTION';
  readonly uid: string;
  readonly status?: string;
  readonly transactionUid?: string;
  readonly refs?: readonly string[];
}

class ScriptedScp {
  readonly received: Received[] = [];
  /** Statuses to answer the next MPPS requests with (then Success). */
  readonly mppsAnswers: number[] = [];
  private constructor(readonly listener: DicomListener) {}
  static async start(self: { scp?: ScriptedScp }, port = 0): Promise<ScriptedScp> {
    const handler = composeHandler(HOSPITAL_SERVICES, {
      mpps: async (req: IncomingRequest): Promise<RequestResponse> => {
        const ds = await readSmallDataSet(req);
        const c = req.command;
        const type = c.type === 'N-CREATE-RQ' ? 'N-CREATE' : 'N-SET';
        const u = (type === 'N-CREATE' ? c.affectedSopInstanceUid : c.requestedSopInstanceUid) ?? '';
        self.scp!.received.push({ type, uid: u, ...(ds?.string(STATUS) ? { status: ds.string(STATUS)!.trim() } : {}) });
        return { status: self.scp!.mppsAnswers.shift() ?? 0 };
      },
      'storage-commitment': async (req: IncomingRequest): Promise<RequestResponse> => {
        const r = parseCommitmentRequest((await readSmallDataSet(req))!);
        self.scp!.received.push({ type: 'N-ACTION', uid: '', transactionUid: r.transactionUid, refs: r.refs.map((x) => x.sopInstanceUid) });
        return { status: 0 };
      },
    });
    const listener = await DicomListener.start({ aeTitle: 'ARCHIVE', port, host: '127.0.0.1', served: HOSPITAL_SERVICES, handler, callingAe: { known: [], unknown: 'accept-from-loopback' } });
    self.scp = new ScriptedScp(listener);
    return self.scp;
  }
}

interface Rig {
  dir: string;
  db: SqlDatabase;
  clock: ManualClock;
  queue: JobQueue;
  mpps: MppsLedger;
  commitments: CommitmentLedger;
  sender: ProcedureSender;
  scp: ScriptedScp;
}

const open: { db?: SqlDatabase; sender?: ProcedureSender; scp?: ScriptedScp; dir?: string } = {};

async function rig(o: { dir?: string; scp?: ScriptedScp; port?: number; clock?: ManualClock; maxResends?: number } = {}): Promise<Rig> {
  const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'sonicart-swf-')));
  const clock = o.clock ?? new ManualClock();
  const db = openDatabase(join(dir, 'sonicart.db'), { now: () => clock.now() });
  const queue = new JobQueue(db, { clock, retry: { initialMs: 10_000, factor: 2, maxMs: 60_000 } });
  queue.recover();
  const mpps = new MppsLedger(db, queue, clock);
  const commitments = new CommitmentLedger({ db, queue, clock, maxResends: o.maxResends ?? 1 });
  const scp = o.scp ?? (await ScriptedScp.start(open));
  const peer = { host: '127.0.0.1', port: o.port ?? scp.listener.port, calledAeTitle: 'ARCHIVE', callingAeTitle: 'US_CART' };
  const sender = new ProcedureSender({
    db,
    queue,
    mpps,
    commitment: commitments,
    clock,
    newUid: uid,
    reportTimeoutMs: 60_000,
    holdAssociationMs: 0,
    destinations: [{ name: 'archive', peer, mpps: true, commitment: true }],
  });
  Object.assign(open, { db, sender, dir });
  return { dir, db, clock, queue, mpps, commitments, sender, scp };
}

afterEach(async () => {
  await open.sender?.stop();
  open.db?.close();
  await open.scp?.listener.close(1000);
  if (open.dir) await rm(open.dir, { recursive: true, force: true });
  for (const k of Object.keys(open)) delete (open as Record<string, unknown>)[k];
});

/** Lets the sender look, send and settle until nothing more happens without the clock moving. */
async function quiet(r: Rig): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((res) => setImmediate(res));
    await r.sender.idle();
  }
}

/** Waits (real time, bounded) until `cond` holds: a commit job stays running while it waits for its report. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (cond()) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`not reached in 5 s: ${what}`);
}

const exam = unscheduledExam({ name: 'Doe^Jane', id: 'P1' }, { date: '20260105', time: '090000' }, uid);

function planExam(r: Rig, examId: string): string {
  const mppsUid = uid();
  r.mpps.planCreate(examId, ['archive'], mppsUid, buildMppsInProgress({ exam, ppsId: 'PPS1', stationAeTitle: 'US_CART', start: { date: '20260105', time: '090000' } }));
  return mppsUid;
}
function planEnd(r: Rig, examId: string): void {
  r.mpps.planFinal(examId, 'COMPLETED', () => buildMppsCompleted(exam, { date: '20260105', time: '093000' }, []));
}

function mppsJobs(r: Rig, examId: string) {
  return r.queue.list({ examId, kind: 'mpps' }).reverse();
}

describe('MPPS jobs', () => {
  it('sends N-CREATE then N-SET, each once, and records the accepted status', async () => {
    const r = await rig();
    const mppsUid = planExam(r, 'e1');
    planEnd(r, 'e1');
    r.sender.start();
    await quiet(r);
    expect(r.scp.received.map((x) => `${x.type} ${x.status}`)).toEqual(['N-CREATE IN PROGRESS', 'N-SET COMPLETED']);
    expect(r.scp.received.every((x) => x.uid === mppsUid)).toBe(true);
    expect(mppsJobs(r, 'e1').map((j) => [j.state, j.status])).toEqual([['completed', '0000'], ['completed', '0000']]);
    expect(r.mpps.steps('e1')).toMatchObject([{ destination: 'archive', lastStatus: 'COMPLETED' }]);
    // A second end makes no second N-SET.
    expect(r.mpps.planFinal('e1', 'COMPLETED', () => buildMppsCompleted(exam, { date: '20260105', time: '094000' }, []))).toBe(0);
  });

  it('an N-SET waits while its N-CREATE is in retry (peer down), and follows it once the peer is back', async () => {
    const scp = await ScriptedScp.start(open);
    const port = scp.listener.port;
    await scp.listener.close(1000);
    const clock = new ManualClock();
    let r = await rig({ scp, port, clock });
    planExam(r, 'e2');
    planEnd(r, 'e2');
    r.sender.start();
    await quiet(r);
    const [create, set] = mppsJobs(r, 'e2');
    expect(create).toMatchObject({ state: 'retry', attempts: 1 });
    expect(create!.reason).toContain('connect');
    expect(set).toMatchObject({ state: 'scheduled', attempts: 0 });
    expect(r.queue.pausedUntilMs('archive')).toBeDefined();
    // Still down at the retry: the N-SET never went.
    clock.advance(10_000);
    await quiet(r);
    expect(mppsJobs(r, 'e2').map((j) => j.state)).toEqual(['retry', 'scheduled']);
    // The peer comes back on the same port.
    await r.sender.stop();
    r.db.close();
    const back = await ScriptedScp.start(open, port);
    r = await rig({ dir: r.dir, scp: back, clock });
    r.sender.start();
    clock.advance(60_000);
    await quiet(r);
    expect(back.received.map((x) => x.type)).toEqual(['N-CREATE', 'N-SET']);
    expect(mppsJobs(r, 'e2').map((j) => j.state)).toEqual(['completed', 'completed']);
  });

  it('an N-CREATE the SCP refuses (0110) fails; the N-SET stays queued until the user retries the N-CREATE', async () => {
    const r = await rig();
    r.scp.mppsAnswers.push(0x0110);
    planExam(r, 'e3');
    planEnd(r, 'e3');
    r.sender.start();
    await quiet(r);
    const [create, set] = mppsJobs(r, 'e3');
    expect(create).toMatchObject({ state: 'failed', status: '0110' });
    expect(create!.reason).toMatch(/N-CREATE MPPS .*0110/);
    expect(set!.state).toBe('scheduled');
    expect(r.scp.received.map((x) => x.type)).toEqual(['N-CREATE']);
    r.queue.retry(create!.jobId);
    await quiet(r);
    expect(r.scp.received.map((x) => x.type)).toEqual(['N-CREATE', 'N-CREATE', 'N-SET']);
    expect(mppsJobs(r, 'e3').map((j) => j.state)).toEqual(['completed', 'completed']);
  });

  it('A7xx from the MPPS SCP retries with back-off and pauses the destination', async () => {
    const r = await rig();
    r.scp.mppsAnswers.push(0xa700);
    planExam(r, 'e4');
    r.sender.start();
    await quiet(r);
    expect(mppsJobs(r, 'e4')[0]).toMatchObject({ state: 'retry', status: 'A700' });
    expect(r.queue.pausedUntilMs('archive')).toBe(r.clock.now().getTime() + 10_000);
    r.clock.advance(10_000);
    await quiet(r);
    expect(mppsJobs(r, 'e4')[0]).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('restart with the N-SET in progress (crash mid-send): it goes out again, once', async () => {
    const clock = new ManualClock();
    let r = await rig({ clock });
    planExam(r, 'e5');
    r.sender.start();
    await quiet(r);
    planEnd(r, 'e5');
    await r.sender.stop();
    // The crash: the N-SET job was taken, nothing recorded after it.
    const set = mppsJobs(r, 'e5')[1]!;
    r.queue.takeProcedureJob(set.jobId);
    r.db.close();
    r = await rig({ dir: r.dir, scp: r.scp, clock });
    expect(r.queue.get(set.jobId)!.state).toBe('scheduled');
    r.sender.start();
    await quiet(r);
    expect(r.scp.received.map((x) => x.type)).toEqual(['N-CREATE', 'N-SET']);
    expect(r.queue.get(set.jobId)!.state).toBe('completed');
  });

  it('restart after an N-CREATE reached the SCP but was not recorded: the SCP says duplicate (0111), the step counts as created, the N-SET goes once', async () => {
    const clock = new ManualClock();
    let r = await rig({ clock });
    planExam(r, 'e6');
    planEnd(r, 'e6');
    r.scp.mppsAnswers.push(0, 0x0111);
    // The first run sends the N-CREATE; "crash" before its outcome is recorded.
    const create = mppsJobs(r, 'e6')[0]!;
    const { mppsCreate, mppsProposals } = await import('../../../device/net/scu/mpps.js');
    const { withAssociation } = await import('../../../device/net/scu/session.js');
    const msg = r.mpps.message(create.jobId)!;
    r.queue.takeProcedureJob(create.jobId);
    await withAssociation({ peer: { aeTitle: 'ARCHIVE', host: '127.0.0.1', port: r.scp.listener.port }, callingAeTitle: 'US_CART', proposals: mppsProposals() }, (a) => mppsCreate(a, msg.mppsSopInstanceUid, msg.dataSet));
    r.db.close();
    r = await rig({ dir: r.dir, scp: r.scp, clock });
    r.sender.start();
    await quiet(r);
    expect(r.scp.received.map((x) => x.type)).toEqual(['N-CREATE', 'N-CREATE', 'N-SET']);
    const [c2, s2] = mppsJobs(r, 'e6');
    expect(c2).toMatchObject({ state: 'warning', status: '0111' });
    expect(c2!.reason).toContain('already has this procedure step');
    expect(s2!.state).toBe('completed');
  });
});

describe('storage commitment jobs', () => {
  /** Instances of exam `examId` stored at 'archive' (rows and completed store jobs). */
  function storedInstances(r: Rig, examId: string, n: number): string[] {
    const uids = Array.from({ length: n }, () => uid());
    const now = r.clock.now().toISOString();
    for (const [i, u] of uids.entries()) {
      r.db
        .prepare('INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, exam_id, path, size, transfer_syntax_uid, created_at) VALUES (?, ?, ?, ?, ?, ?, 10, ?, ?)')
        .run([u, US, exam.studyInstanceUid, '2.25.9', examId, `x/${examId}/${i}.dcm`, '1.2.840.10008.1.2.1', now]);
    }
    r.queue.enqueue({ sopInstanceUids: uids }, ['archive']);
    for (;;) {
      const c = r.queue.claim('archive');
      if (!c) break;
      r.queue.finish(c.jobId, { statusCode: 0 }, 'stored');
    }
    return uids;
  }
  const commitJobs = (r: Rig, examId: string) => r.queue.list({ examId, kind: 'commit' }).reverse();
  const actions = (r: Rig) => r.scp.received.filter((x) => x.type === 'N-ACTION');
  const report = (transactionUid: string, committed: string[], failed: [string, number][] = []): CommitmentReport => ({
    transactionUid,
    eventTypeId: failed.length ? 2 : 1,
    committed: committed.map((u) => ({ sopClassUid: US, sopInstanceUid: u })),
    failed: failed.map(([u, f]) => ({ sopClassUid: US, sopInstanceUid: u, failureReason: f })),
    retrieveAeTitle: 'ARCHIVE',
  });
  const from = { callingAeTitle: 'ARCHIVE', host: '127.0.0.1' };

  it('requests commitment once the exam is stored; a report on a new association commits every instance', async () => {
    const r = await rig();
    r.sender.start();
    const uids = storedInstances(r, 'c1', 3);
    await until(() => actions(r).length === 1, 'the N-ACTION');
    expect([...actions(r)[0]!.refs!].sort()).toEqual([...uids].sort());
    expect(commitJobs(r, 'c1')[0]!.state).toBe('in-progress');
    await r.commitments.onReport(report(actions(r)[0]!.transactionUid!, uids), from);
    await until(() => commitJobs(r, 'c1')[0]!.state !== 'in-progress', 'the job settled');
    expect(commitJobs(r, 'c1')[0]).toMatchObject({ state: 'completed', status: '0000' });
    for (const u of uids) expect(r.commitments.isCommitted(u, 'archive')).toBe(true);
    expect(r.commitments.transactions('c1')).toMatchObject([{ state: 'reported', instances: 3 }]);
  });

  it('no report in time: the request is retried with a NEW Transaction UID; a late report of the first still commits', async () => {
    const r = await rig();
    r.sender.start();
    const uids = storedInstances(r, 'c2', 2);
    await until(() => actions(r).length === 1, 'the first N-ACTION');
    const first = actions(r)[0]!.transactionUid!;
    r.clock.advance(60_000);
    await until(() => commitJobs(r, 'c2')[0]!.state === 'retry', 'the timeout');
    const job = commitJobs(r, 'c2')[0]!;
    expect(job).toMatchObject({ state: 'retry', attempts: 1 });
    expect(job.reason).toContain(`no storage commitment report within 60 s`);
    // Not paused: the archive answered the N-ACTION.
    expect(r.queue.pausedUntilMs('archive')).toBeUndefined();
    r.clock.advance(10_000);
    await until(() => actions(r).length === 2, 'the second N-ACTION');
    const second = actions(r)[1]!.transactionUid!;
    expect(second).not.toBe(first);
    expect([...actions(r)[1]!.refs!].sort()).toEqual([...uids].sort());
    // The late report of the first transaction.
    await r.commitments.onReport(report(first, uids), from);
    for (const u of uids) expect(r.commitments.isCommitted(u, 'archive')).toBe(true);
    expect(r.commitments.transactions('c2').find((t) => t.transactionUid === first)).toMatchObject({ state: 'reported', detail: '2 committed, 0 failed (late)' });
    // The second never answers: its timeout ends the job, with nothing left to request.
    r.clock.advance(60_000);
    await until(() => commitJobs(r, 'c2')[0]!.state === 'retry', 'the second timeout');
    r.clock.advance(20_000);
    await until(() => commitJobs(r, 'c2')[0]!.state === 'completed', 'the third try');
    expect(actions(r)).toHaveLength(2);
    expect(commitJobs(r, 'c2')[0]).toMatchObject({ state: 'completed' });
  });

  it('a report for a transaction the cart never requested records nothing', async () => {
    const r = await rig();
    r.sender.start();
    const uids = storedInstances(r, 'c3', 1);
    await until(() => actions(r).length === 1, 'the N-ACTION');
    expect(r.commitments.record(report('2.25.1', uids), from)).toMatchObject({ known: false, committed: 0 });
    expect(r.commitments.isCommitted(uids[0]!, 'archive')).toBe(false);
  });

  it('a failed instance is stored again and requested again once (maxResends 1), then commit-failed with its Failure Reason', async () => {
    const r = await rig({ maxResends: 1 });
    r.sender.start();
    const [a, b] = storedInstances(r, 'c4', 2) as [string, string];
    await until(() => actions(r).length === 1, 'the N-ACTION');
    await r.commitments.onReport(report(actions(r)[0]!.transactionUid!, [a], [[b, 0x0112]]), from);
    await until(() => commitJobs(r, 'c4')[0]!.state !== 'in-progress', 'the job settled');
    expect(commitJobs(r, 'c4')[0]).toMatchObject({ state: 'warning' });
    expect(commitJobs(r, 'c4')[0]!.reason).toContain('0112 no such object instance');
    // b's store job was queued again.
    const storeB = r.queue.list({ sopInstanceUid: b, kind: 'store' })[0]!;
    expect(storeB.state).toBe('scheduled');
    expect(r.commitments.statesOf(b).get('archive')).toMatchObject({ state: 'pending', failureReason: '0112' });
    // The forwarder stores it again; a new request names only b.
    const c = r.queue.claim('archive')!;
    r.queue.finish(c.jobId, { statusCode: 0 }, 'stored');
    await until(() => actions(r).length === 2, 'the second N-ACTION');
    expect(actions(r)[1]!.refs).toEqual([b]);
    await r.commitments.onReport(report(actions(r)[1]!.transactionUid!, [], [[b, 0x0112]]), from);
    await until(() => commitJobs(r, 'c4')[1]?.state === 'warning', 'the second job settled');
    expect(r.commitments.statesOf(b).get('archive')).toMatchObject({ state: 'commit-failed', failureReason: '0112' });
    expect(r.queue.list({ sopInstanceUid: b, kind: 'store' })[0]!.state).toBe('completed');
    expect(r.commitments.isCommitted(a, 'archive')).toBe(true);
    expect(r.commitments.isCommitted(b, 'archive')).toBe(false);
    expect(r.commitments.counts().get('archive')).toEqual({ committed: 1, 'commit-failed': 1 });
  });

  it('restart while waiting for the report: the request goes again with a new Transaction UID; the old report is still recorded', async () => {
    const clock = new ManualClock();
    let r = await rig({ clock });
    r.sender.start();
    const uids = storedInstances(r, 'c5', 1);
    await until(() => actions(r).length === 1, 'the N-ACTION');
    const first = actions(r)[0]!.transactionUid!;
    // Crash: no stop, the job stays in progress in the database.
    open.sender = undefined;
    r.db.close();
    r = await rig({ dir: r.dir, scp: r.scp, clock });
    r.sender.start();
    await until(() => actions(r).length === 2, 'the N-ACTION after the restart');
    expect(actions(r)[1]!.transactionUid).not.toBe(first);
    await r.commitments.onReport(report(first, uids), from);
    expect(r.commitments.isCommitted(uids[0]!, 'archive')).toBe(true);
  });
});
