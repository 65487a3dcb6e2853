/**
 * JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) through the pure encoder in dicom/pixel, run on the
 * encoder pool's worker threads so the event loop stays free. Colour is stored as RGB (no
 * colour transform, so the round trip is exact), as conformance §4 says. 16-bit samples are
 * encoded at Bits Stored; bits above it are cleared (PS3.5 8.1.1).
 */
import { JPEG_LOSSLESS_SV1 } from '../../dicom/encoding/index.js';
import { CaptureError } from '../capture/errors.js';
import { sharedEncoderPool, type EncoderPool } from './encoder-pool.js';
import type { FrameEncoder, RawImage } from './frame-encoder.js';

export interface JpegLosslessOptions {
  /** Defaults to the process's shared pool. */
  readonly pool?: EncoderPool;
}

export function jpegLosslessEncoder(o: JpegLosslessOptions = {}): FrameEncoder {
  const pool = o.pool ?? sharedEncoderPool();
  return {
    transferSyntaxUid: JPEG_LOSSLESS_SV1,
    encapsulated: true,
    lossy: false,
    // One frame running and one waiting per worker keeps every core busy.
    parallelism: 2 * pool.size,
    async encode(image: RawImage): Promise<Uint8Array> {
      const bitsStored = image.bitsStored ?? (image.data instanceof Uint8Array ? 8 : 16);
      try {
        return await pool.run(
          { kind: 'jpeg-lossless', data: image.data, rows: image.height, columns: image.width, samplesPerPixel: image.samplesPerPixel, bitsStored },
          { owned: image.owned === true },
        );
      } catch (e) {
        if (e instanceof CaptureError) throw new CaptureError(e.code, `JPEG lossless encoding failed: ${e.message}`, e.detail, { cause: e });
        throw new CaptureError('CAPTURE_ENCODER_FAILED', `JPEG lossless encoding failed: ${(e as Error).message}`, {}, { cause: e });
      }
    },
    prepare: () => pool.warm(),
    photometric: (spp) => (spp === 3 ? 'RGB' : 'MONOCHROME2'),
  };
}
