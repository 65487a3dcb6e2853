/**
 * Walking the marker segments of a JPEG stream (T.81 Annex B) and parsing the ones both decoders
 * need: frame header, scan header, Huffman tables, restart interval. Every length is checked
 * against the bytes present before anything is read.
 */
import { JpegError } from './errors.js';
import { DHT, isStandalone, markerName } from './markers.js';

export interface FrameComponent {
  /** Component identifier Ci. */
  id: number;
  /** Horizontal and vertical sampling factors. */
  h: number;
  v: number;
  /** Quantisation table selector (0 in lossless frames). */
  tq: number;
}

export interface FrameHeader {
  /** The SOFn marker byte (0xC3 for lossless). */
  sof: number;
  precision: number;
  /** Number of lines Y. */
  rows: number;
  /** Samples per line X. */
  columns: number;
  components: FrameComponent[];
}

export interface ScanComponent {
  /** Index into FrameHeader.components. */
  index: number;
  /** DC (lossless) table selector. */
  td: number;
  /** AC table selector. */
  ta: number;
}

export interface ScanHeader {
  components: ScanComponent[];
  /** Ss: predictor selection value in lossless scans. */
  ss: number;
  se: number;
  ah: number;
  /** Al: point transform in lossless scans. */
  al: number;
  /** Offset of the first entropy-coded byte. */
  dataStart: number;
}

/** One Huffman table as transmitted: BITS (counts per length 1..16) and HUFFVAL. */
export interface HuffmanSpec {
  counts: Uint8Array; // 16 entries
  symbols: Uint8Array;
}

export function u16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

/**
 * Finds the next marker at or after `pos`, skipping 0xFF fill bytes. Returns the offset of the
 * 0xFF that starts it. With `strict`, anything but a marker at `pos` is an error; otherwise
 * non-marker bytes are skipped (as libjpeg does after a scan).
 */
export function nextMarker(data: Uint8Array, pos: number, strict: boolean): number {
  const n = data.length;
  let p = pos;
  for (;;) {
    if (p >= n - 1) throw new JpegError('JPEG_TRUNCATED', 'stream ends where a marker was expected', Math.min(p, n));
    if (data[p] === 0xff) {
      // skip fill bytes
      let q = p + 1;
      while (q < n && data[q] === 0xff) q++;
      if (q >= n) throw new JpegError('JPEG_TRUNCATED', 'stream ends inside fill bytes', n);
      if (data[q] !== 0x00) return q - 1;
      if (strict) throw new JpegError('JPEG_BAD_MARKER', 'stuffed byte 0xFF00 where a marker was expected', p);
      p = q + 1;
      continue;
    }
    if (strict) {
      throw new JpegError('JPEG_BAD_MARKER', `expected a marker, found 0x${data[p]!.toString(16).padStart(2, '0')}`, p);
    }
    p++;
  }
}

/**
 * The length-bearing segment that starts with the marker at `at` (0xFF at `at`, code at at+1):
 * returns [payloadStart, payloadEnd). Throws when the length runs past the data.
 */
export function segmentBounds(data: Uint8Array, at: number): [number, number] {
  const m = data[at + 1]!;
  if (isStandalone(m)) return [at + 2, at + 2];
  if (at + 4 > data.length) throw new JpegError('JPEG_TRUNCATED', `${markerName(m)} segment length missing`, at);
  const len = u16(data, at + 2);
  if (len < 2) throw new JpegError('JPEG_BAD_SEGMENT', `${markerName(m)} segment length ${len} < 2`, at + 2);
  if (at + 2 + len > data.length) {
    throw new JpegError('JPEG_TRUNCATED', `${markerName(m)} segment of ${len} bytes runs past the end of the stream`, at);
  }
  return [at + 4, at + 2 + len];
}

export function parseFrameHeader(data: Uint8Array, at: number): FrameHeader {
  const sof = data[at + 1]!;
  const [s, e] = segmentBounds(data, at);
  if (e - s < 6) throw new JpegError('JPEG_BAD_SEGMENT', 'frame header too short', s);
  const precision = data[s]!;
  const rows = u16(data, s + 1);
  const columns = u16(data, s + 3);
  const nf = data[s + 5]!;
  if (nf < 1 || nf > 255) throw new JpegError('JPEG_BAD_SEGMENT', `frame header declares ${nf} components`, s + 5);
  if (e - s !== 6 + 3 * nf) {
    throw new JpegError('JPEG_BAD_SEGMENT', `frame header length ${e - s + 2} does not match ${nf} components`, at + 2);
  }
  const components: FrameComponent[] = [];
  for (let i = 0; i < nf; i++) {
    const o = s + 6 + 3 * i;
    const id = data[o]!;
    const hv = data[o + 1]!;
    const h = hv >> 4;
    const v = hv & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) {
      throw new JpegError('JPEG_BAD_SEGMENT', `component ${id} has sampling factors ${h}x${v}`, o + 1);
    }
    if (components.some((c) => c.id === id)) {
      throw new JpegError('JPEG_BAD_SEGMENT', `component identifier ${id} appears twice`, o);
    }
    components.push({ id, h, v, tq: data[o + 2]! });
  }
  if (columns === 0) throw new JpegError('JPEG_BAD_SEGMENT', 'frame header declares 0 samples per line', s + 3);
  if (rows === 0) {
    throw new JpegError('JPEG_UNSUPPORTED', 'frame with 0 lines (number of lines defined by DNL) is not supported', s + 1);
  }
  return { sof, precision, rows, columns, components };
}

export function parseScanHeader(data: Uint8Array, at: number, frame: FrameHeader): ScanHeader {
  const [s, e] = segmentBounds(data, at);
  if (e - s < 1) throw new JpegError('JPEG_BAD_SEGMENT', 'scan header too short', s);
  const ns = data[s]!;
  if (ns < 1 || ns > 4) throw new JpegError('JPEG_BAD_SEGMENT', `scan header declares ${ns} components`, s);
  if (e - s !== 4 + 2 * ns) {
    throw new JpegError('JPEG_BAD_SEGMENT', `scan header length ${e - s + 2} does not match ${ns} components`, at + 2);
  }
  const components: ScanComponent[] = [];
  for (let i = 0; i < ns; i++) {
    const o = s + 1 + 2 * i;
    const id = data[o]!;
    const index = frame.components.findIndex((c) => c.id === id);
    if (index < 0) throw new JpegError('JPEG_BAD_SEGMENT', `scan names component ${id}, absent from the frame`, o);
    if (components.some((c) => c.index === index)) {
      throw new JpegError('JPEG_BAD_SEGMENT', `scan names component ${id} twice`, o);
    }
    const t = data[o + 1]!;
    components.push({ index, td: t >> 4, ta: t & 15 });
  }
  const o = s + 1 + 2 * ns;
  return { components, ss: data[o]!, se: data[o + 1]!, ah: data[o + 2]! >> 4, al: data[o + 2]! & 15, dataStart: e };
}

/** Calls `onTable(class, id, spec, offset)` for each table of a DHT segment. */
export function parseDht(
  data: Uint8Array,
  at: number,
  onTable: (tc: number, th: number, spec: HuffmanSpec, offset: number) => void,
): void {
  if (data[at + 1] !== DHT) throw new JpegError('JPEG_BAD_MARKER', 'not a DHT segment', at);
  const [s, e] = segmentBounds(data, at);
  let p = s;
  while (p < e) {
    if (p + 17 > e) throw new JpegError('JPEG_BAD_HUFFMAN_TABLE', 'Huffman table header runs past its segment', p);
    const tcth = data[p]!;
    const tc = tcth >> 4;
    const th = tcth & 15;
    if (tc > 1 || th > 3) throw new JpegError('JPEG_BAD_HUFFMAN_TABLE', `Huffman table class ${tc} / id ${th}`, p);
    const counts = data.slice(p + 1, p + 17);
    let total = 0;
    for (let i = 0; i < 16; i++) total += counts[i]!;
    if (total > 256 || p + 17 + total > e) {
      throw new JpegError('JPEG_BAD_HUFFMAN_TABLE', `Huffman table declares ${total} codes, more than present`, p);
    }
    onTable(tc, th, { counts, symbols: data.slice(p + 17, p + 17 + total) }, p);
    p += 17 + total;
  }
}

/** Restart interval Ri of a DRI segment (0 disables restart markers). */
export function parseDri(data: Uint8Array, at: number): number {
  const [s, e] = segmentBounds(data, at);
  if (e - s !== 2) throw new JpegError('JPEG_BAD_SEGMENT', 'DRI segment length is not 4', at + 2);
  return u16(data, s);
}
