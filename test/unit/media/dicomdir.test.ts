import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataSet } from '../../../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../../../dicom/encoding/index.js';
import { buildFileMeta, readPart10, writePart10 } from '../../../dicom/part10/index.js';
import {
  DIR,
  DicomdirError,
  encodeDicomdir,
  KEY,
  MEDIA_STORAGE_DIRECTORY_SOP_CLASS,
  mediaProfile,
  planExport,
  readDicomdir,
  textOf,
  walkRecords,
  type ExportInstance,
} from '../../../dicom/media/index.js';
import { PYDICOM_DATA } from '../../helpers/run-tool.js';
import { INTERNATIONAL, usDataSet, type UsSpec } from './us-files.js';

const USB = mediaProfile('STD-GEN-USB-JPEG')!;

function instance(spec: UsSpec): ExportInstance {
  return { source: spec.sop, dataset: usDataSet(spec), transferSyntaxUid: spec.ts ?? EXPLICIT_VR_LE, size: 1000, part10: true };
}

function threePatients(): ExportInstance[] {
  return INTERNATIONAL.flatMap((p, i) =>
    [1, 2].map((n) => instance({ ...p, study: `2.25.${i + 1}1`, series: `2.25.${i + 1}2`, sop: `2.25.${i + 1}3${n}`, instanceNumber: n })),
  );
}

/** Item starts found by walking the encoded sequence, independently of the encoder's layout. */
function itemOffsets(bytes: Uint8Array): number[] {
  const f = readPart10(bytes);
  expect(f.transferSyntax.uid).toBe(EXPLICIT_VR_LE);
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  // Find (0004,1220) SQ by scanning from the data set start: the DICOMDIR's top-level elements are short.
  let p = f.datasetOffset;
  for (;;) {
    const t = ((v.getUint16(p, true) << 16) | v.getUint16(p + 2, true)) >>> 0;
    const vr = String.fromCharCode(bytes[p + 4]!, bytes[p + 5]!);
    if (t === DIR.recordSequence) break;
    p += vr === 'SQ' || vr === 'OB' || vr === 'UN' ? 12 + v.getUint32(p + 8, true) : 8 + v.getUint16(p + 6, true);
  }
  const end = p + 12 + v.getUint32(p + 8, true);
  const out: number[] = [];
  for (p += 12; p < end; p += 8 + v.getUint32(p + 4, true)) out.push(p);
  return out;
}

describe('DICOMDIR encoding (FSC)', () => {
  it('links PATIENT/STUDY/SERIES/IMAGE records by offsets that point at item starts, counted from byte 0', () => {
    const plan = planExport({ profile: USB, instances: threePatients(), fileSetId: 'SONICART' });
    expect(plan.refused).toEqual([]);
    expect(plan.writes).toHaveLength(6);
    const bytes = encodeDicomdir(plan.fileSet, { sopInstanceUid: '2.25.99' });
    const starts = new Set(itemOffsets(bytes));
    expect(starts.size).toBe(3 * 4 + 3); // 3 patients × (P, ST, SE) + 6 images
    const f = readPart10(bytes);
    const first = f.dataset.number(DIR.firstRootRecord)!;
    const last = f.dataset.number(DIR.lastRootRecord)!;
    expect(starts.has(first) && starts.has(last)).toBe(true);
    expect(f.dataset.number(DIR.consistencyFlag)).toBe(0);
    expect(f.dataset.string(DIR.fileSetId)).toBe('SONICART');
    expect(f.meta.string(0x00020002)).toBe('1.2.840.10008.1.3.10');
    for (const item of f.dataset.items(DIR.recordSequence)!) {
      for (const t of [DIR.nextRecord, DIR.lowerLevel]) {
        const o = item.number(t)!;
        expect(o === 0 || starts.has(o)).toBe(true);
      }
      expect(item.number(DIR.inUse)).toBe(0xffff);
    }
    // The bytes at `first` are an item tag (FFFE,E000).
    expect([...bytes.subarray(first, first + 4)]).toEqual([0xfe, 0xff, 0x00, 0xe0]);
  });

  it('reads back into the same tree, with each record in its own character set', () => {
    const plan = planExport({ profile: USB, instances: threePatients() });
    const fs = readDicomdir(encodeDicomdir(plan.fileSet, { sopInstanceUid: '2.25.99' }));
    expect(fs.warnings).toEqual([]);
    expect(fs.roots.map((r) => r.type)).toEqual(['PATIENT', 'PATIENT', 'PATIENT']);
    expect(fs.roots.map((r) => r.dataset.string(KEY.patientName))).toEqual(INTERNATIONAL.map((p) => p.patientName));
    expect(fs.roots.map((r) => r.dataset.strings(KEY.specificCharacterSet))).toEqual([['', 'ISO 2022 IR 87'], ['ISO_IR 192'], ['GB18030']]);
    const images = [...walkRecords(fs.roots)].filter((x) => x.record.type === 'IMAGE');
    expect(images).toHaveLength(6);
    for (const { record, depth } of images) {
      expect(depth).toBe(3);
      expect(record.dataset.strings(DIR.referencedFileId)).toHaveLength(5);
      expect(textOf(record.dataset, DIR.referencedTransferSyntax)).toBe(EXPLICIT_VR_LE);
      expect(record.dataset.has(KEY.instanceNumber)).toBe(true);
      expect(record.dataset.has(KEY.specificCharacterSet)).toBe(true);
    }
    // Every STUDY has the keys of conformance §5.
    for (const { record } of walkRecords(fs.roots)) {
      if (record.type !== 'STUDY') continue;
      for (const t of [KEY.studyDate, KEY.studyTime, KEY.accessionNumber, KEY.studyDescription, KEY.studyInstanceUid, KEY.studyId]) expect(record.dataset.has(t)).toBe(true);
    }
  });

  it('writes an empty file-set with zero root offsets', () => {
    const fs = readDicomdir(encodeDicomdir({ fileSetId: '', roots: [] }, { sopInstanceUid: '2.25.1' }));
    expect(fs.roots).toEqual([]);
    expect(fs.recordsInFile).toBe(0);
  });

  it('re-encodes a read file-set to the same bytes', () => {
    const plan = planExport({ profile: USB, instances: threePatients() });
    const a = encodeDicomdir(plan.fileSet, { sopInstanceUid: '2.25.99' });
    const b = encodeDicomdir(readDicomdir(a), { sopInstanceUid: '2.25.12345' });
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
  });

  it('builds and reads back 1,000 records (its speed is in bench/media-export.ts)', () => {
    const many: ExportInstance[] = [];
    for (let i = 0; i < 1000; i++) many.push(instance({ patientName: 'Doe^Jane', patientId: `P${i % 10}`, study: `2.25.${(i % 10) + 1}`, series: `2.25.${(i % 20) + 100}`, sop: `2.25.${i + 1000}`, instanceNumber: i }));
    const plan = planExport({ profile: USB, instances: many });
    const bytes = encodeDicomdir(plan.fileSet, { sopInstanceUid: '2.25.1' });
    const back = readDicomdir(bytes);
    expect(back.roots).toHaveLength(10);
    expect([...walkRecords(back.roots)].filter((x) => x.record.type === 'IMAGE')).toHaveLength(1000);
  });
});

describe('DICOMDIR reading refuses what cannot be trusted', () => {
  const good = (): Uint8Array => encodeDicomdir(planExport({ profile: USB, instances: threePatients() }).fileSet, { sopInstanceUid: '2.25.9' });
  const setU32 = (b: Uint8Array, at: number, v: number): void => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
  /** Byte position of the value of the first (0004,xxxx) UL element with this tag in the file. */
  const valueAt = (b: Uint8Array, t: number, nth = 0): number => {
    const pat = [t >>> 16 & 0xff, t >>> 24, t & 0xff, (t >>> 8) & 0xff, 0x55, 0x4c];
    let seen = 0;
    for (let i = 0; i < b.length - 6; i++) if (pat.every((x, k) => b[i + k] === x) && seen++ === nth) return i + 8;
    throw new Error('not found');
  };

  it('an offset that is not a record start', () => {
    const b = good();
    setU32(b, valueAt(b, DIR.lowerLevel, 1), 12345);
    expect(() => readDicomdir(b)).toThrow(expect.objectContaining({ code: 'DICOMDIR_BAD_OFFSET' }));
  });

  it('a chain that loops', () => {
    const b = good();
    const first = readPart10(b).dataset.number(DIR.firstRootRecord)!;
    // The first root record's next points at itself.
    setU32(b, valueAt(b, DIR.nextRecord, 0), first);
    expect(() => readDicomdir(b)).toThrow(expect.objectContaining({ code: 'DICOMDIR_CYCLE' }));
  });

  it('an inconsistent file-set flag', () => {
    const b = good();
    const p = valueAt(b, DIR.firstRootRecord) - 8;
    // Find (0004,1212) US and set 0xFFFF.
    for (let i = p; i < p + 64; i++) if (b[i] === 0x04 && b[i + 2] === 0x12 && b[i + 3] === 0x12) { b[i + 8] = 0xff; b[i + 9] = 0xff; break; }
    expect(() => readDicomdir(b)).toThrow(expect.objectContaining({ code: 'DICOMDIR_INCONSISTENT' }));
  });

  it('truncated, garbage and non-DICOMDIR files', () => {
    const b = good();
    expect(() => readDicomdir(b.subarray(0, b.length - 100))).toThrow(DicomdirError);
    expect(() => readDicomdir(new TextEncoder().encode('this is not DICOM at all, just text'.repeat(10)))).toThrow(expect.objectContaining({ code: 'DICOMDIR_UNREADABLE' }));
    // An ultrasound image handed over as if it were a DICOMDIR: refused by its SOP class.
    const spec = { patientName: 'Doe^Jane', patientId: 'P-1', study: '2.25.11', series: '2.25.12', sop: '2.25.13' };
    const image = writePart10(buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', sopInstanceUid: spec.sop, transferSyntaxUid: EXPLICIT_VR_LE }), usDataSet(spec), transferSyntax(EXPLICIT_VR_LE)!);
    expect(() => readDicomdir(image)).toThrow(expect.objectContaining({ code: 'DICOMDIR_NOT_A_DICOMDIR' }));
    // A Media Storage Directory file without its record sequence: refused, not read as empty.
    const noRecords = writePart10(buildFileMeta({ sopClassUid: MEDIA_STORAGE_DIRECTORY_SOP_CLASS, sopInstanceUid: '2.25.14', transferSyntaxUid: EXPLICIT_VR_LE }), new DataSet(), transferSyntax(EXPLICIT_VR_LE)!);
    expect(() => readDicomdir(noRecords)).toThrow(expect.objectContaining({ code: 'DICOMDIR_NO_RECORD_SEQUENCE' }));
  });

  it('a record without a type', () => {
    const fs = { fileSetId: '', roots: [{ type: 'PATIENT', dataset: new DataSet(), children: [] }] };
    const b = encodeDicomdir(fs, { sopInstanceUid: '2.25.1' });
    expect(() => readDicomdir(b)).toThrow(expect.objectContaining({ code: 'DICOMDIR_NO_RECORD_TYPE' }));
  });
});

const SAMPLES = join(PYDICOM_DATA, 'test_files/dicomdirtests');

describe("pydicom's DICOMDIR samples", () => {
  it.each(['DICOMDIR', 'DICOMDIR-bigEnd', 'DICOMDIR-implicit', 'DICOMDIR-reordered'])('%s reads as 2 patients, 31 images (as pydicom counts)', async (name) => {
    const fs = readDicomdir(new Uint8Array(await readFile(join(SAMPLES, name))));
    expect(fs.roots.filter((r) => r.type === 'PATIENT')).toHaveLength(2);
    expect([...walkRecords(fs.roots)].filter((x) => x.record.type === 'IMAGE')).toHaveLength(31);
  });

  it('DICOMDIR-nooffset, whose last item claims 24 bytes more than the file holds, is refused (pydicom reads on to EOF)', async () => {
    const bytes = new Uint8Array(await readFile(join(SAMPLES, 'DICOMDIR-nooffset')));
    expect(() => readDicomdir(bytes)).toThrow(expect.objectContaining({ code: 'DICOMDIR_UNREADABLE' }));
  });

  it('DICOMDIR-nopatient keeps its unknown record type', async () => {
    const fs = readDicomdir(new Uint8Array(await readFile(join(SAMPLES, 'DICOMDIR-nopatient'))));
    expect(fs.roots.length).toBeGreaterThan(0);
    expect(fs.roots.some((r) => r.type === 'PATIENT')).toBe(false);
  });
});
