/**
 * KS X 1001 (ISO-IR 149) and GB 2312 (ISO-IR 58), the double-byte sets that DICOM invokes in G1.
 */
import { KS_X_1001_ROWS } from './tables/ksx1001.js';
import { Dbcs94 } from './dbcs94.js';
import { gbTwoByteDecode, gbTwoByteEncode } from './gb18030.js';

export const KS_X_1001 = new Dbcs94(KS_X_1001_ROWS);

function isPrivateUse(cp: number): boolean {
  return cp >= 0xe000 && cp <= 0xf8ff;
}

/**
 * GB 2312 is the EUC-CN part of GB18030's two-byte area (rows 0xA1..0xF7 × 0xA1..0xFE), so it is
 * read from the GB18030 table; user-defined rows (private use) are not part of it.
 */
export const GB_2312 = {
  decode(code: number): number {
    const lead = (code >> 8) | 0x80;
    const trail = (code & 0xff) | 0x80;
    if (lead < 0xa1 || lead > 0xf7 || trail < 0xa1 || trail > 0xfe) return -1;
    const cp = gbTwoByteDecode(lead, trail);
    return cp < 0 || isPrivateUse(cp) ? -1 : cp;
  },
  encode(cp: number): number {
    if (isPrivateUse(cp)) return -1;
    const code = gbTwoByteEncode(cp);
    if (code < 0) return -1;
    const lead = code >> 8;
    const trail = code & 0xff;
    return lead >= 0xa1 && lead <= 0xf7 && trail >= 0xa1 ? code & 0x7f7f : -1;
  },
};
