/**
 * Cross-check of the dictionary (generated from DCMTK's dicom.dic) against Debian's pydicom,
 * an independent transcription of PS3.6: for every tag in pydicom's DicomDictionary and every
 * mask in its RepeatersDictionary, our keyword and VR set must agree. Every disagreement is
 * listed; the only ones allowed are in KNOWN_DIFFERENCES, each with its reason.
 */
import { describe, expect, it } from 'vitest';
import { formatTag } from '../../../dicom/core/tag.js';
import {
  lookupTag,
  lookupUid,
  repeatingEntries,
  tagEntries,
  uidEntries,
  type DictionaryEntry,
} from '../../../dicom/dictionary/index.js';
import { runPython } from '../../helpers/run-tool.js';

/** pydicom 2.3.1 follows DICOM 2022a, DCMTK 3.6.7's dicom.dic follows DICOM 2022b. */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  // Retired elements that PS3.6 lists without a name or keyword: pydicom keeps them with an
  // empty keyword, DCMTK leaves them out (nothing to name them by).
  '(0008,0202) missing': 'retired, no keyword in PS3.6',
  '(0018,0061) missing': 'retired, no keyword in PS3.6',
  '(0018,9445) missing': 'retired, no keyword in PS3.6',
  '(0028,0020) missing': 'retired, no keyword in PS3.6',
  '(0400,0315) missing': 'retired, no keyword in PS3.6',
  '(300A,0782) missing': 'retired, no keyword in PS3.6',
  // ACR-NEMA masks that dicom.dic cannot express ("04x0", "xxx0", "xxxx" inside one group):
  // DCMTK lists one example tag of each ((0028,0410), (1000,0010), (1010,0004)) instead.
  '002804x0 single example only': 'DCMTK lists (0028,0410) only',
  '002804x1 single example only': 'DCMTK lists (0028,0411) only',
  '002804x2 single example only': 'DCMTK lists (0028,0412) only',
  '002804x3 single example only': 'DCMTK lists (0028,0413) only',
  '002808x0 single example only': 'DCMTK lists (0028,0800) only',
  '002808x2 single example only': 'DCMTK lists (0028,0802) only',
  '002808x3 single example only': 'DCMTK lists (0028,0803) only',
  '002808x4 single example only': 'DCMTK lists (0028,0804) only',
  '002808x8 single example only': 'DCMTK lists (0028,0808) only',
  '1000xxx0 single example only': 'DCMTK lists (1000,0010) only',
  '1000xxx1 single example only': 'DCMTK lists (1000,0011) only',
  '1000xxx2 single example only': 'DCMTK lists (1000,0012) only',
  '1000xxx3 single example only': 'DCMTK lists (1000,0013) only',
  '1000xxx4 single example only': 'DCMTK lists (1000,0014) only',
  '1000xxx5 single example only': 'DCMTK lists (1000,0015) only',
  '1010xxxx single example only': 'DCMTK lists (1010,0004) only',
  // Retired flag: dicom.dic (2022b) lists these two Print Management sequences as current,
  // pydicom (2022a) as retired. We keep DCMTK's flag.
  '(2130,00A0) retired: pydicom true, ours false': 'DCMTK 2022b vs pydicom 2022a',
  '(2130,00C0) retired: pydicom true, ours false': 'DCMTK 2022b vs pydicom 2022a',
  // Tags added in DICOM 2022b (CP/Supplement after pydicom's 2022a edition).
  '(0006,0001) not in pydicom': 'new in 2022b: Current Frame Functional Groups Sequence',
  '(0008,0017) not in pydicom': 'new in 2022b: Acquisition UID',
  '(0008,0019) not in pydicom': 'new in 2022b: Pyramid UID',
  '(0008,1088) not in pydicom': 'new in 2022b: Pyramid Description',
  '(0020,0027) not in pydicom': 'new in 2022b: Pyramid Label',
};

const SCRIPT = `
import json
from pydicom._dicom_dict import DicomDictionary, RepeatersDictionary
from pydicom._uid_dict import UID_dictionary
print(json.dumps({
  "tags": [[k, v[0], v[1], v[3] == "Retired", v[4]] for k, v in sorted(DicomDictionary.items())],
  "masks": [[k, v[0], v[1], v[3] == "Retired", v[4]] for k, v in sorted(RepeatersDictionary.items())],
  "uids": [[k, v[0], v[1], v[3] == "Retired", v[4]] for k, v in sorted(UID_dictionary.items())],
}))
`;

type PyRow = [key: number | string, vr: string, vm: string, retired: boolean, keyword: string];

function pyVrs(vr: string): string[] {
  return vr === 'NONE' ? [] : vr.split(' or ');
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function compare(where: string, ours: DictionaryEntry, [, vr, vm, retired, keyword]: PyRow, out: string[]): void {
  if (ours.keyword !== keyword) out.push(`${where} keyword: pydicom ${keyword}, ours ${ours.keyword}`);
  if (!same(ours.vrs, pyVrs(vr))) out.push(`${where} VR: pydicom ${vr}, ours ${ours.vrs.join(' or ') || 'none'}`);
  if (ours.vm !== vm) out.push(`${where} VM: pydicom ${vm}, ours ${ours.vm}`);
  if (ours.retired !== retired) out.push(`${where} retired: pydicom ${retired}, ours ${ours.retired}`);
}

function maskMatches(mask: string, t: number): boolean {
  const hex = t.toString(16).toUpperCase().padStart(8, '0');
  for (let i = 0; i < 8; i++) if (mask[i] !== 'x' && mask[i] !== hex[i]) return false;
  return true;
}

describe('dictionary: cross-check against Debian pydicom', () => {
  it('agrees on keyword, VR set, VM and retired flag for every pydicom tag, mask and UID', async () => {
    const r = await runPython(SCRIPT);
    expect(r.code, r.stderr).toBe(0);
    const py = JSON.parse(r.stdout) as { tags: PyRow[]; masks: PyRow[]; uids: [string, string, string, boolean, string][] };
    expect(py.tags.length).toBeGreaterThan(4000);

    const found: string[] = [];
    const pyTags = new Set<number>();
    for (const row of py.tags) {
      const t = row[0] as number;
      pyTags.add(t);
      const ours = lookupTag(t);
      if (!ours || ours.keyword === 'GroupLength' || ours.keyword === 'PrivateCreator') {
        found.push(`${formatTag(t)} missing`);
        continue;
      }
      compare(formatTag(t), ours, row, found);
    }

    // Every pydicom mask: the entry of the same keyword must cover it (as a range, not an example).
    const ourByKeyword = new Map<string, { entry: DictionaryEntry; ranged: boolean }>();
    for (const e of tagEntries()) ourByKeyword.set(e.keyword, { entry: e, ranged: false });
    for (const rep of repeatingEntries()) ourByKeyword.set(rep.entry.keyword, { entry: rep.entry, ranged: true });
    const maskKeywords = new Set<string>();
    for (const row of py.masks) {
      const mask = row[0] as string;
      maskKeywords.add(row[4]);
      const ours = ourByKeyword.get(row[4]);
      if (!ours) {
        found.push(`${mask} missing`);
        continue;
      }
      if (!maskMatches(mask, ours.entry.tag)) found.push(`${mask} ours at ${formatTag(ours.entry.tag)}`);
      if (!ours.ranged) found.push(`${mask} single example only`);
      compare(mask, ours.entry, row, found);
      // and a few concrete tags of the mask resolve to it
      if (ours.ranged) {
        for (const digits of ['0', '2', 'E']) {
          const t = parseInt(mask.replace(/x/g, digits), 16);
          if (maskMatches(mask, t) && lookupTag(t)?.keyword !== row[4]) found.push(`${formatTag(t)} (${mask}) not resolved`);
        }
      }
    }

    // Tags of ours that pydicom does not know at all.
    for (const e of tagEntries()) {
      if (!pyTags.has(e.tag) && !maskKeywords.has(e.keyword)) found.push(`${formatTag(e.tag)} not in pydicom`);
    }

    const unexpected = found.filter((d) => !(d in KNOWN_DIFFERENCES));
    const stale = Object.keys(KNOWN_DIFFERENCES).filter((k) => !found.includes(k));
    expect(unexpected, 'disagreements with pydicom that are not in KNOWN_DIFFERENCES').toEqual([]);
    expect(stale, 'KNOWN_DIFFERENCES that no longer occur').toEqual([]);

    // UIDs come from pydicom itself, so they must match exactly.
    const uidProblems: string[] = [];
    for (const [uid, name, type, retired, keyword] of py.uids) {
      const ours = lookupUid(uid);
      if (!ours) uidProblems.push(`${uid} missing`);
      else if (ours.name !== name || ours.type !== type || ours.retired !== retired || ours.keyword !== keyword) {
        uidProblems.push(`${uid} differs`);
      }
    }
    expect(uidProblems).toEqual([]);
    expect(uidEntries()).toHaveLength(py.uids.length);
  });
});
