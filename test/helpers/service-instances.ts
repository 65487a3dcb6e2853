/** Test instances for the service's store and queue: a study of US images as Part 10 files. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tag, uidFromRandom } from '../../dicom/core/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { testImageDataSet, type TestImage } from '../unit/device-net/fixtures.js';

export interface WrittenInstance {
  readonly path: string;
  readonly sopInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
}

export function newUid(): string {
  return uidFromRandom(randomBytes(16));
}

/** Writes `count` images of one study and series into `dir` (outside the store). */
export async function writeStudy(dir: string, count: number, o: TestImage & { study?: string; series?: string } = {}): Promise<WrittenInstance[]> {
  const study = o.study ?? newUid();
  const series = o.series ?? newUid();
  const out: WrittenInstance[] = [];
  for (let i = 0; i < count; i++) {
    const { ds, sopClassUid, sopInstanceUid } = testImageDataSet({ rows: 16, columns: 16, ...o });
    ds.putStrings(tag(0x0020, 0x000d), 'UI', study);
    ds.putStrings(tag(0x0020, 0x000e), 'UI', series);
    const ts = transferSyntax(o.ts ?? EXPLICIT_VR_LE)!;
    const path = join(dir, `${sopInstanceUid}.dcm`);
    await writeFile(path, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: ts.uid }), ds, ts));
    out.push({ path, sopInstanceUid, studyInstanceUid: study, seriesInstanceUid: series });
  }
  return out;
}
