/**
 * The Specific Character Set (0008,0005) defined terms this library supports, as a table
 * (PS3.3 C.12.1.1.2, Tables C.12-2 to C.12-5).
 */
import {
  D_ASCII,
  D_GB2312,
  D_ISO8859,
  D_JIS0208,
  D_JIS0212,
  D_KATAKANA_G1,
  D_KSX1001,
  D_ROMAJI,
  type Designation,
} from './code-elements.js';

export type Engine = 'iso2022' | 'utf8' | 'gb18030' | 'gbk';

export interface TermInfo {
  readonly term: string;
  readonly engine: Engine;
  /** The "ISO 2022 …" spellings, which allow code extension (several terms, escapes). */
  readonly codeExtension: boolean;
  /** What this term puts in G0/G1 when it is value 1 (the initial state of every value). */
  readonly initialG0?: Designation;
  readonly initialG1?: Designation;
  /** Designations an encoder may escape to for this term, in order of preference. */
  readonly designations: readonly Designation[];
  /** Read but never written (JIS X 0212). */
  readonly decodeOnly?: boolean;
}

const table: TermInfo[] = [
  { term: '', engine: 'iso2022', codeExtension: true, initialG0: D_ASCII, designations: [D_ASCII] },
  { term: 'ISO 2022 IR 6', engine: 'iso2022', codeExtension: true, initialG0: D_ASCII, designations: [D_ASCII] },
  { term: 'ISO_IR 13', engine: 'iso2022', codeExtension: false, initialG0: D_ROMAJI, initialG1: D_KATAKANA_G1, designations: [D_ROMAJI, D_KATAKANA_G1] },
  { term: 'ISO 2022 IR 13', engine: 'iso2022', codeExtension: true, initialG0: D_ROMAJI, initialG1: D_KATAKANA_G1, designations: [D_ROMAJI, D_KATAKANA_G1] },
  { term: 'ISO 2022 IR 87', engine: 'iso2022', codeExtension: true, designations: [D_JIS0208] },
  { term: 'ISO 2022 IR 159', engine: 'iso2022', codeExtension: true, designations: [D_JIS0212], decodeOnly: true },
  { term: 'ISO 2022 IR 149', engine: 'iso2022', codeExtension: true, designations: [D_KSX1001] },
  { term: 'ISO 2022 IR 58', engine: 'iso2022', codeExtension: true, designations: [D_GB2312] },
  { term: 'ISO_IR 192', engine: 'utf8', codeExtension: false, designations: [] },
  { term: 'GB18030', engine: 'gb18030', codeExtension: false, designations: [] },
  { term: 'GBK', engine: 'gbk', codeExtension: false, designations: [] },
];
for (const [ir, d] of D_ISO8859) {
  for (const [term, codeExtension] of [[`ISO_IR ${ir}`, false], [`ISO 2022 IR ${ir}`, true]] as const) {
    table.push({ term, engine: 'iso2022', codeExtension, initialG0: D_ASCII, initialG1: d, designations: [D_ASCII, d] });
  }
}

const BY_TERM: ReadonlyMap<string, TermInfo> = new Map(table.map((t) => [t.term, t]));

/**
 * Not a defined term, but sent by many systems for the default repertoire (pydicom reads it so
 * too); accepted as a synonym of an empty value 1.
 */
const ALIASES: ReadonlyMap<string, string> = new Map([['ISO_IR 6', '']]);

export function lookupTerm(term: string): TermInfo | undefined {
  return BY_TERM.get(ALIASES.get(term) ?? term);
}

export const SUPPORTED_TERMS: readonly string[] = table.map((t) => t.term).filter((t) => t !== '');
