/**
 * One stored frame as 8-bit grey or RGB for a screen (thumbnails, cine playback): a JPEG frame
 * decoded by dicom/pixel's decoders, or native samples, then reduced to 8 bits (16-bit grey is
 * windowed to its own range) and converted to RGB (YBR_FULL) or inverted (MONOCHROME1).
 *
 * CPU work only, data in and out: it runs on the encoder pool's worker threads (encode-job.ts),
 * so a review screen decoding 800×600 frames (20–160 ms each) never stalls the event loop.
 * Errors: TranscodeError CONVERT_UNSUPPORTED_PIXELS for pixels it cannot show; the JPEG
 * decoders' own DicomErrors (JPEG_…) for a corrupt stream.
 */
import { decodeJpegBaseline, decodeJpegLossless } from '../../dicom/pixel/index.js';
import type { PixelDescription } from './pixel-description.js';
import { TranscodeError } from './transcode-errors.js';
import { ybrFullToRgbInPlace } from './ybr.js';

/** How the frame's bytes are stored. */
export type Frame8Encoding = 'native' | 'jpeg-baseline' | 'jpeg-lossless';

/** The pixel attributes frame8 needs (a structured-clone-safe subset of PixelDescription). */
export type Frame8Pixels = Pick<PixelDescription, 'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated' | 'photometric' | 'planarConfiguration' | 'pixelRepresentation'>;

const unsupported = (what: string): TranscodeError => new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `no image for ${what}`);

/** Channels of the 8-bit image frame8() makes for these pixels (1 grey, 3 RGB). */
export function frame8Channels(d: Frame8Pixels): 1 | 3 {
  return d.samplesPerPixel === 3 ? 3 : 1;
}

/** The frame's 8-bit samples, interleaved, rows × columns × frame8Channels(d). */
export function frame8(data: Uint8Array, encoding: Frame8Encoding, d: Frame8Pixels): Uint8Array {
  if (encoding === 'native') return to8bit(data, d, d.photometric);
  if (encoding === 'jpeg-baseline') {
    const r = decodeJpegBaseline(data);
    // Baseline colour is YCbCr in the stream for YBR_FULL(_422); the decoder hands back what the stream holds.
    const photometric = d.samplesPerPixel === 3 && d.photometric.startsWith('YBR_FULL') ? 'YBR_FULL' : d.photometric;
    return to8bit(r.samples, { ...d, bitsAllocated: 8, planarConfiguration: 0 }, photometric);
  }
  const r = decodeJpegLossless(data);
  if (r.samples instanceof Uint8Array || d.bitsAllocated === 8) {
    // 8-bit data may come back in 16-bit words: the values fit a byte.
    return to8bit(r.samples instanceof Uint8Array ? r.samples : Uint8Array.from(r.samples), { ...d, bitsAllocated: 8, planarConfiguration: 0 }, d.photometric);
  }
  const le = new Uint8Array(r.samples.length * 2);
  const view = new DataView(le.buffer);
  r.samples.forEach((v, i) => view.setUint16(i * 2, v, true));
  return to8bit(le, { ...d, bitsAllocated: 16, planarConfiguration: 0 }, d.photometric);
}

function to8bit(frame: Uint8Array, d: Frame8Pixels, photometric: string): Uint8Array {
  const n = d.rows * d.columns;
  if (d.samplesPerPixel === 3 && d.bitsAllocated === 8) {
    if (frame.length < n * 3) throw new TranscodeError('CODEC_DECODE_FAILED', `the frame has ${frame.length} bytes; ${d.rows}×${d.columns} RGB needs ${n * 3}`);
    let rgb = frame.slice(0, n * 3);
    if (d.planarConfiguration === 1) {
      const inter = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) inter[i * 3 + c] = rgb[c * n + i]!;
      rgb = inter;
    }
    if (photometric === 'YBR_FULL') ybrFullToRgbInPlace(rgb);
    else if (photometric !== 'RGB') throw unsupported(`${photometric} pixels`);
    return rgb;
  }
  if (d.samplesPerPixel === 1 && (photometric === 'MONOCHROME2' || photometric === 'MONOCHROME1')) {
    const out = new Uint8Array(n);
    if (d.bitsAllocated === 8) {
      if (frame.length < n) throw new TranscodeError('CODEC_DECODE_FAILED', `the frame has ${frame.length} bytes; ${d.rows}×${d.columns} grey needs ${n}`);
      out.set(frame.subarray(0, n));
    } else if (d.bitsAllocated === 16) {
      if (frame.length < n * 2) throw new TranscodeError('CODEC_DECODE_FAILED', `the frame has ${frame.length} bytes; ${d.rows}×${d.columns} 16-bit grey needs ${n * 2}`);
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
    return out;
  }
  throw unsupported(`${d.samplesPerPixel}-sample ${photometric} pixels`);
}
