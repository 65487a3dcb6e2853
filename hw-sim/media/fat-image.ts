import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real FAT16 or FAT32 file system in an image file, made with Debian's dosfstools and
 * reached with mtools: no mount, so no root and no loop device. The export writes to a
 * directory; `copyIn` puts that tree on the image the way a stick would hold it (8.3 names,
 * FAT allocation), and `copyOut` reads it back, so the file-set is checked after a round trip
 * through a real FAT.
 */
export class FatImage {
  private constructor(
    readonly path: string,
    readonly fat: 16 | 32,
  ) {}

  /** Makes an image of `sizeMiB` (FAT32 needs at least 33 MiB with 512-byte sectors). */
  static async create(path: string, fat: 16 | 32, sizeMiB: number, label = 'SONICART'): Promise<FatImage> {
    await run('mkfs.fat', ['-C', '-F', String(fat), '-n', label, path, String(sizeMiB * 1024)]);
    return new FatImage(path, fat);
  }

  /** Copies the contents of `dir` to the root of the image. */
  async copyIn(dir: string): Promise<void> {
    // mcopy copies a folder whole; each top-level entry goes to the image root.
    for (const name of await readdir(dir)) await run('mcopy', ['-s', '-Q', '-o', '-i', this.path, join(dir, name), '::/'], mtoolsEnv());
  }

  /** Copies the whole image into `dir`. */
  async copyOut(dir: string): Promise<void> {
    await run('mcopy', ['-s', '-Q', '-n', '-i', this.path, '::/*', dir], mtoolsEnv());
  }

  /** `mdir` listing of the image, recursive, for assertions and reports. */
  async list(): Promise<string> {
    return (await run('mdir', ['-/', '-b', '-i', this.path, '::/'], mtoolsEnv())).stdout;
  }

  /** File system type and free bytes as mtools reports them (`minfo`). */
  async info(): Promise<{ fsType: string; free: number }> {
    const text = (await run('minfo', ['-i', this.path, '::'], mtoolsEnv())).stdout;
    const fsType = /disk type="(FAT1[26]|FAT32)/.exec(text)?.[1] ?? (this.fat === 32 ? 'FAT32' : 'FAT16');
    const free = Number((await run('mdir', ['-i', this.path, '::/'], mtoolsEnv())).stdout.match(/([\d ]+) bytes free/)?.[1]?.replace(/ /g, '') ?? '0');
    return { fsType, free };
  }
}

/** mtools refuses images whose geometry it doubts unless told not to check. */
function mtoolsEnv(): { env: NodeJS.ProcessEnv } {
  return { env: { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' } };
}
