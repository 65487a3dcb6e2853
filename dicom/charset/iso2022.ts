/**
 * The ISO 2022 code extension engine of PS3.5 6.1.2.5: G0 (bytes 0x21..0x7E) and G1 (bytes
 * 0xA0..0xFF) each hold one code element, switched by escape sequences, and both return to
 * the initial state (set by value 1 of (0008,0005)) at every reset point. Single-byte terms
 * without code extension (ISO_IR 100, ISO_IR 13, …) run through the same engine with their
 * fixed G0/G1.
 *
 * Decoding walks the bytes once and only then reacts to delimiters: a JIS X 0208 pair such as
 * 0x24 0x5E (ま) contains the byte of '^', so raw bytes are never split on 0x5E/0x3D/0x5C.
 */
import { ByteSink } from '../core/bytes.js';
import { D_JIS0208, DESIGNATIONS_BY_ESCAPE, type Designation } from './code-elements.js';
import { isResetPoint, type CharsetVR } from './delimiters.js';
import { describeChar, fail, hex2 } from './errors.js';
import { escapeBytes } from './escape-bytes.js';
import { isJisVendorChar, isJisVendorRow } from './japanese.js';
import { TextSink, codePoints } from './text-sink.js';

export interface Iso2022Charset {
  /** The (0008,0005) terms, for error messages. */
  readonly terms: readonly string[];
  readonly initialG0: Designation;
  readonly initialG1: Designation | undefined;
  /** Designations the encoder may escape to, in order of preference (value order of the terms). */
  readonly designations: readonly Designation[];
}

const ESC = 0x1b;

export function decodeIso2022(bytes: Uint8Array, cs: Iso2022Charset, vr: CharsetVR): string {
  const { terms } = cs;
  const out = new TextSink();
  let g0 = cs.initialG0;
  let g1 = cs.initialG1;
  const n = bytes.length;
  let i = 0;
  const where = (at: number, len: number): string =>
    `${[...bytes.subarray(at, at + len)].map(hex2).join(' ')} at offset ${at} (value: "${escapeBytes(bytes)}")`;

  while (i < n) {
    const b = bytes[i]!;
    if (b === ESC) {
      // ESC, intermediate bytes 0x20..0x2F, one final byte 0x30..0x7E.
      let j = i + 1;
      while (j < n && bytes[j]! >= 0x20 && bytes[j]! <= 0x2f) j++;
      if (j >= n || bytes[j]! < 0x30 || bytes[j]! > 0x7e) {
        fail('CHARSET_BAD_ESCAPE', `incomplete escape sequence ${where(i, j - i + 1)}`, terms);
      }
      const key = String.fromCharCode(...bytes.subarray(i + 1, j + 1));
      const d = DESIGNATIONS_BY_ESCAPE.get(key);
      if (!d) fail('CHARSET_BAD_ESCAPE', `escape sequence ESC ${key} designates no supported character set: ${where(i, j - i + 1)}`, terms);
      if (d.slot === 'G0') g0 = d;
      else g1 = d;
      i = j + 1;
      continue;
    }
    if (b <= 0x20) {
      // C0 controls and SPACE are the same in every state (a space may sit inside a kanji run).
      out.push(b);
      if (isResetPoint(b, vr)) [g0, g1] = [cs.initialG0, cs.initialG1];
      i++;
      continue;
    }
    if (b < 0x80) {
      const el = g0.element;
      let cp: number;
      if (el.width === 2) {
        if (i + 1 >= n) fail('CHARSET_TRUNCATED', `${el.name}: double-byte character cut off ${where(i, 1)}`, terms);
        const b2 = bytes[i + 1]!;
        cp = b2 >= 0x21 && b2 <= 0x7e ? el.decode((b << 8) | b2) : -1;
        if (cp < 0) {
          if (g0 === D_JIS0208 && isJisVendorRow(b)) {
            fail(
              'CHARSET_VENDOR_EXTENSION',
              `${where(i, 2)} is an NEC/IBM extension code (row ${b - 0x20}), not JIS X 0208`,
              terms,
            );
          }
          fail('CHARSET_INVALID_BYTES', `${el.name}: ${where(i, 2)} is not a character`, terms);
        }
        i += 2;
      } else {
        cp = el.decode(b);
        if (cp < 0) fail('CHARSET_INVALID_BYTES', `${el.name}: ${where(i, 1)} is not a character`, terms);
        i++;
      }
      out.push(cp);
      if (isResetPoint(cp, vr)) [g0, g1] = [cs.initialG0, cs.initialG1];
      continue;
    }
    // GR: bytes 0x80..0xFF go to G1.
    if (!g1) fail('CHARSET_INVALID_BYTES', `${where(i, 1)}: byte above 0x7F but no G1 character set is active`, terms);
    const el = g1.element;
    if (b < 0xa0) {
      // C1 controls: only meaningful next to an ISO 8859 set; kept as U+0080..U+009F like pydicom.
      if (el.size !== 96) fail('CHARSET_INVALID_BYTES', `${el.name}: ${where(i, 1)} is not a character`, terms);
      out.push(b);
      i++;
      continue;
    }
    if (el.width === 2) {
      if (i + 1 >= n) fail('CHARSET_TRUNCATED', `${el.name}: double-byte character cut off ${where(i, 1)}`, terms);
      const b2 = bytes[i + 1]!;
      const cp = b2 >= 0xa1 && b2 <= 0xfe ? el.decode(((b & 0x7f) << 8) | (b2 & 0x7f)) : -1;
      if (cp < 0) fail('CHARSET_INVALID_BYTES', `${el.name}: ${where(i, 2)} is not a character`, terms);
      out.push(cp);
      i += 2;
    } else {
      const cp = el.decode(b & 0x7f);
      if (cp < 0) fail('CHARSET_INVALID_BYTES', `${el.name}: ${where(i, 1)} is not a character`, terms);
      out.push(cp);
      i++;
    }
  }
  return out.toString();
}

export function encodeIso2022(text: string, cs: Iso2022Charset, vr: CharsetVR): Uint8Array {
  const { terms } = cs;
  const sink = new ByteSink(text.length * 2 + 16);
  let g0 = cs.initialG0;
  let g1 = cs.initialG1;

  const designate = (d: Designation): void => {
    for (const b of d.escape) sink.u8(b);
    if (d.slot === 'G0') g0 = d;
    else g1 = d;
  };
  const write = (d: Designation, code: number): void => {
    const high = d.slot === 'G1' ? 0x80 : 0;
    if (d.element.width === 2) sink.u8((code >> 8) | high);
    sink.u8((code & 0xff) | high);
  };
  /**
   * Back to value 1's sets before a delimiter and at the end of the value, as PS3.5 6.1.2.5.3
   * asks and Annex H shows (… 山田 ESC ( B ^ …). A G1 set that value 1 did not designate cannot
   * be undesignated; decoders drop it at the delimiter, and so does our state.
   */
  const restore = (): void => {
    if (g0 !== cs.initialG0) designate(cs.initialG0);
    if (g1 !== cs.initialG1 && cs.initialG1) designate(cs.initialG1);
    [g0, g1] = [cs.initialG0, cs.initialG1];
  };
  const lone = (u: number, at: number): never =>
    fail('CHARSET_UNENCODABLE', `lone surrogate ${describeChar(u)} at index ${at} is not a character`, terms);

  for (const cp of codePoints(text, lone)) {
    if (cp === ESC) fail('CHARSET_UNENCODABLE', 'ESC (U+001B) cannot appear in text: it would start an escape sequence', terms);
    if (isResetPoint(cp, vr)) {
      restore();
      sink.u8(cp);
      continue;
    }
    if (cp < 0x20) {
      sink.u8(cp);
      continue;
    }
    if (cp === 0x20) {
      // DICOM allows SPACE inside a kanji run, but ISO-2022-JP decoders (Python's, which pydicom
      // uses) read 0x20 there as half of a pair: leave the double-byte set first.
      if (g0.element.width === 2) designate(cs.initialG0);
      sink.u8(0x20);
      continue;
    }
    let code = g0.element.encode(cp);
    if (code >= 0) {
      write(g0, code);
      continue;
    }
    if (g1) {
      code = g1.element.encode(cp);
      if (code >= 0) {
        write(g1, code);
        continue;
      }
    }
    const d = cs.designations.find((x) => x.element.encodable && x.element.encode(cp) >= 0);
    if (!d) {
      const why = isJisVendorChar(cp)
        ? ' (it exists only as an NEC/IBM extension code, which is not JIS X 0208)'
        : '';
      fail('CHARSET_UNENCODABLE', `${describeChar(cp)} cannot be encoded in ${describeTerms(terms)}${why}`, terms);
    }
    designate(d);
    write(d, d.element.encode(cp));
  }
  restore();
  return sink.take();
}

export function describeTerms(terms: readonly string[]): string {
  return terms.length === 0 ? 'the default repertoire (ISO-IR 6)' : `Specific Character Set "${terms.join('\\')}"`;
}
