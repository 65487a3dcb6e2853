/**
 * One frame of a stored instance as 8-bit grey or RGB, for thumbnails and cine playback: the
 * frame's bytes are found without reading the others (native: by offset; encapsulated: by the
 * fragment layout of device/codecs/frames.ts) and decoded by our own dicom/pixel JPEG decoders.
 * The decode runs on the event loop (a few tens of ms for 800×600); the caller re-encodes with
 * sharp in libuv's threads.
 */
import { open } from 'node:fs/promises';
import { JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS_NH14, JPEG_LOSSLESS_SV1 } from '../../dicom/encoding/index.js';
import { decodeJpegBaseline, decodeJpegLossless } from '../../dicom/pixel/index.js';
import { pixelDescription, type PixelDescription } from '../codecs/index.js';
import { frameLayout, readAt, readFrame } from '../codecs/frames.js';
import { ybrFullToRgbInPlace } from '../codecs/ybr.js';
import { readDicomFileHeader } from '../files/read-header.js';
import { ApiError } from './errors.js';

/** One frame as 8-bit samples sharp can take: grey (1) or RGB (3), interleaved. */
export interface Raw8 {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

const unsupported = (what: string): ApiError => new ApiError(422, 'API_UNSUPPORTED_PIXELS', `no image for ${what}`);

/** Frame `index` (0-based) of the file; ApiError 404 API_NO_SUCH_FRAME past the last one. */
export async function decodeFrame8(file: string, index: number): Promise<Raw8> {
  const header = await readDicomFileHeader(file);
  const px = header.pixelData;
  if (!px) throw new ApiError(422, 'API_NO_PIXELS', 'the instance has no pixel data');
  const d = pixelDescription(header.file.dataset);
  if (index >= d.frames) throw new ApiError(404, 'API_NO_SUCH_FRAME', `frame ${index} does not exist: the instance has ${d.frames} frame(s), numbered from 0`);
  const ts = header.file.transferSyntax;
  const fh = await open(file, 'r');
  try {
    if (px.kind === 'native') {
      if (!ts.littleEndian && d.bitsAllocated > 8) throw unsupported('big-endian pixel data');
      const bytesPerFrame = d.rows * d.columns * d.samplesPerPixel * (d.bitsAllocated / 8);
      const bytes = await readAt(fh, px.valueOffset + index * bytesPerFrame, bytesPerFrame);
      return to8bit(bytes, d, d.photometric);
    }
    const layout = await frameLayout(fh, px, d.frames);
    const jpeg = await readFrame(fh, layout[index]!);
    if (ts.uid === JPEG_BASELINE || ts.uid === JPEG_EXTENDED) {
      const r = decodeJpegBaseline(jpeg);
      // Baseline colour is YCbCr in the stream for YBR_FULL(_422); the decoder hands back what the stream holds.
      const photometric = d.samplesPerPixel === 3 && d.photometric.startsWith('YBR_FULL') ? 'YBR_FULL' : d.photometric;
      return to8bit(r.samples, { ...d, bitsAllocated: 8, planarConfiguration: 0 }, photometric);
    }
    if (ts.uid === JPEG_LOSSLESS_SV1 || ts.uid === JPEG_LOSSLESS_NH14) {
      const r = decodeJpegLossless(jpeg);
      if (r.samples instanceof Uint8Array || d.bitsAllocated === 8) {
        // 8-bit data may come back in 16-bit words: the values fit a byte.
        return to8bit(r.samples instanceof Uint8Array ? r.samples : Uint8Array.from(r.samples), { ...d, bitsAllocated: 8, planarConfiguration: 0 }, d.photometric);
      }
      const le = new Uint8Array(r.samples.length * 2);
      const view = new DataView(le.buffer);
      r.samples.forEach((v, i) => view.setUint16(i * 2, v, true));
      return to8bit(le, { ...d, bitsAllocated: 16, planarConfiguration: 0 }, d.photometric);
    }
    throw unsupported(`transfer syntax ${ts.name}`);
  } finally {
    await fh.close();
  }
}

function to8bit(frame: Uint8Array, d: PixelDescription, photometric: string): Raw8 {
  const n = d.rows * d.columns;
  const width = d.columns;
  const height = d.rows;
  if (d.samplesPerPixel === 3 && d.bitsAllocated === 8) {
    let rgb = frame.slice(0, n * 3);
    if (d.planarConfiguration === 1) {
      const inter = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) inter[i * 3 + c] = rgb[c * n + i]!;
      rgb = inter;
    }
    if (photometric === 'YBR_FULL') ybrFullToRgbInPlace(rgb);
    else if (photometric !== 'RGB') throw unsupported(`${photometric} pixels`);
    return { data: rgb, width, height, channels: 3 };
  }
  if (d.samplesPerPixel === 1 && (photometric === 'MONOCHROME2' || photometric === 'MONOCHROME1')) {
    const out = new Uint8Array(n);
    if (d.bitsAllocated === 8) out.set(frame.subarray(0, n));
    else if (d.bitsAllocated === 16) {
      // Window the stored values to their own range: the picture, not the numbers.
      const view = new DataView(frame.buffer, frame.byteOffset, n * 2);
      const signed = d.pixelRepresentation === 1;
      const values = new Float64Array(n);
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < n; i++) {
        const x = signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
        values[i] = x;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const span = hi > lo ? hi - lo : 1;
      for (let i = 0; i < n; i++) out[i] = Math.round(((values[i]! - lo) / span) * 255);
    } else throw unsupported(`${d.bitsAllocated}-bit pixels`);
    if (photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) out[i] = 255 - out[i]!;
    return { data: out, width, height, channels: 1 };
  }
  throw unsupported(`${d.samplesPerPixel}-sample ${photometric} pixels`);
}
