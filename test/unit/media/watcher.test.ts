import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxMediaWatcher, diskOf, fromProcMounts } from '../../../device/media/linux-watcher.js';
import type { MediaWatcher, Volume } from '../../../device/media/watcher.js';
import { SimulatedMediaWatcher } from '../../../hw-sim/media/simulated-watcher.js';
import { scratchDir } from '../../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir('sonicart-watch-')));
afterEach(() => cleanup());

/** The MediaWatcher contract, for any implementation. */
function contract(name: string, make: () => Promise<{ w: MediaWatcher; plug?: () => Promise<void>; unplug?: () => Promise<void> }>): void {
  describe(`${name} keeps the MediaWatcher contract`, () => {
    it('lists only removable, writable volumes, with sizes', async () => {
      const { w } = await make();
      for (const v of await w.list()) {
        expect(v.removable && v.writable).toBe(true);
        expect(v.size).toBeGreaterThan(0);
        expect(v.free).toBeLessThanOrEqual(v.size);
        expect(v.fsType).not.toBe('');
      }
    });

    it('emits added and removed once per change after start, and stops cleanly', async () => {
      const { w, plug, unplug } = await make();
      if (!plug || !unplug) return;
      const seen: string[] = [];
      w.on('added', (v: Volume) => seen.push(`+${v.label}`));
      w.on('removed', (v: Volume) => seen.push(`-${v.label}`));
      await w.start();
      await plug();
      await unplug();
      await w.stop();
      expect(seen).toEqual(['+STICK', '-STICK']);
    });
  });
}

contract('SimulatedMediaWatcher', async () => {
  const w = new SimulatedMediaWatcher(dir);
  await w.insert('SDCARD', { size: 2 ** 30, fsType: 'vfat' });
  await w.insert('LOCKED', { writable: false });
  return { w, plug: async () => void (await w.insert('STICK')), unplug: () => w.pull('STICK') };
});

contract('LinuxMediaWatcher (this machine)', async () => ({ w: new LinuxMediaWatcher() }));

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
    expect(['sdb1', 'mmcblk0p1', 'nvme0n1p2', 'sdc'].map(diskOf)).toEqual(['sdb', 'mmcblk0', 'nvme0n1', 'sdc']);
  });

  it('lists through /proc/mounts when asked not to use drivelist', async () => {
    const list = await new LinuxMediaWatcher({ useDrivelist: false }).list();
    expect(list.every((v) => v.removable && v.mountPoint !== '/')).toBe(true);
  });
});
