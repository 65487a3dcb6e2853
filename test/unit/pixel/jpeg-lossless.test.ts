import { describe, expect, it } from 'vitest';
import {
  JpegError,
  decodeJpegLossless,
  encodeJpegLossless,
  readJpegLosslessHeader,
  type Predictor,
} from '../../../dicom/pixel/jpeg-lossless/index.js';
import { differenceCategories } from '../../../dicom/pixel/jpeg-lossless/encoder.js';
import { buildOptimalTable } from '../../../dicom/pixel/jpeg-lossless/huffman-build.js';
import { type Kind, makeFrame, rng } from './images.js';

function roundTrip(
  px: Uint8Array | Uint16Array,
  rows: number,
  columns: number,
  spp: number,
  bits: number,
  predictor: Predictor = 1,
  restartLines = 0,
): Uint8Array {
  const enc = encodeJpegLossless(px, { rows, columns, samplesPerPixel: spp, bitsStored: bits, predictor, restartLines });
  const dec = decodeJpegLossless(enc);
  expect(dec.info.rows).toBe(rows);
  expect(dec.info.columns).toBe(columns);
  expect(dec.info.precision).toBe(bits);
  expect(dec.info.componentIds).toEqual(Array.from({ length: spp }, (_, i) => i + 1));
  expect(dec.info.predictor).toBe(predictor);
  expect(dec.samples).toBeInstanceOf(bits <= 8 ? Uint8Array : Uint16Array);
  expect(dec.samples.length).toBe(px.length);
  // Compare as plain arrays only on mismatch (fast path first).
  let same = true;
  for (let i = 0; i < px.length; i++) if (dec.samples[i] !== px[i]) same = false;
  if (!same) expect(Array.from(dec.samples)).toEqual(Array.from(px));
  return enc;
}

const sizes: [number, number][] = [
  [1, 1],
  [1, 7],
  [9, 1],
  [3, 5],
  [17, 31],
  [64, 48],
];

describe('JPEG Lossless round trip (ours → ours)', () => {
  const formats: { name: string; spp: number; bits: number }[] = [
    { name: 'grey 8', spp: 1, bits: 8 },
    { name: 'grey 12', spp: 1, bits: 12 },
    { name: 'grey 16', spp: 1, bits: 16 },
    { name: 'RGB 8', spp: 3, bits: 8 },
  ];
  const kinds: Kind[] = ['random', 'smooth', 'extremes', 'ultrasound'];
  for (const f of formats) {
    for (const kind of kinds) {
      it(`${f.name}, ${kind}, sizes ${sizes.map((s) => s.join('x')).join(' ')}`, () => {
        for (const [rows, cols] of sizes) {
          roundTrip(makeFrame(kind, rows, cols, f.spp, f.bits, rows * 31 + cols), rows, cols, f.spp, f.bits);
        }
      });
    }
  }

  it('grey 16 with 0 and 65535 side by side (difference 32768 / -32768 → SSSS 16)', () => {
    const px = new Uint16Array([0, 65535, 0, 65535, 32768, 0, 32768, 65535, 1, 32769, 65535, 0]);
    const enc = roundTrip(px, 3, 4, 1, 16);
    // The frame really uses category 16 (its code is in the DHT).
    const dhtAt = enc.indexOf(0xc4) - 1;
    const count = enc.subarray(dhtAt + 5, dhtAt + 21).reduce((a, b) => a + b, 0);
    expect(Array.from(enc.subarray(dhtAt + 21, dhtAt + 21 + count))).toContain(16);
    expect(differenceCategories()[0x8000]).toBe(16);
    expect(differenceCategories()[(65535 - 0) & 0xffff]).toBe(1); // 65535-0 ≡ -1
  });

  it('every precision 2..16 (grey), random and extremes', () => {
    for (let bits = 2; bits <= 16; bits++) {
      for (const kind of ['random', 'extremes'] as const) {
        const px = makeFrame(kind, 13, 11, 1, bits, bits);
        roundTrip(px, 13, 11, 1, bits);
      }
      // Bits ≤ 8 given as 16-bit samples work too (decoded back as Uint8Array).
      if (bits <= 8) {
        const px = makeFrame('random', 5, 6, 1, 9, bits);
        for (let i = 0; i < px.length; i++) px[i]! &= (1 << bits) - 1;
        const enc = encodeJpegLossless(Uint16Array.from(px), { rows: 5, columns: 6, samplesPerPixel: 1, bitsStored: bits });
        expect(Array.from(decodeJpegLossless(enc).samples)).toEqual(Array.from(px));
      }
    }
  });

  it('predictors 1..7, grey 8/16 and RGB, with and without restart intervals', () => {
    for (let sv = 1 as Predictor; sv <= 7; sv = (sv + 1) as Predictor) {
      for (const [spp, bits] of [[1, 8], [1, 16], [3, 8], [2, 12], [4, 8]] as const) {
        for (const restartLines of [0, 1, 3]) {
          const px = makeFrame('smooth', 19, 23, spp, bits, sv);
          const enc = roundTrip(px, 19, 23, spp, bits, sv, restartLines);
          expect(decodeJpegLossless(enc).info.restartInterval).toBe(restartLines * 23);
        }
        roundTrip(makeFrame('random', 10, 10, spp, bits, sv), 10, 10, spp, bits, sv);
        roundTrip(makeFrame('extremes', 10, 10, spp, bits, sv), 10, 10, spp, bits, sv);
      }
    }
  });

  it('compresses a smooth frame well and a constant frame to almost nothing', () => {
    const smooth = makeFrame('smooth', 200, 300, 3, 8);
    const enc = encodeJpegLossless(smooth, { rows: 200, columns: 300, samplesPerPixel: 3, bitsStored: 8 });
    expect(enc.length).toBeLessThan(smooth.length * 0.6);
    const flat = new Uint8Array(100 * 100 * 3).fill(77);
    const encFlat = encodeJpegLossless(flat, { rows: 100, columns: 100, samplesPerPixel: 3, bitsStored: 8 });
    expect(encFlat.length).toBeLessThan(4000); // ~1 bit per sample
    expect(Array.from(decodeJpegLossless(encFlat).samples.subarray(0, 6))).toEqual([77, 77, 77, 77, 77, 77]);
  });

  it('writes SOI, SOF3, DHT, SOS ... EOI with components 1..3 and no colour transform', () => {
    const enc = encodeJpegLossless(makeFrame('random', 4, 4, 3, 8), { rows: 4, columns: 4, samplesPerPixel: 3, bitsStored: 8 });
    expect(Array.from(enc.subarray(0, 4))).toEqual([0xff, 0xd8, 0xff, 0xc3]);
    expect(Array.from(enc.subarray(enc.length - 2))).toEqual([0xff, 0xd9]);
    const h = readJpegLosslessHeader(enc);
    expect(h.components.map((c) => [c.id, c.h, c.v])).toEqual([[1, 1, 1], [2, 1, 1], [3, 1, 1]]);
    // No APP14 "Adobe" / JFIF marker that could suggest a colour transform.
    for (let i = 0; i + 1 < enc.length; i++) if (enc[i] === 0xff) expect(enc[i + 1]! & 0xf0).not.toBe(0xe0);
  });

  it('rejects bad encoder input with JpegError', () => {
    const bad = (f: () => unknown, code: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(JpegError);
        expect((e as JpegError).code).toBe(code);
        return;
      }
      throw new Error('no error');
    };
    const o = { rows: 2, columns: 2, samplesPerPixel: 1, bitsStored: 8 };
    bad(() => encodeJpegLossless(new Uint8Array(3), o), 'JPEG_ENCODE_BAD_ARGUMENT');
    bad(() => encodeJpegLossless(new Uint8Array(4), { ...o, bitsStored: 12 }), 'JPEG_ENCODE_BAD_ARGUMENT');
    bad(() => encodeJpegLossless(new Uint8Array(4), { ...o, rows: 0 }), 'JPEG_ENCODE_BAD_ARGUMENT');
    bad(() => encodeJpegLossless(new Uint16Array([0, 1, 2, 4096]), { ...o, bitsStored: 12 }), 'JPEG_ENCODE_SAMPLE_RANGE');
    bad(() => encodeJpegLossless(new Uint8Array([0, 1, 2, 128]), { ...o, bitsStored: 7 }), 'JPEG_ENCODE_SAMPLE_RANGE');
  });
});

describe('Huffman table construction (T.81 K.2)', () => {
  it('limits code lengths to 16 bits with skewed (Fibonacci) frequencies', () => {
    const freq: number[] = [];
    let a = 1;
    let b = 1;
    for (let i = 0; i < 17; i++) {
      freq.push(a);
      [a, b] = [b, a + b];
    }
    const t = buildOptimalTable(freq);
    expect(t.symbols.length).toBe(17);
    for (let s = 0; s < 17; s++) {
      expect(t.length[s]).toBeGreaterThan(0);
      expect(t.length[s]).toBeLessThanOrEqual(16);
    }
    // Kraft: the code is a prefix code and leaves the all-ones code unused.
    let kraft = 0;
    for (let s = 0; s < 17; s++) kraft += 2 ** -t.length[s]!;
    expect(kraft).toBeLessThan(1);
    // Codes are prefix-free.
    const codes = Array.from({ length: 17 }, (_, s) => t.code[s]!.toString(2).padStart(t.length[s]!, '0'));
    for (const x of codes) for (const y of codes) if (x !== y) expect(y.startsWith(x)).toBe(false);
  });

  it('gives a single used symbol a 1-bit code', () => {
    const f = new Array(17).fill(0);
    f[0] = 1000;
    const t = buildOptimalTable(f);
    expect(Array.from(t.counts)).toEqual([1, ...new Array(15).fill(0)]);
    expect(t.length[0]).toBe(1);
    expect(t.code[0]).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed input

function expectJpegError(data: Uint8Array, code?: string | RegExp): JpegError {
  let err: unknown;
  try {
    decodeJpegLossless(data);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a JpegError').toBeInstanceOf(JpegError);
  const je = err as JpegError;
  expect(je.code).toMatch(/^JPEG_/);
  if (code !== undefined) expect(je.code).toMatch(code);
  expect(typeof je.offset).toBe('number');
  expect(je.offset).toBeGreaterThanOrEqual(0);
  expect(je.offset).toBeLessThanOrEqual(data.length);
  return je;
}

/** Offset of the segment with marker `m` (FF m) in one of our streams (headers have no FF bytes). */
function segmentAt(enc: Uint8Array, m: number): number {
  for (let i = 0; i + 1 < enc.length; i++) if (enc[i] === 0xff && enc[i + 1] === m) return i;
  throw new Error('no such marker');
}

function without(enc: Uint8Array, m: number): Uint8Array {
  const at = segmentAt(enc, m);
  const len = (enc[at + 2]! << 8) | enc[at + 3]!;
  return Uint8Array.from([...enc.subarray(0, at), ...enc.subarray(at + 2 + len)]);
}

describe('JPEG Lossless decoder on malformed streams', () => {
  const px = makeFrame('random', 12, 10, 3, 8, 5);
  const enc = encodeJpegLossless(px, { rows: 12, columns: 10, samplesPerPixel: 3, bitsStored: 8 });

  it('every truncation of a valid stream ends in a JpegError', () => {
    for (let len = 0; len < enc.length - 2; len++) {
      const cut = enc.slice(0, len);
      expectJpegError(cut);
      // Truncated and closed with EOI: still an error (scan incomplete).
      if (len > 2) expectJpegError(Uint8Array.from([...cut, 0xff, 0xd9]));
    }
    expectJpegError(enc.slice(0, enc.length - 60), /JPEG_TRUNCATED/);
  });

  it('missing SOI, SOF, SOS, DHT', () => {
    expectJpegError(enc.slice(2), 'JPEG_MISSING_SOI');
    expectJpegError(without(enc, 0xc3), 'JPEG_MISSING_SOF');
    const sos = segmentAt(enc, 0xda);
    expectJpegError(Uint8Array.from([...enc.subarray(0, sos), 0xff, 0xd9]), 'JPEG_MISSING_SOS');
    expectJpegError(without(enc, 0xc4), 'JPEG_MISSING_DHT');
  });

  it('a Huffman code that is not in the table', () => {
    // 8-bit grey 4x4, table with one code ("0" → SSSS 0); data starts with 1-bits.
    const s = [
      0xff, 0xd8,
      0xff, 0xc3, 0, 11, 8, 0, 4, 0, 4, 1, 1, 0x11, 0,
      0xff, 0xc4, 0, 20, 0x00, 1, ...new Array(15).fill(0), 0,
      0xff, 0xda, 0, 8, 1, 1, 0x00, 1, 0, 0,
      0xfe, 0xff, 0x00, 0xff, 0x00, 0x12, 0x34,
      0xff, 0xd9,
    ];
    const e = expectJpegError(Uint8Array.from(s), 'JPEG_BAD_HUFFMAN_CODE');
    expect(e.offset).toBeGreaterThan(36);
    // A symbol above 16 is not a lossless difference category.
    const s2 = s.slice();
    s2[36] = 17;
    expectJpegError(Uint8Array.from(s2), 'JPEG_BAD_HUFFMAN_CODE');
  });

  it('an over-full Huffman table', () => {
    const at = segmentAt(enc, 0xc4);
    const bad = enc.slice();
    bad[at + 5] = 3; // three 1-bit codes
    expectJpegError(bad, /JPEG_BAD_HUFFMAN_TABLE|JPEG_BAD_SEGMENT/);
  });

  it('dimensions larger than the data, and beyond the cap', () => {
    const at = segmentAt(enc, 0xc3);
    const tall = enc.slice();
    tall[at + 5] = 0xea; // rows 60000
    tall[at + 6] = 0x60;
    const e = expectJpegError(tall, 'JPEG_TRUNCATED');
    expect(e.message).toMatch(/cannot fit/);
    const huge = enc.slice();
    huge.set([0xff, 0xff, 0xff, 0xff], at + 5);
    expectJpegError(huge, 'JPEG_TOO_LARGE');
    expect(() => decodeJpegLossless(enc, { maxSamples: 100 })).toThrow(JpegError);
    const zero = enc.slice();
    zero.set([0, 0], at + 7);
    expectJpegError(zero, 'JPEG_BAD_SEGMENT');
  });

  it('unsupported processes and bad scan parameters', () => {
    const at = segmentAt(enc, 0xc3);
    const base = enc.slice();
    base[at + 1] = 0xc0;
    expectJpegError(base, 'JPEG_UNSUPPORTED_PROCESS');
    const sos = segmentAt(enc, 0xda);
    const sv0 = enc.slice();
    sv0[sos + 4 + 1 + 6] = 0; // Ss
    expectJpegError(sv0, 'JPEG_BAD_SEGMENT');
    const badComp = enc.slice();
    badComp[sos + 5] = 9; // component id absent from the frame
    expectJpegError(badComp, 'JPEG_BAD_SEGMENT');
    const segLen = enc.slice();
    segLen[at + 3] = 0xff; // SOF length past the end
    expectJpegError(segLen, /JPEG_TRUNCATED|JPEG_BAD_SEGMENT/);
  });

  it('a wrong restart marker', () => {
    const r = encodeJpegLossless(px, { rows: 12, columns: 10, samplesPerPixel: 3, bitsStored: 8, restartLines: 4 });
    let rst = -1;
    const sos = segmentAt(r, 0xda);
    for (let i = sos + 2; i + 1 < r.length; i++) if (r[i] === 0xff && r[i + 1] === 0xd0) rst = i;
    expect(rst).toBeGreaterThan(0);
    const bad = r.slice();
    bad[rst + 1] = 0xd3;
    expectJpegError(bad, 'JPEG_BAD_RESTART');
  });

  it('random corruption never throws anything but JpegError, never hangs', () => {
    const r = rng(42);
    const streams = [
      enc,
      encodeJpegLossless(makeFrame('smooth', 20, 20, 1, 16), { rows: 20, columns: 20, samplesPerPixel: 1, bitsStored: 16 }),
      encodeJpegLossless(makeFrame('smooth', 20, 20, 1, 12), {
        rows: 20, columns: 20, samplesPerPixel: 1, bitsStored: 12, predictor: 6, restartLines: 5,
      }),
    ];
    let errors = 0;
    for (let iter = 0; iter < 3000; iter++) {
      const s = streams[iter % streams.length]!.slice();
      const flips = 1 + Math.floor(r() * 4);
      for (let k = 0; k < flips; k++) s[Math.floor(r() * s.length)] = Math.floor(r() * 256);
      try {
        decodeJpegLossless(s);
      } catch (e) {
        if (!(e instanceof JpegError)) throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
