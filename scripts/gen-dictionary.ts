/**
 * Generates the PS3.6 data dictionary of dicom/dictionary/ from named data files:
 *
 *  - tags:  DCMTK's dicom.dic (Debian libdcmtk17), the primary source of tag, VR, VM, keyword
 *           and retired flag; standard (DICOM), retired (DICOM/retired), DICONDE (DICOM/DICONDE)
 *           and DICOS (DICOM/DICOS) entries are kept — DICONDE and DICOS entries are public
 *           (even-group) tags of standards built on DICOM and are listed in PS3.6 itself.
 *           PRIVATE, ILLEGAL and GENERIC entries (private group length, private creator,
 *           (0001-0007) illegal groups and the catch-all group length) are skipped: lookupTag
 *           handles those algorithmically. Any other version string stops the generator, so a
 *           new data file forces a decision instead of being silently mis-classified.
 *  - names: pydicom's _dicom_dict.py (Debian python3-pydicom), used only for the readable
 *           element names (dicom.dic has keywords only), and only when pydicom's keyword for
 *           the same tag (or repeating mask) is the same as DCMTK's; otherwise the name is
 *           derived from the keyword ("AcquisitionUID" → "Acquisition UID").
 *  - UIDs:  pydicom's _uid_dict.py.
 *
 * Usage: npx tsx scripts/gen-dictionary.ts [--out DIR] [--dcmtk FILE] [--pydicom DIR]
 * The output is deterministic: the same data files give byte-identical files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

interface Options {
  out: string;
  dcmtkDic: string;
  pydicomDir: string;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    out: resolve(here, '../dicom/dictionary'),
    dcmtkDic: '/usr/share/libdcmtk17/dicom.dic',
    pydicomDir: '/usr/lib/python3/dist-packages/pydicom',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if ((a === '--out' || a === '--dcmtk' || a === '--pydicom') && v === undefined) {
      throw new Error(`${a} needs a value`);
    }
    if (a === '--out') opts.out = resolve(v!);
    else if (a === '--dcmtk') opts.dcmtkDic = resolve(v!);
    else if (a === '--pydicom') opts.pydicomDir = resolve(v!);
    else throw new Error(`unknown argument: ${a}`);
    i++;
  }
  return opts;
}

// ---------------------------------------------------------------------------------------------
// VRs

const STANDARD_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF',
  'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN',
  'UR', 'US', 'UT', 'UV',
]);

/**
 * DCMTK's internal VR codes (dcvr.h) that stand for a set of standard VRs. 'na' (items and
 * delimiters) has no VR at all and becomes the empty set.
 */
const DCMTK_VR_CODES: Readonly<Record<string, readonly string[]>> = {
  xs: ['US', 'SS'], // "US or SS"
  ox: ['OB', 'OW'], // "OB or OW"
  px: ['OB', 'OW'], // Pixel Data, "OB or OW"
  lt: ['US', 'SS', 'OW'], // LUT data, "US or SS or OW" (see VR_OVERRIDES)
  up: ['UL'], // "unsigned pointer", encoded as UL
  na: [], // Item, Item Delimitation Item, Sequence Delimitation Item
};

/**
 * Where DCMTK's code is wider than PS3.6, the PS3.6 set, with the reason. DCMTK uses its 'lt'
 * code for every LUT-data element, but PS3.6 Table 6-1 lists (0028,3006) LUT Data as
 * "US or OW" ((0028,1200) Gray Lookup Table Data really is "US or SS or OW").
 */
const VR_OVERRIDES: ReadonlyMap<number, readonly string[]> = new Map([[0x00283006, ['US', 'OW']]]);

function vrSet(code: string, tagNum: number | undefined, where: string): readonly string[] {
  const override = tagNum === undefined ? undefined : VR_OVERRIDES.get(tagNum);
  if (override) return override;
  const mapped = DCMTK_VR_CODES[code];
  if (mapped) return mapped;
  if (STANDARD_VRS.has(code)) return [code];
  throw new Error(`${where}: unknown VR ${code}`);
}

// ---------------------------------------------------------------------------------------------
// DCMTK dicom.dic

const KEEP_VERSIONS = new Set(['DICOM', 'DICOM/retired', 'DICOM/DICONDE', 'DICOM/DICOS']);
const SKIP_VERSIONS = new Set(['PRIVATE', 'ILLEGAL', 'GENERIC']);

interface Range {
  lo: number;
  hi: number;
  /** 'e' even only (DCMTK's default for a range), 'o' odd only, 'u' all. */
  parity: 'e' | 'o' | 'u';
}

interface DicEntry {
  group: Range;
  element: Range;
  vrs: readonly string[];
  vm: string;
  keyword: string;
  retired: boolean;
  line: number;
}

/**
 * Element ranges whose parity restriction is wider than DCMTK's default (even only):
 * PS3.6 lists (0020,31xx) Source Image IDs with no restriction (and pydicom's mask 002031xx
 * agrees), so (0020,3105) is a Source Image ID too.
 */
const ELEMENT_PARITY_OVERRIDES: ReadonlyMap<string, Range['parity']> = new Map([['0020,3100-31FF', 'u']]);

function parseRange(text: string, where: string): Range {
  // DCMTK writes "0010", "6000-60FF" (even only), "0009-o-FFFF" (odd only), "0010-u-00FF" (all).
  const m = /^([0-9A-F]{4})(?:-(?:([ou])-)?([0-9A-F]{4}))?$/.exec(text);
  if (!m) throw new Error(`${where}: cannot parse tag part ${text}`);
  const lo = parseInt(m[1]!, 16);
  if (m[3] === undefined) return { lo, hi: lo, parity: 'u' };
  return { lo, hi: parseInt(m[3], 16), parity: (m[2] as 'o' | 'u' | undefined) ?? 'e' };
}

function parseDcmtk(text: string, file: string): { entries: DicEntry[]; edition: string } {
  const entries: DicEntry[] = [];
  const edition = /Generated automatically from DICOM PS 3\.6-(\S+)/.exec(text)?.[1] ?? 'unknown';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw === '' || raw.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    const fields = raw.split('\t');
    if (fields.length !== 5) throw new Error(`${where}: expected 5 tab-separated fields`);
    const [tagText, vrCode, keywordRaw, vm, version] = fields as [string, string, string, string, string];
    if (SKIP_VERSIONS.has(version)) continue;
    if (!KEEP_VERSIONS.has(version)) throw new Error(`${where}: unknown version ${version}; decide in KEEP/SKIP_VERSIONS`);
    if (tagText.includes('"')) continue; // private tag with creator: not part of PS3.6
    const m = /^\(([^,]+),([^,]+)\)$/.exec(tagText);
    if (!m) throw new Error(`${where}: cannot parse tag ${tagText}`);
    const group = parseRange(m[1]!, where);
    const element = parseRange(m[2]!, where);
    const elementOverride = ELEMENT_PARITY_OVERRIDES.get(`${m[1]},${m[2]}`);
    if (elementOverride) element.parity = elementOverride;
    if (group.lo === group.hi && (group.lo & 1) === 1) continue; // odd group: private
    const single = group.lo === group.hi && element.lo === element.hi;
    const tagNum = single ? ((group.lo << 16) | element.lo) >>> 0 : undefined;
    const keyword = keywordRaw.startsWith('RETIRED_') ? keywordRaw.slice('RETIRED_'.length) : keywordRaw;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(keyword)) throw new Error(`${where}: odd keyword ${keywordRaw}`);
    if (!/^\d+(-(\d*n|\d+))?$/.test(vm)) throw new Error(`${where}: odd VM ${vm}`);
    entries.push({
      group,
      element,
      vrs: vrSet(vrCode, tagNum, where),
      vm,
      keyword,
      retired: version === 'DICOM/retired',
      line: i + 1,
    });
  }
  return { entries, edition };
}

// ---------------------------------------------------------------------------------------------
// pydicom _dicom_dict.py and _uid_dict.py (parsed as text: the files are generated and rigid)

interface PyTag {
  vr: string;
  vm: string;
  name: string;
  retired: boolean;
  keyword: string;
}

function parsePydicomTags(text: string): { plain: Map<number, PyTag>; masks: Map<string, PyTag> } {
  const plain = new Map<number, PyTag>();
  const masks = new Map<string, PyTag>();
  const re = /^ {4}(?:0x([0-9A-F]{8})|'([0-9A-Fx]{8})'): \('([^']*)', '([^']*)', "([^"\\]*)", '(Retired|)', '([A-Za-z0-9]*)'\),?\s+# noqa$/gm;
  let expected = 0;
  for (const line of text.split('\n')) if (/^ {4}(0x|')[0-9A-Fa-fx]{8}'?:/.test(line)) expected++;
  for (const m of text.matchAll(re)) {
    const entry: PyTag = { vr: m[3]!, vm: m[4]!, name: m[5]!, retired: m[6] === 'Retired', keyword: m[7]! };
    if (m[1] !== undefined) plain.set(parseInt(m[1], 16), entry);
    else masks.set(m[2]!, entry);
  }
  if (plain.size + masks.size !== expected) {
    throw new Error(`pydicom _dicom_dict.py: parsed ${plain.size + masks.size} of ${expected} entries`);
  }
  return { plain, masks };
}

interface PyUid {
  uid: string;
  name: string;
  type: string;
  info: string;
  retired: boolean;
  keyword: string;
}

function parsePydicomUids(text: string): PyUid[] {
  const out: PyUid[] = [];
  const re = /^ {4}'([0-9.]+)': \('([^'\\]*)', '([^'\\]*)', '([^'\\]*)', '(Retired|)', '([A-Za-z0-9_]*)'\),?\s+# noqa$/gm;
  let expected = 0;
  for (const line of text.split('\n')) if (/^ {4}'[0-9.]+':/.test(line)) expected++;
  for (const m of text.matchAll(re)) {
    out.push({ uid: m[1]!, name: m[2]!, type: m[3]!, info: m[4]!, retired: m[5] === 'Retired', keyword: m[6]! });
  }
  if (out.length !== expected) throw new Error(`pydicom _uid_dict.py: parsed ${out.length} of ${expected} entries`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Names

/** "AcquisitionUID" → "Acquisition UID", "SOPClassUID" → "SOP Class UID". */
function nameFromKeyword(keyword: string): string {
  return keyword
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-zA-Z])([0-9])/g, '$1 $2');
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** Does a pydicom mask such as '60xx3000' or '002031xx' cover the tag (group, element)? */
function maskMatches(mask: string, group: number, element: number): boolean {
  const t = hex4(group) + hex4(element);
  for (let i = 0; i < 8; i++) if (mask[i] !== 'x' && mask[i] !== t[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Output

function escapeTemplate(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

function checkField(s: string, what: string): string {
  if (/[\t\n\r]/.test(s)) throw new Error(`${what} contains a tab or newline: ${JSON.stringify(s)}`);
  return s;
}

function packageVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const dicText = readFileSync(opts.dcmtkDic, 'utf8');
  const pyTagFile = join(opts.pydicomDir, '_dicom_dict.py');
  const pyUidFile = join(opts.pydicomDir, '_uid_dict.py');
  const pyTags = parsePydicomTags(readFileSync(pyTagFile, 'utf8'));
  const pyUids = parsePydicomUids(readFileSync(pyUidFile, 'utf8'));
  const pyVersionText = readFileSync(join(opts.pydicomDir, '_version.py'), 'utf8');
  const pyVersion = /__version__: str = '([^']+)'/.exec(pyVersionText)?.[1] ?? 'unknown';
  const pyEdition = /__dicom_version__: str = '([^']+)'/.exec(pyVersionText)?.[1] ?? 'unknown';
  const { entries, edition } = parseDcmtk(dicText, opts.dcmtkDic);

  const dcmtkPkg = `libdcmtk17 ${packageVersion('libdcmtk17')}`;
  const pydicomPkg = `python3-pydicom ${packageVersion('python3-pydicom')}`;
  const sources =
    `${opts.dcmtkDic} (Debian ${dcmtkPkg}, DICOM PS3.6 ${edition}) and ` +
    `${pyTagFile} (Debian ${pydicomPkg}, pydicom ${pyVersion}, DICOM ${pyEdition}) for names`;

  // Plain tags: later entries in dicom.dic override earlier ones ("Entries may override").
  const plain = new Map<number, DicEntry>();
  const repeating: DicEntry[] = [];
  for (const e of entries) {
    if (e.group.lo === e.group.hi && e.element.lo === e.element.hi) plain.set(((e.group.lo << 16) | e.element.lo) >>> 0, e);
    else repeating.push(e);
  }

  let pydicomNames = 0;
  let derivedNames = 0;
  const derived: string[] = [];
  const nameFor = (e: DicEntry): string => {
    let py: PyTag | undefined;
    if (e.group.lo === e.group.hi && e.element.lo === e.element.hi) {
      py = pyTags.plain.get(((e.group.lo << 16) | e.element.lo) >>> 0);
    }
    if (!py || py.keyword !== e.keyword) {
      // Repeating groups, and DCMTK's single examples of ACR-NEMA masks ((0028,0410) for 002804x0).
      py = undefined;
      for (const [mask, p] of pyTags.masks) {
        if (p.keyword === e.keyword && maskMatches(mask, e.group.lo, e.element.lo)) py = p;
      }
    }
    if (py && py.keyword === e.keyword && py.name !== '') {
      pydicomNames++;
      return py.name;
    }
    derivedNames++;
    derived.push(e.keyword);
    return nameFromKeyword(e.keyword);
  };

  const keywords = new Map<string, string>();
  const claimKeyword = (kw: string, where: string): void => {
    const prev = keywords.get(kw);
    if (prev !== undefined) throw new Error(`keyword ${kw} used twice: ${prev} and ${where}`);
    keywords.set(kw, where);
  };

  const tagLines: string[] = [];
  const constantLines: string[] = [];
  for (const t of [...plain.keys()].sort((a, b) => a - b)) {
    const e = plain.get(t)!;
    claimKeyword(e.keyword, `line ${e.line}`);
    const hex = t.toString(16).toUpperCase().padStart(8, '0');
    constantLines.push(`  ${e.keyword}: 0x${hex},${e.retired ? ' // retired' : ''}`);
    tagLines.push(
      [
        t.toString(16).toUpperCase().padStart(8, '0'),
        e.vrs.join('/'),
        e.vm,
        e.keyword,
        checkField(nameFor(e), e.keyword),
        ...(e.retired ? ['R'] : []),
      ].join('\t'),
    );
  }

  repeating.sort((a, b) => a.group.lo - b.group.lo || a.element.lo - b.element.lo || a.group.hi - b.group.hi);
  const repLines: string[] = [];
  for (const e of repeating) {
    claimKeyword(e.keyword, `line ${e.line}`);
    repLines.push(
      [
        hex4(e.group.lo),
        hex4(e.group.hi),
        e.group.lo === e.group.hi ? 'u' : e.group.parity,
        hex4(e.element.lo),
        hex4(e.element.hi),
        e.element.lo === e.element.hi ? 'u' : e.element.parity,
        e.vrs.join('/'),
        e.vm,
        e.keyword,
        checkField(nameFor(e), e.keyword),
        ...(e.retired ? ['R'] : []),
      ].join('\t'),
    );
  }

  const tagsTs = `// GENERATED by scripts/gen-dictionary.ts from ${sources} — do not edit
/* eslint-disable */

/** Number of plain (single-tag) entries in TAG_DATA. */
export const TAG_COUNT = ${tagLines.length};

/** Number of repeating-group and element-range entries in REPEATING_TAG_DATA. */
export const REPEATING_TAG_COUNT = ${repLines.length};

/** How many names came from pydicom (${pydicomNames}) and how many were derived from the keyword (${derivedNames}). */
export const NAME_SOURCES = { pydicom: ${pydicomNames}, derived: ${derivedNames} } as const;

/**
 * One entry per line, sorted by tag: tag (8 hex digits) TAB VRs ('/'-separated, in PS3.6 order;
 * empty for items and delimiters) TAB VM TAB keyword TAB name, then TAB 'R' if retired.
 */
export const TAG_DATA = \`${escapeTemplate(tagLines.join('\n'))}\`;

/**
 * Repeating groups and element ranges, one per line: group low TAB group high TAB group parity
 * TAB element low TAB element high TAB element parity (e even, o odd, u all) TAB VRs TAB VM TAB
 * keyword TAB name, then TAB 'R' if retired.
 */
export const REPEATING_TAG_DATA = \`${escapeTemplate(repLines.join('\n'))}\`;
`;

  const constantsTs = `// GENERATED by scripts/gen-dictionary.ts from ${sources} — do not edit
/* eslint-disable */

const TAGS = {
${constantLines.join('\n')}
} as const;

/** A keyword of a plain PS3.6 data element. */
export type TagKeyword = keyof typeof TAGS;

/**
 * Every plain (single-tag) PS3.6 data element by keyword: \`Tags.PatientName\` is 0x00100010,
 * the tag as one number (group in the high 16 bits), the same value \`tag(0x0010, 0x0010)\`
 * gives. Code names tags through this table instead of writing the numbers by hand, so a typo
 * is a type error. Repeating groups ((60xx,3000) …) have no constant: build them with tag().
 * Values are typed as plain tags (numbers), so that they mix with tags read from data.
 */
export const Tags: { readonly [K in TagKeyword]: number } = TAGS;
`;

  const uidLines: string[] = [];
  const uidSeen = new Set<string>();
  const uidKeywords = new Set<string>();
  for (const u of [...pyUids].sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0))) {
    if (uidSeen.has(u.uid)) throw new Error(`UID ${u.uid} listed twice`);
    uidSeen.add(u.uid);
    if (u.keyword !== '') {
      if (uidKeywords.has(u.keyword)) throw new Error(`UID keyword ${u.keyword} used twice`);
      uidKeywords.add(u.keyword);
    }
    uidLines.push(
      [
        u.uid,
        checkField(u.type, u.uid),
        u.retired ? 'R' : '-',
        u.keyword,
        checkField(u.name, u.uid),
        ...(u.info !== '' ? [checkField(u.info, u.uid)] : []),
      ].join('\t'),
    );
  }

  const uidsTs = `// GENERATED by scripts/gen-dictionary.ts from ${pyUidFile} (Debian ${pydicomPkg}, pydicom ${pyVersion}, DICOM PS3.6 ${pyEdition}) — do not edit
/* eslint-disable */

/** Number of entries in UID_DATA. */
export const UID_COUNT = ${uidLines.length};

/**
 * One UID per line, sorted by UID text: UID TAB type TAB 'R' if retired else '-' TAB keyword
 * (may be empty) TAB name, then TAB info when there is one.
 */
export const UID_DATA = \`${escapeTemplate(uidLines.join('\n'))}\`;
`;

  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, 'tags.generated.ts'), tagsTs);
  writeFileSync(join(opts.out, 'tag-constants.generated.ts'), constantsTs);
  writeFileSync(join(opts.out, 'uids.generated.ts'), uidsTs);
  process.stderr.write(
    `gen-dictionary: ${tagLines.length} tags + ${repLines.length} repeating, ${uidLines.length} UIDs ` +
      `(names: ${pydicomNames} pydicom, ${derivedNames} derived: ${derived.join(' ')}) → ${opts.out}\n`,
  );
}

main();
