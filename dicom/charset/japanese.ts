/**
 * Japanese code elements: JIS X 0201 (ISO-IR 14 romaji, ISO-IR 13 katakana), JIS X 0208
 * (ISO-IR 87) and JIS X 0212 (ISO-IR 159).
 */
import { JIS_X_0208_ROWS, JIS_X_0208_VENDOR_CHARS } from './tables/jisx0208.js';
import { JIS_X_0212_ROWS } from './tables/jisx0212.js';
import { Dbcs94 } from './dbcs94.js';

/**
 * Windows/ICU spellings of six JIS X 0208 characters, accepted on encode so that text typed on a
 * CP932 system still encodes; decoding always yields the JIS standard character.
 */
const JIS0208_ALIASES: ReadonlyArray<readonly [number, number]> = [
  [0xff5e, 0x2141], // FULLWIDTH TILDE → WAVE DASH
  [0x2225, 0x2142], // PARALLEL TO → DOUBLE VERTICAL LINE
  [0xff0d, 0x215d], // FULLWIDTH HYPHEN-MINUS → MINUS SIGN
  [0xffe0, 0x2171], // FULLWIDTH CENT SIGN
  [0xffe1, 0x2172], // FULLWIDTH POUND SIGN
  [0xffe2, 0x224c], // FULLWIDTH NOT SIGN
];

export const JIS_X_0208 = new Dbcs94(JIS_X_0208_ROWS, JIS0208_ALIASES);
export const JIS_X_0212 = new Dbcs94(JIS_X_0212_ROWS);

/** Rows of the NEC (13) and NEC-selected IBM (89–92) extensions, by first byte (0x21 = row 1). */
export function isJisVendorRow(b1: number): boolean {
  const row = b1 - 0x20;
  return row === 13 || (row >= 89 && row <= 92);
}

let vendorChars: Set<number> | undefined;
/** True for characters that exist only as NEC/IBM extension codes, not in JIS X 0208. */
export function isJisVendorChar(cp: number): boolean {
  vendorChars ??= new Set([...JIS_X_0208_VENDOR_CHARS].map((c) => c.codePointAt(0)!));
  return vendorChars.has(cp) && JIS_X_0208.encode(cp) < 0;
}

/** JIS X 0201 katakana (ISO-IR 13): 7-bit 0x21..0x5F ↔ U+FF61..U+FF9F (half-width forms). */
export function katakanaDecode(code: number): number {
  return code >= 0x21 && code <= 0x5f ? 0xff61 + (code - 0x21) : -1;
}
export function katakanaEncode(cp: number): number {
  return cp >= 0xff61 && cp <= 0xff9f ? 0x21 + (cp - 0xff61) : -1;
}

/**
 * JIS X 0201 romaji (ISO-IR 14) differs from ASCII only at 0x5C (YEN SIGN) and 0x7E (OVERLINE).
 * It is mapped as ASCII here, like pydicom and DCMTK do: DICOM reserves 0x5C as the value
 * delimiter whatever the character set, and a decoder that turned it into ¥ would lose the
 * value boundaries.
 */
export function romajiDecode(code: number): number {
  return code >= 0x21 && code <= 0x7e ? code : -1;
}
export function romajiEncode(cp: number): number {
  return cp >= 0x21 && cp <= 0x7e ? cp : -1;
}
