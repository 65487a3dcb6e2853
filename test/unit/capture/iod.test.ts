import { describe, expect, it } from 'vitest';
import {
  buildImageObject,
  cineTiming,
  dataSetFromDicomJson,
  examFromWorklist,
  photometricForJpegBaseline,
  unscheduledExam,
  type ImageObjectInput,
} from '../../../dicom/iod/index.js';
import { tagForKeyword } from '../../../dicom/dictionary/index.js';
import { EQUIPMENT, newUid, WHEN } from './capture-helpers.js';

const t = (k: string) => tagForKeyword(k)!;

const WORKLIST = {
  '00080005': { vr: 'CS', Value: ['ISO_IR 192'] },
  '00080050': { vr: 'SH', Value: ['ACC123'] },
  '00080090': { vr: 'PN', Value: [{ Alphabetic: 'Ref^Doc' }] },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Anna' }] },
  '00100020': { vr: 'LO', Value: ['PID42'] },
  '00100030': { vr: 'DA', Value: ['19800101'] },
  '00100040': { vr: 'CS', Value: ['F'] },
  '0020000D': { vr: 'UI', Value: ['1.2.3.4.5.6'] },
  '00321060': { vr: 'LO', Value: ['US Abdomen'] },
  '00401001': { vr: 'SH', Value: ['RP1'] },
  '00321064': { vr: 'SQ', Value: [{ '00080100': { vr: 'SH', Value: ['US01'] }, '00080102': { vr: 'SH', Value: ['LOCAL'] }, '00080104': { vr: 'LO', Value: ['US Abdomen'] } }] },
  '00400100': {
    vr: 'SQ',
    Value: [{ '00400009': { vr: 'SH', Value: ['SPS1'] }, '00400007': { vr: 'LO', Value: ['Liver'] }, '00080060': { vr: 'CS', Value: ['US'] } }],
  },
};

describe('exam context', () => {
  it('takes the Study Instance UID and request attributes from the worklist entry', () => {
    const exam = examFromWorklist(dataSetFromDicomJson(WORKLIST), WHEN, () => 'never');
    expect(exam.studyInstanceUid).toBe('1.2.3.4.5.6');
    const a = exam.attributes;
    expect(a.string(t('PatientName'))).toBe('Müller^Anna');
    expect(a.string(t('AccessionNumber'))).toBe('ACC123');
    expect(a.string(t('StudyID'))).toBe('RP1');
    expect(a.string(t('StudyDescription'))).toBe('US Abdomen');
    const ras = a.items(t('RequestAttributesSequence'))!;
    expect(ras).toHaveLength(1);
    expect(ras[0]!.string(t('ScheduledProcedureStepID'))).toBe('SPS1');
    expect(ras[0]!.string(t('RequestedProcedureID'))).toBe('RP1');
    expect(ras[0]!.string(t('StudyInstanceUID'))).toBe('1.2.3.4.5.6');
    expect(a.items(t('ProcedureCodeSequence'))![0]!.string(t('CodeValue'))).toBe('US01');
  });

  it('falls back to UTF-8 when the declared character set cannot hold a name', () => {
    const ds = dataSetFromDicomJson({ ...WORKLIST, '00080005': { vr: 'CS', Value: ['ISO_IR 100'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: '王^小明' }] } });
    expect(ds.characterSet()).toEqual(['ISO_IR 192']);
    expect(ds.string(t('PatientName'))).toBe('王^小明');
  });

  it('gives an unscheduled patient a new Study Instance UID', () => {
    const a = unscheduledExam({ id: 'X' }, WHEN, newUid);
    const b = unscheduledExam({ id: 'X' }, WHEN, newUid);
    expect(a.studyInstanceUid).not.toBe(b.studyInstanceUid);
    expect(a.studyInstanceUid.startsWith('2.25.')).toBe(true);
  });

  it('refuses malformed JSON with a code', () => {
    expect(() => dataSetFromDicomJson({ nonsense: {} })).toThrow(expect.objectContaining({ code: 'IOD_BAD_JSON' }));
  });
});

describe('cine timing', () => {
  it('uses Frame Time for evenly spaced frames', () => {
    const ts = Array.from({ length: 30 }, (_, i) => 1000 + i * 33.333 + (i % 2) * 0.5);
    const c = cineTiming(ts);
    expect(c.pointer).toBe('FrameTime');
    expect(c.frameTimeMs).toBeCloseTo(33.35, 1);
    expect(c.cineRate).toBe(30);
  });
  it('uses Frame Time Vector when frames were lost', () => {
    const c = cineTiming([0, 40, 80, 160, 200]);
    expect(c.pointer).toBe('FrameTimeVector');
    expect(c.frameTimeVectorMs).toEqual([0, 40, 40, 80, 40]);
  });
  it('refuses timestamps that go backwards', () => {
    expect(() => cineTiming([0, 40, 30])).toThrow(expect.objectContaining({ code: 'IOD_BAD_VALUE' }));
  });
});

describe('IOD builders', () => {
  const base: ImageObjectInput = {
    kind: 'us-multiframe',
    exam: unscheduledExam({ id: 'P' }, WHEN, newUid),
    series: { uid: '1.2.3', number: 1 },
    equipment: EQUIPMENT,
    sopInstanceUid: '1.2.3.4',
    instanceNumber: 1,
    contentDate: WHEN.date,
    contentTime: WHEN.time,
    pixel: { rows: 10, columns: 10, samplesPerPixel: 3, photometric: 'RGB' },
    frames: { count: 3, timing: cineTiming([0, 40, 80]) },
  };
  it('points the Frame Increment Pointer at an attribute that is present', () => {
    for (const timing of [cineTiming([0, 40, 80]), cineTiming([0, 40, 120])]) {
      const { dataSet } = buildImageObject({ ...base, frames: { count: 3, timing } });
      const pointer = dataSet.number(t('FrameIncrementPointer'))!;
      expect(dataSet.has(pointer)).toBe(true);
      expect(dataSet.number(t('NumberOfFrames'))).toBe(3);
      expect(dataSet.number(t('StopTrim'))).toBe(3);
    }
  });
  it('writes Lossy Image Compression attributes when lossy', () => {
    const { dataSet } = buildImageObject({ ...base, lossy: { ratio: 12.345, method: 'ISO_10918_1' } });
    expect(dataSet.string(t('LossyImageCompression'))).toBe('01');
    expect(dataSet.number(t('LossyImageCompressionRatio'))).toBeCloseTo(12.35);
    expect(dataSet.string(t('LossyImageCompressionMethod'))).toBe('ISO_10918_1');
  });
  it('refuses regions outside the image', () => {
    const region = { spatialFormat: 1, dataType: 1, flags: 0, minX: 0, minY: 0, maxX: 10, maxY: 5, physicalUnitsX: 3, physicalUnitsY: 3, physicalDeltaX: 0.1, physicalDeltaY: 0.1 };
    expect(() => buildImageObject({ ...base, regions: [region] })).toThrow(expect.objectContaining({ code: 'IOD_BAD_VALUE' }));
  });
  it('derives the photometric interpretation from the JPEG sampling factors', () => {
    const h = (y: [number, number], c: [number, number]) => ({
      process: 0, precision: 8, rows: 8, columns: 8, hasHuffmanTables: true,
      components: [{ id: 1, h: y[0], v: y[1] }, { id: 2, h: c[0], v: c[1] }, { id: 3, h: c[0], v: c[1] }],
    });
    expect(photometricForJpegBaseline(h([1, 1], [1, 1]))).toBe('YBR_FULL');
    expect(photometricForJpegBaseline(h([2, 1], [1, 1]))).toBe('YBR_FULL_422');
    expect(photometricForJpegBaseline(h([2, 2], [1, 2]))).toBe('YBR_FULL_422');
    expect(() => photometricForJpegBaseline(h([2, 2], [1, 1]))).toThrow(expect.objectContaining({ code: 'IOD_UNSUPPORTED' }));
  });
});
