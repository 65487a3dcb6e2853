/**
 * The CPU-heavy work the encoder pool runs in its worker threads, as plain data in and out (so
 * it crosses postMessage): one frame encoded as JPEG Lossless SV1 by our pure encoder.
 */
import { encodeJpegLossless } from '../../dicom/pixel/index.js';

export interface JpegLosslessJob {
  readonly kind: 'jpeg-lossless';
  /** Interleaved samples, 8- or 16-bit. */
  readonly data: Uint8Array | Uint16Array;
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: 1 | 3;
  readonly bitsStored: number;
}

export type EncodeJob = JpegLosslessJob;

/** Encodes one frame; throws the codec's DicomError (JPEG_ENCODE_…) on bad input. */
export function runEncodeJob(job: EncodeJob): Uint8Array {
  // Bits above Bits Stored are not part of the pixel value (PS3.5 8.1.1): cleared, not refused.
  const mask = job.bitsStored >= 16 ? 0xffff : (1 << job.bitsStored) - 1;
  let samples = job.data;
  if (mask !== (samples instanceof Uint8Array ? 0xff : 0xffff)) {
    let over = false;
    for (let i = 0; i < samples.length && !over; i++) over = samples[i]! > mask;
    if (over) samples = samples.map((v) => v & mask);
  }
  return encodeJpegLossless(samples, { rows: job.rows, columns: job.columns, samplesPerPixel: job.samplesPerPixel, bitsStored: job.bitsStored, predictor: 1 });
}
