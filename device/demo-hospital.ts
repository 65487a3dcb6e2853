/**
 * The built-in configuration's peer: `npm start` on a fresh clone has no PACS or RIS to talk to,
 * so `sonicart serve` without --config starts the simulated hospital (worklist, storage, MPPS and
 * storage commitment; a demo and CI fixture, not a PACS) in-process on loopback and points the
 * default configuration at it.
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
  /**
   * Tells the hospital the port the cart's listener actually bound (listenPort 0 binds a free
   * one only when the device starts, after the hospital): its storage commitment reports go there.
   */
  cartListening(port: number): void;
}

/**
 * Starts the hospital on a free loopback port before the device (so the first worklist refresh
 * finds it) and returns `config` with its destination, in every role. Commitment reports go to
 * the cart's listenPort.
 */
export async function startDemoHospital(config: DeviceConfig, log: Logger): Promise<DemoHospital> {
  const dataDir = join(config.dataDir, 'hospital');
  // The hospital's table of where each AE listens (read at each report): the cart's entry is
  // updated by cartListening() once the device has bound its port.
  const cart = { aeTitle: config.aeTitle, host: '127.0.0.1', port: config.listenPort };
  const hospital = await startSimulatedHospital({
    aeTitle: DEMO_HOSPITAL_AE,
    port: 0,
    dataDir,
    remotes: [cart],
    stationAeTitle: config.aeTitle,
    logger: log.child({ component: 'hospital' }),
  });
  const destination: DestinationConfig = {
    name: DEMO_DESTINATION_NAME,
    host: '127.0.0.1',
    port: hospital.port,
    calledAe: hospital.aeTitle,
    // The whole IHE Scheduled Workflow: worklist, images, MPPS, and storage commitment (the
    // hospital reports on a new association to the cart's listener after a delay).
    roles: ['store', 'worklist', 'mpps', 'commitment'],
    concurrency: 1,
    lingerS: 2,
  };
  log.info('simulated hospital started', { aeTitle: hospital.aeTitle, port: hospital.port, dataDir, procedureSteps: hospital.worklist.length });
  return {
    hospital,
    dataDir,
    config: { ...config, destinations: [destination] },
    cartListening: (port) => void (cart.port = port),
  };
}
