/**
 * The built-in configuration's peer: `npm start` on a fresh clone has no PACS or RIS to talk to,
 * so `sonicart serve` without --config starts the simulated hospital (worklist + storage, a demo
 * and CI fixture, not a PACS) in-process on loopback and points the default configuration at it.
 * A configuration file names real destinations and gets no hospital.
 */
import { join } from 'node:path';
import type { DestinationConfig, DeviceConfig } from './config/index.js';
import type { Logger } from './log/logger.js';
import { startSimulatedHospital, type Hospital } from './main.js';

export const DEMO_HOSPITAL_AE = 'HOSPITAL';
/** The destination name in the queue, the API and the audit trail. */
export const DEMO_DESTINATION_NAME = 'HOSPITAL';

export interface DemoHospital {
  readonly hospital: Hospital;
  /** DATADIR/hospital: storage/ holds what the cart sent, mpps/ the procedure steps. */
  readonly dataDir: string;
  /** The configuration with the hospital as its one destination. */
  readonly config: DeviceConfig;
}

/**
 * Starts the hospital on a free loopback port before the device (so the first worklist refresh
 * finds it) and returns `config` with its destination. Commitment reports go to the cart's
 * listenPort; the roles are only those the service uses today (store, worklist).
 */
export async function startDemoHospital(config: DeviceConfig, log: Logger): Promise<DemoHospital> {
  const dataDir = join(config.dataDir, 'hospital');
  const hospital = await startSimulatedHospital({
    aeTitle: DEMO_HOSPITAL_AE,
    port: 0,
    dataDir,
    remotes: [{ aeTitle: config.aeTitle, host: '127.0.0.1', port: config.listenPort }],
    stationAeTitle: config.aeTitle,
    logger: log.child({ component: 'hospital' }),
  });
  const destination: DestinationConfig = {
    name: DEMO_DESTINATION_NAME,
    host: '127.0.0.1',
    port: hospital.port,
    calledAe: hospital.aeTitle,
    roles: ['store', 'worklist'],
    concurrency: 1,
    lingerS: 2,
  };
  log.info('simulated hospital started', { aeTitle: hospital.aeTitle, port: hospital.port, dataDir, procedureSteps: hospital.worklist.length });
  return { hospital, dataDir, config: { ...config, destinations: [destination] } };
}
