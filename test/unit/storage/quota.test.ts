import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { JobQueue } from '../../../device/queue/index.js';
import { InstanceStore, Quota, type DiskSpace } from '../../../device/storage/index.js';
import { writeStudy, type WrittenInstance } from '../../helpers/service-instances.js';

let dir: string;
let db: SqlDatabase;
let store: InstanceStore;
let queue: JobQueue;
const clock = new ManualClock();
const studies: Record<string, WrittenInstance[]> = {};

/** Stores a study of 2 instances as exam `name`, one second after the previous. */
async function study(name: string): Promise<void> {
  clock.advance(1000);
  studies[name] = await writeStudy(dir, 2);
  for (const s of studies[name]!) await store.importFile(s.path, { examId: name });
}

/** Sends the exam's instances to `dest` with the given status (0 = success). */
function send(exam: string, dest: string, status = 0): void {
  queue.enqueue({ examId: exam }, [dest]);
  for (let c = queue.claim(dest); c; c = queue.claim(dest)) queue.finish(c.jobId, { statusCode: status }, 'x');
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-quota-'));
  db = openDatabase(join(dir, 'cart.db'));
  store = new InstanceStore(db, { dataDir: join(dir, 'data'), clock });
  queue = new JobQueue(db, { clock });
  for (const n of ['A', 'B', 'C', 'D', 'E']) await study(n);
  send('A', 'pacs');
  send('A', 'orthanc', 0xb000); // warning = stored
  send('B', 'pacs'); // not at orthanc
  send('C', 'pacs');
  send('C', 'orthanc');
  send('D', 'pacs');
  send('D', 'orthanc', 0xc000); // failed at orthanc: not sent
  // E: nothing sent
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (names: string[]) => db.prepare<{ n: number }>(`SELECT SUM(size) AS n FROM instances WHERE exam_id IN (${names.map(() => '?').join(',')})`).get(names)!.n;
const roomy = async (): Promise<DiskSpace> => ({ freeBytes: 1e12, totalBytes: 2e12 });

describe('Quota', () => {
  it('only studies every destination stored (completed or warning) are removable, oldest first', () => {
    const q = new Quota({ db, store, limits: {}, destinations: () => ['pacs', 'orthanc'], diskSpace: roomy });
    expect(q.removableStudies().map((s) => s.study)).toEqual([studies['A']![0]!.studyInstanceUid, studies['C']![0]!.studyInstanceUid]);
  });

  it('removes the oldest sent study first, only as much as needed, rows, jobs and files', async () => {
    const q = new Quota({ db, store, limits: { maxStoreBytes: q0() - 1 }, destinations: () => ['pacs', 'orthanc'], diskSpace: roomy });
    function q0() {
      return db.prepare<{ n: number }>('SELECT SUM(size) AS n FROM instances').get()!.n;
    }
    const aBytes = bytesOf(['A']);
    const r = await q.enforce();
    expect(r.removedStudies).toEqual([studies['A']![0]!.studyInstanceUid]);
    expect(r.removedBytes).toBe(aBytes);
    expect(r.warning).toBeUndefined();
    for (const s of studies['A']!) {
      expect(store.get(s.sopInstanceUid)).toBeUndefined();
      expect(existsSync(store.pathFor(s.studyInstanceUid, s.seriesInstanceUid, s.sopInstanceUid))).toBe(false);
    }
    expect(existsSync(join(dir, 'data', 'instances', studies['A']![0]!.studyInstanceUid))).toBe(false);
    expect(queue.count({ examId: 'A' })).toBe(0);
    expect(store.count()).toBe(8);
  });

  it('never removes what is not sent: over quota with nothing sent left → a warning, nothing else removed', async () => {
    const q = new Quota({ db, store, limits: { maxStoreBytes: 1 }, destinations: () => ['pacs', 'orthanc'], diskSpace: roomy });
    const r = await q.enforce();
    expect(r.removedStudies.length).toBe(2);
    expect(r.warning).toMatch(/nothing more can be removed/);
    expect(new Set(store.list({}, { limit: 100 }).map((i) => i.examId))).toEqual(new Set(['B', 'D', 'E']));
  });

  it('a study with a job still queued (to a destination not required) is not removed', async () => {
    queue.enqueue({ examId: 'C' }, ['export-only']);
    const q = new Quota({ db, store, limits: {}, destinations: () => ['pacs', 'orthanc'], diskSpace: roomy });
    expect(q.removableStudies().map((s) => s.study)).toEqual([studies['A']![0]!.studyInstanceUid]);
  });

  it('storage commitment hook: a destination that requires it keeps uncommitted studies', () => {
    const committed = new Set(studies['C']!.map((s) => s.sopInstanceUid));
    const q = new Quota({
      db,
      store,
      limits: {},
      destinations: () => ['pacs', 'orthanc'],
      commitmentRequired: (d) => d === 'pacs',
      committed: (uid, d) => d === 'pacs' && committed.has(uid),
      diskSpace: roomy,
    });
    expect(q.removableStudies().map((s) => s.study)).toEqual([studies['C']![0]!.studyInstanceUid]);
  });

  it('no destination configured: nothing is ever removable', () => {
    expect(new Quota({ db, store, limits: { maxStoreBytes: 0 }, destinations: () => [], diskSpace: roomy }).removableStudies()).toEqual([]);
  });

  it('free space below minFreeBytes removes sent studies; still below the warning line → warns before full', async () => {
    let free = 1000;
    const disk = async (): Promise<DiskSpace> => ({ freeBytes: free, totalBytes: 100_000 });
    const a = bytesOf(['A']);
    const q = new Quota({ db, store, limits: { minFreeBytes: 1000 + a / 2, warnFreeBytes: 50_000 }, destinations: () => ['pacs', 'orthanc'], diskSpace: disk });
    // the disk frees what the store removes
    const remove = store.remove.bind(store);
    store.remove = async (uid: string) => {
      free += store.get(uid)!.size;
      await remove(uid);
    };
    const r = await q.enforce();
    expect(r.removedStudies).toEqual([studies['A']![0]!.studyInstanceUid]);
    expect(r.warning).toMatch(/nearly full/);
  });
});
