/**
 * The cart's MPPS and Storage Commitment SCU against dcmjs-dimse (an independent DIMSE
 * implementation, run as SCP in a child process that records what it received): the N-CREATE
 * and N-SET contents of a scheduled exam completed and an unscheduled one discontinued, and
 * the N-ACTION with the N-EVENT-REPORT coming back on the same association and on a new one
 * to the cart's listener.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uidFromRandom, SPECIFIC_CHARACTER_SET } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import {
  buildMppsCompleted,
  buildMppsDiscontinued,
  buildMppsInProgress,
  DISCONTINUATION_REASONS,
  examFromWorklist,
  unscheduledExam,
} from '../../dicom/iod/index.js';
import { tagForKeyword } from '../../dicom/dictionary/index.js';
import { systemClock } from '../../device/clock.js';
import { Association } from '../../device/net/association.js';
import { AssociationStateError } from '../../device/net/errors.js';
import { CommitmentTracker, commitmentProposals, requestCommitment } from '../../device/net/scu/commitment.js';
import { mppsCreate, mppsProposals, mppsSet } from '../../device/net/scu/mpps.js';
import { startCartScp, type CartScp } from '../helpers/cart-scp.js';
import { startDimseScp, type DimseRecord, type DimseScp } from '../helpers/dimse-scp-process.js';
import type { PeerProcess } from '../helpers/net-peers.js';
import { scratchDir } from '../helpers/run-tool.js';

const uid = (): string => uidFromRandom(randomBytes(16));
const t = (k: string): number => tagForKeyword(k)!;
let dir: string;
let cleanup: () => Promise<void>;
let cart: CartScp;
const tracker = new CommitmentTracker(systemClock);

type Rec = DimseRecord;
const startScp = (mode: 'same' | 'new'): Promise<DimseScp> => startDimseScp(dir, mode, mode, { port: cart.port, aeTitle: 'US_CART' });

let same: DimseScp;
let fresh: DimseScp;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-mpps-'));
  cart = await startCartScp(dir, {}, tracker);
  [same, fresh] = await Promise.all([startScp('same'), startScp('new')]);
}, 60_000);

afterAll(async () => {
  await same?.peer.stop();
  await fresh?.peer.stop();
  await cart?.close();
  await cleanup();
});

const peerOf = (p: PeerProcess) => ({ aeTitle: 'DIMSE_SCP', host: '127.0.0.1', port: p.port });

function worklistEntry(): DataSet {
  const e = new DataSet();
  e.putStrings(SPECIFIC_CHARACTER_SET, 'CS', 'ISO_IR 192');
  e.putStrings(t('PatientName'), 'PN', 'Wang^XiaoDong=王^小東');
  e.putStrings(t('PatientID'), 'LO', 'CS-UTF8');
  e.putStrings(t('PatientBirthDate'), 'DA', '19700101');
  e.putStrings(t('PatientSex'), 'CS', 'M');
  e.putStrings(t('AccessionNumber'), 'SH', 'ACC0005');
  e.putStrings(t('StudyInstanceUID'), 'UI', '1.2.826.0.1.3680043.2.1125.7.5');
  e.putStrings(t('RequestedProcedureID'), 'SH', 'RP0005');
  // ASCII: dcmjs reads sequence items without the data set's Specific Character Set (a limit of
  // dcmjs, not of what we send); the non-ASCII name at the top level is checked below.
  e.putStrings(t('RequestedProcedureDescription'), 'LO', 'Abdominal ultrasound');
  const sps = new DataSet(e);
  sps.putStrings(t('ScheduledProcedureStepID'), 'SH', 'SPS0005');
  sps.putStrings(t('ScheduledProcedureStepDescription'), 'LO', 'Abdomen US');
  sps.putStrings(t('Modality'), 'CS', 'US');
  e.putSequence(t('ScheduledProcedureStepSequence'), [sps]);
  return e;
}

describe('MPPS SCU against dcmjs-dimse', () => {
  it('scheduled exam: N-CREATE IN PROGRESS with the worklist references, N-SET COMPLETED with every image; no N-SET after it', async () => {
    const exam = examFromWorklist(worklistEntry(), { date: '20261203', time: '101500' }, uid);
    const mppsUid = uid();
    const seriesUid = uid();
    const images = [0, 1, 2].map(() => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', sopInstanceUid: uid() }));
    const a = await Association.open({ peer: peerOf(same.peer), callingAeTitle: 'US_CART', proposals: mppsProposals() });
    await mppsCreate(a, mppsUid, buildMppsInProgress({ exam, ppsId: 'PPS-1', stationAeTitle: 'US_CART', start: { date: '20261203', time: '101500' } }));
    await mppsSet(a, mppsUid, 'IN PROGRESS', buildMppsCompleted(exam, { date: '20261203', time: '103000' }, [{ seriesInstanceUid: seriesUid, seriesDescription: 'Abdomen', operator: 'Sono^Grapher', retrieveAeTitle: 'PACS', images }]));
    await expect(mppsSet(a, mppsUid, 'COMPLETED', buildMppsCompleted(exam, { date: '20261203', time: '103100' }, []))).rejects.toBeInstanceOf(AssociationStateError);
    await a.release();

    const recs = (await same.records()).filter((r) => r.sopInstance === mppsUid);
    expect(recs.map((r) => r.type)).toEqual(['N-CREATE', 'N-SET']);
    const [create, set] = recs as [Rec, Rec];
    expect(create.sopClass).toBe('1.2.840.10008.3.1.2.3.3');
    expect(create.dataset).toMatchObject({
      PerformedProcedureStepStatus: 'IN PROGRESS',
      PerformedStationAETitle: 'US_CART',
      PerformedProcedureStepID: 'PPS-1',
      PerformedProcedureStepStartDate: '20261203',
      PerformedProcedureStepStartTime: '101500',
      Modality: 'US',
      PatientID: 'CS-UTF8',
      ScheduledStepAttributesSequence: [
        {
          StudyInstanceUID: '1.2.826.0.1.3680043.2.1125.7.5',
          AccessionNumber: 'ACC0005',
          RequestedProcedureID: 'RP0005',
          RequestedProcedureDescription: 'Abdominal ultrasound',
          ScheduledProcedureStepID: 'SPS0005',
          ScheduledProcedureStepDescription: 'Abdomen US',
        },
      ],
    });
    expect(JSON.stringify(create.dataset!['PatientName'])).toContain('王^小東');
    expect(create.dataset!['PerformedSeriesSequence'] ?? []).toEqual([]);
    expect(create.dataset!['PerformedProcedureStepEndDate'] ?? '').toBe('');
    expect(set.dataset).toMatchObject({
      PerformedProcedureStepStatus: 'COMPLETED',
      PerformedProcedureStepEndDate: '20261203',
      PerformedProcedureStepEndTime: '103000',
      PerformedSeriesSequence: [
        {
          SeriesInstanceUID: seriesUid,
          SeriesDescription: 'Abdomen',
          RetrieveAETitle: 'PACS',
          ReferencedImageSequence: images.map((i) => ({ ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid })),
        },
      ],
    });
  });

  it('unscheduled exam: empty scheduled step references, a new Study Instance UID; DISCONTINUED with its reason code', async () => {
    const exam = unscheduledExam({ name: 'Doe^Jane', id: 'WALKIN-1' }, { date: '20261203', time: '110000' }, uid);
    const mppsUid = uid();
    const a = await Association.open({ peer: peerOf(same.peer), callingAeTitle: 'US_CART', proposals: mppsProposals() });
    await mppsCreate(a, mppsUid, buildMppsInProgress({ exam, ppsId: 'PPS-2', stationAeTitle: 'US_CART', start: { date: '20261203', time: '110000' } }));
    await mppsSet(a, mppsUid, 'IN PROGRESS', buildMppsDiscontinued(exam, { date: '20261203', time: '110500' }, DISCONTINUATION_REASONS.wrongWorklistEntry));
    await a.release();
    const [create, set] = (await same.records()).filter((r) => r.sopInstance === mppsUid) as [Rec, Rec];
    const step = (create.dataset!['ScheduledStepAttributesSequence'] as Record<string, unknown>[])[0]!;
    expect(step['StudyInstanceUID']).toBe(exam.studyInstanceUid);
    expect(step['AccessionNumber'] ?? '').toBe('');
    expect(step['ScheduledProcedureStepID'] ?? '').toBe('');
    expect(set.dataset).toMatchObject({
      PerformedProcedureStepStatus: 'DISCONTINUED',
      PerformedProcedureStepDiscontinuationReasonCodeSequence: [{ CodeValue: '110514', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Incorrect worklist entry selected' }],
    });
  });
});

/** dcmjs-dimse records our N-EVENT-REPORT response when it has read it: after our side moved on. */
async function reportAnswered(scp: DimseScp): Promise<void> {
  for (let i = 0; i < 250 && !(await scp.records()).some((r) => r.type === 'N-EVENT-REPORT-RSP'); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('Storage Commitment SCU against dcmjs-dimse', () => {
  const refs = [0, 1].map(() => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.3.1', sopInstanceUid: uid() }));

  async function commit(peer: PeerProcess): Promise<{ tx: string; outcome: Awaited<ReturnType<CommitmentTracker['expect']>> }> {
    const tx = uid();
    const waiting = tracker.expect(tx, 30_000);
    const a = await Association.open({ peer: peerOf(peer), callingAeTitle: 'US_CART', proposals: commitmentProposals(), handler: tracker.sameAssociationHandler() });
    await requestCommitment(a, tx, refs);
    const outcome = await waiting;
    await a.release();
    return { tx, outcome };
  }

  it('N-ACTION with Transaction UID and Referenced SOP Sequence; the report on the same association is answered Success', async () => {
    const { tx, outcome } = await commit(same.peer);
    expect(outcome).toMatchObject({ kind: 'report', report: { transactionUid: tx, eventTypeId: 1, committed: refs, failed: [] } });
    const recs = await same.records();
    const action = recs.find((r) => r.type === 'N-ACTION' && (r.dataset as Record<string, unknown>)['TransactionUID'] === tx)!;
    expect(action).toMatchObject({
      sopClass: '1.2.840.10008.1.20.1',
      sopInstance: '1.2.840.10008.1.20.1.1',
      actionTypeId: 1,
      dataset: { TransactionUID: tx, ReferencedSOPSequence: refs.map((r) => ({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid })) },
    });
    await reportAnswered(same);
    expect((await same.records()).filter((r) => r.type === 'N-EVENT-REPORT-RSP').at(-1)).toMatchObject({ mode: 'same', status: 0 });
  });

  it('the report on a new association to the cart’s listener is answered Success and reaches the tracker', async () => {
    const { tx, outcome } = await commit(fresh.peer);
    expect(outcome).toMatchObject({ kind: 'report', report: { transactionUid: tx, committed: refs }, from: { callingAeTitle: 'DIMSE_SCP' } });
    expect(cart.reports.map((r) => r.report.transactionUid)).toContain(tx);
    await reportAnswered(fresh);
    expect((await fresh.records()).find((r) => r.type === 'N-EVENT-REPORT-RSP')).toMatchObject({ mode: 'new', status: 0 });
  });
});
