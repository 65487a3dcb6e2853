import { describe, expect, it } from 'vitest';
import { decodeJpegBaseline } from '../../../dicom/pixel/jpeg-baseline/index.js';
import { JpegError } from '../../../dicom/pixel/jpeg-common/errors.js';
import { encodeJpegLossless } from '../../../dicom/pixel/jpeg-lossless/index.js';
import { rng } from './images.js';

/** 19×13 RGB → YCbCr 4:2:0, quality 60, made by Pillow (libjpeg-turbo), with JFIF APP0. */
const SMALL = hex(
  'ffd8ffe000104a46494600010100000100010000ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f13201513121213271c1e17' +
  '202e2931302e292d2c333a4a3e333646372c2d405741464c4e525352323e5a615a50604a51524fffdb0043010e0e0e131113' +
  '261515264f352d354f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f' +
  '4f4f4f4f4f4f4f4fffc0001108000d001303012200021101031101ffc4001f00000105010101010101000000000000000001' +
  '02030405060708090a0bffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114' +
  '328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556' +
  '5758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5' +
  'b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f010003' +
  '0101010101010101010000000000000102030405060708090a0bffc400b51100020102040403040705040400010277000102' +
  '031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35' +
  '363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495' +
  '969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9ea' +
  'f2f3f4f5f6f7f8f9faffda000c03010002110311003f00e66db4b087214f23247a56a5b697c01b3a7a77addb7b38b8c8e838' +
  '1fad6adad9c58e0633d38f4a72cc1b765b7f5fa9cb97e64f439b1a482325327fcfbd15d8c7630b2024727d8515c1f5be7f79' +
  '477febb1f4cb3395b73fffd9' +
  '',
);

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function expectJpegError(data: Uint8Array, code?: string): void {
  let err: unknown;
  try {
    decodeJpegBaseline(data);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a JpegError').toBeInstanceOf(JpegError);
  expect((err as JpegError).code).toMatch(/^JPEG_/);
  if (code) expect((err as JpegError).code).toBe(code);
}

describe('JPEG Baseline decoder', () => {
  it('decodes a 4:2:0 stream to interleaved full-size components', () => {
    const d = decodeJpegBaseline(SMALL);
    expect(d.info.rows).toBe(13);
    expect(d.info.columns).toBe(19);
    expect(d.info.jfif).toBe(true);
    expect(d.info.components.map((c) => [c.h, c.v])).toEqual([[2, 2], [1, 1], [1, 1]]);
    expect(d.samples.length).toBe(13 * 19 * 3);
  });

  it('every truncation ends in a JpegError', () => {
    for (let len = 0; len < SMALL.length - 2; len++) {
      expectJpegError(SMALL.slice(0, len));
      if (len > 2) expectJpegError(Uint8Array.from([...SMALL.subarray(0, len), 0xff, 0xd9]));
    }
  });

  it('random corruption throws nothing but JpegError', () => {
    const r = rng(9);
    for (let iter = 0; iter < 3000; iter++) {
      const s = SMALL.slice();
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) s[Math.floor(r() * s.length)] = Math.floor(r() * 256);
      try {
        decodeJpegBaseline(s);
      } catch (e) {
        if (!(e instanceof JpegError)) throw e;
      }
    }
  });

  it('refuses a lossless stream and huge frames with typed errors', () => {
    const ll = encodeJpegLossless(new Uint8Array(16), { rows: 4, columns: 4, samplesPerPixel: 1, bitsStored: 8 });
    expectJpegError(ll, 'JPEG_UNSUPPORTED_PROCESS');
    const big = SMALL.slice();
    let sof = -1;
    for (let i = 0; i + 1 < big.length; i++) if (big[i] === 0xff && big[i + 1] === 0xc0) sof = i;
    big.set([0xff, 0xff, 0xff, 0xff], sof + 5);
    expectJpegError(big, 'JPEG_TOO_LARGE');
    const tall = SMALL.slice();
    tall.set([0x40, 0x00], sof + 5); // 16384 rows
    expectJpegError(tall, 'JPEG_TRUNCATED');
  });
});
