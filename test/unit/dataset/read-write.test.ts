import { describe, expect, it } from 'vitest';
import { ByteSink, DicomError, DicomParseError, MAX_SEQUENCE_DEPTH, tag } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import {
  EXPLICIT_VR_BE,
  EXPLICIT_VR_LE,
  IMPLICIT_VR_LE,
  readDataSet,
  transferSyntax,
  writeDataSet,
} from '../../../dicom/encoding/index.js';
import { T, smallUsImage } from '../../helpers/build-dataset.js';

const SYNTAXES = [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE].map((uid) => transferSyntax(uid)!);

function encode(ds: DataSet, uid: string): Uint8Array {
  const ts = transferSyntax(uid)!;
  const sink = new ByteSink();
  writeDataSet(ds, sink, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian });
  return sink.toBytes();
}

describe('data set read/write', () => {
  for (const ts of SYNTAXES) {
    it(`round-trips every value family in ${ts.name}`, () => {
      const bytes = encode(smallUsImage(), ts.uid);
      const { dataset: back, warnings } = readDataSet(bytes, ts);
      expect(warnings).toEqual([]);
      expect(back.string(T.PatientName)).toBe('Doe^Jane');
      expect(back.string(T.SOPClassUID)).toBe('1.2.840.10008.5.1.4.1.1.6.1');
      expect(back.numbers(T.Rows)).toEqual([4]);
      expect(back.numbers(T.SmallestImagePixelValue)).toEqual([-5]);
      expect(back.get(T.SmallestImagePixelValue)?.vr).toBe('SS'); // implicit: chosen by Pixel Representation
      expect(back.numbers(T.FrameIncrementPointer)).toEqual([T.FrameTime]);
      expect(back.numbers(T.FrameTime)).toEqual([33.3]);
      expect(back.items(T.RegionSequence)?.[0]?.numbers(T.PhysicalDeltaX)).toEqual([0.0125]);
      expect(back.get(T.PixelData)?.bytes).toEqual(smallUsImage().get(T.PixelData)?.bytes);
      // and the same bytes once more: writing what was read changes nothing
      expect(encode(back, ts.uid)).toEqual(bytes);
    });
  }

  it('swaps every multi-byte VR in big endian, OW pixel data included', () => {
    const ds = new DataSet();
    ds.putNumbers(T.Rows, 'US', 0x0102);
    ds.putNumbers(T.FrameIncrementPointer, 'AT', tag(0x0018, 0x1063));
    ds.put(T.PixelData, 'OW', { type: 'raw', bytes: Uint8Array.of(0x01, 0x02, 0x03, 0x04) });
    const be = encode(ds, EXPLICIT_VR_BE);
    // (0028,0009) AT 4: group 0018, element 1063, each big endian
    expect(Array.from(be.subarray(8, 12))).toEqual([0x00, 0x18, 0x10, 0x63]);
    // (0028,0010) US 0x0102 big endian
    expect(Array.from(be.subarray(20, 22))).toEqual([0x01, 0x02]);
    // OW words swapped
    expect(Array.from(be.subarray(be.length - 4))).toEqual([0x02, 0x01, 0x04, 0x03]);
  });

  it('keeps undefined and defined lengths of sequences and items as read', () => {
    const ds = smallUsImage();
    const sq = ds.get(T.RegionSequence)!;
    if (sq.value.type !== 'sequence') throw new Error('not a sequence');
    sq.value.undefinedLength = true;
    sq.value.items[0]!.undefinedLength = true;
    const bytes = encode(ds, EXPLICIT_VR_LE);
    const back = readDataSet(bytes, transferSyntax(EXPLICIT_VR_LE)!).dataset;
    const v = back.get(T.RegionSequence)!.value;
    expect(v.type === 'sequence' && v.undefinedLength).toBe(true);
    expect(back.items(T.RegionSequence)![0]!.undefinedLength).toBe(true);
    expect(encode(back, EXPLICIT_VR_LE)).toEqual(bytes);
  });

  it('reads and writes sequences nested to the limit (MAX_SEQUENCE_DEPTH); deeper is refused (test/interop/nesting-limit)', () => {
    const depth = MAX_SEQUENCE_DEPTH;
    const root = new DataSet();
    let ds = root;
    for (let i = 0; i < depth; i++) {
      const item = new DataSet();
      ds.putSequence(T.ReferencedImageSequence, [item]);
      ds = item;
    }
    ds.putStrings(T.ReferencedSOPInstanceUID, 'UI', '1.2.3');
    for (const ts of SYNTAXES) {
      const bytes = encode(root, ts.uid);
      const { dataset } = readDataSet(bytes, ts);
      let d: DataSet | undefined = dataset;
      for (let i = 0; i < depth; i++) d = d?.items(T.ReferencedImageSequence)?.[0];
      expect(d?.string(T.ReferencedSOPInstanceUID)).toBe('1.2.3');
    }
  });

  it('inherits Specific Character Set into items', () => {
    const ds = new DataSet();
    ds.putStrings(T.SpecificCharacterSet, 'CS', 'ISO_IR 192');
    const item = new DataSet();
    ds.putSequence(T.ReferencedImageSequence, [item]);
    item.putStrings(T.PatientName, 'PN', 'Åström^Örjan');
    const back = readDataSet(encode(ds, EXPLICIT_VR_LE), transferSyntax(EXPLICIT_VR_LE)!).dataset;
    expect(back.items(T.ReferencedImageSequence)![0]!.string(T.PatientName)).toBe('Åström^Örjan');
  });
});

describe('bad input is a typed error with an offset', () => {
  const ts = transferSyntax(EXPLICIT_VR_LE)!;
  const good = encode(smallUsImage(), EXPLICIT_VR_LE);

  it('truncated at every offset: parsed or DicomParseError, never anything else', () => {
    for (let cut = 1; cut < good.length; cut++) {
      try {
        readDataSet(good.subarray(0, cut), ts);
      } catch (e) {
        expect(e).toBeInstanceOf(DicomParseError);
        expect((e as DicomParseError).offset).toBeLessThanOrEqual(good.length);
      }
    }
  });

  it('a length past the end names the element and where it starts', () => {
    const bad = good.slice();
    // (0008,0016) UI: make its 16-bit length huge
    bad[6] = 0xff;
    bad[7] = 0x7f;
    expect(() => readDataSet(bad, ts)).toThrowError(/\(0008,0016\) UI value length 32767 runs past the end/);
    try {
      readDataSet(bad, ts);
    } catch (e) {
      expect((e as DicomParseError).code).toBe('PARSE_LENGTH_PAST_END');
      expect((e as DicomParseError).offset).toBe(0);
    }
  });

  it('an absurd 32-bit length allocates nothing and fails at once', () => {
    const ds = new DataSet();
    ds.put(T.PixelData, 'OB', { type: 'raw', bytes: new Uint8Array(2) });
    const bytes = encode(ds, EXPLICIT_VR_LE).slice();
    new DataView(bytes.buffer).setUint32(8, 0xfffffff0, true);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => readDataSet(bytes, ts)).toThrowError(DicomParseError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('an odd length is read and reported as a warning', () => {
    const ds = new DataSet();
    ds.put(T.PatientID, 'LO', { type: 'raw', bytes: Uint8Array.of(0x41, 0x42, 0x43) });
    const sink = new ByteSink();
    // Hand-made, because our writer pads: (0010,0020) LO length 3 "ABC"
    sink.u16(0x0010, true);
    sink.u16(0x0020, true);
    sink.ascii('LO');
    sink.u16(3, true);
    sink.ascii('ABC');
    const r = readDataSet(sink.toBytes(), ts);
    expect(r.dataset.string(T.PatientID)).toBe('ABC');
    expect(r.warnings.join()).toMatch(/odd length 3/);
  });

  it('garbage after the data set is reported, not parsed', () => {
    const garbage = Uint8Array.of(0x00, 0x00, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x55);
    const bytes = new Uint8Array(good.length + garbage.length);
    bytes.set(good);
    bytes.set(garbage, good.length);
    const r = readDataSet(bytes, ts);
    expect(r.dataset.string(T.PatientName)).toBe('Doe^Jane');
    expect(r.warnings.join()).toMatch(new RegExp(`ignored 9 bytes after the data set at offset ${good.length}`));
  });

  it('an item that is not an item is refused', () => {
    const bytes = encode(smallUsImage(), EXPLICIT_VR_LE).slice();
    // find the item tag FFFE,E000 and break it
    for (let i = 0; i < bytes.length - 4; i++) {
      if (bytes[i] === 0xfe && bytes[i + 1] === 0xff && bytes[i + 2] === 0x00 && bytes[i + 3] === 0xe0) {
        bytes[i + 3] = 0xe1;
        break;
      }
    }
    expect(() => readDataSet(bytes, ts)).toThrowError(/expected an item or sequence delimiter/);
  });

  it('fuzz: 3,000 mutated data sets give a data set or a DicomError', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const inputs = SYNTAXES.map((s) => ({ ts: s, bytes: encode(smallUsImage(), s.uid) }));
    let parsed = 0;
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      const { ts: s, bytes } = inputs[round % inputs.length]!;
      const m = bytes.slice();
      const edits = 1 + rand(4);
      for (let k = 0; k < edits; k++) m[rand(m.length)] = rand(256);
      const cut = rand(4) === 0 ? rand(m.length) : m.length;
      try {
        const r = readDataSet(m.subarray(0, cut), s);
        // whatever was read can be dumped and written again
        const sink = new ByteSink();
        writeDataSet(r.dataset, sink, { explicitVR: s.explicitVR, littleEndian: s.littleEndian });
        parsed++;
      } catch (e) {
        if (!(e instanceof DicomError)) throw e;
        refused++;
      }
    }
    expect(parsed + refused).toBe(3000);
    expect(parsed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
