/**
 * Draws synthetic B-mode ultrasound frames: a sector image with speckle, a layered tissue
 * background, a moving anechoic structure with a bright wall (a vessel or chamber), depth marks
 * every centimetre, and a text bar. Everything that does not change between frames is computed
 * once, so a frame costs one pass over the sector's pixels.
 */
import type { UltrasoundRegion } from '../../dicom/iod/index.js';
import { drawText } from './font.js';
import { mulberry32 } from './prng.js';

export interface SectorGeometry {
  readonly width: number;
  readonly height: number;
  /** Apex of the sector (the probe face), in pixels. */
  readonly apexX: number;
  readonly apexY: number;
  /** Image depth in pixels from the apex. */
  readonly radiusPx: number;
  readonly halfAngleRad: number;
  readonly depthCm: number;
  readonly textBarHeight: number;
}

export function sectorGeometry(width: number, height: number, depthCm: number): SectorGeometry {
  const textBarHeight = Math.max(12, Math.round(height / 25));
  const apexY = textBarHeight + 6;
  const radiusPx = height - apexY - 6;
  return { width, height, apexX: Math.floor(width / 2), apexY, radiusPx, halfAngleRad: (38 * Math.PI) / 180, depthCm, textBarHeight };
}

/** The calibrated image area: one 2D tissue region with cm per pixel from depth and radius. */
export function sectorRegion(g: SectorGeometry, probeMHz: number): UltrasoundRegion {
  const halfWidth = Math.ceil(Math.sin(g.halfAngleRad) * g.radiusPx);
  const minX = Math.max(0, g.apexX - halfWidth);
  const maxX = Math.min(g.width - 1, g.apexX + halfWidth);
  const cmPerPx = g.depthCm / g.radiusPx;
  return {
    spatialFormat: 1,
    dataType: 1,
    flags: 0,
    minX,
    minY: g.apexY,
    maxX,
    maxY: g.apexY + g.radiusPx,
    referencePixelX: g.apexX - minX,
    referencePixelY: 0,
    physicalUnitsX: 3,
    physicalUnitsY: 3,
    referencePhysicalX: 0,
    referencePhysicalY: 0,
    physicalDeltaX: cmPerPx,
    physicalDeltaY: cmPerPx,
    transducerFrequencyKHz: Math.round(probeMHz * 1000),
  };
}

/** True on little-endian hosts, where the RGB expansion writes 32-bit words. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class BModeRenderer {
  /**
   * The sector as runs of pixels on each row: [start, end) pairs of indices (y × width + x), row
   * after row. The sector pass walks these linearly instead of gathering through an index list.
   */
  private readonly runs: Int32Array;
  /** Echogenicity of the static tissue at each sector pixel, 0..255, in run order. */
  private readonly base: Uint8Array;
  private readonly speckle: Uint8Array;
  /** The frame without the sector: black, depth marks and the static part of the text bar. */
  private readonly background: Uint8Array;
  /**
   * The grey frame being drawn. Outside the sector and the text bar it always equals
   * `background` (nothing else draws there), so each frame only restores the text bar.
   */
  private readonly gray: Uint8Array;
  /** `gray` as 32-bit words (its buffer is padded to a multiple of 4 bytes), for the RGB expansion. */
  private readonly gray32: Uint32Array;
  /** 1 for pixels inside the sector. */
  private readonly mask: Uint8Array;
  /** `background` as RGB24 with the colour patch of the text bar, made on the first RGB frame. */
  private rgbBackground: Uint8Array | undefined;
  /**
   * The pixel ranges an RGB frame re-expands from `gray`: the text bar rows, then each sector
   * run widened to whole groups of 4 pixels (outside the sector `gray` equals `background`, so
   * the widening only rewrites bytes with the values they already have).
   */
  private readonly dirtyQuads: Int32Array;

  constructor(
    readonly g: SectorGeometry,
    seed: number,
    private readonly label: string,
  ) {
    const { width, height, apexX, apexY, radiusPx, halfAngleRad } = g;
    const rand = mulberry32(seed);
    // Speckle: Rayleigh-distributed amplitude (fully developed speckle), a margin of rows so it
    // can be shifted a little between frames (tissue motion).
    const speckleLen = width * (height + 16);
    this.speckle = new Uint8Array(speckleLen);
    for (let i = 0; i < speckleLen; i++) {
      const r = Math.sqrt(-2 * Math.log(1 - rand())) / 2.2;
      this.speckle[i] = Math.min(255, Math.round(r * 255));
    }
    const runs: number[] = [];
    const base: number[] = [];
    this.mask = new Uint8Array(width * height);
    const layers = Array.from({ length: 4 }, () => ({ depth: 0.1 + rand() * 0.8, strength: 0.3 + rand() * 0.5 }));
    for (let y = apexY; y < Math.min(height, apexY + radiusPx + 1); y++) {
      let runStart = -1;
      for (let x = 0; x <= width; x++) {
        let inside = false;
        let e = 0;
        const dx = x - apexX;
        const dy = y - apexY;
        if (x < width) {
          const r = Math.sqrt(dx * dx + dy * dy);
          inside = r <= radiusPx && r >= 4 && Math.abs(Math.atan2(dx, dy)) <= halfAngleRad;
          if (inside) {
            const depth = r / radiusPx;
            e = 0.45 + 0.15 * Math.sin(depth * 9 + dx * 0.01);
            for (const l of layers) e += l.strength * Math.exp(-(((depth - l.depth) * 60) ** 2));
            e *= 1 - 0.35 * depth; // attenuation not fully compensated by the TGC
          }
        }
        const i = y * width + x;
        if (inside) {
          if (runStart < 0) runStart = i;
          this.mask[i] = 1;
          base.push(Math.max(0, Math.min(255, Math.round(e * 200))));
        } else if (runStart >= 0) {
          runs.push(runStart, i);
          runStart = -1;
        }
      }
    }
    this.runs = Int32Array.from(runs);
    const dirty: number[] = [0, Math.ceil((width * g.textBarHeight) / 4)];
    for (let r = 0; r < runs.length; r += 2) {
      const q0 = Math.floor(runs[r]! / 4);
      const q1 = Math.ceil(runs[r + 1]! / 4);
      if (q0 <= dirty[dirty.length - 1]!) dirty[dirty.length - 1] = Math.max(dirty[dirty.length - 1]!, q1);
      else dirty.push(q0, q1);
    }
    this.dirtyQuads = Int32Array.from(dirty);
    this.base = Uint8Array.from(base);
    this.background = new Uint8Array(width * height);
    const grayBuffer = new ArrayBuffer(Math.ceil((width * height) / 4) * 4);
    this.gray = new Uint8Array(grayBuffer, 0, width * height);
    this.gray32 = new Uint32Array(grayBuffer);
    this.drawStatic();
    this.gray.set(this.background);
  }

  private drawStatic(): void {
    const { width, apexX, apexY, radiusPx, halfAngleRad, depthCm, textBarHeight } = this.g;
    const bg = this.background;
    bg.fill(40, 0, width * textBarHeight);
    const scale = Math.max(1, Math.floor(textBarHeight / 7));
    drawText(bg, width, 4, Math.floor((textBarHeight - 5 * scale) / 2), this.label, 230, scale);
    // Depth marks: a dot every cm along the right edge of the sector, a bar every 5 cm.
    const edgeX = Math.sin(halfAngleRad);
    const edgeY = Math.cos(halfAngleRad);
    for (let cm = 0; cm <= depthCm; cm++) {
      const r = (cm / depthCm) * radiusPx;
      const x = Math.round(apexX + edgeX * r) + 6;
      const y = Math.round(apexY + edgeY * r);
      const len = cm % 5 === 0 ? 8 : 3;
      for (let k = 0; k < len && x + k < width; k++) {
        if (y >= 0 && y < this.g.height) bg[y * width + x + k] = 220;
      }
    }
  }

  /**
   * Renders frame `n` at time `tSec` into `out` (RGB24 or GRAY8 by its length). Every byte of
   * `out` is written, so it may come uninitialised.
   */
  render(n: number, tSec: number, out: Uint8Array): void {
    const { width, height, apexX, apexY, radiusPx, textBarHeight } = this.g;
    const pixels = width * height;
    if (out.length !== pixels && out.length !== pixels * 3) {
      throw new RangeError(`render: ${out.length} bytes is neither GRAY8 nor RGB24 for ${width}×${height}`);
    }
    const gray = this.gray;
    // Only the text bar (the clock) changes outside the sector.
    gray.set(this.background.subarray(0, width * textBarHeight));
    this.drawSector(tSec);
    // The moving structure: a dark lumen with a bright wall, swinging sideways and pulsating.
    const cx = apexX + Math.sin(tSec * 2 * Math.PI * 0.5) * radiusPx * 0.18;
    const cy = apexY + radiusPx * (0.55 + 0.04 * Math.sin(tSec * 2 * Math.PI * 1.2));
    const rad = radiusPx * (0.11 + 0.015 * Math.sin(tSec * 2 * Math.PI * 1.2));
    const wall = rad * 1.25;
    const rad2 = rad * rad;
    const wall2 = wall * wall;
    const mask = this.mask;
    const y0 = Math.max(apexY, Math.floor(cy - wall));
    const y1 = Math.min(height - 1, Math.ceil(cy + wall));
    const x0 = Math.max(0, Math.floor(cx - wall));
    const x1 = Math.min(width - 1, Math.ceil(cx + wall));
    for (let y = y0; y <= y1; y++) {
      const ddy = (y - cy) * (y - cy);
      for (let x = x0, i = y * width + x0; x <= x1; x++, i++) {
        if (!mask[i]) continue;
        const d2 = (x - cx) * (x - cx) + ddy;
        if (d2 < rad2) gray[i] = gray[i]! >> 4;
        else if (d2 < wall2) {
          const v = gray[i]! + 90;
          gray[i] = v > 255 ? 255 : v;
        }
      }
    }
    const clock = `F${String(n).padStart(5, '0')} T${tSec.toFixed(2)}`;
    const scale = Math.max(1, Math.floor(textBarHeight / 7));
    const tx = width - (clock.length * 4 * scale) - 6;
    const ty = Math.floor((textBarHeight - 5 * scale) / 2);
    for (let y = ty; y < ty + 5 * scale; y++) gray.fill(40, y * width + tx, y * width + width - 2);
    drawText(gray, width, tx, ty, clock, 230, scale);
    if (out.length === pixels) {
      out.set(gray);
      return;
    }
    this.expandRgb(out);
  }

  /** The B-mode sector: static echogenicity × speckle shifted by the tissue motion, run by run. */
  private drawSector(tSec: number): void {
    const { width } = this.g;
    const gray = this.gray;
    const runs = this.runs;
    const base = this.base;
    const speckle = this.speckle;
    // Slow tissue motion: the speckle pattern shifts by a few pixels (breathing).
    const shift = (8 + Math.round(6 * Math.sin(tSec * 1.3))) * width + Math.round(3 * Math.sin(tSec * 0.7)) + 4;
    let k = 0;
    for (let r = 0; r < runs.length; r += 2) {
      const end = runs[r + 1]!;
      for (let i = runs[r]!; i < end; i++, k++) {
        const v = (base[k]! * speckle[i + shift]!) >> 7;
        gray[i] = v > 255 ? 255 : v;
      }
    }
  }

  /**
   * Grey to RGB24. The static RGB frame is copied in, then only the text bar rows and the sector
   * are expanded from `gray` (on little-endian hosts with a 4-byte-aligned `out`, four grey
   * pixels, one 32-bit read, become three 32-bit writes; otherwise byte by byte), and the colour
   * patch of the text bar is put back.
   */
  private expandRgb(out: Uint8Array): void {
    const { width, textBarHeight } = this.g;
    const gray = this.gray;
    const pixels = gray.length;
    out.set((this.rgbBackground ??= this.makeRgbBackground()));
    const dirty = this.dirtyQuads;
    if (LITTLE_ENDIAN && out.byteOffset % 4 === 0) {
      const g32 = this.gray32;
      const fullQuads = pixels >> 2;
      const o32 = new Uint32Array(out.buffer, out.byteOffset, fullQuads * 3);
      for (let d = 0; d < dirty.length; d += 2) {
        const q1 = Math.min(dirty[d + 1]!, fullQuads);
        for (let q = dirty[d]!, j = q * 3; q < q1; q++, j += 3) {
          const w = g32[q]!;
          const p0 = w & 0xff;
          const p1 = (w >>> 8) & 0xff;
          const p2 = (w >>> 16) & 0xff;
          const p3 = w >>> 24;
          // Bytes p0 p0 p0 p1 | p1 p1 p2 p2 | p2 p3 p3 p3, little-endian words.
          o32[j] = (p0 * 0x10101) | (p1 << 24);
          o32[j + 1] = (p1 * 0x101) | (p2 * 0x1010000);
          o32[j + 2] = p2 | (p3 * 0x1010100);
        }
      }
      // A last partial group of 4 (width × height not a multiple of 4), byte by byte.
      if (dirty[dirty.length - 1]! > fullQuads) expandBytes(gray, out, fullQuads * 4, pixels);
    } else {
      for (let d = 0; d < dirty.length; d += 2) expandBytes(gray, out, dirty[d]! * 4, Math.min(dirty[d + 1]! * 4, pixels));
    }
    // Colour in the text bar, so RGB is really RGB (and colour conversions are tested).
    paintColourPatch(out, width, textBarHeight);
  }

  private makeRgbBackground(): Uint8Array {
    const { width, textBarHeight } = this.g;
    const bg = this.background;
    const rgb = new Uint8Array(bg.length * 3);
    expandBytes(bg, rgb, 0, bg.length);
    paintColourPatch(rgb, width, textBarHeight);
    return rgb;
  }
}

function expandBytes(gray: Uint8Array, out: Uint8Array, from: number, to: number): void {
  for (let i = from, j = from * 3; i < to; i++, j += 3) {
    const v = gray[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
  }
}

function paintColourPatch(out: Uint8Array, width: number, textBarHeight: number): void {
  for (let y = 0; y < textBarHeight; y++) {
    for (let x = 0; x < 4; x++) {
      const j = (y * width + x) * 3;
      out[j] = 240;
      out[j + 1] = 160;
      out[j + 2] = 20;
    }
  }
}
