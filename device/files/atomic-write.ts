import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * fsync the file and its directory before returning (default). A caller that writes many
   * files and commits them together (a file-set, whose DICOMDIR is written last) may pass
   * false and sync the whole file system once before its commit point instead.
   */
  readonly sync?: boolean;
}

/**
 * Writes a file so that a crash or power loss at any moment leaves either the old file or the
 * complete new one: write to a temporary name in the same directory, fsync, rename, fsync the
 * directory. `produce` receives a writer; whatever it throws removes the temporary file.
 */
export async function writeFileAtomically(
  path: string,
  produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const sync = opts.sync ?? true;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    await produce(async (chunk) => {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    });
    if (sync) await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, path);
  if (!sync) return;
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
