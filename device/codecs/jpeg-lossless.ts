/**
 * JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) through the pure encoder in dicom/pixel. Colour is
 * stored as RGB (no colour transform, so the round trip is exact), as conformance §4 says.
 */
import { JPEG_LOSSLESS_SV1 } from '../../dicom/encoding/index.js';
import { encodeJpegLossless } from '../../dicom/pixel/index.js';
import { CaptureError } from '../capture/errors.js';
import type { FrameEncoder, RawImage } from './frame-encoder.js';

export const jpegLosslessEncoder: FrameEncoder = {
  transferSyntaxUid: JPEG_LOSSLESS_SV1,
  encapsulated: true,
  lossy: false,
  parallelism: 1,
  encode(image: RawImage): Promise<Uint8Array> {
    try {
      return Promise.resolve(
        encodeJpegLossless(image.data, { rows: image.height, columns: image.width, samplesPerPixel: image.samplesPerPixel, bitsStored: 8, predictor: 1 }),
      );
    } catch (e) {
      return Promise.reject(new CaptureError('CAPTURE_ENCODER_FAILED', `JPEG lossless encoding failed: ${(e as Error).message}`, {}, { cause: e }));
    }
  },
  photometric: (spp) => (spp === 3 ? 'RGB' : 'MONOCHROME2'),
};
