import { describe, expect, it } from 'vitest';
import { crc16Ccitt as crcOf } from '../../../device/panel/crc16.js';
import { decodeFrame } from '../../../device/panel/decode.js';
import { buildFrame } from '../../../device/panel/frame.js';
import { GARBAGE_REPORT_BYTES, PanelFramer, type FramerOutput } from '../../../device/panel/framer.js';
import { DLE, ETX, MAX_BODY, MAX_PAYLOAD, STX } from '../../../device/panel/protocol.js';
import { concatBytes as concat } from '../../../dicom/core/index.js';
import { messageFixtures } from './panel-fixtures.js';

/** Output as plain data: frames as decoded messages, errors as code@offset+length. */
function summary(outs: FramerOutput[]): unknown[] {
  return outs.map((o) => (o.kind === 'frame' ? { at: o.offset, ...decodeFrame(o.frame) } : `${o.error.code}@${o.error.offset}+${o.error.length}`));
}

function pushChunks(chunks: Uint8Array[]): FramerOutput[] {
  const f = new PanelFramer();
  return chunks.flatMap((c) => f.push(c));
}

const fixtures = messageFixtures();

describe('every fixture split at every offset', () => {
  for (const fx of fixtures) {
    it(fx.name, () => {
      const expected = [{ at: 0, seq: fx.seq, message: fx.message }];
      for (let cut = 0; cut <= fx.bytes.length; cut++) {
        expect(summary(pushChunks([fx.bytes.subarray(0, cut), fx.bytes.subarray(cut)])), `cut ${cut}`).toEqual(expected);
      }
      expect(summary(pushChunks(Array.from(fx.bytes, (b) => Uint8Array.of(b))))).toEqual(expected);
    });
  }

  it('the fixtures contain escaped bytes in header, payload and CRC, and they decode', () => {
    const escaped = fixtures.filter((fx) => fx.bytes.subarray(1, -1).includes(DLE));
    expect(escaped.length).toBeGreaterThan(5);
    // an escaped byte inside the payload: the blink mode 0x02 of an LED
    const blink = fixtures.find((fx) => fx.message.type === 'led-set' && Object.values(fx.message.leds).every((m) => m === 'blink'))!;
    expect(Array.from(blink.bytes)).toEqual(expect.arrayContaining([DLE, STX ^ 0x20]));
    expect(decodeFrame((new PanelFramer().push(blink.bytes)[0] as Extract<FramerOutput, { kind: 'frame' }>).frame).message).toEqual(blink.message);
  });

  it('the whole set as one stream, cut in three at many places, with garbage between frames', () => {
    const noise = Uint8Array.of(0x00, 0xff, ETX, 0x41);
    const parts = fixtures.flatMap((fx, i) => (i % 3 === 0 ? [noise, fx.bytes] : [fx.bytes]));
    const stream = concat(parts);
    const expected = summary(pushChunks([stream]));
    expect(expected.filter((e) => typeof e === 'string')).toHaveLength(Math.ceil(fixtures.length / 3));
    expect(expected.filter((e) => typeof e !== 'string')).toHaveLength(fixtures.length);
    for (let a = 0; a < stream.length; a += 5) {
      for (let b = a; b <= stream.length; b += 61) {
        expect(summary(pushChunks([stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)])), `${a}/${b}`).toEqual(expected);
      }
    }
  });
});

describe('garbage and resynchronisation', () => {
  const [a, b] = [fixtures[3]!, fixtures[4]!];

  it('garbage before and between frames is reported once per run, at its offset, and frames survive', () => {
    const g1 = Uint8Array.of(0x55, 0xaa, 0x00);
    const g2 = Uint8Array.of(ETX, DLE, 0x7e);
    const out = summary(pushChunks([concat([g1, a.bytes, g2, b.bytes])]));
    const bAt = g1.length + a.bytes.length + g2.length;
    expect(out).toEqual([
      'GARBAGE@0+3',
      { at: 3, seq: a.seq, message: a.message },
      `GARBAGE@${3 + a.bytes.length}+3`,
      { at: bAt, seq: b.seq, message: b.message },
    ]);
  });

  it('a long babble is reported every GARBAGE_REPORT_BYTES bytes, not only when it ends', () => {
    const f = new PanelFramer();
    const out = f.push(new Uint8Array(GARBAGE_REPORT_BYTES * 2 + 5).fill(0x55));
    expect(summary(out)).toEqual([`GARBAGE@0+${GARBAGE_REPORT_BYTES}`, `GARBAGE@${GARBAGE_REPORT_BYTES}+${GARBAGE_REPORT_BYTES}`]);
    expect(summary(f.push(a.bytes))).toEqual([`GARBAGE@${GARBAGE_REPORT_BYTES * 2}+5`, { at: GARBAGE_REPORT_BYTES * 2 + 5, seq: a.seq, message: a.message }]);
  });

  it('a bad checksum drops that frame only', () => {
    const bad = a.bytes.slice();
    bad[bad.length - 2]! ^= 0x01; // CRC low byte (not an escape in this fixture)
    expect(bad[bad.length - 3]).not.toBe(DLE);
    const out = summary(pushChunks([concat([bad, b.bytes])]));
    expect(out).toEqual([`BAD_CHECKSUM@0+${bad.length}`, { at: bad.length, seq: b.seq, message: b.message }]);
  });

  it('a flipped payload bit is caught by the CRC', () => {
    const key = fixtures.find((fx) => fx.message.type === 'key-down' && fx.message.key === 'freeze')!;
    expect(key.bytes[5]).toBe(0x01); // SEQ not escaped, so byte 5 is the key code
    const bad = key.bytes.slice();
    bad[5]! ^= 0x04; // key 0x01 freeze → 0x05 export: still a valid key code, so only the CRC can tell
    expect(summary(new PanelFramer().push(bad))).toEqual([`BAD_CHECKSUM@0+${bad.length}`]);
  });

  it('an oversize frame is dropped when it overflows, without buffering the rest, and the next frame is read', () => {
    const f = new PanelFramer();
    const long = new Uint8Array(1 + MAX_BODY + 500).fill(0x41);
    long[0] = STX;
    const out = summary(f.push(long));
    expect(out).toEqual([`OVERSIZE@0+${MAX_BODY + 2}`]);
    expect(f.inFrame).toBe(true); // skipping to ETX
    expect(summary(f.push(concat([Uint8Array.of(ETX), b.bytes])))).toEqual([{ at: long.length + 1, seq: b.seq, message: b.message }]);
  });

  it('an oversize frame ended by a new STX: the STX starts the next frame', () => {
    const long = new Uint8Array(1 + MAX_BODY + 3).fill(0x41);
    long[0] = STX;
    expect(summary(pushChunks([concat([long, b.bytes])]))).toEqual([`OVERSIZE@0+${MAX_BODY + 2}`, { at: long.length, seq: b.seq, message: b.message }]);
  });

  it('the largest legal payload is accepted and the builder refuses a larger one', () => {
    const frame = buildFrame({ version: 1, type: 0x48, seq: 1, payload: new Uint8Array(MAX_PAYLOAD).fill(0x41) });
    const out = new PanelFramer().push(frame);
    expect(out[0]!.kind).toBe('frame');
    expect(() => buildFrame({ version: 1, type: 0x48, seq: 1, payload: new Uint8Array(MAX_PAYLOAD + 1) })).toThrow(RangeError);
  });

  it('a frame cut off by a new STX is reported TRUNCATED and the new frame is read', () => {
    const cut = a.bytes.subarray(0, 4);
    expect(summary(pushChunks([cut, b.bytes]))).toEqual(['TRUNCATED@0+4', { at: 4, seq: b.seq, message: b.message }]);
  });

  it('DLE followed by a byte that is not an escape is BAD_ESCAPE; the frame is skipped to its ETX', () => {
    const bytes = Uint8Array.of(STX, 0x01, DLE, 0x41, 0x42, ETX);
    expect(summary(pushChunks([concat([bytes, b.bytes])]))).toEqual(['BAD_ESCAPE@0+4', { at: bytes.length, seq: b.seq, message: b.message }]);
  });

  it('too short for header and CRC, and a LEN that disagrees, are BAD_LENGTH', () => {
    expect(summary(new PanelFramer().push(Uint8Array.of(STX, 0x01, 0x42, ETX)))).toEqual(['BAD_LENGTH@0+4']);
    expect(summary(new PanelFramer().push(Uint8Array.of(STX, ETX)))).toEqual(['BAD_LENGTH@0+2']);
    // a KEY_DOWN whose LEN byte says 2 while it carries 1, with a CRC that matches: only LEN can tell
    const lying = rebuild(Uint8Array.of(0x01, 0x4b, 0x01, 0x02, 0x01));
    expect(summary(new PanelFramer().push(lying))).toEqual([`BAD_LENGTH@0+${lying.length}`]);
  });
});

/** A frame from an arbitrary unescaped header+payload with a correct CRC (to test LEN checks). */
function rebuild(bodyWithoutCrc: Uint8Array): Uint8Array {
  // buildFrame computes LEN itself, so assemble by hand with the shared CRC
  const crc = crcOf(bodyWithoutCrc);
  const body = concat([bodyWithoutCrc, Uint8Array.of(crc >>> 8, crc & 0xff)]);
  const out: number[] = [STX];
  for (const x of body) {
    if (x === STX || x === ETX || x === DLE) out.push(DLE, x ^ 0x20);
    else out.push(x);
  }
  out.push(ETX);
  return Uint8Array.from(out);
}
