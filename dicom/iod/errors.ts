import { DicomError } from '../core/errors.js';

export type IodErrorCode = 'IOD_BAD_JSON' | 'IOD_MISSING' | 'IOD_BAD_VALUE' | 'IOD_UNSUPPORTED';

/** An object that cannot be built as asked (a worklist entry we cannot read, frames that do not fit the IOD). */
export class IodError extends DicomError {
  override readonly name = 'IodError';
  constructor(
    override readonly code: IodErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
