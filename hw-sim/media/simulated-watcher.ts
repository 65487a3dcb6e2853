import { EventEmitter } from 'node:events';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EjectResult, MediaWatcher, MediaWatcherEvents, Volume } from '../../device/media/watcher.js';

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
  private started = false;

  constructor(readonly root: string) {
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
  }

  async stop(): Promise<void> {
    this.started = false;
  }

  async eject(volume: Volume): Promise<EjectResult> {
    const name = [...this.volumes.values()].find((v) => join(this.root, v.name) === volume.mountPoint)?.name;
    if (name) {
      this.volumes.delete(name);
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
  for (const e of entries) if (e.isFile()) n += (await stat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  return n;
}
