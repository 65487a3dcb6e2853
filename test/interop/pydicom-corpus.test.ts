/**
 * Every file of the third-party corpus Debian's pydicom ships is either read correctly or
 * refused with our typed error; none crashes the reader. "Correctly" is checked against
 * pydicom: the top-level elements, their VRs (explicit syntaxes) and their text values.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DicomError, formatTag } from '../../dicom/core/index.js';
import { readPart10, type Part10File } from '../../dicom/part10/index.js';
import { PYDICOM_DATA, runPython } from '../helpers/run-tool.js';

const DIRS = ['test_files', 'charset_files', 'test_files/dicomdirtests'].map((d) => join(PYDICOM_DATA, d));
const TEXT_VRS = ['AE', 'AS', 'CS', 'DA', 'DT', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UI', 'UT', 'UC', 'UR'];

/** What pydicom sees in each file: for each top-level text element, its VR and values. */
const PYDICOM_SCRIPT = `
import sys, json, warnings
warnings.simplefilter('ignore')
import pydicom
from pydicom.multival import MultiValue
TEXT = set(${JSON.stringify(TEXT_VRS)})
out = {}
for path in sys.argv[1:]:
    try:
        ds = pydicom.dcmread(path, force=True)
        elems = {}
        for el in ds:
            if el.VR in TEXT:
                v = el.value
                vals = [str(x) for x in v] if isinstance(v, MultiValue) else ([] if v is None or v == '' else [str(v)])
                elems['%08X' % el.tag] = [el.VR, vals]
        out[path] = {'ok': True, 'explicit': not ds.is_implicit_VR, 'elements': elems}
    except Exception as e:
        out[path] = {'ok': False, 'error': type(e).__name__ + ': ' + str(e)}
print(json.dumps(out))
`;

interface PyResult {
  ok: boolean;
  explicit?: boolean;
  elements?: Record<string, [string, string[]]>;
  error?: string;
}

/** Files of the corpus that are broken on purpose, and the error we give for each. */
const EXPECTED_REFUSALS: string[] = [
  // Pixel data cut short (pydicom's own "truncated" sample).
  'test_files/MR_truncated.dcm: PARSE_LENGTH_PAST_END: (7FE0,0010) OW value length 8192 runs past the end of the data (8130 bytes left)',
  // Starts with a stray byte: neither DICM nor a data set (dcmdump fails on it too).
  'test_files/no_meta.dcm: PARSE_NOT_DICOM: not a DICOM file: no "DICM" at byte 128 and no data set at byte 0',
  'test_files/rtplan_truncated.dcm: PARSE_LENGTH_PAST_END: (300A,00B0) SQ length 976 runs past the end of the data (711 bytes left)',
  // Offsets were removed from the records without fixing the item lengths: an inconsistent
  // DICOMDIR, which an FSU must refuse rather than trust.
  'test_files/dicomdirtests/DICOMDIR-nooffset: PARSE_LENGTH_PAST_END: item length 248 runs past the end of the data (224 bytes left)',
];

let files: string[] = [];
let pydicom: Record<string, PyResult> = {};

beforeAll(async () => {
  for (const d of DIRS) {
    for (const name of await readdir(d)) {
      const p = join(d, name);
      if ((await stat(p)).isFile() && !/\.(txt|json|dump|gz|py)$/i.test(name)) files.push(p);
    }
  }
  const r = await runPython(PYDICOM_SCRIPT, files, 120_000);
  expect(r.code, r.stderr).toBe(0);
  pydicom = JSON.parse(r.stdout) as Record<string, PyResult>;
});

function read(bytes: Uint8Array): Part10File {
  return readPart10(bytes, { inflateRaw: (b) => inflateRawSync(b) });
}

describe('the pydicom corpus', () => {
  it('has files to read', () => expect(files.length).toBeGreaterThan(80));

  it('every file is read, or refused with a typed DicomError', async () => {
    const refused: string[] = [];
    for (const f of files) {
      const bytes = new Uint8Array(await readFile(f));
      try {
        read(bytes);
      } catch (e) {
        if (!(e instanceof DicomError)) throw new Error(`${f}: not a DicomError: ${String(e)}`, { cause: e });
        refused.push(`${f.slice(PYDICOM_DATA.length + 1)}: ${e.code}: ${e.message}`);
      }
    }
    // Exactly these are refused, each for the reason given; anything else must be read.
    expect(refused.map((r) => r.replace(/ at byte \d+$/, ''))).toEqual(EXPECTED_REFUSALS);
  });

  it('text values agree with pydicom for every file both read', async () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const f of files) {
      const py = pydicom[f];
      if (!py?.ok || !py.elements) continue;
      let ours: Part10File;
      try {
        ours = read(new Uint8Array(await readFile(f)));
      } catch {
        continue; // covered by the test above
      }
      for (const [hex, [vr, values]] of Object.entries(py.elements)) {
        const t = parseInt(hex, 16);
        if (t >>> 16 === 0x0002) continue;
        const el = ours.dataset.get(t);
        if (!el) {
          mismatches.push(`${f}: ${formatTag(t)} missing`);
          continue;
        }
        if (py.explicit && el.vr !== vr && !(vr === 'UN' || el.vr === 'UN')) mismatches.push(`${f}: ${formatTag(t)} VR ${el.vr} ≠ ${vr}`);
        let got: string[];
        try {
          got = ours.dataset.strings(t) ?? [];
        } catch (e) {
          if (e instanceof DicomError) {
            mismatches.push(`${f}: ${formatTag(t)}: ${e.code} where pydicom decoded ${JSON.stringify(values)}`);
            continue;
          }
          throw e;
        }
        compared++;
        // pydicom drops empty trailing PN component groups ("A^B=" → "A^B"); the bytes keep them.
        const norm = (a: string[]): string[] =>
          a.map((s) => (vr === 'PN' ? s.replace(/[=^]+$/, '') : s).trim()).filter((s, i, all) => s !== '' || all.length > 1);
        if (JSON.stringify(norm(got)) !== JSON.stringify(norm(values))) {
          mismatches.push(`${f}: ${formatTag(t)} ${vr}: ours ${JSON.stringify(got)} pydicom ${JSON.stringify(values)}`);
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(mismatches).toEqual([]);
  });
});
