/**
 * Value Representations of PS3.5 §6.2, as one table. Everything that depends on the VR
 * (length field size, padding, byte swapping, character set, multiplicity) is looked up here
 * rather than decided in a switch somewhere else.
 */
export const VR_NAMES = [
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF',
  'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN',
  'UR', 'US', 'UT', 'UV',
] as const;

export type VR = (typeof VR_NAMES)[number];

/** How a VR's value is interpreted. */
export type VRKind =
  | 'string' // character string, backslash-separated multiple values
  | 'text' // a single text value in which backslash is an ordinary character (ST, LT, UT, UR)
  | 'person-name' // PN: component groups and components
  | 'number' // binary numbers of a fixed size (US, SL, FD, …)
  | 'tag' // AT: pairs of 16-bit group/element
  | 'bytes' // other byte strings (OB, OW, OF, UN, …), swapped by word size when big endian
  | 'sequence';

export interface VRInfo {
  readonly vr: VR;
  readonly kind: VRKind;
  /** Explicit VR uses a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1). */
  readonly longLength: boolean;
  /** Byte added to make an odd-length value even. */
  readonly padByte: 0x20 | 0x00;
  /** Size of one unit for byte swapping between little and big endian (1 = no swap). */
  readonly wordSize: 1 | 2 | 4 | 8;
  /** Maximum length of one value in bytes (or characters for PN/UC groups), if the standard sets one. */
  readonly maxLength?: number;
  /** Value decoded through Specific Character Set (0008,0005); others are the default repertoire. */
  readonly usesCharset: boolean;
}

function info(vr: VR, kind: VRKind, more: Partial<Omit<VRInfo, 'vr' | 'kind'>> = {}): VRInfo {
  return {
    vr,
    kind,
    longLength: more.longLength ?? false,
    padByte: more.padByte ?? (kind === 'bytes' || kind === 'number' || kind === 'tag' ? 0x00 : 0x20),
    wordSize: more.wordSize ?? 1,
    usesCharset: more.usesCharset ?? false,
    ...(more.maxLength !== undefined ? { maxLength: more.maxLength } : {}),
  };
}

export const VR_TABLE: Readonly<Record<VR, VRInfo>> = {
  AE: info('AE', 'string', { maxLength: 16 }),
  AS: info('AS', 'string', { maxLength: 4 }),
  AT: info('AT', 'tag', { wordSize: 2 }),
  CS: info('CS', 'string', { maxLength: 16 }),
  DA: info('DA', 'string', { maxLength: 18 }), // 8, or 18 in a range query
  DS: info('DS', 'string', { maxLength: 16 }),
  DT: info('DT', 'string', { maxLength: 54 }), // 26, or 54 in a range query
  FD: info('FD', 'number', { wordSize: 8 }),
  FL: info('FL', 'number', { wordSize: 4 }),
  IS: info('IS', 'string', { maxLength: 12 }),
  LO: info('LO', 'string', { maxLength: 64, usesCharset: true }),
  LT: info('LT', 'text', { maxLength: 10240, usesCharset: true }),
  OB: info('OB', 'bytes', { longLength: true }),
  OD: info('OD', 'bytes', { longLength: true, wordSize: 8 }),
  OF: info('OF', 'bytes', { longLength: true, wordSize: 4 }),
  OL: info('OL', 'bytes', { longLength: true, wordSize: 4 }),
  OV: info('OV', 'bytes', { longLength: true, wordSize: 8 }),
  OW: info('OW', 'bytes', { longLength: true, wordSize: 2 }),
  PN: info('PN', 'person-name', { maxLength: 64, usesCharset: true }),
  SH: info('SH', 'string', { maxLength: 16, usesCharset: true }),
  SL: info('SL', 'number', { wordSize: 4 }),
  SQ: info('SQ', 'sequence', { longLength: true }),
  SS: info('SS', 'number', { wordSize: 2 }),
  ST: info('ST', 'text', { maxLength: 1024, usesCharset: true }),
  SV: info('SV', 'number', { longLength: true, wordSize: 8 }),
  TM: info('TM', 'string', { maxLength: 28 }), // 14, or 28 in a range query
  UC: info('UC', 'string', { longLength: true, usesCharset: true }),
  UI: info('UI', 'string', { maxLength: 64, padByte: 0x00 }),
  UL: info('UL', 'number', { wordSize: 4 }),
  UN: info('UN', 'bytes', { longLength: true }),
  UR: info('UR', 'text', { longLength: true }),
  US: info('US', 'number', { wordSize: 2 }),
  UT: info('UT', 'text', { longLength: true, usesCharset: true }),
  UV: info('UV', 'number', { longLength: true, wordSize: 8 }),
};

const VR_SET: ReadonlySet<string> = new Set(VR_NAMES);

export function isVR(s: string): s is VR {
  return VR_SET.has(s);
}

/** The VR of two bytes read from an explicit VR stream, or undefined when they are not a VR. */
export function vrFromBytes(b0: number, b1: number): VR | undefined {
  const s = String.fromCharCode(b0, b1);
  return isVR(s) ? s : undefined;
}
