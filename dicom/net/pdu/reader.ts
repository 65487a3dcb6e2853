import { PduError, type PduErrorCode } from './errors.js';

/**
 * A bounds-checked big-endian cursor over one PDU. Every read that would cross `end` raises a
 * PduError naming the offset, so the decoders never index past what the PDU declared.
 */
export class PduReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly pduType: number | undefined,
    start = 0,
    public end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(code: PduErrorCode, message: string, at = this.pos): never {
    throw new PduError(code, message, at, this.pduType);
  }

  need(n: number, what: string, code: PduErrorCode = 'PDU_TRUNCATED'): void {
    if (this.pos + n > this.end) {
      this.fail(code, `${what} needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, false);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, false);
    this.pos += 4;
    return v;
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  /** A view (not a copy) of the next n bytes. */
  take(n: number, what: string, code: PduErrorCode = 'PDU_TRUNCATED'): Uint8Array {
    this.need(n, what, code);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A copy of the next n bytes, for values the caller keeps beyond the input's life. */
  copy(n: number, what: string): Uint8Array {
    return this.take(n, what).slice();
  }

  ascii(n: number, what: string): string {
    const b = this.take(n, what);
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
}
