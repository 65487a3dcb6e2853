/**
 * A growable byte buffer for writers. Values are appended; the buffer doubles as needed so
 * that appends stay amortised O(1).
 */
export class ByteSink {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number, littleEndian: boolean): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, littleEndian);
    this.length += 2;
  }

  u32(v: number, littleEndian: boolean): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, littleEndian);
    this.length += 4;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i) & 0xff;
  }

  /** Overwrites a 32-bit value already written (for lengths known only afterwards). */
  patchU32(at: number, v: number, littleEndian: boolean): void {
    this.view.setUint32(at, v, littleEndian);
  }

  /** The bytes written so far (a view, not a copy). */
  toBytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Hands out the bytes written so far and starts empty, for chunked output. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

/** Byte-swaps units of `wordSize` bytes in place (little ↔ big endian). */
export function swapInPlace(b: Uint8Array, wordSize: 1 | 2 | 4 | 8): Uint8Array {
  if (wordSize === 1) return b;
  const n = b.length - (b.length % wordSize);
  for (let i = 0; i < n; i += wordSize) {
    for (let lo = i, hi = i + wordSize - 1; lo < hi; lo++, hi--) {
      const t = b[lo]!;
      b[lo] = b[hi]!;
      b[hi] = t;
    }
  }
  return b;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bytes of an ASCII string (callers guarantee the string is ASCII). */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function bytesToAscii(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) {
    s += String.fromCharCode(...b.subarray(i, Math.min(b.length, i + 8192)));
  }
  return s;
}
