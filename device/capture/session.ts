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
   * A `next` lease is returned at once and yields frames as they arrive, so the capture is
   * written while it is recorded; a source that stops before the time is up ends it early
   * (`complete` false).
   */
  async lease(kind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<{ lease: RingLease; complete: Promise<boolean> }> {
    if (kind === 'still' || kind === 'sc') {
      await this.waitForFrames();
      return { lease: this.ring.leaseLast(1e-6), complete: Promise.resolve(true) };
    }
    if (window === 'last') {
      await this.waitForFrames();
      return { lease: this.ring.leaseLast(seconds), complete: Promise.resolve(true) };
    }
    return this.ring.follow(seconds, this.done);
  }

  async stop(): Promise<RingStats> {
    await this.source.stop();
    return this.ring.stats();
  }
}

/**
 * Takes one capture from a running session and stores it. Call `encoder.prepare()` before the
 * session starts (or once at service start-up): done here, it would shift the start of "the
 * next N seconds" by the encoder's start-up, or pin frames in the ring while threads start.
 */
export async function captureAndStore(
  session: CaptureSession,
  kind: CaptureKind,
  seconds: number,
  window: 'last' | 'next',
  request: Omit<StoreRequest, 'kind' | 'lease' | 'source'> & { encoder: FrameEncoder },
): Promise<StoreResult & { complete: boolean; stats: RingStats }> {
  const { lease, complete } = await session.lease(kind, seconds, window);
  try {
    const stored = await storeCapture({ ...request, kind, lease, source: session.source.info });
    return { ...stored, complete: await complete, stats: session.ring.stats() };
  } catch (e) {
    // No frames because the source failed: report the source's failure, not its symptom.
    if (e instanceof CaptureError && e.code === 'CAPTURE_NO_FRAMES' && session.failure) throw session.failure;
    if (e instanceof CaptureError && e.code === 'CAPTURE_NO_FRAMES') throw new CaptureError('CAPTURE_NO_FRAMES', `no frames arrived for the ${kind} capture`, { ...session.ring.stats() });
    throw e;
  } finally {
    lease.release();
  }
}
