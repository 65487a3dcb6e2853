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
import { CaptureError, FrameRingBuffer, RingEncoder, SubDeflatePacker, bytesPerPixel, storeCapture, type CaptureKind, type Frame, type FrameSource, type FrameSourceInfo, type RingLease, type RingStats, type SourceEnd, type StoreRequest, type StoreResult } from '../capture/index.js';
import type { FrameEncoder } from '../codecs/index.js';
import type { Clock } from '../clock.js';
import type { LiveFrame, LiveFrames } from '../device.js';
import type { Logger } from '../log/logger.js';

export interface LiveCaptureOptions {
  readonly ringSeconds: number;
  /**
   * The ring's memory budget in bytes (default: ringSeconds of raw frames at the source's rate,
   * plus 20 %). With encoded frames it holds more seconds; the ring keeps whichever is less,
   * ringSeconds or what fits the budget (ringLimits()).
   */
  readonly ringMemoryBytes?: number;
  /**
   * Makes the encoder of the capture syntax: a lossy one (JPEG Baseline) has the ring hold
   * frames encoded as they arrive, and captures write them as held; a lossless one (JPEG
   * Lossless, Explicit VR) has the ring hold them packed (ring-packing.ts: a third of the CPU of
   * encoding JPEG Lossless ahead, and more seconds), and captures unpack and encode them.
   * Undefined: raw frames.
   */
  readonly ringEncoder?: () => FrameEncoder;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What the ring can give a retrospective cine, for the API and for the error of a request for more. */
export interface RingLimits {
  /** The longest retrospective cine possible now (what the ring holds). */
  readonly heldSeconds: number;
  /** The longest it can ever hold: the window, or what the memory budget holds at the frames' size. */
  readonly capacitySeconds: number;
  readonly windowSeconds: number;
  readonly memoryBytes: number;
  readonly usedBytes: number;
  /** The syntax frames are held in, or undefined for raw samples. */
  readonly transferSyntaxUid: string | undefined;
}

export class LiveCapture implements LiveFrames {
  readonly ring: FrameRingBuffer;
  /** Encodes frames into the ring when it holds them encoded. */
  private readonly encoding: RingEncoder | undefined;
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
    const maxBytes = o.ringMemoryBytes ?? Math.ceil(o.ringSeconds * fps * 1.2 + 4) * frameBytes;
    const probe = o.ringEncoder?.();
    const lossy = probe?.lossy === true;
    const transferSyntaxUid = lossy ? probe.transferSyntaxUid : undefined;
    void probe?.close?.();
    const packing = probe && !lossy ? new SubDeflatePacker() : undefined;
    this.ring = new FrameRingBuffer({ width, height, format, seconds: o.ringSeconds, maxBytes, ...(transferSyntaxUid ? { transferSyntaxUid } : {}), ...(packing ? { packing } : {}) });
    const encoder = packing ? () => packing : transferSyntaxUid ? o.ringEncoder : undefined;
    this.encoding = encoder
      ? new RingEncoder({
          ring: this.ring,
          encoder,
          onError: (e, sequence) => o.log.warn('ring encoder failed on a frame', { sequence, error: (e as Error).message }),
        })
      : undefined;
  }

  /** What a retrospective cine can have now, and at most. */
  ringLimits(): RingLimits {
    const fps = this.source.info.fps;
    const s = this.ring.stats();
    return {
      heldSeconds: this.ring.heldSeconds(fps),
      capacitySeconds: this.ring.capacitySeconds(fps),
      windowSeconds: this.o.ringSeconds,
      memoryBytes: this.ring.options.maxBytes,
      usedBytes: s.bytes,
      transferSyntaxUid: this.ring.options.transferSyntaxUid,
    };
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

  /** Starts the ring's encoder threads, so the first frames are not dropped while they load. */
  async prepare(): Promise<void> {
    await this.encoding?.prepare();
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
    // Into the ring raw at once; an encoded ring has it encoded in the background.
    if (this.encoding ? !this.encoding.offer(f) : !this.ring.push(f)) return;
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
  async lease(kind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<{ lease: RingLease; complete: Promise<boolean> }> {
    if (this.ring.stats().frames === 0 && (window === 'last' || kind === 'still' || kind === 'sc')) {
      if (this.failure) throw this.failure;
      throw new CaptureError('CAPTURE_NO_FRAMES', `${this.source.info.description} has delivered no frames yet`, { ...this.ring.stats() });
    }
    if (kind === 'still' || kind === 'sc') return { lease: this.ring.leaseLast(1e-6), complete: Promise.resolve(true) };
    if (window === 'last') {
      this.checkRetrospective(seconds);
      return { lease: this.ring.leaseLast(seconds), complete: Promise.resolve(true) };
    }
    if (!this.ended || this.failure) throw new CaptureError('CAPTURE_NO_FRAMES', `${this.source.info.description} is not running`, {});
    // Returned at once: the frames of the next N s are written as they arrive (capture/store.ts).
    return this.ring.follow(seconds, this.done);
  }

  /** A retrospective cine longer than the ring holds is refused with the limit, not cut short. */
  private checkRetrospective(seconds: number): void {
    const l = this.ringLimits();
    // Half a frame of slack: "the last 2 s" of a ring holding 59 frames at 30 frames/s is fine.
    // The advice below uses the same bound, so what it offers is what this check accepts (frame
    // timestamps jitter: 20 frames at 25 fps may span 0.7996 s, which is "0.8 s", not "0.7 s").
    const accepted = l.heldSeconds + 0.5 / this.source.info.fps;
    if (seconds <= accepted) return;
    const mb = (b: number): number => Number((b / 2 ** 20).toFixed(1));
    const why =
      l.capacitySeconds < l.windowSeconds
        ? `the ring's memory budget (capture.ringMemoryMb = ${mb(l.memoryBytes)}) holds ${l.capacitySeconds.toFixed(1)} s of these frames`
        : `the ring holds at most capture.ringSeconds = ${l.windowSeconds} s`;
    const now = l.heldSeconds < l.capacitySeconds - 0.5 ? `; it holds ${l.heldSeconds.toFixed(1)} s now` : '';
    throw new CaptureError('CAPTURE_RING_TOO_SHORT', `a retrospective cine of ${seconds} s is longer than the ring holds: ${why}${now}. Ask for at most ${Math.floor(accepted * 10) / 10} s, or record a prospective cine`, {
      requestedSeconds: seconds,
      heldSeconds: l.heldSeconds,
      capacitySeconds: l.capacitySeconds,
    });
  }

  /** Leases, writes through capture/store.ts (streamed, atomic), releases. */
  async capture(kind: CaptureKind, seconds: number, window: 'last' | 'next', request: Omit<StoreRequest, 'kind' | 'lease' | 'source' | 'wallClock'>): Promise<StoreResult & { complete: boolean }> {
    const { lease, complete } = await this.lease(kind, seconds, window);
    try {
      if (!lease.live && lease.frames().length === 0) throw new CaptureError('CAPTURE_NO_FRAMES', `no frames arrived for the ${kind} capture`, { ...this.ring.stats() });
      const stored = await storeCapture({ ...request, kind, lease, source: this.source.info, wallClock: (t) => this.wallClock(t) });
      return { ...stored, complete: await complete };
    } finally {
      lease.release();
    }
  }

  async stop(): Promise<void> {
    this.subject.complete();
    if (this.ended) await this.source.stop();
    await this.encoding?.close();
  }
}
