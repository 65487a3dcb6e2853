/**
 * ISO 2022 code extension: state resets, the 0x5E-inside-kanji trap, escapes, errors.
 */
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText, escapeBytes } from '../../../dicom/charset/index.js';
import { ESC, bytes, charsetError } from './helpers.js';

const JP = ['', 'ISO 2022 IR 87'];
const KANA_JP = ['ISO 2022 IR 13', 'ISO 2022 IR 87'];

describe('decode first, then split: 0x5E/0x5C/0x3D inside a kanji run', () => {
  // やまだ = ESC $ B 24 64 24 5E 24 40: its second pair holds the byte of '^'.
  const yamada = bytes([ESC], '$B$d$^$@', [ESC], '(B');
  it('keeps ま whole in PN (no component split at the inner 0x5E)', () => {
    expect(decodeText(yamada, JP, 'PN')).toBe('やまだ');
    expect(decodeText(bytes(yamada, '^', yamada), JP, 'PN')).toBe('やまだ^やまだ');
  });
  it('keeps a kanji containing 0x5C whole in a multi-valued LO', () => {
    // JIS 0x5C21 = 棔 (row 60): a raw split on 0x5C would cut it in half.
    const b = bytes([ESC], '$B\\!', [ESC], '(B\\', [ESC], '$B\\!', [ESC], '(B');
    expect(decodeText(b, JP, 'LO')).toBe('棔\\棔');
    expect(encodeText('棔\\棔', JP, 'LO')).toEqual(b);
  });
  it('keeps a kanji containing 0x3D whole in PN', () => {
    // JIS 0x3D3D = 十 (row 29)
    const b = bytes([ESC], '$B==', [ESC], '(B=', [ESC], '$B==', [ESC], '(B');
    expect(decodeText(b, JP, 'PN')).toBe('十=十');
    expect(encodeText('十=十', JP, 'PN')).toEqual(b);
  });
});

describe('state resets', () => {
  it('at ^ and = in PN even when the sender omitted the escape back', () => {
    // No ESC ( B before '^': the reset at the delimiter restores ASCII for "Taro".
    const b = bytes([ESC], '$B;3ED', [ESC], '(B^Taro');
    expect(decodeText(b, JP, 'PN')).toBe('山田^Taro');
    const sloppy = bytes([0x1b], '$B;3ED', [ESC], '(B^', 'Taro');
    expect(decodeText(sloppy, JP, 'PN')).toBe('山田^Taro');
  });
  it('at CR LF in LT, and the encoder returns to ASCII before each line end', () => {
    const text = '山田\r\nYamada\r\n太郎';
    const enc = encodeText(text, JP, 'LT');
    expect(escapeBytes(enc)).toBe('\\e$B;3ED\\e(B\\x0D\\x0A' + 'Yamada\\x0D\\x0A\\e$BB@O:\\e(B');
    expect(decodeText(enc, JP, 'LT')).toBe(text);
  });
  it('at TAB and FF too', () => {
    // Kanji, then TAB with no escape back: after the TAB the initial ASCII is in force.
    const b = bytes([ESC], '$B;3', [0x09], 'ab', [ESC], '$BED', [0x0c], 'cd');
    expect(decodeText(b, JP, 'LT')).toBe('山\tab田\fcd');
  });
  it('at \\ in multi-valued VRs only: in LT a backslash is text and does not reset', () => {
    const b = bytes([ESC], '-A', [0xe9], '\\', [0xe9]);
    // ISO 2022 IR 100 designated by escape after an IR 6 value 1: G1 Latin-1 lasts across '\' in LT…
    expect(decodeText(b, ['ISO 2022 IR 6', 'ISO 2022 IR 100'], 'LT')).toBe('é\\é');
    // …but not in LO, where '\' ends the value and G1 returns to "none".
    expect(charsetError(() => decodeText(b, ['ISO 2022 IR 6', 'ISO 2022 IR 100'], 'LO')).code).toBe('CHARSET_INVALID_BYTES');
  });
  it('space inside a kanji run decodes as SPACE; the encoder leaves the kanji set before a space', () => {
    expect(decodeText(bytes([ESC], '$B$d$^$@ $?$m$&', [ESC], '(B'), JP, 'LO')).toBe('やまだ たろう');
    expect(escapeBytes(encodeText('やまだ たろう', JP, 'LO'))).toBe('\\e$B$d$^$@\\e(B \\e$B$?$m$&\\e(B');
  });
});

describe('JIS X 0201 (ISO 2022 IR 13) with JIS X 0208', () => {
  it('half-width katakana in G1 need no escape when IR 13 is value 1', () => {
    expect(escapeBytes(encodeText('ﾔﾏﾀﾞ ﾀﾛｳ', KANA_JP, 'LO'))).toBe('\\xD4\\xCF\\xC0\\xDE \\xC0\\xDB\\xB3');
  });
  it('mixes half-width katakana, romaji and kanji in one value', () => {
    const text = 'ｶﾞｲｺﾂ Scan 山田';
    const enc = encodeText(text, KANA_JP, 'LO');
    expect(escapeBytes(enc)).toBe('\\xB6\\xDE\\xB2\\xBA\\xC2 Scan \\e$B;3ED\\e(J');
    expect(decodeText(enc, KANA_JP, 'LO')).toBe(text);
  });
  it('half-width katakana with \\ISO 2022 IR 13 as a later value are designated with ESC ) I', () => {
    const enc = encodeText('ﾀﾛｳ^山', ['', 'ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN');
    expect(escapeBytes(enc)).toBe('\\e)I\\xC0\\xDB\\xB3^\\e$B;3\\e(B');
    expect(decodeText(enc, ['', 'ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN')).toBe('ﾀﾛｳ^山');
  });
  it('ISO_IR 13 (no code extension) is romaji + katakana', () => {
    expect(decodeText(bytes('A', [0xb1]), ['ISO_IR 13'], 'LO')).toBe('Aｱ');
    expect(charsetError(() => encodeText('山', ['ISO_IR 13'], 'LO')).code).toBe('CHARSET_UNENCODABLE');
  });
});

describe('JIS X 0212 (ISO 2022 IR 159), decode only', () => {
  const cs = ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'];
  it('decodes ESC $ ( D', () => {
    // JIS X 0212 0x3021 = 丂 (U+4E02), not in JIS X 0208
    expect(decodeText(bytes([ESC], '$(D0!', [ESC], '(B'), cs, 'LO')).toBe('丂');
  });
  it('refuses to encode it, naming the character', () => {
    const e = charsetError(() => encodeText('丂', cs, 'LO'));
    expect(e.code).toBe('CHARSET_UNENCODABLE');
    expect(e.message).toContain('U+4E02');
  });
});

describe('NEC / IBM extension codes are not JIS X 0208', () => {
  it('refuses NEC row 13 on decode', () => {
    const e = charsetError(() => decodeText(bytes([ESC], '$B-!', [ESC], '(B'), JP, 'LO')); // ① in CP932
    expect(e.code).toBe('CHARSET_VENDOR_EXTENSION');
    expect(e.message).toMatch(/NEC\/IBM.*row 13/);
  });
  it('refuses IBM rows 89–92 on decode', () => {
    expect(charsetError(() => decodeText(bytes([ESC], '$By!', [ESC], '(B'), JP, 'LO')).code).toBe('CHARSET_VENDOR_EXTENSION');
    expect(charsetError(() => decodeText(bytes([ESC], '$B|!', [ESC], '(B'), JP, 'LO')).code).toBe('CHARSET_VENDOR_EXTENSION');
  });
  it('refuses NEC/IBM-only characters on encode, with a clear message', () => {
    for (const ch of ['①', 'Ⅰ', '㈱', '髙']) {
      const e = charsetError(() => encodeText(ch, JP, 'LO'));
      expect(e.code).toBe('CHARSET_UNENCODABLE');
      expect(e.message).toContain('NEC/IBM extension');
    }
  });
  it('accepts CP932 spellings of standard characters on encode (〜 for ～)', () => {
    expect(encodeText('～', JP, 'LO')).toEqual(encodeText('〜', JP, 'LO'));
    expect(decodeText(encodeText('～', JP, 'LO'), JP, 'LO')).toBe('〜');
  });
});

describe('bad escape sequences and truncation', () => {
  it('lone ESC at the end', () => {
    expect(charsetError(() => decodeText(bytes('abc', [ESC]), JP, 'LO')).code).toBe('CHARSET_BAD_ESCAPE');
  });
  it('incomplete escape', () => {
    expect(charsetError(() => decodeText(bytes('a', [ESC], '$'), JP, 'LO')).code).toBe('CHARSET_BAD_ESCAPE');
  });
  it('unknown escape', () => {
    const e = charsetError(() => decodeText(bytes([ESC], '$(Q!!'), JP, 'LO'));
    expect(e.code).toBe('CHARSET_BAD_ESCAPE');
    expect(e.message).toContain('\\e$(Q!!');
  });
  it('truncated kanji', () => {
    expect(charsetError(() => decodeText(bytes([ESC], '$B;3E'), JP, 'LO')).code).toBe('CHARSET_TRUNCATED');
    expect(charsetError(() => decodeText(bytes([ESC], '$)C', [0xb1]), ['', 'ISO 2022 IR 149'], 'LO')).code).toBe('CHARSET_TRUNCATED');
  });
  it('unmapped JIS cell', () => {
    expect(charsetError(() => decodeText(bytes([ESC], '$B"/'), JP, 'LO')).code).toBe('CHARSET_INVALID_BYTES');
  });
  it('ESC in text to encode is refused', () => {
    expect(charsetError(() => encodeText('a\u001bb', JP, 'LO')).code).toBe('CHARSET_UNENCODABLE');
  });
  it('errors carry the terms in force', () => {
    expect(charsetError(() => decodeText(bytes([ESC]), JP, 'LO')).charset).toEqual(JP);
  });
});

describe('default repertoire and ISO 8859', () => {
  it('bytes above 0x7F are refused without (0008,0005)', () => {
    expect(charsetError(() => decodeText(bytes('J', [0xe9]), [], 'PN')).code).toBe('CHARSET_INVALID_BYTES');
    const e = charsetError(() => encodeText('Jérôme', [], 'PN'));
    expect(e.code).toBe('CHARSET_UNENCODABLE');
    expect(e.message).toContain("U+00E9 'é'");
  });
  it('Latin-1, Greek, Cyrillic, Hebrew, Arabic, Thai, Latin-9 both ways', () => {
    const cases: [string, string][] = [
      ['ISO_IR 100', 'Buc^Jérôme'],
      ['ISO_IR 101', 'Dvořák^Łukasz'],
      ['ISO_IR 126', 'Διονυσιος'],
      ['ISO_IR 144', 'Люкceмбypг'],
      ['ISO_IR 138', 'שרון^דבורה'],
      ['ISO_IR 127', 'قباني^لنزار'],
      ['ISO_IR 166', 'สมชาย'],
      ['ISO_IR 203', 'Œuvre €'],
      ['ISO_IR 148', 'Işık'],
    ];
    for (const [cs, text] of cases) {
      const enc = encodeText(text, [cs], 'PN');
      expect(enc.every((b) => b < 0x80 || b >= 0xa0), cs).toBe(true);
      expect(decodeText(enc, [cs], 'PN'), cs).toBe(text);
    }
  });
  it('switches between two ISO 8859 sets with ESC - F', () => {
    const cs = ['ISO 2022 IR 100', 'ISO 2022 IR 144'];
    const enc = encodeText('é Ж é', cs, 'LO');
    expect(escapeBytes(enc)).toBe('\\xE9 \\e-L\\xB6 \\e-A\\xE9');
    expect(decodeText(enc, cs, 'LO')).toBe('é Ж é');
  });
  it('trailing space and NUL padding is removed', () => {
    expect(decodeText(bytes('Buc^J', [0xe9], 'r', [0x20]), ['ISO_IR 100'], 'PN')).toBe('Buc^Jér');
    expect(decodeText(bytes('UID', [0x00]), [], 'LO')).toBe('UID');
  });
});
