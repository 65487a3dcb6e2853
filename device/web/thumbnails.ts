/**
 * Thumbnails of stored instances: the first frame, decoded by our own codecs (frame-image.ts:
 * dicom/pixel's JPEG Baseline and Lossless decoders for compressed files, reading only that
 * frame), reduced and JPEG-encoded by sharp (libvips,
 * in libuv's thread pool, so the event loop only does the first-frame decode), and cached on
 * disk under the data directory: a cine's thumbnail costs one decode for the life of the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomically } from '../files/atomic-write.js';
import type { Logger } from '../log/logger.js';
import { THUMBNAIL_MAX_SIZE } from './api-types.js';
import { ApiError } from './errors.js';
import { decodeFrame8 } from './frame-image.js';

export interface ThumbnailOptions {
  readonly cacheDir: string;
  /** The stored file of an instance, or undefined. */
  readonly fileOf: (sopInstanceUid: string) => string | undefined;
  readonly log: Logger;
  readonly maxSize?: number;
}

export class Thumbnails {
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  constructor(private readonly opts: ThumbnailOptions) {}

  /** Frame `index` at full size as JPEG (cine playback in the review screen); not cached. */
  async frame(sopInstanceUid: string, index: number): Promise<Uint8Array> {
    const file = this.opts.fileOf(sopInstanceUid);
    if (file === undefined) throw new ApiError(404, 'API_NO_SUCH_INSTANCE', `no stored instance ${sopInstanceUid}`);
    const raw = await decodeFrame8(file, index);
    return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }).jpeg({ quality: 85 }).toBuffer();
  }

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
    const raw = await decodeFrame8(file, 0);
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

