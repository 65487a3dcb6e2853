/**
 * The simulated media watcher also sees media inserted by another process (a marker file in a
 * directory under its root), which is how a test or a demo puts a stick into a running
 * `sonicart serve`; ejecting removes the marker so the poller does not bring the volume back.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Volume } from '../../../device/media/watcher.js';
import { SIM_VOLUME_MARKER, SimulatedMediaWatcher } from '../../../hw-sim/media/simulated-watcher.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function next(w: SimulatedMediaWatcher, ev: 'added' | 'removed'): Promise<Volume> {
  return new Promise((resolve) => w.once(ev, resolve));
}

describe('SimulatedMediaWatcher polling', () => {
  it('adds a volume whose marker appears, removes it when the directory goes, and keeps an ejected one out', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sonicart-simpoll-'));
    const w = new SimulatedMediaWatcher(root, { pollMs: 20 });
    cleanups.push(async () => {
      await w.stop();
      await rm(root, { recursive: true, force: true });
    });
    await mkdir(join(root, 'NOTASTICK'));
    await w.start();
    expect(await w.list()).toEqual([]);

    const added = next(w, 'added');
    await mkdir(join(root, 'STICK'));
    await writeFile(join(root, 'STICK', SIM_VOLUME_MARKER), JSON.stringify({ fsType: 'exfat', size: 2 ** 30 }));
    const vol = await added;
    expect(vol).toMatchObject({ label: 'STICK', fsType: 'exfat', size: 2 ** 30, writable: true, removable: true });
    expect((await w.list()).map((v) => v.label)).toEqual(['STICK']);

    const ejected = await w.eject(vol);
    expect(ejected.mayRemove).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(await w.list()).toEqual([]);

    const again = next(w, 'added');
    await writeFile(join(root, 'STICK', SIM_VOLUME_MARKER), '');
    expect((await again).fsType).toBe('vfat');
    const removed = next(w, 'removed');
    await rm(join(root, 'STICK'), { recursive: true });
    expect((await removed).label).toBe('STICK');
  });
});
