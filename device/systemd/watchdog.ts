/**
 * Feeds the systemd watchdog only while the service is healthy, so that systemd (WatchdogSec=)
 * kills and restarts a service that is alive but stuck:
 * - the event loop must be turning: the ping is sent from a timer, and a tick that fires later
 *   than `maxLagMs` after it was due counts as a stall (the loop was blocked), so no ping;
 * - the service's own checks must pass (the send queue is moving, the database answers):
 *   `health()` is supplied by the service.
 * Pings go every half period (systemd's advice); two missed pings in a row are still within the
 * period, so one slow tick does not get the service killed, a stuck one does.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import type { SystemdNotifier } from './notify.js';

export type Health = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface WatchdogOptions {
  readonly notifier: SystemdNotifier;
  /** WatchdogSec in ms (watchdogIntervalMs()). */
  readonly periodMs: number;
  readonly clock: Clock;
  readonly health: () => Health | Promise<Health>;
  /** A tick this late means the event loop was blocked (default: a quarter period). */
  readonly maxLagMs?: number;
  readonly logger?: Logger;
}

export class Watchdog {
  private timer: TimerHandle | undefined;
  private dueAt = 0;
  private running = false;
  private lastReason: string | undefined;
  private readonly log: Logger;
  /** Pings sent and ticks withheld (for the service screen and tests). */
  pings = 0;
  withheld = 0;

  constructor(private readonly o: WatchdogOptions) {
    this.log = (o.logger ?? nullLogger).child({ component: 'watchdog' });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
  }

  private arm(): void {
    const every = this.o.periodMs / 2;
    this.dueAt = this.o.clock.monotonicMs() + every;
    this.timer = this.o.clock.setTimeout(() => void this.tick(), every);
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const lag = this.o.clock.monotonicMs() - this.dueAt;
    const maxLag = this.o.maxLagMs ?? this.o.periodMs / 4;
    let health: Health;
    if (lag > maxLag) health = { ok: false, reason: `event loop stalled ${Math.round(lag)} ms` };
    else {
      try {
        health = await this.o.health();
      } catch (e) {
        health = { ok: false, reason: `health check threw: ${(e as Error).message}` };
      }
    }
    if (!this.running) return;
    if (health.ok) {
      this.pings++;
      if (this.lastReason !== undefined) {
        this.log.info('healthy again, watchdog fed');
        this.lastReason = undefined;
      }
      await this.o.notifier.watchdog();
    } else {
      this.withheld++;
      if (health.reason !== this.lastReason) {
        this.log.warn('watchdog not fed', { reason: health.reason });
        void this.o.notifier.status(`unhealthy: ${health.reason}`);
      }
      this.lastReason = health.reason;
    }
    if (this.running) this.arm();
  }
}
