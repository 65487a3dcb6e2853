/**
 * Time behind an interface, so that the service's retries, worklist refreshes, commitment
 * time-outs and DICOM timers can be driven by a test without waiting: production code asks the
 * clock, never `Date.now()` or `setTimeout` directly.
 */

/** A scheduled callback; `cancel()` is idempotent. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Wall-clock time (for DICOM dates, the audit trail and `retry-at` columns). */
  now(): Date;
  /** Milliseconds on a monotonic clock (for durations and ages; never goes backwards). */
  monotonicMs(): number;
  /** Calls `fn` once after `ms` milliseconds of this clock's time. Does not keep the process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** The real clock of the machine. */
export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
  setTimeout(fn, ms) {
    const h = setTimeout(fn, Math.max(0, ms));
    h.unref();
    return { cancel: () => clearTimeout(h) };
  },
};

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs every timer that falls due, in due
 * order (ties in the order they were set), including timers that those callbacks set within the
 * advanced span.
 */
export class ManualClock implements Clock {
  private wallMs: number;
  private mono = 0;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: Date = new Date('2026-01-05T09:00:00Z')) {
    this.wallMs = start.getTime();
  }

  now(): Date {
    return new Date(this.wallMs);
  }

  monotonicMs(): number {
    return this.mono;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const p: Pending = { at: this.mono + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return { cancel: () => void (p.cancelled = true) };
  }

  /** Timers not yet run or cancelled. */
  get pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  advance(ms: number): void {
    const target = this.mono + ms;
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      }
      if (!next) break;
      this.wallMs += next.at - this.mono;
      this.mono = next.at;
      next.cancelled = true;
      next.fn();
    }
    this.wallMs += target - this.mono;
    this.mono = target;
  }
}
