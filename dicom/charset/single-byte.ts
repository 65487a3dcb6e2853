/**
 * The ISO 8859 right halves (96-character sets invoked in G1 at 0xA0..0xFF). The left half is
 * always ASCII (G0), handled by the ISO 2022 engine.
 */
import { ISO_8859_RIGHT } from './tables/iso8859.js';
import { DicomError } from '../core/errors.js';

const NONE = 0xfffd;

export class Iso8859Right {
  private table: Uint16Array | undefined;
  private reverse: Map<number, number> | undefined;

  constructor(readonly isoIr: string) {
    if (ISO_8859_RIGHT[isoIr] === undefined) throw new DicomError('CHARSET_NO_TABLE', `no table for ${isoIr}`);
  }

  private decodeTable(): Uint16Array {
    if (!this.table) {
      const s = ISO_8859_RIGHT[this.isoIr]!;
      this.table = Uint16Array.from({ length: 96 }, (_, i) => s.charCodeAt(i));
    }
    return this.table;
  }

  /** `code` is the 7-bit position 0x20..0x7F (byte 0xA0..0xFF); -1 when the set has no character there. */
  decode(code: number): number {
    if (code < 0x20 || code > 0x7f) return -1;
    const cp = this.decodeTable()[code - 0x20]!;
    return cp === NONE ? -1 : cp;
  }

  encode(cp: number): number {
    if (!this.reverse) {
      const m = new Map<number, number>();
      this.decodeTable().forEach((c, i) => {
        if (c !== NONE && !m.has(c)) m.set(c, 0x20 + i);
      });
      this.reverse = m;
    }
    return this.reverse.get(cp) ?? -1;
  }
}
