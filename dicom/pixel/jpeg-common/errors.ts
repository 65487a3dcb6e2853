import { DicomError } from '../../core/errors.js';

/**
 * A JPEG stream that cannot be decoded (malformed, truncated, unsupported) or a frame that cannot
 * be encoded as asked. Codes start with `JPEG_`; `offset` is the byte offset in the JPEG stream
 * where the problem was found (-1 when the problem is not tied to a position, e.g. encoder input).
 */
export class JpegError extends DicomError {
  override readonly name = 'JpegError';
  constructor(
    code: `JPEG_${string}`,
    message: string,
    override readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(code, offset >= 0 ? `${message} at byte ${offset}` : message, options);
  }
}
