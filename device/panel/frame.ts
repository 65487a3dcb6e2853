import { crc16Ccitt } from './crc16.js';
import { CRC_LENGTH, DLE, ESCAPE_XOR, ETX, HEADER_LENGTH, MAX_PAYLOAD, STX } from './protocol.js';

/** One frame with its framing removed: checked CRC, unescaped, not yet interpreted. */
export interface RawFrame {
  readonly version: number;
  readonly type: number;
  /** 0–255, per sender, wrapping; ACK and NAK name the SEQ they answer. */
  readonly seq: number;
  readonly payload: Uint8Array;
}

const needsEscape = (b: number): boolean => b === STX || b === ETX || b === DLE;

/** The bytes on the wire for a frame: STX, the escaped body and CRC, ETX. */
export function buildFrame(f: RawFrame): Uint8Array {
  if (f.payload.length > MAX_PAYLOAD) throw new RangeError(`payload of ${f.payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  for (const [name, v] of [['version', f.version], ['type', f.type], ['seq', f.seq]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${name} ${v} is not a byte`);
  }
  const body = new Uint8Array(HEADER_LENGTH + f.payload.length + CRC_LENGTH);
  body[0] = f.version;
  body[1] = f.type;
  body[2] = f.seq;
  body[3] = f.payload.length;
  body.set(f.payload, HEADER_LENGTH);
  const crc = crc16Ccitt(body, 0, body.length - CRC_LENGTH);
  body[body.length - 2] = crc >>> 8;
  body[body.length - 1] = crc & 0xff;
  let escapes = 0;
  for (const b of body) if (needsEscape(b)) escapes++;
  const out = new Uint8Array(body.length + escapes + 2);
  let o = 0;
  out[o++] = STX;
  for (const b of body) {
    if (needsEscape(b)) {
      out[o++] = DLE;
      out[o++] = b ^ ESCAPE_XOR;
    } else out[o++] = b;
  }
  out[o++] = ETX;
  return out;
}
