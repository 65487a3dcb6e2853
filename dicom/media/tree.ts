import type { DataSet } from '../dataset/index.js';

/**
 * A file-set in memory: the directory records as a tree (PS3.10 §8.5). Offsets are not kept in
 * the tree: they are a property of one encoding of it, computed by encodeDicomdir.
 */
export interface DirectoryRecord {
  /** Directory Record Type (0004,1430), e.g. PATIENT, STUDY, SERIES, IMAGE, or another vendor's type. */
  readonly type: string;
  /**
   * The record's elements: keys, Specific Character Set, references. Values stay as their raw
   * bytes in the record's own character set, so records read from another vendor's DICOMDIR
   * are written back unchanged apart from the offsets.
   */
  readonly dataset: DataSet;
  readonly children: DirectoryRecord[];
  /** Byte offset of the record's item in the DICOMDIR it was read from. */
  readonly offset?: number;
}

export interface FileSet {
  /** File-set ID (0004,1130): up to 16 characters of CS; may be empty. */
  fileSetId: string;
  /** File Meta Information of the DICOMDIR as read (kept: its Media Storage SOP Instance UID names the file-set). */
  readonly meta?: DataSet;
  /**
   * Top-level elements other than the ones encodeDicomdir computes (File-set ID, root offsets,
   * consistency flag, record sequence): e.g. the File-set Descriptor File ID.
   */
  readonly header?: DataSet;
  readonly roots: DirectoryRecord[];
}

/** Records in pre-order (each record before its children), iteratively so no depth can overflow. */
export function* walkRecords(roots: readonly DirectoryRecord[]): Generator<{ record: DirectoryRecord; depth: number; parent?: DirectoryRecord }> {
  const stack: { record: DirectoryRecord; depth: number; parent?: DirectoryRecord }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ record: roots[i]!, depth: 0 });
  while (stack.length > 0) {
    const top = stack.pop()!;
    yield top;
    const kids = top.record.children;
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ record: kids[i]!, depth: top.depth + 1, parent: top.record });
  }
}

export function countRecords(roots: readonly DirectoryRecord[]): number {
  let n = 0;
  for (const _ of walkRecords(roots)) n++;
  return n;
}
