/**
 * The timers of one association (conformance §1 and PS3.8 ARTIM), on a Clock so that a test
 * can drive them without waiting. Each timer names itself when it fires.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { AssociationTimers } from './config.js';
import type { TimerName } from './errors.js';

export class AssociationTimerSet {
  private readonly handles = new Map<TimerName, TimerHandle>();
  /** When a PDU was last sent or received (the inactivity timer checks it when it fires). */
  private lastActivity = 0;

  constructor(
    private readonly clock: Clock,
    readonly values: AssociationTimers,
    /** Called once per expiry, with the configured duration of the timer that fired. */
    private readonly onExpired: (name: TimerName, ms: number) => void,
  ) {}

  /** Starts (or restarts) a timer; a non-positive or infinite duration means "no timer". */
  start(name: TimerName, ms: number): void {
    this.stop(name);
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.handles.set(name, this.clock.setTimeout(() => this.fired(name, ms), ms));
  }

  stop(name: TimerName): void {
    this.handles.get(name)?.cancel();
    this.handles.delete(name);
  }

  stopAll(): void {
    for (const name of [...this.handles.keys()]) this.stop(name);
  }

  /**
   * Called for every PDU sent or received, so it only notes the time: the one timer, armed
   * when none is, looks at that time when it fires and re-arms itself for the rest (a timer
   * cancelled and created per 16 KiB PDU cost more than encoding it).
   */
  activity(): void {
    this.lastActivity = this.clock.monotonicMs();
    if (!this.handles.has('inactivity')) this.start('inactivity', this.values.inactivityMs);
  }

  private fired(name: TimerName, ms: number): void {
    this.handles.delete(name);
    if (name === 'inactivity') {
      ms = this.values.inactivityMs; // the timer may have been re-armed for the rest only
      const quiet = this.clock.monotonicMs() - this.lastActivity;
      // setTimeout may fire up to a millisecond early by the performance clock.
      if (quiet < ms - 1) {
        this.start('inactivity', ms - quiet);
        return;
      }
    }
    this.onExpired(name, ms);
  }
}
