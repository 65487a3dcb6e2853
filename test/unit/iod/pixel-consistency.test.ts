import { describe, expect, it } from 'vitest';
import { checkPixelConsistency } from '../../../dicom/iod/index.js';
import { T, smallUsImage } from '../../helpers/build-dataset.js';

const PHOTOMETRIC = 0x00280004;
const FRAMES = 0x00280008;

describe('checkPixelConsistency', () => {
  it('agrees when the bytes are exactly what the attributes say, odd length padded by one byte', () => {
    const ds = smallUsImage(); // 4 × 6 × 16 bits
    expect(checkPixelConsistency(ds, { kind: 'native', length: 48 })).toBeUndefined();
    ds.putNumbers(T.BitsAllocated, 'US', 8);
    ds.putNumbers(T.Rows, 'US', 3);
    ds.putNumbers(T.Columns, 'US', 3); // 9 bytes, stored as 10
    expect(checkPixelConsistency(ds, { kind: 'native', length: 10 })).toBeUndefined();
    expect(checkPixelConsistency(ds, { kind: 'native', length: 12 })?.code).toBe('PIXEL_DATA_TOO_LONG');
  });

  it('counts frames, 1-bit data and YBR_FULL_422 (two samples stored per pixel)', () => {
    const ds = smallUsImage();
    ds.putStrings(FRAMES, 'IS', '3');
    expect(checkPixelConsistency(ds, { kind: 'native', length: 144 })).toBeUndefined();
    expect(checkPixelConsistency(ds, { kind: 'native', length: 48 })).toMatchObject({ code: 'PIXEL_DATA_TOO_SHORT', message: expect.stringMatching(/Number of Frames 3 = 144/) });
    ds.putNumbers(T.BitsAllocated, 'US', 1);
    expect(checkPixelConsistency(ds, { kind: 'native', length: 10 })).toBeUndefined(); // 72 bits = 9 bytes, padded
    const ybr = smallUsImage();
    ybr.putNumbers(T.BitsAllocated, 'US', 8);
    ybr.putNumbers(T.SamplesPerPixel, 'US', 3);
    ybr.putStrings(PHOTOMETRIC, 'CS', 'YBR_FULL_422');
    expect(checkPixelConsistency(ybr, { kind: 'native', length: 48 })).toBeUndefined();
  });

  it('names missing attributes, and has nothing to say without pixel data', () => {
    const ds = smallUsImage();
    ds.delete(T.Rows);
    expect(checkPixelConsistency(ds, { kind: 'native', length: 48 })).toMatchObject({ code: 'PIXEL_ATTRIBUTE_MISSING', message: expect.stringMatching(/Rows \(0028,0010\)/) });
    expect(checkPixelConsistency(ds, undefined)).toBeUndefined();
  });

  it('encapsulated: at least one fragment per frame', () => {
    const ds = smallUsImage();
    ds.putStrings(FRAMES, 'IS', '2');
    expect(checkPixelConsistency(ds, { kind: 'encapsulated', fragments: 2 })).toBeUndefined();
    expect(checkPixelConsistency(ds, { kind: 'encapsulated', fragments: 5 })).toBeUndefined();
    expect(checkPixelConsistency(ds, { kind: 'encapsulated', fragments: 1 })?.code).toBe('PIXEL_FEWER_FRAGMENTS_THAN_FRAMES');
    expect(checkPixelConsistency(ds, { kind: 'encapsulated', fragments: 0 })?.code).toBe('PIXEL_NO_FRAGMENTS');
  });
});
