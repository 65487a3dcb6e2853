/**
 * Reads a JPEG stream's frame header (SOFn) to say what the DICOM attributes must be: the
 * Photometric Interpretation follows from the components' sampling factors (PS3.5 8.2.1), so it
 * is taken from the encoder's real output rather than from what the encoder was asked for.
 */
import { IodError } from './errors.js';
import type { Photometric } from './build.js';

export interface JpegFrameHeader {
  /** The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless … */
  readonly process: number;
  readonly precision: number;
  readonly rows: number;
  readonly columns: number;
  readonly components: readonly { readonly id: number; readonly h: number; readonly v: number }[];
  /** The stream has its own DHT (Huffman tables) before the scan, as media profiles require. */
  readonly hasHuffmanTables: boolean;
}

export function readJpegFrameHeader(jpeg: Uint8Array): JpegFrameHeader {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new IodError('IOD_BAD_VALUE', 'not a JPEG stream (no SOI)');
  let i = 2;
  let dht = false;
  let sof: Omit<JpegFrameHeader, 'hasHuffmanTables'> | undefined;
  while (i + 4 <= jpeg.length) {
    if (jpeg[i] !== 0xff) throw new IodError('IOD_BAD_VALUE', `JPEG marker expected at byte ${i}`);
    const m = jpeg[i + 1]!;
    if (m === 0xff) {
      i++;
      continue;
    }
    const len = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    if (m === 0xc4) dht = true;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      const n = jpeg[i + 9]!;
      const components = [];
      for (let c = 0; c < n; c++) {
        const o = i + 10 + c * 3;
        components.push({ id: jpeg[o]!, h: jpeg[o + 1]! >> 4, v: jpeg[o + 1]! & 15 });
      }
      sof = {
        process: m & 0x0f,
        precision: jpeg[i + 4]!,
        rows: (jpeg[i + 5]! << 8) | jpeg[i + 6]!,
        columns: (jpeg[i + 7]! << 8) | jpeg[i + 8]!,
        components,
      };
    }
    if (m === 0xda) break; // tables for the first scan come before its SOS

    i += 2 + len;
  }
  if (!sof) throw new IodError('IOD_BAD_VALUE', 'JPEG stream has no frame header');
  return { ...sof, hasHuffmanTables: dht };
}

/**
 * MONOCHROME2 for one component; for Y, Cb, Cr: YBR_FULL when sampled alike, YBR_FULL_422 when
 * luma has twice the chroma's horizontal sampling and the same vertical (2×1,1×1,1×1 or the
 * equivalent 2×2,1×2,1×2 that libavcodec writes). 4:2:0 has no DICOM name for JPEG Baseline.
 */
export function photometricForJpegBaseline(h: JpegFrameHeader): Photometric {
  if (h.components.length === 1) return 'MONOCHROME2';
  const [y, cb, cr] = h.components;
  if (h.components.length === 3 && cb!.h === cr!.h && cb!.v === cr!.v) {
    if (y!.h === cb!.h && y!.v === cb!.v) return 'YBR_FULL';
    if (y!.h === 2 * cb!.h && y!.v === cb!.v) return 'YBR_FULL_422';
  }
  throw new IodError(
    'IOD_UNSUPPORTED',
    `JPEG sampling ${h.components.map((c) => `${c.h}x${c.v}`).join(',')} has no DICOM photometric interpretation (4:2:0 is not YBR_FULL_422)`,
  );
}
