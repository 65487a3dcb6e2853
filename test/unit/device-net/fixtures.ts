/** Test images written as Part 10 files through the public API: any size, syntax and frame count. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { tag, uidFromRandom } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../../dicom/part10/index.js';

export const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
export const US_MULTIFRAME = '1.2.840.10008.5.1.4.1.1.3.1';

export interface TestImage {
  rows?: number;
  columns?: number;
  frames?: number;
  /** 1 (MONOCHROME2, 16-bit) or 3 (RGB, 8-bit). */
  samples?: 1 | 3;
  ts?: string;
  patientName?: string;
}

export function testImageDataSet(o: TestImage = {}): { ds: DataSet; sopInstanceUid: string; sopClassUid: string } {
  const rows = o.rows ?? 64;
  const columns = o.columns ?? 64;
  const frames = o.frames ?? 1;
  const samples = o.samples ?? 1;
  const bits = samples === 3 ? 8 : 16;
  const sopClassUid = frames > 1 ? US_MULTIFRAME : US_IMAGE;
  const sopInstanceUid = uidFromRandom(randomBytes(16));
  const ds = new DataSet();
  ds.putStrings(tag(0x0008, 0x0016), 'UI', sopClassUid);
  ds.putStrings(tag(0x0008, 0x0018), 'UI', sopInstanceUid);
  ds.putStrings(tag(0x0008, 0x0060), 'CS', 'US');
  ds.putStrings(tag(0x0010, 0x0010), 'PN', o.patientName ?? 'Test^Patient');
  ds.putStrings(tag(0x0010, 0x0020), 'LO', 'PID-1');
  ds.putStrings(tag(0x0020, 0x000d), 'UI', uidFromRandom(randomBytes(16)));
  ds.putStrings(tag(0x0020, 0x000e), 'UI', uidFromRandom(randomBytes(16)));
  ds.putNumbers(tag(0x0028, 0x0002), 'US', samples);
  ds.putStrings(tag(0x0028, 0x0004), 'CS', samples === 3 ? 'RGB' : 'MONOCHROME2');
  if (samples === 3) ds.putNumbers(tag(0x0028, 0x0006), 'US', 0);
  if (frames > 1) {
    ds.putStrings(tag(0x0028, 0x0008), 'IS', String(frames));
    ds.putNumbers(tag(0x0028, 0x0009), 'AT', tag(0x0018, 0x1063));
    ds.putNumbers(tag(0x0018, 0x1063), 'DS', 33.3);
  }
  ds.putNumbers(tag(0x0028, 0x0010), 'US', rows);
  ds.putNumbers(tag(0x0028, 0x0011), 'US', columns);
  ds.putNumbers(tag(0x0028, 0x0100), 'US', bits);
  ds.putNumbers(tag(0x0028, 0x0101), 'US', bits);
  ds.putNumbers(tag(0x0028, 0x0102), 'US', bits - 1);
  ds.putNumbers(tag(0x0028, 0x0103), 'US', 0);
  const px = new Uint8Array(rows * columns * samples * (bits / 8) * frames);
  for (let i = 0; i < px.length; i++) px[i] = (i * 31 + (i >> 9)) & 0xff;
  ds.put(tag(0x7fe0, 0x0010), bits === 16 ? 'OW' : 'OB', { type: 'raw', bytes: px });
  return { ds, sopInstanceUid, sopClassUid };
}

/** Writes a test image; returns the path. */
export async function writeTestImage(path: string, o: TestImage = {}): Promise<string> {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet(o);
  const ts = transferSyntax(o.ts ?? EXPLICIT_VR_LE)!;
  const meta = buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: ts.uid });
  await writeFile(path, writePart10(meta, ds, ts));
  return path;
}
