import { DicomError, DicomParseError } from '../../dicom/core/index.js';

/**
 * One line for a person: what file, where in it, what is wrong. DICOM errors carry their code
 * so a service engineer can search logs for it.
 */
export function describeFileError(file: string, e: unknown): string {
  if (e instanceof DicomParseError) return `${file}: byte ${e.offset}: ${e.message.replace(/ at byte \d+$/, '')} [${e.code}]`;
  if (e instanceof DicomError) return `${file}: ${e.message} [${e.code}]`;
  const err = e as NodeJS.ErrnoException;
  // The device's own typed errors (CAPTURE_…, MEDIA_…) carry an upper-case code but no syscall.
  if (err instanceof Error && typeof err.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(err.code) && !err.syscall) {
    return `${file}: ${err.message} [${err.code}]`;
  }
  if (err && typeof err.code === 'string' && err.syscall) return `${file}: ${err.syscall}: ${err.code}: ${err.message}`;
  return `${file}: ${e instanceof Error ? e.message : String(e)}`;
}

/** A wrong command line: printed with the usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
