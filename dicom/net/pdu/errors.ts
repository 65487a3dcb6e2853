import { DicomError } from '../../core/errors.js';

/**
 * Stable codes of the upper-layer byte errors (DCMTK-style: prefixed by layer, so callers
 * branch on the code, not on message text).
 */
export type PduErrorCode =
  | 'PDU_TRUNCATED' // fewer bytes than a field needs
  | 'PDU_LENGTH_MISMATCH' // PDU-length disagrees with the bytes given
  | 'PDU_TOO_LARGE' // declared PDU-length above our maximum (framer)
  | 'PDU_ITEM_OVERRUN' // an item/sub-item/PDV length runs past its container
  | 'PDU_ITEM_LENGTH' // a fixed-size item has the wrong length
  | 'PDU_PROTOCOL_VERSION' // bit 0 of the protocol version not set
  | 'PDU_AE_TITLE' // called/calling AE title breaks PS3.8/PS3.5 rules
  | 'PDU_MISSING_ITEM' // a mandatory item (application context, abstract syntax …) is absent
  | 'PDU_DUPLICATE_ITEM' // an item that must appear once appears twice
  | 'PDU_BAD_VALUE' // a field holds a value PS3.8 forbids (even context id, PDV too short …)
  | 'PDU_FRAMER_FAILED'; // the framer was used after it reported a framing error

/**
 * Bytes that do not form a valid PDU. `offset` is where the problem was found, counted from
 * the first byte of the PDU (or of the stream, when the framer reports it); `pduType` is the
 * PDU type byte, when known.
 */
export class PduError extends DicomError {
  override readonly name = 'PduError';
  constructor(
    override readonly code: PduErrorCode,
    message: string,
    override readonly offset: number,
    readonly pduType: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(code, `${message} (PDU type ${pduType === undefined ? '?' : '0x' + pduType.toString(16).padStart(2, '0')}, byte ${offset})`, options);
  }

  /** The same error with its offset moved by `base` (a PDU's position in a stream). */
  shifted(base: number): PduError {
    const bare = this.message.replace(/ \(PDU type [^)]*\)$/, '');
    return new PduError(this.code, bare, this.offset + base, this.pduType, { cause: this.cause });
  }
}
