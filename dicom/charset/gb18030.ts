/**
 * GB18030 (one, two and four bytes, BMP and supplementary planes) and GBK (its two-byte part).
 * Both are stateless and ASCII-compatible, but a two-byte trail byte may be 0x40..0x7E, which
 * includes 0x5C '\' and 0x5E '^': values are decoded whole, never split on raw bytes.
 */
import { ByteSink } from '../core/bytes.js';
import { describeChar, fail, hex2 } from './errors.js';
import { GB18030_FOUR_BYTE_RUNS, GB18030_TWO_BYTE_ROWS } from './tables/gb18030.js';
import { TextSink, codePoints } from './text-sink.js';

const NONE = 0xfffd;
/** Linear four-byte pointer of 0x90 0x30 0x81 0x30, the first supplementary-plane code (U+10000). */
const SUPPLEMENTARY_BASE = 189000;
const BMP_POINTERS = 39420;

let twoByte: Uint16Array | undefined;
function twoByteTable(): Uint16Array {
  if (!twoByte) {
    const t = new Uint16Array(126 * 190).fill(NONE);
    GB18030_TWO_BYTE_ROWS.forEach((row, r) => {
      for (let c = 0; c < row.length; c++) t[r * 190 + c] = row.charCodeAt(c);
    });
    twoByte = t;
  }
  return twoByte;
}

/** Code point of a two-byte code, or -1. */
export function gbTwoByteDecode(lead: number, trail: number): number {
  if (lead < 0x81 || lead > 0xfe || trail < 0x40 || trail > 0xfe || trail === 0x7f) return -1;
  const cp = twoByteTable()[(lead - 0x81) * 190 + (trail - (trail < 0x7f ? 0x40 : 0x41))]!;
  return cp === NONE ? -1 : cp;
}

function fourByteBmp(pointer: number): number {
  const runs = GB18030_FOUR_BYTE_RUNS;
  // Binary search over runs [pointer, codePoint, length].
  let lo = 0;
  let hi = runs.length / 3 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = runs[mid * 3]!;
    if (pointer < start) hi = mid - 1;
    else if (pointer >= start + runs[mid * 3 + 2]!) lo = mid + 1;
    else return runs[mid * 3 + 1]! + (pointer - start);
  }
  return -1;
}

const TWO = 0x10000000;
const FOUR = 0x20000000;
let reverseBmp: Uint32Array | undefined;
/** BMP code point → TWO|code or FOUR|pointer; two-byte codes win over four-byte ones. */
function reverseTable(): Uint32Array {
  if (!reverseBmp) {
    const rev = new Uint32Array(0x10000);
    const t = twoByteTable();
    for (let i = 0; i < t.length; i++) {
      const cp = t[i]!;
      if (cp === NONE || rev[cp]) continue;
      const lead = 0x81 + Math.floor(i / 190);
      const c = i % 190;
      rev[cp] = TWO | (lead << 8) | (c + (c < 0x3f ? 0x40 : 0x41));
    }
    const runs = GB18030_FOUR_BYTE_RUNS;
    for (let k = 0; k < runs.length; k += 3) {
      for (let j = 0; j < runs[k + 2]!; j++) {
        const cp = runs[k + 1]! + j;
        if (!rev[cp]) rev[cp] = FOUR | (runs[k]! + j);
      }
    }
    reverseBmp = rev;
  }
  return reverseBmp;
}

/** The two-byte code (lead << 8 | trail) for `cp`, or -1 (used by GBK and GB 2312). */
export function gbTwoByteEncode(cp: number): number {
  if (cp > 0xffff) return -1;
  const v = reverseTable()[cp]!;
  return v & TWO ? v & 0xffff : -1;
}

export function decodeGb18030(bytes: Uint8Array, terms: readonly string[], gbk: boolean): string {
  const name = gbk ? 'GBK' : 'GB18030';
  const out = new TextSink();
  const n = bytes.length;
  let i = 0;
  const truncated = (): never =>
    fail('CHARSET_TRUNCATED', `${name}: multi-byte character at offset ${i} is cut off by the end of the value`, terms);
  const invalid = (len: number): never =>
    fail(
      'CHARSET_INVALID_BYTES',
      `${name}: bytes ${[...bytes.subarray(i, i + len)].map(hex2).join(' ')} at offset ${i} are not a character`,
      terms,
    );
  while (i < n) {
    const b1 = bytes[i]!;
    if (b1 < 0x80) {
      out.push(b1);
      i++;
      continue;
    }
    if (b1 === 0x80 || b1 === 0xff) invalid(1);
    if (i + 1 >= n) truncated();
    const b2 = bytes[i + 1]!;
    if (b2 >= 0x30 && b2 <= 0x39) {
      if (gbk) invalid(2);
      if (i + 3 >= n) truncated();
      const b3 = bytes[i + 2]!;
      const b4 = bytes[i + 3]!;
      if (b3 < 0x81 || b3 > 0xfe || b4 < 0x30 || b4 > 0x39) invalid(4);
      const pointer = (((b1 - 0x81) * 10 + (b2 - 0x30)) * 126 + (b3 - 0x81)) * 10 + (b4 - 0x30);
      let cp = -1;
      if (pointer < BMP_POINTERS) cp = fourByteBmp(pointer);
      else if (pointer >= SUPPLEMENTARY_BASE && pointer < SUPPLEMENTARY_BASE + 0x100000) {
        cp = 0x10000 + (pointer - SUPPLEMENTARY_BASE);
      }
      if (cp < 0) invalid(4);
      out.push(cp);
      i += 4;
      continue;
    }
    const cp = gbTwoByteDecode(b1, b2);
    if (cp < 0) invalid(2);
    out.push(cp);
    i += 2;
  }
  return out.toString();
}

export function encodeGb18030(text: string, terms: readonly string[], gbk: boolean): Uint8Array {
  const name = gbk ? 'GBK' : 'GB18030';
  const sink = new ByteSink(text.length * 2 + 4);
  const lone = (u: number, at: number): never =>
    fail('CHARSET_UNENCODABLE', `lone surrogate ${describeChar(u)} at index ${at} is not a character`, terms);
  for (const cp of codePoints(text, lone)) {
    if (cp < 0x80) {
      sink.u8(cp);
      continue;
    }
    let pointer: number;
    if (cp > 0xffff) {
      pointer = SUPPLEMENTARY_BASE + (cp - 0x10000);
    } else {
      const v = reverseTable()[cp]!;
      if (v & TWO) {
        sink.u8((v >> 8) & 0xff);
        sink.u8(v & 0xff);
        continue;
      }
      pointer = v & FOUR ? v & 0xffffff : -1;
    }
    if (pointer < 0 || gbk) {
      fail('CHARSET_UNENCODABLE', `${describeChar(cp)} cannot be encoded in ${name}`, terms);
    }
    sink.u8(0x81 + Math.floor(pointer / 12600));
    sink.u8(0x30 + (Math.floor(pointer / 1260) % 10));
    sink.u8(0x81 + (Math.floor(pointer / 10) % 126));
    sink.u8(0x30 + (pointer % 10));
  }
  return sink.take();
}
