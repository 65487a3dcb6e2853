import { describe, expect, it } from 'vitest';
import { tag } from '../../../dicom/core/index.js';
import { lookupTag, tagEntries, Tags, type TagKeyword } from '../../../dicom/dictionary/index.js';

describe('Tags: generated constants by keyword', () => {
  it('name every plain dictionary entry, each with the tag its keyword has in the dictionary', () => {
    const keys = Object.keys(Tags) as TagKeyword[];
    expect(keys.length).toBe(tagEntries().length);
    for (const k of keys) expect(lookupTag(Tags[k])?.keyword, k).toBe(k);
  });

  it('are the numbers tag() builds', () => {
    expect(Tags.PatientName).toBe(tag(0x0010, 0x0010));
    expect(Tags.StudyInstanceUID).toBe(tag(0x0020, 0x000d));
    expect(Tags.LossyImageCompression).toBe(tag(0x0028, 0x2110));
    expect(Tags.PixelData).toBe(tag(0x7fe0, 0x0010));
    expect(Tags.SequenceDelimitationItem).toBe(tag(0xfffe, 0xe0dd));
  });
});
