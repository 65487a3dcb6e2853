import { DicomError } from '../../core/errors.js';

/** Errors of the DIMSE message layer; codes are prefixed DIMSE_. */
export class DimseError extends DicomError {
  override readonly name = 'DimseError';
  constructor(
    code: string,
    message: string,
    /** The presentation context of the offending PDV, when there is one. */
    readonly contextId?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
