/**
 * The PS3.6 data dictionary: every public tag (Table 6-1, 7-1, 8-1 and the retired ones) and
 * every UID (Table A-1), generated into tags.generated.ts and uids.generated.ts by
 * scripts/gen-dictionary.ts from DCMTK's dicom.dic and pydicom's dictionaries.
 *
 * The generated data is one string per table, parsed into Maps on the first lookup (a few
 * milliseconds). After that, `lookupTag` of an ordinary tag is one Map lookup; repeating groups
 * ((50xx,eeee), (60xx,eeee), (7Fxx,eeee), (0020,31xx)), group lengths and private creators are
 * resolved only when that lookup misses.
 *
 * ## The implicit-VR rule (`DictionaryEntry.vr`)
 *
 * `vrs` lists every VR PS3.6 allows, in PS3.6 order. `vr` is the one an implicit VR reader
 * should use when it has nothing better to go on (see `implicitVR`):
 *
 *  - one VR → that VR;
 *  - any set containing US ("US or SS", "US or OW", "US or SS or OW") → US. Both US and OW
 *    are 16-bit words, so the bytes decode identically; signedness ("US or SS") is decided by
 *    Pixel Representation (0028,0103), which only the caller knows. A writer converting to
 *    explicit VR must switch LUT Data to OW when the value is longer than 65,534 bytes;
 *  - "OB or OW" → OW: in Implicit VR Little Endian, PS3.5 §8 encodes native Pixel Data
 *    (7FE0,0010), Overlay Data (60xx,3000) and Waveform Data as OW. Pixel Data is the caller's
 *    to decide in the end (encapsulated pixel data is always OB, and explicit VR streams say
 *    which one they used);
 *  - no VR at all (Item, Item Delimitation Item, Sequence Delimitation Item: `vrs` is empty) →
 *    UN. These tags are structure, not elements; a reader handles them before any lookup.
 */
import { tag, type Tag } from '../core/tag.js';
import { isVR, type VR } from '../core/vr.js';
import { REPEATING_TAG_DATA, TAG_DATA } from './tags.generated.js';
import { UID_DATA } from './uids.generated.js';
import { DicomError } from '../core/errors.js';

export interface DictionaryEntry {
  /** The tag; for repeating groups and element ranges, the tag as looked up. */
  readonly tag: Tag;
  /** The VR to use for implicit VR decoding (see the rule at the top of this module). */
  readonly vr: VR;
  /** Every VR the dictionary allows, in PS3.6 order; empty for items and delimiters. */
  readonly vrs: readonly VR[];
  /** Value Multiplicity as PS3.6 writes it: '1', '1-n', '2-2n', '1-3', … */
  readonly vm: string;
  readonly keyword: string;
  readonly name: string;
  readonly retired: boolean;
}

export interface UidEntry {
  readonly uid: string;
  readonly name: string;
  /** Empty for the few retired UIDs that PS3.6 lists without a keyword. */
  readonly keyword: string;
  /** 'Transfer Syntax', 'SOP Class', 'Well-known SOP Instance', 'Coding Scheme', … */
  readonly type: string;
  readonly retired: boolean;
  /** PS3.6's Info column, e.g. 'Default Transfer Syntax for DICOM'; often empty. */
  readonly info: string;
}

/**
 * The VR an implicit VR reader uses for a set of allowed VRs: US when US is allowed, else OW
 * when OW is allowed, else the only VR; UN for the empty set.
 */
export function implicitVR(vrs: readonly VR[]): VR {
  if (vrs.length === 1) return vrs[0]!;
  if (vrs.length === 0) return 'UN';
  if (vrs.includes('US')) return 'US';
  if (vrs.includes('OW')) return 'OW';
  return vrs[0]!;
}

// ---------------------------------------------------------------------------------------------
// Tags

interface Range {
  readonly lo: number;
  readonly hi: number;
  /** 'e' even only, 'o' odd only, 'u' all. */
  readonly parity: 'e' | 'o' | 'u';
}

function inRange(r: Range, n: number): boolean {
  return n >= r.lo && n <= r.hi && (r.parity === 'u' || (n & 1) === (r.parity === 'o' ? 1 : 0));
}

/** A repeating group or element range, e.g. (6000-60FF even, 3000) Overlay Data. */
export interface RepeatingEntry {
  readonly group: Range;
  readonly element: Range;
  /** The entry, with the lowest tag of the range as its tag. */
  readonly entry: DictionaryEntry;
}

/** The ranged dimensions shared by some repeating entries: lookups try each shape once. */
interface Shape {
  readonly group: Range | undefined;
  readonly element: Range | undefined;
}

interface TagTables {
  readonly byTag: Map<Tag, DictionaryEntry>;
  readonly byKeyword: Map<string, Tag>;
  readonly plain: readonly DictionaryEntry[];
  readonly repeating: readonly RepeatingEntry[];
  /** Repeating entries by (lowest group if the group is ranged, else group; same for element). */
  readonly repeatingByKey: Map<Tag, RepeatingEntry>;
  readonly shapes: readonly Shape[];
}

let tagTables: TagTables | undefined;

function vrList(text: string, cache: Map<string, readonly VR[]>): readonly VR[] {
  let vrs = cache.get(text);
  if (vrs === undefined) {
    const parts = text === '' ? [] : text.split('/');
    for (const p of parts) if (!isVR(p)) throw new DicomError('DICTIONARY_BAD_VR', `dictionary: unknown VR ${p}`);
    vrs = Object.freeze(parts as VR[]);
    cache.set(text, vrs);
  }
  return vrs;
}

function makeEntry(
  t: Tag,
  vrs: readonly VR[],
  vm: string,
  keyword: string,
  name: string,
  retired: boolean,
): DictionaryEntry {
  return Object.freeze({ tag: t, vr: implicitVR(vrs), vrs, vm, keyword, name, retired });
}

function loadTags(): TagTables {
  const vrCache = new Map<string, readonly VR[]>();
  const byTag = new Map<Tag, DictionaryEntry>();
  const byKeyword = new Map<string, Tag>();
  const plain: DictionaryEntry[] = [];
  for (const line of TAG_DATA.split('\n')) {
    const f = line.split('\t');
    const t = parseInt(f[0]!, 16);
    const e = makeEntry(t, vrList(f[1]!, vrCache), f[2]!, f[3]!, f[4]!, f[5] === 'R');
    byTag.set(t, e);
    byKeyword.set(e.keyword, t);
    plain.push(e);
  }

  const repeating: RepeatingEntry[] = [];
  const repeatingByKey = new Map<Tag, RepeatingEntry>();
  const shapes: Shape[] = [];
  const shapeIds = new Set<string>();
  for (const line of REPEATING_TAG_DATA.split('\n')) {
    const f = line.split('\t');
    const group: Range = { lo: parseInt(f[0]!, 16), hi: parseInt(f[1]!, 16), parity: f[2] as Range['parity'] };
    const element: Range = { lo: parseInt(f[3]!, 16), hi: parseInt(f[4]!, 16), parity: f[5] as Range['parity'] };
    const base = tag(group.lo, element.lo);
    const r: RepeatingEntry = Object.freeze({
      group: Object.freeze(group),
      element: Object.freeze(element),
      entry: makeEntry(base, vrList(f[6]!, vrCache), f[7]!, f[8]!, f[9]!, f[10] === 'R'),
    });
    repeating.push(r);
    repeatingByKey.set(base, r);
    byKeyword.set(r.entry.keyword, base);
    const shape: Shape = {
      group: group.lo === group.hi ? undefined : r.group,
      element: element.lo === element.hi ? undefined : r.element,
    };
    const id = `${shape.group ? `${shape.group.lo}-${shape.group.hi}${shape.group.parity}` : ''},${
      shape.element ? `${shape.element.lo}-${shape.element.hi}${shape.element.parity}` : ''
    }`;
    if (!shapeIds.has(id)) {
      shapeIds.add(id);
      shapes.push(shape);
    }
  }
  return { byTag, byKeyword, plain, repeating, repeatingByKey, shapes };
}

function tables(): TagTables {
  return (tagTables ??= loadTags());
}

/**
 * Entries resolved from repeating groups, by the tag looked up. Only hits are kept, so the
 * cache is bounded by the tags the ranges cover (about 10,000) whatever the input holds.
 */
const repeatingCache = new Map<Tag, DictionaryEntry>();
/** Group length entries by group (bounded: 65,536 possible). */
const groupLengthCache = new Map<number, DictionaryEntry>();

function resolveRepeating(t: Tag, tb: TagTables): DictionaryEntry | undefined {
  const cached = repeatingCache.get(t);
  if (cached !== undefined) return cached;
  const group = t >>> 16;
  const element = t & 0xffff;
  let found: DictionaryEntry | undefined;
  for (const s of tb.shapes) {
    if (s.group && !inRange(s.group, group)) continue;
    if (s.element && !inRange(s.element, element)) continue;
    const r = tb.repeatingByKey.get(tag(s.group ? s.group.lo : group, s.element ? s.element.lo : element));
    if (r && inRange(r.group, group) && inRange(r.element, element)) {
      found = Object.freeze({ ...r.entry, tag: t });
      repeatingCache.set(t, found);
      break;
    }
  }
  return found;
}

const UL_VRS: readonly VR[] = Object.freeze(['UL']);
const LO_VRS: readonly VR[] = Object.freeze(['LO']);

/**
 * The dictionary entry of a tag, or undefined for a tag PS3.6 does not define (including
 * private data elements other than private creators).
 *
 * Besides the listed tags this answers:
 *  - repeating groups and element ranges, e.g. (6002,3000) Overlay Data, (0020,3105) Source
 *    Image IDs; the entry's `tag` is the tag asked for;
 *  - any other (gggg,0000) → UL 'GroupLength', retired (PS3.5 §7.2: only the command and file
 *    meta group lengths, which are listed, are not);
 *  - (odd group, 0010–00FF) → LO 'PrivateCreator' (PS3.5 §7.8.1).
 */
export function lookupTag(t: Tag): DictionaryEntry | undefined {
  const tb = tagTables ?? tables();
  const hit = tb.byTag.get(t);
  if (hit !== undefined) return hit;
  const group = t >>> 16;
  const element = t & 0xffff;
  if (element === 0) {
    let e = groupLengthCache.get(group);
    if (e === undefined) {
      e = makeEntry(t, UL_VRS, '1', 'GroupLength', 'Group Length', true);
      groupLengthCache.set(group, e);
    }
    return e;
  }
  if ((group & 1) === 1) {
    if (element >= 0x0010 && element <= 0x00ff) {
      return makeEntry(t, LO_VRS, '1', 'PrivateCreator', 'Private Creator', false);
    }
    return undefined;
  }
  return resolveRepeating(t, tb);
}

/**
 * The tag of a keyword, e.g. 'PatientName' → (0010,0010). Retired keywords work too (without
 * DCMTK's RETIRED_ prefix). For a repeating group, the lowest tag: 'OverlayData' → (6000,3000).
 */
export function tagForKeyword(keyword: string): Tag | undefined {
  return tables().byKeyword.get(keyword);
}

/** Every listed single tag, in tag order (repeating groups are in `repeatingEntries`). */
export function tagEntries(): readonly DictionaryEntry[] {
  return tables().plain;
}

/** Every repeating group and element range. */
export function repeatingEntries(): readonly RepeatingEntry[] {
  return tables().repeating;
}

// ---------------------------------------------------------------------------------------------
// UIDs

interface UidTables {
  readonly byUid: Map<string, UidEntry>;
  readonly byKeyword: Map<string, string>;
  readonly all: readonly UidEntry[];
}

let uidTables: UidTables | undefined;

function loadUids(): UidTables {
  const byUid = new Map<string, UidEntry>();
  const byKeyword = new Map<string, string>();
  const all: UidEntry[] = [];
  for (const line of UID_DATA.split('\n')) {
    const f = line.split('\t');
    const e: UidEntry = Object.freeze({
      uid: f[0]!,
      type: f[1]!,
      retired: f[2] === 'R',
      keyword: f[3]!,
      name: f[4]!,
      info: f[5] ?? '',
    });
    byUid.set(e.uid, e);
    if (e.keyword !== '') byKeyword.set(e.keyword, e.uid);
    all.push(e);
  }
  return { byUid, byKeyword, all };
}

function uids(): UidTables {
  return (uidTables ??= loadUids());
}

/** The PS3.6 entry of a UID, e.g. '1.2.840.10008.1.2' → Implicit VR Little Endian. */
export function lookupUid(uid: string): UidEntry | undefined {
  return uids().byUid.get(uid);
}

/** The UID of a keyword, e.g. 'UltrasoundImageStorage' → '1.2.840.10008.5.1.4.1.1.6.1'. */
export function uidForKeyword(keyword: string): string | undefined {
  return uids().byKeyword.get(keyword);
}

/** Every listed UID, in UID text order. */
export function uidEntries(): readonly UidEntry[] {
  return uids().all;
}
export { Tags, type TagKeyword } from './tag-constants.generated.js';
