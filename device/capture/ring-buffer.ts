/**
 * The cine memory: the last N seconds of frames, bounded in bytes as well, so a capture can take
 * "the last 10 s" at any moment. `push` is O(1) and never waits: the source (a grabber that
 * cannot be paused) is never blocked.
 *
 * The frames are held either as raw samples (`transferSyntaxUid` undefined: every frame is
 * width × height × format bytes) or encoded in the capture's transfer syntax (an encoded ring,
 * fed by ring-encoder.ts): a frame enters raw at once (pushRaw: the ring never waits for an
 * encoder, and has no gap when the encoder is behind) and its data is replaced by its encoding
 * when that arrives (settle), so each frame has its own size and the byte cap holds as many
 * seconds as the frames allow (800×600 RGB is 1.44 MB raw, ~0.8 MB JPEG Lossless, ~0.11 MB
 * JPEG Baseline). An encoder that falls behind leaves more raw frames, so the byte cap holds
 * fewer seconds until it catches up: the window shrinks, it never has holes. A capture reads
 * each frame's encoding through lease.encoded() and writes it as held, without encoding again.
 *
 * A packed ring (`packing`: the ring of a lossless capture, ring-packing.ts) is fed the same way
 * and holds frames in a cheap lossless packing instead; its leases give raw samples back
 * (next() unpacks each frame), so a capture encodes them as it would the frames of a raw ring.
 */
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame, type PixelFormat } from './frame-source.js';
import type { RingPacking } from './ring-packing.js';

export interface RingBufferOptions {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** How much history to keep, by capture timestamps. */
  readonly seconds: number;
  /** Upper bound on the bytes of frame data held. */
  readonly maxBytes: number;
  /**
   * The transfer syntax the held frames' `data` is encoded in (one JPEG stream per frame);
   * undefined: raw samples. Set when the ring is fed encoded frames (RingEncoder).
   */
  readonly transferSyntaxUid?: string;
  /**
   * The packing the held frames' `data` is in (set instead of transferSyntaxUid): the frames
   * are fed as for an encoded ring, and leases unpack them into raw samples.
   */
  readonly packing?: RingPacking;
}

export interface RingStats {
  /** Frames offered by the source. */
  received: number;
  /** Frames dropped because the memory cap was reached while a capture held the oldest frames. */
  droppedFull: number;
  /** Frames refused because their size or format differs from the ring's. */
  rejectedSize: number;
  /** Frames the source itself lost (gaps in its sequence numbers). */
  sourceGaps: number;
  /** Frames the ring's encoder failed on (held raw: a capture encodes them itself). */
  encoderFailed: number;
  /** Frames the ring's encoder was too far behind to take (held raw, as above). */
  encoderSkipped: number;
  /** Held frames still raw in an encoded ring (waiting for the encoder). */
  rawFrames: number;
  /** Frames and bytes held now. */
  frames: number;
  bytes: number;
}

/**
 * A range of frames pinned in the ring. A capture reads it frame by frame with next() (waiting
 * for frames still to come when the lease follows the live source), advances past each frame
 * once it is written, so the ring may evict it, and releases the lease at the end.
 */
export interface RingLease {
  /** The lease follows the live source (the next N seconds): its frames are still arriving. */
  readonly live: boolean;
  /** The syntax the frames' data is encoded in (the ring's), or undefined for raw samples. */
  readonly transferSyntaxUid: string | undefined;
  /**
   * The next frame of the lease after the one next() last returned, waiting for it when the
   * lease is still open (the next N seconds); undefined once the lease's last frame was returned.
   */
  next(): Promise<Frame | undefined>;
  /** The frames of the lease still held, oldest first (a fresh array each call; a packed ring's as held, packed). */
  frames(): Frame[];
  /**
   * The frame's data in the ring's syntax: at once when encoded, after the ring's encoder
   * finished it when still raw; undefined when the encoder failed on it (its data is raw
   * samples: encode them) or for a raw ring.
   */
  encoded(frame: Frame): Promise<Uint8Array | undefined>;
  /** Unpins frames up to and including `sequence`, so the ring may evict them. */
  advance(sequence: number): void;
  release(): void;
}

/** A lease on the frames still to come, and whether the window filled before the source ended. */
export interface FollowingLease {
  readonly lease: RingLease;
  /** true when the N seconds were captured; false when the source ended first. */
  readonly complete: Promise<boolean>;
}

type Listener = (frame: Frame) => void;

export class FrameRingBuffer {
  private readonly frameBytes: number;
  private buf: Frame[] = [];
  /** Index of the oldest held frame in `buf` (compacted now and then instead of shifting). */
  private head = 0;
  private bytes = 0;
  private lastSequence = -1;
  /** Pinned ranges [from, end) of the leases (end Infinity while a following lease is open). */
  private readonly leases = new Set<{ from: number; end: number }>();
  private readonly listeners = new Set<Listener>();
  private readonly counters = { received: 0, droppedFull: 0, rejectedSize: 0, sourceGaps: 0, encoderFailed: 0, encoderSkipped: 0 };
  /** Encoded ring: held frames whose data is still raw, and who waits for their encoding. */
  private readonly raw = new Map<number, { waiters: ((d: Uint8Array | undefined) => void)[]; failed: boolean }>();
  /** Frames enter raw and are replaced by their encoding or packing (pushRaw, settle). */
  private readonly fedRaw: boolean;
  /** Called for every frame refused or dropped, with the reason; for logs. */
  onDrop: ((reason: 'full' | 'size', frame: Frame) => void) | undefined;

  constructor(readonly options: RingBufferOptions) {
    if (!(options.seconds > 0) || !(options.maxBytes > 0)) {
      throw new CaptureError('CAPTURE_BAD_ARGUMENT', 'ring buffer needs seconds > 0 and maxBytes > 0', { ...options });
    }
    if (options.transferSyntaxUid !== undefined && options.packing !== undefined) {
      throw new CaptureError('CAPTURE_BAD_ARGUMENT', 'a ring holds frames encoded or packed, not both', { transferSyntaxUid: options.transferSyntaxUid, packing: options.packing.id });
    }
    this.fedRaw = options.transferSyntaxUid !== undefined || options.packing !== undefined;
    this.frameBytes = options.width * options.height * bytesPerPixel(options.format);
    if (!this.fedRaw && this.frameBytes > options.maxBytes) {
      throw new CaptureError('CAPTURE_BAD_ARGUMENT', `one ${options.width}×${options.height} frame exceeds the ring's ${options.maxBytes} bytes`, { ...options });
    }
  }

  /**
   * Whether a raw frame from the source has the ring's geometry (for a raw ring: and its byte
   * size). A frame that does not is counted as rejected (and reported to onDrop).
   */
  acceptsRaw(frame: Frame): boolean {
    const o = this.options;
    if (frame.width === o.width && frame.height === o.height && frame.format === o.format && frame.data.length === this.frameBytes) return true;
    this.counters.received++;
    this.counters.rejectedSize++;
    this.onDrop?.('size', frame);
    return false;
  }

  /** Takes a frame from the source. Returns false when the frame was refused or dropped. Never throws for bad frames. */
  push(frame: Frame): boolean {
    const o = this.options;
    // A packed ring holds raw frames until they are packed: a frame pushed is one to pack.
    if (o.packing) return this.pushRaw(frame);
    if (o.transferSyntaxUid === undefined && !this.acceptsRaw(frame)) return false;
    this.counters.received++;
    if (frame.width !== o.width || frame.height !== o.height || frame.format !== o.format || frame.data.length === 0) {
      this.counters.rejectedSize++;
      this.onDrop?.('size', frame);
      return false;
    }
    return this.hold(frame);
  }

  /**
   * Encoded ring: takes a raw frame from the source, held raw until settle() gives its
   * encoding. Returns false when it was refused or dropped (as push).
   */
  pushRaw(frame: Frame): boolean {
    if (!this.fedRaw) return this.push(frame);
    if (!this.acceptsRaw(frame)) return false;
    this.counters.received++;
    if (!this.hold(frame)) return false;
    this.raw.set(frame.sequence, { waiters: [], failed: false });
    return true;
  }

  /** The frame, when it is held raw and waits for its encoding (undefined: evicted, encoded or failed). */
  rawFrame(sequence: number): Frame | undefined {
    const r = this.raw.get(sequence);
    if (r === undefined || r.failed) return undefined;
    const f = this.buf[this.indexFrom(sequence)];
    return f && f.sequence === sequence ? f : undefined;
  }

  /**
   * The encoding of a frame given with pushRaw, or why there is none: 'failed' (the encoder
   * failed on it) or 'skipped' (the encoder was too far behind to take it); such a frame stays
   * raw (counted), and a capture encodes it itself. A frame no longer held is ignored.
   */
  settle(sequence: number, encoded: Uint8Array | 'failed' | 'skipped'): void {
    const r = this.raw.get(sequence);
    if (!r || r.failed) return;
    const i = this.indexFrom(sequence);
    const f = this.buf[i];
    if (!f || f.sequence !== sequence) return;
    if (typeof encoded === 'string' || encoded.length === 0) {
      r.failed = true;
      if (encoded === 'skipped') this.counters.encoderSkipped++;
      else this.counters.encoderFailed++;
    } else {
      this.buf[i] = { ...f, data: encoded };
      this.bytes += encoded.byteLength - f.data.byteLength;
      this.raw.delete(sequence);
    }
    for (const w of r.waiters.splice(0)) w(typeof encoded === 'string' || r.failed ? undefined : encoded);
  }

  private encodedData(frame: Frame): Promise<Uint8Array | undefined> {
    if (this.options.transferSyntaxUid === undefined) return Promise.resolve(undefined);
    const r = this.raw.get(frame.sequence);
    if (!r) {
      // Encoded already; the frame object may be the raw one handed out before settle().
      const held = this.buf[this.indexFrom(frame.sequence)];
      return Promise.resolve(held && held.sequence === frame.sequence ? held.data : frame.data);
    }
    if (r.failed) return Promise.resolve(undefined);
    return new Promise((resolve) => r.waiters.push(resolve));
  }

  private hold(frame: Frame): boolean {
    this.noteSequence(frame.sequence);
    const size = frame.data.byteLength;
    this.evict(frame.timestampMs, size);
    if (this.bytes + size > this.options.maxBytes) {
      this.counters.droppedFull++;
      this.onDrop?.('full', frame);
      return false;
    }
    this.buf.push(frame);
    this.bytes += size;
    for (const l of this.listeners) l(frame);
    return true;
  }

  private noteSequence(sequence: number): void {
    if (this.lastSequence >= 0 && sequence > this.lastSequence + 1) this.counters.sourceGaps += sequence - this.lastSequence - 1;
    this.lastSequence = Math.max(this.lastSequence, sequence);
  }

  /** Drops frames older than the window, and frames over the memory cap, unless a lease holds them. */
  private evict(now: number, incoming: number): void {
    const windowMs = this.options.seconds * 1000;
    while (this.head < this.buf.length) {
      const oldest = this.buf[this.head]!;
      const tooOld = now - oldest.timestampMs > windowMs;
      const tooBig = this.bytes + incoming > this.options.maxBytes;
      if (!tooOld && !tooBig) break;
      if (this.pinned(oldest.sequence)) break;
      this.buf[this.head] = undefined as unknown as Frame;
      this.head++;
      this.bytes -= oldest.data.byteLength;
      const r = this.raw.get(oldest.sequence);
      if (r) {
        this.raw.delete(oldest.sequence);
        for (const w of r.waiters.splice(0)) w(undefined);
      }
    }
    if (this.head > 1024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
  }

  private pinned(sequence: number): boolean {
    for (const l of this.leases) if (sequence >= l.from && sequence < l.end) return true;
    return false;
  }

  stats(): RingStats {
    return { ...this.counters, rawFrames: this.fedRaw ? this.raw.size : 0, frames: this.buf.length - this.head, bytes: this.bytes };
  }

  /** The held frames, oldest first. */
  held(): Frame[] {
    return this.buf.slice(this.head);
  }

  /**
   * The span of time the held frames cover, with the last frame's own interval (1/fps): the
   * longest retrospective cine that can be taken now. 0 when empty.
   */
  heldSeconds(fps: number): number {
    const n = this.buf.length - this.head;
    if (n === 0) return 0;
    return (this.buf[this.buf.length - 1]!.timestampMs - this.buf[this.head]!.timestampMs) / 1000 + 1 / fps;
  }

  /**
   * The longest retrospective cine the ring can hold at all: its window, or what its byte cap
   * holds at the held frames' mean size (encoded frames vary) when that is less.
   */
  capacitySeconds(fps: number): number {
    const n = this.buf.length - this.head;
    const meanBytes = n > 0 ? this.bytes / n : this.frameBytes;
    return Math.min(this.options.seconds, Math.floor(this.options.maxBytes / meanBytes) / fps);
  }

  /** Pins the frames of the last `seconds` (by timestamp, counted back from the newest frame). */
  leaseLast(seconds: number): RingLease {
    const held = this.held();
    const newest = held[held.length - 1];
    const from = newest ? held.find((f) => newest.timestampMs - f.timestampMs < seconds * 1000 - 1e-6)!.sequence : Infinity;
    const lease = this.lease(from, false, () => undefined);
    lease.setEnd(newest ? newest.sequence + 1 : 0);
    return lease;
  }

  /**
   * Pins frames from the next one on, for `seconds` of capture time, and returns at once: the
   * lease yields each frame as it arrives, so a cine is written while it is recorded and the
   * ring only holds what the writer has not yet taken. The lease ends when the time is up, or
   * when `ended` resolves first (a source that stops mid-cine: `complete` is false).
   */
  follow(seconds: number, ended: Promise<unknown>, fromSequence = this.lastSequence + 1): FollowingLease {
    let first: number | undefined;
    let count = 0;
    let resolveDone!: (complete: boolean) => void;
    const complete = new Promise<boolean>((r) => (resolveDone = r));
    const listener: Listener = (f) => {
      // Frames captured before the request (still in the ring's encoder) are not "the next N s".
      if (f.sequence < fromSequence) return;
      first ??= f.timestampMs;
      count++;
      // A frame whose interval would end past the window is not part of it: N s holds N × fps
      // frames even when timestamps jitter by a little.
      const elapsed = f.timestampMs - first;
      const halfInterval = count > 1 ? elapsed / (count - 1) / 2 : 0;
      if (count > 1 && elapsed + halfInterval >= seconds * 1000) {
        this.listeners.delete(listener);
        lease.setEnd(f.sequence);
        resolveDone(true);
      }
    };
    const lease = this.lease(Math.max(fromSequence, this.lastSequence + 1), true, () => this.listeners.delete(listener));
    this.listeners.add(listener);
    const cut = (): void => {
      if (!this.listeners.has(listener)) return;
      this.listeners.delete(listener);
      lease.setEnd(this.lastSequence + 1);
      resolveDone(false);
    };
    void ended.then(cut, cut);
    return { lease, complete };
  }

  /** A held frame with raw samples: a packed one unpacked (the ring keeps it packed), others as held. */
  private async unpacked(f: Frame): Promise<Frame> {
    const packing = this.options.packing;
    // Still raw: not packed yet, or the packer failed on it or skipped it.
    if (!packing || this.raw.has(f.sequence)) return f;
    return { ...f, data: await packing.unpack(f.data, f) };
  }

  /** The index in `buf` of the first held frame with sequence ≥ `sequence` (buf.length if none). */
  private indexFrom(sequence: number): number {
    let lo = this.head;
    let hi = this.buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf[mid]!.sequence < sequence) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lease(from: number, live: boolean, onRelease: () => void): RingLease & { setEnd(endExclusive: number): void } {
    const state = { from, end: Infinity };
    this.leases.add(state);
    let cursor = from;
    let wake: (() => void) | undefined;
    const ring = this;
    const wakeOnFrame: Listener = () => wake?.();
    const stopWaiting = (): void => {
      ring.listeners.delete(wakeOnFrame);
      const w = wake;
      wake = undefined;
      w?.();
    };
    return {
      live,
      transferSyntaxUid: this.options.transferSyntaxUid,
      async next() {
        for (;;) {
          const i = ring.indexFrom(cursor);
          const f = ring.buf[i];
          if (f && f.sequence < state.end) {
            cursor = f.sequence + 1;
            return ring.unpacked(f);
          }
          // Sequences only grow: once the end is known, no frame of the lease is still to come.
          if (state.end !== Infinity || !ring.leases.has(state)) return undefined;
          await new Promise<void>((r) => {
            wake = r;
            ring.listeners.add(wakeOnFrame);
          });
          ring.listeners.delete(wakeOnFrame);
        }
      },
      frames: () => ring.held().filter((f) => f.sequence >= state.from && f.sequence < state.end),
      encoded: (frame) => ring.encodedData(frame),
      advance: (sequence) => {
        state.from = Math.max(state.from, sequence + 1);
      },
      release: () => {
        ring.leases.delete(state);
        onRelease();
        stopWaiting();
      },
      setEnd(endExclusive: number) {
        if (state.end === Infinity) state.end = endExclusive;
        stopWaiting();
      },
    };
  }
}
