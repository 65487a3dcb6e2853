/**
 * JPEG Baseline (process 1, 1.2.840.10008.1.2.4.50), every frame a complete JPEG stream with its
 * own DQT and DHT (the media profiles require it), baseline sequential (SOF0), non-progressive.
 *
 * - Colour frames: libavcodec's mjpeg encoder in Debian's ffmpeg with 4:2:2 chroma
 *   (jpeg-baseline-ffmpeg.ts) → YBR_FULL_422, the only colour interpretation DICOM (and dciodvfy)
 *   accept for JPEG Baseline: YBR_FULL_422 is Cb/Cr halved horizontally only (PS3.3 C.7.6.3.1.2,
 *   PS3.5 8.2.1). sharp/libvips can write only 4:2:0 (which no DICOM photometric value
 *   describes) or 4:4:4 (YBR_FULL, refused by the US and SC IODs for JPEG).
 * - Grey frames: sharp (libvips with libjpeg-turbo/mozjpeg, prebuilt in @img/sharp-linux-x64;
 *   Apache-2.0, bundled libraries LGPL-3.0/BSD) → one component, MONOCHROME2; ~150 frames/s
 *   at 800×600 per core; several frames in flight use libuv's thread pool, so both cores.
 *
 * The Photometric Interpretation written is read back from the first frame's SOF, so it always
 * describes what the encoder really produced.
 */
import sharp from 'sharp';
import { JPEG_BASELINE } from '../../dicom/encoding/index.js';
import { photometricForJpegBaseline, readJpegFrameHeader } from '../../dicom/iod/index.js';
import { CaptureError } from '../capture/errors.js';
import type { FrameEncoder, RawImage } from './frame-encoder.js';
import { FfmpegMjpegEncoder } from './jpeg-baseline-ffmpeg.js';

export interface JpegBaselineOptions {
  /** libjpeg quality 1..100; 90 keeps speckle texture that a reader looks at. */
  readonly quality?: number;
}

// One libvips thread per image; parallelism comes from several images in flight.
sharp.concurrency(1);

export function jpegBaselineEncoder(o: JpegBaselineOptions = {}): FrameEncoder {
  const quality = o.quality ?? 90;
  const colour = new FfmpegMjpegEncoder(quality);
  return {
    transferSyntaxUid: JPEG_BASELINE,
    encapsulated: true,
    lossy: true,
    parallelism: 4,
    async encode(image: RawImage): Promise<Uint8Array> {
      if (!(image.data instanceof Uint8Array) || (image.bitsStored ?? 8) !== 8) {
        throw new CaptureError('CAPTURE_ENCODER_FAILED', 'JPEG Baseline (process 1) encodes 8-bit samples only');
      }
      if (image.samplesPerPixel === 3) return colour.encode(image);
      try {
        const buf = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
          .toColourspace('b-w') // one component (MONOCHROME2); without it libvips writes three
          .jpeg({ quality, progressive: false, optimiseCoding: true, mozjpeg: false, trellisQuantisation: false, overshootDeringing: false, optimiseScans: false })
          .toBuffer();
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        throw new CaptureError('CAPTURE_ENCODER_FAILED', `JPEG baseline encoding failed: ${(e as Error).message}`, {}, { cause: e });
      }
    },
    photometric(_spp, first) {
      const h = readJpegFrameHeader(first);
      if (h.process !== 0 || h.precision !== 8 || !h.hasHuffmanTables) {
        throw new CaptureError('CAPTURE_ENCODER_FAILED', `encoder produced SOF${h.process}, ${h.precision}-bit${h.hasHuffmanTables ? '' : ', no DHT'}: not a self-contained JPEG Baseline stream`);
      }
      return photometricForJpegBaseline(h);
    },
    finish: () => colour.finish(),
    close: () => colour.close(),
  };
}
