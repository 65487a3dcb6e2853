/**
 * Files that break the rules in one chosen way, for the data-integrity tests: built through our
 * writer from the small US image, then edited byte by byte where the rule is broken.
 */
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { US_IMAGE_STORAGE, smallUsImage } from './build-dataset.js';

export function part10(ds: DataSet = smallUsImage(), tsUid = EXPLICIT_VR_LE): Uint8Array {
  const meta = buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: '2.25.1234567890', transferSyntaxUid: tsUid });
  return writePart10(meta, ds, transferSyntax(tsUid)!);
}

/** Offset of the first explicit-VR-LE element (group, element) after the preamble and DICM. */
export function findElement(b: Uint8Array, group: number, element: number): number {
  for (let i = 132; i < b.length - 4; i++) {
    if (b[i] === (group & 0xff) && b[i + 1] === group >> 8 && b[i + 2] === (element & 0xff) && b[i + 3] === element >> 8) return i;
  }
  throw new Error(`(${group.toString(16)},${element.toString(16)}) not found`);
}

/** The small US image with (0010,0020) written before (0010,0010): out of ascending order. */
export function outOfOrderFile(): Uint8Array {
  const b = part10();
  const pn = findElement(b, 0x0010, 0x0010);
  const pid = findElement(b, 0x0010, 0x0020);
  const pnLen = 8 + (b[pn + 6]! | (b[pn + 7]! << 8));
  const pidLen = 8 + (b[pid + 6]! | (b[pid + 7]! << 8));
  const out = new Uint8Array(b);
  out.set(b.subarray(pid, pid + pidLen), pn);
  out.set(b.subarray(pn, pn + pnLen), pn + pidLen);
  return out;
}
