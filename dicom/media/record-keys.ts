import { Element, DataSet } from '../dataset/index.js';
import type { Tag, VR } from '../core/index.js';
import { MediaError } from './errors.js';
import { DIR, KEY } from './tags.js';

/**
 * Directory record keys as a table (PS3.3 F.5, narrowed by conformance §5), after pydicom's
 * record-type → builder table: what each record type copies from an instance, which key says
 * that an instance belongs to an existing record (FSU merge), and what to do when a Type 1 key
 * is missing from the instance.
 */
export type RecordTypeName = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

/** Type as PS3.3 F.5 gives it for the record: 1 must have a value, 2 must be present, 1C when it applies. */
export type KeyType = '1' | '1C' | '2';

export interface RecordKey {
  readonly tag: Tag;
  readonly vr: VR;
  readonly keyword: string;
  readonly type: KeyType;
  /**
   * A value for a Type 1 key the instance leaves empty, as dcmmkdir's `+I` does; undefined
   * means the instance is refused (MEDIA_MISSING_KEY). `n` counts records of this type made so far.
   */
  readonly invent?: (instance: DataSet, n: number) => string;
}

export interface RecordTypeSpec {
  readonly type: RecordTypeName;
  /** The key whose value identifies the record among its siblings (FSU merge). */
  readonly identity: Tag;
  readonly keys: readonly RecordKey[];
  /** Directory name prefix for File IDs (a letter, then digits). */
  readonly dirPrefix: string;
}

const firstNonEmpty = (ds: DataSet, tags: readonly Tag[], fallback: string): string => {
  for (const t of tags) {
    const v = textOf(ds, t);
    if (v) return v;
  }
  return fallback;
};

const scs: RecordKey = { tag: KEY.specificCharacterSet, vr: 'CS', keyword: 'SpecificCharacterSet', type: '1C' };

export const RECORD_TYPES: Readonly<Record<RecordTypeName, RecordTypeSpec>> = {
  PATIENT: {
    type: 'PATIENT',
    identity: KEY.patientId,
    dirPrefix: 'P',
    keys: [
      scs,
      { tag: KEY.patientName, vr: 'PN', keyword: 'PatientName', type: '2' },
      { tag: KEY.patientId, vr: 'LO', keyword: 'PatientID', type: '1' },
      { tag: KEY.patientBirthDate, vr: 'DA', keyword: 'PatientBirthDate', type: '2' },
      { tag: KEY.patientSex, vr: 'CS', keyword: 'PatientSex', type: '2' },
    ],
  },
  STUDY: {
    type: 'STUDY',
    identity: KEY.studyInstanceUid,
    dirPrefix: 'S',
    keys: [
      scs,
      {
        tag: KEY.studyDate, vr: 'DA', keyword: 'StudyDate', type: '1',
        invent: (ds) => firstNonEmpty(ds, [KEY.seriesDate, KEY.acquisitionDate, KEY.contentDate], '19000101'),
      },
      {
        tag: KEY.studyTime, vr: 'TM', keyword: 'StudyTime', type: '1',
        invent: (ds) => firstNonEmpty(ds, [KEY.seriesTime, KEY.acquisitionTime, KEY.contentTime], '000000'),
      },
      { tag: KEY.accessionNumber, vr: 'SH', keyword: 'AccessionNumber', type: '2' },
      { tag: KEY.studyDescription, vr: 'LO', keyword: 'StudyDescription', type: '2' },
      { tag: KEY.studyInstanceUid, vr: 'UI', keyword: 'StudyInstanceUID', type: '1' },
      // Type 2 in the US IOD but Type 1 in the STUDY record: the commonest gap in real files.
      { tag: KEY.studyId, vr: 'SH', keyword: 'StudyID', type: '1', invent: (_ds, n) => `SONICART${String(n + 1).padStart(8, '0')}` },
    ],
  },
  SERIES: {
    type: 'SERIES',
    identity: KEY.seriesInstanceUid,
    dirPrefix: 'X',
    keys: [
      scs,
      { tag: KEY.modality, vr: 'CS', keyword: 'Modality', type: '1', invent: () => 'OT' },
      { tag: KEY.seriesInstanceUid, vr: 'UI', keyword: 'SeriesInstanceUID', type: '1' },
      { tag: KEY.seriesNumber, vr: 'IS', keyword: 'SeriesNumber', type: '1', invent: (_ds, n) => String(n + 1) },
    ],
  },
  IMAGE: {
    type: 'IMAGE',
    identity: DIR.referencedSopInstance,
    dirPrefix: 'I',
    keys: [scs, { tag: KEY.instanceNumber, vr: 'IS', keyword: 'InstanceNumber', type: '1', invent: (_ds, n) => String(n + 1) }],
  },
};

/** The hierarchy of the general purpose profiles: each record type's parent type. */
export const RECORD_PARENT: Readonly<Record<RecordTypeName, RecordTypeName | undefined>> = {
  PATIENT: undefined,
  STUDY: 'PATIENT',
  SERIES: 'STUDY',
  IMAGE: 'SERIES',
};

/** A value with its padding (spaces, NULs) removed; '' when absent or empty. Raw bytes, no charset needed for these keys. */
export function textOf(ds: DataSet, t: Tag): string {
  const el = ds.get(t);
  if (!el || el.value.type !== 'raw') return '';
  let end = el.value.bytes.length;
  const b = el.value.bytes;
  while (end > 0 && (b[end - 1] === 0x20 || b[end - 1] === 0x00)) end--;
  let start = 0;
  while (start < end && b[start] === 0x20) start++;
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
  return s;
}

function isEmpty(ds: DataSet, t: Tag): boolean {
  const el = ds.get(t);
  if (!el || el.value.type !== 'raw') return true;
  return el.value.bytes.every((x) => x === 0x20 || x === 0x00);
}

export interface BuiltRecord {
  readonly dataset: DataSet;
  /** Keys that were invented, for the export report. */
  readonly invented: readonly string[];
}

/**
 * A record of `type` with its keys copied from the instance as raw bytes, together with the
 * instance's own Specific Character Set: the record is encoded in its final character set from
 * the start, so nothing is re-encoded later and byte offsets computed from it stay true.
 */
export function buildRecord(type: RecordTypeName, instance: DataSet, count: number): BuiltRecord {
  const spec = RECORD_TYPES[type];
  const rec = new DataSet();
  const invented: string[] = [];
  rec.putStrings(DIR.recordType, 'CS', type);
  for (const key of spec.keys) {
    if (!isEmpty(instance, key.tag)) {
      const el = instance.get(key.tag)!;
      rec.set(new Element(key.tag, key.vr, el.value));
      continue;
    }
    if (key.type === '2') rec.put(key.tag, key.vr, { type: 'raw', bytes: new Uint8Array(0) });
    else if (key.type === '1') {
      if (!key.invent) throw new MediaError('MEDIA_MISSING_KEY', `${key.keyword} is empty or missing, and the ${type} record needs it`);
      const value = key.invent(instance, count);
      rec.putStrings(key.tag, key.vr, value);
      invented.push(`${key.keyword}=${value}`);
    }
  }
  return { dataset: rec, invented };
}
