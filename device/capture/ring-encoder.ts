/**
 * Encodes the frames of an encoded ring (ring-buffer.ts) in the capture's transfer syntax as
 * they arrive, so the cine memory holds compressed frames (800×600 RGB at 30 frames/s: 43 MB/s
 * raw, ~24 MB/s JPEG Lossless, ~3.4 MB/s JPEG Baseline) and a capture writes them as they are.
 * The encoder is the capture's own (the worker pool for JPEG Lossless, ffmpeg for JPEG Baseline
 * colour), so a lossless capture syntax gives a lossless ring: what is stored is exactly what a
 * capture encoding the raw frames would have stored.
 *
 * A frame enters the ring raw at once (the source never waits, and the ring has no gap when
 * the encoder is behind); at most `maxInFlight` frames are being encoded, the newest waiting
 * one first: an encoder that cannot keep up then shrinks the frames that stay longest, instead
 * of spending itself on the oldest ones the byte cap is about to evict (which, oldest first,
 * left the whole ring raw under load). At most `maxWaiting` frames wait; older ones stay raw
 * ('skipped', counted), as do frames the encoder failed on ('failed'; the encoder is replaced:
 * an ffmpeg process that died is not reused). A capture encodes raw frames itself.
 *
 * The ring of a lossless capture is fed the same way by a packer (ring-packing.ts) in place of
 * the capture's encoder: a cheaper lossless packing that a capture unpacks and then encodes.
 */
import type { FrameEncoder } from '../codecs/frame-encoder.js';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame } from './frame-source.js';
import type { FrameRingBuffer } from './ring-buffer.js';

/** What the RingEncoder needs of an encoder: a FrameEncoder, or a ring packer (SubDeflatePacker). */
export type RingFrameEncoder = Pick<FrameEncoder, 'transferSyntaxUid' | 'parallelism' | 'encode' | 'prepare' | 'close'>;

export interface RingEncoderOptions {
  readonly ring: FrameRingBuffer;
  /** Makes the encoder of the ring's transfer syntax; called again after a failure. */
  readonly encoder: () => RingFrameEncoder;
  /** Frames being encoded at most (default: the encoder's parallelism). */
  readonly maxInFlight?: number;
  /** Frames waiting for the encoder at most (default 30); older ones are left raw. */
  readonly maxWaiting?: number;
  /** Called for each frame the encoder failed on (for logs). */
  readonly onError?: (error: unknown, sequence: number) => void;
}

export class RingEncoder {
  private readonly maxInFlight: number;
  private encoder: RingFrameEncoder;
  /** Sequence numbers waiting for the encoder (not the frames: the ring owns their memory, and an evicted frame must not be kept alive here). */
  private readonly queue: number[] = [];
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly o: RingEncoderOptions) {
    this.encoder = o.encoder();
    const holds = o.ring.options.packing?.id ?? o.ring.options.transferSyntaxUid;
    if (holds !== this.encoder.transferSyntaxUid) {
      throw new CaptureError('CAPTURE_BAD_ARGUMENT', `the ring holds ${holds ?? 'raw samples'}; its encoder writes ${this.encoder.transferSyntaxUid}`);
    }
    this.maxInFlight = Math.max(1, o.maxInFlight ?? this.encoder.parallelism);
  }

  /** Gets the encoder ready (worker threads started), so the first frames do not wait for it. */
  async prepare(): Promise<void> {
    await this.encoder.prepare?.();
  }

  /** Frames waiting for the encoder or being encoded. */
  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  /** Takes a raw frame from the source into the ring; false when the ring refused or dropped it. */
  offer(frame: Frame): boolean {
    if (!this.o.ring.pushRaw(frame)) return false;
    this.queue.push(frame.sequence);
    if (this.queue.length > (this.o.maxWaiting ?? 30)) this.o.ring.settle(this.queue.shift()!, 'skipped');
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const frame = this.o.ring.rawFrame(this.queue.pop()!);
      if (!frame) continue; // evicted before its turn
      this.inFlight++;
      void this.encodeOne(frame).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.pending === 0) for (const w of this.idle.splice(0)) w();
      });
    }
  }

  private async encodeOne(frame: Frame): Promise<void> {
    const encoder = this.encoder;
    try {
      const data = await encoder.encode({ data: frame.data, width: frame.width, height: frame.height, samplesPerPixel: bytesPerPixel(frame.format) });
      this.o.ring.settle(frame.sequence, data);
    } catch (e) {
      this.o.ring.settle(frame.sequence, 'failed');
      this.o.onError?.(e, frame.sequence);
      if (this.encoder === encoder) {
        this.encoder = this.o.encoder();
        void encoder.close?.().catch(() => undefined);
      }
    }
  }

  /** Resolves when no frame waits for the encoder. */
  drained(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }

  /** Waits for the frames being encoded, drops the rest, releases the encoder (an ffmpeg process). */
  async close(): Promise<void> {
    this.queue.length = 0;
    await this.drained();
    await this.encoder.close?.();
  }
}
