/**
 * One frame of a stored instance as 8-bit grey or RGB, for thumbnails and cine playback: the
 * frame's bytes are found without reading the others (native: by offset; encapsulated: by the
 * fragment layout of device/codecs/frames.ts) and read here; the decode (dicom/pixel's JPEG
 * decoders, 20–160 ms for 800×600) and the reduction to 8 bits run on the encoder pool's worker
 * threads (device/codecs/frame8.ts), so the event loop only reads the file. The caller
 * re-encodes with sharp in libuv's threads.
 */
import { open } from 'node:fs/promises';
import { JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS_NH14, JPEG_LOSSLESS_SV1 } from '../../dicom/encoding/index.js';
import { CaptureError } from '../capture/errors.js';
import { pixelDescription, sharedEncoderPool, type EncoderPool } from '../codecs/index.js';
import type { Frame8Encoding } from '../codecs/frame8.js';
import { frame8Channels } from '../codecs/frame8.js';
import { frameLayout, readAt, readFrame } from '../codecs/frames.js';
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

function encodingOf(ts: { uid: string; name: string }): Frame8Encoding {
  if (ts.uid === JPEG_BASELINE || ts.uid === JPEG_EXTENDED) return 'jpeg-baseline';
  if (ts.uid === JPEG_LOSSLESS_SV1 || ts.uid === JPEG_LOSSLESS_NH14) return 'jpeg-lossless';
  throw unsupported(`transfer syntax ${ts.name}`);
}

/**
 * Frame `index` (0-based) of the file; ApiError 404 API_NO_SUCH_FRAME past the last one, 422
 * API_UNSUPPORTED_PIXELS for pixels we cannot show, 422 API_UNDECODABLE_PIXELS for a corrupt
 * frame (the decoder's code in the message), 503 API_DECODER_UNAVAILABLE when the pool is closed.
 */
export async function decodeFrame8(file: string, index: number, pool: EncoderPool = sharedEncoderPool()): Promise<Raw8> {
  const header = await readDicomFileHeader(file);
  const px = header.pixelData;
  if (!px) throw new ApiError(422, 'API_NO_PIXELS', 'the instance has no pixel data');
  const d = pixelDescription(header.file.dataset);
  if (index >= d.frames) throw new ApiError(404, 'API_NO_SUCH_FRAME', `frame ${index} does not exist: the instance has ${d.frames} frame(s), numbered from 0`);
  const ts = header.file.transferSyntax;
  let bytes: Uint8Array;
  let encoding: Frame8Encoding;
  const fh = await open(file, 'r');
  try {
    if (px.kind === 'native') {
      if (!ts.littleEndian && d.bitsAllocated > 8) throw unsupported('big-endian pixel data');
      const bytesPerFrame = d.rows * d.columns * d.samplesPerPixel * (d.bitsAllocated / 8);
      bytes = await readAt(fh, px.valueOffset + index * bytesPerFrame, bytesPerFrame);
      encoding = 'native';
    } else {
      encoding = encodingOf(ts);
      const layout = await frameLayout(fh, px, d.frames);
      bytes = await readFrame(fh, layout[index]!);
    }
  } finally {
    await fh.close();
  }
  const { rows, columns, samplesPerPixel, bitsAllocated, photometric, planarConfiguration, pixelRepresentation } = d;
  const pixels = { rows, columns, samplesPerPixel, bitsAllocated, photometric, planarConfiguration, pixelRepresentation };
  // Our own buffer, whole: it moves to the worker without a copy.
  const data = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  try {
    const out = await pool.run({ kind: 'frame8', data, encoding, pixels }, { owned: true });
    return { data: out, width: columns, height: rows, channels: frame8Channels(pixels) };
  } catch (e) {
    throw decodeFailure(e, index);
  }
}

/** The pool's error (the worker's code in detail.code) as the API's. */
function decodeFailure(e: unknown, index: number): ApiError {
  const code = e instanceof CaptureError && typeof e.detail['code'] === 'string' ? e.detail['code'] : undefined;
  const message = (e as Error).message;
  if (code === 'CONVERT_UNSUPPORTED_PIXELS') return new ApiError(422, 'API_UNSUPPORTED_PIXELS', message);
  if (code === 'ENCODER_POOL_CLOSED') return new ApiError(503, 'API_DECODER_UNAVAILABLE', `frame ${index} cannot be decoded now: ${message}`);
  // A corrupt stream in a stored file (or a decoder thread that died on it): say which frame, keep the decoder's code.
  return new ApiError(422, 'API_UNDECODABLE_PIXELS', `frame ${index} cannot be decoded: ${message}${code ? ` [${code}]` : ''}`);
}
