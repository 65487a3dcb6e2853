import { describe, expect, it } from 'vitest';
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import { ByteSink, DicomParseError, IMPLEMENTATION_CLASS_UID, isValidUid, uidFromRandom, uidGenerator } from '../../../dicom/core/index.js';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, DEFLATED_EXPLICIT_VR_LE, transferSyntax, writeDataSet } from '../../../dicom/encoding/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { META, Part10StreamWriter, buildFileMeta, readPart10, writePart10 } from '../../../dicom/part10/index.js';
import { T, US_IMAGE_STORAGE, smallUsImage } from '../../helpers/build-dataset.js';

const meta = (ts: string) => buildFileMeta({ sopClassUid: US_IMAGE_STORAGE, sopInstanceUid: '2.25.1234567890', transferSyntaxUid: ts });

describe('Part 10 files', () => {
  it('writes preamble, DICM, and a meta group with a correct group length', () => {
    const bytes = writePart10(meta(EXPLICIT_VR_LE), smallUsImage(), transferSyntax(EXPLICIT_VR_LE)!);
    expect(String.fromCharCode(...bytes.subarray(128, 132))).toBe('DICM');
    const f = readPart10(bytes);
    const groupLength = f.meta.number(META.groupLength)!;
    expect(132 + 12 + groupLength).toBe(f.datasetOffset);
    expect(f.meta.string(META.implementationClassUid)).toBe(IMPLEMENTATION_CLASS_UID);
    expect(f.dataset.string(T.PatientName)).toBe('Doe^Jane');
    expect(f.warnings).toEqual([]);
  });

  it('reads a bare data set with no meta header, in each uncompressed syntax', () => {
    for (const uid of [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE]) {
      const ts = transferSyntax(uid)!;
      const sink = new ByteSink();
      writeDataSet(smallUsImage(), sink, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian });
      const f = readPart10(sink.toBytes());
      expect(f.hasMeta).toBe(false);
      expect(f.transferSyntax.uid).toBe(uid);
      expect(f.dataset.string(T.PatientID)).toBe('P-0001');
    }
  });

  it('refuses a file without DICM that is not a data set either', () => {
    const bytes = writePart10(meta(EXPLICIT_VR_LE), smallUsImage(), transferSyntax(EXPLICIT_VR_LE)!).slice();
    bytes.set([0x58, 0x58, 0x58, 0x58], 128);
    expect(() => readPart10(bytes)).toThrowError(DicomParseError);
    expect(() => readPart10(bytes)).toThrowError(/not a DICOM file/);
  });

  it('reads Deflated Explicit VR LE through the inflater it is given', () => {
    const ts = transferSyntax(EXPLICIT_VR_LE)!;
    const sink = new ByteSink();
    writeDataSet(smallUsImage(), sink, { explicitVR: true, littleEndian: true });
    const head = writePart10(meta(DEFLATED_EXPLICIT_VR_LE), new DataSet(), ts);
    const body = deflateRawSync(sink.toBytes());
    const file = new Uint8Array(head.length + body.length);
    file.set(head);
    file.set(body, head.length);
    const f = readPart10(file, { inflateRaw: (b) => inflateRawSync(b) });
    expect(f.transferSyntax.deflated).toBe(true);
    expect(f.dataset.string(T.PatientName)).toBe('Doe^Jane');
    expect(() => readPart10(file)).toThrowError(/needs an inflater/);
  });

  it('stops before the pixel data when asked, and says where it is', () => {
    const bytes = writePart10(meta(EXPLICIT_VR_LE), smallUsImage(), transferSyntax(EXPLICIT_VR_LE)!);
    const f = readPart10(bytes, { stopBeforePixelData: true });
    expect(f.dataset.has(T.PixelData)).toBe(false);
    expect(bytes[f.pixelDataOffset!]).toBe(0xe0);
    expect(bytes[f.pixelDataOffset! + 1]).toBe(0x7f);
  });

  for (const uid of [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE]) {
    it(`streams frames into the same bytes as a whole write (${transferSyntax(uid)!.name})`, () => {
      const ts = transferSyntax(uid)!;
      const ds = smallUsImage();
      const whole = writePart10(meta(uid), ds, ts);
      const px = ds.get(T.PixelData)!.bytes!;
      const w = new Part10StreamWriter(ts);
      const parts = [w.header(meta(uid), ds), w.nativePixelData('OW', px.length)];
      // odd-sized chunks, to exercise the byte carried over between big-endian words
      for (let i = 0; i < px.length; i += 7) parts.push(w.nativeChunk(px.subarray(i, Math.min(px.length, i + 7))).slice());
      const streamed = Buffer.concat(parts);
      expect(new Uint8Array(streamed)).toEqual(whole);
    });
  }
});

describe('UIDs', () => {
  it('makes 2.25 UIDs from random bytes that are valid and distinct', () => {
    const next = uidGenerator((n) => crypto.getRandomValues(new Uint8Array(n)));
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const u = next();
      expect(isValidUid(u)).toBe(true);
      expect(u.startsWith('2.25.')).toBe(true);
      seen.add(u);
    }
    expect(seen.size).toBe(1000);
    expect(uidFromRandom(new Uint8Array(16))).toBe('2.25.' + (0x40n << 72n | 0x80n << 56n).toString());
    expect(isValidUid(IMPLEMENTATION_CLASS_UID)).toBe(true);
    expect(isValidUid('1.02.3')).toBe(false);
  });
});
