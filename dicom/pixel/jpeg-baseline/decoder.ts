/**
 * JPEG Baseline decoder (T.81 process 1: SOF0, 8-bit, Huffman; SOF1 with 8-bit precision and
 * Huffman is accepted too), for turning received or stored JPEG Baseline objects
 * (1.2.840.10008.1.2.4.50) into uncompressed pixels. Colour conversion is the caller's job: the
 * components come back as coded (Y, Cb, Cr for YBR_FULL_422 / YBR_FULL, or R, G, B when the
 * encoder did no transform), upsampled to the full frame and interleaved.
 *
 * IDCT and upsampling follow libjpeg's defaults (islow, fancy upsampling), so results agree with
 * DCMTK's dcmdjpeg (+cn) to within ±1.
 */
import { EntropyReader } from '../jpeg-common/bit-reader.js';
import { JpegError } from '../jpeg-common/errors.js';
import { buildDecodeTable, type HuffmanDecodeTable } from '../jpeg-common/huffman-decode.js';
import { APP0, DHT, DNL, DQT, DRI, EOI, SOF0, SOF1, SOI, SOS, isRst, isSof, markerName } from '../jpeg-common/markers.js';
import {
  type FrameHeader,
  type ScanHeader,
  nextMarker,
  parseDht,
  parseDri,
  parseFrameHeader,
  parseScanHeader,
  segmentBounds,
  u16,
} from '../jpeg-common/segments.js';
import { idctBlock } from './idct.js';
import { upsampleInto } from './upsample.js';

export interface JpegBaselineFrameInfo {
  rows: number;
  columns: number;
  components: { id: number; h: number; v: number }[];
  /** APP14 "Adobe" transform flag (0 = none/RGB, 1 = YCbCr, 2 = YCCK), undefined without APP14. */
  adobeTransform?: number;
  /** A JFIF APP0 segment is present (implies YCbCr for 3 components). */
  jfif: boolean;
  restartInterval: number;
}

export interface DecodedJpegBaseline {
  info: JpegBaselineFrameInfo;
  /** rows × columns × components samples, interleaved. */
  samples: Uint8Array;
}

const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55,
  62, 63,
  // guard entries for corrupt run lengths are never reached: k is checked before use
]);

const DEFAULT_MAX_SAMPLES = 1 << 27;

interface CompState {
  h: number;
  v: number;
  /** Blocks per line / per column in the (MCU-padded) plane. */
  bw: number;
  bh: number;
  /** Meaningful size of the component. */
  w: number;
  hgt: number;
  plane: Uint8Array;
  tq: number;
  pred: number;
  done: boolean;
}

export function decodeJpegBaseline(data: Uint8Array, limits: { maxSamples?: number } = {}): DecodedJpegBaseline {
  const maxSamples = limits.maxSamples ?? DEFAULT_MAX_SAMPLES;
  if (data.length < 2 || data[0] !== 0xff || data[1] !== SOI) {
    throw new JpegError('JPEG_MISSING_SOI', 'stream does not start with SOI (FF D8)', 0);
  }
  let pos = 2;
  const dcTables: (HuffmanDecodeTable | undefined)[] = [];
  const acTables: (HuffmanDecodeTable | undefined)[] = [];
  const qTables: (Uint16Array | undefined)[] = [];
  let restartInterval = 0;
  let frame: FrameHeader | undefined;
  let comps: CompState[] = [];
  let mcusX = 0;
  let mcusY = 0;
  let adobeTransform: number | undefined;
  let jfif = false;
  let scans = 0;

  for (;;) {
    const at = nextMarker(data, pos, scans === 0);
    const m = data[at + 1]!;
    if (m === EOI) break;
    if (m === SOI) throw new JpegError('JPEG_BAD_MARKER', 'second SOI', at);
    if (isRst(m)) throw new JpegError('JPEG_BAD_RESTART', `${markerName(m)} outside a scan`, at);
    const [s, e] = segmentBounds(data, at);
    if (m === DHT) {
      parseDht(data, at, (tc, th, spec, off) => {
        (tc === 0 ? dcTables : acTables)[th] = buildDecodeTable(spec, off);
      });
    } else if (m === DQT) {
      let p = s;
      while (p < e) {
        const pq = data[p]! >> 4;
        const tq = data[p]! & 15;
        const size = pq === 0 ? 64 : 128;
        if (pq > 1 || tq > 3 || p + 1 + size > e) throw new JpegError('JPEG_BAD_SEGMENT', 'bad quantisation table', p);
        const t = new Uint16Array(64);
        for (let k = 0; k < 64; k++) t[ZIGZAG[k]!] = pq === 0 ? data[p + 1 + k]! : u16(data, p + 1 + 2 * k);
        qTables[tq] = t;
        p += 1 + size;
      }
    } else if (m === DRI) {
      restartInterval = parseDri(data, at);
    } else if (m === APP0 + 14) {
      if (e - s >= 12 && data[s] === 0x41 && data[s + 1] === 0x64 && data[s + 2] === 0x6f && data[s + 3] === 0x62 && data[s + 4] === 0x65) {
        adobeTransform = data[s + 11];
      }
    } else if (m === APP0) {
      if (e - s >= 5 && data[s] === 0x4a && data[s + 1] === 0x46 && data[s + 2] === 0x49 && data[s + 3] === 0x46 && data[s + 4] === 0) jfif = true;
    } else if (isSof(m)) {
      if (m !== SOF0 && m !== SOF1) {
        throw new JpegError('JPEG_UNSUPPORTED_PROCESS', `${markerName(m)} frame: only baseline (SOF0/SOF1, Huffman) is supported here`, at);
      }
      if (frame) throw new JpegError('JPEG_BAD_MARKER', 'second frame header', at);
      frame = parseFrameHeader(data, at);
      if (frame.precision !== 8) {
        throw new JpegError('JPEG_UNSUPPORTED', `precision ${frame.precision} (only 8-bit DCT is supported)`, s);
      }
      const nf = frame.components.length;
      if (nf > 4) throw new JpegError('JPEG_UNSUPPORTED', `${nf} components (at most 4)`, s + 5);
      if (frame.rows * frame.columns * nf > maxSamples) {
        throw new JpegError('JPEG_TOO_LARGE', `frame of ${frame.rows}x${frame.columns}x${nf} exceeds ${maxSamples} samples`, s);
      }
      const hmax = Math.max(...frame.components.map((c) => c.h));
      const vmax = Math.max(...frame.components.map((c) => c.v));
      mcusX = Math.ceil(frame.columns / (8 * hmax));
      mcusY = Math.ceil(frame.rows / (8 * vmax));
      const f = frame;
      comps = frame.components.map((c) => ({
        h: c.h,
        v: c.v,
        bw: mcusX * c.h,
        bh: mcusY * c.v,
        w: Math.ceil((f.columns * c.h) / hmax),
        hgt: Math.ceil((f.rows * c.v) / vmax),
        plane: new Uint8Array(0),
        tq: c.tq,
        pred: 0,
        done: false,
      }));
    } else if (m === SOS) {
      if (!frame) throw new JpegError('JPEG_MISSING_SOF', 'SOS before the frame header', at);
      const scan = parseScanHeader(data, at, frame);
      if (scan.ss !== 0 || scan.se !== 63 || scan.ah !== 0 || scan.al !== 0) {
        throw new JpegError('JPEG_BAD_SEGMENT', 'scan parameters are not those of a sequential DCT scan', scan.dataStart - 3);
      }
      let blocks = 0;
      for (const sc of scan.components) {
        const c = comps[sc.index]!;
        if (c.done) throw new JpegError('JPEG_BAD_SEGMENT', 'component coded in two scans', at);
        if (!dcTables[sc.td] || !acTables[sc.ta]) throw new JpegError('JPEG_MISSING_DHT', 'Huffman table not defined', at);
        if (!qTables[c.tq]) throw new JpegError('JPEG_MISSING_DQT', `quantisation table ${c.tq} not defined`, at);
        blocks += scan.components.length === 1 ? Math.ceil(c.w / 8) * Math.ceil(c.hgt / 8) : mcusX * mcusY * c.h * c.v;
      }
      // Each block takes at least two bits (DC category, end of block).
      if (blocks > (data.length - scan.dataStart) * 4) {
        throw new JpegError('JPEG_TRUNCATED', `scan of ${blocks} blocks cannot fit in the ${data.length - scan.dataStart} bytes left`, scan.dataStart);
      }
      for (const sc of scan.components) {
        const c = comps[sc.index]!;
        c.plane = new Uint8Array(c.bw * 8 * c.bh * 8);
      }
      pos = decodeScan(data, scan, comps, dcTables, acTables, qTables, restartInterval, mcusX, mcusY);
      for (const sc of scan.components) comps[sc.index]!.done = true;
      scans++;
      continue;
    } else if (m === DNL) {
      throw new JpegError('JPEG_UNSUPPORTED', 'DNL segment', at);
    }
    pos = e;
  }
  if (!frame) throw new JpegError('JPEG_MISSING_SOF', 'no frame header before EOI', pos);
  if (scans === 0) throw new JpegError('JPEG_MISSING_SOS', 'no scan before EOI', pos);
  const nf = comps.length;
  for (let i = 0; i < nf; i++) {
    if (!comps[i]!.done) throw new JpegError('JPEG_MISSING_SOS', `component ${frame.components[i]!.id} is in no scan`, pos);
  }
  const hmax = Math.max(...comps.map((c) => c.h));
  const vmax = Math.max(...comps.map((c) => c.v));
  const out = new Uint8Array(frame.rows * frame.columns * nf);
  for (let i = 0; i < nf; i++) {
    const c = comps[i]!;
    upsampleInto(c.plane, c.bw * 8, c.w, c.hgt, hmax / c.h, vmax / c.v, out, frame.columns, frame.rows, nf, i);
  }
  return {
    info: {
      rows: frame.rows,
      columns: frame.columns,
      components: frame.components.map((c) => ({ id: c.id, h: c.h, v: c.v })),
      adobeTransform,
      jfif,
      restartInterval,
    },
    samples: out,
  };
}

function decodeScan(
  data: Uint8Array,
  scan: ScanHeader,
  comps: CompState[],
  dcTables: readonly (HuffmanDecodeTable | undefined)[],
  acTables: readonly (HuffmanDecodeTable | undefined)[],
  qTables: readonly (Uint16Array | undefined)[],
  restartInterval: number,
  mcusX: number,
  mcusY: number,
): number {
  const reader = new EntropyReader(data, scan.dataStart);
  const coef = new Int32Array(64);
  const sc = scan.components.map((s) => ({
    c: comps[s.index]!,
    dc: dcTables[s.td]!,
    ac: acTables[s.ta]!,
    q: qTables[comps[s.index]!.tq]!,
  }));
  for (const s of sc) s.c.pred = 0;

  const decodeBlock = (s: (typeof sc)[number], bx: number, by: number): void => {
    coef.fill(0);
    const t = reader.decode(s.dc);
    if (t > 15) throw new JpegError('JPEG_BAD_HUFFMAN_CODE', `DC category ${t}`, reader.pos);
    if (t > 0) s.c.pred += reader.receiveExtend(t);
    coef[0] = s.c.pred;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(s.ac);
      const r = rs >> 4;
      const sz = rs & 15;
      if (sz === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw new JpegError('JPEG_BAD_HUFFMAN_CODE', 'AC coefficient run past the end of the block', reader.pos);
      coef[ZIGZAG[k]!] = reader.receiveExtend(sz);
      k++;
    }
    const stride = s.c.bw * 8;
    idctBlock(coef, s.q, s.c.plane, by * 8 * stride + bx * 8, stride);
  };

  let unitsToRestart = restartInterval;
  let rst = 0;
  const restartIfDue = (): void => {
    if (restartInterval === 0) return;
    if (unitsToRestart === 0) {
      reader.restart(rst++);
      for (const s of sc) s.c.pred = 0;
      unitsToRestart = restartInterval;
    }
    unitsToRestart--;
  };

  if (sc.length === 1) {
    // Non-interleaved: the component's own blocks, covering only its meaningful size.
    const s = sc[0]!;
    const bxN = Math.ceil(s.c.w / 8);
    const byN = Math.ceil(s.c.hgt / 8);
    for (let by = 0; by < byN; by++) {
      for (let bx = 0; bx < bxN; bx++) {
        restartIfDue();
        decodeBlock(s, bx, by);
      }
    }
  } else {
    for (let my = 0; my < mcusY; my++) {
      for (let mx = 0; mx < mcusX; mx++) {
        restartIfDue();
        for (const s of sc) {
          for (let v = 0; v < s.c.v; v++) {
            for (let h = 0; h < s.c.h; h++) decodeBlock(s, mx * s.c.h + h, my * s.c.v + v);
          }
        }
      }
    }
  }
  return reader.pos;
}
