import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { InstanceStore, StorageError } from '../../../device/storage/index.js';
import { writeStudy } from '../../helpers/service-instances.js';

let dir: string;
let db: SqlDatabase;
let store: InstanceStore;
const clock = new ManualClock();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-store-'));
  db = openDatabase(join(dir, 'cart.db'));
  store = new InstanceStore(db, { dataDir: join(dir, 'data'), clock });
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

async function errorOf(p: Promise<unknown>): Promise<StorageError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StorageError);
    return e as StorageError;
  }
  throw new Error('expected a StorageError');
}

describe('InstanceStore.put / importFile', () => {
  it('writes the file under study/series and commits its row; list, get and pathOf find it', async () => {
    const [a, b] = await writeStudy(dir, 2);
    const ra = await store.importFile(a!.path, { examId: 'E1' });
    clock.advance(1000);
    await store.importFile(b!.path, { examId: 'E1' });
    expect(ra.path).toBe(join(dir, 'data', 'instances', a!.studyInstanceUid, a!.seriesInstanceUid, `${a!.sopInstanceUid}.dcm`));
    expect(await readFile(ra.path)).toEqual(await readFile(a!.path));
    expect(ra.size).toBe((await readFile(a!.path)).length);
    expect(store.get(a!.sopInstanceUid)).toEqual(ra);
    expect(store.pathOf(a!.sopInstanceUid)).toBe(ra.path);
    // newest first, paged
    expect(store.list({ examId: 'E1' }, { limit: 1 }).map((r) => r.sopInstanceUid)).toEqual([b!.sopInstanceUid]);
    expect(store.list({ examId: 'E1' }, { limit: 1, offset: 1 }).map((r) => r.sopInstanceUid)).toEqual([a!.sopInstanceUid]);
    expect(store.count({ studyInstanceUid: a!.studyInstanceUid })).toBe(2);
    // the row stores a path relative to the data directory
    expect(db.prepare<{ path: string }>('SELECT path FROM instances WHERE sop_instance_uid = ?').get([a!.sopInstanceUid])?.path).toMatch(/^instances\//);
  });

  it('refuses a second instance with the same SOP Instance UID, also while the first is being written', async () => {
    const [a] = await writeStudy(dir, 1);
    // Both start at once: whichever claims the UID first is written, the other is refused
    // (which one wins depends on how the two header reads interleave, not on call order).
    const both = await Promise.allSettled([store.importFile(a!.path), store.importFile(a!.path)]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(StorageError);
    expect((refused.reason as StorageError).code).toBe('STORAGE_DUPLICATE');
    expect((await errorOf(store.importFile(a!.path))).code).toBe('STORAGE_DUPLICATE');
  });

  it('refuses UIDs that are not UIDs before writing anything (no path traversal)', async () => {
    const e = await errorOf(
      store.put({
        sopInstanceUid: '1.2.3',
        sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
        studyInstanceUid: '../../etc',
        seriesInstanceUid: '1.2',
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        frames: 1,
        produce: async () => undefined,
      }),
    );
    expect(e.code).toBe('STORAGE_BAD_UID');
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('a producer that fails leaves neither file nor row', async () => {
    const e = store.put({
      sopInstanceUid: '1.2.3.4',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.1',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      frames: 1,
      produce: async (write) => {
        await write(new Uint8Array(100));
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
    });
    const err = await errorOf(e);
    expect(err.code).toBe('STORAGE_WRITE_FAILED');
    expect(err.errno).toBe('EIO');
    expect(await readdir(join(dir, 'data', 'instances', '1.2.3', '1.2.3.1'))).toEqual([]);
    expect(store.get('1.2.3.4')).toBeUndefined();
  });

  it('a reserve larger than the free space refuses the put with STORAGE_FULL and writes nothing', async () => {
    const full = new InstanceStore(db, { dataDir: join(dir, 'data'), clock, reserveBytes: Number.MAX_SAFE_INTEGER });
    const [a] = await writeStudy(dir, 1);
    const e = await errorOf(full.importFile(a!.path));
    expect(e.code).toBe('STORAGE_FULL');
    expect(e.message).toMatch(/below the .*reserve; nothing was written/);
    expect(store.count()).toBe(0);
    // a writer that writes in place (the capture pipeline) is refused before it starts, too
    expect((await errorOf(full.directoryFor(a!.studyInstanceUid, a!.seriesInstanceUid))).code).toBe('STORAGE_FULL');
  });

  it('an unreadable source is a typed error', async () => {
    await writeFile(join(dir, 'junk.dcm'), 'not dicom');
    expect((await errorOf(store.importFile(join(dir, 'junk.dcm')))).code).toBe('STORAGE_UNREADABLE');
  });

  it('adopt indexes a file written in place by another writer, and refuses one at the wrong place', async () => {
    const [a] = await writeStudy(dir, 1);
    const target = join(await store.directoryFor(a!.studyInstanceUid, a!.seriesInstanceUid), `${a!.sopInstanceUid}.dcm`);
    await copyFile(a!.path, target);
    const rec = await store.adopt(target, { examId: 'E9' });
    expect(rec.examId).toBe('E9');
    expect(rec.path).toBe(target);
    const wrong = join(dirname(target), 'other.dcm');
    await copyFile(a!.path, wrong);
    expect((await errorOf(store.adopt(wrong))).code).toBe('STORAGE_UNREADABLE');
  });
});

describe('InstanceStore.reconcile (start-up)', () => {
  it('flags a row without its file, re-indexes a file without a row, removes temp leftovers', async () => {
    const [a, b, c] = await writeStudy(dir, 3);
    const ra = await store.importFile(a!.path, { examId: 'E1' });
    const rb = await store.importFile(b!.path, { examId: 'E1' });
    // b's file vanished
    await unlink(rb.path);
    // c was renamed into place but the process died before its row was committed
    const cPath = store.pathFor(c!.studyInstanceUid, c!.seriesInstanceUid, c!.sopInstanceUid);
    await copyFile(c!.path, cPath);
    // an interrupted atomic write and an interrupted capture spool
    await writeFile(join(dirname(ra.path), `.${c!.sopInstanceUid}.dcm.123.456.tmp`), 'partial');
    await writeFile(join(dirname(ra.path), `.9.9.spool`), 'partial');

    const report = await store.reconcile();
    expect(report.missing).toEqual([b!.sopInstanceUid]);
    expect(report.reindexed).toEqual([c!.sopInstanceUid]);
    expect(report.leftoversRemoved).toBe(2);
    expect(report.unreadable).toEqual([]);
    expect(store.get(b!.sopInstanceUid)).toMatchObject({ state: 'missing', error: expect.stringMatching(/not found at start-up/) });
    // the re-indexed file takes its exam from the study's other instances
    expect(store.get(c!.sopInstanceUid)).toMatchObject({ state: 'ok', examId: 'E1', path: cPath });
    expect((await readdir(dirname(ra.path))).sort()).toEqual([`${a!.sopInstanceUid}.dcm`, `${c!.sopInstanceUid}.dcm`].sort());

    // the file comes back (a remounted disk): restored
    await copyFile(b!.path, rb.path);
    const again = await store.reconcile();
    expect(again.restored).toEqual([b!.sopInstanceUid]);
    expect(store.get(b!.sopInstanceUid)?.state).toBe('ok');
  });

  it('an unreadable file in the store is left in place and reported, not deleted', async () => {
    const d = await store.directoryFor('1.2.3', '1.2.3.4');
    await writeFile(join(d, '1.2.3.4.5.dcm'), 'garbage');
    const report = await store.reconcile();
    expect(report.unreadable).toEqual([join(d, '1.2.3.4.5.dcm')]);
    expect(existsSync(join(d, '1.2.3.4.5.dcm'))).toBe(true);
  });

  it('remove deletes row, finished jobs and file', async () => {
    const [a] = await writeStudy(dir, 1);
    const r = await store.importFile(a!.path);
    await store.remove(a!.sopInstanceUid);
    expect(store.get(a!.sopInstanceUid)).toBeUndefined();
    expect(existsSync(r.path)).toBe(false);
  });
});
