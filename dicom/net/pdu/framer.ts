/**
 * Cuts a byte stream (TCP chunks of any size) into whole PDUs, with no I/O of its own
 * (the pg-protocol / dicom-rs `read_pdu` shape).
 *
 * - The 6-byte header is read first, and a PDU whose declared length exceeds the maximum is
 *   refused *before* its body is buffered: a peer cannot make us hold a 4 GiB PDU.
 * - Chunks are kept in a list and each byte is copied at most once (into the PDU it belongs
 *   to), so a 128 KiB PDU arriving one byte at a time costs linear, not quadratic, time.
 * - A PDU that frames correctly but whose body is malformed does not desynchronise the
 *   stream: it comes out in order as a MalformedPdu carrying its PduError (the state machine
 *   turns it into Evt19), and the PDUs before it in the same chunk are not lost. Only a
 *   framing error (length too large) throws, after which the framer refuses further input.
 */
import { PduError } from './errors.js';
import { decodePdu } from './decode.js';
import { PDU_HEADER_LENGTH, PDU_TYPE, type Pdu } from './types.js';

/** A PDU that framed correctly but did not decode; `bytes` is the whole PDU. */
export interface MalformedPdu {
  readonly type: 'malformed';
  readonly pduType: number;
  readonly error: PduError;
  readonly bytes: Uint8Array;
}

export type FramedPdu = Pdu | MalformedPdu;

export interface PduFramerOptions {
  /**
   * Largest PDU-length (bytes after the 6-byte header) accepted for P-DATA-TF: the Maximum
   * Length we announced in our user information (PS3.8 D.1). Conformance §1: 64 KiB default.
   */
  readonly maxPdataLength: number;
  /**
   * Largest PDU-length for every other PDU type. A-ASSOCIATE-RQ/AC are not bounded by the
   * negotiated maximum (it is negotiated inside them) but must still be bounded: 1 MiB default
   * holds 128 presentation contexts and a large user identity with room to spare.
   */
  readonly maxOtherLength?: number;
}

export const DEFAULT_MAX_OTHER_PDU_LENGTH = 1024 * 1024;
const SLAB_BYTES = 1024 * 1024;

export class PduFramer {
  private readonly maxPdata: number;
  private readonly maxOther: number;
  /** Unconsumed chunks; chunks[head] starts at headOffset. */
  private chunks: Uint8Array[] = [];
  private head = 0;
  private headOffset = 0;
  private buffered = 0;
  /** Stream offset of the first buffered byte, for error offsets. */
  private streamOffset = 0;
  /** Header of the PDU being collected, once its 6 bytes have arrived. */
  private pending: { type: number; total: number } | undefined;
  private failed: PduError | undefined;
  private slab: Uint8Array | undefined;
  private slabUsed = 0;

  constructor(options: PduFramerOptions) {
    this.maxPdata = options.maxPdataLength;
    this.maxOther = options.maxOtherLength ?? DEFAULT_MAX_OTHER_PDU_LENGTH;
  }

  /** Bytes received but not yet part of a returned PDU. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Whether a PDU has started but not finished (useful when the transport closes). */
  get inProgress(): boolean {
    return this.buffered > 0;
  }

  /**
   * Adds bytes from the transport; returns every PDU completed by them, in order. PDUs may be
   * views into `chunk` when a PDU lies wholly inside it: do not reuse the chunk's memory.
   */
  push(chunk: Uint8Array): FramedPdu[] {
    if (this.failed !== undefined) {
      throw new PduError('PDU_FRAMER_FAILED', `framer already failed: ${this.failed.message}`, this.streamOffset, this.failed.pduType, { cause: this.failed });
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const out: FramedPdu[] = [];
    for (;;) {
      if (this.pending === undefined) {
        if (this.buffered < PDU_HEADER_LENGTH) break;
        const h = this.peek(PDU_HEADER_LENGTH);
        const type = h[0]!;
        const length = ((h[2]! << 24) >>> 0) + (h[3]! << 16) + (h[4]! << 8) + h[5]!;
        const max = type === PDU_TYPE.P_DATA_TF ? this.maxPdata : this.maxOther;
        // A maximum of 0 would mean "unlimited" in PS3.8 D.1; we never offer it (conformance §1).
        if (length > max) {
          this.failed = new PduError('PDU_TOO_LARGE', `PDU-length ${length} exceeds the maximum ${max}`, this.streamOffset + 2, type);
          this.chunks = [];
          this.head = 0;
          this.headOffset = 0;
          this.buffered = 0;
          throw this.failed;
        }
        this.pending = { type, total: PDU_HEADER_LENGTH + length };
      }
      if (this.buffered < this.pending.total) break;
      const bytes = this.take(this.pending.total);
      const start = this.streamOffset;
      this.streamOffset += bytes.length;
      const type = this.pending.type;
      this.pending = undefined;
      try {
        out.push(decodePdu(bytes));
      } catch (e) {
        if (!(e instanceof PduError)) throw e;
        out.push({ type: 'malformed', pduType: type, error: e.shifted(start), bytes });
      }
    }
    return out;
  }

  /** Copies the first n buffered bytes without consuming them (n is small: the header). */
  private peek(n: number): Uint8Array {
    const first = this.chunks[this.head]!;
    if (first.length - this.headOffset >= n) return first.subarray(this.headOffset, this.headOffset + n);
    const out = new Uint8Array(n);
    let o = 0;
    for (let i = this.head, off = this.headOffset; o < n; i++, off = 0) {
      const c = this.chunks[i]!;
      const k = Math.min(n - o, c.length - off);
      out.set(c.subarray(off, off + k), o);
      o += k;
    }
    return out;
  }

  /** Consumes n buffered bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[this.head]!;
    const avail = first.length - this.headOffset;
    let out: Uint8Array;
    if (avail >= n) {
      out = first.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === first.length) this.advance();
    } else {
      out = this.copyTarget(n);
      let o = 0;
      while (o < n) {
        const c = this.chunks[this.head]!;
        const k = Math.min(n - o, c.length - this.headOffset);
        out.set(c.subarray(this.headOffset, this.headOffset + k), o);
        o += k;
        this.headOffset += k;
        if (this.headOffset === c.length) this.advance();
      }
    }
    return out;
  }

  /**
   * Where a PDU that spans chunks is copied: carved from a 1 MiB slab rather than allocated
   * alone. A 64 KiB PDU arriving in 64 KiB socket reads nearly always spans two: one allocation
   * per PDU made the garbage collector the largest cost of receiving a large object. The views
   * keep their slab alive only until they are written out and dropped.
   */
  private copyTarget(n: number): Uint8Array {
    if (n > SLAB_BYTES / 4) return new Uint8Array(n);
    if (this.slab === undefined || this.slabUsed + n > this.slab.length) {
      this.slab = new Uint8Array(SLAB_BYTES);
      this.slabUsed = 0;
    }
    const out = this.slab.subarray(this.slabUsed, this.slabUsed + n);
    this.slabUsed += n;
    return out;
  }

  /** Drops the head chunk; compacts the list now and then instead of shift() per chunk. */
  private advance(): void {
    this.head++;
    this.headOffset = 0;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
