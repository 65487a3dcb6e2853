/**
 * The queue through bad times, against a real storescp: the PACS down for a while (stopped;
 * back-off on a ManualClock), then back — the queue drains; and a spool disk that fills (a real
 * 8 MiB tmpfs): the capture is refused with a clear error, nothing partial is left, what was
 * stored before is intact, and the queue goes on sending it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageError } from '../../device/storage/index.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { dest, makeRig, receivedBy, startStorescp, type Rig, type Storescp } from '../helpers/service-peers.js';
import { writeStudy } from '../helpers/service-instances.js';

const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-svc-outage-'));
});
afterAll(async () => cleanup());

describe('PACS down, then back', () => {
  let scp: Storescp;
  let rig: Rig;
  afterAll(async () => {
    await rig?.close();
    await scp?.proc.stop();
  });

  it('connect failures pause the destination with growing back-off; back up, the queue drains', async () => {
    scp = await startStorescp(join(dir, 'scp'));
    await scp.proc.stop();
    rig = makeRig(join(dir, 'data1'), [dest('pacs', 'STORESCP', scp.port, 2)], { initialMs: 1000, factor: 2, maxMs: 4000 });
    const study = await writeStudy(join(dir), 8);
    for (const s of study) await rig.store.importFile(s.path, { examId: 'E1' });
    const paused: number[] = [];
    rig.queue.events$.subscribe((e) => e.type === 'destination-paused' && paused.push(Date.parse(e.until) - rig.clock.now().getTime()));

    rig.queue.enqueue({ examId: 'E1' }, ['pacs']);
    rig.forwarder.start();
    await rig.forwarder.idle();
    // Both lanes found it down; one pause (the second lane sees the destination already paused).
    expect(paused).toEqual([1000]);
    expect(rig.queue.list({}, { limit: 20 }).map((j) => [j.state, j.attempts])).toEqual(study.map(() => ['retry', 0]));
    expect(rig.queue.list({}, { limit: 1 })[0]!.nextTry).toBe(new Date(rig.clock.now().getTime() + 1000).toISOString());

    for (const wait of [1000, 2000, 4000]) {
      rig.clock.advance(wait);
      await rig.forwarder.idle();
    }
    // 1 s, 2 s, 4 s, then capped at 4 s
    expect(paused).toEqual([1000, 2000, 4000, 4000]);
    expect(rig.queue.count({ state: 'retry' })).toBe(8);

    await scp.restart();
    rig.clock.advance(4000);
    await rig.forwarder.idle();
    expect(rig.queue.list({}, { limit: 20 }).map((j) => [j.state, j.status])).toEqual(study.map(() => ['completed', '0000']));
    expect([...(await receivedBy(scp.out)).keys()].sort()).toEqual(study.map((s) => s.sopInstanceUid).sort());
    expect(rig.queue.summary().paused).toEqual({});
  }, 60_000);
});

describe('a spool disk that fills (8 MiB tmpfs)', () => {
  const mnt = () => join(dir, 'spool');
  let mounted = false;
  let scp: Storescp;
  let rig: Rig;

  beforeAll(async () => {
    await mkdir(mnt(), { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt()]);
    } catch (e) {
      throw new Error(`this test mounts a small tmpfs and needs root (CAP_SYS_ADMIN): ${(e as Error).message}`);
    }
    mounted = true;
  });
  afterAll(async () => {
    await rig?.close();
    await scp?.proc.stop();
    if (mounted) await run('umount', [mnt()]);
    await rmdir(mnt()).catch(() => undefined);
  });

  it('the put that does not fit is refused with STORAGE_FULL; nothing partial; the queue sends what was stored', async () => {
    rig = makeRig(mnt(), [dest('pacs', 'STORESCP', (scp = await startStorescp(join(dir, 'scp2'))).port)]);
    // 600 KiB images: about a dozen fit in 8 MiB with the database
    const study = await writeStudy(dir, 20, { rows: 480, columns: 640 });
    const stored: string[] = [];
    let refusal: StorageError | undefined;
    for (const s of study) {
      try {
        await rig.store.importFile(s.path, { examId: 'E1' });
        stored.push(s.sopInstanceUid);
      } catch (e) {
        refusal = e as StorageError;
        break;
      }
    }
    expect(stored.length).toBeGreaterThan(3);
    expect(refusal).toBeInstanceOf(StorageError);
    expect(refusal!.code).toBe('STORAGE_FULL');
    expect(refusal!.message).toMatch(/spool disk is full; .* was not stored \(nothing partial was left\)/);
    // nothing partial: no temporary file, every file in the store is whole for dcmdump, and
    // only the acknowledged ones have rows
    const files: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(d, e.name));
        else files.push(join(d, e.name));
      }
    };
    await walk(join(mnt(), 'instances'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files.length).toBe(stored.length);
    for (const f of files) expect((await runTool('dcmdump', ['-q', f])).code, f).toBe(0);
    expect(rig.store.count()).toBe(stored.length);
    expect((await rig.store.reconcile()).missing).toEqual([]);

    // the queue goes on with a full disk (the database commits its job rows in the WAL space it has)
    rig.queue.enqueue({ examId: 'E1' }, ['pacs']);
    rig.forwarder.start();
    await rig.forwarder.idle();
    expect(rig.queue.count({ state: 'completed' })).toBe(stored.length);
    expect([...(await receivedBy(scp.out)).keys()].sort()).toEqual([...stored].sort());
  }, 60_000);
});
