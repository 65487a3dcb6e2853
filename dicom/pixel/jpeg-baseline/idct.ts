/**
 * Inverse DCT of one 8×8 block (T.81 A.3.3), integer arithmetic in the manner of the IJG
 * "islow" method (Loeffler–Ligtenberg–Moschytz with 13-bit constants and two extra bits of
 * precision between the passes), which is what libjpeg — and so DCMTK's dcmdjpeg — uses by
 * default. Output is level-shifted (+128) and clamped to 0..255.
 */

const CONST_BITS = 13;
const PASS1_BITS = 2;
const F_0_298 = 2446;
const F_0_390 = 3196;
const F_0_541 = 4433;
const F_0_765 = 6270;
const F_0_899 = 7373;
const F_1_175 = 9633;
const F_1_501 = 12299;
const F_1_847 = 15137;
const F_1_961 = 16069;
const F_2_053 = 16819;
const F_2_562 = 20995;
const F_3_072 = 25172;

const ws = new Int32Array(64);

/**
 * `coef`: 64 quantised coefficients in natural (row-major) order; `q`: quantisation table in
 * natural order. Writes 8 rows of 8 samples at `out[offset + row * stride + col]`.
 */
export function idctBlock(coef: Int32Array, q: Uint16Array, out: Uint8Array, offset: number, stride: number): void {
  // Pass 1: columns → workspace, scaled up by 2^PASS1_BITS.
  for (let c = 0; c < 8; c++) {
    if (
      coef[8 + c] === 0 && coef[16 + c] === 0 && coef[24 + c] === 0 && coef[32 + c] === 0 &&
      coef[40 + c] === 0 && coef[48 + c] === 0 && coef[56 + c] === 0
    ) {
      const dc = (coef[c]! * q[c]!) << PASS1_BITS;
      for (let r = 0; r < 8; r++) ws[r * 8 + c] = dc;
      continue;
    }
    let z2 = coef[16 + c]! * q[16 + c]!;
    let z3 = coef[48 + c]! * q[48 + c]!;
    let z1 = (z2 + z3) * F_0_541;
    let tmp2 = z1 - z3 * F_1_847;
    let tmp3 = z1 + z2 * F_0_765;
    z2 = coef[c]! * q[c]!;
    z3 = coef[32 + c]! * q[32 + c]!;
    let tmp0 = (z2 + z3) * 8192; // << CONST_BITS
    let tmp1 = (z2 - z3) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;

    tmp0 = coef[56 + c]! * q[56 + c]!;
    tmp1 = coef[40 + c]! * q[40 + c]!;
    tmp2 = coef[24 + c]! * q[24 + c]!;
    tmp3 = coef[8 + c]! * q[8 + c]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F_1_175;
    tmp0 *= F_0_298;
    tmp1 *= F_2_053;
    tmp2 *= F_3_072;
    tmp3 *= F_1_501;
    z1 *= -F_0_899;
    z2 *= -F_2_562;
    z3 = z3 * -F_1_961 + z5;
    z4 = z4 * -F_0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    const sh = CONST_BITS - PASS1_BITS;
    const rnd = 1 << (sh - 1);
    ws[c] = (tmp10 + tmp3 + rnd) >> sh;
    ws[56 + c] = (tmp10 - tmp3 + rnd) >> sh;
    ws[8 + c] = (tmp11 + tmp2 + rnd) >> sh;
    ws[48 + c] = (tmp11 - tmp2 + rnd) >> sh;
    ws[16 + c] = (tmp12 + tmp1 + rnd) >> sh;
    ws[40 + c] = (tmp12 - tmp1 + rnd) >> sh;
    ws[24 + c] = (tmp13 + tmp0 + rnd) >> sh;
    ws[32 + c] = (tmp13 - tmp0 + rnd) >> sh;
  }
  // Pass 2: rows → samples.
  const sh2 = CONST_BITS + PASS1_BITS + 3;
  const rnd2 = 1 << (sh2 - 1);
  for (let r = 0; r < 8; r++) {
    const w = r * 8;
    const o = offset + r * stride;
    if (ws[w + 1] === 0 && ws[w + 2] === 0 && ws[w + 3] === 0 && ws[w + 4] === 0 && ws[w + 5] === 0 && ws[w + 6] === 0 && ws[w + 7] === 0) {
      const v = clamp(((ws[w]! + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128);
      for (let c = 0; c < 8; c++) out[o + c] = v;
      continue;
    }
    let z2 = ws[w + 2]!;
    let z3 = ws[w + 6]!;
    let z1 = (z2 + z3) * F_0_541;
    let tmp2 = z1 - z3 * F_1_847;
    let tmp3 = z1 + z2 * F_0_765;
    let tmp0 = (ws[w]! + ws[w + 4]!) * 8192;
    let tmp1 = (ws[w]! - ws[w + 4]!) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;

    tmp0 = ws[w + 7]!;
    tmp1 = ws[w + 5]!;
    tmp2 = ws[w + 3]!;
    tmp3 = ws[w + 1]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * F_1_175;
    tmp0 *= F_0_298;
    tmp1 *= F_2_053;
    tmp2 *= F_3_072;
    tmp3 *= F_1_501;
    z1 *= -F_0_899;
    z2 *= -F_2_562;
    z3 = z3 * -F_1_961 + z5;
    z4 = z4 * -F_0_390 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[o] = clamp(((tmp10 + tmp3 + rnd2) >> sh2) + 128);
    out[o + 7] = clamp(((tmp10 - tmp3 + rnd2) >> sh2) + 128);
    out[o + 1] = clamp(((tmp11 + tmp2 + rnd2) >> sh2) + 128);
    out[o + 6] = clamp(((tmp11 - tmp2 + rnd2) >> sh2) + 128);
    out[o + 2] = clamp(((tmp12 + tmp1 + rnd2) >> sh2) + 128);
    out[o + 5] = clamp(((tmp12 - tmp1 + rnd2) >> sh2) + 128);
    out[o + 3] = clamp(((tmp13 + tmp0 + rnd2) >> sh2) + 128);
    out[o + 4] = clamp(((tmp13 - tmp0 + rnd2) >> sh2) + 128);
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
