/**
 * The service tests' rig: database + instance store + queue + forwarder on a ManualClock, and
 * the real peers they send to (storescp, Orthanc), started on free loopback ports and stopped
 * by PID.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../device/db/index.js';
import { readDicomFileHeader } from '../../device/files/read-header.js';
import { Tags } from '../../dicom/dictionary/index.js';
import { Forwarder, JobQueue, type RetryPolicy, type StoreDestination } from '../../device/queue/index.js';
import { InstanceStore } from '../../device/storage/index.js';
import { freePort, startPeer, type PeerProcess } from './net-peers.js';

export interface Rig {
  readonly db: SqlDatabase;
  readonly clock: ManualClock;
  readonly store: InstanceStore;
  readonly queue: JobQueue;
  readonly forwarder: Forwarder;
  close(): Promise<void>;
}

export function makeRig(dataDir: string, destinations: readonly StoreDestination[], retry: RetryPolicy = { initialMs: 1000, factor: 2, maxMs: 8000 }, reserveBytes = 0): Rig {
  const db = openDatabase(join(dataDir, 'cart.db'));
  const clock = new ManualClock();
  const store = new InstanceStore(db, { dataDir, clock, reserveBytes });
  const queue = new JobQueue(db, { clock, retry });
  const forwarder = new Forwarder({ queue, dataDir, destinations, clock });
  return {
    db,
    clock,
    store,
    queue,
    forwarder,
    close: async () => {
      await forwarder.stop();
      db.close();
    },
  };
}

export function dest(name: string, aeTitle: string, port: number, concurrency = 1): StoreDestination {
  return { name, peer: { host: '127.0.0.1', port, calledAeTitle: aeTitle, callingAeTitle: 'US_CART' }, concurrency };
}

export interface Storescp {
  readonly port: number;
  readonly out: string;
  proc: PeerProcess;
  /** Starts it again on the same port (after stop()). */
  restart(): Promise<void>;
}

export async function startStorescp(out: string, port?: number, extraArgs: readonly string[] = ['+xa']): Promise<Storescp> {
  await mkdir(out, { recursive: true });
  const p = port ?? (await freePort());
  const args = ['--fork', '-od', out, ...extraArgs, String(p)];
  const s: Storescp = {
    port: p,
    out,
    proc: await startPeer('storescp', args, p),
    restart: async () => void (s.proc = await startPeer('storescp', args, p)),
  };
  return s;
}

/** SOP Instance UID → file, of what storescp wrote. */
export async function receivedBy(out: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const f of await readdir(out)) {
    const h = await readDicomFileHeader(join(out, f));
    map.set(h.file.dataset.string(Tags.SOPInstanceUID)!, join(out, f));
  }
  return map;
}

export interface Orthanc {
  readonly port: number;
  readonly httpPort: number;
  readonly proc: PeerProcess;
  /** Whether Orthanc holds an instance with this SOP Instance UID. */
  has(sopInstanceUid: string): Promise<boolean>;
}

/** Orthanc with its storage under `dir`, as AE ORTHANC; `extra` adds to or overrides its configuration. */
export async function startOrthanc(dir: string, extra: Readonly<Record<string, unknown>> = {}): Promise<Orthanc> {
  const port = await freePort();
  const httpPort = await freePort();
  await mkdir(join(dir, 'storage'), { recursive: true });
  const config = {
    Name: 'sonicart-service-test',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'storage'),
    DicomAet: 'ORTHANC',
    DicomPort: port,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomCheckCalledAet: true,
    ...extra,
  };
  await writeFile(join(dir, 'orthanc.json'), JSON.stringify(config));
  const proc = await startPeer('/usr/sbin/Orthanc', [join(dir, 'orthanc.json')], port, { readyTimeoutMs: 30_000 });
  return {
    port,
    httpPort,
    proc,
    has: async (uid) => {
      const r = await fetch(`http://127.0.0.1:${httpPort}/tools/lookup`, { method: 'POST', body: uid });
      const found = (await r.json()) as { Type: string }[];
      return found.some((f) => f.Type === 'Instance');
    },
  };
}
