/**
 * Files that break the rules in one chosen way, for the data-integrity tests: built through our
 * writer from the small US image, then edited byte by byte where the rule is broken.
 */
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import { DataSet, DataSet as DataSetCtor } from '../../dicom/dataset/index.js';
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
  const ds = smallUsImage();
  ds.putStrings(0x0020000d, 'UI', '2.25.71'); // Study and Series Instance UID: exportable
  ds.putStrings(0x0020000e, 'UI', '2.25.72');
  const b = part10(ds);
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

/**
 * A Secondary Capture image whose values are written at their odd lengths, unpadded, as some
 * writers do: UIDs, text and 3 × 3 8-bit native Pixel Data (9 bytes). Hand-encoded, because our
 * writer pads. Meta header (which is ours, and padded) + Explicit VR LE data set.
 */
export const ODD_SOP_INSTANCE_UID = '2.25.123456';
export function oddLengthFile(): Uint8Array {
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  const u16 = (n: number): Uint8Array => Uint8Array.of(n & 0xff, n >> 8);
  const elements: [number, number, string, Uint8Array][] = [
    [0x0008, 0x0016, 'UI', ascii('1.2.840.10008.5.1.4.1.1.7')],
    [0x0008, 0x0018, 'UI', ascii(ODD_SOP_INSTANCE_UID)],
    [0x0008, 0x0060, 'CS', ascii('OT')],
    [0x0010, 0x0010, 'PN', ascii('Doe^J')],
    [0x0010, 0x0020, 'LO', ascii('ABC')],
    [0x0020, 0x000d, 'UI', ascii('2.25.71')],
    [0x0020, 0x000e, 'UI', ascii('2.25.72')],
    [0x0028, 0x0002, 'US', u16(1)],
    [0x0028, 0x0004, 'CS', ascii('MONOCHROME2')],
    [0x0028, 0x0010, 'US', u16(3)],
    [0x0028, 0x0011, 'US', u16(3)],
    [0x0028, 0x0100, 'US', u16(8)],
    [0x0028, 0x0101, 'US', u16(8)],
    [0x0028, 0x0102, 'US', u16(7)],
    [0x0028, 0x0103, 'US', u16(0)],
    [0x7fe0, 0x0010, 'OB', Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)],
  ];
  const parts: Uint8Array[] = [];
  for (const [g, e, vr, value] of elements) {
    const long = vr === 'OB';
    const h = new Uint8Array(long ? 12 : 8);
    const v = new DataView(h.buffer);
    v.setUint16(0, g, true);
    v.setUint16(2, e, true);
    h.set(ascii(vr), 4);
    if (long) v.setUint32(8, value.length, true);
    else v.setUint16(6, value.length, true);
    parts.push(h, value);
  }
  const meta = buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: ODD_SOP_INSTANCE_UID, transferSyntaxUid: EXPLICIT_VR_LE });
  const head = writePart10(meta, new DataSetCtor(), transferSyntax(EXPLICIT_VR_LE)!);
  const total = head.length + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of [head, ...parts]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The small US image with `depth` Content Sequences (0040,A730) nested one in the other, each
 * of undefined length holding one item, hand-encoded in Explicit VR LE (so any depth can be made
 * without our writer, which refuses beyond its limit). The innermost item holds one Text Value.
 */
export function deeplyNestedFile(depth: number): Uint8Array {
  const plain = part10();
  const px = findElement(plain, 0x7fe0, 0x0010);
  const open = Uint8Array.of(0x40, 0x00, 0x30, 0xa7, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff);
  const close = Uint8Array.of(0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0);
  const text = Uint8Array.of(0x40, 0x00, 0x60, 0xa1, 0x55, 0x54, 0, 0, 4, 0, 0, 0, 0x64, 0x65, 0x65, 0x70); // (0040,A160) UT "deep"
  const out = new Uint8Array(plain.length + depth * (open.length + close.length) + text.length);
  out.set(plain.subarray(0, px));
  let at = px;
  for (let i = 0; i < depth; i++, at += open.length) out.set(open, at);
  out.set(text, at);
  at += text.length;
  for (let i = 0; i < depth; i++, at += close.length) out.set(close, at);
  out.set(plain.subarray(px), at);
  return out;
}
