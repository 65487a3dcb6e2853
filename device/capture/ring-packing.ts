/**
 * A cheap lossless packing for the cine ring of a lossless capture (JPEG Lossless, or Explicit
 * VR): each sample minus the same sample of the pixel before (PNG's "Sub" filter), then raw
 * deflate at level 1 with Z_RLE. Why not hold JPEG Lossless in the ring: encoding every frame
 * of 800×600 RGB at 30 frames/s in our JS encoder cost the idle service ~48 % of one core and
 * held ~5.5 s in 128 MB (ratio ~1.85); this packing costs ~1 ms of filter on the event loop
 * plus ~6 ms of deflate in libuv's thread pool per frame, and packs ~2.35× (simulator frames).
 * A capture unpacks its frames (inflate + unfilter, ~4 ms) and encodes them in its syntax as
 * it would raw frames, so what is stored is bit for bit what the source delivered.
 *
 * The packer is plugged into the RingEncoder like a FrameEncoder: `transferSyntaxUid` names
 * the packing (not a DICOM syntax; the ring's lease says its frames are raw samples).
 */
import { promisify } from 'node:util';
import { constants, deflateRaw, inflateRaw } from 'node:zlib';
import type { RawImage } from '../codecs/frame-encoder.js';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame } from './frame-source.js';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);
/**
 * zlib's async API hands each output chunk back to the event loop: with its 16 KiB default an
 * 800×600 RGB frame took ~40 round trips, and 8.5 ms of CPU to deflate, 7.5 ms to inflate;
 * with 256 KiB chunks 5.7 and 2.7 ms (measured on simulator frames).
 */
const CHUNK_BYTES = 256 * 1024;

/** What a ring needs to give its packed frames back as raw samples. */
export interface RingPacking {
  /** Names the packing (the ring's encoder must write it). */
  readonly id: string;
  /** The raw samples of a packed frame (a new buffer). Rejects with CAPTURE_ENCODER_FAILED. */
  unpack(packed: Uint8Array, frame: Frame): Promise<Uint8Array>;
}

export const SUB_DEFLATE_PACKING = 'sonicart.ring-packing.sub-deflate';

/** PNG "Sub": each sample minus the one `bpp` bytes before (mod 256); the first pixel as it is. */
export function subFilter(src: Uint8Array, bpp: 1 | 3): Uint8Array {
  const out = new Uint8Array(src.length);
  if (bpp === 3) {
    // Per component with the previous pixel in locals: ~1 ms for 800×600 RGB (half the generic loop).
    let pr = 0;
    let pg = 0;
    let pb = 0;
    for (let i = 0; i + 2 < src.length; i += 3) {
      const r = src[i]!;
      const g = src[i + 1]!;
      const b = src[i + 2]!;
      out[i] = r - pr;
      out[i + 1] = g - pg;
      out[i + 2] = b - pb;
      pr = r;
      pg = g;
      pb = b;
    }
  } else {
    let p = 0;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      out[i] = v - p;
      p = v;
    }
  }
  return out;
}

/** Undoes subFilter in place. */
export function unSubFilter(data: Uint8Array, bpp: 1 | 3): Uint8Array {
  for (let i = bpp; i < data.length; i++) data[i] = data[i]! + data[i - bpp]!;
  return data;
}

export class SubDeflatePacker implements RingPacking {
  readonly id = SUB_DEFLATE_PACKING;
  readonly transferSyntaxUid = SUB_DEFLATE_PACKING;
  /** libuv's pool has 4 threads; two frames at once keep both cores of the cart busy when behind. */
  readonly parallelism = 2;

  async encode(image: RawImage): Promise<Uint8Array> {
    if (!(image.data instanceof Uint8Array) || image.data.length !== image.width * image.height * image.samplesPerPixel) {
      throw new CaptureError('CAPTURE_ENCODER_FAILED', `the ring packing takes 8-bit frames of width × height × samples bytes; got ${image.data.length} for ${image.width}×${image.height}×${image.samplesPerPixel}`);
    }
    const filtered = subFilter(image.data, image.samplesPerPixel);
    const packed = await deflate(filtered, { level: 1, strategy: constants.Z_RLE, chunkSize: CHUNK_BYTES });
    // Held in the ring: its own memory, not a view keeping a larger zlib chunk alive (the ring counts byteLength).
    return packed.byteLength === packed.buffer.byteLength ? packed : new Uint8Array(packed);
  }

  async unpack(packed: Uint8Array, frame: Frame): Promise<Uint8Array> {
    const bpp = bytesPerPixel(frame.format);
    const size = frame.width * frame.height * bpp;
    let raw: Uint8Array;
    try {
      raw = await inflate(packed, { maxOutputLength: size + 1, chunkSize: CHUNK_BYTES });
    } catch (e) {
      throw new CaptureError('CAPTURE_ENCODER_FAILED', `unpacking frame ${frame.sequence} from the ring failed: ${(e as Error).message}`, { sequence: frame.sequence }, { cause: e });
    }
    if (raw.length !== size) {
      throw new CaptureError('CAPTURE_ENCODER_FAILED', `frame ${frame.sequence} unpacked from the ring is ${raw.length} bytes; ${frame.width}×${frame.height} ${frame.format} is ${size}`, { sequence: frame.sequence });
    }
    return unSubFilter(raw, bpp);
  }
}
