/**
 * What the service screen shows about USB (GET /api/usb): the monitor's current listing and the
 * last hot-plug events with their time, newest last, bounded so a flapping cable cannot grow it.
 */
import type { Clock } from '../clock.js';
import type { UsbDeviceInfo, UsbListing, UsbMonitor } from './types.js';

export interface UsbEvent {
  /** ISO 8601 */
  readonly time: string;
  readonly kind: 'attach' | 'detach';
  readonly device: UsbDeviceInfo;
}

export interface UsbSnapshot {
  readonly listing: UsbListing;
  readonly events: readonly UsbEvent[];
}

export class UsbHistory {
  private readonly events: UsbEvent[] = [];
  private readonly onAttach = (d: UsbDeviceInfo): void => this.push('attach', d);
  private readonly onDetach = (d: UsbDeviceInfo): void => this.push('detach', d);

  constructor(
    readonly monitor: UsbMonitor,
    private readonly clock: Clock,
    private readonly keep = 50,
  ) {}

  /** Starts the monitor; never throws (the monitor reports trouble as "unavailable"). */
  async start(): Promise<void> {
    this.monitor.on('attached', this.onAttach);
    this.monitor.on('detached', this.onDetach);
    await this.monitor.start();
  }

  stop(): void {
    this.monitor.stop();
    this.monitor.off('attached', this.onAttach);
    this.monitor.off('detached', this.onDetach);
  }

  snapshot(): UsbSnapshot {
    return { listing: this.monitor.listing(), events: [...this.events] };
  }

  private push(kind: UsbEvent['kind'], device: UsbDeviceInfo): void {
    this.events.push({ time: this.clock.now().toISOString(), kind, device });
    if (this.events.length > this.keep) this.events.splice(0, this.events.length - this.keep);
  }
}
