/**
 * The stable codes of the character set layer. Callers branch on these, never on message text.
 */
import { CharsetError } from '../core/errors.js';

export type CharsetErrorCode =
  /** A (0008,0005) term this library does not know. */
  | 'CHARSET_UNSUPPORTED'
  /** Known terms in a combination the standard forbids (e.g. ISO_IR 192 with code extensions). */
  | 'CHARSET_INVALID_TERMS'
  /** Bytes that are not a character of the character set in force at that point. */
  | 'CHARSET_INVALID_BYTES'
  /** A multi-byte character cut off by the end of the value. */
  | 'CHARSET_TRUNCATED'
  /** A lone ESC, an incomplete escape sequence, or one designating no known set. */
  | 'CHARSET_BAD_ESCAPE'
  /** NEC/IBM vendor codes (JIS row 13, rows 89–92): not JIS X 0208, refused both ways. */
  | 'CHARSET_VENDOR_EXTENSION'
  /** Text with a character the declared character sets cannot represent. */
  | 'CHARSET_UNENCODABLE';

export function fail(code: CharsetErrorCode, message: string, terms: readonly string[]): never {
  throw new CharsetError(code, message, terms);
}

/** "U+5C71 '山'" — how error messages name a character. */
export function describeChar(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = cp >= 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp < 0xa0);
  return printable ? `U+${hex} '${String.fromCodePoint(cp)}'` : `U+${hex}`;
}

export function hex2(b: number): string {
  return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}
