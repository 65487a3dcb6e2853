import { CharsetError, DicomEncodeError } from '../core/errors.js';
import { asciiBytes } from '../core/bytes.js';
import { formatTag, type Tag } from '../core/tag.js';
import { VR_TABLE, type VR } from '../core/vr.js';
import { decodeText, encodeText, type CharsetVR } from '../charset/index.js';

/**
 * String values (PS3.5 §6.2). Which padding is insignificant, whether backslash separates
 * values and whether Specific Character Set applies all follow the VR table.
 */

/** Leading spaces are insignificant for these VRs too (PS3.5 Table 6.2-1). */
const TRIM_LEADING: ReadonlySet<VR> = new Set<VR>(['AE', 'CS', 'DS', 'IS', 'SH', 'LO', 'AS']);

function stripTrailingPadding(b: Uint8Array): Uint8Array {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x20 || b[end - 1] === 0x00)) end--;
  return end === b.length ? b : b.subarray(0, end);
}

function ascii(b: Uint8Array, vr: VR): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c > 0x7e || (c < 0x20 && c !== 0x1b && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0x0c)) {
      // Only the default repertoire is allowed here; another byte means a mislabelled value.
      throw new CharsetError(
        'CHARSET_NOT_DEFAULT_REPERTOIRE',
        `byte 0x${c.toString(16).padStart(2, '0')} at ${i} is not in the default repertoire allowed for ${vr}`,
        [],
      );
    }
    s += String.fromCharCode(c);
  }
  return s;
}

/** Decodes all values of a string VR. An empty value gives an empty list. */
export function decodeStrings(bytes: Uint8Array, vr: VR, charset: readonly string[]): string[] {
  const info = VR_TABLE[vr];
  const b = stripTrailingPadding(bytes);
  if (b.length === 0) return [];
  let text: string;
  if (info.usesCharset) text = decodeText(b, charset, vr as CharsetVR);
  else text = ascii(b, vr);
  if (info.kind === 'text') return [text];
  const values = text.split('\\');
  return TRIM_LEADING.has(vr) ? values.map((v) => v.trim()) : values.map((v) => v.replace(/[ \0]+$/, ''));
}

/** Encodes values of a string VR, joined by backslash and padded to even length. */
export function encodeStrings(values: readonly string[], vr: VR, charset: readonly string[], tag: Tag): Uint8Array {
  const info = VR_TABLE[vr];
  if (info.kind !== 'string' && info.kind !== 'text' && info.kind !== 'person-name') {
    throw new DicomEncodeError('ENCODE_VR_NOT_STRING', `${formatTag(tag)}: ${vr} does not hold strings`);
  }
  if (info.kind === 'text' && values.length > 1) {
    throw new DicomEncodeError('ENCODE_VM', `${formatTag(tag)}: ${vr} holds one value, got ${values.length}`);
  }
  for (const v of values) {
    if (info.kind !== 'text' && v.includes('\\')) {
      throw new DicomEncodeError('ENCODE_BACKSLASH', `${formatTag(tag)}: a ${vr} value may not contain a backslash`);
    }
  }
  const text = values.join('\\');
  let body: Uint8Array;
  if (info.usesCharset) {
    body = encodeText(text, charset, vr as CharsetVR);
  } else {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 0x7e) {
        throw new DicomEncodeError(
          'ENCODE_NOT_DEFAULT_REPERTOIRE',
          `${formatTag(tag)}: ${vr} allows only the default repertoire, got ${JSON.stringify(text[i])}`,
        );
      }
    }
    body = asciiBytes(text);
  }
  return padEven(body, info.padByte);
}

export function padEven(b: Uint8Array, pad: number): Uint8Array {
  if (b.length % 2 === 0) return b;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  out[b.length] = pad;
  return out;
}
