import { PIXEL_DATA, tagElement, tagGroup, type Tag } from '../core/tag.js';
import type { VR } from '../core/vr.js';
import type { DataSet } from '../dataset/dataset.js';
import { lookupTag } from '../dictionary/index.js';
import { Tags } from '../dictionary/index.js';

const PIXEL_REPRESENTATION = Tags.PixelRepresentation;
/** LUT descriptors are "US or SS" but their first and third values are always unsigned (PS3.3 C.11.1.1.1). */
const LUT_DESCRIPTORS: ReadonlySet<Tag> = new Set([
  Tags.RedPaletteColorLookupTableDescriptor,
  Tags.GreenPaletteColorLookupTableDescriptor,
  Tags.BluePaletteColorLookupTableDescriptor,
  Tags.LUTDescriptor,
]);

/**
 * The VR of an element read in Implicit VR, where the stream does not say: the dictionary's,
 * with the "US or SS" choice made by Pixel Representation as PS3.5 Annex A.1 allows. Pixel
 * Data is OW in Implicit VR (PS3.5 A.1 c). Unknown tags are UN.
 */
export function implicitVR(t: Tag, ds: DataSet, length: number): VR {
  if (t === PIXEL_DATA) return 'OW';
  if (tagElement(t) === 0) return 'UL'; // group length
  const g = tagGroup(t);
  if (g & 1) {
    const e = tagElement(t);
    if (e >= 0x0010 && e <= 0x00ff) return 'LO'; // private creator
    return length === 0xffffffff ? 'SQ' : 'UN';
  }
  const entry = lookupTag(t);
  if (!entry) return length === 0xffffffff ? 'SQ' : 'UN';
  const vrs = entry.vrs;
  if (vrs.length > 1 && vrs.includes('US') && vrs.includes('SS') && !LUT_DESCRIPTORS.has(t)) {
    return pixelRepresentation(ds) === 1 ? 'SS' : 'US';
  }
  return entry.vr;
}

function pixelRepresentation(ds: DataSet): number | undefined {
  for (let d: DataSet | undefined = ds; d; d = d.parent) {
    const el = d.get(PIXEL_REPRESENTATION);
    if (el?.value.type === 'raw' && el.value.bytes.length >= 2) return el.value.bytes[0]! | (el.value.bytes[1]! << 8);
  }
  return undefined;
}
