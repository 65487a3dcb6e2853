/**
 * Errors of pixel data transcoding. CONVERT_… : the conversion asked for cannot or may not be
 * done (no codec for the syntax, lossy not allowed, unsupported bit depth or photometric, frame
 * layout that cannot be worked out). CODEC_… : a codec failed on a frame (corrupt or truncated
 * JPEG, encoder failure); the message names the frame and the codec's own code.
 */
import { DicomError } from '../../dicom/core/index.js';

export type TranscodeErrorCode =
  | 'CONVERT_NEEDS_CODEC'
  | 'CONVERT_LOSSY_NOT_ALLOWED'
  | 'CONVERT_UNSUPPORTED_PIXELS'
  | 'CONVERT_FRAME_LAYOUT'
  | 'CONVERT_SHORT_READ'
  | 'CODEC_DECODE_FAILED'
  | 'CODEC_ENCODE_FAILED'
  | 'CODEC_FRAME_MISMATCH';

export class TranscodeError extends DicomError {
  override readonly name = 'TranscodeError';
  constructor(
    override readonly code: TranscodeErrorCode,
    message: string,
    /** 0-based frame the error is about, when there is one. */
    readonly frame?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }

  /** The conversion cannot or may not be done (CONVERT_…), as opposed to a codec failing on a frame (CODEC_…). */
  get refusal(): boolean {
    return REFUSALS.has(this.code);
  }
}

const REFUSALS: ReadonlySet<TranscodeErrorCode> = new Set(['CONVERT_NEEDS_CODEC', 'CONVERT_LOSSY_NOT_ALLOWED', 'CONVERT_UNSUPPORTED_PIXELS', 'CONVERT_FRAME_LAYOUT', 'CONVERT_SHORT_READ']);
