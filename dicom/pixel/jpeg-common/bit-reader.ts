/**
 * Reads the entropy-coded segment of a scan (T.81 F.2.2.5): undoes 0xFF00 byte stuffing, stops at
 * a marker, and past a marker or the end of the data feeds zero bits that are *not* counted as data
 * so that consuming them raises JPEG_TRUNCATED instead of decoding garbage forever.
 *
 * `acc` keeps the last `nbits` bits read (lowest bits); bits above are stale and masked off.
 */
import { JpegError } from './errors.js';
import { RST0 } from './markers.js';
import type { HuffmanDecodeTable } from './huffman-decode.js';

export class EntropyReader {
  acc = 0;
  nbits = 0;
  /** Zero bits fed after the data ended (the lowest `padBits` of the `nbits`). */
  padBits = 0;
  /** Offset of the next byte to read. */
  pos: number;
  /** Set once a marker (or the end of data) was reached; no more bytes are read. */
  atMarker = false;

  constructor(
    readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }

  /** Tops the accumulator up to at least 25 bits. */
  fill(): void {
    const data = this.data;
    const n = data.length;
    while (this.nbits <= 24) {
      if (!this.atMarker) {
        const p = this.pos;
        if (p < n) {
          const b = data[p]!;
          if (b !== 0xff) {
            this.acc = (this.acc << 8) | b;
            this.nbits += 8;
            this.pos = p + 1;
            continue;
          }
          if (p + 1 < n && data[p + 1] === 0x00) {
            this.acc = (this.acc << 8) | 0xff;
            this.nbits += 8;
            this.pos = p + 2;
            continue;
          }
        }
        // A marker (or fill bytes before one) or the end of the data: stop here.
        this.atMarker = true;
      }
      this.acc <<= 8;
      this.nbits += 8;
      this.padBits += 8;
    }
  }

  private truncated(): never {
    throw new JpegError('JPEG_TRUNCATED', 'entropy-coded data ends (marker or end of stream) before the scan is complete', this.pos);
  }

  /** Decodes one Huffman symbol. */
  decode(table: HuffmanDecodeTable): number {
    if (this.nbits < 16) this.fill();
    const e = table.lookup[(this.acc >>> (this.nbits - 16)) & 0xffff]!;
    const len = e >> 8;
    if (len === 0) {
      if (this.nbits - this.padBits < 16) this.truncated();
      throw new JpegError('JPEG_BAD_HUFFMAN_CODE', 'bit pattern is not a code of the Huffman table', this.pos);
    }
    if (len > this.nbits - this.padBits) this.truncated();
    this.nbits -= len;
    return e & 0xff;
  }

  /** Reads `s` (1..16) raw bits. */
  bits(s: number): number {
    if (this.nbits < s) this.fill();
    if (s > this.nbits - this.padBits) this.truncated();
    this.nbits -= s;
    return (this.acc >>> this.nbits) & ((1 << s) - 1);
  }

  /** RECEIVE + EXTEND (F.2.2.1): the signed value of an `s`-bit (1..15) magnitude category. */
  receiveExtend(s: number): number {
    const v = this.bits(s);
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }

  /**
   * At the end of a restart interval: drops the bits left in the current byte, expects RSTn
   * (`n` = expected modulo 8) and starts afresh after it.
   */
  restart(n: number): void {
    // Bytes already pulled into the accumulator beyond the current one would be data that the
    // interval did not use; the scan position for the marker is `pos` (fill stops at markers).
    const data = this.data;
    let p = this.pos;
    const wholeBytesUnread = (this.nbits - this.padBits) >> 3;
    if (wholeBytesUnread > 0 && !this.atMarker) {
      // Not expected in a valid stream: the interval ended with whole bytes unread.
      throw new JpegError('JPEG_BAD_RESTART', `${wholeBytesUnread} byte(s) of unused data before a restart marker`, p);
    }
    while (p < data.length && data[p] === 0xff && data[p + 1] === 0xff) p++;
    if (p + 1 >= data.length) {
      throw new JpegError('JPEG_TRUNCATED', 'stream ends where a restart marker was expected', p);
    }
    if (data[p] !== 0xff || data[p + 1] !== RST0 + (n & 7)) {
      throw new JpegError('JPEG_BAD_RESTART', `expected RST${n & 7}`, p);
    }
    this.pos = p + 2;
    this.acc = 0;
    this.nbits = 0;
    this.padBits = 0;
    this.atMarker = false;
  }
}
