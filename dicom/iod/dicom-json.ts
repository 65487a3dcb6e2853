/**
 * The DICOM JSON Model (PS3.18 Annex F), both ways, for worklist entries:
 * - `toDicomJson`: DataSet → JSON (`sonicart worklist --format json`). Text is decoded through
 *   the data set's own Specific Character Set, so the output is plain Unicode whatever the peer
 *   sent; a value that cannot be decoded is not dropped but shown escaped (\xNN).
 * - `dataSetFromDicomJson`: JSON → DataSet (`capture --patient FILE.json`). The JSON is checked
 *   against the model first, and every problem is named by its JSON path
 *   (`$["00100010"].Value[0]: expected an object with Alphabetic…`), never by what JavaScript
 *   happened to trip over. Text is encoded in the entry's own character set when that can hold
 *   it, otherwise in UTF-8 (ISO_IR 192), so a name is never lost to a character set.
 */
import { CharsetError, DicomError, formatTag, parseTag, SPECIFIC_CHARACTER_SET, VR_TABLE, type Tag, type VR } from '../core/index.js';
import { escapeBytes } from '../charset/index.js';
import { DataSet, type Element } from '../dataset/index.js';
import { IodError } from './errors.js';

export interface JsonPersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}
export type JsonValue = string | number | null | JsonPersonName | DicomJson;
export interface JsonAttribute {
  vr: string;
  Value?: JsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJson = { [tag: string]: JsonAttribute };

/**
 * Sequences nested deeper than this are refused. A worklist entry nests at most three deep
 * (Scheduled Procedure Step → Scheduled Protocol Code → its modifiers); 32 leaves room for any
 * real object while keeping a hostile file from exhausting the stack.
 */
export const MAX_JSON_SEQUENCE_DEPTH = 32;

// ---------------------------------------------------------------------------------------------
// DataSet → JSON

/** PS3.18 F.2.1.1: the tag as 8 uppercase hex digits. */
export function jsonKey(t: Tag): string {
  return formatTag(t).replace(/[(),]/g, '').toUpperCase();
}

function personNameJson(v: string): JsonPersonName | null {
  if (v === '') return null;
  const [a, i, p] = v.split('=');
  const out: JsonPersonName = {};
  if (a) out.Alphabetic = a;
  if (i) out.Ideographic = i;
  if (p) out.Phonetic = p;
  return out;
}

function texts(ds: DataSet, el: Element): string[] {
  try {
    return ds.strings(el.tag) ?? [];
  } catch {
    return [escapeBytes(el.bytes ?? new Uint8Array(0))];
  }
}

function attribute(ds: DataSet, el: Element): JsonAttribute {
  const info = VR_TABLE[el.vr];
  const v = el.value;
  if (v.type === 'sequence') return v.items.length ? { vr: 'SQ', Value: v.items.map(toDicomJson) } : { vr: 'SQ' };
  if (v.type !== 'raw') return { vr: el.vr }; // bulk or encapsulated pixel data: not in a worklist
  if (v.bytes.length === 0) return { vr: el.vr };
  switch (info.kind) {
    case 'person-name':
      return { vr: el.vr, Value: texts(ds, el).map(personNameJson) };
    case 'string':
      if (el.vr === 'IS' || el.vr === 'DS') {
        try {
          return { vr: el.vr, Value: ds.numbers(el.tag)!.map((n) => (Number.isFinite(n) ? n : null)) };
        } catch {
          return { vr: el.vr, Value: texts(ds, el) };
        }
      }
      return { vr: el.vr, Value: texts(ds, el).map((s) => (s === '' ? null : s)) };
    case 'text':
      return { vr: el.vr, Value: texts(ds, el) };
    case 'number':
      return { vr: el.vr, Value: ds.numbers(el.tag) ?? [] };
    case 'tag':
      return { vr: el.vr, Value: (ds.numbers(el.tag) ?? []).map((t) => jsonKey(t)) };
    case 'bytes':
      return { vr: el.vr, InlineBinary: base64Encode(v.bytes) };
    case 'sequence':
      return { vr: el.vr };
  }
}

export function toDicomJson(ds: DataSet): DicomJson {
  const out: DicomJson = {};
  for (const el of ds) out[jsonKey(el.tag)] = attribute(ds, el);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON → DataSet

const NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'DS', 'IS', 'UV', 'SV']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);
const PN_PARTS = ['Alphabetic', 'Ideographic', 'Phonetic'] as const;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const bad = (path: string, problem: string): IodError => new IodError('IOD_BAD_JSON', `${path}: ${problem}`);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks `obj` (at `path`) against the DICOM JSON Model: 8-hex-digit keys, a known two-letter
 * VR, `Value` an array of what that VR holds, sequences of objects no deeper than
 * MAX_JSON_SEQUENCE_DEPTH. Iterative, so no input can overflow the stack.
 */
function checkModel(root: unknown): asserts root is DicomJson {
  const stack: { obj: unknown; path: string; depth: number }[] = [{ obj: root, path: '$', depth: 0 }];
  while (stack.length > 0) {
    const { obj, path, depth } = stack.pop()!;
    if (!isObject(obj)) throw bad(path, `expected an object of attributes, got ${describe(obj)}`);
    for (const [key, attr] of Object.entries(obj)) {
      const at = `${path}[${JSON.stringify(key)}]`;
      if (!/^[0-9A-Fa-f]{8}$/.test(key)) throw bad(at, 'not a DICOM JSON tag key (8 hex digits)');
      if (!isObject(attr)) throw bad(at, `expected an attribute object with "vr", got ${describe(attr)}`);
      const vr = attr['vr'];
      if (typeof vr !== 'string' || !(vr in VR_TABLE)) throw bad(`${at}.vr`, `expected a DICOM VR such as "PN", got ${describe(vr)}`);
      if (attr['InlineBinary'] !== undefined) {
        if (!BINARY_VRS.has(vr)) throw bad(`${at}.InlineBinary`, `not allowed for VR ${vr}`);
        if (typeof attr['InlineBinary'] !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(attr['InlineBinary'])) throw bad(`${at}.InlineBinary`, 'expected a base64 string');
      }
      if (attr['BulkDataURI'] !== undefined) throw bad(`${at}.BulkDataURI`, 'bulk data by reference cannot be fetched here; give the value inline');
      const values = attr['Value'];
      if (values === undefined) continue;
      if (!Array.isArray(values)) throw bad(`${at}.Value`, `expected an array, got ${describe(values)}`);
      if (BINARY_VRS.has(vr)) throw bad(`${at}.Value`, `VR ${vr} takes InlineBinary, not Value`);
      for (const [i, v] of values.entries()) {
        const vp = `${at}.Value[${i}]`;
        if (vr === 'SQ') {
          if (depth + 1 > MAX_JSON_SEQUENCE_DEPTH) throw bad(vp, `sequences nested more than ${MAX_JSON_SEQUENCE_DEPTH} deep`);
          stack.push({ obj: v ?? {}, path: vp, depth: depth + 1 });
        } else if (vr === 'PN') {
          if (v === null) continue;
          if (!isObject(v) || Object.keys(v).some((k) => !(PN_PARTS as readonly string[]).includes(k)) || PN_PARTS.some((p) => v[p] !== undefined && typeof v[p] !== 'string')) {
            throw bad(vp, `expected an object with Alphabetic, Ideographic and/or Phonetic strings, got ${describe(v)}`);
          }
        } else if (NUMBER_VRS.has(vr)) {
          // PS3.18 F.2.3.1: numbers; IS and DS may come as strings holding a number.
          const ok = v === null || (typeof v === 'number' && Number.isFinite(v)) || ((vr === 'IS' || vr === 'DS') && typeof v === 'string' && Number.isFinite(Number(v)) && v.trim() !== '');
          if (!ok) throw bad(vp, `expected a number for VR ${vr}, got ${describe(v)}`);
        } else if (vr === 'AT') {
          if (typeof v !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(v)) throw bad(vp, `expected a tag as 8 hex digits, got ${describe(v)}`);
        } else if (v !== null && typeof v !== 'string') {
          throw bad(vp, `expected a string for VR ${vr}, got ${describe(v)}`);
        }
      }
    }
  }
}

function personName(v: JsonPersonName | null): string {
  if (v === null) return '';
  return [v.Alphabetic ?? '', v.Ideographic ?? '', v.Phonetic ?? ''].join('=').replace(/=+$/, '');
}

/** Fills `ds` from a checked object; nesting is bounded by checkModel. */
function fill(ds: DataSet, obj: DicomJson): void {
  // Specific Character Set is set by the caller: every other string is encoded through it.
  for (const key of Object.keys(obj).sort()) {
    const tag = parseTag(key);
    if (tag === SPECIFIC_CHARACTER_SET) continue;
    const attr = obj[key]!;
    const vr = attr.vr as VR;
    const values = attr.Value ?? [];
    if (vr === 'SQ') {
      ds.putSequence(
        tag,
        values.map((item) => {
          const child = new DataSet(ds);
          fill(child, (item ?? {}) as DicomJson);
          return child;
        }),
      );
    } else if (BINARY_VRS.has(vr)) {
      ds.put(tag, vr, { type: 'raw', bytes: attr.InlineBinary ? base64Decode(attr.InlineBinary) : new Uint8Array(0) });
    } else if (NUMBER_VRS.has(vr)) {
      ds.putNumbers(tag, vr, values.filter((v) => v !== null).map((v) => Number(v)));
    } else if (vr === 'AT') {
      ds.putNumbers(tag, vr, values.map((v) => parseTag(String(v))));
    } else if (vr === 'PN') {
      ds.putStrings(tag, vr, values.map((v) => personName(v as JsonPersonName | null)));
    } else {
      ds.putStrings(tag, vr, values.map((v) => (v === null ? '' : String(v))));
    }
  }
}

/** The (0008,0005) terms an entry declares ('' for an empty first value, as in `\ISO 2022 IR 87`). */
export function declaredCharset(obj: DicomJson): string[] {
  const v = obj['00080005']?.Value;
  return v ? v.map((t) => (t === null ? '' : String(t))) : [];
}

/**
 * Reads one DICOM JSON object (or an array holding exactly one). Throws IodError(IOD_BAD_JSON)
 * naming the JSON path of the first problem. The result carries (0008,0005): the declared one
 * when it can encode every value, else ISO_IR 192.
 */
export function dataSetFromDicomJson(json: unknown): DataSet {
  if (Array.isArray(json) && json.length !== 1) throw bad('$', `expected one DICOM JSON object (or an array holding one), got an array of ${json.length}`);
  const [obj, path] = Array.isArray(json) ? [json[0] as unknown, '$[0]'] : [json, '$'];
  try {
    checkModel(obj);
  } catch (e) {
    // Paths inside an array are given from the array.
    if (e instanceof IodError && path !== '$') throw new IodError('IOD_BAD_JSON', e.message.replace(/^\$/, path));
    throw e;
  }
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

// ---------------------------------------------------------------------------------------------
// base64 (RFC 4648), here because dicom/ has no Buffer.

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (b === undefined ? '=' : B64[(n >> 6) & 63]!) + (c === undefined ? '=' : B64[n & 63]!);
  }
  return out;
}

export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const c of clean) {
    acc = ((acc << 6) | B64.indexOf(c)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, j);
}
