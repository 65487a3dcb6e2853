import { DicomError } from './errors.js';
import { Tags } from '../dictionary/tag-constants.generated.js';

/**
 * A data element tag as one unsigned 32-bit number, group in the high 16 bits. Numbers compare
 * and sort in the order PS3.5 §7.1 requires, and are cheap Map keys.
 */
export type Tag = number;

export function tag(group: number, element: number): Tag {
  return ((group << 16) | element) >>> 0;
}

export function tagGroup(t: Tag): number {
  return t >>> 16;
}

export function tagElement(t: Tag): number {
  return t & 0xffff;
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** `(0010,0010)`, the way PS3.6 and dcmdump write tags. */
export function formatTag(t: Tag): string {
  return `(${hex4(tagGroup(t))},${hex4(tagElement(t))})`;
}

/** Parses `(0010,0010)`, `0010,0010` or `00100010`. */
export function parseTag(text: string): Tag {
  const m = /^\(?([0-9a-fA-F]{4}),?([0-9a-fA-F]{4})\)?$/.exec(text.trim());
  if (!m) throw new DicomError('TAG_NOT_A_TAG', `not a tag: ${text}`);
  return tag(parseInt(m[1]!, 16), parseInt(m[2]!, 16));
}

/** Tags with a fixed meaning in the encoding itself (PS3.5 §7.5). */
export const ITEM = Tags.Item;
export const ITEM_DELIMITATION = Tags.ItemDelimitationItem;
export const SEQUENCE_DELIMITATION = Tags.SequenceDelimitationItem;
export const PIXEL_DATA = Tags.PixelData;
/** (7FE0,0000): the pixel data group's length, which some sources carry (a group length has no keyword). */
export const PIXEL_DATA_GROUP_LENGTH = 0x7fe00000;
export const FLOAT_PIXEL_DATA = Tags.FloatPixelData;
export const DOUBLE_FLOAT_PIXEL_DATA = Tags.DoubleFloatPixelData;
export const SPECIFIC_CHARACTER_SET = Tags.SpecificCharacterSet;
export const UNDEFINED_LENGTH = 0xffffffff;
