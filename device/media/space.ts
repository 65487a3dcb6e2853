import { readFile, statfs } from 'node:fs/promises';
import { resolve } from 'node:path';

/** What the export needs to know about the medium under a directory. */
export interface MediumSpace {
  /** Bytes an unprivileged writer may still use. */
  readonly free: number;
  readonly size: number;
  /** Allocation unit: every file takes a whole number of these (FAT clusters). */
  readonly blockSize: number;
  /** File system type from /proc/mounts (vfat, exfat, ext4 …), or 'unknown'. */
  readonly fsType: string;
}

/** FAT12/16/32 cap a file at 4 GiB − 1. */
export const FAT_MAX_FILE = 2 ** 32 - 1;

export function isFat(fsType: string): boolean {
  return fsType === 'vfat' || fsType === 'msdos' || fsType === 'fat' || fsType === 'umsdos';
}

export async function mediumSpace(dir: string): Promise<MediumSpace> {
  const s = await statfs(dir);
  return { free: s.bavail * s.bsize, size: s.blocks * s.bsize, blockSize: s.bsize, fsType: await fsTypeOf(dir) };
}

/** The longest mount point in /proc/mounts that contains `dir` gives its file system type. */
export async function fsTypeOf(dir: string): Promise<string> {
  let mounts: string;
  try {
    mounts = await readFile('/proc/mounts', 'utf8');
  } catch {
    return 'unknown';
  }
  const abs = resolve(dir);
  let best = { len: -1, type: 'unknown' };
  for (const line of mounts.split('\n')) {
    const [, mp, type] = line.split(' ');
    if (!mp || !type) continue;
    const m = unescapeMount(mp);
    if ((abs === m || abs.startsWith(m.endsWith('/') ? m : m + '/')) && m.length > best.len) best = { len: m.length, type };
  }
  return best.type;
}

/** /proc/mounts writes spaces and the like as octal escapes (\040). */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
