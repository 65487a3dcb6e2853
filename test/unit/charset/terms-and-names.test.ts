import { describe, expect, it } from 'vitest';
import {
  assertSupportedCharset,
  decodeText,
  encodeText,
  escapeBytes,
  formatPersonName,
  parsePersonName,
  parseSpecificCharacterSet,
} from '../../../dicom/charset/index.js';
import { CharsetError } from '../../../dicom/core/errors.js';
import { charsetError, hex } from './helpers.js';

describe('parseSpecificCharacterSet', () => {
  it('missing, empty and padding-only values are the default repertoire', () => {
    expect(parseSpecificCharacterSet(undefined)).toEqual([]);
    expect(parseSpecificCharacterSet('')).toEqual([]);
    expect(parseSpecificCharacterSet('  ')).toEqual([]);
  });
  it('splits on backslash, keeps an empty value 1 and trims padding', () => {
    expect(parseSpecificCharacterSet('\\ISO 2022 IR 87 ')).toEqual(['', 'ISO 2022 IR 87']);
    expect(parseSpecificCharacterSet('ISO_IR 192\0')).toEqual(['ISO_IR 192']);
    expect(parseSpecificCharacterSet('ISO 2022 IR 13\\ISO 2022 IR 87')).toEqual(['ISO 2022 IR 13', 'ISO 2022 IR 87']);
  });
});

describe('supported terms', () => {
  it('unknown terms raise CHARSET_UNSUPPORTED from every entry point', () => {
    expect(() => assertSupportedCharset(['ISO_IR 100', 'KOI8-R'])).toThrow(CharsetError);
    for (const fn of [
      () => assertSupportedCharset(['ISO-IR 100']),
      () => decodeText(hex('41'), ['ISO_IR 999'], 'LO'),
      () => encodeText('A', ['ISO 2022 IR 999'], 'LO'),
    ]) {
      const e = charsetError(fn);
      expect(e.code).toBe('CHARSET_UNSUPPORTED');
      expect(e.message).toMatch(/not supported/);
    }
  });
  it('accepts every defined term it claims', () => {
    const all = ['', 'ISO_IR 6', 'ISO 2022 IR 6', 'ISO_IR 13', 'ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159',
      'ISO 2022 IR 149', 'ISO 2022 IR 58', 'ISO_IR 192', 'GB18030', 'GBK'];
    for (const ir of [100, 101, 109, 110, 144, 127, 126, 138, 148, 203, 166]) all.push(`ISO_IR ${ir}`, `ISO 2022 IR ${ir}`);
    expect(() => assertSupportedCharset(all)).not.toThrow();
  });
  it('UTF-8 with code extensions: decoded leniently with value 1, refused on encode', () => {
    const terms = ['ISO_IR 192', 'ISO 2022 IR 87'];
    expect(decodeText(hex('e7 8e 8b'), terms, 'LO')).toBe('王');
    expect(charsetError(() => encodeText('王', terms, 'LO')).code).toBe('CHARSET_INVALID_TERMS');
    expect(charsetError(() => decodeText(hex('41'), ['', 'GB18030'], 'LO')).code).toBe('CHARSET_INVALID_TERMS');
  });
  it('"ISO_IR 100" as value 1 with code extensions is read as ISO 2022 IR 100', () => {
    const terms = ['ISO_IR 100', 'ISO 2022 IR 87'];
    const b = encodeText('Jérôme^山田', terms, 'PN');
    expect(escapeBytes(b)).toBe('J\\xE9r\\xF4me^\\e$B;3ED\\e(B');
    expect(decodeText(b, terms, 'PN')).toBe('Jérôme^山田');
  });
  it('ISO 2022 IR 58 (GB 2312) and IR 149 (KS X 1001) in G1', () => {
    const b = encodeText('Wang^王', ['', 'ISO 2022 IR 58'], 'PN');
    expect(escapeBytes(b)).toBe('Wang^\\e$)A\\xCD\\xF5');
    expect(decodeText(b, ['', 'ISO 2022 IR 58'], 'PN')).toBe('Wang^王');
    expect(charsetError(() => encodeText('東', ['', 'ISO 2022 IR 58'], 'PN')).code).toBe('CHARSET_UNENCODABLE');
  });
});

describe('escapeBytes', () => {
  it('shows printable ASCII, ESC as \\e and other bytes as \\xNN', () => {
    expect(escapeBytes(hex('41 1b 24 42 00 e9 7f 5e'))).toBe('A\\e$B\\x00\\xE9\\x7F^');
  });
});

describe('person names', () => {
  it('parses the three component groups', () => {
    const pn = parsePersonName('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(pn.alphabetic).toEqual({ family: 'Yamada', given: 'Tarou', middle: '', prefix: '', suffix: '' });
    expect(pn.ideographic.family).toBe('山田');
    expect(pn.phonetic.given).toBe('たろう');
    expect(formatPersonName(pn)).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
  });
  it('formats without trailing empty components or groups', () => {
    expect(formatPersonName(parsePersonName('Wang^XiaoDong=王^小東='))).toBe('Wang^XiaoDong=王^小東');
    expect(formatPersonName(parsePersonName('Doctor^Who^^MD^'))).toBe('Doctor^Who^^MD');
    expect(formatPersonName(parsePersonName('^^^^'))).toBe('');
    expect(formatPersonName({ ideographic: { family: '山田', given: '', middle: '', prefix: '', suffix: '' } })).toBe('=山田');
  });
  it('keeps extra components rather than dropping them', () => {
    expect(parsePersonName('a^b^c^d^e^f').alphabetic.suffix).toBe('e^f');
  });
  it('works on decoded text, so the ま (0x24 0x5E) trap cannot split a component', () => {
    const decoded = decodeText(hex('1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42'), ['', 'ISO 2022 IR 87'], 'PN');
    expect(parsePersonName(decoded).alphabetic).toMatchObject({ family: 'やまだ', given: 'たろう' });
  });
});
