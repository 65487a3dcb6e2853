/**
 * DataSet → DICOM JSON Model (PS3.18 Annex F), for `sonicart worklist --format json`. Text is
 * decoded through each data set's own Specific Character Set, so the output is plain Unicode
 * whatever the peer sent. A value that cannot be decoded is not dropped: it appears escaped
 * (\xNN) with the element's VR, as the rest of the device shows such values.
 */
import { VR_TABLE, formatTag, type Tag } from '../../dicom/core/index.js';
import { escapeBytes } from '../../dicom/charset/index.js';
import type { DataSet, Element } from '../../dicom/dataset/index.js';

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
}
export type DicomJson = { [tag: string]: JsonAttribute };

/** PS3.18 F.2.1.1: the tag as 8 uppercase hex digits. */
export function jsonKey(t: Tag): string {
  return formatTag(t).replace(/[(),]/g, '').toUpperCase();
}

function personName(v: string): JsonPersonName | null {
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
      return { vr: el.vr, Value: texts(ds, el).map(personName) };
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
      return { vr: el.vr, InlineBinary: Buffer.from(v.bytes).toString('base64') };
    case 'sequence':
      return { vr: el.vr };
  }
}

export function toDicomJson(ds: DataSet): DicomJson {
  const out: DicomJson = {};
  for (const el of ds) out[jsonKey(el.tag)] = attribute(ds, el);
  return out;
}
