import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../../device/panel/decode.js';
import { encodeMessage } from '../../../device/panel/encode.js';
import { PanelDecodeError } from '../../../device/panel/errors.js';
import { buildFrame } from '../../../device/panel/frame.js';
import { PanelFramer } from '../../../device/panel/framer.js';
import type { PanelMessage } from '../../../device/panel/messages.js';
import { MESSAGE_TYPE } from '../../../device/panel/protocol.js';
import { hex, messageFixtures } from './panel-fixtures.js';

const frameOf = (bytes: Uint8Array) => {
  const out = new PanelFramer().push(bytes);
  if (out.length !== 1 || out[0]!.kind !== 'frame') throw new Error(`not one frame: ${JSON.stringify(out)}`);
  return out[0]!.frame;
};
const raw = (type: number, payload: number[], version = 1) => ({ version, type, seq: 9, payload: Uint8Array.from(payload) });

describe('codec round trip', () => {
  for (const fx of messageFixtures()) {
    it(fx.name, () => {
      expect(decodeFrame(frameOf(fx.bytes))).toEqual({ seq: fx.seq, message: fx.message });
    });
  }
});

describe('an independent decoder (Python binascii.crc_hqx, its own unescaping) reads our frames', () => {
  it('every fixture: the CRC checks and the unescaped body matches', () => {
    const fixtures = messageFixtures();
    const script = `
import sys, binascii
for line in sys.stdin:
    b = bytes.fromhex(line)
    assert b[0] == 2 and b[-1] == 3
    body, i = bytearray(), 1
    while i < len(b) - 1:
        if b[i] == 0x10:
            body.append(b[i + 1] ^ 0x20); i += 2
        else:
            body.append(b[i]); i += 1
    crc = binascii.crc_hqx(bytes(body[:-2]), 0xFFFF)
    ok = crc == (body[-2] << 8 | body[-1]) and body[3] == len(body) - 6
    print(("OK " if ok else "BAD ") + body[:-2].hex())
`;
    const input = fixtures.map((f) => Buffer.from(f.bytes).toString('hex')).join('\n') + '\n';
    const lines = execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8' }).trim().split('\n');
    expect(lines).toHaveLength(fixtures.length);
    lines.forEach((line, i) => {
      const f = frameOf(fixtures[i]!.bytes);
      const body = [f.version, f.type, f.seq, f.payload.length, ...f.payload];
      expect(line).toBe(`OK ${Buffer.from(body).toString('hex')}`);
    });
  });
});

describe('decode refuses what it cannot act on, naming type and SEQ (for the NAK)', () => {
  const cases: [string, ReturnType<typeof raw>, PanelDecodeError['code']][] = [
    ['another protocol version', raw(MESSAGE_TYPE.HEARTBEAT, [], 2), 'UNSUPPORTED_VERSION'],
    ['an unknown type', raw(0x7a, []), 'UNKNOWN_TYPE'],
    ['a heartbeat with a payload', raw(MESSAGE_TYPE.HEARTBEAT, [0]), 'BAD_PAYLOAD'],
    ['a key code not in the table', raw(MESSAGE_TYPE.KEY_DOWN, [0x07]), 'BAD_PAYLOAD'],
    ['a key frame without its key', raw(MESSAGE_TYPE.KEY_UP, []), 'BAD_PAYLOAD'],
    ['an odd LED_SET payload', raw(MESSAGE_TYPE.LED_SET, [1, 1, 2]), 'BAD_PAYLOAD'],
    ['an empty LED_SET', raw(MESSAGE_TYPE.LED_SET, []), 'BAD_PAYLOAD'],
    ['an unknown LED', raw(MESSAGE_TYPE.LED_SET, [9, 1]), 'BAD_PAYLOAD'],
    ['an unknown LED mode', raw(MESSAGE_TYPE.LED_SET, [1, 3]), 'BAD_PAYLOAD'],
    ['an LED named twice', raw(MESSAGE_TYPE.LED_SET, [1, 1, 1, 0]), 'BAD_PAYLOAD'],
    ['an unknown beep pattern', raw(MESSAGE_TYPE.BEEP, [5]), 'BAD_PAYLOAD'],
    ['an ACK of two bytes', raw(MESSAGE_TYPE.ACK, [1, 2]), 'BAD_PAYLOAD'],
    ['a NAK with an unknown reason', raw(MESSAGE_TYPE.NAK, [1, 9]), 'BAD_PAYLOAD'],
    ['a HELLO too short', raw(MESSAGE_TYPE.HELLO, [1, 0, 0]), 'BAD_PAYLOAD'],
    ['a HELLO with unknown flags', raw(MESSAGE_TYPE.HELLO, [2, 0, 0, 0]), 'BAD_PAYLOAD'],
    ['a HELLO id running past the payload', raw(MESSAGE_TYPE.HELLO, [1, 0, 5, 0x41, 0]), 'BAD_PAYLOAD'],
    ['a HELLO id too long', raw(MESSAGE_TYPE.HELLO, [1, 0, 13, ...new Array(13).fill(0x41), 0]), 'BAD_PAYLOAD'],
    ['a HELLO id not printable', raw(MESSAGE_TYPE.HELLO, [1, 0, 1, 0x07, 0]), 'BAD_PAYLOAD'],
    ['a HELLO with bytes after the firmware', raw(MESSAGE_TYPE.HELLO, [1, 0, 0, 0, 0x41]), 'BAD_PAYLOAD'],
  ];
  for (const [what, frame, code] of cases) {
    it(what, () => {
      // through the framer, so the frame is well-formed on the wire and only the codec objects
      const f = frameOf(buildFrame(frame));
      let err: unknown;
      try {
        decodeFrame(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PanelDecodeError);
      expect(err).toMatchObject({ code, messageType: frame.type, seq: 9 });
    });
  }
});

describe('encode refuses what does not fit the wire', () => {
  const bad: [string, PanelMessage][] = [
    ['an id longer than 12', { type: 'hello', reply: false, minor: 0, id: 'x'.repeat(13), firmware: '' }],
    ['non-ASCII firmware', { type: 'hello', reply: false, minor: 0, id: 'a', firmware: 'v1·2' }],
    ['a minor version above 255', { type: 'hello', reply: false, minor: 256, id: 'a', firmware: '' }],
    ['an empty LED_SET', { type: 'led-set', leds: {} }],
    ['an ACK of SEQ 256', { type: 'ack', ackSeq: 256 }],
  ];
  for (const [what, m] of bad) it(what, () => expect(() => encodeMessage(m, 0)).toThrow(RangeError));
  it('a SEQ outside 0–255', () => expect(() => encodeMessage({ type: 'heartbeat' }, 256)).toThrow(RangeError));
  it('hex helper sanity: a heartbeat is 8 bytes with nothing to escape at SEQ 7', () => {
    expect(hex(encodeMessage({ type: 'heartbeat' }, 7))).toBe('02 01 42 07 00 18 2E 03');
  });
});
