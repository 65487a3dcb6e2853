import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { DicomError } from '../../dicom/core/index.js';

/** An input that is not a regular file (a FIFO, a device, a socket, a directory): refused by name. */
export class NotARegularFileError extends DicomError {
  override readonly name = 'NotARegularFileError';
  declare readonly file: string;
  constructor(
    file: string,
    readonly kind: string,
  ) {
    super('FILE_NOT_REGULAR', `${kind}, not a regular file: only regular files are read`, { file });
  }
}

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  if (s.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Opens a DICOM input for reading: the one place input files are opened. A FIFO would block the
 * open (and the thread-pool thread under it) until a writer came; /dev/zero would be read
 * forever. So the path is checked before it is opened, and opened non-blocking with the check
 * repeated on the open file, in case the path was swapped in between.
 */
export async function openInputFile(path: string): Promise<FileHandle> {
  const before = await stat(path);
  if (!before.isFile()) throw new NotARegularFileError(path, kindOf(before));
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const after = await fh.stat();
    if (!after.isFile()) throw new NotARegularFileError(path, kindOf(after));
  } catch (e) {
    await fh.close();
    throw e;
  }
  return fh;
}
