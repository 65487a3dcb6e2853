/**
 * The cart's image chain while the service runs: one frame source feeding one ring (the cine
 * memory) and the live view. Freezing stops feeding the ring, so the frozen image and the
 * seconds before it stay exactly as they were when the user pressed freeze: a still or a
 * retrospective cine taken from a frozen image is what was on screen. Unfreezing resumes.
 *
 * The source runs from start() to stop() regardless of exams, so the ring is warm when an exam
 * goes live (a retrospective cine right after "start" has frames) and the kiosk has an image.
 */
import { Subject, type Observable } from 'rxjs';
import { CaptureError, FrameRingBuffer, bytesPerPixel, storeCapture, type CaptureKind, type Frame, type FrameSource, type FrameSourceInfo, type RingLease, type RingStats, type SourceEnd, type StoreRequest, type StoreResult } from '../capture/index.js';
import type { Clock } from '../clock.js';
import type { LiveFrame, LiveFrames } from '../device.js';
import type { Logger } from '../log/logger.js';

export interface LiveCaptureOptions {
  readonly ringSeconds: number;
  readonly clock: Clock;
  readonly log: Logger;
}

export class LiveCapture implements LiveFrames {
  readonly ring: FrameRingBuffer;
  private readonly subject = new Subject<LiveFrame>();
  readonly frames$: Observable<LiveFrame> = this.subject.asObservable();
  private newest: LiveFrame | undefined;
  private isFrozen = false;
  private ended: Promise<SourceEnd> | undefined;
  private failure: unknown;
  /** Monotonic → wall clock, anchored once at start (frame timestamps are monotonic ms). */
  private anchor = { wall: 0, mono: 0 };

  constructor(
    readonly source: FrameSource,
    private readonly o: LiveCaptureOptions,
  ) {
    const { width, height, format, fps } = source.info;
    const frameBytes = width * height * bytesPerPixel(format);
    this.ring = new FrameRingBuffer({ width, height, format, seconds: o.ringSeconds, maxBytes: Math.ceil(o.ringSeconds * fps * 1.2 + 4) * frameBytes });
  }

  get info(): FrameSourceInfo {
    return this.source.info;
  }
  get frozen(): boolean {
    return this.isFrozen;
  }
  get running(): boolean {
    return this.ended !== undefined && this.failure === undefined;
  }

  start(): void {
    if (this.ended) return;
    this.anchor = { wall: this.o.clock.now().getTime(), mono: this.o.clock.monotonicMs() };
    this.ended = this.source.start((f) => this.onFrame(f));
    this.ended.then(
      (end) => this.o.log.info('frame source ended', { reason: end.reason }),
      (e: unknown) => {
        this.failure = e;
        this.o.log.error('frame source failed', { error: (e as Error).message });
      },
    );
  }

  private onFrame(f: Frame): void {
    if (this.isFrozen) return;
    if (!this.ring.push(f)) return;
    this.newest = { frame: f, capturedAt: this.wallClock(f.timestampMs).toISOString() };
    this.subject.next(this.newest);
  }

  wallClock(timestampMs: number): Date {
    return new Date(this.anchor.wall + (timestampMs - this.anchor.mono));
  }

  latest(): LiveFrame | undefined {
    return this.newest;
  }

  freeze(): void {
    this.isFrozen = true;
  }
  unfreeze(): void {
    this.isFrozen = false;
  }

  stats(): RingStats {
    return this.ring.stats();
  }

  /** Resolves when the source has ended or failed. */
  get done(): Promise<unknown> {
    return (this.ended ?? Promise.resolve()).catch(() => undefined);
  }

  /**
   * Pins the frames of a capture: the newest frame (still, screen), the last N s
   * (retrospective) or the next N s (prospective; only while live).
   */
  async lease(kind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<{ lease: RingLease; complete: boolean }> {
    if (this.ring.stats().frames === 0 && window === 'last') {
      if (this.failure) throw this.failure;
      throw new CaptureError('CAPTURE_NO_FRAMES', `${this.source.info.description} has delivered no frames yet`, { ...this.ring.stats() });
    }
    if (kind === 'still' || kind === 'sc') return { lease: this.ring.leaseLast(1e-6), complete: true };
    if (window === 'last') return { lease: this.ring.leaseLast(seconds), complete: true };
    if (!this.ended || this.failure) throw new CaptureError('CAPTURE_NO_FRAMES', `${this.source.info.description} is not running`, {});
    return this.ring.leaseNext(seconds, this.done);
  }

  /** Leases, writes through capture/store.ts (streamed, atomic), releases. */
  async capture(kind: CaptureKind, seconds: number, window: 'last' | 'next', request: Omit<StoreRequest, 'kind' | 'lease' | 'source' | 'wallClock'>): Promise<StoreResult & { complete: boolean }> {
    const { lease, complete } = await this.lease(kind, seconds, window);
    try {
      if (lease.frames().length === 0) throw new CaptureError('CAPTURE_NO_FRAMES', `no frames arrived for the ${kind} capture`, { ...this.ring.stats() });
      const stored = await storeCapture({ ...request, kind, lease, source: this.source.info, wallClock: (t) => this.wallClock(t) });
      return { ...stored, complete };
    } finally {
      lease.release();
    }
  }

  async stop(): Promise<void> {
    this.subject.complete();
    if (this.ended) await this.source.stop();
  }
}
