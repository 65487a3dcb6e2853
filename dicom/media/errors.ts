import { DicomError } from '../core/index.js';
import type { PixelConsistencyCode } from '../iod/index.js';

/**
 * Errors of the media layer. Codes start with DICOMDIR_ when a DICOMDIR cannot be read or
 * trusted, and MEDIA_ when an export cannot go ahead (profile, File IDs, space). The code is
 * what callers branch on; the message names the file, record or attribute at fault.
 */
export class MediaError extends DicomError {
  override readonly name: string = 'MediaError';
}

/**
 * A DICOMDIR that cannot be read, or whose offsets do not hold together. An export never
 * overwrites such a DICOMDIR: it stops and reports this error. `offset` is the byte offset (from
 * the first byte of the file) of the problem, when there is one.
 */
export class DicomdirError extends MediaError {
  override readonly name = 'DicomdirError';
  constructor(
    code: DicomdirErrorCode,
    message: string,
    override readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(code, offset === undefined ? message : `${message} (byte ${offset})`, options);
  }
}

export type DicomdirErrorCode =
  | 'DICOMDIR_UNREADABLE'
  | 'DICOMDIR_NOT_A_DICOMDIR'
  | 'DICOMDIR_NO_RECORD_SEQUENCE'
  | 'DICOMDIR_INCONSISTENT'
  | 'DICOMDIR_BAD_OFFSET'
  | 'DICOMDIR_CYCLE'
  | 'DICOMDIR_NO_RECORD_TYPE'
  | 'DICOMDIR_BAD_FILE_ID';

/** Why one instance cannot go into a file-set under a profile (reported by name, before anything is written). */
export type RefusalCode =
  | 'MEDIA_SOP_CLASS_NOT_ALLOWED'
  | 'MEDIA_TRANSFER_SYNTAX_NOT_ALLOWED'
  | 'MEDIA_MISSING_KEY'
  | 'MEDIA_NOT_DICOM'
  /** The image attributes contradict the pixel data (dicom/iod checkPixelConsistency). */
  | PixelConsistencyCode;
