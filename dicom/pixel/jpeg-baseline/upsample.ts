/**
 * Upsampling of subsampled components to the full frame size, as libjpeg does it by default (so
 * that results match dcmdjpeg): "fancy" triangle-filter upsampling for 2:1 horizontal (h2v1) and
 * 2:1 both ways (h2v2) when the component is wider than 2 samples, plain replication otherwise.
 *
 * Planes: `src` holds the component with `srcStride` samples per line; its meaningful size is
 * `w` × `h` (= ceil(X·Hi/Hmax) × ceil(Y·Vi/Vmax)). Result: `outW` × `outH` samples written with
 * stride `nc` at `out[offset + (y·outW + x)·nc]`.
 */
export function upsampleInto(
  src: Uint8Array,
  srcStride: number,
  w: number,
  h: number,
  hf: number,
  vf: number,
  out: Uint8Array,
  outW: number,
  outH: number,
  nc: number,
  offset: number,
): void {
  if (hf === 1 && vf === 1) {
    for (let y = 0; y < outH; y++) {
      let o = offset + y * outW * nc;
      const s = y * srcStride;
      for (let x = 0; x < outW; x++, o += nc) out[o] = src[s + x]!;
    }
    return;
  }
  const fancy = w > 2 && ((hf === 2 && vf === 1) || (hf === 2 && vf === 2));
  if (!fancy) {
    for (let y = 0; y < outH; y++) {
      const s = Math.floor(y / vf) * srcStride;
      let o = offset + y * outW * nc;
      for (let x = 0; x < outW; x++, o += nc) out[o] = src[s + Math.floor(x / hf)]!;
    }
    return;
  }
  const row = new Uint8Array(w * 2 + 2);
  if (vf === 1) {
    for (let y = 0; y < outH; y++) {
      h2v1Row(src, y * srcStride, w, row);
      copyRow(row, out, offset + y * outW * nc, outW, nc);
    }
    return;
  }
  // h2v2: each input row yields two output rows, blended with the row above / below (edge rows
  // replicated, as libjpeg's context rows are).
  for (let y = 0; y < outH; y++) {
    const iy = y >> 1;
    const near = iy * srcStride;
    const farRow = (y & 1) === 0 ? Math.max(0, iy - 1) : Math.min(h - 1, iy + 1);
    h2v2Row(src, near, farRow * srcStride, w, row);
    copyRow(row, out, offset + y * outW * nc, outW, nc);
  }
}

function copyRow(row: Uint8Array, out: Uint8Array, o: number, outW: number, nc: number): void {
  for (let x = 0; x < outW; x++, o += nc) out[o] = row[x]!;
}

function h2v1Row(src: Uint8Array, s: number, w: number, row: Uint8Array): void {
  let o = 0;
  let v = src[s]!;
  row[o++] = v;
  row[o++] = (v * 3 + src[s + 1]! + 2) >> 2;
  for (let x = 1; x < w - 1; x++) {
    v = src[s + x]! * 3;
    row[o++] = (v + src[s + x - 1]! + 1) >> 2;
    row[o++] = (v + src[s + x + 1]! + 2) >> 2;
  }
  v = src[s + w - 1]!;
  row[o++] = (v * 3 + src[s + w - 2]! + 1) >> 2;
  row[o++] = v;
}

function h2v2Row(src: Uint8Array, near: number, far: number, w: number, row: Uint8Array): void {
  let o = 0;
  let thiscol = src[near]! * 3 + src[far]!;
  let nextcol = src[near + 1]! * 3 + src[far + 1]!;
  row[o++] = (thiscol * 4 + 8) >> 4;
  row[o++] = (thiscol * 3 + nextcol + 7) >> 4;
  let lastcol = thiscol;
  thiscol = nextcol;
  for (let x = 2; x < w; x++) {
    nextcol = src[near + x]! * 3 + src[far + x]!;
    row[o++] = (thiscol * 3 + lastcol + 8) >> 4;
    row[o++] = (thiscol * 3 + nextcol + 7) >> 4;
    lastcol = thiscol;
    thiscol = nextcol;
  }
  row[o++] = (thiscol * 3 + lastcol + 8) >> 4;
  row[o++] = (thiscol * 4 + 7) >> 4;
}
