/** Deterministic test frames for the pixel codec tests. */

import { mulberry32 } from '../../../hw-sim/frame-grabber/prng.js';

/** The simulator's seeded PRNG (mulberry32), so failures reproduce. */
export const rng = mulberry32;

export type Kind = 'random' | 'smooth' | 'extremes' | 'ultrasound';

/** rows × columns × spp samples of `bits` bits, in a Uint8Array for bits ≤ 8 else Uint16Array. */
export function makeFrame(
  kind: Kind,
  rows: number,
  columns: number,
  spp: number,
  bits: number,
  seed = 1,
): Uint8Array | Uint16Array {
  const n = rows * columns * spp;
  const out = bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  const max = 2 ** bits - 1;
  const r = rng(seed);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      for (let c = 0; c < spp; c++) {
        const i = (y * columns + x) * spp + c;
        let v: number;
        switch (kind) {
          case 'random':
            v = Math.floor(r() * (max + 1));
            break;
          case 'smooth':
            v = Math.round(
              (max * (0.5 + 0.25 * Math.sin((x + 3 * c) / 9) + 0.25 * Math.cos(y / 13))) ,
            );
            break;
          case 'extremes':
            // 0 next to max everywhere: differences of ±max (and 32768 at 16 bits).
            v = (x + y + c) % 2 === 0 ? 0 : max;
            if (r() < 0.1) v = 2 ** (bits - 1);
            break;
          case 'ultrasound': {
            // A dark sector with speckle, some text-like saturated pixels.
            const dx = x - columns / 2;
            const inside = y > rows * 0.1 && Math.abs(dx) < y * 0.8;
            const speckle = r() * r();
            v = inside ? Math.round(max * speckle * (1 - y / (rows * 1.3))) : 0;
            if (y < rows * 0.05 && x % 7 < 3) v = max;
            break;
          }
        }
        out[i] = Math.max(0, Math.min(max, v));
      }
    }
  }
  return out;
}
