/**
 * A bounded fuzz over real third-party files: each round mutates one of pydicom's sample files
 * (random bytes, a cut, a duplicated or deleted span) and reads it. Every outcome must be a data
 * set or our typed DicomError — never a RangeError, a hang or a giant allocation. Seeded, so a
 * failure names the round that reproduces it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteSink, DicomError } from '../../dicom/core/index.js';
import { dumpLines } from '../../dicom/dump/index.js';
import { writeDataSet } from '../../dicom/encoding/index.js';
import { readPart10 } from '../../dicom/part10/index.js';
import { PYDICOM_DATA } from '../helpers/run-tool.js';

const SEEDS = [
  'test_files/CT_small.dcm',
  'test_files/MR_small_bigendian.dcm',
  'test_files/MR_small_implicit.dcm',
  'test_files/rtplan.dcm',
  'test_files/UN_sequence.dcm',
  'test_files/image_dfl.dcm',
  'test_files/SC_rgb_jpeg_dcmtk.dcm',
  'charset_files/chrH32.dcm',
  'charset_files/chrSQEncoding.dcm',
  'test_files/dicomdirtests/DICOMDIR',
];
const ROUNDS = 4000;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

describe('fuzzing real files', () => {
  it(`${ROUNDS} mutated files each give a data set or a DicomError`, async () => {
    const seeds = await Promise.all(SEEDS.map(async (f) => new Uint8Array(await readFile(join(PYDICOM_DATA, f)))));
    const rand = rng(0x5eed);
    const outcome = { parsed: 0, refused: 0 };
    const codes = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const src = seeds[round % seeds.length]!;
      let m = src.slice();
      switch (rand(4)) {
        case 0: // flip a few bytes, mostly in the header where structure lives
          for (let k = 0, n = 1 + rand(8); k < n; k++) m[rand(Math.min(m.length, 2048))] = rand(256);
          break;
        case 1: // cut
          m = m.subarray(0, rand(m.length));
          break;
        case 2: {
          // delete a span
          const a = rand(Math.min(m.length, 4096));
          const b = a + rand(64);
          m = new Uint8Array([...m.subarray(0, a), ...m.subarray(b)]);
          break;
        }
        default: {
          // write a large value into a random 32-bit slot: absurd lengths
          const at = rand(Math.max(1, Math.min(m.length, 2048) - 4));
          new DataView(m.buffer, m.byteOffset).setUint32(at, 0xfffffff0 - rand(1000), true);
        }
      }
      try {
        const f = readPart10(m, { inflateRaw: (b) => inflateRawSync(b, { maxOutputLength: 64 << 20 }) });
        // whatever was read can also be dumped and written
        for (const _ of dumpLines(f.dataset));
        const sink = new ByteSink();
        writeDataSet(f.dataset, sink, { explicitVR: true, littleEndian: true });
        outcome.parsed++;
      } catch (e) {
        if (!(e instanceof DicomError)) {
          throw new Error(`round ${round} (${SEEDS[round % SEEDS.length]}): ${String(e)}`, { cause: e });
        }
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        outcome.refused++;
      }
    }
    expect(outcome.parsed + outcome.refused).toBe(ROUNDS);
    expect(outcome.parsed).toBeGreaterThan(ROUNDS / 10);
    expect(outcome.refused).toBeGreaterThan(ROUNDS / 10);
  });
});
