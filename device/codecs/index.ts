import { nativeEncoder } from './native.js';
import { jpegLosslessEncoder } from './jpeg-lossless.js';
import { jpegBaselineEncoder } from './jpeg-baseline.js';
import type { FrameEncoder } from './frame-encoder.js';

export type { FrameEncoder, RawImage } from './frame-encoder.js';
export { EncoderPool, sharedEncoderPool, type EncoderPoolOptions } from './encoder-pool.js';
export { encodeInOrder } from './encode-in-order.js';
export { FrameSpool } from './frame-spool.js';
export { nativeEncoder, jpegLosslessEncoder, jpegBaselineEncoder };

export const CAPTURE_SYNTAXES = ['explicit', 'jpeg-baseline', 'jpeg-lossless'] as const;
export type CaptureSyntax = (typeof CAPTURE_SYNTAXES)[number];

/** The encoder for a command-line syntax name. */
export function encoderFor(ts: CaptureSyntax): FrameEncoder {
  switch (ts) {
    case 'explicit':
      return nativeEncoder;
    case 'jpeg-lossless':
      return jpegLosslessEncoder();
    case 'jpeg-baseline':
      return jpegBaselineEncoder();
  }
}

export {
  openTranscodedStream,
  transcodedDataSetChunks,
  transcodeSupport,
  pixelDescription,
  TranscodeError,
  type TranscodeErrorCode,
  type TranscodeOptions,
  type TranscodedStream,
  type TranscodedPixels,
  type TranscodeSupport,
  type PixelDescription,
} from './transcode.js';
