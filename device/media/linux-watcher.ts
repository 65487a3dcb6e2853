import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { access, constants, readFile, statfs } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { unmount, unmountCommands } from './eject-command.js';
import { fsTypeOf, unescapeMount } from './space.js';
import type { EjectResult, MediaWatcher, MediaWatcherEvents, Volume } from './watcher.js';

const run = promisify(execFile);

/** A drive as the enumeration sees it, before free space and writability are measured. */
interface Candidate {
  readonly device: string;
  readonly mountPoint: string;
  readonly label: string;
  readonly removable: boolean;
  readonly system: boolean;
}

/** drivelist's shape, the part we use (its own types are not needed for that). */
interface DrivelistDrive {
  device: string;
  isRemovable: boolean;
  isSystem: boolean;
  isVirtual: boolean;
  mountpoints: { path: string; label: string | null }[];
}

/**
 * The real watcher on Linux. Enumerates with `drivelist` (node-gyp built; it asks lsblk on
 * Linux) and, where that package did not build, from /proc/mounts and
 * /sys/block/<disk>/removable. Hot-plug: `udevadm monitor` block events trigger a re-list at
 * once, and a slow poll catches what udev does not say (a mount done after the add event).
 */
export class LinuxMediaWatcher extends EventEmitter<MediaWatcherEvents> implements MediaWatcher {
  private known = new Map<string, Volume>();
  private timer: NodeJS.Timeout | undefined;
  private udev: ChildProcess | undefined;
  private refreshing: Promise<void> | undefined;

  /**
   * `removableOf` answers "is this disk removable?" (default: /sys/block/<disk>/removable); the
   * contract test passes one that also calls its loop-mounted FAT image removable, so the
   * rest (mount table, statfs, file system type, write access, events) runs for real.
   * `path`: the PATH the unmount commands are looked up on (default: the process's).
   */
  constructor(private readonly opts: { pollMs?: number; useDrivelist?: boolean; removableOf?: (disk: string) => Promise<boolean>; path?: string } = {}) {
    super();
  }

  async list(): Promise<Volume[]> {
    const fromMounts = (): Promise<Candidate[]> => fromProcMounts(undefined, this.opts.removableOf);
    const candidates = (this.opts.useDrivelist ?? true) ? ((await fromDrivelist()) ?? (await fromMounts())) : await fromMounts();
    const out: Volume[] = [];
    for (const c of candidates) {
      if (!c.removable || c.system) continue;
      const v = await measure(c);
      if (v?.writable) out.push(v);
    }
    return out.sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
  }

  async start(): Promise<void> {
    for (const v of await this.list()) this.known.set(v.id, v);
    this.timer = setInterval(() => void this.refresh(), this.opts.pollMs ?? 2000);
    this.timer.unref();
    try {
      this.udev = spawn('udevadm', ['monitor', '--udev', '--subsystem-match=block'], { stdio: ['ignore', 'pipe', 'ignore'] });
      this.udev.on('error', () => (this.udev = undefined)); // no udevadm: polling alone
      this.udev.stdout?.on('data', () => void this.refresh());
      this.udev.unref();
    } catch {
      this.udev = undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.udev?.kill();
    this.udev = undefined;
    await this.refreshing;
  }

  async eject(volume: Volume): Promise<EjectResult> {
    try {
      await run('sync', ['-f', volume.mountPoint]);
    } catch (e) {
      return { volume, mayRemove: false, message: `${volume.mountPoint} could not be flushed (${(e as Error).message.split('\n')[0]}); do not remove it yet` };
    }
    // systemd-mount --umount (allowed to the service user by polkit), else umount
    const outcome = await unmount(await unmountCommands(volume.mountPoint, this.opts.path));
    if (!outcome.ok) {
      return { volume, mayRemove: false, message: `${volume.mountPoint} could not be unmounted (${outcome.failures.join('; ')}); do not remove it yet` };
    }
    await this.refresh();
    return { volume, mayRemove: true, message: `${volume.label || volume.device} may be removed` };
  }

  private refresh(): Promise<void> {
    // One enumeration at a time; events arrive in bursts.
    this.refreshing ??= (async () => {
      try {
        const now = new Map((await this.list()).map((v) => [v.id, v]));
        for (const [id, v] of this.known) if (!now.has(id)) this.emit('removed', v);
        for (const [id, v] of now) if (!this.known.has(id)) this.emit('added', v);
        this.known = now;
      } catch (e) {
        this.emit('error', e as Error);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}

async function fromDrivelist(): Promise<Candidate[] | undefined> {
  let mod: { list: () => Promise<DrivelistDrive[]> };
  try {
    mod = (await import('drivelist')) as unknown as { list: () => Promise<DrivelistDrive[]> };
  } catch {
    return undefined; // native module not built here: /proc/mounts instead
  }
  const drives = await mod.list();
  return drives.flatMap((d) =>
    d.mountpoints.map((m) => ({
      device: d.device,
      mountPoint: m.path,
      label: m.label ?? '',
      removable: d.isRemovable && !d.isVirtual,
      system: d.isSystem,
    })),
  );
}

/** /proc/mounts lines for block devices whose disk says removable=1 in sysfs. */
export async function fromProcMounts(mountsText?: string, removableOf: (disk: string) => Promise<boolean> = sysRemovable): Promise<Candidate[]> {
  const text = mountsText ?? (await readFile('/proc/mounts', 'utf8'));
  const out: Candidate[] = [];
  for (const line of text.split('\n')) {
    const [dev, mp] = line.split(' ');
    if (!dev?.startsWith('/dev/') || !mp) continue;
    const disk = diskOf(basename(dev));
    out.push({ device: dev, mountPoint: unescapeMount(mp), label: '', removable: await removableOf(disk), system: unescapeMount(mp) === '/' });
  }
  return out;
}

/** sdb1 → sdb, mmcblk0p1 → mmcblk0, nvme0n1p2 → nvme0n1, loop3 → loop3, loop3p1 → loop3. */
export function diskOf(partition: string): string {
  const m = /^(mmcblk\d+|nvme\d+n\d+|loop\d+)(p\d+)?$/.exec(partition);
  if (m) return m[1]!;
  return partition.replace(/\d+$/, '');
}

async function sysRemovable(disk: string): Promise<boolean> {
  try {
    return (await readFile(`/sys/block/${disk}/removable`, 'utf8')).trim() === '1';
  } catch {
    return false;
  }
}

async function measure(c: Candidate): Promise<Volume | undefined> {
  try {
    const s = await statfs(c.mountPoint);
    const writable = await access(c.mountPoint, constants.W_OK).then(() => true, () => false);
    return {
      id: `${c.device}@${c.mountPoint}`,
      device: c.device,
      mountPoint: c.mountPoint,
      label: c.label,
      fsType: await fsTypeOf(c.mountPoint),
      size: s.blocks * s.bsize,
      free: s.bavail * s.bsize,
      removable: c.removable,
      writable,
    };
  } catch {
    return undefined; // unmounted between enumeration and measuring
  }
}
