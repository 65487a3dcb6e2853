/** What `sonicart export` says about inputs and outputs that are not there or not DICOM. */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../device/cli/main.js';
import { cli } from '../../helpers/cli-capture.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { writeStudySet } from './us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let stick: string;
let src: string;
beforeEach(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-export-inputs-'));
  stick = join(dir, 'stick');
  src = join(dir, 'src');
  await mkdir(stick);
  await mkdir(src);
});
afterEach(() => cleanup());

const exportTo = async (out: string, ...inputs: string[]) => {
  const c = cli();
  const code = await main(['export', '--profile', 'STD-GEN-USB-JPEG', '--out', out, ...inputs], c.io);
  return { code, ...c };
};

describe('export of nothing', () => {
  it('an empty folder fails and writes no DICOMDIR', async () => {
    const r = await exportTo(stick, src);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/no DICOM instance in .*src; nothing was written \[MEDIA_NOTHING_TO_EXPORT\]$/)]);
    expect(await readdir(stick)).toEqual([]);
  });

  it('a folder holding only a DICOMDIR (not an instance) fails the same way', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    await writeStudySet(src, { prefix: 'dd' });
    expect((await exportTo(other, src)).code).toBe(0);
    const r = await exportTo(stick, join(other, 'DICOMDIR'));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/only 1 DICOMDIR file\(s\), which are not instances.*\[MEDIA_NOTHING_TO_EXPORT\]$/);
    expect(await readdir(stick)).toEqual([]);
  });
});

describe('an --out that is not there', () => {
  it('says it does not exist (not "the medium went away") and creates nothing', async () => {
    await writeStudySet(src, { prefix: 'nout' });
    const missing = join(dir, 'no-such-stick');
    const r = await exportTo(missing, src);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/no-such-stick does not exist \(is the medium mounted there\?\); nothing was written \[MEDIA_OUT_MISSING\]$/)]);
    expect(existsSync(missing)).toBe(false);
  });
});

describe('a folder of many files that are not DICOM', () => {
  it('10,000 of them: one summary line naming the first few, not 10,001 lines', async () => {
    const photos = join(src, 'photos');
    await mkdir(photos);
    for (let i = 0; i < 10_000; i++) await writeFile(join(photos, `IMG_${String(i).padStart(5, '0')}.jpg`), 'not DICOM at all, a holiday photo');
    const r = await exportTo(stick, src);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^.*: 10000 file\(s\) cannot go on this medium, nothing was written; first: .*IMG_00000\.jpg: not a .*; also .*IMG_00001\.jpg, .*IMG_00004\.jpg and 9995 more \[MEDIA_REFUSED\]$/);
    expect(await readdir(stick)).toEqual([]);
  });
});
