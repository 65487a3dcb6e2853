/**
 * The attributes a new pixel encoding changes (PS3.3 C.7.6.1.1.5, C.7.6.3):
 * - colour: Photometric Interpretation of what was written, Planar Configuration 0;
 * - lossy history: Lossy Image Compression (0028,2110) becomes 01 and stays 01; each lossy step
 *   appends its ratio and method to (0028,2112) / (0028,2114), in the order applied; a lossy
 *   source that never recorded its own step gets it (ratio from its fragments).
 */
import type { DataSet } from '../../dicom/dataset/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import type { PixelDescription } from './pixel-description.js';

export function formatRatio(r: number): string {
  // DS: at most 16 characters.
  return String(Math.round(r * 1000) / 1000).slice(0, 16);
}

export function setColour(ds: DataSet, d: PixelDescription, photometric: string): void {
  if (photometric !== d.photometric) ds.putStrings(Tags.PhotometricInterpretation, 'CS', photometric);
  if (d.samplesPerPixel > 1) ds.putNumbers(Tags.PlanarConfiguration, 'US', 0);
}

/**
 * Keeps a lossy source's history: 01, and its own step when the file lacked it (`compressedBytes`
 * of a lossy encapsulated source, 0 when unknown).
 */
export function recordSourceLossyStep(ds: DataSet, o: { sourceLossy: boolean; lossySyntax: boolean; compressedBytes: number; uncompressedBytes: number }): void {
  if (!o.sourceLossy) return;
  ds.putStrings(Tags.LossyImageCompression, 'CS', '01');
  if (o.lossySyntax && !ds.has(Tags.LossyImageCompressionMethod) && !ds.has(Tags.LossyImageCompressionRatio) && o.compressedBytes > 0) {
    ds.putStrings(Tags.LossyImageCompressionRatio, 'DS', formatRatio(o.uncompressedBytes / o.compressedBytes));
    ds.putStrings(Tags.LossyImageCompressionMethod, 'CS', 'ISO_10918_1');
  }
}

/** Appends this step's JPEG Baseline compression (ISO_10918_1) to the lossy history. */
export function appendLossyStep(ds: DataSet, ratio: number): void {
  const ratios = ds.has(Tags.LossyImageCompressionRatio) ? (ds.strings(Tags.LossyImageCompressionRatio) ?? []) : [];
  const methods = ds.has(Tags.LossyImageCompressionMethod) ? (ds.strings(Tags.LossyImageCompressionMethod) ?? []) : [];
  ds.putStrings(Tags.LossyImageCompression, 'CS', '01');
  ds.putStrings(Tags.LossyImageCompressionRatio, 'DS', [...ratios.map((s) => s.trim()).filter((s) => s !== ''), formatRatio(ratio)]);
  ds.putStrings(Tags.LossyImageCompressionMethod, 'CS', [...methods.map((s) => s.trim()).filter((s) => s !== ''), 'ISO_10918_1']);
}
