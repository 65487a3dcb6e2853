import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDicomFile, readDicomFileHeader } from '../../../device/files/read-header.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../../dicom/encoding/index.js';
import { buildFileMeta, readPart10, writePart10 } from '../../../dicom/part10/index.js';
import { T, US_IMAGE_STORAGE, smallUsImage } from '../../helpers/build-dataset.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ dir, cleanup } = await scratchDir()));
afterAll(async () => cleanup());

describe('reading files from disk', () => {
  it('a 20 MB file read in slices equals the file read in one piece, and the header read agrees', async () => {
    const ds: DataSet = smallUsImage(2000, 5000); // 16-bit: 20 MB of pixel data
    const px = ds.get(T.PixelData)!.bytes!;
    for (let i = 0; i < px.length; i += 4093) px[i] = (i / 4093) & 0xff;
    const path = join(dir, 'big.dcm');
    const meta = buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: '2.25.7', transferSyntaxUid: EXPLICIT_VR_LE });
    await writeFile(path, writePart10(meta, ds, transferSyntax(EXPLICIT_VR_LE)!));
    const sliced = await readDicomFile(path);
    const whole = readPart10(new Uint8Array(await readFile(path)));
    expect(Buffer.compare(Buffer.from(sliced.dataset.get(T.PixelData)!.bytes!), Buffer.from(px))).toBe(0);
    expect(sliced.dataset.string(T.PatientName)).toBe(whole.dataset.string(T.PatientName));
    const header = await readDicomFileHeader(path);
    expect(header.pixelData).toMatchObject({ kind: 'native', length: px.length });
    expect(header.file.dataset.get(T.PixelData)?.value.type).toBe('bulk');
  });

  it('a header longer than the first 16 KiB read is read in a larger window', async () => {
    const ds = smallUsImage();
    ds.putStrings(T.PatientID, 'LO', 'P-1');
    // a 40 KiB private-free text value before the pixel data
    ds.putStrings(0x00204000, 'LT', 'x'.repeat(10_000));
    ds.putStrings(0x00324000, 'LT', 'y'.repeat(10_000));
    ds.putStrings(0x00400280, 'ST', 'z'.repeat(1_000));
    ds.putStrings(0x40004000, 'LT', 'w'.repeat(10_240));
    const path = join(dir, 'long-header.dcm');
    const meta = buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: '2.25.8', transferSyntaxUid: EXPLICIT_VR_LE });
    await writeFile(path, writePart10(meta, ds, transferSyntax(EXPLICIT_VR_LE)!));
    const h = await readDicomFileHeader(path);
    expect(h.file.dataset.string(0x40004000)).toHaveLength(10_240);
    expect(h.pixelData?.kind).toBe('native');
  });
});

describe('irregular files (copied never, re-encoded always)', () => {
  it('an odd length in the meta group marks the file irregular too', async () => {
    const { part10 } = await import('../../helpers/odd-files.js');
    const b = part10();
    const at = Buffer.from(b).indexOf('SONICART_0_1');
    expect(at).toBeGreaterThan(0);
    // (0002,0013) SH length 12 → 11, one byte fewer; (0002,0000) group length one less.
    const odd = Buffer.concat([b.subarray(0, at - 2), Uint8Array.of(11, 0), Buffer.from('SONICART_01'), b.subarray(at + 12)]);
    const gl = Buffer.from(odd).indexOf(Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 0x04, 0x00));
    odd.writeUInt32LE(odd.readUInt32LE(gl + 8) - 1, gl + 8);
    const f = readPart10(new Uint8Array(odd));
    expect(f.warnings.join()).toMatch(/\(0002,0013\) SH has odd length 11/);
    expect(f.irregular).toBe(true);
    expect(readPart10(b).irregular).toBe(false);
  });
});
