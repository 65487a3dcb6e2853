/**
 * JPEG encoding of live frames for /api/live, off the event loop: sharp (libvips) runs the
 * encode in libuv's thread pool, so the loop only copies the header. (A worker-pool encoder is
 * being built in device/codecs on another branch; this is the seam it will replace.) Quality 80
 * is plenty for a preview and keeps an 800×600 frame near 40 kB.
 */
import sharp from 'sharp';
import type { Frame } from '../capture/index.js';
import { bytesPerPixel } from '../capture/index.js';

export type LiveEncoder = (frame: Frame) => Promise<Uint8Array>;

export function sharpLiveEncoder(quality = 80): LiveEncoder {
  return async (frame) => {
    const channels = bytesPerPixel(frame.format);
    return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels } })
      .jpeg({ quality, chromaSubsampling: '4:2:0', mozjpeg: false })
      .toBuffer();
  };
}
