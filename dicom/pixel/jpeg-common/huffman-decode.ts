/**
 * Huffman decoding tables (T.81 Annex C, F.2.2.3): one 65536-entry lookup indexed by the next 16
 * bits of the stream, each entry `(length << 8) | symbol`, 0 where no code starts with those bits.
 * One probe decodes any code of up to 16 bits.
 */
import { JpegError } from './errors.js';
import type { HuffmanSpec } from './segments.js';

export interface HuffmanDecodeTable {
  lookup: Uint16Array;
  /** Largest symbol value in the table (lossless decoders reject symbols above 16). */
  maxSymbol: number;
}

/** Builds the lookup; `offset` (of the DHT table) is reported if the table is not a prefix code. */
export function buildDecodeTable(spec: HuffmanSpec, offset: number): HuffmanDecodeTable {
  const lookup = new Uint16Array(65536);
  let code = 0;
  let k = 0;
  let maxSymbol = 0;
  for (let len = 1; len <= 16; len++) {
    const n = spec.counts[len - 1]!;
    for (let i = 0; i < n; i++) {
      if (code >= 1 << len) {
        throw new JpegError('JPEG_BAD_HUFFMAN_TABLE', `Huffman table has too many codes of length ${len}`, offset);
      }
      const sym = spec.symbols[k++]!;
      if (sym > maxSymbol) maxSymbol = sym;
      const shift = 16 - len;
      const first = code << shift;
      lookup.fill((len << 8) | sym, first, first + (1 << shift));
      code++;
    }
    code <<= 1;
  }
  return { lookup, maxSymbol };
}
