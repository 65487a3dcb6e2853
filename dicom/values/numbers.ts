import { DicomEncodeError, DicomError } from '../core/errors.js';
import { asciiBytes, bytesToAscii } from '../core/bytes.js';
import { formatTag, type Tag } from '../core/tag.js';
import type { VR } from '../core/vr.js';
import { padEven } from './strings.js';

/**
 * Numeric values: binary VRs read from little-endian bytes (the data set layer swaps big-endian
 * input on read), decimal and integer strings parsed from text.
 */

interface BinaryCodec {
  size: number;
  get(v: DataView, at: number): number;
  set(v: DataView, at: number, x: number): void;
}

const BINARY: Partial<Record<VR, BinaryCodec>> = {
  US: { size: 2, get: (v, a) => v.getUint16(a, true), set: (v, a, x) => v.setUint16(a, x, true) },
  OW: { size: 2, get: (v, a) => v.getUint16(a, true), set: (v, a, x) => v.setUint16(a, x, true) },
  SS: { size: 2, get: (v, a) => v.getInt16(a, true), set: (v, a, x) => v.setInt16(a, x, true) },
  UL: { size: 4, get: (v, a) => v.getUint32(a, true), set: (v, a, x) => v.setUint32(a, x, true) },
  OL: { size: 4, get: (v, a) => v.getUint32(a, true), set: (v, a, x) => v.setUint32(a, x, true) },
  SL: { size: 4, get: (v, a) => v.getInt32(a, true), set: (v, a, x) => v.setInt32(a, x, true) },
  FL: { size: 4, get: (v, a) => v.getFloat32(a, true), set: (v, a, x) => v.setFloat32(a, x, true) },
  OF: { size: 4, get: (v, a) => v.getFloat32(a, true), set: (v, a, x) => v.setFloat32(a, x, true) },
  FD: { size: 8, get: (v, a) => v.getFloat64(a, true), set: (v, a, x) => v.setFloat64(a, x, true) },
  OD: { size: 8, get: (v, a) => v.getFloat64(a, true), set: (v, a, x) => v.setFloat64(a, x, true) },
  // 64-bit integers come back as numbers; values beyond 2^53 lose precision (use bigints()).
  SV: {
    size: 8,
    get: (v, a) => Number(v.getBigInt64(a, true)),
    set: (v, a, x) => v.setBigInt64(a, BigInt(Math.trunc(x)), true),
  },
  UV: {
    size: 8,
    get: (v, a) => Number(v.getBigUint64(a, true)),
    set: (v, a, x) => v.setBigUint64(a, BigInt(Math.trunc(x)), true),
  },
  OV: {
    size: 8,
    get: (v, a) => Number(v.getBigUint64(a, true)),
    set: (v, a, x) => v.setBigUint64(a, BigInt(Math.trunc(x)), true),
  },
  // AT: a tag as group then element, each 16-bit; returned as one 32-bit tag number.
  AT: {
    size: 4,
    get: (v, a) => ((v.getUint16(a, true) << 16) | v.getUint16(a + 2, true)) >>> 0,
    set: (v, a, x) => {
      v.setUint16(a, x >>> 16, true);
      v.setUint16(a + 2, x & 0xffff, true);
    },
  },
};

export function decodeNumbers(bytes: Uint8Array, vr: VR, tag: Tag): number[] {
  const codec = BINARY[vr];
  if (codec) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Math.floor(bytes.length / codec.size);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = codec.get(view, i * codec.size);
    return out;
  }
  if (vr === 'DS' || vr === 'IS') {
    const text = bytesToAscii(bytes).replace(/[ \0]+$/, '');
    if (text.trim() === '') return [];
    return text.split('\\').map((s) => {
      const t = s.trim();
      const x = Number(t);
      if (t === '' || !Number.isFinite(x) || (vr === 'IS' && !Number.isInteger(x))) {
        throw new DicomError('VALUE_BAD_NUMBER', `${formatTag(tag)} ${vr}: ${JSON.stringify(s)} is not a valid ${vr}`);
      }
      return x;
    });
  }
  throw new DicomError('VALUE_NOT_NUMERIC', `${formatTag(tag)}: ${vr} does not hold numbers`);
}

/** A Decimal String of at most 16 characters (PS3.5 Table 6.2-1). */
export function formatDS(x: number): string {
  if (!Number.isFinite(x)) throw new DicomEncodeError('ENCODE_DS', `DS cannot hold ${x}`);
  let s = String(x);
  for (let p = 16; s.length > 16 && p > 0; p--) s = x.toPrecision(p).replace(/\.?0+(e|$)/, '$1').replace('e+', 'e');
  return s;
}

export function encodeNumbers(values: readonly number[], vr: VR, tag: Tag): Uint8Array {
  const codec = BINARY[vr];
  if (codec) {
    const out = new Uint8Array(values.length * codec.size);
    const view = new DataView(out.buffer);
    values.forEach((x, i) => codec.set(view, i * codec.size, x));
    return out;
  }
  if (vr === 'DS') return padEven(asciiBytes(values.map(formatDS).join('\\')), 0x20);
  if (vr === 'IS') {
    for (const x of values) {
      if (!Number.isInteger(x) || x > 2147483647 || x < -2147483648) {
        throw new DicomEncodeError('ENCODE_IS', `${formatTag(tag)}: IS cannot hold ${x}`);
      }
    }
    return padEven(asciiBytes(values.join('\\')), 0x20);
  }
  throw new DicomEncodeError('ENCODE_VR_NOT_NUMERIC', `${formatTag(tag)}: ${vr} does not hold numbers`);
}
