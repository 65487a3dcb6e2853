import { DicomError } from '../core/errors.js';
import { PIXEL_DATA } from '../core/tag.js';
import type { DataSet } from '../dataset/dataset.js';
import { Tags } from '../dictionary/index.js';

const SAMPLES_PER_PIXEL = Tags.SamplesPerPixel;
const PHOTOMETRIC_INTERPRETATION = Tags.PhotometricInterpretation;
const NUMBER_OF_FRAMES = Tags.NumberOfFrames;
const ROWS = Tags.Rows;
const COLUMNS = Tags.Columns;
const BITS_ALLOCATED = Tags.BitsAllocated;

/** How much pixel data there is, as the reader found it (the values themselves are not needed). */
export type PixelDataExtent =
  | { readonly kind: 'native'; readonly length: number }
  | { readonly kind: 'encapsulated'; readonly fragments: number };

export type PixelConsistencyCode =
  | 'PIXEL_ATTRIBUTE_MISSING'
  | 'PIXEL_ZERO_DIMENSION'
  | 'PIXEL_DATA_TOO_SHORT'
  | 'PIXEL_DATA_TOO_LONG'
  | 'PIXEL_NO_FRAGMENTS'
  | 'PIXEL_FEWER_FRAGMENTS_THAN_FRAMES';

export interface PixelInconsistency {
  readonly code: PixelConsistencyCode;
  /** Names the attributes that disagree and their values. */
  readonly message: string;
}

/** An object whose image attributes contradict its pixel data: refused before it is written or sent. */
export class PixelConsistencyError extends DicomError {
  override readonly name = 'PixelConsistencyError';
  constructor(
    readonly problem: PixelInconsistency,
    options?: { cause?: unknown },
  ) {
    super(problem.code, problem.message, options);
  }
}

/** The extent of an element's pixel data when it is in memory (raw or fragments); undefined for a bulk reference. */
export function extentInMemory(ds: DataSet): PixelDataExtent | undefined {
  const v = ds.get(PIXEL_DATA)?.value;
  if (v?.type === 'raw') return { kind: 'native', length: v.bytes.length };
  if (v?.type === 'encapsulated') return { kind: 'encapsulated', fragments: v.fragments.length };
  return undefined;
}

/**
 * Whether the image attributes of `ds` (Rows, Columns, Samples per Pixel, Bits Allocated,
 * Number of Frames, Photometric Interpretation) agree with the pixel data found (PS3.5 §8.1.1,
 * §A.4). Native data must hold exactly Rows × Columns × Samples × Bits Allocated / 8 × Frames
 * bytes (plus the one pad byte of an odd length); encapsulated data needs at least one fragment
 * per frame. An object without Pixel Data has nothing to check. Returns the first
 * disagreement, or undefined: `dump` shows it as a warning, `convert`/`send`/`export` refuse.
 */
export function checkPixelConsistency(ds: DataSet, extent: PixelDataExtent | undefined): PixelInconsistency | undefined {
  if (!extent) return undefined;
  const num = (t: number): number | undefined => {
    try {
      return ds.number(t);
    } catch {
      return undefined;
    }
  };
  const rows = num(ROWS);
  const columns = num(COLUMNS);
  const missing = [
    rows === undefined ? 'Rows (0028,0010)' : '',
    columns === undefined ? 'Columns (0028,0011)' : '',
    extent.kind === 'native' && num(BITS_ALLOCATED) === undefined ? 'Bits Allocated (0028,0100)' : '',
  ].filter(Boolean);
  if (missing.length > 0) return { code: 'PIXEL_ATTRIBUTE_MISSING', message: `Pixel Data is present but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing` };
  if (rows === 0 || columns === 0) return { code: 'PIXEL_ZERO_DIMENSION', message: `Rows is ${rows} and Columns is ${columns}: an image has no pixel in a 0 dimension, yet Pixel Data is present` };
  // Number of Frames is IS: absent (single frame) or a positive integer.
  const frames = Math.max(1, Math.trunc(num(NUMBER_OF_FRAMES) ?? 1));

  if (extent.kind === 'encapsulated') {
    if (extent.fragments === 0) return { code: 'PIXEL_NO_FRAGMENTS', message: 'encapsulated Pixel Data has a Basic Offset Table but no fragment' };
    if (extent.fragments < frames) {
      return { code: 'PIXEL_FEWER_FRAGMENTS_THAN_FRAMES', message: `encapsulated Pixel Data has ${extent.fragments} fragments for Number of Frames ${frames}` };
    }
    return undefined;
  }
  const samples = num(SAMPLES_PER_PIXEL) ?? 1;
  const bits = num(BITS_ALLOCATED)!;
  let photometric = '';
  try {
    photometric = ds.string(PHOTOMETRIC_INTERPRETATION)?.trim() ?? '';
  } catch {
    photometric = '';
  }
  // YBR_FULL_422 keeps two luminance and one pair of chroma samples per two pixels (PS3.3 C.7.6.3.1.2).
  const samplesPerPixel = photometric === 'YBR_FULL_422' ? 2 : samples;
  const expected = Math.ceil((rows! * columns! * samplesPerPixel * frames * bits) / 8);
  const padded = expected + (expected % 2);
  const formula = `Rows ${rows} × Columns ${columns} × Samples per Pixel ${samples}${samplesPerPixel !== samples ? ' (YBR_FULL_422: 2 stored per pixel)' : ''} × Bits Allocated ${bits} / 8 × Number of Frames ${frames} = ${expected}`;
  if (extent.length < expected) return { code: 'PIXEL_DATA_TOO_SHORT', message: `Pixel Data has ${extent.length} bytes, but ${formula}` };
  if (extent.length > padded) return { code: 'PIXEL_DATA_TOO_LONG', message: `Pixel Data has ${extent.length} bytes, but ${formula}` };
  return undefined;
}

/** checkPixelConsistency for callers that refuse: throws PixelConsistencyError. */
export function assertPixelConsistency(ds: DataSet, extent: PixelDataExtent | undefined): void {
  const problem = checkPixelConsistency(ds, extent);
  if (problem) throw new PixelConsistencyError(problem);
}
