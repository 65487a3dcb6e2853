import { describe, expect, it } from 'vitest';
import { lookupUid, uidEntries, uidForKeyword } from '../../../dicom/dictionary/index.js';
import { UID_COUNT } from '../../../dicom/dictionary/uids.generated.js';

describe('dictionary: UIDs', () => {
  it('has every PS3.6 UID (400+)', () => {
    expect(UID_COUNT).toBeGreaterThan(400);
    expect(uidEntries()).toHaveLength(UID_COUNT);
    const uids = uidEntries().map((u) => u.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const u of uids) expect(u).toMatch(/^[12](\.(0|[1-9][0-9]*))+$/);
  });

  it.each([
    ['1.2.840.10008.5.1.4.1.1.6.1', 'UltrasoundImageStorage', 'Ultrasound Image Storage', 'SOP Class', false],
    ['1.2.840.10008.5.1.4.1.1.3.1', 'UltrasoundMultiFrameImageStorage', 'Ultrasound Multi-frame Image Storage', 'SOP Class', false],
    ['1.2.840.10008.5.1.4.1.1.6', 'UltrasoundImageStorageRetired', 'Ultrasound Image Storage', 'SOP Class', true],
    ['1.2.840.10008.5.1.4.1.1.7', 'SecondaryCaptureImageStorage', 'Secondary Capture Image Storage', 'SOP Class', false],
    ['1.2.840.10008.1.1', 'Verification', 'Verification SOP Class', 'SOP Class', false],
    ['1.2.840.10008.5.1.4.31', 'ModalityWorklistInformationModelFind', 'Modality Worklist Information Model - FIND', 'SOP Class', false],
    ['1.2.840.10008.3.1.2.3.3', 'ModalityPerformedProcedureStep', 'Modality Performed Procedure Step SOP Class', 'SOP Class', false],
    ['1.2.840.10008.1.3.10', 'MediaStorageDirectoryStorage', 'Media Storage Directory Storage', 'SOP Class', false],
    ['1.2.840.10008.1.2', 'ImplicitVRLittleEndian', 'Implicit VR Little Endian', 'Transfer Syntax', false],
    ['1.2.840.10008.1.2.1', 'ExplicitVRLittleEndian', 'Explicit VR Little Endian', 'Transfer Syntax', false],
    ['1.2.840.10008.1.2.1.99', 'DeflatedExplicitVRLittleEndian', 'Deflated Explicit VR Little Endian', 'Transfer Syntax', false],
    ['1.2.840.10008.1.2.2', 'ExplicitVRBigEndian', 'Explicit VR Big Endian', 'Transfer Syntax', true],
    ['1.2.840.10008.1.2.4.50', 'JPEGBaseline8Bit', 'JPEG Baseline (Process 1)', 'Transfer Syntax', false],
    ['1.2.840.10008.1.2.4.70', 'JPEGLosslessSV1', 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', 'Transfer Syntax', false],
    ['1.2.840.10008.1.2.5', 'RLELossless', 'RLE Lossless', 'Transfer Syntax', false],
    ['1.2.840.10008.3.1.1.1', 'DICOMApplicationContext', 'DICOM Application Context Name', 'Application Context Name', false],
  ] as const)('%s is %s', (uid, keyword, name, type, retired) => {
    const e = lookupUid(uid);
    expect(e).toMatchObject({ uid, keyword, name, type, retired });
    expect(uidForKeyword(keyword)).toBe(uid);
  });

  it('keeps the Info column', () => {
    expect(lookupUid('1.2.840.10008.1.2')?.info).toBe('Default Transfer Syntax for DICOM');
    expect(lookupUid('1.2.840.10008.1.2.1')?.info).toBe('');
  });

  it('lists all transfer syntaxes, including the ones an ultrasound cart sends', () => {
    const ts = uidEntries().filter((u) => u.type === 'Transfer Syntax');
    expect(ts.length).toBeGreaterThan(30);
    for (const k of ['ImplicitVRLittleEndian', 'ExplicitVRLittleEndian', 'JPEGBaseline8Bit', 'JPEGLosslessSV1', 'RLELossless', 'JPEGLSLossless', 'JPEG2000Lossless']) {
      expect(ts.map((u) => u.keyword)).toContain(k);
    }
  });

  it('answers undefined for unknown UIDs and keywords, and keeps keyword-less UIDs out of the reverse map', () => {
    expect(lookupUid('1.2.3.4')).toBeUndefined();
    expect(lookupUid('1.2.840.10008.1.2 ')).toBeUndefined();
    expect(uidForKeyword('NoSuchUid')).toBeUndefined();
    expect(uidForKeyword('')).toBeUndefined();
    const noKeyword = uidEntries().filter((u) => u.keyword === '');
    for (const u of noKeyword) expect(u.retired).toBe(true);
  });
});
