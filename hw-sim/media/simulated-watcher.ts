import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EjectResult, MediaWatcher, MediaWatcherEvents, Volume } from '../../device/media/watcher.js';

/** The file that makes a directory under the watcher's root an inserted simulated medium. */
export const SIM_VOLUME_MARKER = '.sim-volume.json';

interface SimVolume {
  readonly name: string;
  readonly fsType: string;
  readonly size: number;
  readonly writable: boolean;
}

/**
 * Simulated removable media: each volume is a directory under `root`, its "mount point".
 * `insert` and `pull` stand for a stick going in and coming out (`pull` deletes the directory,
 * as a medium pulled mid-write makes every later write fail). Size is what the test says;
 * free is that size less what the directory holds.
 */
export class SimulatedMediaWatcher extends EventEmitter<MediaWatcherEvents> implements MediaWatcher {
  private readonly volumes = new Map<string, SimVolume>();
  /** Volumes the poller found by their marker (only these can vanish by losing it). */
  private readonly polled = new Set<string>();
  private started = false;
  private poller: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  /**
   * `pollMs`: also watch `root` for volumes inserted by another process (`hw-sim/media/cli.ts
   * insert NAME`, or a test driving `sonicart serve`): a directory holding SIM_VOLUME_MARKER is
   * an inserted medium; the marker gone is a medium ejected or pulled.
   */
  constructor(
    readonly root: string,
    private readonly opts: { pollMs?: number } = {},
  ) {
    super();
  }

  async insert(name: string, opts: { fsType?: string; size?: number; writable?: boolean } = {}): Promise<Volume> {
    const v: SimVolume = { name, fsType: opts.fsType ?? 'vfat', size: opts.size ?? 8 * 2 ** 30, writable: opts.writable ?? true };
    await mkdir(join(this.root, name), { recursive: true });
    this.volumes.set(name, v);
    const vol = await this.volume(v);
    if (this.started && vol.writable) this.emit('added', vol);
    return vol;
  }

  async pull(name: string): Promise<void> {
    const v = this.volumes.get(name);
    if (!v) return;
    const vol = await this.volume(v);
    this.volumes.delete(name);
    this.polled.delete(name);
    await rm(join(this.root, name), { recursive: true, force: true });
    if (this.started && vol.writable) this.emit('removed', vol);
  }

  async list(): Promise<Volume[]> {
    const out: Volume[] = [];
    for (const v of this.volumes.values()) {
      const vol = await this.volume(v);
      if (vol.writable) out.push(vol);
    }
    return out.sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
  }

  async start(): Promise<void> {
    this.started = true;
    if (this.opts.pollMs && !this.poller) {
      await this.poll();
      this.poller = setInterval(() => void (this.polling = this.polling.then(() => this.poll())), this.opts.pollMs);
      this.poller.unref();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    await this.polling;
  }

  /** Brings the map in line with the markers under `root` (media inserted or pulled by another process). */
  private async poll(): Promise<void> {
    const seen = new Set<string>();
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const marker = await readFile(join(this.root, e.name, SIM_VOLUME_MARKER), 'utf8').catch(() => undefined);
      if (marker === undefined) continue;
      seen.add(e.name);
      if (this.volumes.has(e.name)) continue;
      let m: { fsType?: unknown; size?: unknown; writable?: unknown } = {};
      try {
        m = JSON.parse(marker) as typeof m;
      } catch {
        // An empty or foreign marker still means "inserted", with the defaults.
      }
      const v: SimVolume = {
        name: e.name,
        fsType: typeof m.fsType === 'string' ? m.fsType : 'vfat',
        size: typeof m.size === 'number' ? m.size : 8 * 2 ** 30,
        writable: m.writable !== false,
      };
      this.volumes.set(e.name, v);
      this.polled.add(e.name);
      const vol = await this.volume(v);
      if (this.started && vol.writable) this.emit('added', vol);
    }
    for (const [name, v] of [...this.volumes]) {
      if (seen.has(name) || !this.polled.has(name)) continue;
      this.volumes.delete(name);
      this.polled.delete(name);
      const vol = await this.volume(v);
      if (this.started && vol.writable) this.emit('removed', vol);
    }
  }

  async eject(volume: Volume): Promise<EjectResult> {
    const name = [...this.volumes.values()].find((v) => join(this.root, v.name) === volume.mountPoint)?.name;
    if (name) {
      this.volumes.delete(name);
      this.polled.delete(name);
      // Unmounted: it stays in the slot (the directory) but is no longer a volume, also for the poller.
      await rm(join(this.root, name, SIM_VOLUME_MARKER), { force: true });
      if (this.started) this.emit('removed', volume);
    }
    return { volume, mayRemove: true, message: `${volume.label} may be removed` };
  }

  private async volume(v: SimVolume): Promise<Volume> {
    const mountPoint = join(this.root, v.name);
    const used = await usedBytes(mountPoint);
    return {
      id: `sim:${v.name}`,
      device: `sim:${v.name}`,
      mountPoint,
      label: v.name,
      fsType: v.fsType,
      size: v.size,
      free: Math.max(0, v.size - used),
      removable: true,
      writable: v.writable,
    };
  }
}

async function usedBytes(dir: string): Promise<number> {
  let n = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  // The marker stands for the medium itself, not for a file on it.
  for (const e of entries) if (e.isFile() && e.name !== SIM_VOLUME_MARKER) n += (await stat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  return n;
}
