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

export class BModeRenderer {
  /** Indices (y × width + x) of pixels inside the sector. */
  private readonly sector: Int32Array;
  /** Echogenicity of the static tissue at each sector pixel, 0..255. */
  private readonly base: Uint8Array;
  private readonly speckle: Uint8Array;
  /** The frame without the sector: black, depth marks and the static part of the text bar. */
  private readonly background: Uint8Array;
  private readonly gray: Uint8Array;
  /** 1 for pixels inside the sector. */
  private readonly mask: Uint8Array;

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
    const inside: number[] = [];
    const base: number[] = [];
    const layers = Array.from({ length: 4 }, () => ({ depth: 0.1 + rand() * 0.8, strength: 0.3 + rand() * 0.5 }));
    for (let y = apexY; y < Math.min(height, apexY + radiusPx + 1); y++) {
      for (let x = 0; x < width; x++) {
        const dx = x - apexX;
        const dy = y - apexY;
        const r = Math.sqrt(dx * dx + dy * dy);
        if (r > radiusPx || r < 4) continue;
        if (Math.abs(Math.atan2(dx, dy)) > halfAngleRad) continue;
        const depth = r / radiusPx;
        let e = 0.45 + 0.15 * Math.sin(depth * 9 + dx * 0.01);
        for (const l of layers) e += l.strength * Math.exp(-(((depth - l.depth) * 60) ** 2));
        e *= 1 - 0.35 * depth; // attenuation not fully compensated by the TGC
        inside.push(y * width + x);
        base.push(Math.max(0, Math.min(255, Math.round(e * 200))));
      }
    }
    this.sector = Int32Array.from(inside);
    this.base = Uint8Array.from(base);
    this.mask = new Uint8Array(width * height);
    for (const i of inside) this.mask[i] = 1;
    this.background = new Uint8Array(width * height);
    this.gray = new Uint8Array(width * height);
    this.drawStatic();
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

  /** Renders frame `n` at time `tSec` into `out` (RGB24 or GRAY8 by its length). */
  render(n: number, tSec: number, out: Uint8Array): void {
    const { width, apexX, apexY, radiusPx, textBarHeight } = this.g;
    const gray = this.gray;
    gray.set(this.background);
    const sector = this.sector;
    const base = this.base;
    const speckle = this.speckle;
    // Slow tissue motion: the speckle pattern shifts by a few pixels (breathing).
    const shift = (8 + Math.round(6 * Math.sin(tSec * 1.3))) * width + Math.round(3 * Math.sin(tSec * 0.7)) + 4;
    for (let k = 0; k < sector.length; k++) {
      const i = sector[k]!;
      gray[i] = (base[k]! * speckle[i + shift]!) >> 7 > 255 ? 255 : (base[k]! * speckle[i + shift]!) >> 7;
    }
    // The moving structure: a dark lumen with a bright wall, swinging sideways and pulsating.
    const cx = apexX + Math.sin(tSec * 2 * Math.PI * 0.5) * radiusPx * 0.18;
    const cy = apexY + radiusPx * (0.55 + 0.04 * Math.sin(tSec * 2 * Math.PI * 1.2));
    const rad = radiusPx * (0.11 + 0.015 * Math.sin(tSec * 2 * Math.PI * 1.2));
    const wall = rad * 1.25;
    const y0 = Math.max(apexY, Math.floor(cy - wall));
    const y1 = Math.min(this.g.height - 1, Math.ceil(cy + wall));
    for (let y = y0; y <= y1; y++) {
      for (let x = Math.max(0, Math.floor(cx - wall)); x <= Math.min(width - 1, Math.ceil(cx + wall)); x++) {
        const i = y * width + x;
        if (!this.mask[i]) continue;
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        if (d2 < rad * rad) gray[i] = gray[i]! >> 4;
        else if (d2 < wall * wall) gray[i] = Math.min(255, gray[i]! + 90);
      }
    }
    const clock = `F${String(n).padStart(5, '0')} T${tSec.toFixed(2)}`;
    const scale = Math.max(1, Math.floor(textBarHeight / 7));
    const tx = width - (clock.length * 4 * scale) - 6;
    const ty = Math.floor((textBarHeight - 5 * scale) / 2);
    for (let y = ty; y < ty + 5 * scale; y++) gray.fill(40, y * width + tx, y * width + width - 2);
    drawText(gray, width, tx, ty, clock, 230, scale);
    if (out.length === gray.length) {
      out.set(gray);
      return;
    }
    for (let i = 0, j = 0; i < gray.length; i++, j += 3) {
      const v = gray[i]!;
      out[j] = v;
      out[j + 1] = v;
      out[j + 2] = v;
    }
    // Colour in the text bar, so RGB is really RGB (and colour conversions are tested).
    for (let y = 0; y < textBarHeight; y++) {
      for (let x = 0; x < 4; x++) {
        const j = (y * width + x) * 3;
        out[j] = 240;
        out[j + 1] = 160;
        out[j + 2] = 20;
      }
    }
  }
}
