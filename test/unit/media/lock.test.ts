import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkRecords } from '../../../dicom/media/index.js';
import { main } from '../../../device/cli/main.js';
import { FileSetExport, exportFileSet } from '../../../device/media/export.js';
import { LOCK_NAME, withMediumLock } from '../../../device/media/lock.js';
import { checkReferencedFiles, readFileSetAt } from '../../../device/media/read-fileset.js';
import { jsonLogger } from '../../../device/log/logger.js';
import { cli } from '../../helpers/cli-capture.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { writeStudySet } from './us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let stick: string;
let src: string;
beforeEach(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-media-lock-'));
  stick = join(dir, 'stick');
  src = join(dir, 'src');
  await mkdir(stick);
  await mkdir(src);
});
afterEach(() => cleanup());

async function images(): Promise<number> {
  const fs = (await readFileSetAt(stick))!;
  expect(await checkReferencedFiles(stick, fs.fileSet)).toEqual([]);
  return [...walkRecords(fs.fileSet.roots)].filter((x) => x.record.type === 'IMAGE').length;
}

/** The pid of a process that has exited: it cannot hold anything any more. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describe('one export at a time per medium', () => {
  it('two exports in one process onto the same medium queue; both land whole', async () => {
    const a = join(src, 'a');
    const b = join(src, 'b');
    await mkdir(a);
    await mkdir(b);
    await writeStudySet(a, { prefix: 'qa', perPatient: 6 });
    await writeStudySet(b, { prefix: 'qb', perPatient: 6 });
    await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [await writeOne()] });
    const [ra, rb] = await Promise.all([
      exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [a], add: true }),
      exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [b], add: true }),
    ]);
    expect([ra.written.length, rb.written.length]).toEqual([6, 6]);
    expect(await images()).toBe(13);
    expect(await readdir(stick)).toEqual(['DICOM', 'DICOMDIR']); // the lock is gone
  });

  it('a lock left by a process that died on this host is taken over, with a log line', async () => {
    await writeStudySet(src, { prefix: 'stale' });
    const stale = { pid: await deadPid(), host: hostname(), time: '2026-01-01T00:00:00.000Z' };
    await writeFile(join(stick, LOCK_NAME), JSON.stringify(stale));
    const lines: string[] = [];
    const r = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], log: jsonLogger((l) => lines.push(l)) });
    expect(r.written).toHaveLength(2);
    const taken = lines.map((l) => JSON.parse(l) as { msg: string; owner: unknown }).find((l) => /taken over/.test(l.msg));
    expect(taken?.owner).toEqual(stale);
    expect(await readdir(stick)).toEqual(['DICOM', 'DICOMDIR']);
  });

  it('a lock half-written by a killed process (no content) is taken over once it is old', async () => {
    await writeStudySet(src, { prefix: 'empty' });
    const lock = join(stick, LOCK_NAME);
    await writeFile(lock, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    const r = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src] });
    expect(r.written).toHaveLength(2);
  });

  it.each([
    ['a live process on this host', () => ({ pid: process.pid, host: hostname(), time: new Date().toISOString() })],
    ['a process on another host (whose pid means nothing here)', () => ({ pid: 1, host: `not-${hostname()}`, time: '2026-01-01T00:00:00.000Z' })],
  ])('a lock held by %s: waits, says so once, then refuses with MEDIA_LOCKED and writes nothing', async (_what, owner) => {
    await writeStudySet(src, { prefix: 'held' });
    const held = JSON.stringify(owner());
    await writeFile(join(stick, LOCK_NAME), held);
    const job = new FileSetExport({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], lockWaitMs: 300 });
    const waiting: string[] = [];
    job.on('waiting', (m) => waiting.push(m));
    await expect(job.run()).rejects.toMatchObject({ code: 'MEDIA_LOCKED', message: expect.stringMatching(/another export is writing to .*pid \d+ on /) });
    expect(waiting).toHaveLength(1);
    expect(await readdir(stick)).toEqual([LOCK_NAME]);
    expect(await readFile(join(stick, LOCK_NAME), 'utf8')).toBe(held); // not ours to remove
  });

  it('the lock is released when the export fails, so the next one is not kept waiting', async () => {
    await writeFile(join(src, 'notes.txt'), 'not DICOM');
    await expect(exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src] })).rejects.toMatchObject({ code: 'MEDIA_REFUSED' });
    expect(await readdir(stick)).toEqual([]);
  });

  it('withMediumLock runs callers on one root strictly one after another', async () => {
    const order: string[] = [];
    const step = (name: string) => async () => {
      order.push(`${name}+`);
      await new Promise((r) => setTimeout(r, 20));
      order.push(`${name}-`);
    };
    await Promise.all([withMediumLock(stick, step('a')), withMediumLock(stick, step('b')), withMediumLock(stick, step('c'))]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  it('sonicart export: a held medium and --wait 0 → one line with MEDIA_LOCKED, exit 1; a bad --wait is a usage error', async () => {
    await writeStudySet(src, { prefix: 'cli' });
    await writeFile(join(stick, LOCK_NAME), JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString() }));
    const c = cli();
    expect(await main(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--wait', '0', src], c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/another export is writing to .* \[MEDIA_LOCKED\]$/);
    const bad = cli();
    expect(await main(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--wait', '1e3', src], bad.io)).toBe(2);
    expect(bad.err[0]).toMatch(/--wait must be a whole number/);
  });

  it('sonicart export on a busy medium says it waits, once, and goes ahead when the other export is done', async () => {
    await writeStudySet(src, { prefix: 'waits' });
    const lock = join(stick, LOCK_NAME);
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString() }));
    const c = cli();
    const running = main(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--wait', '600', src], c.io);
    while (c.err.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(c.err).toEqual([expect.stringMatching(/^another export is writing to .* \(pid \d+ on .*\); waiting for it to finish$/)]);
    const { rm } = await import('node:fs/promises');
    await rm(lock); // the other export finished
    expect(await running).toBe(0);
    expect(c.out[0]).toMatch(/^FSC .*: 2 file\(s\)/);
    expect(c.err).toHaveLength(1);
  });

  async function writeOne(): Promise<string> {
    const d = join(src, 'first');
    await mkdir(d);
    await writeStudySet(d, { prefix: 'qfirst', perPatient: 1 });
    return d;
  }
});

describe('a medium that refuses writes', () => {
  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)(`a read-only mount: MEDIA_READ_ONLY when taking the lock, nothing written${asRoot ? '' : ' — SKIPPED: needs root to mount'}`, async () => {
    const { execFileSync } = await import('node:child_process');
    await writeStudySet(src, { prefix: 'ro' });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', stick], { stdio: 'pipe' });
    try {
      await expect(exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src] })).rejects.toMatchObject({ code: 'MEDIA_READ_ONLY' });
      expect(await readdir(stick)).toEqual([]);
    } finally {
      execFileSync('umount', [stick], { stdio: 'pipe' });
    }
  });
});
