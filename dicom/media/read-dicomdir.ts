import { DicomError, ITEM, ITEM_DELIMITATION, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH, formatTag } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import { readDataSet } from '../encoding/index.js';
import { META, readPart10, type Part10File } from '../part10/index.js';
import { DicomdirError } from './errors.js';
import { textOf } from './record-keys.js';
import { DIR, MEDIA_STORAGE_DIRECTORY_SOP_CLASS, RECORD_INACTIVE } from './tags.js';
import type { DirectoryRecord, FileSet } from './tree.js';

export interface ReadFileSet extends FileSet {
  readonly transferSyntaxUid: string;
  /** Records in the file, including inactive and unreachable ones. */
  readonly recordsInFile: number;
  /** Tolerated oddities: inactive records, records no offset reaches, a last-root offset that is not the last root. */
  readonly warnings: string[];
}

interface RawRecord {
  readonly offset: number;
  readonly dataset: DataSet;
}

/**
 * Reads a DICOMDIR into a record tree (FSR), checking that it can be trusted before anyone
 * adds to it: every non-zero offset must be the first byte of a record's item, no record may be
 * reached twice, the consistency flag must be 0, and every record must say its type. Any of
 * these failing is a DicomdirError; an export then stops instead of overwriting the DICOMDIR.
 * Explicit VR LE is what PS3.10 requires; Implicit VR LE and Explicit VR BE DICOMDIRs (seen in
 * the wild, e.g. pydicom's samples) are read too.
 */
export function readDicomdir(bytes: Uint8Array): ReadFileSet {
  let file: Part10File;
  try {
    file = readPart10(bytes);
  } catch (e) {
    if (e instanceof DicomError) throw new DicomdirError('DICOMDIR_UNREADABLE', `the DICOMDIR cannot be read: ${e.message} [${e.code}]`, undefined, { cause: e });
    throw e;
  }
  const warnings = [...file.warnings];
  const sopClass = file.meta.has(META.mediaStorageSopClass) ? textOf(file.meta, META.mediaStorageSopClass) : MEDIA_STORAGE_DIRECTORY_SOP_CLASS;
  if (sopClass !== MEDIA_STORAGE_DIRECTORY_SOP_CLASS) {
    throw new DicomdirError('DICOMDIR_NOT_A_DICOMDIR', `the file is SOP class ${sopClass}, not Media Storage Directory (${MEDIA_STORAGE_DIRECTORY_SOP_CLASS})`);
  }
  const top = file.dataset;
  if (!top.has(DIR.recordSequence)) throw new DicomdirError('DICOMDIR_NO_RECORD_SEQUENCE', 'the DICOMDIR has no Directory Record Sequence (0004,1220)');
  const flag = top.number(DIR.consistencyFlag) ?? 0;
  if (flag !== 0) {
    throw new DicomdirError('DICOMDIR_INCONSISTENT', `File-set Consistency Flag (0004,1212) is 0x${flag.toString(16).toUpperCase()}: the file-set says it is inconsistent`);
  }

  const records = locateRecords(bytes, file);
  const byOffset = new Map(records.map((r) => [r.offset, r]));
  const reached = new Set<number>();

  const at = (offset: number, what: string): RawRecord => {
    const r = byOffset.get(offset);
    if (!r) throw new DicomdirError('DICOMDIR_BAD_OFFSET', `${what} is ${offset}, which is not the first byte of a directory record`, offset);
    if (reached.has(offset)) throw new DicomdirError('DICOMDIR_CYCLE', `${what} leads back to the record at byte ${offset}, already reached`, offset);
    reached.add(offset);
    return r;
  };
  const offsetIn = (ds: DataSet, t: number): number => {
    try {
      return ds.number(t) ?? 0;
    } catch (e) {
      throw new DicomdirError('DICOMDIR_BAD_OFFSET', `${formatTag(t)} cannot be read as an offset`, undefined, { cause: e });
    }
  };

  // Follow chains iteratively: a stack of (first offset of a chain, where to put its records).
  const roots: DirectoryRecord[] = [];
  const firstRoot = offsetIn(top, DIR.firstRootRecord);
  const stack: { offset: number; into: DirectoryRecord[]; what: string }[] = [];
  if (firstRoot !== 0) stack.push({ offset: firstRoot, into: roots, what: 'Offset of the First Directory Record of the Root Directory Entity (0004,1200)' });
  else if (records.length > 0) warnings.push('the first root record offset is 0 although the DICOMDIR holds records: read as an empty file-set');
  let lastRootSeen = 0;
  while (stack.length > 0) {
    const { offset, into, what } = stack.pop()!;
    let next = offset;
    let label = what;
    while (next !== 0) {
      const raw = at(next, label);
      if (into === roots) lastRootSeen = raw.offset;
      const ds = raw.dataset;
      const type = textOf(ds, DIR.recordType);
      if (!type) throw new DicomdirError('DICOMDIR_NO_RECORD_TYPE', 'a directory record has no Directory Record Type (0004,1430)', raw.offset);
      const inUse = ds.has(DIR.inUse) ? offsetIn(ds, DIR.inUse) : 0xffff;
      const lower = offsetIn(ds, DIR.lowerLevel);
      if (inUse === RECORD_INACTIVE) {
        warnings.push(`inactive ${type} record at byte ${raw.offset} left out`);
      } else {
        const record: DirectoryRecord = { type, dataset: ds, children: [], offset: raw.offset };
        into.push(record);
        if (lower !== 0) stack.push({ offset: lower, into: record.children, what: `Offset of Referenced Lower-Level Directory Entity of the ${type} record at byte ${raw.offset}` });
      }
      label = `Offset of the Next Directory Record of the ${type} record at byte ${raw.offset}`;
      next = offsetIn(ds, DIR.nextRecord);
    }
  }
  const lastRoot = offsetIn(top, DIR.lastRootRecord);
  if (lastRoot !== 0 && !byOffset.has(lastRoot)) {
    throw new DicomdirError('DICOMDIR_BAD_OFFSET', `Offset of the Last Directory Record of the Root Directory Entity (0004,1202) is ${lastRoot}, which is not the first byte of a directory record`, lastRoot);
  }
  if (lastRoot !== 0 && lastRoot !== lastRootSeen) warnings.push(`the last root record offset ${lastRoot} is not the last root record (${lastRootSeen})`);
  const unreached = records.length - reached.size;
  if (unreached > 0) warnings.push(`${unreached} record(s) reached by no offset, left out`);

  const header = new DataSet();
  for (const el of top) {
    if (el.tag === DIR.fileSetId || el.tag === DIR.firstRootRecord || el.tag === DIR.lastRootRecord || el.tag === DIR.consistencyFlag || el.tag === DIR.recordSequence) continue;
    header.set(el);
  }
  return {
    fileSetId: textOf(top, DIR.fileSetId),
    meta: file.meta,
    header,
    roots,
    transferSyntaxUid: file.transferSyntax.uid,
    recordsInFile: records.length,
    warnings,
  };
}

/**
 * Finds where each item of the Directory Record Sequence starts (the offsets in the file are
 * offsets of items) and reads each item on its own, so that positions and data sets pair up.
 */
function locateRecords(bytes: Uint8Array, file: Part10File): RawRecord[] {
  const explicitVR = file.transferSyntax.explicitVR;
  const le = file.transferSyntax.littleEndian;
  const base = { explicitVR, littleEndian: le, toleratetrailingGarbage: false } as const;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number): number => view.getUint16(p, le);
  const u32 = (p: number): number => view.getUint32(p, le);
  const tagAt = (p: number): number => ((u16(p) << 16) | u16(p + 2)) >>> 0;
  const fail = (msg: string, p: number): never => {
    throw new DicomdirError('DICOMDIR_UNREADABLE', msg, p);
  };
  const find = readDataSet(bytes, { ...base, start: file.datasetOffset, stopBefore: (t) => t === DIR.recordSequence });
  if (find.stoppedAt !== DIR.recordSequence) fail('the Directory Record Sequence was not found where expected', find.end);
  let pos = find.end;
  const headerLength = explicitVR ? 12 : 8;
  if (pos + headerLength > bytes.length) fail('the file ends inside the Directory Record Sequence header', pos);
  const seqLength = u32(pos + headerLength - 4);
  pos += headerLength;
  const seqEnd = seqLength === UNDEFINED_LENGTH ? bytes.length : pos + seqLength;
  if (seqEnd > bytes.length) fail(`the Directory Record Sequence length ${seqLength} runs past the end of the file`, pos - 4);

  const out: RawRecord[] = [];
  while (pos < seqEnd) {
    if (pos + 8 > bytes.length) fail('the file ends inside an item header', pos);
    const t = tagAt(pos);
    if (t === SEQUENCE_DELIMITATION) break;
    if (t !== ITEM) fail(`expected a directory record item, found ${formatTag(t)}`, pos);
    const len = u32(pos + 4);
    const contentStart = pos + 8;
    try {
      if (len === UNDEFINED_LENGTH) {
        const r = readDataSet(bytes, { ...base, start: contentStart, stopBefore: (x) => x === ITEM_DELIMITATION });
        if (r.stoppedAt !== ITEM_DELIMITATION) fail('a directory record of undefined length has no item delimiter', contentStart);
        out.push({ offset: pos, dataset: r.dataset });
        pos = r.end + 8;
      } else {
        if (contentStart + len > seqEnd) fail(`a directory record's length ${len} runs past the end of the sequence`, pos + 4);
        const r = readDataSet(bytes.subarray(0, contentStart + len), { ...base, start: contentStart });
        out.push({ offset: pos, dataset: r.dataset });
        pos = contentStart + len;
      }
    } catch (e) {
      if (e instanceof DicomdirError) throw e;
      if (e instanceof DicomError) throw new DicomdirError('DICOMDIR_UNREADABLE', `a directory record cannot be read: ${e.message} [${e.code}]`, pos, { cause: e });
      throw e;
    }
  }
  return out;
}
