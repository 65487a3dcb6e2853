import { SonicartError } from '../../dicom/core/index.js';

/**
 * Errors of the capture path. Every one carries a stable code (CAPTURE_…) so the UI and the logs
 * can branch on it; `detail` holds the data that explains it.
 */
export type CaptureErrorCode =
  | 'CAPTURE_FRAME_SIZE'
  | 'CAPTURE_SOURCE_FAILED'
  | 'CAPTURE_SOURCE_ENDED'
  | 'CAPTURE_NO_FRAMES'
  | 'CAPTURE_BAD_ARGUMENT'
  | 'CAPTURE_ENCODER_FAILED'
  | 'CAPTURE_WRITE_FAILED'
  /** Uncompressed pixel data longer than a 32-bit element length can say (4 GiB − 2 bytes). */
  | 'CAPTURE_TOO_LARGE'
  /** A retrospective cine longer than the ring holds (its window or its memory budget). */
  | 'CAPTURE_RING_TOO_SHORT';

export class CaptureError extends SonicartError {
  override readonly name = 'CaptureError';
  declare readonly code: CaptureErrorCode;
  constructor(
    code: CaptureErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
    options?: { cause?: unknown; file?: string },
  ) {
    super(code, message, options);
  }
}
