/** Who a network failure was with: the called AE title at an address. */
export interface ErrorPeer {
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
}

/** The DICOM status a peer answered with (dimse.StatusInfo is one). */
export interface ErrorStatus {
  readonly code: number;
  /** `A701`, as the standard writes it. */
  readonly hex: string;
  readonly meaning: string;
}

/** Where a failure happened, as far as the layer that raised it knows. */
export interface ErrorContext {
  readonly peer?: ErrorPeer;
  /** What was being done: 'A-ASSOCIATE', 'C-STORE 2.25.1…', 'export', … */
  readonly step?: string;
  readonly status?: ErrorStatus;
  readonly file?: string;
  /** Byte offset in `file` (or in the stream being read). */
  readonly offset?: number;
}

/**
 * The root of every error sonicart raises on purpose, in dicom/ and device/ alike (DicomError,
 * NetError, CaptureError, MediaError, TranscodeError …): a stable `code` to branch on, a
 * message for a person, and where it happened (peer, step, status, file, offset) when known.
 * An API maps any failure to one report with errorToReport (error-report.ts).
 */
export class SonicartError extends Error {
  override readonly name: string = 'SonicartError';
  readonly peer?: ErrorPeer;
  readonly step?: string;
  readonly status?: ErrorStatus;
  readonly file?: string;
  readonly offset?: number;
  constructor(
    readonly code: string,
    message: string,
    options: { cause?: unknown } & ErrorContext = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Only what is known is set, so that a report (and a log line) has no empty fields.
    if (options.peer !== undefined) this.peer = options.peer;
    if (options.step !== undefined) this.step = options.step;
    if (options.status !== undefined) this.status = options.status;
    if (options.file !== undefined) this.file = options.file;
    if (options.offset !== undefined) this.offset = options.offset;
  }
}

/**
 * The base of every error the DICOM library raises. Each carries a stable code, prefixed by the
 * layer that raised it (PARSE_, CHARSET_, ENCODE_, PDU_, …), so that callers and logs can
 * branch on the code instead of on message text.
 */
export class DicomError extends SonicartError {
  override readonly name: string = 'DicomError';
  constructor(code: string, message: string, options?: { cause?: unknown } & ErrorContext) {
    super(code, message, options);
  }
}

/** Bytes that do not form a valid DICOM stream. `offset` is the absolute byte offset of the problem. */
export class DicomParseError extends DicomError {
  override readonly name = 'DicomParseError';
  declare readonly offset: number;
  constructor(code: string, message: string, offset: number, options?: { cause?: unknown }) {
    super(code, `${message} at byte ${offset}`, { ...options, offset });
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
