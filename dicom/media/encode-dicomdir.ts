import { ByteSink, ITEM, tagElement, tagGroup } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import { EXPLICIT_VR_LE, writeDataSet } from '../encoding/index.js';
import { buildFileMeta, encodeFileHeader, META, rewriteFileMeta } from '../part10/index.js';
import { MediaError } from './errors.js';
import { DIR, MEDIA_STORAGE_DIRECTORY_SOP_CLASS, RECORD_IN_USE } from './tags.js';
import type { DirectoryRecord, FileSet } from './tree.js';

export interface EncodeDicomdirOptions {
  /** Media Storage SOP Instance UID for a new DICOMDIR; a file-set read from a medium keeps its own. */
  readonly sopInstanceUid: string;
}

/** Elements of a record that encodeDicomdir computes; anything else in a record is written as it is. */
const COMPUTED = new Set([DIR.nextRecord, DIR.inUse, DIR.lowerLevel]);
const LE = { explicitVR: true, littleEndian: true, sequenceLengths: 'defined' } as const;

interface Laid {
  readonly record: DirectoryRecord;
  /** Index in `order` of the next sibling and the first child, or -1. */
  next: number;
  lower: number;
  size: number;
  offset: number;
}

/**
 * Encodes a file-set's DICOMDIR (PS3.10 §8, PS3.3 F): Explicit VR Little Endian, records in
 * pre-order, each a defined-length item. Offsets are computed only after every record has been
 * encoded with its final bytes (its own character set, its own values), counting from the
 * first byte of the file, preamble and "DICM" included. Offset elements are UL, so a record's
 * size does not depend on the offsets written into it: records are encoded once to measure,
 * once with their offsets, and the result is checked against the layout.
 */
export function encodeDicomdir(fs: FileSet, opts: EncodeDicomdirOptions): Uint8Array {
  const meta = fs.meta && fs.meta.has(META.mediaStorageSopInstance)
    ? rewriteFileMeta(fs.meta, EXPLICIT_VR_LE)
    : buildFileMeta({ sopClassUid: MEDIA_STORAGE_DIRECTORY_SOP_CLASS, sopInstanceUid: opts.sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LE });
  meta.putStrings(META.mediaStorageSopClass, 'UI', MEDIA_STORAGE_DIRECTORY_SOP_CLASS);
  const head = encodeFileHeader(meta);

  // Lay the records out in pre-order, linking siblings and first children.
  const order: Laid[] = [];
  const rootIdx = layChain(fs.roots, order);

  // Pass 1: each record's encoded size, with its final elements and zero offsets.
  for (const l of order) l.size = encodeRecord(l.record, 0, 0).length;

  const top = topLevel(fs, 0, 0);
  const beforeSeq = new ByteSink(256);
  writeDataSet(top, beforeSeq, { ...LE, beforeTag: DIR.recordSequence });
  const afterSeq = new ByteSink(64);
  writeDataSet(top, afterSeq, { ...LE, fromTag: DIR.recordSequence + 1 });

  let pos = head.length + beforeSeq.length + 12; // (0004,1220) SQ header: tag, VR, reserved, length
  const seqStart = pos;
  for (const l of order) {
    l.offset = pos;
    pos += 8 + l.size;
  }
  const seqLength = pos - seqStart;
  const offsetOf = (i: number): number => (i < 0 ? 0 : order[i]!.offset);
  const first = rootIdx.length > 0 ? offsetOf(rootIdx[0]!) : 0;
  const last = rootIdx.length > 0 ? offsetOf(rootIdx[rootIdx.length - 1]!) : 0;

  // Pass 2: the bytes, offsets filled in.
  const sink = new ByteSink(pos + afterSeq.length + 16);
  sink.bytes(head);
  writeDataSet(topLevel(fs, first, last), sink, { ...LE, beforeTag: DIR.recordSequence });
  sink.u16(tagGroup(DIR.recordSequence), true);
  sink.u16(tagElement(DIR.recordSequence), true);
  sink.ascii('SQ');
  sink.u16(0, true);
  sink.u32(seqLength, true);
  for (const l of order) {
    if (sink.length !== l.offset) throw new MediaError('MEDIA_LAYOUT', `record laid out at byte ${l.offset} was written at ${sink.length}`);
    const bytes = encodeRecord(l.record, offsetOf(l.next), offsetOf(l.lower));
    if (bytes.length !== l.size) throw new MediaError('MEDIA_LAYOUT', `a ${l.record.type} record changed size between passes`);
    sink.u16(tagGroup(ITEM), true);
    sink.u16(tagElement(ITEM), true);
    sink.u32(bytes.length, true);
    sink.bytes(bytes);
  }
  sink.bytes(afterSeq.toBytes());
  return sink.toBytes();
}

/** Appends a chain of siblings (and, after each, its subtree) to `order`; returns the siblings' indexes. */
function layChain(chain: readonly DirectoryRecord[], order: Laid[]): number[] {
  // Iterative pre-order: a stack of (chain, position in chain, indexes so far).
  const rootIdx: number[] = [];
  const stack: { chain: readonly DirectoryRecord[]; i: number; idx: number[]; parent: number }[] = [{ chain, i: 0, idx: rootIdx, parent: -1 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.i >= f.chain.length) {
      for (let k = 0; k + 1 < f.idx.length; k++) order[f.idx[k]!]!.next = f.idx[k + 1]!;
      if (f.parent >= 0 && f.idx.length > 0) order[f.parent]!.lower = f.idx[0]!;
      stack.pop();
      continue;
    }
    const record = f.chain[f.i++]!;
    const index = order.length;
    order.push({ record, next: -1, lower: -1, size: 0, offset: 0 });
    f.idx.push(index);
    if (record.children.length > 0) stack.push({ chain: record.children, i: 0, idx: [], parent: index });
  }
  return rootIdx;
}

function encodeRecord(r: DirectoryRecord, next: number, lower: number): Uint8Array {
  const ds = new DataSet();
  ds.putNumbers(DIR.nextRecord, 'UL', next);
  ds.putNumbers(DIR.inUse, 'US', RECORD_IN_USE);
  ds.putNumbers(DIR.lowerLevel, 'UL', lower);
  for (const el of r.dataset) if (!COMPUTED.has(el.tag)) ds.set(el);
  const sink = new ByteSink(512);
  writeDataSet(ds, sink, LE);
  return sink.toBytes();
}

function topLevel(fs: FileSet, first: number, last: number): DataSet {
  const ds = new DataSet();
  if (fs.header) for (const el of fs.header) ds.set(el);
  ds.putStrings(DIR.fileSetId, 'CS', fs.fileSetId);
  ds.putNumbers(DIR.firstRootRecord, 'UL', first);
  ds.putNumbers(DIR.lastRootRecord, 'UL', last);
  ds.putNumbers(DIR.consistencyFlag, 'US', 0);
  ds.put(DIR.recordSequence, 'SQ', { type: 'sequence', items: [], undefinedLength: false });
  return ds;
}
