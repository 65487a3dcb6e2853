import { ByteSink, swapInPlace } from '../core/bytes.js';
import { DicomEncodeError } from '../core/errors.js';
import { MAX_SEQUENCE_DEPTH } from '../core/limits.js';
import {
  ITEM,
  ITEM_DELIMITATION,
  SEQUENCE_DELIMITATION,
  UNDEFINED_LENGTH,
  formatTag,
  tagElement,
  tagGroup,
  type Tag,
} from '../core/tag.js';
import { VR_TABLE, type VR } from '../core/vr.js';
import type { DataSet } from '../dataset/dataset.js';
import type { Element } from '../dataset/element.js';

export interface WriteDataSetOptions {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /**
   * How sequences and items are delimited: as they were read (default), or all with undefined
   * length, or all with explicit lengths.
   */
  readonly sequenceLengths?: 'as-read' | 'undefined' | 'defined';
  /** Write top-level elements from this tag on only (default: all). */
  readonly fromTag?: Tag;
  /** Stop before this top-level tag (default: write all). */
  readonly beforeTag?: Tag;
}

type Frame =
  | {
      kind: 'dataset';
      elements: readonly Element[];
      index: number;
      /** Where this item's length field is, to patch once its end is known (-1: undefined length or top). */
      lengthAt: number;
      undefinedLength: boolean;
      top: boolean;
      /** Position of the value of the group length element of the group being written, or -1. */
      groupLengthAt: number;
      group: number;
    }
  | { kind: 'sequence'; items: readonly DataSet[]; index: number; lengthAt: number; undefinedLength: boolean };

/**
 * Writes a data set in one transfer syntax. Iterative like the reader, so any depth of nesting
 * that can be read can be written. Group length elements that are present are recalculated,
 * because their value depends on the transfer syntax. Values are padded to even length.
 */
export function writeDataSet(ds: DataSet, sink: ByteSink, opts: WriteDataSetOptions): void {
  const le = opts.littleEndian;
  const explicit = opts.explicitVR;
  const lengths = opts.sequenceLengths ?? 'as-read';
  const isUndefined = (asRead: boolean): boolean => (lengths === 'as-read' ? asRead : lengths === 'undefined');

  const top = [...ds].filter(
    (e) => (opts.fromTag === undefined || e.tag >= opts.fromTag) && (opts.beforeTag === undefined || e.tag < opts.beforeTag),
  );
  const stack: Frame[] = [
    { kind: 'dataset', elements: top, index: 0, lengthAt: -1, undefinedLength: false, top: true, groupLengthAt: -1, group: -1 },
  ];

  const writeTag = (t: Tag): void => {
    sink.u16(tagGroup(t), le);
    sink.u16(tagElement(t), le);
  };
  const patchLength = (at: number): void => {
    sink.patchU32(at, sink.length - (at + 4), le);
  };
  const closeGroup = (f: Extract<Frame, { kind: 'dataset' }>): void => {
    if (f.groupLengthAt >= 0) patchLength(f.groupLengthAt);
    f.groupLengthAt = -1;
  };

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.kind === 'sequence') {
      if (frame.index >= frame.items.length) {
        stack.pop();
        if (frame.undefinedLength) {
          writeTag(SEQUENCE_DELIMITATION);
          sink.u32(0, le);
        } else patchLength(frame.lengthAt);
        continue;
      }
      const item = frame.items[frame.index++]!;
      const undefinedLength = isUndefined(item.undefinedLength);
      writeTag(ITEM);
      const lengthAt = sink.length;
      sink.u32(undefinedLength ? UNDEFINED_LENGTH : 0, le);
      stack.push({ kind: 'dataset', elements: [...item], index: 0, lengthAt, undefinedLength, top: false, groupLengthAt: -1, group: -1 });
      continue;
    }

    if (frame.index >= frame.elements.length) {
      closeGroup(frame);
      stack.pop();
      if (!frame.top) {
        if (frame.undefinedLength) {
          writeTag(ITEM_DELIMITATION);
          sink.u32(0, le);
        } else patchLength(frame.lengthAt);
      }
      continue;
    }
    const el = frame.elements[frame.index++]!;
    const g = tagGroup(el.tag);
    if (g !== frame.group) {
      closeGroup(frame);
      frame.group = g;
    }

    const value = el.value;
    switch (value.type) {
      case 'raw': {
        let bytes = value.bytes;
        const info = VR_TABLE[el.vr];
        if (bytes.length % 2 === 1) {
          const padded = new Uint8Array(bytes.length + 1);
          padded.set(bytes);
          padded[bytes.length] = info.padByte;
          bytes = padded;
        }
        if (!le && info.wordSize > 1) bytes = swapInPlace(bytes.slice(), info.wordSize);
        writeHeader(el.tag, el.vr, bytes.length);
        if (tagElement(el.tag) === 0 && bytes.length === 4) {
          // A group length depends on the encoding: write a placeholder, patched when the group ends.
          frame.groupLengthAt = sink.length;
          sink.u32(0, le);
        } else sink.bytes(bytes);
        break;
      }
      case 'sequence': {
        if ((stack.length + 1) / 2 > MAX_SEQUENCE_DEPTH) {
          throw new DicomEncodeError('ENCODE_NESTING_TOO_DEEP', `${formatTag(el.tag)} opens sequence level ${MAX_SEQUENCE_DEPTH + 1}; at most ${MAX_SEQUENCE_DEPTH} are written`);
        }
        const undefinedLength = isUndefined(value.undefinedLength);
        writeHeader(el.tag, 'SQ', undefinedLength ? UNDEFINED_LENGTH : 0);
        const lengthAt = sink.length - 4;
        stack.push({ kind: 'sequence', items: value.items, index: 0, lengthAt, undefinedLength });
        break;
      }
      case 'encapsulated': {
        writeHeader(el.tag, el.vr === 'OW' ? 'OB' : el.vr, UNDEFINED_LENGTH);
        writeFragmentItem(value.offsetTable);
        for (const f of value.fragments) writeFragmentItem(f);
        writeTag(SEQUENCE_DELIMITATION);
        sink.u32(0, le);
        break;
      }
      case 'bulk':
        throw new DicomEncodeError(
          'ENCODE_BULK_NOT_LOADED',
          `${formatTag(el.tag)} was left in its source (offset ${value.offset}); stream it instead of writing the data set whole`,
        );
    }
  }

  function writeHeader(t: Tag, vr: VR, length: number): void {
    writeTag(t);
    if (!explicit) {
      sink.u32(length, le);
      return;
    }
    sink.ascii(vr);
    if (VR_TABLE[vr].longLength) {
      sink.u16(0, le);
      sink.u32(length, le);
    } else {
      if (length > 0xffff) {
        throw new DicomEncodeError('ENCODE_VALUE_TOO_LONG', `${formatTag(t)} ${vr} value of ${length} bytes does not fit a 16-bit length`);
      }
      sink.u16(length, le);
    }
  }

  function writeFragmentItem(b: Uint8Array): void {
    writeTag(ITEM);
    const odd = b.length % 2;
    sink.u32(b.length + odd, le);
    sink.bytes(b);
    if (odd) sink.u8(0);
  }
}
