import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import type { UsbBackend, UsbDeviceInfo, UsbListing, UsbMonitor, UsbMonitorEvents } from './types.js';

const keyOf = (d: UsbDeviceInfo): string => `${d.port} ${d.ids} ${d.serial ?? ''}`;

/**
 * Lists USB devices for the service screen and reports hot-plug. Optional by design: every
 * failure of the backend becomes `{available: false, reason}` and nothing throws out of here,
 * because the cart scans and sends without USB information. Hot-plug is a poll that diffs the
 * lists (see usb-package-backend.ts for why not the package's events); the same poll notices
 * USB becoming available or going away.
 */
export class PolledUsbMonitor extends EventEmitter<UsbMonitorEvents> implements UsbMonitor {
  private current: UsbListing;
  private known = new Map<string, UsbDeviceInfo>();
  private timer: TimerHandle | undefined;
  private running = false;
  private scanning: Promise<UsbListing> | undefined;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pollMs: number;

  constructor(
    private readonly backend: UsbBackend,
    options: { clock?: Clock; logger?: Logger; pollMs?: number } = {},
  ) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? nullLogger).child({ component: 'usb' });
    this.pollMs = options.pollMs ?? 2000;
    this.current = { available: false, source: backend.name, reason: 'not scanned yet' };
  }

  listing(): UsbListing {
    return this.current;
  }

  /** One scan at a time; concurrent callers share it. */
  refresh(): Promise<UsbListing> {
    return (this.scanning ??= this.scan().finally(() => (this.scanning = undefined)));
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      void this.refresh().then(() => this.schedule());
    }, this.pollMs);
  }

  private async scan(): Promise<UsbListing> {
    let next: UsbListing;
    try {
      next = { available: true, source: this.backend.name, devices: await this.backend.list() };
    } catch (e) {
      next = { available: false, source: this.backend.name, reason: (e as Error).message };
    }
    const before = this.current;
    this.current = next;
    if (before.available !== next.available || (!next.available && !before.available && before.reason !== next.reason)) {
      if (next.available) this.log.info('usb available', { source: next.source, devices: next.devices.length });
      else this.log.info('usb unavailable', { source: next.source, reason: next.reason });
      this.safeEmit('listing', next);
    }
    // Devices seen when USB first becomes readable are the baseline, not hot-plug events.
    const baseline = next.available && !before.available;
    if (next.available) {
      const seen = new Map(next.devices.map((d) => [keyOf(d), d]));
      if (!baseline) {
        for (const [k, d] of this.known) if (!seen.has(k)) this.safeEmit('detached', d);
        for (const [k, d] of seen) if (!this.known.has(k)) this.safeEmit('attached', d);
      }
      this.known = seen;
    }
    return next;
  }

  private safeEmit<K extends keyof UsbMonitorEvents>(event: K, ...args: UsbMonitorEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: UsbMonitorEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error('usb event listener threw', { event, error: e });
    }
  }
}
