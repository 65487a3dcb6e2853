/**
 * The simulated hospital: `sonicart hospital` as a process queried by DCMTK findscu (the six
 * character sets of today's schedule, decoded by pydicom), our own worklist SCU against it, and
 * the IHE Scheduled Workflow loop in one: worklist → exam → MPPS IN PROGRESS → C-STORE → MPPS
 * COMPLETED → storage commitment reported on a new association to the cart's listener.
 */
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uidFromRandom } from '../../dicom/core/index.js';
import { buildMppsCompleted, buildMppsInProgress, examFromWorklist } from '../../dicom/iod/index.js';
import { systemClock } from '../../device/clock.js';
import { Association } from '../../device/net/association.js';
import { DimseStatusError } from '../../device/net/errors.js';
import { CommitmentTracker, commitmentProposals, requestCommitment } from '../../device/net/scu/commitment.js';
import { mppsCreate, mppsProposals, mppsSet } from '../../device/net/scu/mpps.js';
import { storeFiles } from '../../device/net/scu/store.js';
import { findWorklist, MWL, worklistProposals } from '../../device/net/scu/worklist.js';
import { SCHEDULED_PATIENTS, startHospital, type Hospital } from '../../hw-sim/hospital/index.js';
import { startCartScp, type CartScp } from '../helpers/cart-scp.js';
import { freePort, startPeer } from '../helpers/net-peers.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { writeTestImage } from '../unit/device-net/fixtures.js';

const uid = (): string => uidFromRandom(randomBytes(16));
const today = (): string => {
  const d = new Date();
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
};
let dir: string;
let cleanup: () => Promise<void>;
let cart: CartScp;
let hospital: Hospital;
const tracker = new CommitmentTracker(systemClock);

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-hospital-'));
  cart = await startCartScp(join(dir, 'cart'), {}, tracker);
  hospital = await startHospital({ port: 0, dataDir: join(dir, 'hospital'), remotes: [{ aeTitle: 'US_CART', host: '127.0.0.1', port: cart.port }], commitmentDelayMs: 200 });
}, 30_000);

afterAll(async () => {
  await hospital?.close();
  await cart?.close();
  await cleanup();
});

const hospitalPeer = () => ({ aeTitle: 'HOSPITAL', host: '127.0.0.1', port: hospital.port });

describe('the simulated hospital', () => {
  it('`sonicart hospital` answers DCMTK findscu with today’s six patients, each name decoding (pydicom) to what was scheduled', async () => {
    const port = await freePort();
    const proc = await startPeer(process.execPath, [join(import.meta.dirname, '../../bin/sonicart.js'), 'hospital', '--port', String(port), '--data', join(dir, 'cli-data')], port, {
      env: { ...process.env, SONICART_FROM_SOURCES: '1' },
      readyTimeoutMs: 60_000,
    });
    try {
      const out = join(dir, 'findscu');
      await runTool('mkdir', ['-p', out]);
      const keys = ['-k', 'PatientName', '-k', 'PatientID', '-k', 'ScheduledProcedureStepSequence[0].Modality=US', '-k', `ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=${today()}`];
      const r = await runTool('findscu', ['-W', '-aec', 'HOSPITAL', '-aet', 'US_CART', '-X', '-od', out, '127.0.0.1', String(port), ...keys]);
      expect(r.code, r.stderr).toBe(0);
      const files = (await readdir(out)).filter((f) => f.startsWith('rsp')).sort().map((f) => join(out, f));
      const py = await runPython('import pydicom, sys, json\nprint(json.dumps([[str(d.PatientID), str(d.PatientName)] for d in (pydicom.dcmread(f) for f in sys.argv[1:])], ensure_ascii=False))', files);
      expect(py.code, py.stderr).toBe(0);
      expect(Object.fromEntries(JSON.parse(py.stdout) as [string, string][])).toEqual(Object.fromEntries(SCHEDULED_PATIENTS.map((p) => [p.patientId, p.patientName])));
      // Another day: no match (date matching, not a dump of everything).
      const none = await runTool('findscu', ['-W', '-aec', 'HOSPITAL', '127.0.0.1', String(port), '-k', 'PatientID', '-k', 'ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=19990101', '-v']);
      expect(none.code, none.stderr).toBe(0);
      expect(none.stdout + none.stderr).not.toMatch(/Find Response: \d+ \(Pending/);
    } finally {
      await proc.stop();
    }
  }, 90_000);

  it('our worklist SCU: today’s list, every name decoded, patient-name wildcard matching', async () => {
    const a = await Association.open({ peer: hospitalPeer(), callingAeTitle: 'US_CART', proposals: worklistProposals() });
    const all = new Map<string, string>();
    for await (const e of findWorklist(a, { modality: 'US', date: today(), stationAeTitle: 'US_CART' })) all.set(e.string(MWL.PatientID)!, e.string(MWL.PatientName)!);
    const wang: string[] = [];
    for await (const e of findWorklist(a, { patientName: 'Wang*' })) wang.push(e.string(MWL.PatientID)!);
    await a.release();
    expect(Object.fromEntries(all)).toEqual(Object.fromEntries(SCHEDULED_PATIENTS.map((p) => [p.patientId, p.patientName])));
    expect(wang.sort()).toEqual(['H-GB18030', 'H-UTF8']);
  });

  it('the whole Scheduled Workflow loop: worklist → MPPS → stores → MPPS COMPLETED → commitment on a new association', async () => {
    // Worklist
    const wl = await Association.open({ peer: hospitalPeer(), callingAeTitle: 'US_CART', proposals: worklistProposals() });
    let entry;
    for await (const e of findWorklist(wl, { patientId: 'H-IR87' })) entry = e;
    await wl.release();
    expect(entry).toBeDefined();
    const exam = examFromWorklist(entry!, { date: today(), time: '120000' }, uid);
    // MPPS IN PROGRESS
    const mppsUid = uid();
    const m = await Association.open({ peer: hospitalPeer(), callingAeTitle: 'US_CART', proposals: mppsProposals() });
    await mppsCreate(m, mppsUid, buildMppsInProgress({ exam, ppsId: 'PPS-SWF', stationAeTitle: 'US_CART', start: { date: today(), time: '120000' } }));
    await m.release();
    expect(hospital.mpps.get(mppsUid)?.status).toBe('IN PROGRESS');
    // Stores
    const files = [await writeTestImage(join(dir, 's1.dcm')), await writeTestImage(join(dir, 's2.dcm'), { frames: 3, samples: 3 })];
    const stored = [];
    for await (const o of storeFiles(files, { peer: hospitalPeer(), callingAeTitle: 'US_CART' })) stored.push(o);
    expect(stored.map((o) => o.status?.hex)).toEqual(['0000', '0000']);
    const refs = stored.map((o) => ({ sopClassUid: o.sopClassUid!, sopInstanceUid: o.sopInstanceUid! }));
    // MPPS COMPLETED; the hospital refuses any later N-SET (C310)
    const m2 = await Association.open({ peer: hospitalPeer(), callingAeTitle: 'US_CART', proposals: mppsProposals() });
    const done = buildMppsCompleted(exam, { date: today(), time: '121500' }, [{ seriesInstanceUid: uid(), seriesDescription: 'Abdomen', operator: 'Sono^Grapher', retrieveAeTitle: 'HOSPITAL', images: refs }]);
    await mppsSet(m2, mppsUid, 'IN PROGRESS', done);
    const again = await mppsSet(m2, mppsUid, 'IN PROGRESS', done).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DimseStatusError);
    expect((again as DimseStatusError).statusInfo.hex).toBe('C310');
    await m2.release();
    expect(hospital.mpps.get(mppsUid)?.status).toBe('COMPLETED');
    // Storage commitment: the report comes on a new association to our listener
    const tx = uid();
    const waiting = tracker.expect(tx, 30_000);
    const c = await Association.open({ peer: hospitalPeer(), callingAeTitle: 'US_CART', proposals: commitmentProposals(), handler: tracker.sameAssociationHandler() });
    await requestCommitment(c, tx, refs);
    await c.release();
    const outcome = await waiting;
    expect(outcome).toMatchObject({ kind: 'report', from: { callingAeTitle: 'HOSPITAL' }, report: { transactionUid: tx, eventTypeId: 1, committed: refs, failed: [] } });
  }, 60_000);
});
