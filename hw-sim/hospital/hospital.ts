/**
 * The simulated hospital: a worklist with today's schedule, a storage SCP that keeps what it
 * gets, an MPPS SCP and a storage commitment SCP that reports on a new association after a
 * delay — one AE title, one port, the cart's own acceptor, loopback only. A demo and a CI
 * fixture, not a PACS. Its data (received images, MPPS records) is in a directory to look at.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { uidFromRandom } from '../../dicom/core/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, IMPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import { MPPS_SOP_CLASS, STORAGE_COMMITMENT_PUSH_SOP_CLASS } from '../../dicom/iod/index.js';
import { systemClock, type Clock } from '../../device/clock.js';
import { nullLogger, type Logger } from '../../device/log/logger.js';
import { SCP_ACCEPTANCE, type ServedSopClass } from '../../device/net/scp/acceptance.js';
import { DirectorySink } from '../../device/net/scp/directory-sink.js';
import { DicomListener } from '../../device/net/scp/listener.js';
import { composeHandler, verificationScp } from '../../device/net/scp/services.js';
import { storageScp, type StoredInstance } from '../../device/net/scp/storage-scp.js';
import { MWL_FIND_SOP_CLASS } from '../../device/net/scu/services.js';
import { commitmentScp, type RemoteAe } from './commitment-scp.js';
import { mppsScp, type MppsRecord } from './mpps-scp.js';
import { todaysSchedule } from './schedule.js';
import { worklistScp } from './worklist-scp.js';

export const DEFAULT_HOSPITAL_AE = 'HOSPITAL';

export interface HospitalOptions {
  readonly aeTitle?: string;
  /** 0: any free port. */
  readonly port: number;
  readonly dataDir: string;
  /** Where the report of a storage commitment goes, per calling AE (the cart). */
  readonly remotes: readonly RemoteAe[];
  /** Station AE title the schedule is for (the cart's). */
  readonly stationAeTitle?: string;
  readonly commitmentDelayMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export interface Hospital {
  readonly port: number;
  readonly aeTitle: string;
  readonly worklist: readonly DataSet[];
  readonly stored: readonly StoredInstance[];
  readonly mpps: ReadonlyMap<string, MppsRecord>;
  close(): Promise<void>;
}

const both = [EXPLICIT_VR_LE, IMPLICIT_VR_LE];

/** What the hospital serves: the cart's storage and verification rows, plus worklist, MPPS and commitment as SCP. */
export const HOSPITAL_SERVICES: readonly ServedSopClass[] = [
  ...SCP_ACCEPTANCE.filter((s) => s.service === 'verification' || s.service === 'storage'),
  { uid: MWL_FIND_SOP_CLASS, name: 'Modality Worklist Information Model – FIND', service: 'worklist', transferSyntaxes: [IMPLICIT_VR_LE, EXPLICIT_VR_LE], requestorRoles: { scu: true, scp: false } },
  { uid: MPPS_SOP_CLASS, name: 'Modality Performed Procedure Step', service: 'mpps', transferSyntaxes: both, requestorRoles: { scu: true, scp: false } },
  { uid: STORAGE_COMMITMENT_PUSH_SOP_CLASS, name: 'Storage Commitment Push Model', service: 'storage-commitment', transferSyntaxes: both, requestorRoles: { scu: true, scp: false } },
];

export async function startHospital(o: HospitalOptions): Promise<Hospital> {
  const aeTitle = o.aeTitle ?? DEFAULT_HOSPITAL_AE;
  const log = o.logger ?? nullLogger;
  const clock = o.clock ?? systemClock;
  const storageDir = join(o.dataDir, 'storage');
  const mppsDir = join(o.dataDir, 'mpps');
  await mkdir(storageDir, { recursive: true });
  await mkdir(mppsDir, { recursive: true });
  const worklist = todaysSchedule(clock.now(), o.stationAeTitle ?? 'US_CART', () => uidFromRandom(randomBytes(16)));
  const stored: StoredInstance[] = [];
  const mpps = new Map<string, MppsRecord>();
  const handler = composeHandler(HOSPITAL_SERVICES, {
    verification: verificationScp,
    // A demo archive: no fsync per file.
    storage: storageScp(new DirectorySink(storageDir, { sync: false }), log, (i) => stored.push(i)),
    worklist: worklistScp(() => worklist),
    mpps: mppsScp(mppsDir, mpps),
    'storage-commitment': commitmentScp({ hospitalAeTitle: aeTitle, storageDir, remotes: o.remotes, delayMs: o.commitmentDelayMs ?? 2000, clock, log }),
  });
  const listener = await DicomListener.start({
    aeTitle,
    port: o.port,
    host: '127.0.0.1',
    served: HOSPITAL_SERVICES,
    handler,
    logger: log,
    clock,
    callingAe: { known: [], unknown: 'accept-from-loopback' },
  });
  return { port: listener.port, aeTitle, worklist, stored, mpps, close: () => listener.close(2000) };
}
