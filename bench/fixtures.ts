/**
 * Benchmark fixtures, written with our own writers:
 *
 * - N single-frame US Image Storage files, 800×600 RGB 8-bit, Explicit VR Little Endian, with a
 *   cart-like header (patient, study, series, equipment, image modules and one Sequence of
 *   Ultrasound Regions item: about 60 elements);
 * - one US Multi-frame Image Storage file of ~150 MB, written by streaming frames generated on
 *   the fly through `Part10StreamWriter` (never one buffer).
 *
 * Everything goes into a temporary directory under os.tmpdir(), removed by `cleanup()`.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tag, uidGenerator } from '../dicom/core/index.js';
import { DataSet } from '../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../dicom/encoding/index.js';
import { Part10StreamWriter, buildFileMeta, writePart10 } from '../dicom/part10/index.js';

export const US_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.6.1';
export const US_MULTIFRAME_STORAGE = '1.2.840.10008.5.1.4.1.1.3.1';
export const ROWS = 600;
export const COLUMNS = 800;
export const FRAME_BYTES = ROWS * COLUMNS * 3;
/** 104 frames × 1.44 MB ≈ 150 MB. */
export const MULTIFRAME_FRAMES = 104;

export const EXPLICIT_LE = transferSyntax(EXPLICIT_VR_LE)!;

const PIXEL_DATA = tag(0x7fe0, 0x0010);
const FRAME_TIME = tag(0x0018, 0x1063);

/** A deterministic byte source, so fixtures (UIDs included) are the same on every run. */
export function seededRandom(seed: number): (count: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (count) => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      out[i] = s & 0xff;
    }
    return out;
  };
}

export interface StudyContext {
  studyUid: string;
  seriesUid: string;
  patientName: string;
  patientId: string;
  accession: string;
}

/**
 * The header of one ultrasound image as a cart writes it: everything but Pixel Data.
 * `frames` > 0 makes it a US Multi-frame header (Number of Frames, Frame Time, Frame Increment
 * Pointer, cine rate).
 */
export function usHeader(ctx: StudyContext, sopInstanceUid: string, instanceNumber: number, frames = 0): DataSet {
  const ds = new DataSet();
  const s = (g: number, e: number, vr: Parameters<DataSet['putStrings']>[1], v: string | string[]): void => {
    ds.putStrings(tag(g, e), vr, v);
  };
  const n = (g: number, e: number, vr: Parameters<DataSet['putNumbers']>[1], v: number | number[]): void => {
    ds.putNumbers(tag(g, e), vr, v);
  };
  const multi = frames > 0;
  // SOP Common, General Study/Series/Equipment/Image.
  s(0x0008, 0x0005, 'CS', 'ISO_IR 100');
  s(0x0008, 0x0008, 'CS', ['ORIGINAL', 'PRIMARY', 'ABDOMINAL', '0001']);
  s(0x0008, 0x0012, 'DA', '20240611');
  s(0x0008, 0x0013, 'TM', '101530.123456');
  s(0x0008, 0x0016, 'UI', multi ? US_MULTIFRAME_STORAGE : US_IMAGE_STORAGE);
  s(0x0008, 0x0018, 'UI', sopInstanceUid);
  s(0x0008, 0x0020, 'DA', '20240611');
  s(0x0008, 0x0021, 'DA', '20240611');
  s(0x0008, 0x0023, 'DA', '20240611');
  s(0x0008, 0x002a, 'DT', '20240611101530.123456');
  s(0x0008, 0x0030, 'TM', '101002');
  s(0x0008, 0x0031, 'TM', '101005');
  s(0x0008, 0x0033, 'TM', '101530.123456');
  s(0x0008, 0x0050, 'SH', ctx.accession);
  s(0x0008, 0x0060, 'CS', 'US');
  s(0x0008, 0x0070, 'LO', 'Sonicart Medical');
  s(0x0008, 0x0080, 'LO', 'Hôpital Saint-Éloi');
  s(0x0008, 0x0090, 'PN', 'Martin^Claire^^Dr');
  s(0x0008, 0x1010, 'SH', 'CART-07');
  s(0x0008, 0x1030, 'LO', 'US ABDOMEN COMPLETE');
  s(0x0008, 0x103e, 'LO', multi ? 'Liver cine' : 'Liver');
  s(0x0008, 0x1050, 'PN', 'Dupont^Marc');
  s(0x0008, 0x1070, 'PN', 'Leroy^Anne');
  s(0x0008, 0x1090, 'LO', 'Sonicart S1');
  // Patient.
  s(0x0010, 0x0010, 'PN', ctx.patientName);
  s(0x0010, 0x0020, 'LO', ctx.patientId);
  s(0x0010, 0x0030, 'DA', '19670315');
  s(0x0010, 0x0040, 'CS', 'F');
  s(0x0010, 0x1010, 'AS', '057Y');
  n(0x0010, 0x1020, 'DS', 1.68);
  n(0x0010, 0x1030, 'DS', 64.5);
  // Equipment and acquisition.
  if (multi) n(0x0018, 0x0040, 'IS', 30);
  s(0x0018, 0x1000, 'LO', 'SN-2024-000731');
  s(0x0018, 0x1020, 'LO', ['sonicart 0.1.0', 'fw 3.2']);
  s(0x0018, 0x1030, 'LO', 'Abdomen general');
  if (multi) {
    n(0x0018, 0x1063, 'DS', 33.333);
    n(0x0018, 0x1242, 'IS', 33);
  }
  s(0x0018, 0x5010, 'LO', ['C5-2', '', '']);
  // Sequence of Ultrasound Regions, one item.
  const region = new DataSet();
  const rn = (e: number, vr: Parameters<DataSet['putNumbers']>[1], v: number): void => {
    region.putNumbers(tag(0x0018, e), vr, v);
  };
  rn(0x6012, 'US', 1); // Region Spatial Format: 2D
  rn(0x6014, 'US', 1); // Region Data Type: tissue
  rn(0x6016, 'UL', 0); // Region Flags
  rn(0x6018, 'UL', 80); // Region Location Min X0
  rn(0x601a, 'UL', 60);
  rn(0x601c, 'UL', 719);
  rn(0x601e, 'UL', 559);
  rn(0x6020, 'SL', 320); // Reference Pixel X0
  rn(0x6022, 'SL', 0);
  rn(0x6024, 'US', 3); // Physical Units X: cm
  rn(0x6026, 'US', 3);
  rn(0x6028, 'FD', 0);
  rn(0x602a, 'FD', 0);
  rn(0x602c, 'FD', 0.0253); // Physical Delta X
  rn(0x602e, 'FD', 0.0253);
  rn(0x6030, 'UL', 3500); // Transducer Frequency
  ds.putSequence(tag(0x0018, 0x6011), [region]);
  // Study/series relationship.
  s(0x0020, 0x000d, 'UI', ctx.studyUid);
  s(0x0020, 0x000e, 'UI', ctx.seriesUid);
  s(0x0020, 0x0010, 'SH', '4711');
  n(0x0020, 0x0011, 'IS', 1);
  n(0x0020, 0x0013, 'IS', instanceNumber);
  s(0x0020, 0x0020, 'CS', []);
  s(0x0020, 0x0060, 'CS', []); // Laterality: type 2C, empty for an unpaired region
  // Image pixel.
  n(0x0028, 0x0002, 'US', 3);
  s(0x0028, 0x0004, 'CS', 'RGB');
  n(0x0028, 0x0006, 'US', 0);
  if (multi) {
    n(0x0028, 0x0008, 'IS', frames);
    n(0x0028, 0x0009, 'AT', FRAME_TIME);
  }
  n(0x0028, 0x0010, 'US', ROWS);
  n(0x0028, 0x0011, 'US', COLUMNS);
  n(0x0028, 0x0014, 'US', 1);
  n(0x0028, 0x0100, 'US', 8);
  n(0x0028, 0x0101, 'US', 8);
  n(0x0028, 0x0102, 'US', 7);
  n(0x0028, 0x0103, 'US', 0);
  s(0x0028, 0x2110, 'CS', '00');
  return ds;
}

/** Counts elements at all levels (the sequence element itself included). */
export function countElements(ds: DataSet): number {
  let count = 0;
  for (const el of ds) {
    count++;
    for (const item of el.items ?? []) count += countElements(item);
  }
  return count;
}

/**
 * One 800×600 RGB frame of a cart-like picture: black border, a speckled sector that moves with
 * the frame index. Cheap (a few ms), so a stream of them can be generated on the fly.
 */
export function makeFrame(index: number, out: Uint8Array = new Uint8Array(FRAME_BYTES)): Uint8Array {
  let s = (index * 2654435761) >>> 0 || 1;
  for (let y = 0; y < ROWS; y++) {
    const row = y * COLUMNS * 3;
    const half = y > 60 && y < 560 ? Math.floor((y - 40) * 0.6) : -1;
    for (let x = 0; x < COLUMNS; x++) {
      const i = row + x * 3;
      let v = 0;
      if (half >= 0 && Math.abs(x - COLUMNS / 2) < half) {
        s ^= s << 13;
        s ^= s >>> 17;
        s ^= s << 5;
        v = (s >>> 24) & 0xff;
      }
      out[i] = v;
      out[i + 1] = v;
      out[i + 2] = v;
    }
  }
  return out;
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
}

export interface UsFileSet {
  dir: string;
  files: string[];
  /** Elements per file at all levels, data set only (the meta group not counted). */
  elementsPerFile: number;
}

/**
 * Writes `count` single-frame US images: even ones through `Part10StreamWriter`, odd ones through
 * `writePart10`, so both writers are exercised. One pixel buffer serves every file (its content
 * does not matter to a header reader; its size does).
 */
export function writeUsImages(dir: string, count: number): UsFileSet {
  const uid = uidGenerator(seededRandom(20240611));
  const ctx: StudyContext = {
    studyUid: uid(),
    seriesUid: uid(),
    patientName: 'Moreau^Sophie^Anne',
    patientId: 'PAT-000731',
    accession: 'ACC-2024-06-0042',
  };
  const pixels = makeFrame(1);
  const files: string[] = [];
  let elementsPerFile = 0;
  for (let k = 0; k < count; k++) {
    const sop = uid();
    const ds = usHeader(ctx, sop, k + 1);
    const meta = buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: sop, transferSyntaxUid: EXPLICIT_VR_LE, sourceAeTitle: 'SONICART' });
    const path = join(dir, `US${String(k + 1).padStart(5, '0')}.dcm`);
    const fd = openSync(path, 'w');
    try {
      if (k % 2 === 0) {
        const w = new Part10StreamWriter(EXPLICIT_LE);
        writeAll(fd, w.header(meta, ds));
        writeAll(fd, w.nativePixelData('OB', pixels.length));
        writeAll(fd, w.nativeChunk(pixels));
        writeAll(fd, w.trailer(ds));
      } else {
        ds.put(PIXEL_DATA, 'OB', { type: 'raw', bytes: pixels });
        writeAll(fd, writePart10(meta, ds, EXPLICIT_LE));
        ds.delete(PIXEL_DATA);
      }
    } finally {
      closeSync(fd);
    }
    if (k === 0) {
      elementsPerFile = countElements(ds) + 1; // + Pixel Data
    }
    files.push(path);
  }
  return { dir, files, elementsPerFile };
}

/** The header of the multi-frame fixture and the memory benchmark's file. */
export function multiframeHeader(frames = MULTIFRAME_FRAMES): { meta: DataSet; dataset: DataSet } {
  const uid = uidGenerator(seededRandom(1967));
  const ctx: StudyContext = {
    studyUid: uid(),
    seriesUid: uid(),
    patientName: 'Moreau^Sophie^Anne',
    patientId: 'PAT-000731',
    accession: 'ACC-2024-06-0042',
  };
  const sop = uid();
  return {
    meta: buildFileMeta({ sopClassUid: US_MULTIFRAME_STORAGE, sopInstanceUid: sop, transferSyntaxUid: EXPLICIT_VR_LE, sourceAeTitle: 'SONICART' }),
    dataset: usHeader(ctx, sop, 1, frames),
  };
}

/**
 * Streams a US Multi-frame file through `Part10StreamWriter`: header, Pixel Data element header,
 * then each frame as it is generated (a fresh buffer per frame, as frames arrive from capture),
 * then the trailer. `write` receives the chunks in order and may apply backpressure.
 */
export async function streamMultiframe(
  write: (chunk: Uint8Array) => Promise<void> | void,
  frames = MULTIFRAME_FRAMES,
  onFrame?: (index: number) => void,
): Promise<number> {
  const { meta, dataset } = multiframeHeader(frames);
  const w = new Part10StreamWriter(EXPLICIT_LE);
  let bytes = 0;
  const emit = async (c: Uint8Array): Promise<void> => {
    bytes += c.length;
    await write(c);
  };
  await emit(w.header(meta, dataset));
  await emit(w.nativePixelData('OB', FRAME_BYTES * frames));
  for (let f = 0; f < frames; f++) {
    await emit(w.nativeChunk(makeFrame(f + 1)));
    onFrame?.(f);
  }
  await emit(w.trailer(dataset));
  return bytes;
}

export interface Fixtures {
  dir: string;
  images: UsFileSet;
  multiframe: string;
  cleanup(): void;
}

/** Creates every fixture in a fresh temporary directory. */
export async function makeFixtures(imageCount: number): Promise<Fixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'sonicart-bench-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const imagesDir = join(dir, 'us');
    mkdirSync(imagesDir);
    const images = writeUsImages(imagesDir, imageCount);
    const multiframe = join(dir, 'US-cine-104f.dcm');
    const fd = openSync(multiframe, 'w');
    try {
      await streamMultiframe((c) => writeAll(fd, c));
    } finally {
      closeSync(fd);
    }
    return { dir, images, multiframe, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}
