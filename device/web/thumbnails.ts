/**
 * Thumbnails of stored instances: the first frame, decoded by our own codecs (device/codecs'
 * transcoder to native, which uses dicom/pixel's JPEG Baseline and Lossless decoders for
 * compressed files and reads only the first frame), reduced and JPEG-encoded by sharp (libvips,
 * in libuv's thread pool, so the event loop only does the first-frame decode), and cached on
 * disk under the data directory: a cine's thumbnail costs one decode for the life of the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { transferSyntax, EXPLICIT_VR_LE } from '../../dicom/encoding/index.js';
import { openTranscodedStream, pixelDescription } from '../codecs/index.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { readDicomFileHeader } from '../files/read-header.js';
import type { Logger } from '../log/logger.js';
import { THUMBNAIL_MAX_SIZE } from './api-types.js';
import { ApiError } from './errors.js';

export interface ThumbnailOptions {
  readonly cacheDir: string;
  /** The stored file of an instance, or undefined. */
  readonly fileOf: (sopInstanceUid: string) => string | undefined;
  readonly log: Logger;
  readonly maxSize?: number;
}

/** One frame as 8-bit samples sharp can take: grey (1) or RGB (3) interleaved. */
export interface Raw8 {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

export class Thumbnails {
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  constructor(private readonly opts: ThumbnailOptions) {}

  /** The thumbnail JPEG; ApiError 404 for an unknown instance, 422 for pixels we cannot show. */
  get(sopInstanceUid: string): Promise<Uint8Array> {
    let p = this.inFlight.get(sopInstanceUid);
    if (!p) {
      p = this.make(sopInstanceUid).finally(() => this.inFlight.delete(sopInstanceUid));
      this.inFlight.set(sopInstanceUid, p);
    }
    return p;
  }

  private async make(uid: string): Promise<Uint8Array> {
    const file = this.opts.fileOf(uid);
    if (file === undefined) throw new ApiError(404, 'API_NO_SUCH_INSTANCE', `no stored instance ${uid}`);
    // The UID was checked to be digits and dots: it is a safe file name.
    const cached = join(this.opts.cacheDir, `${uid}.jpg`);
    const hit = await readFile(cached).catch(() => undefined);
    if (hit) return hit;
    const raw = await firstFrame8(file);
    const max = this.opts.maxSize ?? THUMBNAIL_MAX_SIZE;
    const jpeg = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
      .resize(max, max, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
    await mkdir(this.opts.cacheDir, { recursive: true });
    await writeFileAtomically(cached, (write) => write(jpeg), { sync: false }).catch((e: unknown) => this.opts.log.warn('thumbnail cache write failed', { error: e }));
    return jpeg;
  }
}

/** Decodes the first frame of a stored file to 8-bit grey or RGB. */
export async function firstFrame8(file: string): Promise<Raw8> {
  const header = await readDicomFileHeader(file);
  if (!header.pixelData) throw new ApiError(422, 'API_NO_PIXELS', 'the instance has no pixel data');
  const stream = await openTranscodedStream(header, transferSyntax(EXPLICIT_VR_LE)!);
  try {
    const px = pixelDescription(stream.dataset);
    let first: Uint8Array | undefined;
    for await (const chunk of stream.chunks()) {
      first = chunk;
      break;
    }
    if (!first) throw new ApiError(422, 'API_NO_PIXELS', 'the instance has no frame');
    return to8bit(first, px);
  } finally {
    await stream.close();
  }
}

function to8bit(
  frame: Uint8Array,
  px: { rows: number; columns: number; samplesPerPixel: number; bitsAllocated: number; bitsStored: number; pixelRepresentation: number; photometric: string; planarConfiguration: number },
): Raw8 {
  const n = px.rows * px.columns;
  const width = px.columns;
  const height = px.rows;
  if (px.samplesPerPixel === 3 && px.bitsAllocated === 8) {
    let rgb = frame.subarray(0, n * 3);
    if (px.planarConfiguration === 1) {
      const inter = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) inter[i * 3 + c] = rgb[c * n + i]!;
      rgb = inter;
    }
    if (px.photometric === 'YBR_FULL') rgb = ybrFullToRgb(rgb);
    else if (px.photometric !== 'RGB') throw new ApiError(422, 'API_UNSUPPORTED_PIXELS', `no thumbnail for ${px.photometric} pixels`);
    return { data: rgb, width, height, channels: 3 };
  }
  if (px.samplesPerPixel === 1 && (px.photometric === 'MONOCHROME2' || px.photometric === 'MONOCHROME1')) {
    const out = new Uint8Array(n);
    if (px.bitsAllocated === 8) out.set(frame.subarray(0, n));
    else if (px.bitsAllocated === 16) {
      // Window the stored values to their own range: a thumbnail shows the picture, not the numbers.
      const view = new DataView(frame.buffer, frame.byteOffset, n * 2);
      const signed = px.pixelRepresentation === 1;
      let lo = Infinity;
      let hi = -Infinity;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const x = signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
        values[i] = x;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const span = hi > lo ? hi - lo : 1;
      for (let i = 0; i < n; i++) out[i] = Math.round(((values[i]! - lo) / span) * 255);
    } else throw new ApiError(422, 'API_UNSUPPORTED_PIXELS', `no thumbnail for ${px.bitsAllocated}-bit pixels`);
    if (px.photometric === 'MONOCHROME1') for (let i = 0; i < n; i++) out[i] = 255 - out[i]!;
    return { data: out, width, height, channels: 1 };
  }
  throw new ApiError(422, 'API_UNSUPPORTED_PIXELS', `no thumbnail for ${px.samplesPerPixel}-sample ${px.photometric} pixels`);
}

function ybrFullToRgb(ybr: Uint8Array): Uint8Array {
  const out = new Uint8Array(ybr.length);
  const clamp = (x: number): number => (x < 0 ? 0 : x > 255 ? 255 : Math.round(x));
  for (let i = 0; i < ybr.length; i += 3) {
    const y = ybr[i]!;
    const cb = ybr[i + 1]! - 128;
    const cr = ybr[i + 2]! - 128;
    out[i] = clamp(y + 1.402 * cr);
    out[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    out[i + 2] = clamp(y + 1.772 * cb);
  }
  return out;
}
