/**
 * Received instances in the local store (device/scp/store-sink.ts + InstanceStore.adoptReceived):
 * streamed into incoming/, moved to instances/<study>/<series>/ and indexed with received_from;
 * duplicates, a UID reused for another object, a data set naming another UID, the spool quota,
 * an aborted transfer, and leftovers of a stopped service.
 */
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tag } from '../../../dicom/core/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../../dicom/part10/index.js';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { SinkOutOfResourcesError, type ReceivedInstanceInfo } from '../../../device/net/scp/received-instance.js';
import { InstanceStoreSink } from '../../../device/scp/store-sink.js';
import { InstanceStore, StorageError, type InstanceRecord } from '../../../device/storage/index.js';
import { dataSetBytes } from '../../helpers/scp-sources.js';
import { writeStudy } from '../../helpers/service-instances.js';
import { testImageDataSet } from '../device-net/fixtures.js';

let dir: string;
let db: SqlDatabase;
let store: InstanceStore;
const clock = new ManualClock();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-received-'));
  db = openDatabase(join(dir, 'cart.db'));
  store = new InstanceStore(db, { dataDir: join(dir, 'data'), clock });
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const incoming = async (): Promise<string[]> => readdir(join(dir, 'data', 'incoming')).catch(() => []);

/** A copy of `file` in incoming/, as the sink leaves it before adoptReceived. */
async function spooled(file: string): Promise<string> {
  const tmp = join(await store.incomingDir(), `x.${Math.random()}.part`);
  await copyFile(file, tmp);
  return tmp;
}

const info = (sopInstanceUid: string): ReceivedInstanceInfo => ({
  sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
  sopInstanceUid,
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  callingAeTitle: 'MODALITY',
  calledAeTitle: 'US_CART',
  remoteHost: '127.0.0.1',
});

describe('InstanceStore.adoptReceived', () => {
  it('moves the file to its place and indexes it with received_from; `alongside` runs in the row’s transaction', async () => {
    const [a] = await writeStudy(dir, 1);
    const seen: InstanceRecord[] = [];
    const { record, duplicate } = await store.adoptReceived(await spooled(a!.path), a!.sopInstanceUid, 'MODALITY', (r) => seen.push(r));
    expect(duplicate).toBe(false);
    expect(record).toMatchObject({ sopInstanceUid: a!.sopInstanceUid, receivedFrom: 'MODALITY', examId: null, state: 'ok' });
    expect(record.path).toBe(join(dir, 'data', 'instances', a!.studyInstanceUid, a!.seriesInstanceUid, `${a!.sopInstanceUid}.dcm`));
    expect(await readFile(record.path)).toEqual(await readFile(a!.path));
    expect(seen.map((r) => r.sopInstanceUid)).toEqual([a!.sopInstanceUid]);
    expect(store.list({ receivedFrom: 'MODALITY' }).map((r) => r.sopInstanceUid)).toEqual([a!.sopInstanceUid]);
    expect(store.count({ receivedFrom: 'OTHER' })).toBe(0);
    expect(await incoming()).toEqual([]);
  });

  it('the same object again: the stored copy is kept, the new one dropped, one row', async () => {
    const [a] = await writeStudy(dir, 1);
    const first = await store.adoptReceived(await spooled(a!.path), a!.sopInstanceUid, 'MODALITY');
    const again = await store.adoptReceived(await spooled(a!.path), a!.sopInstanceUid, 'OTHER');
    expect(again).toEqual({ record: first.record, duplicate: true });
    expect(store.count()).toBe(1);
    expect(await incoming()).toEqual([]);
  });

  it('the same SOP Instance UID for another study: refused (STORAGE_DUPLICATE), the stored one untouched', async () => {
    const [a] = await writeStudy(dir, 1);
    const first = await store.adoptReceived(await spooled(a!.path), a!.sopInstanceUid, 'MODALITY');
    // Same UID, another study and series.
    const { ds, sopClassUid } = testImageDataSet({ rows: 16, columns: 16 });
    ds.putStrings(tag(0x0008, 0x0018), 'UI', a!.sopInstanceUid);
    const clash = join(dir, 'clash.dcm');
    await writeFile(clash, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid: a!.sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!));
    const e = await store.adoptReceived(await spooled(clash), a!.sopInstanceUid, 'OTHER').then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).code).toBe('STORAGE_DUPLICATE');
    expect(store.get(a!.sopInstanceUid)).toEqual(first.record);
    expect(await readFile(first.record.path)).toEqual(await readFile(a!.path));
    expect(await incoming()).toEqual([]);
  });

  it('a data set that names another SOP Instance UID than the C-STORE: refused, nothing kept', async () => {
    const [a] = await writeStudy(dir, 1);
    const e = await store.adoptReceived(await spooled(a!.path), '1.2.3.4', 'MODALITY').then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as StorageError).code).toBe('STORAGE_UNREADABLE');
    expect(store.count()).toBe(0);
    expect(await incoming()).toEqual([]);
  });

  it('reconcile at start-up removes what a stopped service left in incoming/', async () => {
    const [a] = await writeStudy(dir, 1);
    await spooled(a!.path);
    expect(await incoming()).toHaveLength(1);
    const r = await store.reconcile();
    expect(r.leftoversRemoved).toBe(1);
    expect(await incoming()).toEqual([]);
    expect(store.count()).toBe(0);
  });
});

describe('InstanceStoreSink', () => {
  async function receive(sink: InstanceStoreSink, file: string, uid: string): Promise<string> {
    const w = await sink.begin(info(uid));
    const body = dataSetBytes(new Uint8Array(await readFile(file)));
    for (let o = 0; o < body.length; o += 1000) await w.write(body.subarray(o, o + 1000));
    return w.commit();
  }

  it('streams the data set into a Part 10 file in the store; onStored sees it', async () => {
    const [a] = await writeStudy(dir, 1);
    const stored: [string, boolean][] = [];
    const sink = new InstanceStoreSink({ store, maxStoreBytes: 0, storeBytes: () => 0, onStored: (r, d) => stored.push([r.sopInstanceUid, d]) });
    const path = await receive(sink, a!.path, a!.sopInstanceUid);
    expect(dataSetBytes(new Uint8Array(await readFile(path)))).toEqual(dataSetBytes(new Uint8Array(await readFile(a!.path))));
    expect(store.get(a!.sopInstanceUid)?.receivedFrom).toBe('MODALITY');
    await receive(sink, a!.path, a!.sopInstanceUid);
    expect(stored).toEqual([
      [a!.sopInstanceUid, false],
      [a!.sopInstanceUid, true],
    ]);
    expect(sink.inFlight).toBe(0);
  });

  it('discard (the association aborted): no file in incoming/, no row, idle', async () => {
    const [a] = await writeStudy(dir, 1);
    const sink = new InstanceStoreSink({ store, maxStoreBytes: 0, storeBytes: () => 0 });
    const w = await sink.begin(info(a!.sopInstanceUid));
    await w.write(new Uint8Array(5000));
    expect(await incoming()).toHaveLength(1);
    expect(sink.inFlight).toBe(1);
    await w.discard();
    await sink.idle();
    expect(await incoming()).toEqual([]);
    expect(store.count()).toBe(0);
  });

  it('the spool at its quota refuses (out of resources); a stale size is summed afresh before refusing', async () => {
    const sizes = [200, 50, 200, 200];
    const sink = new InstanceStoreSink({ store, maxStoreBytes: 100, storeBytes: () => sizes.shift() ?? 0 });
    const w = await sink.begin(info('1.2.3'));
    await w.discard();
    const fresh = new InstanceStoreSink({ store, maxStoreBytes: 100, storeBytes: () => sizes.shift() ?? 0 });
    await expect(fresh.begin(info('1.2.4'))).rejects.toBeInstanceOf(SinkOutOfResourcesError);
    expect(sizes).toEqual([]);
    expect(await incoming()).toEqual([]);
  });

  it('free disk below the reserve refuses (out of resources) before anything is written', async () => {
    const tight = new InstanceStore(db, { dataDir: join(dir, 'data'), clock, reserveBytes: Number.MAX_SAFE_INTEGER });
    const sink = new InstanceStoreSink({ store: tight, maxStoreBytes: 0, storeBytes: () => 0 });
    await expect(sink.begin(info('1.2.3'))).rejects.toBeInstanceOf(SinkOutOfResourcesError);
    expect(await incoming()).toEqual([]);
  });
});
