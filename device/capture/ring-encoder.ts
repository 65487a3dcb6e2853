/**
 * Feeds a ring with frames already encoded in the capture's transfer syntax, so the cine memory
 * holds compressed frames (800×600 RGB at 30 frames/s: 43 MB/s raw, ~24 MB/s JPEG Lossless,
 * ~3.4 MB/s JPEG Baseline) and a capture writes them as they are, with no encoding at capture
 * time. The encoder is the capture's own (the worker pool for JPEG Lossless, ffmpeg for JPEG
 * Baseline colour), so a lossless capture syntax gives a lossless ring: what is stored is
 * exactly what a capture written from raw frames would have stored.
 *
 * Frames enter the ring in source order (each waits for the ones before it). At most
 * `maxInFlight` frames are being encoded; a frame arriving when the encoder is that far behind
 * is not held (counted as droppedEncoder, never silently: a cine spanning it has a gap that
 * its timing shows), so a starved encoder cannot pile raw frames up in memory. flush() waits
 * until every frame offered so far is in the ring, so "the last N s" and a still include the
 * frames captured before the request.
 */
import type { FrameEncoder } from '../codecs/frame-encoder.js';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame } from './frame-source.js';
import type { FrameRingBuffer } from './ring-buffer.js';

export interface RingEncoderOptions {
  readonly ring: FrameRingBuffer;
  /**
   * Makes the encoder of the ring's transfer syntax (ring.options.transferSyntaxUid). Called
   * again after a failure: an encoder that failed (an ffmpeg process that died) is not reused.
   */
  readonly encoder: () => FrameEncoder;
  /** Frames being encoded at most (default: the encoder's parallelism, and at least 4). */
  readonly maxInFlight?: number;
  /** Called for each frame the encoder failed on (for logs). */
  readonly onError?: (error: unknown, sequence: number) => void;
}

export class RingEncoder {
  private readonly maxInFlight: number;
  private encoder: FrameEncoder;
  private inFlight = 0;
  /** Resolves once every frame offered so far has been pushed into the ring (or marked lost). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly o: RingEncoderOptions) {
    this.encoder = o.encoder();
    if (o.ring.options.transferSyntaxUid !== this.encoder.transferSyntaxUid) {
      throw new CaptureError('CAPTURE_BAD_ARGUMENT', `the ring holds ${o.ring.options.transferSyntaxUid ?? 'raw samples'}; its encoder writes ${this.encoder.transferSyntaxUid}`);
    }
    this.maxInFlight = Math.max(4, o.maxInFlight ?? this.encoder.parallelism);
  }

  /** Gets the encoder ready (worker threads started), so the first frames do not wait for it. */
  async prepare(): Promise<void> {
    await this.encoder.prepare?.();
  }

  /** Frames being encoded now. */
  get pending(): number {
    return this.inFlight;
  }

  /** Takes a raw frame from the source; returns false when it will not be held (wrong size, or the encoder is behind). */
  offer(frame: Frame): boolean {
    const { ring } = this.o;
    const encoder = this.encoder;
    if (!ring.acceptsRaw(frame)) return false;
    const sequence = frame.sequence;
    if (this.inFlight >= this.maxInFlight) {
      this.tail = this.tail.then(() => ring.markLost(sequence));
      return false;
    }
    this.inFlight++;
    let result: Promise<Uint8Array>;
    try {
      result = encoder.encode({ data: frame.data, width: frame.width, height: frame.height, samplesPerPixel: bytesPerPixel(frame.format) });
    } catch (e) {
      result = Promise.reject(e);
    }
    result.catch(() => undefined); // awaited in order below
    this.tail = this.tail.then(async () => {
      try {
        const data = await result;
        ring.push({ ...frame, data });
      } catch (e) {
        ring.markLost(sequence);
        this.o.onError?.(e, sequence);
        if (this.encoder === encoder) {
          this.encoder = this.o.encoder();
          void encoder.close?.().catch(() => undefined);
        }
      } finally {
        this.inFlight--;
      }
    });
    return true;
  }

  /** Waits until every frame offered so far is in the ring (or counted lost). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Waits for the frames in flight, then releases the encoder (an ffmpeg process). */
  async close(): Promise<void> {
    await this.tail;
    await this.encoder.close?.();
  }
}
