/**
 * YBR_FULL (and YBR_FULL_422 once upsampled) → RGB, PS3.3 C.7.6.3.1.2 (full-range ITU-R BT.601):
 *
 *   R = Y + 1.402 (Cr − 128)
 *   G = Y − 0.34414 (Cb − 128) − 0.71414 (Cr − 128)
 *   B = Y + 1.772 (Cb − 128)
 *
 * in the 16-bit fixed point of libjpeg's jdcolor.c (tables rounded the same way, results clamped
 * to 0…255), so that a converted frame is what libjpeg, and hence DCMTK's dcmdjpeg, produces.
 */
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const FIX = (x: number): number => Math.round(x * (1 << SCALEBITS));

let tables: { crR: Int32Array; cbB: Int32Array; crG: Int32Array; cbG: Int32Array } | undefined;

function getTables(): NonNullable<typeof tables> {
  if (tables) return tables;
  const crR = new Int32Array(256);
  const cbB = new Int32Array(256);
  const crG = new Int32Array(256);
  const cbG = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    crR[i] = (FIX(1.402) * x + ONE_HALF) >> SCALEBITS;
    cbB[i] = (FIX(1.772) * x + ONE_HALF) >> SCALEBITS;
    crG[i] = -FIX(0.71414) * x;
    cbG[i] = -FIX(0.34414) * x + ONE_HALF;
  }
  tables = { crR, cbB, crG, cbG };
  return tables;
}

/** Converts interleaved Y,Cb,Cr samples to R,G,B in place. */
export function ybrFullToRgbInPlace(px: Uint8Array): Uint8Array {
  const { crR, cbB, crG, cbG } = getTables();
  const n = px.length - (px.length % 3);
  for (let i = 0; i < n; i += 3) {
    const y = px[i]!;
    const cb = px[i + 1]!;
    const cr = px[i + 2]!;
    const r = y + crR[cr]!;
    const g = y + ((cbG[cb]! + crG[cr]!) >> SCALEBITS);
    const b = y + cbB[cb]!;
    px[i] = r < 0 ? 0 : r > 255 ? 255 : r;
    px[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
    px[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
  }
  return px;
}
