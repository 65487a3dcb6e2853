import { rmSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE } from '../../../dicom/encoding/index.js';
import { DIR, readDicomdir, textOf, walkRecords } from '../../../dicom/media/index.js';
import { readDicomFileHeader } from '../../../device/files/read-header.js';
import { FileSetExport, exportFileSet, type ExportProgress } from '../../../device/media/export.js';
import { nodeMediaIo, type MediaIo } from '../../../device/media/io.js';
import { checkReferencedFiles, readFileSetAt } from '../../../device/media/read-fileset.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { INTERNATIONAL, JPEG, RAW_DATA, RETIRED_US, writeStudySet, writeUsFile } from './us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let src: string;
let out: string;

beforeEach(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-media-'));
  src = join(dir, 'src');
  out = join(dir, 'stick');
  await mkdir(src);
  await mkdir(out);
});
afterEach(() => cleanup());

const USB = 'STD-GEN-USB-JPEG';

/** Everything on the medium, relative paths, sorted. */
async function listing(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).sort();
}

async function fileSetIsSound(root: string): Promise<{ images: number; patients: number }> {
  const found = await readFileSetAt(root);
  expect(found).toBeDefined();
  expect(await checkReferencedFiles(root, found!.fileSet)).toEqual([]);
  const recs = [...walkRecords(found!.fileSet.roots)];
  return { images: recs.filter((r) => r.record.type === 'IMAGE').length, patients: found!.fileSet.roots.length };
}

describe('FSC: a new file-set', () => {
  it('writes every instance under a File ID and a DICOMDIR that matches them, with progress', async () => {
    await writeStudySet(src, { prefix: 'a', patients: INTERNATIONAL, perPatient: 2 });
    const events: ExportProgress[] = [];
    const report = await exportFileSet({ profile: USB, out, inputs: [src], fileSetId: 'CART1' }, (p) => events.push(p));
    expect(report.mode).toBe('FSC');
    expect(report.written).toHaveLength(6);
    expect(await fileSetIsSound(out)).toEqual({ images: 6, patients: 3 });
    expect(events.at(-1)).toMatchObject({ phase: 'done', filesDone: 6, filesTotal: 6 });
    expect(events.some((e) => e.phase === 'dicomdir')).toBe(true);
    // Nothing but DICOMDIR and the DICOM tree: no temporary files left.
    const names = await listing(out);
    expect(names.filter((n) => !/^(DICOMDIR|DICOM(\/[A-Z0-9_]{1,8})*)$/.test(n))).toEqual([]);
    expect(readDicomdir(new Uint8Array(await readFile(join(out, 'DICOMDIR')))).fileSetId).toBe('CART1');
  });

  it('rewrites Implicit VR LE and Explicit VR BE as Explicit VR LE and keeps JPEG as it is', async () => {
    const base = { patientName: 'Doe^Jane', patientId: 'P1', study: '2.25.1', series: '2.25.2' };
    await writeUsFile(join(src, 'imp.dcm'), { ...base, sop: '2.25.31', ts: IMPLICIT_VR_LE });
    await writeUsFile(join(src, 'big.dcm'), { ...base, sop: '2.25.32', ts: EXPLICIT_VR_BE, instanceNumber: 2 });
    await writeUsFile(join(src, 'jpg.dcm'), { ...base, sop: '2.25.33', ts: JPEG, instanceNumber: 3 });
    const report = await exportFileSet({ profile: USB, out, inputs: [src] });
    expect(report.written.map((w) => w.action).sort()).toEqual(['copy', 'rewrite', 'rewrite']);
    const fs = (await readFileSetAt(out))!.fileSet;
    const tsOf = new Map<string, string>();
    for (const { record } of walkRecords(fs.roots)) {
      if (record.type !== 'IMAGE') continue;
      const path = join(out, ...record.dataset.strings(DIR.referencedFileId)!);
      const h = await readDicomFileHeader(path);
      expect(h.file.transferSyntax.uid).toBe(textOf(record.dataset, DIR.referencedTransferSyntax));
      tsOf.set(textOf(record.dataset, DIR.referencedSopInstance), h.file.transferSyntax.uid);
    }
    expect(Object.fromEntries(tsOf)).toEqual({ '2.25.31': EXPLICIT_VR_LE, '2.25.32': EXPLICIT_VR_LE, '2.25.33': JPEG });
    expect(await fileSetIsSound(out)).toEqual({ images: 3, patients: 1 });
  });

  it('refuses an existing DICOMDIR without --add', async () => {
    await writeStudySet(src, { prefix: 'a' });
    await exportFileSet({ profile: USB, out, inputs: [src] });
    await expect(exportFileSet({ profile: USB, out, inputs: [src] })).rejects.toMatchObject({ code: 'MEDIA_FILESET_EXISTS' });
  });
});

describe('FSU: adding to a file-set', () => {
  it('merges into existing patient/study/series records and reports duplicates instead of writing them twice', async () => {
    const first = await writeStudySet(src, { prefix: 'a', perPatient: 2 });
    await exportFileSet({ profile: USB, out, inputs: first });
    // Same study (same prefix → same UIDs) plus one more instance, and a duplicate.
    const more = join(dir, 'more');
    await mkdir(more);
    const again = await writeStudySet(more, { prefix: 'a', perPatient: 3 });
    const report = await exportFileSet({ profile: USB, out, inputs: again, add: true });
    expect(report.mode).toBe('FSU');
    expect(report.written).toHaveLength(1);
    expect(report.duplicates).toHaveLength(2);
    const fs = (await readFileSetAt(out))!.fileSet;
    expect(fs.roots).toHaveLength(1);
    expect(fs.roots[0]!.children).toHaveLength(1); // one study
    expect(fs.roots[0]!.children[0]!.children).toHaveLength(1); // one series
    expect(fs.roots[0]!.children[0]!.children[0]!.children).toHaveLength(3); // three images
    // The new file sits beside the series' existing files.
    const ids = fs.roots[0]!.children[0]!.children[0]!.children.map((r) => r.dataset.strings(DIR.referencedFileId)!.slice(0, -1).join('/'));
    expect(new Set(ids).size).toBe(1);
    expect(await fileSetIsSound(out)).toEqual({ images: 3, patients: 1 });
  });

  it('never overwrites a corrupt DICOMDIR: the export stops and says why', async () => {
    await writeStudySet(src, { prefix: 'a' });
    await exportFileSet({ profile: USB, out, inputs: [src] });
    const dd = join(out, 'DICOMDIR');
    const bytes = new Uint8Array(await readFile(dd));
    bytes.fill(0x41, bytes.length - 300, bytes.length - 200);
    await writeFile(dd, bytes);
    const before = await listing(out);
    await expect(exportFileSet({ profile: USB, out, inputs: [src], add: true })).rejects.toMatchObject({ code: expect.stringMatching(/^DICOMDIR_/) });
    expect(Buffer.from(await readFile(dd)).equals(Buffer.from(bytes))).toBe(true);
    expect(await listing(out)).toEqual(before);
  });
});

describe('refusals before anything is written', () => {
  it('a file that is not DICOM', async () => {
    await writeStudySet(src, { prefix: 'a' });
    await writeFile(join(src, 'notes.txt'), 'scan notes, not an image\n'.repeat(20));
    await expect(exportFileSet({ profile: USB, out, inputs: [src] })).rejects.toMatchObject({
      code: 'MEDIA_REFUSED',
      refused: [expect.objectContaining({ code: 'MEDIA_NOT_DICOM', source: join(src, 'notes.txt') })],
    });
    expect(await listing(out)).toEqual([]);
  });

  it.each([
    ['retired US Image Storage', RETIRED_US],
    ['Raw Data Storage', RAW_DATA],
  ])('a SOP class the profile forbids (%s), refused by name', async (_name, sopClass) => {
    await writeUsFile(join(src, 'x.dcm'), { patientName: 'A^B', patientId: 'P', study: '2.25.1', series: '2.25.2', sop: '2.25.3', sopClass });
    const err = await exportFileSet({ profile: 'STD-GEN-SD-JPEG', out, inputs: [src] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MEDIA_REFUSED', refused: [expect.objectContaining({ code: 'MEDIA_SOP_CLASS_NOT_ALLOWED' })] });
    expect((err as Error).message).toContain(sopClass);
    expect((err as Error).message).toContain('STD-GEN-SD-JPEG');
    expect(await listing(out)).toEqual([]);
  });

  it('an export that does not fit: refused with a plan of independent file-sets', async () => {
    const paths = [
      ...(await writeStudySet(src, { prefix: 'a', perPatient: 3, rows: 128, columns: 128 })),
      ...(await writeStudySet(src, { prefix: 'bb', perPatient: 3, rows: 128, columns: 128 })),
    ];
    const sizes = await Promise.all(paths.map(async (p) => (await stat(p)).size));
    const oneStudy = sizes.slice(0, 3).reduce((a, b) => a + b, 0);
    const err = await new FileSetExport({
      profile: USB,
      out,
      inputs: paths,
      space: async () => ({ free: oneStudy + 40_000, size: 1e9, blockSize: 512, fsType: 'vfat' }),
    })
      .run()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MEDIA_NO_SPACE' });
    const split = (err as { split: { portions: { studies: string[] }[] } }).split;
    expect(split.portions).toHaveLength(2);
    expect(split.portions.every((p) => p.studies.length === 1)).toBe(true);
    expect((err as Error).message).toMatch(/2 independent file-sets/);
    expect(await listing(out)).toEqual([]);
  });
});

describe('faults mid-export leave the old file-set intact', () => {
  async function oldSet(): Promise<{ before: string[]; dicomdir: Buffer }> {
    const first = await writeStudySet(src, { prefix: 'old' });
    await exportFileSet({ profile: USB, out, inputs: first });
    return { before: await listing(out), dicomdir: await readFile(join(out, 'DICOMDIR')) };
  }

  async function newFiles(): Promise<string[]> {
    const more = join(dir, 'more');
    await mkdir(more);
    return writeStudySet(more, { prefix: 'new', perPatient: 4, rows: 64, columns: 64 });
  }

  it('the medium fills up (ENOSPC) in the third file', async () => {
    const { before, dicomdir } = await oldSet();
    const inputs = await newFiles();
    let files = 0;
    const io: MediaIo = {
      ...nodeMediaIo,
      writeAtomically: (path, produce) =>
        nodeMediaIo.writeAtomically(path, async (write) => {
          const n = ++files;
          await produce(async (chunk) => {
            if (n === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
            await write(chunk);
          });
        }),
    };
    await expect(exportFileSet({ profile: USB, out, inputs, add: true, io })).rejects.toMatchObject({ code: 'MEDIA_FULL' });
    expect(await listing(out)).toEqual(before);
    expect((await readFile(join(out, 'DICOMDIR'))).equals(dicomdir)).toBe(true);
    expect(await fileSetIsSound(out)).toEqual({ images: 2, patients: 1 });
  });

  it('the medium is pulled out after the second file', async () => {
    await oldSet();
    const inputs = await newFiles();
    const job = new FileSetExport({ profile: USB, out, inputs, add: true });
    let pulled = false;
    job.on('progress', (p) => {
      if (!pulled && p.filesDone === 2) {
        pulled = true;
        // Synchronously, as a yanked stick takes everything at once.
        rmSync(out, { recursive: true, force: true });
      }
    });
    await expect(job.run()).rejects.toMatchObject({ code: 'MEDIA_REMOVED' });
  });

  it('cancelled through an AbortSignal half way: the old file-set stays as it was', async () => {
    const { before, dicomdir } = await oldSet();
    const inputs = await newFiles();
    const ac = new AbortController();
    const job = new FileSetExport({ profile: USB, out, inputs, add: true, signal: ac.signal });
    job.on('progress', (p) => {
      if (p.filesDone === 2) ac.abort();
    });
    await expect(job.run()).rejects.toMatchObject({ code: 'MEDIA_CANCELLED' });
    expect(await listing(out)).toEqual(before);
    expect((await readFile(join(out, 'DICOMDIR'))).equals(dicomdir)).toBe(true);
  });

  it('a failure writing the DICOMDIR itself leaves the old one in place', async () => {
    const { dicomdir } = await oldSet();
    const inputs = await newFiles();
    const io: MediaIo = {
      ...nodeMediaIo,
      writeAtomically: (path, produce) =>
        path.endsWith('DICOMDIR') ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO', syscall: 'write' })) : nodeMediaIo.writeAtomically(path, produce),
    };
    await expect(exportFileSet({ profile: USB, out, inputs, add: true, io })).rejects.toMatchObject({ code: 'MEDIA_REMOVED' });
    expect((await readFile(join(out, 'DICOMDIR'))).equals(dicomdir)).toBe(true);
    expect(await fileSetIsSound(out)).toEqual({ images: 2, patients: 1 });
  });
});

// A medium copied elsewhere stays a sound file-set (nothing refers to absolute paths).
describe('portability', () => {
  it('a copied medium reads the same', async () => {
    await writeStudySet(src, { prefix: 'a', patients: INTERNATIONAL });
    await exportFileSet({ profile: USB, out, inputs: [src] });
    const copy = join(dir, 'copy');
    await cp(out, copy, { recursive: true });
    await rm(out, { recursive: true });
    expect(await fileSetIsSound(copy)).toEqual({ images: 6, patients: 3 });
  });
});
