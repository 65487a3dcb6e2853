/**
 * Writes entropy-coded data (T.81 F.1.2.3, B.1.1.5): codes of up to 31 bits are packed MSB first
 * into a 32-bit accumulator that is flushed four bytes at a time, with a 0x00 stuffed after every
 * 0xFF. The final partial byte is padded with 1-bits.
 */
export class BitWriter {
  buf: Uint8Array;
  private view: DataView;
  pos: number;
  /** Pending bits (the lowest `32 - free` bits of `acc`). */
  private acc = 0;
  private free = 32;

  constructor(capacity: number, start = 0, initial?: Uint8Array) {
    this.buf = new Uint8Array(Math.max(capacity, 64));
    if (initial) this.buf.set(initial);
    this.view = new DataView(this.buf.buffer);
    this.pos = start;
  }

  private grow(min: number): void {
    let cap = this.buf.length * 2;
    while (cap < min) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Appends raw bytes (marker segments); only valid when no bits are pending. */
  bytes(b: ArrayLike<number>): void {
    if (this.pos + b.length > this.buf.length) this.grow(this.pos + b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.pos++] = b[i]!;
  }

  /** Writes `len` (1..31) bits of `code` (no bits set above `len`). */
  put(code: number, len: number): void {
    const free = this.free;
    if (len < free) {
      this.acc = (this.acc << len) | code;
      this.free = free - len;
      return;
    }
    const rest = len - free;
    this.flush32((this.acc << free) | (code >>> rest));
    this.acc = code; // stale high bits are shifted out before they are flushed
    this.free = 32 - rest;
  }

  private flush32(w: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(this.pos + 8);
    this.pos = stuff4(this.buf, this.pos, w);
  }

  /**
   * The hot loop of the encoder: for each index `u = symbols[i]` (i < count) writes `codes[u]` of
   * `lengths[u]` (≤ 31) bits. Kept here, with the state in locals, so that V8 keeps it in
   * registers; a 32-bit word without 0xFF bytes goes out with one store.
   */
  putAll(symbols: Uint16Array, count: number, codes: Int32Array, lengths: Uint8Array): void {
    let acc = this.acc;
    let free = this.free;
    let buf = this.buf;
    let view = this.view;
    let p = this.pos;
    for (let i = 0; i < count; i++) {
      const u = symbols[i]!;
      const len = lengths[u]!;
      const code = codes[u]!;
      if (len < free) {
        acc = (acc << len) | code;
        free -= len;
        continue;
      }
      const rest = len - free;
      const w = (acc << free) | (code >>> rest);
      acc = code;
      free = 32 - rest;
      if (p + 8 > buf.length) {
        this.pos = p;
        this.grow(p + 8);
        buf = this.buf;
        view = this.view;
      }
      const nw = ~w;
      if (((nw - 0x01010101) & ~nw & 0x80808080) === 0) {
        view.setInt32(p, w);
        p += 4;
      } else {
        p = stuff4(buf, p, w);
      }
    }
    this.acc = acc;
    this.free = free;
    this.pos = p;
  }

  /**
   * As putAll, with code and length packed in one table entry, `(code << 5) | length`, for codes
   * of at most 26 bits (every frame of precision ≤ 10): one table load per sample.
   */
  putAllPacked(symbols: Uint16Array, count: number, packed: Int32Array): void {
    let acc = this.acc;
    let free = this.free;
    let buf = this.buf;
    let view = this.view;
    let p = this.pos;
    for (let i = 0; i < count; i++) {
      const e = packed[symbols[i]!]!;
      const len = e & 31;
      const code = e >>> 5;
      if (len < free) {
        acc = (acc << len) | code;
        free -= len;
        continue;
      }
      const rest = len - free;
      const w = (acc << free) | (code >>> rest);
      acc = code;
      free = 32 - rest;
      if (p + 8 > buf.length) {
        this.pos = p;
        this.grow(p + 8);
        buf = this.buf;
        view = this.view;
      }
      const nw = ~w;
      if (((nw - 0x01010101) & ~nw & 0x80808080) === 0) {
        view.setInt32(p, w);
        p += 4;
      } else {
        p = stuff4(buf, p, w);
      }
    }
    this.acc = acc;
    this.free = free;
    this.pos = p;
  }

  /** Pads the last byte with 1-bits and writes out every pending bit. */
  finish(): void {
    let nbits = 32 - this.free;
    if (nbits === 0) return;
    const pad = (8 - (nbits & 7)) & 7;
    const w = ((this.acc << pad) | ((1 << pad) - 1)) >>> 0;
    nbits += pad;
    if (this.pos + 8 > this.buf.length) this.grow(this.pos + 8);
    // w holds `nbits` valid bits in its low end.
    while (nbits > 0) {
      nbits -= 8;
      const b = (w >>> nbits) & 0xff;
      this.buf[this.pos++] = b;
      if (b === 0xff) this.buf[this.pos++] = 0;
    }
    this.acc = 0;
    this.free = 32;
  }
}

/** Writes the 4 bytes of `w` (big endian) at `p`, each 0xFF followed by a stuffed 0x00. */
function stuff4(buf: Uint8Array, p: number, w: number): number {
  const b0 = w >>> 24;
  const b1 = (w >>> 16) & 0xff;
  const b2 = (w >>> 8) & 0xff;
  const b3 = w & 0xff;
  buf[p++] = b0;
  if (b0 === 0xff) buf[p++] = 0;
  buf[p++] = b1;
  if (b1 === 0xff) buf[p++] = 0;
  buf[p++] = b2;
  if (b2 === 0xff) buf[p++] = 0;
  buf[p++] = b3;
  if (b3 === 0xff) buf[p++] = 0;
  return p;
}
