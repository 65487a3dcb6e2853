/**
 * Prediction for lossless coding (T.81 H.1.2.1, Table H.1). The encoder turns samples into
 * differences modulo 2^16; the decoder (decoder.ts) runs the same predictors the other way.
 *
 * Samples are interleaved: `nc` components per pixel, `columns` pixels per line. On the first
 * line every sample is predicted from the one to its left (the very first from 2^(P-Pt-1)); at
 * the start of every other line from the one above; elsewhere by the selected predictor.
 */

export type Predictor = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Ra, Rb, Rc → prediction, for predictors 1..7. */
export function predict(sv: number, ra: number, rb: number, rc: number): number {
  switch (sv) {
    case 1: return ra;
    case 2: return rb;
    case 3: return rc;
    case 4: return ra + rb - rc;
    case 5: return ra + ((rb - rc) >> 1);
    case 6: return rb + ((ra - rc) >> 1);
    default: return (ra + rb) >> 1;
  }
}

/**
 * Writes `(sample - prediction) mod 2^16` for every sample into `out`, and counts each difference
 * value into `hist` (65536 entries; cheaper per sample than counting categories). Returns the
 * bitwise OR of all samples (range check).
 */
export function computeDifferences(
  px: Uint8Array | Uint16Array,
  rows: number,
  columns: number,
  nc: number,
  precision: number,
  sv: Predictor,
  out: Uint16Array,
  hist: Int32Array,
  /** Lines per restart interval (0 = no restarts): each interval starts as a first line. */
  restartLines = 0,
): number {
  const stride = columns * nc;
  const initial = 1 << (precision - 1);
  let or = 0;
  for (let y = 0; y < rows; y++) {
    const start = y * stride;
    const end = start + stride;
    if (y === 0 || (restartLines > 0 && y % restartLines === 0)) {
      // First line (of the image or of a restart interval).
      for (let c = 0; c < nc; c++) {
        const v = px[start + c]!;
        or |= v;
        const u = (v - initial) & 0xffff;
        out[start + c] = u;
        hist[u]!++;
      }
      for (let i = start + nc; i < end; i++) {
        const v = px[i]!;
        or |= v;
        const u = (v - px[i - nc]!) & 0xffff;
        out[i] = u;
        hist[u]!++;
      }
      continue;
    }
    for (let i = start; i < start + nc; i++) {
      const v = px[i]!;
      or |= v;
      const u = (v - px[i - stride]!) & 0xffff;
      out[i] = u;
      hist[u]!++;
    }
    if (sv === 1) {
      for (let i = start + nc; i < end; i++) {
        const v = px[i]!;
        or |= v;
        const u = (v - px[i - nc]!) & 0xffff;
        out[i] = u;
        hist[u]!++;
      }
    } else {
      for (let i = start + nc; i < end; i++) {
        const v = px[i]!;
        or |= v;
        const u = (v - predict(sv, px[i - nc]!, px[i - stride]!, px[i - stride - nc]!)) & 0xffff;
        out[i] = u;
        hist[u]!++;
      }
    }
  }
  return or;
}
