/**
 * Media export jobs (device/media/jobs.ts) on simulated removable media: a job exports exams to
 * a chosen volume with progress; the result, copied onto a real FAT32 image (dosfstools +
 * mtools) and back, is read by pydicom's FileSet and dcmdump. Cancel, a medium pulled mid-export,
 * eject while busy and the panel's "current exam to the only medium" are checked on the same
 * simulator.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { filter, firstValueFrom } from 'rxjs';
import { ManualClock } from '../../device/clock.js';
import { nullLogger } from '../../device/log/logger.js';
import { exportFileSet } from '../../device/media/export.js';
import { nodeMediaIo, type MediaIo } from '../../device/media/io.js';
import { MediaJobs, type ExportJobSnapshot } from '../../device/media/jobs.js';
import { FatImage } from '../../hw-sim/media/fat-image.js';
import { SimulatedMediaWatcher } from '../../hw-sim/media/simulated-watcher.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { INTERNATIONAL, writeStudySet } from '../unit/media/us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
const exams = new Map<string, string[]>();

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-media-jobs-'));
  for (const [i, p] of INTERNATIONAL.entries()) {
    const src = join(dir, `exam${i}`);
    await mkdir(src);
    exams.set(`exam-${i}`, await writeStudySet(src, { prefix: `j${i}`, patients: [p], perPatient: 3, rows: 64, columns: 64 }));
  }
});
afterAll(() => cleanup());

let jobs: MediaJobs | undefined;
afterEach(async () => {
  await jobs?.stop();
  jobs = undefined;
});

async function setup(name: string, opts: { current?: string; audit?: unknown[]; gate?: Promise<void>; io?: MediaIo } = {}): Promise<{ jobs: MediaJobs; watcher: SimulatedMediaWatcher; root: string }> {
  const root = join(dir, name);
  await mkdir(root);
  const watcher = new SimulatedMediaWatcher(root);
  jobs = new MediaJobs({
    watcher,
    profile: 'STD-GEN-USB-JPEG',
    clock: new ManualClock(),
    log: nullLogger,
    examFiles: async (ids) =>
      ids.flatMap((id) => {
        const files = exams.get(id);
        if (!files) throw Object.assign(new Error(`no exam ${id}`), { code: 'EXAM_NOT_FOUND' });
        return files;
      }),
    currentOrLastExam: () => opts.current,
    audit: (e) => opts.audit?.push(e),
    // A gate holds the export before its first write, so "while it runs" does not depend on speed.
    ...(opts.gate || opts.io ? { runExport: async (o, p) => (await opts.gate, exportFileSet({ ...o, ...(opts.io ? { io: opts.io } : {}) }, p)) } : {}),
  });
  await jobs.start();
  return { jobs, watcher, root };
}

describe('media export jobs', () => {
  it('exports exams to the chosen volume with progress; the medium, through a real FAT32, reads in pydicom and dcmdump', async () => {
    const audit: unknown[] = [];
    const { jobs, watcher, root } = await setup('ok', { audit });
    await watcher.insert('STICK', { size: 64 * 2 ** 20 });
    // The added event reaches the job list's volume state.
    const vols = await firstValueFrom(jobs.volumes$.pipe(filter((v) => v.length === 1)));
    expect(vols[0]).toMatchObject({ id: 'sim:STICK', label: 'STICK', hasFileSet: false, busy: false });

    const seen: ExportJobSnapshot[] = [];
    jobs.jobs$.subscribe((s) => seen.push(s));
    const job = await jobs.export('sim:STICK', ['exam-0', 'exam-1']);
    // The first job starts at once: queued and running are both truthful answers.
    expect(['queued', 'running']).toContain(job.state);
    const done = await jobs.settled(job.jobId);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('completed');
    expect(done.report).toMatchObject({ mode: 'FSC', files: 6, profile: 'STD-GEN-USB-JPEG' });
    expect(seen.map((s) => s.state)).toContain('running');
    expect(seen.some((s) => s.progress.phase === 'files' && s.progress.filesDone > 0 && s.progress.filesDone < 6)).toBe(true);
    expect(seen.at(-1)!.progress).toMatchObject({ phase: 'done', filesDone: 6, filesTotal: 6 });
    expect(jobs.volumes()[0]).toMatchObject({ hasFileSet: true, busy: false });
    expect(audit).toEqual([expect.objectContaining({ what: 'exam-0,exam-1', where: 'STICK', outcome: 'success' })]);

    // A second export to the same medium adds to its file-set (FSU).
    const second = await jobs.settled((await jobs.export('sim:STICK', ['exam-2'])).jobId);
    expect(second.report).toMatchObject({ mode: 'FSU', files: 3 });

    const image = await FatImage.create(join(dir, 'stick.img'), 32, 40);
    await image.copyIn(join(root, 'STICK'));
    const back = join(dir, 'back');
    await mkdir(back);
    await image.copyOut(back);
    const py = await runPython(
      'import sys, pydicom\nfrom pydicom.fileset import FileSet\nfs = FileSet(pydicom.dcmread(sys.argv[1]))\nprint(len(fs), sorted({str(i.PatientID) for i in fs}))',
      [join(back, 'DICOMDIR')],
    );
    expect(py.code, py.stderr).toBe(0);
    expect(py.stdout.trim()).toBe("9 ['GB-0003', 'JP-0001', 'U8-0002']");
    const dump = await runTool('dcmdump', ['-q', '+P', '0004,1500', join(back, 'DICOMDIR')]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout.match(/\(0004,1500\)/g)).toHaveLength(9);
  });

  it('cancel during the file copy leaves the medium as it was (no files, no DICOMDIR) and says cancelled', async () => {
    const audit: unknown[] = [];
    const { jobs, watcher, root } = await setup('cancel', { audit });
    await watcher.insert('STICK');
    const job = await jobs.export('sim:STICK', ['exam-0', 'exam-1', 'exam-2']);
    const sub = jobs.jobs$.subscribe((s) => {
      if (s.jobId === job.jobId && s.state === 'running' && s.progress.filesDone >= 1) jobs.cancel(job.jobId);
    });
    const done = await jobs.settled(job.jobId);
    sub.unsubscribe();
    expect(done.state).toBe('cancelled');
    expect(done.error?.code).toBe('MEDIA_CANCELLED');
    expect(await readdir(join(root, 'STICK'), { recursive: true })).toEqual([]);
    expect(() => jobs.cancel(job.jobId)).toThrow(expect.objectContaining({ code: 'MEDIA_JOB_FINISHED' }));
    expect(audit).toEqual([expect.objectContaining({ outcome: 'failure' })]);
  });

  it('a medium pulled after the files, before the DICOMDIR, fails the job with MEDIA_REMOVED; the volume leaves the state', async () => {
    let pull!: () => Promise<void>;
    const { jobs, watcher } = await setup('pull', {
      // The pull happens exactly when the export asks the medium to flush (all files written,
      // DICOMDIR not yet): the moment a pull hurts most.
      io: { ...nodeMediaIo, flush: async (p) => (await pull(), nodeMediaIo.flush(p)) },
    });
    pull = () => watcher.pull('STICK');
    await watcher.insert('STICK');
    const job = await jobs.export('sim:STICK', ['exam-0', 'exam-1', 'exam-2']);
    const done = await jobs.settled(job.jobId);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('MEDIA_REMOVED');
    expect(jobs.volumes()).toEqual([]);
  });

  it('eject is refused while an export to the volume runs, then flushes and removes it', async () => {
    let open!: () => void;
    const { jobs, watcher } = await setup('eject', { gate: new Promise<void>((r) => (open = r)) });
    await watcher.insert('STICK');
    const job = await jobs.export('sim:STICK', ['exam-0']);
    await expect(jobs.eject('sim:STICK')).rejects.toMatchObject({ code: 'MEDIA_BUSY' });
    expect(jobs.volumes()[0]?.busy).toBe(true);
    open();
    expect((await jobs.settled(job.jobId)).state).toBe('completed');
    await expect(jobs.eject('sim:STICK')).resolves.toMatchObject({ volumeId: 'sim:STICK', mayRemove: true });
    expect(jobs.volumes()).toEqual([]);
    await expect(jobs.eject('sim:STICK')).rejects.toMatchObject({ code: 'MEDIA_NO_SUCH_VOLUME' });
    await expect(jobs.export('sim:GONE', ['exam-0'])).rejects.toMatchObject({ code: 'MEDIA_NO_SUCH_VOLUME' });
  });

  it('the export key: current exam to the only medium; refused with none or two media or no exam', async () => {
    const { jobs, watcher } = await setup('key', { current: 'exam-1' });
    await expect(jobs.exportCurrent()).rejects.toMatchObject({ code: 'MEDIA_NO_VOLUME' });
    await watcher.insert('ONE');
    await firstValueFrom(jobs.volumes$.pipe(filter((v) => v.length === 1)));
    const done = await jobs.settled((await jobs.exportCurrent()).jobId);
    expect(done).toMatchObject({ state: 'completed', examIds: ['exam-1'], volumeLabel: 'ONE' });
    await watcher.insert('TWO');
    await firstValueFrom(jobs.volumes$.pipe(filter((v) => v.length === 2)));
    await expect(jobs.exportCurrent()).rejects.toMatchObject({ code: 'MEDIA_SEVERAL_VOLUMES' });

    const none = await setup('nokey');
    await none.watcher.insert('ONE');
    await firstValueFrom(none.jobs.volumes$.pipe(filter((v) => v.length === 1)));
    await expect(none.jobs.exportCurrent()).rejects.toMatchObject({ code: 'EXAM_NOT_FOUND' });
    await none.jobs.stop();
  });

  it('an unknown exam fails the job before anything is written', async () => {
    const { jobs, watcher, root } = await setup('unknown');
    await watcher.insert('STICK');
    const done = await jobs.settled((await jobs.export('sim:STICK', ['exam-9'])).jobId);
    expect(done).toMatchObject({ state: 'failed', error: { code: 'EXAM_NOT_FOUND' } });
    expect(await readdir(join(root, 'STICK'))).toEqual([]);
  });
});
