import { mkdir, open, rmdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TransferSyntax } from '../../dicom/encoding/index.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { convertFile } from '../files/convert.js';

/**
 * Every write the export makes to the medium goes through this, so that tests can make the
 * medium fill up or vanish at an exact byte (a write hook), and so that the export never
 * writes a file in place: each file is written to a temporary name, fsynced and renamed.
 */
export interface MediaIo {
  /** Writes `path` atomically; `produce` receives the writer. */
  writeAtomically(path: string, produce: (write: (chunk: Uint8Array) => Promise<void>) => Promise<void>): Promise<void>;
  /** Rewrites a file in another uncompressed transfer syntax, atomically. */
  convert(source: string, path: string, target: TransferSyntax): Promise<void>;
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
  removeFile: (path) => rm(path, { force: true }),
  removeEmptyDir: (path) => rmdir(path).catch(() => undefined),
};
