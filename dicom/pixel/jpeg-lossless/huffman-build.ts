/**
 * Optimal Huffman tables for a frame (T.81 Annex K.2): code lengths from symbol frequencies
 * (Figure K.1), limited to 16 bits (Figure K.3, "Adjust_BITS"), symbols ordered by code length
 * (Figure K.4), then the codes themselves (Annex C). A reserved extra symbol of frequency 1 keeps
 * the all-ones code out of the table, as the standard requires.
 */

export interface HuffmanEncodeTable {
  /** BITS: number of codes of each length 1..16. */
  counts: Uint8Array;
  /** HUFFVAL: symbols in order of increasing code length. */
  symbols: Uint8Array;
  /** Code and code length per symbol (length 0 = symbol absent). */
  code: Int32Array;
  length: Uint8Array;
}

/** Builds an optimal length-limited table for `freq[sym]`, sym in 0..freq.length-1 (≤ 256). */
export function buildOptimalTable(freq: ArrayLike<number>): HuffmanEncodeTable {
  const nsym = freq.length;
  const reserved = nsym; // the extra symbol of K.2
  const f = new Float64Array(nsym + 1);
  for (let i = 0; i < nsym; i++) f[i] = freq[i]!;
  f[reserved] = 1;
  const codesize = new Int32Array(nsym + 1);
  const others = new Int32Array(nsym + 1).fill(-1);

  for (;;) {
    // v1: least non-zero frequency (ties go to the larger symbol value); v2: the next least.
    let v1 = -1;
    let v2 = -1;
    let f1 = Infinity;
    let f2 = Infinity;
    for (let i = 0; i <= nsym; i++) {
      const fi = f[i]!;
      if (fi === 0) continue;
      if (fi <= f1) {
        f2 = f1;
        v2 = v1;
        f1 = fi;
        v1 = i;
      } else if (fi <= f2) {
        f2 = fi;
        v2 = i;
      }
    }
    if (v2 < 0) break;
    f[v1] = f[v1]! + f[v2]!;
    f[v2] = 0;
    codesize[v1]!++;
    while (others[v1]! >= 0) {
      v1 = others[v1]!;
      codesize[v1]!++;
    }
    others[v1] = v2;
    codesize[v2]!++;
    while (others[v2]! >= 0) {
      v2 = others[v2]!;
      codesize[v2]!++;
    }
  }

  const bits = new Int32Array(64);
  for (let i = 0; i <= nsym; i++) if (codesize[i]! > 0) bits[codesize[i]!]!++;

  // Adjust_BITS: no code longer than 16 bits.
  for (let i = 63; i > 16; i--) {
    while (bits[i]! > 0) {
      let j = i - 2;
      while (bits[j] === 0) j--;
      bits[i]! -= 2;
      bits[i - 1]!++;
      bits[j + 1]! += 2;
      bits[j]!--;
    }
  }
  // Remove the reserved code point (from the longest length present).
  let top = 16;
  while (top > 0 && bits[top] === 0) top--;
  bits[top]!--;

  const counts = new Uint8Array(16);
  let total = 0;
  for (let l = 1; l <= 16; l++) {
    counts[l - 1] = bits[l]!;
    total += bits[l]!;
  }
  // Sort_input: symbols by code size, then by value (the reserved one excluded).
  const symbols = new Uint8Array(total);
  let k = 0;
  for (let size = 1; size < 64 && k < total; size++) {
    for (let s = 0; s < nsym && k < total; s++) if (codesize[s] === size) symbols[k++] = s;
  }
  return withCodes(counts, symbols, nsym);
}

/** Assigns the canonical codes of Annex C (Figures C.1–C.3) to a BITS/HUFFVAL pair. */
export function withCodes(counts: Uint8Array, symbols: Uint8Array, nsym = 256): HuffmanEncodeTable {
  const code = new Int32Array(nsym);
  const length = new Uint8Array(nsym);
  let c = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < counts[len - 1]!; i++) {
      const s = symbols[k++]!;
      code[s] = c++;
      length[s] = len;
    }
    c <<= 1;
  }
  return { counts, symbols, code, length };
}
