import { describe, expect, it } from 'vitest';
import { formatTag, parseTag, tag } from '../../../dicom/core/tag.js';
import {
  implicitVR,
  lookupTag,
  repeatingEntries,
  tagEntries,
  tagForKeyword,
  type DictionaryEntry,
} from '../../../dicom/dictionary/index.js';
import { NAME_SOURCES, REPEATING_TAG_COUNT, TAG_COUNT } from '../../../dicom/dictionary/tags.generated.js';

function entry(text: string): DictionaryEntry {
  const e = lookupTag(parseTag(text));
  if (!e) throw new Error(`no dictionary entry for ${text}`);
  return e;
}

describe('dictionary: loading', () => {
  it('parses the generated tables on first lookup well under 50 ms', () => {
    // This file's first lookup: the tables are parsed here (module evaluation is not timed,
    // because vitest's transform would dominate it).
    const t0 = performance.now();
    expect(lookupTag(tag(0x0010, 0x0010))?.keyword).toBe('PatientName');
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(50);
  });

  it('has every PS3.6 tag (more than 4,000) and the repeating groups', () => {
    expect(TAG_COUNT).toBeGreaterThan(4000);
    expect(tagEntries()).toHaveLength(TAG_COUNT);
    expect(repeatingEntries()).toHaveLength(REPEATING_TAG_COUNT);
    expect(REPEATING_TAG_COUNT).toBeGreaterThan(60);
    // Names come from pydicom except for the few tags newer than its edition.
    expect(NAME_SOURCES.derived).toBeLessThan(20);
  });

  it('lists tags in ascending order, each once, with unique keywords', () => {
    const tags = tagEntries().map((e) => e.tag);
    expect([...tags].sort((a, b) => a - b)).toEqual(tags);
    expect(new Set(tags).size).toBe(tags.length);
    const keywords = [...tagEntries(), ...repeatingEntries().map((r) => r.entry)].map((e) => e.keyword);
    expect(new Set(keywords).size).toBe(keywords.length);
  });

  it('gives every entry a VR consistent with its VR set and the implicit-VR rule', () => {
    const problems: string[] = [];
    for (const e of [...tagEntries(), ...repeatingEntries().map((r) => r.entry)]) {
      const where = `${formatTag(e.tag)} ${e.keyword}`;
      if (e.vr !== implicitVR(e.vrs)) problems.push(`${where}: vr ${e.vr} is not implicitVR(${e.vrs.join('/')})`);
      if (e.vrs.length > 0 && !e.vrs.includes(e.vr)) problems.push(`${where}: vr ${e.vr} not in ${e.vrs.join('/')}`);
      if (!/^\d+(-(\d*n|\d+))?$/.test(e.vm)) problems.push(`${where}: odd VM ${e.vm}`);
      if (e.name === '') problems.push(`${where}: no name`);
      if (!Object.isFrozen(e) || !Object.isFrozen(e.vrs)) problems.push(`${where}: not frozen`);
    }
    expect(problems).toEqual([]);
  });
});

describe('dictionary: known tags', () => {
  it.each([
    ['(0010,0010)', 'PatientName', 'Patient\'s Name', 'PN', ['PN'], '1', false],
    ['(0010,0020)', 'PatientID', 'Patient ID', 'LO', ['LO'], '1', false],
    ['(0008,0016)', 'SOPClassUID', 'SOP Class UID', 'UI', ['UI'], '1', false],
    ['(0008,0008)', 'ImageType', 'Image Type', 'CS', ['CS'], '2-n', false],
    ['(0028,0010)', 'Rows', 'Rows', 'US', ['US'], '1', false],
    ['(0028,0011)', 'Columns', 'Columns', 'US', ['US'], '1', false],
    ['(0028,0008)', 'NumberOfFrames', 'Number of Frames', 'IS', ['IS'], '1', false],
    ['(0018,6011)', 'SequenceOfUltrasoundRegions', 'Sequence of Ultrasound Regions', 'SQ', ['SQ'], '1', false],
    ['(0018,602C)', 'PhysicalDeltaX', 'Physical Delta X', 'FD', ['FD'], '1', false],
    ['(7FE0,0010)', 'PixelData', 'Pixel Data', 'OW', ['OB', 'OW'], '1', false],
    ['(7FE0,0008)', 'FloatPixelData', 'Float Pixel Data', 'OF', ['OF'], '1', false],
    ['(0002,0000)', 'FileMetaInformationGroupLength', 'File Meta Information Group Length', 'UL', ['UL'], '1', false],
    ['(0002,0010)', 'TransferSyntaxUID', 'Transfer Syntax UID', 'UI', ['UI'], '1', false],
    ['(0000,0000)', 'CommandGroupLength', 'Command Group Length', 'UL', ['UL'], '1', false],
    ['(0000,0100)', 'CommandField', 'Command Field', 'US', ['US'], '1', false],
    ['(0000,0901)', 'OffendingElement', 'Offending Element', 'AT', ['AT'], '1-n', false],
    ['(0004,1200)', 'OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity', 'Offset of the First Directory Record of the Root Directory Entity', 'UL', ['UL'], '1', false],
    ['(0008,1162)', 'CalculatedFrameList', 'Calculated Frame List', 'UL', ['UL'], '3-3n', false],
    // multi-VR tags and the implicit-VR rule
    ['(0028,0106)', 'SmallestImagePixelValue', 'Smallest Image Pixel Value', 'US', ['US', 'SS'], '1', false],
    ['(0028,1101)', 'RedPaletteColorLookupTableDescriptor', 'Red Palette Color Lookup Table Descriptor', 'US', ['US', 'SS'], '3', false],
    ['(0028,3006)', 'LUTData', 'LUT Data', 'US', ['US', 'OW'], '1-n', false],
    ['(0028,1200)', 'GrayLookupTableData', 'Gray Lookup Table Data', 'US', ['US', 'SS', 'OW'], '1-n', true],
    ['(5400,1010)', 'WaveformData', 'Waveform Data', 'OW', ['OB', 'OW'], '1', false],
    ['(0072,006D)', 'SelectorUNValue', 'Selector UN Value', 'UN', ['UN'], '1', false],
    // items and delimiters have no VR
    ['(FFFE,E000)', 'Item', 'Item', 'UN', [], '1', false],
    ['(FFFE,E0DD)', 'SequenceDelimitationItem', 'Sequence Delimitation Item', 'UN', [], '1', false],
    // retired
    ['(0008,0010)', 'RecognitionCode', 'Recognition Code', 'SH', ['SH'], '1', true],
    ['(0028,0040)', 'ImageFormat', 'Image Format', 'CS', ['CS'], '1', true],
    ['(0000,0001)', 'CommandLengthToEnd', 'Command Length to End', 'UL', ['UL'], '1', true],
    ['(0028,0410)', 'RowsForNthOrderCoefficients', 'Rows For Nth Order Coefficients', 'US', ['US'], '1', true],
    // newer than pydicom 2.3.1 (DICOM 2022a): name derived from the keyword
    ['(0008,0017)', 'AcquisitionUID', 'Acquisition UID', 'UI', ['UI'], '1', false],
  ] as const)('%s %s', (text, keyword, name, vr, vrs, vm, retired) => {
    const e = entry(text);
    expect(e).toEqual({ tag: parseTag(text), keyword, name, vr, vrs, vm, retired });
    expect(tagForKeyword(keyword)).toBe(parseTag(text));
  });
});

describe('dictionary: repeating groups and element ranges', () => {
  it.each([
    ['(6000,3000)', 'OverlayData', 'OW', ['OB', 'OW'], false],
    ['(6002,3000)', 'OverlayData', 'OW', ['OB', 'OW'], false],
    ['(601E,3000)', 'OverlayData', 'OW', ['OB', 'OW'], false],
    ['(60FE,0010)', 'OverlayRows', 'US', ['US'], false],
    ['(6004,0050)', 'OverlayOrigin', 'SS', ['SS'], false],
    ['(6006,0012)', 'OverlayPlanes', 'US', ['US'], true],
    ['(5000,3000)', 'CurveData', 'OW', ['OB', 'OW'], true],
    ['(5010,0005)', 'CurveDimensions', 'US', ['US'], true],
    ['(7F02,0010)', 'VariablePixelData', 'OW', ['OB', 'OW'], true],
    ['(0020,3100)', 'SourceImageIDs', 'CS', ['CS'], true],
    ['(0020,3105)', 'SourceImageIDs', 'CS', ['CS'], true],
    ['(0020,31FF)', 'SourceImageIDs', 'CS', ['CS'], true],
  ] as const)('%s is %s', (text, keyword, vr, vrs, retired) => {
    const e = entry(text);
    expect(e.tag).toBe(parseTag(text)); // the tag as looked up, not the base of the range
    expect(e.keyword).toBe(keyword);
    expect(e.vr).toBe(vr);
    expect(e.vrs).toEqual(vrs);
    expect(e.retired).toBe(retired);
    expect(lookupTag(parseTag(text))).toBe(e); // resolved once, then cached
  });

  it('answers the lowest tag of a repeating group for its keyword', () => {
    expect(tagForKeyword('OverlayData')).toBe(tag(0x6000, 0x3000));
    expect(tagForKeyword('OverlayRows')).toBe(tag(0x6000, 0x0010));
    expect(tagForKeyword('SourceImageIDs')).toBe(tag(0x0020, 0x3100));
  });

  it('does not match outside the ranges', () => {
    expect(lookupTag(tag(0x6100, 0x3000))).toBeUndefined();
    expect(lookupTag(tag(0x5F00, 0x3000))).toBeUndefined();
    expect(lookupTag(tag(0x6000, 0x3001))).toBeUndefined();
    expect(lookupTag(tag(0x0020, 0x3200))).toBeUndefined();
    expect(lookupTag(tag(0x0022, 0x3105))).toBeUndefined();
    // odd groups are private, never overlays
    expect(lookupTag(tag(0x6001, 0x3000))).toBeUndefined();
  });
});

describe('dictionary: group lengths and private tags', () => {
  it('answers UL GroupLength for any (gggg,0000)', () => {
    for (const g of [0x0008, 0x0010, 0x0028, 0x7fe0, 0x0009, 0x6000]) {
      const e = lookupTag(tag(g, 0));
      expect(e).toMatchObject({ tag: tag(g, 0), vr: 'UL', vrs: ['UL'], vm: '1', keyword: 'GroupLength', retired: true });
    }
    // the listed ones keep their own keyword
    expect(lookupTag(tag(0x0002, 0))?.keyword).toBe('FileMetaInformationGroupLength');
    expect(lookupTag(tag(0x0000, 0))?.keyword).toBe('CommandGroupLength');
  });

  it('answers LO PrivateCreator for (odd group, 0010-00FF) and nothing for other private tags', () => {
    for (const t of [tag(0x0009, 0x0010), tag(0x0019, 0x0011), tag(0x7fe1, 0x00ff), tag(0x6001, 0x0010)]) {
      expect(lookupTag(t)).toMatchObject({ tag: t, vr: 'LO', vrs: ['LO'], vm: '1', keyword: 'PrivateCreator', name: 'Private Creator' });
    }
    expect(lookupTag(tag(0x0009, 0x000f))).toBeUndefined();
    expect(lookupTag(tag(0x0009, 0x0100))).toBeUndefined();
    expect(lookupTag(tag(0x0019, 0x1010))).toBeUndefined();
  });

  it('answers undefined for unknown public tags and unknown keywords', () => {
    expect(lookupTag(tag(0x0010, 0x0011))).toBeUndefined();
    expect(lookupTag(tag(0xfffe, 0xe001))).toBeUndefined();
    expect(tagForKeyword('NoSuchKeyword')).toBeUndefined();
    expect(tagForKeyword('RETIRED_RecognitionCode')).toBeUndefined();
    expect(tagForKeyword('PrivateCreator')).toBeUndefined();
    expect(tagForKeyword('GroupLength')).toBeUndefined();
  });
});

describe('dictionary: implicitVR rule', () => {
  it.each([
    [['PN'], 'PN'],
    [['US', 'SS'], 'US'],
    [['US', 'OW'], 'US'],
    [['US', 'SS', 'OW'], 'US'],
    [['OB', 'OW'], 'OW'],
    [[], 'UN'],
  ] as const)('%j → %s', (vrs, vr) => {
    expect(implicitVR(vrs)).toBe(vr);
  });
});
