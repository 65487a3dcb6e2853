/** Why a stretch of the serial byte stream was not a frame. */
export type FrameErrorCode =
  /** Bytes outside any frame (line noise, a panel speaking another protocol, a wrong baud rate). */
  | 'GARBAGE'
  /** A frame whose CRC does not match its contents. */
  | 'BAD_CHECKSUM'
  /** A frame longer than MAX_BODY: dropped without buffering the rest. */
  | 'OVERSIZE'
  /** DLE followed by a byte that is not an escaped STX, ETX or DLE. */
  | 'BAD_ESCAPE'
  /** A new STX before the ETX of the frame in progress: the earlier frame was cut off. */
  | 'TRUNCATED'
  /** Shorter than header + CRC, or the LEN byte disagrees with the bytes received. */
  | 'BAD_LENGTH';

/** A framing failure; `offset` is where in the stream (bytes since the framer began) it starts. */
export class PanelFrameError extends Error {
  override readonly name = 'PanelFrameError';
  constructor(
    readonly code: FrameErrorCode,
    message: string,
    readonly offset: number,
    /** Bytes of the stream that this error discards. */
    readonly length: number,
  ) {
    super(message);
  }
}

export type DecodeErrorCode = 'UNSUPPORTED_VERSION' | 'UNKNOWN_TYPE' | 'BAD_PAYLOAD';

/** A frame that framed correctly but is not a message we understand (answered with NAK). */
export class PanelDecodeError extends Error {
  override readonly name = 'PanelDecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly messageType: number,
    readonly seq: number,
  ) {
    super(message);
  }
}
