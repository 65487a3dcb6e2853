/** Typed errors of the local instance store (code + message + file; errno when the OS said no). */

export type StorageErrorCode =
  /** The spool disk is full, or would be below its reserve after this write. */
  | 'STORAGE_FULL'
  /** Writing or syncing the file failed for another reason (EIO, EROFS …). */
  | 'STORAGE_WRITE_FAILED'
  /** An instance with this SOP Instance UID is already stored. */
  | 'STORAGE_DUPLICATE'
  /** A UID that cannot be used as a path component (empty, not digits and dots, too long). */
  | 'STORAGE_BAD_UID'
  /** The file is not a DICOM file we can index. */
  | 'STORAGE_UNREADABLE'
  | 'STORAGE_NOT_FOUND';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly file?: string,
    readonly errno?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
