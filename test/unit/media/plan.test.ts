import { describe, expect, it } from 'vitest';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS_SV1 } from '../../../dicom/encoding/index.js';
import {
  DIR,
  FileIdAllocator,
  fileIdProblem,
  KEY,
  mediaProfile,
  planExport,
  PROFILES,
  splitIntoFileSets,
  transferDecision,
  type ExportInstance,
  type PlannedWrite,
} from '../../../dicom/media/index.js';
import { RETIRED_US, US_IMAGE, US_MULTIFRAME, usDataSet, type UsSpec } from './us-files.js';

const USB = mediaProfile('STD-GEN-USB-JPEG')!;
const inst = (s: Partial<UsSpec> & { sop: string }, ts = EXPLICIT_VR_LE): ExportInstance => ({
  source: `/src/${s.sop}`,
  dataset: usDataSet({ patientName: 'Doe^Jane', patientId: 'P1', study: '2.25.1', series: '2.25.2', ...s }),
  transferSyntaxUid: ts,
  size: 1000,
  part10: true,
});

describe('File IDs', () => {
  it('accepts 1–8 levels of 1–8 characters A–Z 0–9 _', () => {
    expect(fileIdProblem(['DICOM', 'P0000001', 'I_1'])).toBeUndefined();
    expect(fileIdProblem([])).toMatch(/at least one/);
    expect(fileIdProblem(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'])).toMatch(/at most 8/);
    for (const bad of ['lower', 'TOOLONG12', 'A.DCM', '', 'É']) expect(fileIdProblem(['DICOM', bad])).toMatch(/not 1–8/);
  });

  it('hands out unique IDs that avoid what is on the medium, without regard to case', () => {
    const a = new FileIdAllocator(['dicom/p0000001', 'DICOM\\P0000002\\S0000001']);
    const p = a.directory('pat-1', ['DICOM'], 'P');
    expect(p).toEqual(['DICOM', 'P0000003']);
    expect(a.directory('pat-1', ['DICOM'], 'P')).toBe(p);
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) ids.add(a.file(p).join('/'));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(fileIdProblem(id.split('/'))).toBeUndefined();
  });
});

describe('profiles as a table', () => {
  it('both JPEG profiles allow the US and SC classes of conformance §2 and not the retired US classes', () => {
    for (const p of PROFILES) {
      for (const uid of [US_IMAGE, US_MULTIFRAME, '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.7.2', '1.2.840.10008.5.1.4.1.1.7.4']) expect(p.sopClasses.has(uid)).toBe(true);
      expect(p.sopClasses.has(RETIRED_US)).toBe(false);
      expect(p.sopClasses.has('1.2.840.10008.5.1.4.1.1.3')).toBe(false);
    }
    expect(PROFILES.map((p) => p.id)).toEqual(['STD-GEN-USB-JPEG', 'STD-GEN-SD-JPEG']);
  });

  it('copies Explicit VR LE and JPEG, rewrites Implicit VR LE and big endian, refuses the rest', () => {
    expect(transferDecision(USB, EXPLICIT_VR_LE)).toEqual({ action: 'copy' });
    expect(transferDecision(USB, JPEG_BASELINE)).toEqual({ action: 'copy' });
    expect(transferDecision(USB, JPEG_LOSSLESS_SV1)).toEqual({ action: 'copy' });
    expect(transferDecision(USB, IMPLICIT_VR_LE)).toEqual({ action: 'transcode', to: EXPLICIT_VR_LE });
    expect(transferDecision(USB, EXPLICIT_VR_BE)).toEqual({ action: 'transcode', to: EXPLICIT_VR_LE });
    expect(transferDecision(USB, '1.2.840.10008.1.2.4.90')).toEqual({ action: 'refuse' });
    expect(USB.readTransferSyntaxes.has(JPEG_EXTENDED)).toBe(true);
    expect(USB.writeTransferSyntaxes.has(JPEG_EXTENDED)).toBe(false);
  });
});

describe('export plan', () => {
  it('refuses by name, reports duplicates within one export, and invents missing Type 1 keys with a warning', () => {
    const plan = planExport({
      profile: USB,
      instances: [
        inst({ sop: '2.25.10' }),
        inst({ sop: '2.25.10' }),
        inst({ sop: '2.25.11', sopClass: RETIRED_US }),
        inst({ sop: '2.25.12' }, '1.2.840.10008.1.2.5'),
        inst({ sop: '2.25.13', studyId: '' , study: '2.25.99', series: '2.25.98' }),
        inst({ sop: '2.25.14', patientId: '' }),
      ],
    });
    expect(plan.writes.map((w) => w.source)).toEqual(['/src/2.25.10', '/src/2.25.13']);
    expect(plan.duplicates).toEqual([{ source: '/src/2.25.10', sopInstanceUid: '2.25.10', existingFileId: 'DICOM\\P0000001\\S0000001\\X0000001\\I0000001' }]);
    expect(plan.refused.map((r) => r.code)).toEqual(['MEDIA_SOP_CLASS_NOT_ALLOWED', 'MEDIA_TRANSFER_SYNTAX_NOT_ALLOWED', 'MEDIA_MISSING_KEY']);
    expect(plan.refused[0]!.message).toContain(RETIRED_US);
    expect(plan.refused[2]!.message).toMatch(/PatientID/);
    expect(plan.warnings).toEqual([expect.stringMatching(/STUDY record: invented StudyID=SONICART00000002/)]);
    // The refused P-less instance left no half-built records behind.
    expect(plan.fileSet.roots).toHaveLength(1);
    expect(plan.fileSet.roots[0]!.children).toHaveLength(2);
  });

  it('merges by Patient ID, Study and Series Instance UID', () => {
    const first = planExport({ profile: USB, instances: [inst({ sop: '2.25.1' })] });
    const second = planExport({
      profile: USB,
      existing: first.fileSet,
      instances: [inst({ sop: '2.25.2' }), inst({ sop: '2.25.3', series: '2.25.5' }), inst({ sop: '2.25.4', patientId: 'P2', study: '2.25.6', series: '2.25.7' })],
    });
    const [p1, p2] = second.fileSet.roots;
    expect(second.fileSet.roots).toHaveLength(2);
    expect(p1!.children).toHaveLength(1);
    expect(p1!.children[0]!.children.map((s) => s.children.length)).toEqual([2, 1]);
    expect(p2!.dataset.string(KEY.patientId)).toBe('P2');
    // The input tree was not edited.
    expect(first.fileSet.roots[0]!.children[0]!.children[0]!.children).toHaveLength(1);
    // Files of an existing series go into its directory.
    const series = p1!.children[0]!.children[0]!;
    expect(series.children.map((i) => i.dataset.strings(DIR.referencedFileId)!.slice(0, -1).join('/'))).toEqual(['DICOM/P0000001/S0000001/X0000001', 'DICOM/P0000001/S0000001/X0000001']);
  });
});

describe('splitting an export that does not fit into independent file-sets', () => {
  const w = (study: string, series: string, bytes: number): PlannedWrite => ({ source: `${study}/${series}/${bytes}`, fileId: ['A'], action: 'copy', transferSyntaxUid: EXPLICIT_VR_LE, bytes, patientId: 'P', studyUid: study, seriesUid: series });

  it('keeps studies whole where they fit, splits a study by series where it does not', () => {
    const plan = splitIntoFileSets([w('A', 'a1', 400), w('A', 'a2', 400), w('B', 'b1', 300), w('C', 'c1', 700), w('C', 'c2', 600)], 1000);
    expect(plan.tooLarge).toEqual([]);
    expect(plan.portions.every((p) => p.bytes <= 1000)).toBe(true);
    expect(plan.portions.flatMap((p) => p.writes)).toHaveLength(5);
    // Study A (800) fits whole: its two series share a portion.
    expect(plan.portions.find((p) => p.writes.some((x) => x.seriesUid === 'a1'))!.writes.some((x) => x.seriesUid === 'a2')).toBe(true);
    // Study C (1300) does not: its series go to different portions.
    expect(plan.portions.filter((p) => p.studies.includes('C'))).toHaveLength(2);
  });

  it('names files that fit on no medium at all', () => {
    expect(splitIntoFileSets([w('A', 'a', 2000)], 1000).tooLarge).toHaveLength(1);
  });
});
