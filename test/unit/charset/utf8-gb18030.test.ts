/**
 * The stateless multi-byte sets: UTF-8 (ISO_IR 192), GB18030 and GBK.
 */
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from '../../../dicom/charset/index.js';
import { charsetError, hex } from './helpers.js';

const U8 = ['ISO_IR 192'];
const GB = ['GB18030'];

describe('UTF-8 (ISO_IR 192), implemented without TextDecoder', () => {
  it('encodes and decodes 1- to 4-byte sequences, incl. 𠮷 (U+20BB7)', () => {
    expect(encodeText('A é 中 𠮷', U8, 'LO')).toEqual(hex('41 20 c3 a9 20 e4 b8 ad 20 f0 a0 ae b7'));
    expect(decodeText(hex('f0 a0 ae b7 5e f0 9f 98 80'), U8, 'PN')).toBe('𠮷^😀');
  });
  it('round-trips the edges of every length', () => {
    const s = '\u007f\u0080\u07ff\u0800\uffff\u{10000}\u{10ffff}';
    expect(decodeText(encodeText(s, U8, 'UT'), U8, 'UT')).toBe(s);
  });
  it('refuses truncated, overlong, surrogate and out-of-range sequences', () => {
    expect(charsetError(() => decodeText(hex('f0 a0 ae'), U8, 'LO')).code).toBe('CHARSET_TRUNCATED');
    expect(charsetError(() => decodeText(hex('c0 af'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('e0 80 af'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('ed a0 80'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('f4 90 80 80'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('41 80'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('e4 b8 41'), U8, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
  });
  it('refuses lone surrogates on encode', () => {
    expect(charsetError(() => encodeText('a\ud842b', U8, 'LO')).code).toBe('CHARSET_UNENCODABLE');
  });
  it('does not split on 0x5C/0x5E inside multi-byte characters (none can occur) and keeps delimiters', () => {
    expect(decodeText(encodeText('王\\小東', U8, 'LO'), U8, 'LO')).toBe('王\\小東');
  });
});

describe('GB18030', () => {
  it('two-byte codes, including trail bytes 0x5C and 0x5E', () => {
    // Trail bytes 0x5C and 0x5E are the bytes of '\' and '^': they must not split the value.
    const text = decodeText(hex('81 5c 81 5e'), GB, 'LO');
    expect(text).toHaveLength(2);
    expect(text).not.toContain('\\');
    expect(text).not.toContain('^');
    expect(encodeText(text, GB, 'LO')).toEqual(hex('81 5c 81 5e'));
  });
  it('four-byte codes in the BMP linear ranges', () => {
    expect(encodeText('\u0080', GB, 'LO')).toEqual(hex('81 30 81 30'));
    expect(encodeText('\u00a5', GB, 'LO')).toEqual(hex('81 30 84 36'));
    expect(encodeText('\u3400', GB, 'LO')).toEqual(hex('81 39 ee 39'));
    expect(encodeText('\uffff', GB, 'LO')).toEqual(hex('84 31 a4 39'));
    expect(decodeText(hex('81 30 81 30 81 30 84 36'), GB, 'LO')).toBe('\u0080\u00a5');
  });
  it('four-byte codes in the supplementary planes: 𠮷, U+10000, U+10FFFF', () => {
    expect(encodeText('𠮷', GB, 'PN')).toEqual(hex('95 34 b2 35'));
    expect(encodeText('\u{10000}\u{10ffff}', GB, 'LO')).toEqual(hex('90 30 81 30 e3 32 9a 35'));
    expect(decodeText(hex('95 34 b2 35 5e 90 30 81 30'), GB, 'PN')).toBe('𠮷^\u{10000}');
  });
  it('GB 18030-2022: vertical forms are two-byte, their old PUA code points four-byte; U+FFFD is a character', () => {
    expect(encodeText('\ufe10', GB, 'LO')).toEqual(hex('a6 d9'));
    expect(encodeText('\ue78d', GB, 'LO')).toEqual(hex('84 31 82 36'));
    expect(decodeText(hex('84 31 82 36'), GB, 'LO')).toBe('\ue78d');
    expect(encodeText('\ufffd', GB, 'LO')).toEqual(hex('84 31 a4 37'));
  });
  it('the two-byte form wins where a character has both (U+3000 is A1A1, not A3A0)', () => {
    expect(encodeText('\u3000', GB, 'LO')).toEqual(hex('a1 a1'));
  });
  it('round-trips every BMP scalar value', () => {
    const chars: string[] = [];
    for (let cp = 0x80; cp <= 0xffff; cp++) if (cp < 0xd800 || cp > 0xdfff) chars.push(String.fromCharCode(cp));
    const text = chars.join('');
    expect(decodeText(encodeText(text, GB, 'UT'), GB, 'UT')).toBe(text);
  });
  it('refuses 0x80, 0xFF, truncated and malformed sequences', () => {
    expect(charsetError(() => decodeText(hex('80'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('ff 41'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('41 cd'), GB, 'LO')).code).toBe('CHARSET_TRUNCATED');
    expect(charsetError(() => decodeText(hex('95 34 b2'), GB, 'LO')).code).toBe('CHARSET_TRUNCATED');
    expect(charsetError(() => decodeText(hex('95 34 30 35'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    expect(charsetError(() => decodeText(hex('cd 20 41'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    // Four-byte pointer past U+10FFFF
    expect(charsetError(() => decodeText(hex('e3 32 9a 36'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    // Gap between the BMP and supplementary four-byte areas
    expect(charsetError(() => decodeText(hex('85 30 81 30'), GB, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
  });
});

describe('GBK', () => {
  it('has no four-byte codes', () => {
    expect(charsetError(() => decodeText(hex('81 30 81 30'), ['GBK'], 'LO')).code).toBe('CHARSET_INVALID_BYTES');
    const e = charsetError(() => encodeText('𠮷', ['GBK'], 'LO'));
    expect(e.code).toBe('CHARSET_UNENCODABLE');
    expect(e.message).toContain('U+20BB7');
  });
});
