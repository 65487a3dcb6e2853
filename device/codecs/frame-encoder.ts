/**
 * One frame in, the bytes for one frame of Pixel Data out: native samples, or one complete JPEG
 * stream (its own tables, ready to be one fragment). Implementations that need native code
 * (sharp) live here in device/, so the DICOM library stays pure.
 */
import type { Photometric } from '../../dicom/iod/index.js';

export interface RawImage {
  /** Interleaved samples (R,G,B per pixel, or grey), row after row: 8-bit, or 16-bit for JPEG Lossless. */
  readonly data: Uint8Array | Uint16Array;
  readonly width: number;
  readonly height: number;
  readonly samplesPerPixel: 1 | 3;
  /** Significant bits per sample (default 8 for Uint8Array, 16 for Uint16Array). */
  readonly bitsStored?: number;
  /**
   * The caller gives up `data`: an encoder may move its buffer to a worker thread (it is then
   * detached here). Frames shared with the ring buffer are not owned and are copied once.
   */
  readonly owned?: boolean;
}

export interface FrameEncoder {
  readonly transferSyntaxUid: string;
  /** Pixel Data as fragments (JPEG) rather than native samples. */
  readonly encapsulated: boolean;
  readonly lossy: boolean;
  /** How many encode() calls the caller should keep in flight to use the cores this encoder can use. */
  readonly parallelism: number;
  /** Encodes one frame. Rejects with CaptureError(CAPTURE_ENCODER_FAILED), also for samples it cannot take. */
  encode(image: RawImage): Promise<Uint8Array>;
  /** The Photometric Interpretation of what encode() produced, given its output for the first frame. */
  photometric(samplesPerPixel: 1 | 3, firstEncoded: Uint8Array): Photometric;
  /**
   * Gets ready to encode (starts worker threads); call it before frames are pinned for a
   * capture, so start-up never holds frames in the ring. Optional, idempotent, cheap when ready.
   */
  prepare?(): Promise<void>;
  /** Called after the last encode() of a capture, so an encoder that buffers frames flushes them. */
  finish?(): void;
  /** Releases what the encoder holds (a child process); called once the capture is written or failed. */
  close?(): Promise<void>;
}
