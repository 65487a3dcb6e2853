/**
 * The worked examples of PS3.5 Annex H (Japanese), I (Korean) and J (Chinese): our encoder must
 * produce the standard's bytes exactly, and decode them back.
 */
import { describe, expect, it } from 'vitest';
import { decodeText, encodeText } from '../../../dicom/charset/index.js';
import { hex } from './helpers.js';

// PS3.5 H.3.1, written in column/row notation in the standard.
const H31 = hex(`
  59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a
  1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42`);
// PS3.5 H.3.2
const H32 = hex(`
  d4 cf c0 de 5e c0 db b3 3d 1b 24 42 3b 33 45 44 1b 28 4a 5e 1b 24 42 42 40 4f 3a 1b 28 4a 3d
  1b 24 42 24 64 24 5e 24 40 1b 28 4a 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 4a`);
// PS3.5 I.2 (pydicom chrI2.dcm)
const I2 = hex(`
  48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 d7 3d
  1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf`);
// PS3.5 J.1 / J.3
const J1 = hex('57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d e7 8e 8b 5e e5 b0 8f e6 9d b1 3d');
const J3 = hex('57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d');
// PS3.5 J.2 / J.4 (Long Text with CR LF)
const lines = (zh: string): string =>
  `The first line includes ${zh}.\r\nThe second line includes ${zh}, too.\r\nThe third line.\r\n`;
const J2 = hex(`
  54 68 65 20 66 69 72 73 74 20 6c 69 6e 65 20 69 6e 63 6c 75 64 65 73 e4 b8 ad e6 96 87
  2e 0d 0a 54 68 65 20 73 65 63 6f 6e 64 20 6c 69 6e 65 20 69 6e 63 6c 75 64 65 73 e4 b8 ad e6 96 87
  2c 20 74 6f 6f 2e 0d 0a 54 68 65 20 74 68 69 72 64 20 6c 69 6e 65 2e 0d 0a`);
const J4 = hex(`
  54 68 65 20 66 69 72 73 74 20 6c 69 6e 65 20 69 6e 63 6c 75 64 65 73 d6 d0 ce c4
  2e 0d 0a 54 68 65 20 73 65 63 6f 6e 64 20 6c 69 6e 65 20 69 6e 63 6c 75 64 65 73 d6 d0 ce c4
  2c 20 74 6f 6f 2e 0d 0a 54 68 65 20 74 68 69 72 64 20 6c 69 6e 65 2e 0d 0a`);

// The standard's J.2/J.4 bytes have no space before the Chinese word; the bytes are the reference.
const J_TEXT = lines('中文').replace(/includes /g, 'includes');

describe('PS3.5 Annex H (Japanese)', () => {
  it('H.3.1 \\ISO 2022 IR 87: encodes byte-exact', () => {
    expect(encodeText('Yamada^Tarou=山田^太郎=やまだ^たろう', ['', 'ISO 2022 IR 87'], 'PN')).toEqual(H31);
  });
  it('H.3.1 decodes', () => {
    expect(decodeText(H31, ['', 'ISO 2022 IR 87'], 'PN')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
  });
  it('H.3.1 with value 1 spelt ISO 2022 IR 6 gives the same bytes', () => {
    expect(encodeText('Yamada^Tarou=山田^太郎=やまだ^たろう', ['ISO 2022 IR 6', 'ISO 2022 IR 87'], 'PN')).toEqual(H31);
  });
  it('H.3.2 ISO 2022 IR 13\\ISO 2022 IR 87: half-width katakana in G1, back to romaji with ESC ( J', () => {
    expect(encodeText('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう', ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN')).toEqual(H32);
    expect(decodeText(H32, ['ISO 2022 IR 13', 'ISO 2022 IR 87'], 'PN')).toBe('ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
  });
});

describe('PS3.5 Annex I (Korean)', () => {
  it('I.2 \\ISO 2022 IR 149: KS X 1001 re-designated in G1 after each delimiter', () => {
    expect(encodeText('Hong^Gildong=洪^吉洞=홍^길동', ['', 'ISO 2022 IR 149'], 'PN')).toEqual(I2);
    expect(decodeText(I2, ['', 'ISO 2022 IR 149'], 'PN')).toBe('Hong^Gildong=洪^吉洞=홍^길동');
  });
});

describe('PS3.5 Annex J (Chinese)', () => {
  it('J.1 ISO_IR 192 person name', () => {
    expect(encodeText('Wang^XiaoDong=王^小東=', ['ISO_IR 192'], 'PN')).toEqual(J1);
    expect(decodeText(J1, ['ISO_IR 192'], 'PN')).toBe('Wang^XiaoDong=王^小東=');
  });
  it('J.2 ISO_IR 192 long text with CR LF', () => {
    expect(encodeText(J_TEXT, ['ISO_IR 192'], 'LT')).toEqual(J2);
    expect(decodeText(J2, ['ISO_IR 192'], 'LT')).toBe(J_TEXT);
  });
  it('J.3 GB18030 person name (and GBK, which the standard says shares these bytes)', () => {
    for (const cs of ['GB18030', 'GBK']) {
      expect(encodeText('Wang^XiaoDong=王^小东=', [cs], 'PN')).toEqual(J3);
      expect(decodeText(J3, [cs], 'PN')).toBe('Wang^XiaoDong=王^小东=');
    }
  });
  it('J.4 GB18030 long text (and GBK)', () => {
    for (const cs of ['GB18030', 'GBK']) {
      expect(encodeText(J_TEXT, [cs], 'LT')).toEqual(J4);
      // CR LF at the end is content in LT, not padding.
      expect(decodeText(J4, [cs], 'LT')).toBe(J_TEXT);
    }
  });
});
