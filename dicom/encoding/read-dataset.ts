import { swapInPlace } from '../core/bytes.js';
import { DicomParseError } from '../core/errors.js';
import { MAX_SEQUENCE_DEPTH } from '../core/limits.js';
import {
  ITEM,
  ITEM_DELIMITATION,
  PIXEL_DATA,
  SEQUENCE_DELIMITATION,
  UNDEFINED_LENGTH,
  formatTag,
  type Tag,
} from '../core/tag.js';
import { VR_TABLE, vrFromBytes, type VR } from '../core/vr.js';
import { DataSet } from '../dataset/dataset.js';
import { Element, type SequenceValue } from '../dataset/element.js';
import type { TransferSyntax } from './transfer-syntax.js';
import { implicitVR } from './implicit-vr.js';

/**
 * Reads a data set from bytes in one transfer syntax (PS3.5 §7). The parse is iterative, with
 * an explicit stack of open sequences and items, so that deeply nested input cannot overflow
 * the call stack. Values are views into the input (no copy) except big-endian values, which
 * are copied and swapped to little endian.
 */
export interface ReadDataSetOptions {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /** Where to start in `bytes` (default 0). */
  readonly start?: number;
  /** Added to positions in errors and bulk references, when `bytes` is a window of a larger file. */
  readonly baseOffset?: number;
  /** Stop before the first top-level element for which this is true (the element is not consumed). */
  readonly stopBefore?: (tag: Tag) => boolean;
  /** Leave top-level Pixel Data where it is (a `bulk` value) instead of slicing it. */
  readonly pixelDataAsBulk?: boolean;
  /**
   * Treat bytes that cannot be a next top-level element (a tag lower than the previous one)
   * as trailing garbage: stop there and report it instead of failing. Default true.
   */
  readonly toleratetrailingGarbage?: boolean;
  /** The tag of the element just before `start`, when reading resumes after it (e.g. after Pixel Data). */
  readonly after?: Tag;
}

export interface ReadDataSetResult {
  readonly dataset: DataSet;
  /** Absolute offset just after the last element read (where reading stopped). */
  readonly end: number;
  /** The tag at `end` when `stopBefore` stopped the read. */
  readonly stoppedAt?: Tag;
  /** Things that were wrong but tolerated (odd lengths, trailing garbage …), with offsets. */
  readonly warnings: string[];
  /**
   * The bytes break an encoding rule that a receiver may enforce (an odd value length, a tag out
   * of ascending order or repeated) or carry ignored padding: they must be re-encoded, not
   * copied, before being sent or written (our writer pads and sorts, and stops at the end).
   */
  readonly irregular: boolean;
}

/** The bytes ran out before the data set did. Distinct, so a streaming caller can read more and retry. */
export class DicomTruncatedError extends DicomParseError {
  constructor(message: string, offset: number, code: 'PARSE_TRUNCATED' | 'PARSE_LENGTH_PAST_END' = 'PARSE_TRUNCATED') {
    super(code, message, offset);
  }
}

type Frame =
  | { kind: 'dataset'; ds: DataSet; end: number; top: boolean; lastTag: number; implicit: boolean }
  | { kind: 'sequence'; value: SequenceValue; parent: DataSet; end: number; implicit: boolean };

export function readDataSet(bytes: Uint8Array, opts: ReadDataSetOptions): ReadDataSetResult {
  const le = opts.littleEndian;
  const base = opts.baseOffset ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  const warnings: string[] = [];
  let irregular = false;
  const tolerateGarbage = opts.toleratetrailingGarbage ?? true;
  const root = new DataSet();
  let pos = opts.start ?? 0;
  const stack: Frame[] = [{ kind: 'dataset', ds: root, end: Infinity, top: true, lastTag: opts.after ?? -1, implicit: !opts.explicitVR }];

  const u16 = (at: number): number => view.getUint16(at, le);
  const u32 = (at: number): number => view.getUint32(at, le);
  const need = (count: number, what: string): void => {
    if (pos + count > n) throw new DicomTruncatedError(`file ends inside ${what}: ${count} bytes needed, ${n - pos} left`, base + pos);
  };
  const readTag = (): Tag => ((u16(pos) << 16) | u16(pos + 2)) >>> 0;

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;

    if (frame.kind === 'sequence') {
      if (pos >= frame.end) {
        if (pos > frame.end) throw new DicomParseError('PARSE_ITEM_OVERRUN', 'an item runs past the end of its sequence', base + frame.end);
        stack.pop();
        continue;
      }
      need(8, 'an item header');
      const t = readTag();
      const len = u32(pos + 4);
      if (t === SEQUENCE_DELIMITATION) {
        pos += 8;
        stack.pop();
        continue;
      }
      if (t !== ITEM) {
        throw new DicomParseError('PARSE_EXPECTED_ITEM', `expected an item or sequence delimiter in a sequence, found ${formatTag(t)}`, base + pos);
      }
      pos += 8;
      const item = new DataSet(frame.parent);
      item.undefinedLength = len === UNDEFINED_LENGTH;
      if (!item.undefinedLength && pos + len > n) {
        throw new DicomTruncatedError(`item length ${len} runs past the end of the data (${n - pos} bytes left)`, base + pos - 4, 'PARSE_LENGTH_PAST_END');
      }
      frame.value.items.push(item);
      stack.push({ kind: 'dataset', ds: item, end: item.undefinedLength ? Infinity : pos + len, top: false, lastTag: -1, implicit: frame.implicit });
      continue;
    }

    // A data set (the top level or an item).
    if (pos >= frame.end) {
      if (pos > frame.end) throw new DicomParseError('PARSE_ELEMENT_OVERRUN', 'an element runs past the end of its item', base + frame.end);
      stack.pop();
      continue;
    }
    if (frame.top && pos >= n) break;
    if (frame.top && pos + 4 > n && tolerateGarbage && pos > (opts.start ?? 0)) {
      irregular = true; // the ignored bytes must not be copied on
      warnings.push(`ignored ${n - pos} trailing bytes at offset ${base + pos}`);
      pos = n;
      break;
    }
    need(4, 'an element tag');
    const elementStart = pos;
    const t = readTag();

    if (t === ITEM_DELIMITATION && !frame.top) {
      need(8, 'an item delimiter');
      pos += 8;
      stack.pop();
      continue;
    }
    if (frame.top && opts.stopBefore?.(t)) {
      return { dataset: root, end: base + pos, stoppedAt: t, warnings, irregular };
    }
    if (t === ITEM || t === SEQUENCE_DELIMITATION || (t === ITEM_DELIMITATION && frame.top)) {
      if (frame.top && tolerateGarbage && isTrailingPadding(bytes, pos, frame.lastTag)) {
        irregular = true; // the ignored bytes must not be copied on
        warnings.push(`ignored ${n - pos} bytes after the data set at offset ${base + pos} (${formatTag(t)} where an element should be)`);
        pos = n;
        break;
      }
      throw new DicomParseError('PARSE_UNEXPECTED_DELIMITER', `unexpected ${formatTag(t)} inside a data set`, base + pos);
    }
    if (t <= frame.lastTag) {
      // Out of ascending order (PS3.5 §7.1 forbids it, writers do it anyway). Like DCMTK, an
      // element that is one is read, with a warning; only bytes that are no element at all and
      // that follow the data set (after the Pixel Data, or nothing but zeros) are padding.
      if (!looksLikeElement(bytes, view, pos, frame.implicit, le) && frame.top && tolerateGarbage && isTrailingPadding(bytes, pos, frame.lastTag)) {
        irregular = true; // the ignored bytes must not be copied on
        warnings.push(`ignored ${n - pos} bytes after the data set at offset ${base + pos} (tag ${formatTag(t)} out of order)`);
        pos = n;
        break;
      }
      irregular = true;
      warnings.push(
        t === frame.lastTag
          ? `tag ${formatTag(t)} repeated at offset ${base + pos} (the later value is kept)`
          : `tag ${formatTag(t)} out of ascending order at offset ${base + pos}`,
      );
    }
    const previousTag = frame.lastTag;
    frame.lastTag = t;

    // The element header.
    let vr: VR;
    let len: number;
    if (frame.implicit) {
      need(8, 'an element header');
      len = u32(pos + 4);
      pos += 8;
      vr = implicitVR(t, frame.ds, len);
    } else {
      need(8, 'an element header');
      const explicit = vrFromBytes(bytes[pos + 4]!, bytes[pos + 5]!);
      if (explicit === undefined) {
        if (frame.top && tolerateGarbage && isTrailingPadding(bytes, elementStart, previousTag)) {
          // Bytes after the pixel data that are not an element: garbage appended to the file.
          irregular = true; // the ignored bytes must not be copied on
          warnings.push(`ignored ${n - elementStart} bytes after the data set at offset ${base + elementStart} (no valid VR)`);
          pos = n;
          break;
        }
        throw new DicomParseError(
          'PARSE_BAD_VR',
          `element ${formatTag(t)} has no valid VR (bytes 0x${hex2(bytes[pos + 4]!)} 0x${hex2(bytes[pos + 5]!)})`,
          base + pos + 4,
        );
      }
      vr = explicit;
      if (VR_TABLE[vr].longLength) {
        need(12, 'an element header');
        len = u32(pos + 8);
        pos += 12;
      } else {
        len = u16(pos + 6);
        pos += 8;
      }
    }

    // Sequences (and UN of undefined length, which PS3.5 §6.2.2 says is an implicit VR LE sequence).
    if (vr === 'SQ' || (len === UNDEFINED_LENGTH && t !== PIXEL_DATA)) {
      const unSequence = vr === 'UN';
      const value: SequenceValue = { type: 'sequence', items: [], undefinedLength: len === UNDEFINED_LENGTH };
      if (len !== UNDEFINED_LENGTH && pos + len > n) {
        throw new DicomTruncatedError(`${formatTag(t)} SQ length ${len} runs past the end of the data (${n - pos} bytes left)`, base + elementStart, 'PARSE_LENGTH_PAST_END');
      }
      // Each level is a sequence frame and an item frame on the stack (the top data set is one).
      if ((stack.length + 1) / 2 > MAX_SEQUENCE_DEPTH) {
        throw new DicomParseError('PARSE_NESTING_TOO_DEEP', `${formatTag(t)} opens sequence level ${MAX_SEQUENCE_DEPTH + 1}; at most ${MAX_SEQUENCE_DEPTH} are read`, base + elementStart);
      }
      frame.ds.set(new Element(t, 'SQ', value));
      stack.push({
        kind: 'sequence',
        value,
        parent: frame.ds,
        end: len === UNDEFINED_LENGTH ? Infinity : pos + len,
        implicit: frame.implicit || unSequence,
      });
      if (unSequence) {
        // Items inside are implicit VR little endian whatever the outer syntax.
        if (!le) throw new DicomParseError('PARSE_UN_SEQUENCE_BE', 'UN sequence of undefined length in a big-endian data set', base + elementStart);
      }
      continue;
    }

    // Encapsulated pixel data.
    if (len === UNDEFINED_LENGTH) {
      const start = pos;
      const { offsetTable, fragments, end } = readFragments(bytes, view, pos, le, base);
      pos = end;
      if (opts.pixelDataAsBulk && frame.top) {
        frame.ds.set(new Element(t, vr, { type: 'bulk', offset: base + start, length: end - start, encapsulated: true }));
      } else {
        frame.ds.set(new Element(t, vr, { type: 'encapsulated', offsetTable, fragments }));
      }
      continue;
    }

    if (pos + len > n) {
      if (opts.pixelDataAsBulk && frame.top && t === PIXEL_DATA) {
        // A header reader may hold only the start of the file: the pixel data stays on disk.
        frame.ds.set(new Element(t, vr, { type: 'bulk', offset: base + pos, length: len, encapsulated: false }));
        pos += len;
        continue;
      }
      throw new DicomTruncatedError(`${formatTag(t)} ${vr} value length ${len} runs past the end of the data (${n - pos} bytes left)`, base + elementStart, 'PARSE_LENGTH_PAST_END');
    }
    if (len % 2 === 1) {
      irregular = true;
      warnings.push(`${formatTag(t)} ${vr} has odd length ${len} at offset ${base + elementStart} (padded to ${len + 1} when written or sent)`);
    }
    if (opts.pixelDataAsBulk && frame.top && t === PIXEL_DATA) {
      frame.ds.set(new Element(t, vr, { type: 'bulk', offset: base + pos, length: len, encapsulated: false }));
      pos += len;
      continue;
    }
    let value = bytes.subarray(pos, pos + len);
    if (!le) {
      const word = VR_TABLE[vr].wordSize;
      if (word > 1) value = swapInPlace(value.slice(), word);
    }
    frame.ds.set(new Element(t, vr, { type: 'raw', bytes: value }));
    pos += len;
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new DicomTruncatedError(`file ends inside an open ${open.kind === 'sequence' ? 'sequence' : 'item'}`, base + pos);
  }
  return { dataset: root, end: base + pos, warnings, irregular };
}

/** Reads the items of encapsulated pixel data up to and including the sequence delimiter. */
export function readFragments(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  le: boolean,
  base: number,
): { offsetTable: Uint8Array; fragments: Uint8Array[]; end: number } {
  let pos = start;
  const fragments: Uint8Array[] = [];
  let offsetTable: Uint8Array | undefined;
  for (;;) {
    if (pos + 8 > bytes.length) throw new DicomTruncatedError('file ends inside encapsulated pixel data', base + pos);
    const t = ((view.getUint16(pos, le) << 16) | view.getUint16(pos + 2, le)) >>> 0;
    const len = view.getUint32(pos + 4, le);
    pos += 8;
    if (t === SEQUENCE_DELIMITATION) break;
    if (t !== ITEM) throw new DicomParseError('PARSE_EXPECTED_ITEM', `expected a fragment item in encapsulated pixel data, found ${formatTag(t)}`, base + pos - 8);
    if (len === UNDEFINED_LENGTH || pos + len > bytes.length) {
      throw new DicomTruncatedError(`fragment length ${len} runs past the end of the data (${bytes.length - pos} bytes left)`, base + pos - 4, 'PARSE_LENGTH_PAST_END');
    }
    const body = bytes.subarray(pos, pos + len);
    if (offsetTable === undefined) offsetTable = body;
    else fragments.push(body);
    pos += len;
  }
  if (offsetTable === undefined) throw new DicomParseError('PARSE_NO_OFFSET_TABLE', 'encapsulated pixel data without a Basic Offset Table item', base + start);
  return { offsetTable, fragments, end: pos };
}

/**
 * Whether the bytes from `at` to the end may be ignored as padding after the data set: they
 * follow the Pixel Data (the last element of an image; vendors append zeros, checksums, …), or
 * they are all zero. Anything else that is not an element is a broken data set, refused.
 */
function isTrailingPadding(bytes: Uint8Array, at: number, lastTag: number): boolean {
  if (lastTag >= PIXEL_DATA) return true;
  for (let i = at; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Whether an element header at `at` is plausible: a known VR (explicit) or a length that fits. */
function looksLikeElement(bytes: Uint8Array, view: DataView, at: number, implicit: boolean, le: boolean): boolean {
  if (at + 8 > bytes.length) return false;
  if (!implicit) return vrFromBytes(bytes[at + 4]!, bytes[at + 5]!) !== undefined;
  const len = view.getUint32(at + 4, le);
  return len === UNDEFINED_LENGTH || at + 8 + len <= bytes.length;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
