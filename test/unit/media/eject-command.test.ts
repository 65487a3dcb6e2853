/**
 * Which command unmounts a medium: systemd-mount --umount (what the polkit rule allows the
 * service user) when it is on PATH, umount after it as the fallback, or umount alone. Checked
 * with the machine's real binaries on constructed PATHs, and by ejecting a directory that is not
 * a mount point, which both real commands refuse: no root-only side effect, and the refusal names
 * every command tried.
 */
import { chmod, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOnPath, unmountCommands } from '../../../device/media/eject-command.js';
import { LinuxMediaWatcher } from '../../../device/media/linux-watcher.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sonicart-eject-'));
  dirs.push(d);
  return d;
}
/** A PATH directory holding links to the machine's real binaries of these names. */
async function pathWith(...names: string[]): Promise<string> {
  const d = await tmp();
  for (const n of names) {
    const real = await findOnPath(n);
    if (!real) throw new Error(`${n} is not installed here`);
    await symlink(real, join(d, n));
  }
  return d;
}

describe('unmount command selection', () => {
  it('systemd-mount --umount first (no password prompt), umount as the fallback', async () => {
    const path = await pathWith('systemd-mount', 'umount');
    expect(await unmountCommands('/media/sonicart/sdb1', path)).toEqual([
      { command: join(path, 'systemd-mount'), args: ['--no-ask-password', '--umount', '/media/sonicart/sdb1'] },
      { command: join(path, 'umount'), args: ['/media/sonicart/sdb1'] },
    ]);
  });

  it('without systemd-mount (or with one that is not executable): umount alone', async () => {
    const path = await pathWith('umount');
    expect(await unmountCommands('/media/x', path)).toEqual([{ command: join(path, 'umount'), args: ['/media/x'] }]);
    await writeFile(join(path, 'systemd-mount'), '#!/bin/sh\n');
    await chmod(join(path, 'systemd-mount'), 0o644);
    expect((await unmountCommands('/media/x', path)).map((c) => c.command)).toEqual([join(path, 'umount')]);
  });

  it('eject of something not mounted: both real commands refuse, the medium may not be removed, the message names each', async () => {
    const mountPoint = await tmp();
    const volume = { id: '/dev/sdz1', device: '/dev/sdz1', mountPoint, label: 'STICK', fsType: 'vfat', size: 1, free: 1, removable: true, writable: true };
    const both = await new LinuxMediaWatcher({ useDrivelist: false, path: await pathWith('systemd-mount', 'umount') }).eject(volume);
    expect(both.mayRemove).toBe(false);
    expect(both.message).toMatch(new RegExp(`^${mountPoint} could not be unmounted \\(systemd-mount: .+; umount: .+\\); do not remove it yet$`));
    const alone = await new LinuxMediaWatcher({ useDrivelist: false, path: await pathWith('umount') }).eject(volume);
    expect(alone.message).toMatch(/\(umount: [^;]+\)/);
  });
});
