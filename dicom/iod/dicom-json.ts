/**
 * DICOM JSON (PS3.18 Annex F) → DataSet, for worklist entries handed to the cart as JSON (what
 * `sonicart worklist --format json` prints). Text arrives as Unicode; it is encoded in the
 * entry's own Specific Character Set when that can hold it, otherwise in UTF-8 (ISO_IR 192), so
 * a name is never lost to a character set that cannot write it.
 */
import { CharsetError, DicomError, MAX_SEQUENCE_DEPTH, parseTag, SPECIFIC_CHARACTER_SET, type VR } from '../core/index.js';
import { DataSet } from '../dataset/index.js';
import { IodError } from './errors.js';

type JsonValue = string | number | null | { Alphabetic?: string; Ideographic?: string; Phonetic?: string } | JsonObject;
interface JsonAttribute {
  vr?: string;
  Value?: JsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
type JsonObject = Record<string, JsonAttribute>;

const NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'DS', 'IS', 'UV', 'SV']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);

function personName(v: JsonValue): string {
  if (v === null) return '';
  if (typeof v !== 'object') return String(v);
  const p = v as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
  return [p.Alphabetic ?? '', p.Ideographic ?? '', p.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

function base64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const c of clean) {
    acc = (acc << 6) | alphabet.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, j);
}

function fill(ds: DataSet, obj: JsonObject, depth = 0): void {
  // Specific Character Set first: every other string is encoded through it.
  const keys = Object.keys(obj).sort();
  for (const key of keys) {
    if (!/^[0-9A-Fa-f]{8}$/.test(key)) throw new IodError('IOD_BAD_JSON', `not a DICOM JSON tag key: ${JSON.stringify(key)}`);
    const tag = parseTag(key);
    if (tag === SPECIFIC_CHARACTER_SET) continue;
    const attr = obj[key]!;
    const vr = attr.vr as VR | undefined;
    if (!vr || !/^[A-Z]{2}$/.test(vr)) throw new IodError('IOD_BAD_JSON', `${key}: missing or bad "vr"`);
    const values = attr.Value ?? [];
    if (vr === 'SQ') {
      if (depth >= MAX_SEQUENCE_DEPTH) throw new IodError('IOD_BAD_JSON', `${key}: sequences nest deeper than ${MAX_SEQUENCE_DEPTH} levels`);
      const items = values.map((item) => {
        const child = new DataSet(ds);
        fill(child, (item ?? {}) as JsonObject, depth + 1);
        return child;
      });
      ds.putSequence(tag, items);
    } else if (BINARY_VRS.has(vr)) {
      ds.put(tag, vr, { type: 'raw', bytes: attr.InlineBinary ? base64(attr.InlineBinary) : new Uint8Array(0) });
    } else if (NUMBER_VRS.has(vr)) {
      const nums = values.filter((v) => v !== null).map((v) => Number(v));
      if (nums.some((n) => !Number.isFinite(n))) throw new IodError('IOD_BAD_JSON', `${key}: ${vr} value is not a number`);
      ds.putNumbers(tag, vr, nums);
    } else if (vr === 'AT') {
      ds.putNumbers(tag, vr, values.map((v) => parseTag(String(v))));
    } else if (vr === 'PN') {
      ds.putStrings(tag, vr, values.map(personName));
    } else {
      ds.putStrings(tag, vr, values.map((v) => (v === null ? '' : String(v))));
    }
  }
}

/** The (0008,0005) terms an entry declares ('' for an empty first value, as in `\ISO 2022 IR 87`). */
export function declaredCharset(obj: JsonObject): string[] {
  const v = obj['00080005']?.Value;
  return v ? v.map((t) => (t === null ? '' : String(t))) : [];
}

/**
 * Reads one DICOM JSON object. Throws IodError(IOD_BAD_JSON) for a malformed entry. The result
 * carries (0008,0005): the declared one when it can encode every value, else ISO_IR 192.
 */
export function dataSetFromDicomJson(json: unknown): DataSet {
  const obj = (Array.isArray(json) ? json[0] : json) as JsonObject | undefined;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new IodError('IOD_BAD_JSON', 'expected a DICOM JSON object (or an array holding one)');
  const declared = declaredCharset(obj);
  const attempts = declared.length > 0 ? [declared, ['ISO_IR 192']] : [[], ['ISO_IR 192']];
  let last: unknown;
  for (const terms of attempts) {
    const ds = new DataSet();
    if (terms.length > 0) ds.putStrings(SPECIFIC_CHARACTER_SET, 'CS', terms);
    try {
      fill(ds, obj);
      return ds;
    } catch (e) {
      // Only a value the character set cannot hold makes us fall back to UTF-8.
      if (!(e instanceof CharsetError) && !(e instanceof DicomError && e.code === 'ENCODE_NOT_DEFAULT_REPERTOIRE')) throw e;
      last = e;
    }
  }
  throw new IodError('IOD_BAD_JSON', `worklist entry cannot be encoded: ${(last as Error).message}`, { cause: last });
}
