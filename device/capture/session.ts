/**
 * One capture from a running source: the ring buffer fed by the source, then a still, a cine of
 * the last or the next N seconds, or a screen capture, stored through store.ts.
 */
import type { FrameEncoder } from '../codecs/index.js';
import { CaptureError } from './errors.js';
import type { FrameSource, SourceEnd } from './frame-source.js';
import { bytesPerPixel } from './frame-source.js';
import { FrameRingBuffer, type RingLease, type RingStats } from './ring-buffer.js';
import { storeCapture, type CaptureKind, type StoreRequest, type StoreResult } from './store.js';

export interface CaptureSessionOptions {
  /** Seconds of history kept, and the memory cap of the ring (default: enough for that at the source's rate). */
  readonly ringSeconds?: number;
  readonly ringMaxBytes?: number;
}

/** Feeds a ring from a source; captures read the ring. */
export class CaptureSession {
  readonly ring: FrameRingBuffer;
  private ended: Promise<SourceEnd> | undefined;
  private firstFrame: Promise<void>;
  private gotFirst!: () => void;
  /** Set when the source failed; captures report it. */
  failure: unknown;

  constructor(
    readonly source: FrameSource,
    o: CaptureSessionOptions = {},
  ) {
    const { width, height, format, fps } = source.info;
    const seconds = o.ringSeconds ?? 12;
    const frameBytes = width * height * bytesPerPixel(format);
    this.ring = new FrameRingBuffer({ width, height, format, seconds, maxBytes: o.ringMaxBytes ?? Math.ceil(seconds * fps * 1.2 + 4) * frameBytes });
    this.firstFrame = new Promise((r) => (this.gotFirst = r));
  }

  start(): void {
    this.ended = this.source.start((f) => {
      if (this.ring.push(f)) this.gotFirst();
    });
    this.ended.then(
      () => this.gotFirst(),
      (e: unknown) => {
        this.failure = e;
        this.gotFirst();
      },
    );
  }

  /** Resolves when the source has ended (or failed). */
  get done(): Promise<unknown> {
    return (this.ended ?? Promise.resolve()).catch(() => undefined);
  }

  async waitForFrames(): Promise<void> {
    await this.firstFrame;
    if (this.ring.stats().frames === 0) {
      if (this.failure) throw this.failure;
      throw new CaptureError('CAPTURE_NO_FRAMES', `${this.source.info.description} delivered no usable frames`, { ...this.ring.stats() });
    }
  }

  /**
   * Pins the frames for a capture: the newest frame (still, sc), the last N s, or the next N s.
   * For `next`, a source that stops before the time is up yields the frames that arrived (and
   * `complete: false`).
   */
  async lease(kind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<{ lease: RingLease; complete: boolean }> {
    if (kind === 'still' || kind === 'sc') {
      await this.waitForFrames();
      return { lease: this.ring.leaseLast(1e-6), complete: true };
    }
    if (window === 'last') {
      await this.waitForFrames();
      return { lease: this.ring.leaseLast(seconds), complete: true };
    }
    return this.ring.leaseNext(seconds, this.done);
  }

  async stop(): Promise<RingStats> {
    await this.source.stop();
    return this.ring.stats();
  }
}

export async function captureAndStore(
  session: CaptureSession,
  kind: CaptureKind,
  seconds: number,
  window: 'last' | 'next',
  request: Omit<StoreRequest, 'kind' | 'lease' | 'source'> & { encoder: FrameEncoder },
): Promise<StoreResult & { complete: boolean; stats: RingStats }> {
  const { lease, complete } = await session.lease(kind, seconds, window);
  try {
    if (lease.frames().length === 0) {
      if (session.failure) throw session.failure;
      throw new CaptureError('CAPTURE_NO_FRAMES', `no frames arrived for the ${kind} capture`, { ...session.ring.stats() });
    }
    const stored = await storeCapture({ ...request, kind, lease, source: session.source.info });
    return { ...stored, complete, stats: session.ring.stats() };
  } finally {
    lease.release();
  }
}
