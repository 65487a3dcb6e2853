import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxMediaWatcher, diskOf, fromProcMounts } from '../../../device/media/linux-watcher.js';
import type { MediaWatcher, Volume } from '../../../device/media/watcher.js';
import { SimulatedMediaWatcher } from '../../../hw-sim/media/simulated-watcher.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-watch-')));
/** Detaches the loop-mounted image whatever happened in the test. */
let unplugLoop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await unplugLoop?.();
  unplugLoop = undefined;
  await cleanup();
});

/** A watcher and a way to plug and pull one medium (returns its mount point). */
interface Rig {
  w: MediaWatcher;
  plug: () => Promise<string>;
  unplug: () => Promise<void>;
}

/** The MediaWatcher contract, for any implementation. */
function contract(name: string, make: () => Promise<Rig>, skip?: string): void {
  describe.skipIf(skip !== undefined)(`${name} keeps the MediaWatcher contract${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
    it('lists only removable, writable volumes, with sizes; a plugged medium is among them', async () => {
      const { w, plug, unplug } = await make();
      const mountPoint = await plug();
      const list = await w.list();
      expect(list.map((v) => v.mountPoint)).toContain(mountPoint);
      for (const v of list) {
        expect(v.removable && v.writable).toBe(true);
        expect(v.size).toBeGreaterThan(0);
        expect(v.free).toBeLessThanOrEqual(v.size);
        expect(v.fsType).not.toBe('');
      }
      await unplug();
      expect((await w.list()).map((v) => v.mountPoint)).not.toContain(mountPoint);
    });

    it('emits added and removed once per change after start, and stops cleanly', async () => {
      const { w, plug, unplug } = await make();
      const seen: string[] = [];
      w.on('added', (v: Volume) => seen.push(`+${basename(v.mountPoint)}`));
      w.on('removed', (v: Volume) => seen.push(`-${basename(v.mountPoint)}`));
      await w.start();
      const added = once(w, 'added');
      const mountPoint = await plug();
      await added;
      const removed = once(w, 'removed');
      await unplug();
      await removed;
      await w.stop();
      expect(seen).toEqual([`+${basename(mountPoint)}`, `-${basename(mountPoint)}`]);
    });
  });
}

contract('SimulatedMediaWatcher', async () => {
  const w = new SimulatedMediaWatcher(dir);
  await w.insert('SDCARD', { size: 2 ** 30, fsType: 'vfat' });
  await w.insert('LOCKED', { writable: false });
  return { w, plug: async () => (await w.insert('STICK')).mountPoint, unplug: () => w.pull('STICK') };
});

/**
 * The real watcher on a real file system: an image made by mkfs, attached to a loop device and
 * mounted by the kernel, found through /proc/mounts, statfs and the mount's type. FAT, as on a
 * stick, when this kernel can mount it; otherwise ext4 (some sandboxed kernels have no vfat).
 * A loop device is not removable in sysfs, so only that answer is given by the test.
 */
const FS = /\bvfat\b/.test(readFileSync('/proc/filesystems', 'utf8')) ? 'vfat' : 'ext4';
const loopSkip = ((): string | undefined => {
  if (process.getuid?.() !== 0) return 'needs root to attach a loop device and mount it';
  try {
    execFileSync('losetup', ['--find'], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `no free loop device here (${(e as Error).message.split('\n')[0]})`;
  }
})();

contract(
  `LinuxMediaWatcher (a loop-mounted ${FS} image)`,
  async () => {
    let loopDisk = '';
    const w = new LinuxMediaWatcher({ useDrivelist: false, pollMs: 50, removableOf: async (disk) => disk === loopDisk });
    const image = join(dir, 'stick.img');
    const mnt = join(dir, 'STICK');
    const plug = async (): Promise<string> => {
      if (FS === 'vfat') execFileSync('mkfs.fat', ['-C', '-n', 'STICK', image, '8192'], { stdio: 'pipe' });
      else {
        await writeFile(image, new Uint8Array(0));
        await truncate(image, 16 * 1024 * 1024);
        execFileSync('mkfs.ext4', ['-q', '-L', 'STICK', image], { stdio: 'pipe' });
      }
      const dev = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim();
      loopDisk = basename(dev);
      await mkdir(mnt);
      let mounted = false;
      unplugLoop = async () => {
        unplugLoop = undefined;
        if (mounted) execFileSync('umount', [mnt], { stdio: 'pipe' });
        mounted = false;
        execFileSync('losetup', ['-d', dev], { stdio: 'pipe' });
      };
      execFileSync('mount', ['-t', FS, dev, mnt], { stdio: 'pipe' });
      mounted = true;
      return mnt;
    };
    return { w, plug, unplug: async () => unplugLoop?.() };
  },
  loopSkip,
);

describe('SimulatedMediaWatcher', () => {
  it('never lists a read-only medium; free space shrinks as files land', async () => {
    const w = new SimulatedMediaWatcher(dir);
    await w.insert('RO', { writable: false });
    const v = await w.insert('SD', { size: 1_000_000 });
    expect((await w.list()).map((x) => x.label)).toEqual(['SD']);
    await mkdir(join(v.mountPoint, 'DICOM'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(v.mountPoint, 'DICOM', 'X'), new Uint8Array(4000));
    expect((await w.list())[0]!.free).toBe(996_000);
    expect((await w.eject(v)).mayRemove).toBe(true);
  });
});

describe('Linux enumeration without drivelist', () => {
  it('takes removable block devices from /proc/mounts and never the root disk', async () => {
    const mounts = [
      '/dev/vda1 / ext4 rw 0 0',
      '/dev/sdb1 /media/cart/USB\\040STICK vfat rw 0 0',
      '/dev/mmcblk0p1 /media/cart/SD vfat rw 0 0',
      'proc /proc proc rw 0 0',
    ].join('\n');
    const removable = new Set(['sdb', 'mmcblk0']);
    const c = await fromProcMounts(mounts, async (d) => removable.has(d));
    expect(c.map((x) => [x.device, x.mountPoint, x.removable, x.system])).toEqual([
      ['/dev/vda1', '/', false, true],
      ['/dev/sdb1', '/media/cart/USB STICK', true, false],
      ['/dev/mmcblk0p1', '/media/cart/SD', true, false],
    ]);
  });

  it('names the disk of a partition', () => {
    expect(['sdb1', 'mmcblk0p1', 'nvme0n1p2', 'sdc', 'loop3', 'loop3p1'].map(diskOf)).toEqual(['sdb', 'mmcblk0', 'nvme0n1', 'sdc', 'loop3', 'loop3']);
  });

  it('lists through /proc/mounts when asked not to use drivelist', async () => {
    const list = await new LinuxMediaWatcher({ useDrivelist: false }).list();
    expect(list.every((v) => v.removable && v.mountPoint !== '/')).toBe(true);
  });
});
