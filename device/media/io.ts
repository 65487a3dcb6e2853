import { mkdir, open, rmdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TransferSyntax } from '../../dicom/encoding/index.js';
import { writeFileAtomically, type AtomicWriteOptions } from '../files/atomic-write.js';
import { execFile } from 'node:child_process';
import { convertFile } from '../files/convert.js';

/**
 * Every write the export makes to the medium goes through this, so that tests can make the
 * medium fill up or vanish at an exact byte (a write hook), and so that the export never
 * writes a file in place: each file is written to a temporary name, fsynced and renamed.
 */
export interface MediaIo {
  /** Writes `path` atomically; `produce` receives the writer. */
  writeAtomically(
    path: string,
    produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>,
    opts?: AtomicWriteOptions,
  ): Promise<void>;
  /** Rewrites a file in another uncompressed transfer syntax, atomically. */
  convert(source: string, path: string, target: TransferSyntax, opts?: AtomicWriteOptions): Promise<void>;
  /**
   * Makes everything written so far on the file system holding `path` durable (syncfs). One
   * call before the DICOMDIR commit replaces an fsync per file: the old DICOMDIR names none of
   * the new files, so until the commit it does not matter whether they survive a pull.
   */
  flush(path: string): Promise<void>;
  /** Creates one directory (its parent exists). */
  mkdir(path: string): Promise<void>;
  /** Removes a file, ignoring one that is not there. */
  removeFile(path: string): Promise<void>;
  /** Removes an empty directory, ignoring failure (something else may live there). */
  removeEmptyDir(path: string): Promise<void>;
}

export const nodeMediaIo: MediaIo = {
  writeAtomically: writeFileAtomically,
  convert: convertFile,
  mkdir: async (path) => {
    await mkdir(path);
    // The new entry must survive a power cut like the files in it: fsync its parent.
    const fh = await open(dirname(path), 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  flush: (path) => syncFileSystem(path),
  removeFile: (path) => rm(path, { force: true }),
  removeEmptyDir: (path) => rmdir(path).catch(() => undefined),
};

/** syncfs(2) of the file system holding `path`, through coreutils' `sync -f` (Node has no binding). */
function syncFileSystem(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['-f', path], { timeout: 120_000 }, (err, _out, stderr) => {
      if (err) reject(Object.assign(new Error(`sync -f ${path}: ${stderr.trim() || err.message}`), { code: 'EIO', syscall: 'syncfs' }));
      else resolve();
    });
  });
}
