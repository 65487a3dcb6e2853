/**
 * The code elements DICOM can designate with ISO 2022 escape sequences (PS3.3 C.12.1.1.2,
 * PS3.5 6.1.2.5), and the escape sequence that puts each into G0 or G1.
 */
import { GB_2312, KS_X_1001 } from './korean-chinese.js';
import { JIS_X_0208, JIS_X_0212, katakanaDecode, katakanaEncode, romajiDecode, romajiEncode } from './japanese.js';
import { Iso8859Right } from './single-byte.js';

export interface CodeElement {
  readonly name: string;
  /** Bytes per character. */
  readonly width: 1 | 2;
  /** 94-character sets use 0x21..0x7E (per byte); 96-character sets use 0x20..0x7F. */
  readonly size: 94 | 96;
  /** False for sets this library only reads (JIS X 0212). */
  readonly encodable: boolean;
  /** 7-bit code (one byte, or b1 << 8 | b2) → code point, -1 when none. */
  decode(code: number): number;
  /** Code point → 7-bit code, -1 when none. */
  encode(cp: number): number;
}

export interface Designation {
  readonly element: CodeElement;
  readonly slot: 'G0' | 'G1';
  /** The escape sequence, ESC first. */
  readonly escape: readonly number[];
}

const ESC = 0x1b;
const seq = (s: string): number[] => [ESC, ...[...s].map((c) => c.charCodeAt(0))];

const ASCII: CodeElement = {
  name: 'ISO-IR 6 (ASCII)',
  width: 1,
  size: 94,
  encodable: true,
  decode: (code) => (code >= 0x21 && code <= 0x7f ? code : -1),
  encode: (cp) => (cp >= 0x21 && cp <= 0x7f ? cp : -1),
};
const ROMAJI: CodeElement = { name: 'ISO-IR 14 (JIS X 0201 romaji)', width: 1, size: 94, encodable: true, decode: romajiDecode, encode: romajiEncode };
const KATAKANA: CodeElement = { name: 'ISO-IR 13 (JIS X 0201 katakana)', width: 1, size: 94, encodable: true, decode: katakanaDecode, encode: katakanaEncode };
const dbcs = (name: string, set: { decode(c: number): number; encode(cp: number): number }, encodable = true): CodeElement => ({
  name,
  width: 2,
  size: 94,
  encodable,
  decode: (c) => set.decode(c),
  encode: (cp) => (encodable ? set.encode(cp) : -1),
});
export const JIS0208_ELEMENT = dbcs('ISO-IR 87 (JIS X 0208)', JIS_X_0208);
const JIS0212_ELEMENT = dbcs('ISO-IR 159 (JIS X 0212)', JIS_X_0212, false);
const KSX1001_ELEMENT = dbcs('ISO-IR 149 (KS X 1001)', KS_X_1001);
const GB2312_ELEMENT = dbcs('ISO-IR 58 (GB 2312)', GB_2312);

export const D_ASCII: Designation = { element: ASCII, slot: 'G0', escape: seq('(B') };
export const D_ROMAJI: Designation = { element: ROMAJI, slot: 'G0', escape: seq('(J') };
export const D_KATAKANA_G1: Designation = { element: KATAKANA, slot: 'G1', escape: seq(')I') };
export const D_JIS0208: Designation = { element: JIS0208_ELEMENT, slot: 'G0', escape: seq('$B') };
export const D_JIS0212: Designation = { element: JIS0212_ELEMENT, slot: 'G0', escape: seq('$(D') };
export const D_KSX1001: Designation = { element: KSX1001_ELEMENT, slot: 'G1', escape: seq('$)C') };
export const D_GB2312: Designation = { element: GB2312_ELEMENT, slot: 'G1', escape: seq('$)A') };

/** The 96-character right halves of ISO 8859, by ISO-IR number, with their ESC - F final byte. */
const ISO8859_FINALS: ReadonlyArray<readonly [ir: number, final: string, label: string]> = [
  [100, 'A', 'ISO 8859-1 Latin-1'],
  [101, 'B', 'ISO 8859-2 Latin-2'],
  [109, 'C', 'ISO 8859-3 Latin-3'],
  [110, 'D', 'ISO 8859-4 Latin-4'],
  [144, 'L', 'ISO 8859-5 Cyrillic'],
  [127, 'G', 'ISO 8859-6 Arabic'],
  [126, 'F', 'ISO 8859-7 Greek'],
  [138, 'H', 'ISO 8859-8 Hebrew'],
  [148, 'M', 'ISO 8859-9 Latin-5'],
  [203, 'b', 'ISO 8859-15 Latin-9'],
  [166, 'T', 'TIS 620 Thai'],
];

export const D_ISO8859 = new Map<number, Designation>(
  ISO8859_FINALS.map(([ir, final, label]) => {
    const table = new Iso8859Right(`ISO-IR ${ir}`);
    const element: CodeElement = {
      name: `ISO-IR ${ir} (${label})`,
      width: 1,
      size: 96,
      encodable: true,
      decode: (c) => table.decode(c),
      encode: (cp) => table.encode(cp),
    };
    return [ir, { element, slot: 'G1', escape: seq(`-${final}`) }];
  }),
);

/**
 * Every escape sequence understood when decoding, keyed by the bytes after ESC. Besides the
 * ones DICOM defines, the decoder accepts two spellings peers use for JIS X 0208 (ESC $ @, the
 * 1978 edition, and the long form ESC $ ( B) and JIS X 0201 katakana designated to G0.
 */
export const DESIGNATIONS_BY_ESCAPE: ReadonlyMap<string, Designation> = (() => {
  const m = new Map<string, Designation>();
  const key = (esc: readonly number[]): string => String.fromCharCode(...esc.slice(1));
  for (const d of [D_ASCII, D_ROMAJI, D_KATAKANA_G1, D_JIS0208, D_JIS0212, D_KSX1001, D_GB2312, ...D_ISO8859.values()]) {
    m.set(key(d.escape), d);
  }
  m.set('$@', D_JIS0208);
  m.set('$(B', D_JIS0208);
  m.set('(I', { element: KATAKANA, slot: 'G0', escape: seq('(I') });
  return m;
})();
