/**
 * UTF-8 (ISO_IR 192), written out here because dicom/ may not use TextDecoder/TextEncoder.
 * Decoding is strict (RFC 3629): overlong forms, surrogates, code points above U+10FFFF and
 * stray continuation bytes are refused rather than replaced, so that bad data is reported.
 */
import { ByteSink } from '../core/bytes.js';
import { describeChar, fail, hex2 } from './errors.js';
import { TextSink, codePoints } from './text-sink.js';

export function decodeUtf8(bytes: Uint8Array, terms: readonly string[]): string {
  const out = new TextSink();
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      out.push(b);
      i++;
      continue;
    }
    let need: number;
    let cp: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, cp, min] = [1, b & 0x1f, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, cp, min] = [2, b & 0x0f, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, cp, min] = [3, b & 0x07, 0x10000];
    else fail('CHARSET_INVALID_BYTES', `UTF-8: byte ${hex2(b)} at offset ${i} cannot start a character`, terms);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) {
        fail('CHARSET_TRUNCATED', `UTF-8: sequence starting at offset ${i} is cut off by the end of the value`, terms);
      }
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) {
        fail('CHARSET_INVALID_BYTES', `UTF-8: byte ${hex2(c)} at offset ${i + k} is not a continuation byte`, terms);
      }
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      fail('CHARSET_INVALID_BYTES', `UTF-8: invalid sequence (overlong, surrogate or beyond U+10FFFF) at offset ${i}`, terms);
    }
    out.push(cp);
    i += need + 1;
  }
  return out.toString();
}

export function encodeUtf8(text: string, terms: readonly string[]): Uint8Array {
  const sink = new ByteSink(text.length * 3 + 4);
  const lone = (u: number, at: number): never =>
    fail('CHARSET_UNENCODABLE', `lone surrogate ${describeChar(u)} at index ${at} is not a character`, terms);
  for (const cp of codePoints(text, lone)) {
    if (cp < 0x80) sink.u8(cp);
    else if (cp < 0x800) {
      sink.u8(0xc0 | (cp >> 6));
      sink.u8(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      sink.u8(0xe0 | (cp >> 12));
      sink.u8(0x80 | ((cp >> 6) & 0x3f));
      sink.u8(0x80 | (cp & 0x3f));
    } else {
      sink.u8(0xf0 | (cp >> 18));
      sink.u8(0x80 | ((cp >> 12) & 0x3f));
      sink.u8(0x80 | ((cp >> 6) & 0x3f));
      sink.u8(0x80 | (cp & 0x3f));
    }
  }
  return sink.take();
}
