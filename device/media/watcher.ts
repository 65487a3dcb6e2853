import type { EventEmitter } from 'node:events';

/**
 * A removable volume the cart may export to: a USB stick or SD card partition that is mounted
 * and writable. A system disk is never a Volume.
 */
export interface Volume {
  /** Stable while the medium stays in: the block device (e.g. /dev/sdb1) or, simulated, a name. */
  readonly id: string;
  readonly device: string;
  readonly mountPoint: string;
  readonly label: string;
  /** As the kernel names it: vfat, exfat, ext4 … */
  readonly fsType: string;
  readonly size: number;
  readonly free: number;
  readonly removable: boolean;
  readonly writable: boolean;
}

export type MediaWatcherEvents = {
  /** A volume was mounted (a stick plugged in). */
  added: [Volume];
  /** A volume went away (pulled, or unmounted). */
  removed: [Volume];
  /** Enumeration failed; the watcher keeps going and tries again. */
  error: [Error];
};

export interface EjectResult {
  readonly volume: Volume;
  /** True once buffers are flushed and the volume is unmounted: the medium may be pulled. */
  readonly mayRemove: boolean;
  readonly message: string;
}

/**
 * Watches removable media. The contract, which the real watcher and the simulated one in
 * hw-sim/ both keep:
 * - `list()` returns only removable, mounted, writable volumes, with size and free space taken
 *   now (not cached), sorted by mount point.
 * - after `start()`, `added` and `removed` are emitted once per change, never for volumes that
 *   were already there at start; `stop()` ends all watching and timers.
 * - `eject(volume)` flushes and unmounts; `mayRemove` says whether the medium may be pulled.
 */
export interface MediaWatcher extends EventEmitter<MediaWatcherEvents> {
  list(): Promise<Volume[]>;
  start(): Promise<void>;
  stop(): Promise<void>;
  eject(volume: Volume): Promise<EjectResult>;
}
