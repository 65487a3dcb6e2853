/**
 * A 94×94 double-byte set (JIS X 0208, JIS X 0212, KS X 1001) built from the generated row
 * strings. The decode array and the reverse map are built on first use only, so that a cart that
 * never meets Korean text never pays for the Korean table.
 */
const NONE = 0xfffd;

export class Dbcs94 {
  private table: Uint16Array | undefined;
  private reverse: Map<number, number> | undefined;

  constructor(
    private readonly rows: readonly string[],
    /** Extra code points accepted on encode only (vendor variants of a standard character). */
    private readonly encodeAliases: ReadonlyArray<readonly [cp: number, code: number]> = [],
  ) {}

  private decodeTable(): Uint16Array {
    if (!this.table) {
      const t = new Uint16Array(94 * 94).fill(NONE);
      this.rows.forEach((row, r) => {
        for (let c = 0; c < row.length && c < 94; c++) t[r * 94 + c] = row.charCodeAt(c);
      });
      this.table = t;
    }
    return this.table;
  }

  /** `code` is the 7-bit pair (b1 << 8 | b2), each byte 0x21..0x7E; -1 when no character. */
  decode(code: number): number {
    const b1 = code >> 8;
    const b2 = code & 0xff;
    if (b1 < 0x21 || b1 > 0x7e || b2 < 0x21 || b2 > 0x7e) return -1;
    const cp = this.decodeTable()[(b1 - 0x21) * 94 + (b2 - 0x21)]!;
    return cp === NONE ? -1 : cp;
  }

  /** The 7-bit pair for `cp`, or -1. */
  encode(cp: number): number {
    if (!this.reverse) {
      const m = new Map<number, number>();
      const t = this.decodeTable();
      for (let i = 0; i < t.length; i++) {
        const cp2 = t[i]!;
        // First cell wins: duplicates (if any) encode to their canonical, lower code.
        if (cp2 !== NONE && !m.has(cp2)) m.set(cp2, ((0x21 + Math.floor(i / 94)) << 8) | (0x21 + (i % 94)));
      }
      for (const [a, code] of this.encodeAliases) if (!m.has(a)) m.set(a, code);
      this.reverse = m;
    }
    return this.reverse.get(cp) ?? -1;
  }
}
