import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../dicom/core/bytes.js';
import { PduError, PduFramer, decodePdu, encodePdu, type FramedPdu } from '../../../dicom/net/pdu/index.js';
import { fixture, malformedFixtures, validFixtures } from './pdu-fixtures.js';

const MAX = 64 * 1024;
const framer = () => new PduFramer({ maxPdataLength: MAX });
const strip = (p: FramedPdu) => JSON.parse(JSON.stringify(p, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)));

function pushAll(f: PduFramer, chunks: Uint8Array[]): FramedPdu[] {
  return chunks.flatMap((c) => f.push(c));
}

describe('every fixture split at every offset', () => {
  for (const fx of validFixtures()) {
    it(fx.name, () => {
      const expected = strip(decodePdu(fx.bytes));
      for (let cut = 0; cut <= fx.bytes.length; cut++) {
        const f = framer();
        const first = f.push(fx.bytes.subarray(0, cut));
        const second = f.push(fx.bytes.subarray(cut));
        expect(first.length + second.length, `cut ${cut}`).toBe(1);
        expect(strip([...first, ...second][0]!)).toEqual(expected);
        expect(f.bufferedBytes).toBe(0);
      }
      // and one byte at a time
      const f = framer();
      const got = pushAll(f, Array.from(fx.bytes, (b) => Uint8Array.of(b)));
      expect(got.map(strip)).toEqual([expected]);
    });
  }

  it('the whole set as one stream, split in three at many places', () => {
    const all = validFixtures();
    const stream = concatBytes(all.map((x) => x.bytes));
    const expected = all.map((x) => strip(decodePdu(x.bytes)));
    for (let a = 0; a < stream.length; a += 7) {
      for (let b = a; b <= stream.length; b += 97) {
        const f = framer();
        const got = pushAll(f, [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]);
        expect(got.map(strip)).toEqual(expected);
      }
    }
  });
});

describe('limits', () => {
  it('rejects an oversize P-DATA-TF from its header alone, before buffering the body', () => {
    const f = framer();
    const header = Uint8Array.of(0x04, 0, 0x00, 0x01, 0x00, 0x01); // PDU-length 65537
    let err: unknown;
    try {
      f.push(header);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PduError);
    expect(err).toMatchObject({ code: 'PDU_TOO_LARGE', offset: 2, pduType: 4 });
    expect(f.bufferedBytes).toBe(0);
    // a failed framer refuses further input (the stream is no longer in sync)
    expect(() => f.push(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'PDU_FRAMER_FAILED' }));
  });

  it('reports the stream offset of an oversize PDU after others', () => {
    const f = framer();
    const rel = fixture('a-release-rq');
    const big = Uint8Array.of(0x04, 0, 0xff, 0xff, 0xff, 0xff);
    expect(f.push(rel)).toHaveLength(1);
    expect(() => f.push(big)).toThrow(expect.objectContaining({ code: 'PDU_TOO_LARGE', offset: rel.length + 2 }));
  });

  it('accepts a P-DATA-TF of exactly the maximum', () => {
    const data = new Uint8Array(MAX - 6);
    const pdu = encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 1, command: false, last: true, data }] });
    expect(pdu.length).toBe(MAX + 6);
    expect(framer().push(pdu)).toHaveLength(1);
  });

  it('bounds other PDU types separately', () => {
    const f = new PduFramer({ maxPdataLength: MAX, maxOtherLength: 100 });
    expect(() => f.push(fixture('a-associate-rq'))).toThrow(expect.objectContaining({ code: 'PDU_TOO_LARGE', pduType: 1 }));
  });

  it('a 128 KiB PDU in 1-byte chunks frames in linear time', () => {
    const data = new Uint8Array(128 * 1024 - 6).map((_, i) => i & 0xff);
    const pdu = encodePdu({ type: 'P-DATA-TF', pdvs: [{ contextId: 1, command: false, last: true, data }] });
    const f = new PduFramer({ maxPdataLength: 128 * 1024 });
    const t0 = performance.now();
    let out: FramedPdu[] = [];
    for (let i = 0; i < pdu.length; i++) out = out.concat(f.push(pdu.subarray(i, i + 1)));
    const ms = performance.now() - t0;
    expect(out).toHaveLength(1);
    const p = out[0]!;
    expect(p.type === 'P-DATA-TF' && p.pdvs[0]!.data).toEqual(data);
    // Quadratic concatenation would copy ~8.6 GB here; linear framing takes milliseconds.
    expect(ms).toBeLessThan(5000);
  });
});

describe('malformed PDUs inside a stream', () => {
  it('come out in order as malformed, with stream offsets, and framing continues', () => {
    for (const bad of malformedFixtures()) {
      // A truncated PDU never completes, so it cannot be followed; skip it here.
      if (bad.expect!.code === 'PDU_TRUNCATED') continue;
      const before = fixture('a-release-rq');
      const after = fixture('a-release-rp');
      const f = framer();
      const out = f.push(concatBytes([before, bad.bytes, after]));
      expect(out.map((p) => p.type), bad.name).toEqual(['A-RELEASE-RQ', 'malformed', 'A-RELEASE-RP']);
      const m = out[1]!;
      if (m.type !== 'malformed') throw new Error();
      expect(m.error.code).toBe(bad.expect!.code);
      expect(m.error.offset).toBe(before.length + bad.expect!.offset);
      expect(m.pduType).toBe(bad.bytes[0]);
    }
  });
});
