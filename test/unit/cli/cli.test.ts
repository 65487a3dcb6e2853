/** The command line as a user runs it: `npx sonicart …` from the repository root. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYDICOM_DATA, runSonicart, runTool, scratchDir } from '../../helpers/run-tool.js';

const sonicart = (...args: string[]) => runSonicart(args, { timeoutMs: 60_000 });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(async () => cleanup());

describe('sonicart dump', () => {
  it('prints one element per line, nested items indented, Japanese decoded, pixel data summarised', async () => {
    const h31 = await sonicart('dump', join(PYDICOM_DATA, 'charset_files/chrH31.dcm'));
    expect(h31.code, h31.stderr).toBe(0);
    expect(h31.stdout).toMatch(/^\(0010,0010\) PN \[Yamada\^Tarou=山田\^太郎=やまだ\^たろう\]/m);
    // An item with its own character set (IR 13 half-width katakana + IR 87), indented under its sequence.
    const r = await sonicart('dump', join(PYDICOM_DATA, 'charset_files/chrSQEncoding.dcm'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\(0032,1064\) SQ \(Sequence, 1 item\)/m);
    expect(r.stdout).toMatch(/^ {2}\(FFFE,E000\) item 1$/m);
    expect(r.stdout).toMatch(/^ {4}\(0010,0010\) PN \[ﾔﾏﾀﾞ\^ﾀﾛｳ=山田\^太郎=やまだ\^たろう\]/m);
    const px = await sonicart('dump', join(PYDICOM_DATA, 'test_files/CT_small.dcm'));
    expect(px.stdout).toMatch(/^\(7FE0,0010\) OW \(32768 bytes at offset \d+, not loaded\)/m);
  });

  it('a broken file: one line naming the file, the byte offset and what is wrong; exit 1', async () => {
    const f = join(PYDICOM_DATA, 'test_files/rtplan_truncated.dcm');
    const r = await sonicart('dump', f);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}: byte \\d+: \\(300A,00B0\\) SQ length 976 runs past the end`));
  });

  it('a file that does not exist, and a wrong command line', async () => {
    const r = await sonicart('dump', join(dir, 'nope.dcm'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.dcm: stat: ENOENT/); // inputs are stat-ed before they are opened (FIFOs)
    const u = await sonicart('convert', 'x.dcm', '--ts', 'purple', '-o', join(dir, 'y.dcm'));
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/--ts must be one of implicit, explicit, big/);
  });
});

describe('sonicart convert', () => {
  it('rewrites a file in big endian that dcmdump reads without a warning', async () => {
    const out = join(dir, 'mr-big.dcm');
    const r = await sonicart('convert', join(PYDICOM_DATA, 'test_files/MR_small.dcm'), '--ts', 'big', '-o', out);
    expect(r.code, r.stderr).toBe(0);
    const d = await runTool('dcmdump', ['-q', '-Un', out]);
    expect(d.code).toBe(0);
    expect(d.stderr).toBe('');
    expect(d.stdout).toContain('1.2.840.10008.1.2.2');
    expect((await readFile(out)).subarray(128, 132).toString()).toBe('DICM');
  });

  it('refuses a compression it has no codec for (RLE), and leaves no output behind', async () => {
    const out = join(dir, 'rle.dcm');
    const r = await sonicart('convert', join(PYDICOM_DATA, 'test_files/MR_small_RLE.dcm'), '--ts', 'explicit', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RLE Lossless to Explicit VR Little Endian needs a RLE Lossless codec.*\[CONVERT_NEEDS_CODEC\]$/m);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it('decompresses JPEG Baseline (YBR_FULL → RGB) and compresses to JPEG Lossless and, when named, JPEG Baseline', async () => {
    const rgb = join(dir, 'jpeg-to-explicit.dcm');
    const r = await sonicart('convert', join(PYDICOM_DATA, 'test_files/SC_rgb_jpeg_dcmtk.dcm'), '--ts', 'explicit', '-o', rgb);
    expect(r.code, r.stderr).toBe(0);
    const d = await runTool('dcmdump', ['-q', '+P', '0002,0010', '+P', '0028,0004', '+P', '0028,2110', rgb]);
    expect(d.stdout).toMatch(/LittleEndianExplicit/);
    expect(d.stdout).toMatch(/\[RGB\]/);
    expect(d.stdout).toMatch(/\(0028,2110\) CS \[01\]/);
    const ll = join(dir, 'explicit-to-lossless.dcm');
    expect((await sonicart('convert', rgb, '--ts', 'jpeg-lossless', '-o', ll)).code).toBe(0);
    const bl = join(dir, 'explicit-to-baseline.dcm');
    const b = await sonicart('convert', join(PYDICOM_DATA, 'test_files/SC_rgb_small_odd.dcm'), '--ts', 'jpeg-baseline', '-o', bl);
    expect(b.code, b.stderr).toBe(0);
    const db = await runTool('dcmdump', ['-q', '+P', '0002,0010', '+P', '0028,0004', '+P', '0028,2110', '+P', '0028,2114', bl]);
    expect(db.stdout).toMatch(/JPEGBaseline/);
    expect(db.stdout).toMatch(/\[YBR_FULL_422\]/);
    expect(db.stdout).toMatch(/\(0028,2110\) CS \[01\]/);
    expect(db.stdout).toMatch(/\[ISO_10918_1\]/);
  });
});
