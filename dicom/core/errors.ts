/**
 * The base of every error the DICOM library raises. Each carries a stable code, prefixed by the
 * layer that raised it (PARSE_, CHARSET_, ENCODE_, PDU_, …), so that callers and logs can
 * branch on the code instead of on message text.
 */
export class DicomError extends Error {
  override readonly name: string = 'DicomError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bytes that do not form a valid DICOM stream. `offset` is the absolute byte offset of the problem. */
export class DicomParseError extends DicomError {
  override readonly name = 'DicomParseError';
  constructor(
    code: string,
    message: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(code, `${message} at byte ${offset}`, options);
  }
}

/** A value or data set that cannot be written as asked (wrong VR, value too long, …). */
export class DicomEncodeError extends DicomError {
  override readonly name = 'DicomEncodeError';
}

/**
 * Text that cannot be decoded from, or encoded to, the declared Specific Character Set.
 * The element keeps its raw bytes; only the request for a string fails.
 */
export class CharsetError extends DicomError {
  override readonly name = 'CharsetError';
  constructor(
    code: string,
    message: string,
    /** The Specific Character Set terms in force, as written in (0008,0005). */
    readonly charset: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
