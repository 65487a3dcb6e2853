/**
 * The running service (`sonicart serve --config`) doing MPPS and storage commitment against
 * independent implementations, driven over its HTTP API:
 * - dcmjs-dimse as the one destination (store, mpps, commitment; the report comes on the
 *   N-ACTION's own association): what it received — the N-CREATE of an unscheduled exam, the
 *   N-SET COMPLETED listing the stored instances, the N-ACTION's references — and the
 *   instances committed; a cancelled exam's N-SET DISCONTINUED with the reason asked for;
 * - SIGKILL between the N-CREATE and the N-SET: after the restart the N-SET goes out exactly once;
 * - Orthanc as store + commitment destination: its commitment SCP answers on a NEW association
 *   to the service's listener (its modality entry for the cart), and the instances are committed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExamView, JobView, StartExamResponse } from '../../device/web/api-types.js';
import { startDimseScp, type DimseRecord, type DimseScp } from '../helpers/dimse-scp-process.js';
import { freePort, startPeer } from '../helpers/net-peers.js';
import { pollUntil } from '../helpers/poll.js';
import { scratchDir } from '../helpers/run-tool.js';
import { killServes, startServe, testCartConfig, type ServedCart } from '../helpers/serve-process.js';

let scratch: string;
let cleanup: () => Promise<void>;
const scps: DimseScp[] = [];

beforeAll(async () => {
  ({ dir: scratch, cleanup } = await scratchDir('sonicart-swf-peers-'));
});
afterEach(() => killServes());
afterAll(async () => {
  for (const s of scps) await s.peer.stop();
  await cleanup();
});

function config(name: string, destination: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> {
  return testCartConfig(join(scratch, name, 'data'), {
    capture: { transferSyntax: 'explicit' },
    retry: { initialDelayS: 0.5, maxDelayS: 2 },
    commitment: { reportTimeoutS: 30, holdAssociationS: 5 },
    destinations: [{ host: '127.0.0.1', concurrency: 1, ...destination }],
    ...more,
  });
}

async function call<T>(c: ServedCart, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(c.base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: r.status, body: (await r.json()) as T };
}

const until = <T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> => pollUntil(what, probe, ms);

async function startUnscheduled(c: ServedCart, name: string, id: string): Promise<StartExamResponse> {
  const r = await call<StartExamResponse>(c, 'POST', '/api/exams', { patient: { name, id } });
  expect(r.status).toBe(201);
  return r.body;
}

const of = (recs: DimseRecord[], type: string, sopInstance?: string) => recs.filter((r) => r.type === type && (sopInstance === undefined || r.sopInstance === sopInstance));

describe('the service against dcmjs-dimse (store, mpps, commitment; report on the same association)', { timeout: 90_000 }, () => {
  it('N-CREATE of an unscheduled exam, N-SET COMPLETED with both instances, N-ACTION with their references; committed', async () => {
    const scp = await startDimseScp(scratch, 'all', 'same');
    scps.push(scp);
    await mkdir(join(scratch, 'all'), { recursive: true });
    const cart = await startServe(join(scratch, 'all'), config('all', { name: 'DCMJS', port: scp.peer.port, calledAe: 'DIMSE_SCP', roles: ['store', 'mpps', 'commitment'] }));
    const exam = await startUnscheduled(cart, 'Doe^Jane', 'WALKIN-7');
    const create = await until('the N-CREATE', async () => of(await scp.records(), 'N-CREATE')[0]);
    expect(create.sopClass).toBe('1.2.840.10008.3.1.2.3.3');
    expect(create.dataset).toMatchObject({ PerformedProcedureStepStatus: 'IN PROGRESS', PerformedStationAETitle: 'US_CART', Modality: 'US', PatientID: 'WALKIN-7' });
    const sched = (create.dataset!['ScheduledStepAttributesSequence'] as Record<string, unknown>[])[0]!;
    expect(sched['StudyInstanceUID']).toBe(exam.studyInstanceUid);
    expect(sched['ScheduledProcedureStepID'] ?? '').toBe('');

    const a = (await call<{ sopInstanceUid: string }>(cart, 'POST', '/api/exams/current/stills')).body.sopInstanceUid;
    // A retrospective cine needs the ring to hold its seconds (a shorter ring is a 409).
    await until('the ring to hold 1 s', async () => ((await call<{ capture: { ring: { heldSeconds: number } } }>(cart, 'GET', '/api/state')).body.capture.ring.heldSeconds >= 1 ? true : undefined));
    const b = (await call<{ sopInstanceUid: string }>(cart, 'POST', '/api/exams/current/cines', { seconds: 1, mode: 'retrospective' })).body.sopInstanceUid;
    expect((await call(cart, 'POST', '/api/exams/current/end')).status).toBe(200);

    const e = await until('both committed', async () => {
      const v = (await call<ExamView>(cart, 'GET', `/api/exams/${exam.examId}`)).body;
      return v.instances.every((i) => i.destinations['DCMJS'] === 'committed') && v.procedureSteps?.[0]?.reported === 'COMPLETED' ? v : undefined;
    });
    expect(e.instances).toHaveLength(2);
    const recs = await scp.records();
    const set = of(recs, 'N-SET', create.sopInstance);
    expect(set).toHaveLength(1);
    expect(of(recs, 'N-CREATE', create.sopInstance)).toHaveLength(1);
    const series = set[0]!.dataset!['PerformedSeriesSequence'] as { ReferencedImageSequence: { ReferencedSOPInstanceUID: string }[] }[];
    expect(set[0]!.dataset!['PerformedProcedureStepStatus']).toBe('COMPLETED');
    expect(series.flatMap((s) => s.ReferencedImageSequence.map((r) => r.ReferencedSOPInstanceUID)).sort()).toEqual([a, b].sort());
    const action = of(recs, 'N-ACTION')[0]!;
    expect(action).toMatchObject({ sopClass: '1.2.840.10008.1.20.1', sopInstance: '1.2.840.10008.1.20.1.1', actionTypeId: 1 });
    expect((action.dataset!['ReferencedSOPSequence'] as { ReferencedSOPInstanceUID: string }[]).map((r) => r.ReferencedSOPInstanceUID).sort()).toEqual([a, b].sort());
    expect(of(recs, 'C-STORE').map((r) => r.sopInstance).sort()).toEqual([a, b].sort());
    // The report came on the N-ACTION's association and was answered Success.
    await until('the report answered', async () => of(await scp.records(), 'N-EVENT-REPORT-RSP')[0]);
    expect(of(await scp.records(), 'N-EVENT-REPORT-RSP')[0]).toMatchObject({ mode: 'same', status: 0 });
    const jobs = (await call<{ jobs: JobView[] }>(cart, 'GET', `/api/queue?examId=${exam.examId}&kind=commitment`)).body.jobs;
    expect(jobs).toMatchObject([{ kind: 'commitment', state: 'completed', status: '0000' }]);
    const summary = (await call<{ queue: { counts: Record<string, number> } }>(cart, 'GET', '/api/state')).body.queue.counts;
    expect(summary['committed']).toBe(2);

    // A cancelled exam: DISCONTINUED with the reason asked for.
    await startUnscheduled(cart, 'Roe^Rick', 'WALKIN-8');
    const create2 = await until('the second N-CREATE', async () => of(await scp.records(), 'N-CREATE')[1]);
    expect((await call(cart, 'POST', '/api/exams/current/cancel', { reason: 'patientRefused' })).status).toBe(200);
    const disc = await until('the N-SET DISCONTINUED', async () => of(await scp.records(), 'N-SET', create2.sopInstance)[0]);
    expect(disc.dataset).toMatchObject({
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepDiscontinuationReasonCodeSequence: [{ CodeValue: '110505', CodingSchemeDesignator: 'DCM' }],
    });
    expect((await call<{ field: string }>(cart, 'POST', '/api/exams/current/cancel', { reason: 'bored' })).body).toMatchObject({ field: 'reason' });
    expect(await cart.stop()).toBe(0);
  });

  it('SIGKILL between the N-CREATE and the N-SET: after the restart the N-SET goes out exactly once', async () => {
    const scp = await startDimseScp(scratch, 'kill', 'none');
    scps.push(scp);
    await mkdir(join(scratch, 'kill'), { recursive: true });
    const cfg = config('kill', { name: 'RIS', port: scp.peer.port, calledAe: 'DIMSE_SCP', roles: ['mpps'] });
    const cart = await startServe(join(scratch, 'kill'), cfg);
    await startUnscheduled(cart, 'Kill^Kenny', 'WALKIN-9');
    const create = await until('the N-CREATE', async () => of(await scp.records(), 'N-CREATE')[0]);
    const still = (await call<{ sopInstanceUid: string }>(cart, 'POST', '/api/exams/current/stills')).body.sopInstanceUid;
    // The N-CREATE's success is recorded before anything else happens to the job.
    await until('the N-CREATE job completed', async () => {
      const j = (await call<{ jobs: JobView[] }>(cart, 'GET', '/api/queue?kind=mpps')).body.jobs;
      return j[0]?.state === 'completed' ? j : undefined;
    });
    process.kill(cart.pid, 'SIGKILL');
    await cart.exit;
    const again = await startServe(join(scratch, 'kill'), cfg);
    const set = await until('the N-SET after the restart', async () => of(await scp.records(), 'N-SET', create.sopInstance)[0]);
    expect(set.dataset!['PerformedProcedureStepStatus']).toBe('COMPLETED');
    const refs = (set.dataset!['PerformedSeriesSequence'] as { ReferencedImageSequence: { ReferencedSOPInstanceUID: string }[] }[]).flatMap((s) => s.ReferencedImageSequence.map((r) => r.ReferencedSOPInstanceUID));
    expect(refs).toEqual([still]);
    // Once: the job is completed and nothing more is sent (a second restart sends nothing either).
    await until('the N-SET job completed', async () => {
      const j = (await call<{ jobs: JobView[] }>(again, 'GET', '/api/queue?kind=mpps')).body.jobs;
      return j.length === 2 && j.every((x) => x.state === 'completed') ? j : undefined;
    });
    expect(await again.stop()).toBe(0);
    const third = await startServe(join(scratch, 'kill'), cfg);
    await new Promise((r) => setTimeout(r, 1500));
    const recs = await scp.records();
    expect(of(recs, 'N-CREATE', create.sopInstance)).toHaveLength(1);
    expect(of(recs, 'N-SET', create.sopInstance)).toHaveLength(1);
    expect(await third.stop()).toBe(0);
  });
});

describe('the service against Orthanc (store + commitment; the report on a new association to the listener)', { timeout: 90_000 }, () => {
  it('every instance of the exam is committed', async () => {
    const listenPort = await freePort();
    const dicomPort = await freePort();
    const httpPort = await freePort();
    const odir = join(scratch, 'orthanc', 'orthanc');
    await mkdir(odir, { recursive: true });
    await writeFile(
      join(odir, 'orthanc.json'),
      JSON.stringify({ Name: 'sonicart-swf', StorageDirectory: odir, IndexDirectory: odir, DicomAet: 'ORTHANC', DicomPort: dicomPort, HttpPort: httpPort, RemoteAccessAllowed: false, AuthenticationEnabled: false, DicomModalities: { cart: ['US_CART', '127.0.0.1', listenPort] } }),
    );
    const orthanc = await startPeer('/usr/sbin/Orthanc', [join(odir, 'orthanc.json')], dicomPort, { readyTimeoutMs: 30_000 });
    try {
      // holdAssociationS 0: the N-ACTION's association is released at once; the report must come to the listener.
      const cart = await startServe(
        join(scratch, 'orthanc'),
        config('orthanc', { name: 'ORTHANC', port: dicomPort, calledAe: 'ORTHANC', roles: ['store', 'commitment'] }, { listenPort, commitment: { reportTimeoutS: 30, holdAssociationS: 0 } }),
      );
      const exam = await startUnscheduled(cart, 'Orth^Anc', 'WALKIN-10');
      const uids = [];
      for (let i = 0; i < 2; i++) uids.push((await call<{ sopInstanceUid: string }>(cart, 'POST', '/api/exams/current/stills')).body.sopInstanceUid);
      expect((await call(cart, 'POST', '/api/exams/current/end')).status).toBe(200);
      const e = await until('both committed by Orthanc', async () => {
        const v = (await call<ExamView>(cart, 'GET', `/api/exams/${exam.examId}`)).body;
        return v.instances.length === 2 && v.instances.every((i) => i.destinations['ORTHANC'] === 'committed') ? v : undefined;
      });
      expect(e.instances.map((i) => i.commitment?.['ORTHANC']?.state)).toEqual(['committed', 'committed']);
      // Orthanc has them, and its report came on a new association (its AE, to the listener).
      for (const u of uids) {
        const r = await fetch(`http://127.0.0.1:${httpPort}/tools/find`, { method: 'POST', body: JSON.stringify({ Level: 'Instance', Query: { SOPInstanceUID: u } }) });
        expect(((await r.json()) as string[]).length, u).toBe(1);
      }
      const audit = (await call<{ entries: { where: string; outcome: string; detail: string }[] }>(cart, 'GET', '/api/audit?action=commitment-report')).body.entries;
      expect(audit).toMatchObject([{ where: 'ORTHANC', outcome: 'success', detail: expect.stringContaining('from ORTHANC@127.0.0.1') }]);
      expect(cart.output()).not.toMatch(/matches no transaction of ours/);
      expect(await cart.stop()).toBe(0);
    } finally {
      await orthanc.stop(10_000);
    }
  });
});
