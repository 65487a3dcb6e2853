/**
 * Thumbnails of stored instances: the first frame, decoded by our own codecs (frame-image.ts:
 * dicom/pixel's JPEG Baseline and Lossless decoders for compressed files, reading only that
 * frame, on the encoder pool's worker threads), reduced and JPEG-encoded by sharp (libvips, in
 * libuv's thread pool), so the event loop does neither; cached on disk under the data
 * directory: a cine's thumbnail costs one decode for the life of the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomically } from '../files/atomic-write.js';
import type { EncoderPool } from '../codecs/index.js';
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
  /** Memory for playback frames (default FRAME_CACHE_BYTES). */
  readonly frameCacheBytes?: number;
  /** Worker threads that decode frames (default: the process's shared encoder pool). */
  readonly pool?: EncoderPool;
}

/** Playback frames kept in memory: a review loop decodes each frame once, not once per turn. */
export const FRAME_CACHE_BYTES = 48 * 1024 * 1024;

export class Thumbnails {
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();
  /** uid/index → JPEG, least recently used first (Map keeps insertion order). */
  private readonly frames = new Map<string, Uint8Array>();
  private frameBytes = 0;
  constructor(private readonly opts: ThumbnailOptions) {}

  /** Frame `index` at full size as JPEG (cine playback in the review screen), kept in a bounded LRU. */
  frame(sopInstanceUid: string, index: number): Promise<Uint8Array> {
    const key = `${sopInstanceUid}/${index}`;
    const hit = this.frames.get(key);
    if (hit) {
      this.frames.delete(key);
      this.frames.set(key, hit);
      return Promise.resolve(hit);
    }
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.makeFrame(sopInstanceUid, index).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async makeFrame(uid: string, index: number): Promise<Uint8Array> {
    const file = this.opts.fileOf(uid);
    if (file === undefined) throw new ApiError(404, 'API_NO_SUCH_INSTANCE', `no stored instance ${uid}`);
    const raw = await decodeFrame8(file, index, this.opts.pool);
    const jpeg = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } }).jpeg({ quality: 85 }).toBuffer();
    const key = `${uid}/${index}`;
    this.frames.set(key, jpeg);
    this.frameBytes += jpeg.length;
    for (const [k, v] of this.frames) {
      if (this.frameBytes <= (this.opts.frameCacheBytes ?? FRAME_CACHE_BYTES)) break;
      this.frames.delete(k);
      this.frameBytes -= v.length;
    }
    return jpeg;
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
    const raw = await decodeFrame8(file, 0, this.opts.pool);
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

