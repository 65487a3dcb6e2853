/**
 * Cuts the serial byte stream into frames, with no I/O of its own (the shape of
 * dicom/net/pdu/framer.ts): `push(chunk)` returns, in stream order, every frame and every
 * framing error that the chunk completes.
 *
 * - Bounded: a frame body is collected into a fixed MAX_BODY buffer; the byte that would
 *   overflow it ends the frame with OVERSIZE and the framer hunts for the next STX. A panel
 *   that never sends ETX costs us MAX_BODY bytes, not memory without end.
 * - Resynchronising: STX always starts a frame (it cannot occur inside one, being escaped), so
 *   after garbage, a bad checksum or a cut-off frame the next frame is read normally.
 * - Split-invariant: the output for a stream does not depend on how it was chunked. For that
 *   reason a run of garbage is reported when it ends (at the next STX) or every
 *   GARBAGE_REPORT_BYTES bytes, never at the end of a chunk.
 */
import { crc16Ccitt } from './crc16.js';
import { PanelFrameError } from './errors.js';
import type { RawFrame } from './frame.js';
import { CRC_LENGTH, DLE, ESCAPE_XOR, ETX, HEADER_LENGTH, MAX_BODY, STX } from './protocol.js';

export type FramerOutput =
  | { readonly kind: 'frame'; readonly frame: RawFrame; readonly offset: number }
  | { readonly kind: 'error'; readonly error: PanelFrameError };

/** A garbage run is reported at least every this many bytes, so a babbling line is seen. */
export const GARBAGE_REPORT_BYTES = 64;

export class PanelFramer {
  private readonly body = new Uint8Array(MAX_BODY);
  private bodyLength = 0;
  /** 'hunt': outside a frame; 'body': after STX; 'escape': after DLE inside a frame; 'skip': dropping an oversize frame. */
  private state: 'hunt' | 'body' | 'escape' | 'skip' = 'hunt';
  /** Stream offset of the next byte pushed. */
  private offset = 0;
  private frameStart = 0;
  private garbageStart = 0;
  private garbageLength = 0;

  /** Whether a frame has started and not ended (for diagnostics when the line closes). */
  get inFrame(): boolean {
    return this.state !== 'hunt';
  }

  push(chunk: Uint8Array): FramerOutput[] {
    const out: FramerOutput[] = [];
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const b = chunk[i]!;
      if (b === STX) {
        this.endGarbage(out);
        if (this.state === 'body' || this.state === 'escape') {
          out.push(this.error('TRUNCATED', `frame cut off after ${this.bodyLength} bytes by a new STX`, this.frameStart, this.offset - this.frameStart));
        }
        this.state = 'body';
        this.bodyLength = 0;
        this.frameStart = this.offset;
        continue;
      }
      switch (this.state) {
        case 'hunt':
          if (this.garbageLength === 0) this.garbageStart = this.offset;
          this.garbageLength++;
          if (this.garbageLength === GARBAGE_REPORT_BYTES) this.endGarbage(out);
          break;
        case 'skip':
          if (b === ETX) this.state = 'hunt';
          break;
        case 'escape': {
          const real = b ^ ESCAPE_XOR;
          if (real !== STX && real !== ETX && real !== DLE) {
            out.push(this.error('BAD_ESCAPE', `DLE followed by 0x${hex(b)}`, this.frameStart, this.offset + 1 - this.frameStart));
            this.state = b === ETX ? 'hunt' : 'skip';
            break;
          }
          this.state = 'body';
          this.append(real, out);
          break;
        }
        case 'body':
          if (b === ETX) {
            this.state = 'hunt';
            this.finish(out);
          } else if (b === DLE) this.state = 'escape';
          else this.append(b, out);
          break;
      }
    }
    return out;
  }

  private append(b: number, out: FramerOutput[]): void {
    if (this.bodyLength === MAX_BODY) {
      out.push(this.error('OVERSIZE', `frame body exceeds ${MAX_BODY} bytes`, this.frameStart, this.offset + 1 - this.frameStart));
      this.state = 'skip';
      return;
    }
    this.body[this.bodyLength++] = b;
  }

  private finish(out: FramerOutput[]): void {
    const n = this.bodyLength;
    const len = this.offset + 1 - this.frameStart;
    if (n < HEADER_LENGTH + CRC_LENGTH) {
      out.push(this.error('BAD_LENGTH', `frame of ${n} bytes is shorter than header and CRC`, this.frameStart, len));
      return;
    }
    const got = (this.body[n - 2]! << 8) | this.body[n - 1]!;
    const want = crc16Ccitt(this.body, 0, n - CRC_LENGTH);
    if (got !== want) {
      out.push(this.error('BAD_CHECKSUM', `CRC 0x${hex(got, 4)} received, 0x${hex(want, 4)} computed`, this.frameStart, len));
      return;
    }
    const payloadLength = this.body[3]!;
    if (payloadLength !== n - HEADER_LENGTH - CRC_LENGTH) {
      out.push(this.error('BAD_LENGTH', `LEN says ${payloadLength} payload bytes, frame has ${n - HEADER_LENGTH - CRC_LENGTH}`, this.frameStart, len));
      return;
    }
    out.push({
      kind: 'frame',
      offset: this.frameStart,
      frame: { version: this.body[0]!, type: this.body[1]!, seq: this.body[2]!, payload: this.body.slice(HEADER_LENGTH, n - CRC_LENGTH) },
    });
  }

  private endGarbage(out: FramerOutput[]): void {
    if (this.garbageLength === 0) return;
    out.push(this.error('GARBAGE', `${this.garbageLength} bytes outside a frame`, this.garbageStart, this.garbageLength));
    this.garbageLength = 0;
  }

  private error(code: PanelFrameError['code'], message: string, offset: number, length: number): FramerOutput {
    return { kind: 'error', error: new PanelFrameError(code, message, offset, length) };
  }
}

const hex = (v: number, width = 2): string => v.toString(16).toUpperCase().padStart(width, '0');
