/**
 * Specific Character Set (0008,0005) ↔ bytes, both directions (PS3.5 §6.1, Annexes H, I, J).
 * Pure: no Node APIs, no ICU; the multi-byte tables are generated into ./tables/.
 */
import { D_ASCII, type Designation } from './code-elements.js';
import type { CharsetVR } from './delimiters.js';
import { fail } from './errors.js';
import { decodeGb18030, encodeGb18030 } from './gb18030.js';
import { decodeIso2022, describeTerms, encodeIso2022, type Iso2022Charset } from './iso2022.js';
import { lookupTerm, SUPPORTED_TERMS, type Engine, type TermInfo } from './terms.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';

export type { CharsetVR } from './delimiters.js';
export type { CharsetErrorCode } from './errors.js';
export { escapeBytes } from './escape-bytes.js';
export { SUPPORTED_TERMS } from './terms.js';
export * from './person-name.js';

/** Splits the raw (0008,0005) value into terms; '' / missing → [] (default repertoire). Trims padding. */
export function parseSpecificCharacterSet(value: string | undefined): string[] {
  if (value === undefined) return [];
  const terms = value.split('\\').map((t) => t.replace(/^[ \0]+|[ \0]+$/g, ''));
  // A value of only padding, or only empty values, is the default repertoire.
  return terms.every((t) => t === '') ? [] : terms;
}

/** Throws CharsetError(code 'CHARSET_UNSUPPORTED') for unknown terms. */
export function assertSupportedCharset(terms: readonly string[]): void {
  for (const t of terms) {
    if (!lookupTerm(t)) {
      fail(
        'CHARSET_UNSUPPORTED',
        `Specific Character Set term "${t}" is not supported (supported: ${SUPPORTED_TERMS.join(', ')})`,
        terms,
      );
    }
  }
}

type Resolved = { engine: Exclude<Engine, 'iso2022'> } | { engine: 'iso2022'; cs: Iso2022Charset };
const DEFAULT_CS: Iso2022Charset = { terms: [], initialG0: D_ASCII, initialG1: undefined, designations: [D_ASCII] };

/**
 * Turns the terms into the machinery that reads or writes them. Decoding is lenient where the
 * meaning is clear (as pydicom is): a UTF-8/GB18030/GBK value 1 with further terms uses value 1
 * alone, and an "ISO_IR xxx" value 1 with further terms is read as its "ISO 2022 IR xxx" form.
 * Encoding refuses the first case, which the standard forbids.
 */
function resolve(terms: readonly string[], mode: 'decode' | 'encode'): Resolved {
  if (terms.length === 0) return { engine: 'iso2022', cs: DEFAULT_CS };
  assertSupportedCharset(terms);
  const infos = terms.map((t) => lookupTerm(t)!);
  const first = infos[0]!;
  if (first.engine !== 'iso2022') {
    if (infos.length > 1 && mode === 'encode') {
      fail('CHARSET_INVALID_TERMS', `${first.term} does not allow code extensions: ${describeTerms(terms)}`, terms);
    }
    return { engine: first.engine };
  }
  const stateless = infos.find((t) => t.engine !== 'iso2022');
  if (stateless) {
    fail('CHARSET_INVALID_TERMS', `${stateless.term} can only be value 1 and alone: ${describeTerms(terms)}`, terms);
  }
  const initialG0 = first.initialG0 ?? D_ASCII;
  const designations: Designation[] = [initialG0];
  const add = (t: TermInfo): void => {
    if (mode === 'encode' && t.decodeOnly) return;
    for (const d of t.designations) if (!designations.includes(d)) designations.push(d);
  };
  infos.forEach(add);
  return { engine: 'iso2022', cs: { terms, initialG0, initialG1: first.initialG1, designations } };
}

/** Trailing padding: spaces (text VRs) and NULs (written by some systems). */
function stripPadding(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x00)) end--;
  return bytes.subarray(0, end);
}

/**
 * Decodes a value's bytes. Trailing spaces/NULs are removed first (they are padding in every
 * charset here: never part of a multi-byte character). Multi-valued VRs keep '\' between values;
 * PN keeps '^' and '='. Throws CharsetError.
 */
export function decodeText(bytes: Uint8Array, terms: readonly string[], vr: CharsetVR): string {
  const b = stripPadding(bytes);
  const r = resolve(terms, 'decode');
  switch (r.engine) {
    case 'iso2022':
      return decodeIso2022(b, r.cs, vr);
    case 'utf8':
      return decodeUtf8(b, terms);
    case 'gb18030':
      return decodeGb18030(b, terms, false);
    case 'gbk':
      return decodeGb18030(b, terms, true);
  }
}

/** The inverse of decodeText; no padding added. Throws CharsetError naming the character that cannot be encoded. */
export function encodeText(text: string, terms: readonly string[], vr: CharsetVR): Uint8Array {
  const r = resolve(terms, 'encode');
  switch (r.engine) {
    case 'iso2022':
      return encodeIso2022(text, r.cs, vr);
    case 'utf8':
      return encodeUtf8(text, terms);
    case 'gb18030':
      return encodeGb18030(text, terms, false);
    case 'gbk':
      return encodeGb18030(text, terms, true);
  }
}
