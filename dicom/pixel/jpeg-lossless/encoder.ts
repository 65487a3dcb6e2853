/**
 * JPEG Lossless encoder, process 14 (T.81 Annex H; DICOM transfer syntaxes 1.2.840.10008.1.2.4.70
 * with predictor 1, and 1.2.840.10008.1.2.4.57 with any predictor): one frame, one interleaved
 * scan, point transform 0, Huffman table optimised for the frame.
 *
 * Difference coding (H.1.2.2): a difference d (modulo 2^16) is coded as the Huffman code of its
 * category SSSS followed by SSSS extra bits — d itself if positive, d-1 if negative, low bits —
 * except SSSS = 16 (d = 32768), which has no extra bits.
 */
import { JpegError } from '../jpeg-common/errors.js';
import { DHT, DRI, EOI, RST0, SOF3, SOI, SOS } from '../jpeg-common/markers.js';
import { BitWriter } from './bit-writer.js';
import { buildOptimalTable, type HuffmanEncodeTable } from './huffman-build.js';
import { computeDifferences, type Predictor } from './predict.js';

export interface JpegLosslessEncodeOptions {
  rows: number;
  columns: number;
  /** 1 (grey) or 3 (RGB, interleaved R,G,B); 2 and 4 are accepted too. */
  samplesPerPixel: number;
  /** Sample precision P, 2..16 (Bits Stored). Uint8Array input needs ≤ 8. */
  bitsStored: number;
  /** Selection value 1..7; 1 (the default) is what transfer syntax .4.70 requires. */
  predictor?: Predictor;
  /**
   * Restart interval in lines (0, the default, for none): a DRI segment is written and an RSTn
   * marker after every `restartLines` lines.
   */
  restartLines?: number;
}

/** SSSS of each difference modulo 2^16 (Table H.2). */
let categoryTable: Uint8Array | undefined;
export function differenceCategories(): Uint8Array {
  if (categoryTable) return categoryTable;
  const t = new Uint8Array(65536);
  for (let u = 1; u < 65536; u++) {
    const d = u < 0x8000 ? u : u === 0x8000 ? 0x8000 : 65536 - u;
    t[u] = 32 - Math.clz32(d);
  }
  categoryTable = t;
  return t;
}

/**
 * For every difference modulo 2^16: the Huffman code of its category with the extra bits appended,
 * and the total length. Filled only for categories the table codes.
 */
function differenceCodes(table: HuffmanEncodeTable, category: Uint8Array, codes: Int32Array, lengths: Uint8Array): number {
  let maxLen = 0;
  for (let u = 0; u < 65536; u++) {
    const s = category[u]!;
    const len = table.length[s]!;
    if (len === 0) {
      lengths[u] = 0;
      continue;
    }
    const hc = table.code[s]!;
    if (s === 0 || s === 16) {
      codes[u] = hc;
      lengths[u] = len;
    } else {
      const extra = (u < 0x8000 ? u : u - 1) & ((1 << s) - 1);
      codes[u] = (hc << s) | extra;
      lengths[u] = len + s;
    }
    if (lengths[u]! > maxLen) maxLen = lengths[u]!;
  }
  return maxLen;
}

function packCodes(codes: Int32Array, lengths: Uint8Array, packed: Int32Array): void {
  for (let u = 0; u < 65536; u++) packed[u] = (codes[u]! << 5) | lengths[u]!;
}

// Scratch reused between calls (encoding is synchronous).
let scratchDiffs = new Uint16Array(0);
const scratchCodes = new Int32Array(65536);
const scratchLengths = new Uint8Array(65536);
const scratchHist = new Int32Array(65536);
const scratchPacked = new Int32Array(65536);

function fail(code: `JPEG_${string}`, message: string): never {
  throw new JpegError(code, message, -1);
}

/** Encodes one frame into a complete JPEG stream (SOI … EOI). */
export function encodeJpegLossless(pixels: Uint8Array | Uint16Array, opts: JpegLosslessEncodeOptions): Uint8Array {
  const { rows, columns, samplesPerPixel: nc, bitsStored: precision } = opts;
  const sv = opts.predictor ?? 1;
  if (!Number.isInteger(rows) || rows < 1 || rows > 65535) fail('JPEG_ENCODE_BAD_ARGUMENT', `rows ${rows} not in 1..65535`);
  if (!Number.isInteger(columns) || columns < 1 || columns > 65535) {
    fail('JPEG_ENCODE_BAD_ARGUMENT', `columns ${columns} not in 1..65535`);
  }
  if (!Number.isInteger(nc) || nc < 1 || nc > 4) fail('JPEG_ENCODE_BAD_ARGUMENT', `samples per pixel ${nc} not in 1..4`);
  if (!Number.isInteger(precision) || precision < 2 || precision > 16) {
    fail('JPEG_ENCODE_BAD_ARGUMENT', `bits stored ${precision} not in 2..16`);
  }
  if (!Number.isInteger(sv) || sv < 1 || sv > 7) fail('JPEG_ENCODE_BAD_ARGUMENT', `predictor ${sv} not in 1..7`);
  const restartLines = opts.restartLines ?? 0;
  if (!Number.isInteger(restartLines) || restartLines < 0 || restartLines * columns > 65535) {
    fail('JPEG_ENCODE_BAD_ARGUMENT', `restart interval of ${restartLines} lines of ${columns} not in 0..65535 MCUs`);
  }
  if (pixels instanceof Uint8Array && precision > 8) {
    fail('JPEG_ENCODE_BAD_ARGUMENT', `bits stored ${precision} needs 16-bit samples (Uint16Array)`);
  }
  const n = rows * columns * nc;
  if (pixels.length !== n) {
    fail('JPEG_ENCODE_BAD_ARGUMENT', `${pixels.length} samples given, ${rows}x${columns}x${nc} = ${n} expected`);
  }

  // Pass 1: differences and their statistics.
  const category = differenceCategories();
  if (scratchDiffs.length < n) scratchDiffs = new Uint16Array(n);
  const diffs = scratchDiffs;
  const valueHist = scratchHist.fill(0);
  const or = computeDifferences(pixels, rows, columns, nc, precision, sv, diffs, valueHist, restartLines);
  const hist = new Int32Array(17);
  for (let u = 0; u < 65536; u++) hist[category[u]!]! += valueHist[u]!;
  if (or >>> precision !== 0) {
    fail('JPEG_ENCODE_SAMPLE_RANGE', `a sample exceeds ${precision} bits (bits stored)`);
  }

  const table = buildOptimalTable(hist);
  const maxLen = differenceCodes(table, category, scratchCodes, scratchLengths);
  const packed = maxLen <= 26;
  if (packed) packCodes(scratchCodes, scratchLengths, scratchPacked);
  const put = (from: number, count: number): void => {
    const syms = from === 0 ? diffs : diffs.subarray(from);
    if (packed) w.putAllPacked(syms, count, scratchPacked);
    else w.putAll(syms, count, scratchCodes, scratchLengths);
  };
  let totalBits = 0;
  for (let s = 0; s <= 16; s++) {
    if (hist[s]! > 0) totalBits += hist[s]! * (table.length[s]! + (s === 16 ? 0 : s));
  }

  // Headers.
  const header: number[] = [0xff, SOI];
  const lf = 8 + 3 * nc;
  header.push(0xff, SOF3, lf >> 8, lf & 0xff, precision, rows >> 8, rows & 0xff, columns >> 8, columns & 0xff, nc);
  for (let c = 0; c < nc; c++) header.push(c + 1, 0x11, 0);
  const nsym = table.symbols.length;
  const lh = 2 + 17 + nsym;
  header.push(0xff, DHT, lh >> 8, lh & 0xff, 0x00, ...table.counts, ...table.symbols);
  if (restartLines > 0) {
    const ri = restartLines * columns;
    header.push(0xff, DRI, 0, 4, ri >> 8, ri & 0xff);
  }
  const ls = 6 + 2 * nc;
  header.push(0xff, SOS, ls >> 8, ls & 0xff, nc);
  for (let c = 0; c < nc; c++) header.push(c + 1, 0x00);
  header.push(sv, 0, 0); // Ss = predictor, Se = 0, Ah = 0 / Al = point transform 0

  const entropyBytes = Math.ceil(totalBits / 8);
  const w = new BitWriter(header.length + entropyBytes + (entropyBytes >> 6) + 64 + (restartLines > 0 ? 2 * Math.ceil(rows / restartLines) : 0));
  w.bytes(header);
  if (restartLines > 0) {
    const per = restartLines * columns * nc;
    for (let start = 0, k = 0; start < n; start += per, k++) {
      if (start > 0) w.bytes([0xff, RST0 + ((k - 1) & 7)]);
      put(start, Math.min(per, n - start));
      w.finish();
    }
  } else {
    put(0, n);
    w.finish();
  }
  w.bytes([0xff, EOI]);
  return w.buf.slice(0, w.pos);
}
