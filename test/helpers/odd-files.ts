/**
 * Files that break the rules in one chosen way, for the data-integrity tests: built through our
 * writer from the small US image, then edited byte by byte where the rule is broken.
 */
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { T, US_IMAGE_STORAGE, smallUsImage } from './build-dataset.js';

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

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

/** Objects whose image attributes contradict their pixel data, by name, with the code that names the disagreement. */
export function selfContradictingFiles(): { name: string; bytes: Uint8Array; code: string }[] {
  const withPixels = (edit: (ds: DataSet) => void, tsUid = EXPLICIT_VR_LE): Uint8Array => {
    const ds = smallUsImage(); // 4 × 6, 16 bits: 48 bytes
    edit(ds);
    return part10(ds, tsUid);
  };
  const native = (length: number) => (ds: DataSet) => ds.put(T.PixelData, 'OW', { type: 'raw', bytes: new Uint8Array(length) });
  const fragments = (count: number, frames: number) => (ds: DataSet) => {
    ds.putNumbers(T.BitsAllocated, 'US', 8);
    ds.putStrings(NUMBER_OF_FRAMES, 'IS', String(frames));
    ds.put(T.PixelData, 'OB', { type: 'encapsulated', offsetTable: new Uint8Array(0), fragments: Array.from({ length: count }, () => Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)) });
  };
  return [
    { name: 'short.dcm', bytes: withPixels(native(40)), code: 'PIXEL_DATA_TOO_SHORT' },
    { name: 'long.dcm', bytes: withPixels(native(96)), code: 'PIXEL_DATA_TOO_LONG' },
    {
      name: 'huge-dimensions.dcm',
      bytes: withPixels((ds) => {
        ds.putNumbers(T.Rows, 'US', 65535);
        ds.putNumbers(T.Columns, 'US', 65535);
        native(256)(ds);
      }),
      code: 'PIXEL_DATA_TOO_SHORT',
    },
    { name: 'zero-rows.dcm', bytes: withPixels((ds) => ds.putNumbers(T.Rows, 'US', 0)), code: 'PIXEL_ZERO_DIMENSION' },
    { name: 'no-fragments.dcm', bytes: withPixels(fragments(0, 1), JPEG_BASELINE), code: 'PIXEL_NO_FRAGMENTS' },
    { name: 'fewer-fragments.dcm', bytes: withPixels(fragments(2, 3), JPEG_BASELINE), code: 'PIXEL_FEWER_FRAGMENTS_THAN_FRAMES' },
  ];
}

const NUMBER_OF_FRAMES = 0x00280008;
