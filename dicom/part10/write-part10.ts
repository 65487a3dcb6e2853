import { ByteSink, swapInPlace } from '../core/bytes.js';
import { DicomEncodeError } from '../core/errors.js';
import { ITEM, PIXEL_DATA, PIXEL_DATA_GROUP_LENGTH as PIXEL_GROUP_LENGTH, tag, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, tagElement, tagGroup } from '../core/tag.js';
import type { VR } from '../core/vr.js';
import { DataSet } from '../dataset/dataset.js';
import { writeDataSet, type WriteDataSetOptions } from '../encoding/write-dataset.js';
import type { TransferSyntax } from '../encoding/transfer-syntax.js';
import { META } from './meta.js';

export interface WritePart10Options {
  /** The preamble to keep (128 bytes); zeros by default. */
  readonly preamble?: Uint8Array;
  readonly sequenceLengths?: WriteDataSetOptions['sequenceLengths'];
}

/** Preamble, `DICM` and the File Meta Information group (always Explicit VR LE, group length recalculated). */
export function encodeFileHeader(meta: DataSet, preamble?: Uint8Array): Uint8Array {
  const sink = new ByteSink(512);
  const pre = new Uint8Array(128);
  if (preamble) pre.set(preamble.subarray(0, 128));
  sink.bytes(pre);
  sink.ascii('DICM');
  const withLength = meta.has(META.groupLength) ? meta : cloneWithGroupLength(meta);
  writeDataSet(withLength, sink, { explicitVR: true, littleEndian: true });
  return sink.toBytes();
}

/** The meta group always carries its group length (PS3.10 §7.1); add one when it is missing. */
function cloneWithGroupLength(meta: DataSet): DataSet {
  const ds = new DataSet();
  for (const el of meta) ds.set(el);
  ds.put(META.groupLength, 'UL', { type: 'raw', bytes: new Uint8Array(4) });
  return ds;
}

/** A whole Part 10 file in memory: for objects without bulk pixel data (worklist results, DICOMDIR, small images). */
export function writePart10(meta: DataSet, dataset: DataSet, ts: TransferSyntax, opts: WritePart10Options = {}): Uint8Array {
  if (ts.deflated) throw new DicomEncodeError('ENCODE_DEFLATE_UNSUPPORTED', 'writing Deflated Explicit VR Little Endian is not supported');
  const header = encodeFileHeader(meta, opts.preamble);
  const sink = new ByteSink(header.length + 4096);
  sink.bytes(header);
  writeDataSet(dataset, sink, {
    explicitVR: ts.explicitVR,
    littleEndian: ts.littleEndian,
    ...(opts.sequenceLengths ? { sequenceLengths: opts.sequenceLengths } : {}),
  });
  return sink.toBytes();
}

/**
 * Writes a Part 10 file whose pixel data arrives as a stream of frames or fragments, so that
 * a long cine is never one buffer. The caller writes each returned chunk to its sink in order:
 *
 *   header(meta, dataset)            preamble, meta, every element before Pixel Data
 *   nativePixelData(vr, byteLength)  then nativeChunk(bytes) … as samples arrive, or
 *   encapsulatedPixelData(bot)       then fragment(bytes) … and endEncapsulated()
 *   trailer(dataset)                 the elements after Pixel Data, if any
 */
export class Part10StreamWriter {
  private readonly le: boolean;
  private readonly explicit: boolean;
  private carry: number | undefined;
  private nativeRemaining = 0;
  private nativeWord: 1 | 2 = 1;
  /** The data set had a (7FE0,0000) group length: it is written with the pixel data, once its size is known. */
  private pixelGroupLength = false;

  constructor(readonly ts: TransferSyntax) {
    if (ts.deflated) throw new DicomEncodeError('ENCODE_DEFLATE_UNSUPPORTED', 'streaming a deflated file is not supported');
    this.le = ts.littleEndian;
    this.explicit = ts.explicitVR;
  }

  header(meta: DataSet, dataset: DataSet, preamble?: Uint8Array): Uint8Array {
    const head = encodeFileHeader(meta, preamble);
    const sink = new ByteSink(head.length + 8192);
    sink.bytes(head);
    this.pixelGroupLength = dataset.has(PIXEL_GROUP_LENGTH);
    writeDataSet(dataset, sink, { explicitVR: this.explicit, littleEndian: this.le, beforeTag: PIXEL_GROUP_LENGTH });
    return sink.toBytes();
  }

  /** The Pixel Data element header for native samples; `byteLength` is the total of all frames. */
  nativePixelData(vr: Extract<VR, 'OB' | 'OW'>, byteLength: number): Uint8Array {
    if (this.ts.encapsulated) throw new DicomEncodeError('ENCODE_NATIVE_IN_ENCAPSULATED', `${this.ts.name} needs encapsulated pixel data`);
    if (byteLength % 2 === 1) throw new DicomEncodeError('ENCODE_ODD_PIXEL_LENGTH', 'native pixel data must have even length; pad the last frame');
    this.nativeRemaining = byteLength;
    this.nativeWord = vr === 'OW' ? 2 : 1;
    const header = this.elementHeader(vr, byteLength);
    if (!this.pixelGroupLength) return header;
    // Retired, but kept when the source had it: its value counts the pixel element whole.
    const sink = new ByteSink(12 + header.length);
    sink.u16(0x7fe0, this.le);
    sink.u16(0x0000, this.le);
    if (this.explicit) {
      sink.ascii('UL');
      sink.u16(4, this.le);
    } else sink.u32(4, this.le);
    sink.u32(header.length + byteLength, this.le);
    sink.bytes(header);
    return sink.toBytes();
  }

  /** Samples in little-endian order; swapped here when the syntax is big endian. */
  nativeChunk(bytes: Uint8Array): Uint8Array {
    if (bytes.length > this.nativeRemaining) {
      throw new DicomEncodeError('ENCODE_PIXEL_OVERRUN', `pixel data chunk of ${bytes.length} bytes exceeds the ${this.nativeRemaining} bytes declared`);
    }
    this.nativeRemaining -= bytes.length;
    if (this.le || this.nativeWord === 1) return bytes;
    // Big endian OW: swap 16-bit words, carrying an odd byte over to the next chunk.
    let src = bytes;
    if (this.carry !== undefined) {
      src = new Uint8Array(bytes.length + 1);
      src[0] = this.carry;
      src.set(bytes, 1);
      this.carry = undefined;
    } else src = bytes.slice();
    if (src.length % 2 === 1) {
      this.carry = src[src.length - 1];
      src = src.subarray(0, src.length - 1);
    }
    return swapInPlace(src, 2);
  }

  encapsulatedPixelData(basicOffsetTable: Uint8Array = new Uint8Array(0)): Uint8Array {
    if (!this.ts.encapsulated) throw new DicomEncodeError('ENCODE_ENCAPSULATED_IN_NATIVE', `${this.ts.name} needs native pixel data`);
    const sink = new ByteSink(32 + basicOffsetTable.length);
    sink.bytes(this.elementHeader('OB', UNDEFINED_LENGTH));
    this.item(sink, basicOffsetTable);
    return sink.toBytes();
  }

  fragment(bytes: Uint8Array): Uint8Array {
    const sink = new ByteSink(bytes.length + 9);
    this.item(sink, bytes);
    return sink.toBytes();
  }

  endEncapsulated(): Uint8Array {
    const sink = new ByteSink(8);
    sink.u16(tagGroup(SEQUENCE_DELIMITATION), this.le);
    sink.u16(tagElement(SEQUENCE_DELIMITATION), this.le);
    sink.u32(0, this.le);
    return sink.toBytes();
  }

  /** Elements after Pixel Data (rare: padding, signatures). */
  trailer(dataset: DataSet): Uint8Array {
    if (this.nativeRemaining !== 0) {
      throw new DicomEncodeError('ENCODE_PIXEL_SHORT', `${this.nativeRemaining} bytes of pixel data declared but not written`);
    }
    const sink = new ByteSink(256);
    writeDataSet(dataset, sink, { explicitVR: this.explicit, littleEndian: this.le, fromTag: PIXEL_DATA + 1 });
    return sink.toBytes();
  }

  private item(sink: ByteSink, bytes: Uint8Array): void {
    const odd = bytes.length % 2;
    sink.u16(tagGroup(ITEM), this.le);
    sink.u16(tagElement(ITEM), this.le);
    sink.u32(bytes.length + odd, this.le);
    sink.bytes(bytes);
    if (odd) sink.u8(0);
  }

  private elementHeader(vr: VR, length: number): Uint8Array {
    const sink = new ByteSink(12);
    sink.u16(tagGroup(PIXEL_DATA), this.le);
    sink.u16(tagElement(PIXEL_DATA), this.le);
    if (this.explicit) {
      sink.ascii(vr);
      sink.u16(0, this.le);
    }
    sink.u32(length, this.le);
    return sink.toBytes();
  }
}
