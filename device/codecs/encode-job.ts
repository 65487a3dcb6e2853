/**
 * The CPU-heavy work the encoder pool runs in its worker threads, as plain data in and out (so
 * it crosses postMessage): one frame encoded as JPEG Lossless SV1 by our pure encoder, or one
 * stored frame decoded to 8-bit grey/RGB for a screen (frame8.ts: thumbnails and playback).
 */
import { encodeJpegLossless } from '../../dicom/pixel/index.js';
import { frame8, type Frame8Encoding, type Frame8Pixels } from './frame8.js';

export interface JpegLosslessJob {
  readonly kind: 'jpeg-lossless';
  /** Interleaved samples, 8- or 16-bit. */
  readonly data: Uint8Array | Uint16Array;
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: 1 | 3;
  readonly bitsStored: number;
}

export interface Frame8Job {
  readonly kind: 'frame8';
  /** The frame as stored: native samples (little endian) or one JPEG stream. */
  readonly data: Uint8Array;
  readonly encoding: Frame8Encoding;
  readonly pixels: Frame8Pixels;
}

export type EncodeJob = JpegLosslessJob | Frame8Job;

/** Runs one job; throws the codec's DicomError (JPEG_…) or a TranscodeError on bad input. */
export function runEncodeJob(job: EncodeJob): Uint8Array {
  if (job.kind === 'frame8') return frame8(job.data, job.encoding, job.pixels);
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
