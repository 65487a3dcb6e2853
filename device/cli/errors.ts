import { DicomParseError, SonicartError } from '../../dicom/core/index.js';

/**
 * One line for a person: what file, where in it, what is wrong. DICOM errors carry their code
 * so a service engineer can search logs for it.
 */
export function describeFileError(file: string, e: unknown): string {
  if (e instanceof DicomParseError) return `${file}: byte ${e.offset}: ${e.message.replace(/ at byte \d+$/, '')} [${e.code}]`;
  // Every error the device raises on purpose (DICOM, network, capture, media, codecs) is one.
  if (e instanceof SonicartError) return `${file}: ${e.message} [${e.code}]`;
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && err.syscall) return `${file}: ${err.syscall}: ${err.code}: ${err.message}`;
  return `${file}: ${e instanceof Error ? e.message : String(e)}`;
}

/** A wrong command line: printed with the usage, exit status 2. */
export class UsageError extends SonicartError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}
