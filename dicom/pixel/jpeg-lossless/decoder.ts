/**
 * JPEG Lossless decoder, process 14 (T.81 Annex H): SOF3, predictors 1..7, any point transform,
 * 1..4 components, interleaved or one scan per component, restart intervals, precision 2..16.
 * Gives back the samples interleaved (component order of the frame header), Uint8Array for
 * precision ≤ 8, Uint16Array above.
 *
 * Untrusted input: every segment length is checked, the declared size is checked against the data
 * present (each sample takes at least one bit) and a cap, and reading past the entropy-coded data
 * raises JPEG_TRUNCATED, so a bad stream ends in a JpegError, never in a loop or a huge allocation.
 */
import { EntropyReader } from '../jpeg-common/bit-reader.js';
import { JpegError } from '../jpeg-common/errors.js';
import { buildDecodeTable, type HuffmanDecodeTable } from '../jpeg-common/huffman-decode.js';
import { DHT, DNL, DRI, EOI, SOF3, SOI, SOS, isRst, isSof, markerName } from '../jpeg-common/markers.js';
import {
  type FrameHeader,
  type ScanHeader,
  nextMarker,
  parseDht,
  parseDri,
  parseFrameHeader,
  parseScanHeader,
  segmentBounds,
} from '../jpeg-common/segments.js';

export interface JpegLosslessFrameInfo {
  precision: number;
  rows: number;
  columns: number;
  /** Component identifiers Ci in frame order. */
  componentIds: number[];
  /** Predictor (Ss) and point transform (Al) of the first scan. */
  predictor: number;
  pointTransform: number;
  /** Restart interval in force at the first scan (0 = none). */
  restartInterval: number;
  /** Number of scans (1 when interleaved). */
  scans: number;
}

export interface DecodedJpegLossless {
  info: JpegLosslessFrameInfo;
  /** rows × columns × components samples, interleaved. */
  samples: Uint8Array | Uint16Array;
}

export interface JpegDecodeLimits {
  /** Largest rows × columns × components accepted (default 2^27). */
  maxSamples?: number;
}

const DEFAULT_MAX_SAMPLES = 1 << 27;

/** Reads only the frame header (SOF3) of a stream. */
export function readJpegLosslessHeader(data: Uint8Array): FrameHeader {
  let pos = expectSoi(data);
  for (;;) {
    const at = nextMarker(data, pos, true);
    const m = data[at + 1]!;
    if (m === SOF3) return parseFrameHeader(data, at);
    if (isSof(m)) unsupportedSof(m, at);
    if (m === SOS || m === EOI) throw new JpegError('JPEG_MISSING_SOF', `${markerName(m)} before any frame header`, at);
    pos = segmentBounds(data, at)[1];
  }
}

function expectSoi(data: Uint8Array): number {
  if (data.length < 2 || data[0] !== 0xff || data[1] !== SOI) {
    throw new JpegError('JPEG_MISSING_SOI', 'stream does not start with SOI (FF D8)', 0);
  }
  return 2;
}

function unsupportedSof(m: number, at: number): never {
  throw new JpegError('JPEG_UNSUPPORTED_PROCESS', `${markerName(m)} frame: only lossless Huffman (SOF3) is supported here`, at);
}

export function decodeJpegLossless(data: Uint8Array, limits: JpegDecodeLimits = {}): DecodedJpegLossless {
  const maxSamples = limits.maxSamples ?? DEFAULT_MAX_SAMPLES;
  let pos = expectSoi(data);
  const tables: (HuffmanDecodeTable | undefined)[] = [undefined, undefined, undefined, undefined];
  let restartInterval = 0;
  let frame: FrameHeader | undefined;
  let work: Uint16Array | undefined;
  const decoded: boolean[] = [];
  let info: JpegLosslessFrameInfo | undefined;
  let scans = 0;

  for (;;) {
    const at = nextMarker(data, pos, scans === 0);
    const m = data[at + 1]!;
    if (m === EOI) break;
    if (m === SOI) throw new JpegError('JPEG_BAD_MARKER', 'second SOI', at);
    if (isRst(m)) throw new JpegError('JPEG_BAD_RESTART', `${markerName(m)} outside a scan`, at);
    if (m === DHT) {
      parseDht(data, at, (tc, th, spec, off) => {
        // Lossless scans use the "DC" class; AC tables are parsed and ignored.
        if (tc === 0) tables[th] = buildDecodeTable(spec, off);
      });
    } else if (m === DRI) {
      restartInterval = parseDri(data, at);
    } else if (isSof(m)) {
      if (m !== SOF3) unsupportedSof(m, at);
      if (frame) throw new JpegError('JPEG_BAD_MARKER', 'second frame header', at);
      frame = parseFrameHeader(data, at);
      if (frame.precision < 2 || frame.precision > 16) {
        throw new JpegError('JPEG_BAD_SEGMENT', `lossless precision ${frame.precision} not in 2..16`, at + 4);
      }
      if (frame.components.length > 4) {
        throw new JpegError('JPEG_UNSUPPORTED', `${frame.components.length} components (at most 4)`, at + 9);
      }
      if (frame.components.length > 1 && frame.components.some((c) => c.h !== 1 || c.v !== 1)) {
        throw new JpegError('JPEG_UNSUPPORTED', 'subsampled components in a lossless frame', at + 10);
      }
      const total = frame.rows * frame.columns * frame.components.length;
      if (total > maxSamples) {
        throw new JpegError('JPEG_TOO_LARGE', `frame of ${frame.rows}x${frame.columns}x${frame.components.length} exceeds ${maxSamples} samples`, at + 5);
      }
    } else if (m === SOS) {
      if (!frame) throw new JpegError('JPEG_MISSING_SOF', 'SOS before the frame header', at);
      const scan = parseScanHeader(data, at, frame);
      const nf = frame.components.length;
      const ns = scan.components.length;
      if (scan.ss < 1 || scan.ss > 7) {
        throw new JpegError('JPEG_BAD_SEGMENT', `lossless predictor (Ss) ${scan.ss} not in 1..7`, scan.dataStart - 3);
      }
      if (scan.al >= frame.precision) {
        throw new JpegError('JPEG_BAD_SEGMENT', `point transform ${scan.al} not below precision ${frame.precision}`, scan.dataStart - 1);
      }
      for (const sc of scan.components) {
        if (!tables[sc.td]) throw new JpegError('JPEG_MISSING_DHT', `Huffman table ${sc.td} is not defined`, at);
        if (decoded[sc.index]) throw new JpegError('JPEG_BAD_SEGMENT', 'component coded in two scans', at);
      }
      // Each sample takes at least one bit: refuse sizes the remaining data cannot hold.
      const scanSamples = frame.rows * frame.columns * ns;
      if (scanSamples > (data.length - scan.dataStart) * 8) {
        throw new JpegError('JPEG_TRUNCATED', `scan of ${scanSamples} samples cannot fit in the ${data.length - scan.dataStart} bytes left`, scan.dataStart);
      }
      if (restartInterval > 0 && restartInterval % frame.columns !== 0) {
        throw new JpegError('JPEG_UNSUPPORTED', `restart interval ${restartInterval} is not a whole number of lines of ${frame.columns}`, at);
      }
      work ??= new Uint16Array(frame.rows * frame.columns * nf);
      pos = decodeScan(data, frame, scan, tables, restartInterval, work);
      for (const sc of scan.components) decoded[sc.index] = true;
      info ??= {
        precision: frame.precision,
        rows: frame.rows,
        columns: frame.columns,
        componentIds: frame.components.map((c) => c.id),
        predictor: scan.ss,
        pointTransform: scan.al,
        restartInterval,
        scans: 0,
      };
      scans++;
      info.scans = scans;
      // Point transform: scale this scan's components back up.
      if (scan.al > 0) {
        for (const sc of scan.components) {
          for (let i = sc.index; i < work.length; i += nf) work[i] = (work[i]! << scan.al) & 0xffff;
        }
      }
      continue;
    } else if (m === DNL) {
      throw new JpegError('JPEG_UNSUPPORTED', 'DNL segment', at);
    }
    pos = segmentBounds(data, at)[1];
  }

  if (!frame) throw new JpegError('JPEG_MISSING_SOF', 'no frame header before EOI', pos);
  if (!work || !info) throw new JpegError('JPEG_MISSING_SOS', 'no scan before EOI', pos);
  for (let c = 0; c < frame.components.length; c++) {
    if (!decoded[c]) throw new JpegError('JPEG_MISSING_SOS', `component ${frame.components[c]!.id} is in no scan`, pos);
  }
  let samples: Uint8Array | Uint16Array = work;
  if (frame.precision <= 8) {
    samples = new Uint8Array(work.length);
    for (let i = 0; i < work.length; i++) samples[i] = work[i]!;
  }
  return { info, samples };
}

/**
 * Decodes one scan into `work` (interleaved, stride = frame components). Returns the offset just
 * past the entropy-coded data.
 */
function decodeScan(
  data: Uint8Array,
  frame: FrameHeader,
  scan: ScanHeader,
  tables: readonly (HuffmanDecodeTable | undefined)[],
  restartInterval: number,
  work: Uint16Array,
): number {
  const { rows, columns } = frame;
  const nf = frame.components.length;
  const ns = scan.components.length;
  const sv = scan.ss;
  const stride = columns * nf;
  const initial = 1 << (frame.precision - scan.al - 1);
  const comp = scan.components.map((c) => c.index);
  const tbl = scan.components.map((c) => tables[c.td]!);
  const reader = new EntropyReader(data, scan.dataStart);
  const restartRows = restartInterval > 0 ? restartInterval / columns : 0;
  let rowsToRestart = restartRows;
  let rstIndex = 0;
  let firstLine = true;

  for (let y = 0; y < rows; y++) {
    if (restartRows > 0 && rowsToRestart === 0) {
      reader.restart(rstIndex++);
      rowsToRestart = restartRows;
      firstLine = true;
    }
    const rowStart = y * stride;
    for (let x = 0; x < columns; x++) {
      const base = rowStart + x * nf;
      for (let k = 0; k < ns; k++) {
        const c = comp[k]!;
        const s = reader.decode(tbl[k]!);
        let diff: number;
        if (s === 0) diff = 0;
        else if (s < 16) diff = reader.receiveExtend(s);
        else if (s === 16) diff = 32768;
        else throw new JpegError('JPEG_BAD_HUFFMAN_CODE', `difference category ${s} (above 16)`, reader.pos);
        const i = base + c;
        let pred: number;
        if (firstLine) {
          pred = x === 0 ? initial : work[i - nf]!;
        } else if (x === 0) {
          pred = work[i - stride]!;
        } else {
          const ra = work[i - nf]!;
          const rb = work[i - stride]!;
          const rc = work[i - stride - nf]!;
          switch (sv) {
            case 1: pred = ra; break;
            case 2: pred = rb; break;
            case 3: pred = rc; break;
            case 4: pred = ra + rb - rc; break;
            case 5: pred = ra + ((rb - rc) >> 1); break;
            case 6: pred = rb + ((ra - rc) >> 1); break;
            default: pred = (ra + rb) >> 1;
          }
        }
        work[i] = (pred + diff) & 0xffff;
      }
    }
    firstLine = false;
    if (restartRows > 0) rowsToRestart--;
  }
  // Past the scan: the caller looks for the next marker from here (skipping the padding).
  return reader.pos;
}
