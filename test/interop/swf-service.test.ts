/**
 * THE IHE Scheduled Workflow loop through the real service: `sonicart serve` as `npm start`
 * runs it (no configuration: the simulated hospital in every role), driven over its HTTP API.
 * Worklist → start exam → MPPS IN PROGRESS at the hospital → still and cine stored → end exam
 * → MPPS COMPLETED with the series listed → storage commitment reported on a NEW association
 * to the cart's listener → every instance committed → the study is one the quota may remove.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../device/db/index.js';
import { ManualClock } from '../../device/clock.js';
import { CommitmentLedger } from '../../device/queue/commitment-ledger.js';
import { JobQueue } from '../../device/queue/job-queue.js';
import { InstanceStore, Quota } from '../../device/storage/index.js';
import type { ExamView, GetWorklistResponse, JobView, StartExamResponse } from '../../device/web/api-types.js';
import { killServes, spawnServe, waitForState, type ServeChild } from '../helpers/serve-process.js';
import { pollUntil } from '../helpers/poll.js';
import { scratchDir } from '../helpers/run-tool.js';

let home: string;
let cleanup: () => Promise<void>;
let serve: ServeChild;
const base = (): string => `http://127.0.0.1:${serve.port}`;

async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(base() + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: r.status, body: (await r.json()) as T };
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> =>
  pollUntil(what, probe, ms, () => `${serve.stdout().slice(-4000)}${serve.stderr().slice(-2000)}`);

beforeAll(async () => {
  ({ dir: home, cleanup } = await scratchDir('sonicart-swf-'));
  serve = await spawnServe(home);
  await waitForState(serve, 60_000);
}, 90_000);

afterAll(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.exit;
  }
  killServes();
  await cleanup();
});

const dataDir = (): string => join(home, 'data', 'sonicart');
const mppsDir = (): string => join(dataDir(), 'hospital', 'mpps');

describe('IHE Scheduled Workflow through sonicart serve and the simulated hospital', { timeout: 180_000 }, () => {
  it('worklist → MPPS in progress → store → MPPS completed with the series → commitment on a new association → committed → removable', async () => {
    const wl = await until('worklist matches', async () => {
      const r = await api<GetWorklistResponse>('GET', '/api/worklist?refresh=1');
      return r.body.matches.length > 0 ? r.body : undefined;
    });
    expect(wl.source).toBe('server');
    const item = wl.matches[0]!;
    const started = await api<StartExamResponse>('POST', '/api/exams', { worklistItem: item.dataset });
    expect(started.status).toBe(201);
    const examId = started.body.examId;

    // RAD-6: the hospital has the step IN PROGRESS with the worklist's references.
    const stepFile = await until('the MPPS at the hospital', async () => {
      const files = await readdir(mppsDir()).catch(() => [] as string[]);
      return files.length === 1 ? join(mppsDir(), files[0]!) : undefined;
    });
    const created = await readFile(stepFile, 'latin1');
    expect(created).toContain('# N-CREATE');
    expect(created).toMatch(/\(0040,0252\).*IN PROGRESS/);
    expect(created).toContain(item.summary.accessionNumber);
    const mppsUid = stepFile.split('/').pop()!.replace(/\.txt$/, '');
    const inProgress = (await api<ExamView>('GET', `/api/exams/${examId}`)).body;
    expect(inProgress.procedureSteps).toMatchObject([{ destination: 'HOSPITAL', mppsSopInstanceUid: mppsUid, reported: 'IN PROGRESS' }]);

    const still = await api<{ sopInstanceUid: string }>('POST', '/api/exams/current/stills');
    expect(still.status).toBe(201);
    // A retrospective cine needs the ring to hold its seconds (a shorter ring is a 409).
    await until('the ring to hold 1 s', async () => ((await api<{ capture: { ring: { heldSeconds: number } } }>('GET', '/api/state')).body.capture.ring.heldSeconds >= 1 ? true : undefined));
    const cine = await api<{ sopInstanceUid: string }>('POST', '/api/exams/current/cines', { seconds: 1, mode: 'retrospective' });
    expect(cine.status).toBe(201);
    expect((await api('POST', '/api/exams/current/end')).status).toBe(200);
    const uids = [still.body.sopInstanceUid, cine.body.sopInstanceUid];

    // RAD-7 and RAD-10: completed with both instances; each committed at the hospital.
    const done = await until('MPPS completed and every instance committed', async () => {
      const e = (await api<ExamView>('GET', `/api/exams/${examId}`)).body;
      const committed = e.instances.length === 2 && e.instances.every((i) => i.destinations['HOSPITAL'] === 'committed');
      return committed && e.procedureSteps?.[0]?.reported === 'COMPLETED' ? e : undefined;
    });
    for (const i of done.instances) expect(i.commitment?.['HOSPITAL']).toMatchObject({ state: 'committed' });
    const completed = await readFile(stepFile, 'latin1');
    expect(completed).toContain('# N-SET');
    expect(completed).toMatch(/\(0040,0252\).*COMPLETED/);
    for (const u of uids) expect(completed).toContain(u);

    const jobs = async (kind: string) => (await api<{ jobs: JobView[] }>('GET', `/api/queue?kind=${kind}&examId=${examId}`)).body.jobs;
    expect((await jobs('mpps')).map((j) => [j.state, j.status])).toEqual([['completed', '0000'], ['completed', '0000']]);
    expect((await jobs('commitment')).map((j) => j.state)).toEqual(['completed']);
    const audit = (await api<{ entries: { action: string; outcome: string }[] }>('GET', '/api/audit?action=commitment-report')).body.entries;
    expect(audit.some((e) => e.outcome === 'success')).toBe(true);

    // The service stops; its database says the study may now leave the cart.
    serve.child.kill('SIGTERM');
    expect(await serve.exit).toBe(0);
    const clock = new ManualClock();
    const db = openDatabase(join(dataDir(), 'sonicart.db'));
    try {
      const commitments = new CommitmentLedger({ db, queue: new JobQueue(db, { clock }), clock, maxResends: 1 });
      const quota = new Quota({
        db,
        store: new InstanceStore(db, { dataDir: dataDir(), clock }),
        limits: {},
        destinations: () => ['HOSPITAL'],
        commitmentRequired: () => true,
        committed: (u, d) => commitments.isCommitted(u, d),
      });
      expect(quota.removableStudies().map((s) => s.study)).toContain(started.body.studyInstanceUid);
      // And not before: the same database with one instance still pending is not removable.
      db.prepare("UPDATE commitments SET state = 'pending' WHERE sop_instance_uid = ?").run([uids[0]!]);
      expect(quota.removableStudies().map((s) => s.study)).not.toContain(started.body.studyInstanceUid);
    } finally {
      db.close();
    }
  });
});
