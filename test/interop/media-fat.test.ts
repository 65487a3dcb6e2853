/**
 * The same export onto real FAT16 and FAT32 file systems (image files made by dosfstools,
 * reached with mtools: no mount needed), read back through mtools and checked.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportFileSet } from '../../device/media/export.js';
import { checkReferencedFiles, readFileSetAt } from '../../device/media/read-fileset.js';
import { FatImage } from '../../hw-sim/media/fat-image.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { INTERNATIONAL, writeStudySet } from '../unit/media/us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let src: string;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-media-fat-'));
  src = join(dir, 'src');
  await mkdir(src);
  await writeStudySet(src, { prefix: 'fat', patients: INTERNATIONAL, perPatient: 2, rows: 64, columns: 64 });
});
afterAll(() => cleanup());

describe.each([
  [16, 16],
  [32, 40],
] as const)('FAT%i image', (fat, sizeMiB) => {
  it('holds the file-set, read back with mtools, checked by us and by pydicom', async () => {
    const image = await FatImage.create(join(dir, `fat${fat}.img`), fat, sizeMiB);
    const info = await image.info();
    expect(info.fsType).toBe(`FAT${fat}`);
    // The export sees the image's own free space and file system type.
    const staging = join(dir, `stage${fat}`);
    await mkdir(staging);
    const report = await exportFileSet({
      profile: fat === 16 ? 'STD-GEN-SD-JPEG' : 'STD-GEN-USB-JPEG',
      out: staging,
      inputs: [src],
      space: async () => ({ free: info.free, size: sizeMiB * 2 ** 20, blockSize: 2048, fsType: 'vfat' }),
    });
    expect(report.fsType).toBe('vfat');
    await image.copyIn(staging);
    const listing = await image.list();
    expect(listing).toMatch(/DICOMDIR/);
    expect(listing.match(/I000000\d/g)).toHaveLength(6);

    const back = join(dir, `back${fat}`);
    await mkdir(back);
    await image.copyOut(back);
    const found = (await readFileSetAt(back))!;
    expect(await checkReferencedFiles(back, found.fileSet)).toEqual([]);
    const r = await runPython(
      'import sys, pydicom\nfrom pydicom.fileset import FileSet\nfs = FileSet(pydicom.dcmread(sys.argv[1]))\nprint(len([i.load() for i in fs]))',
      [join(back, found.path.split('/').pop()!)],
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('6');
  });
});
