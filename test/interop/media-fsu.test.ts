/**
 * FSU onto file-sets we did not make: one made by DCMTK's dcmmkdir, and pydicom's DICOMDIR
 * samples (dicomdirtests: made by dcmmkdir, in big endian, implicit VR, reordered). Their records
 * must survive, ours must merge in, and DCMTK and pydicom must read the result.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkRecords } from '../../dicom/media/index.js';
import { exportFileSet } from '../../device/media/export.js';
import { readFileSetAt } from '../../device/media/read-fileset.js';
import { PYDICOM_DATA, runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { INTERNATIONAL, writeStudySet } from '../unit/media/us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-media-fsu-')));
afterEach(() => cleanup());

async function pydicomCount(dicomdir: string): Promise<{ n: number; loaded: number }> {
  const r = await runPython(
    `
import sys, json, pydicom
from pydicom.fileset import FileSet
fs = FileSet(pydicom.dcmread(sys.argv[1]))
loaded = 0
for inst in fs:
    ds = inst.load()
    assert ds.SOPInstanceUID == inst.SOPInstanceUID
    loaded += 1
print(json.dumps({"n": len(fs), "loaded": loaded}))
`,
    [dicomdir],
  );
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { n: number; loaded: number };
}

function images(fs: NonNullable<Awaited<ReturnType<typeof readFileSetAt>>>): number {
  return [...walkRecords(fs.fileSet.roots)].filter((x) => x.record.type === 'IMAGE').length;
}

describe('FSU onto a dcmmkdir file-set', () => {
  it('keeps its records, merges ours into its patient, and DCMTK and pydicom read the result', async () => {
    const stick = join(dir, 'stick');
    await mkdir(join(stick, 'IMG'), { recursive: true });
    // dcmmkdir's file-set: two instances of patient P-0001 at IMG/…
    const theirs = await writeStudySet(join(stick, 'IMG'), { prefix: 'dcmtk', perPatient: 2 });
    const names = theirs.map((p) => p.split('/').pop()!);
    // dcmmkdir wants DICOM file names: rename to 8.3-less uppercase.
    const { rename } = await import('node:fs/promises');
    for (const [i, n] of names.entries()) await rename(join(stick, 'IMG', n), join(stick, 'IMG', `F${i}`));
    const mk = await runTool('dcmmkdir', ['-Pfl', '+r', 'IMG'], { cwd: stick });
    expect(mk.stdout + mk.stderr).not.toMatch(/cannot be added/);
    expect(existsSync(join(stick, 'DICOMDIR'))).toBe(true);

    // Ours: the same patient (P-0001) in a new study, and three more patients.
    const src = join(dir, 'src');
    await mkdir(src);
    await writeStudySet(src, { prefix: 'ours', perPatient: 2 });
    await writeStudySet(src, { prefix: 'intl', patients: INTERNATIONAL, perPatient: 1 });
    const report = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], add: true });
    expect(report.mode).toBe('FSU');
    expect(report.written).toHaveLength(5);

    const fs = (await readFileSetAt(stick))!;
    expect(images(fs)).toBe(7);
    expect(fs.fileSet.roots.filter((r) => r.type === 'PATIENT')).toHaveLength(4); // P-0001 merged
    expect(fs.fileSet.fileSetId).toBe('DCMTK_MEDIA_DEMO'); // theirs kept
    expect(await pydicomCount(join(stick, 'DICOMDIR'))).toEqual({ n: 7, loaded: 7 });
    const dump = await runTool('dcmdump', ['-q', join(stick, 'DICOMDIR')]);
    expect(dump.code, dump.stderr).toBe(0);
    const again = await runTool('dcmmkdir', ['-Pfl', '+A', '-nb', '+r', 'IMG', 'DICOM'], { cwd: stick });
    expect(again.stdout + again.stderr).not.toMatch(/^E:|^F:|cannot be added/m);
  });
});

const SAMPLES = join(PYDICOM_DATA, 'test_files/dicomdirtests');

describe("FSU onto pydicom's dicomdirtests", () => {
  it.each(['DICOMDIR', 'DICOMDIR-bigEnd', 'DICOMDIR-implicit', 'DICOMDIR-reordered'])('%s: 31 of theirs + 4 of ours, written back as Explicit VR LE', async (name) => {
    const stick = join(dir, 'stick');
    await cp(SAMPLES, stick, { recursive: true });
    // One DICOMDIR per file-set: the chosen sample becomes the DICOMDIR.
    const { rename, rm } = await import('node:fs/promises');
    for (const f of await readdir(stick)) if (f.startsWith('DICOMDIR') && f !== name) await rm(join(stick, f));
    if (name !== 'DICOMDIR') await rename(join(stick, name), join(stick, 'DICOMDIR'));
    const src = join(dir, 'src');
    await mkdir(src);
    await writeStudySet(src, { prefix: 'ours', perPatient: 2, patients: [{ patientName: 'Doe^Jane', patientId: 'P-0001' }, { patientName: 'Roe^Rick', patientId: 'P-0002' }] });
    const report = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], add: true });
    expect(report.written).toHaveLength(4);
    const fs = (await readFileSetAt(stick))!;
    expect(fs.fileSet.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(images(fs)).toBe(35);
    expect(await pydicomCount(join(stick, 'DICOMDIR'))).toEqual({ n: 35, loaded: 35 });
  });

  it('DICOMDIR-nooffset (last item runs past the end of the file) is refused and left untouched', async () => {
    const stick = join(dir, 'stick');
    await mkdir(stick);
    await cp(join(SAMPLES, 'DICOMDIR-nooffset'), join(stick, 'DICOMDIR'));
    const src = join(dir, 'src');
    await mkdir(src);
    await writeStudySet(src, { prefix: 'ours' });
    await expect(exportFileSet({ profile: 'STD-GEN-USB-JPEG', out: stick, inputs: [src], add: true })).rejects.toMatchObject({ code: 'DICOMDIR_UNREADABLE' });
    expect(await readdir(stick)).toEqual(['DICOMDIR']);
  });
});
