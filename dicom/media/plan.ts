import type { DataSet } from '../dataset/index.js';
import { DicomError } from '../core/index.js';
import { FileIdAllocator, type FileId } from './file-id.js';
import type { RefusalCode } from './errors.js';
import { transferDecision, type MediaProfile } from './profiles.js';
import { buildRecord, RECORD_PARENT, RECORD_TYPES, textOf, type RecordTypeName } from './record-keys.js';
import { DIR, KEY } from './tags.js';
import { walkRecords, type DirectoryRecord, type FileSet } from './tree.js';

/** One instance offered for export, as the device read it (header only, no pixel data). */
export interface ExportInstance {
  /** Where it comes from (a path); the plan only passes it through. */
  readonly source: string;
  readonly dataset: DataSet;
  /** The transfer syntax the file is stored in. */
  readonly transferSyntaxUid: string;
  /** The file's size in bytes. */
  readonly size: number;
  /** Preamble, DICM and meta group present: a file without them is rewritten even in an allowed syntax. */
  readonly part10: boolean;
}

export interface PlannedWrite {
  readonly source: string;
  readonly fileId: FileId;
  /** Copy byte for byte, or rewrite in `transferSyntaxUid` (uncompressed ↔ uncompressed). */
  readonly action: 'copy' | 'rewrite';
  readonly transferSyntaxUid: string;
  /** Bytes the file will take (a rewrite's size is an upper estimate). */
  readonly bytes: number;
  readonly patientId: string;
  readonly studyUid: string;
  readonly seriesUid: string;
}

export interface Duplicate {
  readonly source: string;
  readonly sopInstanceUid: string;
  /** The File ID that already holds it (on the medium or earlier in this export). */
  readonly existingFileId: string;
}

export interface Refusal {
  readonly source: string;
  readonly code: RefusalCode;
  readonly message: string;
}

export interface ExportPlan {
  /** The file-set after the export: the existing records with the new ones merged in. */
  readonly fileSet: FileSet;
  readonly writes: readonly PlannedWrite[];
  readonly duplicates: readonly Duplicate[];
  readonly refused: readonly Refusal[];
  /** Invented key values and the like, one line each, for the export report. */
  readonly warnings: readonly string[];
}

export interface PlanExportInput {
  readonly profile: MediaProfile;
  /** The file-set already on the medium (FSU), or undefined for a new one (FSC). */
  readonly existing?: FileSet;
  readonly instances: readonly ExportInstance[];
  /** Paths already on the medium (any case, `/` or `\` separated), so new File IDs avoid them. */
  readonly takenPaths?: Iterable<string>;
  /** File-set ID for a new file-set, or to replace the existing one's. */
  readonly fileSetId?: string;
}

/** Rewriting Implicit VR or big endian to Explicit VR LE adds a few bytes per element; headers are small. */
const REWRITE_ALLOWANCE = 64 * 1024;

/**
 * Plans an export (FSC, or FSU when `existing` is given) without touching anything: which
 * files go where, and the DICOMDIR tree after it. New instances are merged into existing
 * PATIENT/STUDY/SERIES records by Patient ID, Study and Series Instance UID; an instance whose
 * SOP Instance UID the file-set already holds is reported as a duplicate and not written again;
 * an instance the profile does not allow is refused by name. Existing records are kept as they
 * are (their bytes and their order); new records go after them.
 */
export function planExport(input: PlanExportInput): ExportPlan {
  const { profile } = input;
  const roots = cloneRecords(input.existing?.roots ?? []);
  const fileSet: FileSet = {
    fileSetId: input.fileSetId ?? input.existing?.fileSetId ?? '',
    ...(input.existing?.meta ? { meta: input.existing.meta } : {}),
    ...(input.existing?.header ? { header: input.existing.header } : {}),
    roots,
  };

  const taken: FileId[] = [];
  const held = new Map<string, string>();
  for (const { record } of walkRecords(roots)) {
    const id = record.dataset.has(DIR.referencedFileId) ? record.dataset.strings(DIR.referencedFileId) ?? [] : [];
    if (id.length > 0) taken.push(id);
    const uid = textOf(record.dataset, DIR.referencedSopInstance);
    if (uid) held.set(uid, id.join('\\'));
  }
  const alloc = new FileIdAllocator([...taken, ...(input.takenPaths ?? [])]);
  const counts: Record<RecordTypeName, number> = { PATIENT: 0, STUDY: 0, SERIES: 0, IMAGE: 0 };
  for (const { record } of walkRecords(roots)) if (record.type in counts) counts[record.type as RecordTypeName]++;

  const writes: PlannedWrite[] = [];
  const duplicates: Duplicate[] = [];
  const refused: Refusal[] = [];
  const warnings: string[] = [];
  // Directory of each existing record, learnt from the File IDs below it, so FSU keeps series together.
  const existingDirs = directoriesOf(roots);

  for (const inst of input.instances) {
    const ds = inst.dataset;
    const refuse = (code: RefusalCode, message: string): void => void refused.push({ source: inst.source, code, message });
    const sopClass = textOf(ds, KEY.sopClassUid);
    const sopInstance = textOf(ds, KEY.sopInstanceUid);
    const cls = profile.sopClasses.get(sopClass);
    if (!cls) {
      refuse('MEDIA_SOP_CLASS_NOT_ALLOWED', `SOP class ${sopClass || '(none)'} is not allowed by ${profile.id}`);
      continue;
    }
    const decision = transferDecision(profile, inst.transferSyntaxUid);
    if (decision.action === 'refuse') {
      refuse('MEDIA_TRANSFER_SYNTAX_NOT_ALLOWED', `transfer syntax ${inst.transferSyntaxUid} is not allowed by ${profile.id} and cannot be rewritten without a codec`);
      continue;
    }
    if (!sopInstance) {
      refuse('MEDIA_MISSING_KEY', 'SOP Instance UID (0008,0018) is empty or missing');
      continue;
    }
    const already = held.get(sopInstance);
    if (already !== undefined) {
      duplicates.push({ source: inst.source, sopInstanceUid: sopInstance, existingFileId: already });
      continue;
    }
    try {
      const placed = place(inst, cls.recordType, roots, counts, alloc, existingDirs, warnings);
      const target = decision.action === 'transcode' ? decision.to : inst.transferSyntaxUid;
      const rewrite = decision.action === 'transcode' || !inst.part10;
      const image = placed.image;
      image.putStrings(DIR.referencedFileId, 'CS', placed.fileId);
      image.putStrings(DIR.referencedSopClass, 'UI', sopClass);
      image.putStrings(DIR.referencedSopInstance, 'UI', sopInstance);
      image.putStrings(DIR.referencedTransferSyntax, 'UI', target);
      held.set(sopInstance, placed.fileId.join('\\'));
      writes.push({
        source: inst.source,
        fileId: placed.fileId,
        action: rewrite ? 'rewrite' : 'copy',
        transferSyntaxUid: target,
        bytes: rewrite ? inst.size + REWRITE_ALLOWANCE : inst.size,
        patientId: textOf(ds, KEY.patientId),
        studyUid: textOf(ds, KEY.studyInstanceUid),
        seriesUid: textOf(ds, KEY.seriesInstanceUid),
      });
    } catch (e) {
      if (e instanceof DicomError && e.code === 'MEDIA_MISSING_KEY') refuse('MEDIA_MISSING_KEY', e.message);
      else throw e;
    }
  }
  return { fileSet, writes, duplicates, refused, warnings };
}

interface Placed {
  readonly image: DataSet;
  readonly fileId: FileId;
}

/**
 * Finds or makes the PATIENT → STUDY → SERIES path for an instance and adds its leaf record.
 * Missing records are built first and attached only when the whole path could be built, so a
 * refused instance leaves no half-made records behind.
 */
function place(
  inst: ExportInstance,
  leafType: RecordTypeName,
  roots: DirectoryRecord[],
  counts: Record<RecordTypeName, number>,
  alloc: FileIdAllocator,
  existingDirs: Map<DirectoryRecord, FileId>,
  warnings: string[],
): Placed {
  const path: RecordTypeName[] = [];
  for (let t: RecordTypeName | undefined = leafType; t; t = RECORD_PARENT[t]) path.unshift(t);
  const pending: { parentList: DirectoryRecord[]; record: DirectoryRecord; type: RecordTypeName }[] = [];
  let siblings = roots;
  let dir: FileId = ['DICOM'];
  let key = '';
  let leaf: DirectoryRecord | undefined;
  for (const type of path) {
    const spec = RECORD_TYPES[type];
    const identity = type === leafType ? '' : textOf(inst.dataset, spec.identity);
    key += `/${type}:${identity}`;
    let record = type === leafType ? undefined : siblings.find((r) => r.type === type && textOf(r.dataset, spec.identity) === identity);
    if (!record) {
      const built = buildRecord(type, inst.dataset, counts[type] + pending.filter((p) => p.type === type).length);
      if (built.invented.length > 0) warnings.push(`${inst.source}: ${type} record: invented ${built.invented.join(', ')}`);
      record = { type, dataset: built.dataset, children: [] };
      pending.push({ parentList: siblings, record, type });
    }
    if (type === leafType) leaf = record;
    else dir = alloc.directory(key, dir, spec.dirPrefix, existingDirs.get(record));
    siblings = record.children;
  }
  for (const p of pending) {
    p.parentList.push(p.record);
    counts[p.type]++;
  }
  return { image: leaf!.dataset, fileId: alloc.file(dir, RECORD_TYPES[leafType].dirPrefix) };
}

/**
 * For each existing SERIES-level (or any non-leaf) record, the directory its files share, when
 * they all share one: new files of that series go beside them.
 */
function directoriesOf(roots: readonly DirectoryRecord[]): Map<DirectoryRecord, FileId> {
  const out = new Map<DirectoryRecord, FileId>();
  for (const { record } of walkRecords(roots)) {
    const dirs = new Set<string>();
    let sample: FileId | undefined;
    for (const child of record.children) {
      if (!child.dataset.has(DIR.referencedFileId)) continue;
      const id = child.dataset.strings(DIR.referencedFileId) ?? [];
      if (id.length < 2) continue;
      sample = id.slice(0, -1);
      dirs.add(sample.join('/'));
    }
    if (sample && dirs.size === 1 && sample.length < 8) out.set(record, sample);
  }
  return out;
}

/** A copy of the tree structure (records' data sets shared, children arrays new) so planning never edits its input. */
function cloneRecords(records: readonly DirectoryRecord[]): DirectoryRecord[] {
  return records.map((r) => ({ ...r, children: cloneRecords(r.children) }));
}
