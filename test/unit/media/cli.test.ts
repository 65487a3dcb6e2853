import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../device/cli/main.js';
import { scratchDir } from '../../helpers/run-tool.js';
import { INTERNATIONAL, RETIRED_US, writeStudySet, writeUsFile } from './us-files.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-media-cli-')));
afterEach(() => cleanup());

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out, err };
}

describe('sonicart export / media', () => {
  it('exports, adds, and reads the tree back', async () => {
    const src = join(dir, 'src');
    const stick = join(dir, 'stick');
    await mkdir(src);
    await mkdir(stick);
    const files = await writeStudySet(src, { prefix: 'a', patients: INTERNATIONAL, perPatient: 1 });
    const first = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--fileset-id', 'CART', ...files.slice(0, 2));
    expect(first.code, first.err.join('\n')).toBe(0);
    expect(first.out[0]).toMatch(/^FSC STD-GEN-USB-JPEG onto .*: 2 file\(s\), .* 8 records, File-set ID "CART"$/);
    const added = await run('export', '--profile', 'STD-GEN-USB-JPEG', '--out', stick, '--add', src);
    expect(added.code).toBe(0);
    expect(added.out[0]).toMatch(/^FSU .*: 1 file\(s\)/);
    expect(added.out.filter((l) => l.startsWith('duplicate: '))).toHaveLength(2);
    const read = await run('media', 'read', stick);
    expect(read.code).toBe(0);
    expect(read.out[0]).toMatch(/^File-set ID "CART": .*DICOMDIR, 12 records$/);
    expect(read.out).toContain('PATIENT Yamada^Tarou=山田^太郎=やまだ^たろう JP-0001 19700101 F');
    expect(read.out.filter((l) => /^ {6}IMAGE 1 DICOM\\P000000\d\\S0000001\\X0000001\\I0000001 1\.2\.840\.10008\.1\.2\.1$/.test(l))).toHaveLength(3);
  });

  it('one line per refused file, then the error with its code; exit 1', async () => {
    const src = join(dir, 'src');
    await mkdir(src);
    await mkdir(join(dir, 'stick'));
    await writeUsFile(join(src, 'old.dcm'), { patientName: 'A', patientId: 'P', study: '2.25.1', series: '2.25.2', sop: '2.25.3', sopClass: RETIRED_US });
    await writeFile(join(src, 'readme.txt'), 'hello');
    const r = await run('export', '--profile', 'STD-GEN-SD-JPEG', '--out', join(dir, 'stick'), src);
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(3);
    expect(r.err.some((l) => /old\.dcm: SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.6 is not allowed by STD-GEN-SD-JPEG \[MEDIA_SOP_CLASS_NOT_ALLOWED\]$/.test(l))).toBe(true);
    expect(r.err.some((l) => /readme\.txt: not a readable DICOM file.*\[MEDIA_NOT_DICOM\]$/.test(l))).toBe(true);
    expect(r.err[2]).toMatch(/\[MEDIA_REFUSED\]$/);
  });

  it('a corrupt DICOMDIR: media read says why in one line, exit 1', async () => {
    await writeFile(join(dir, 'DICOMDIR'), new Uint8Array(300).fill(7));
    const r = await run('media', 'read', dir);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([expect.stringMatching(/^.*: the DICOMDIR cannot be read: .*\[DICOMDIR_UNREADABLE\]$/)]);
  });

  it('usage errors exit 2', async () => {
    expect((await run('export', '--out', dir, 'x')).code).toBe(2);
    expect((await run('export', '--profile', 'STD-GEN-CD', '--out', dir, 'x')).code).toBe(2);
    expect((await run('media')).code).toBe(2);
    expect((await run('media', 'read')).code).toBe(2);
    expect((await run('media', 'frobnicate')).code).toBe(2);
  });

  it('media list prints one line per volume or says there is none', async () => {
    const r = await run('media', 'list');
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });
});
