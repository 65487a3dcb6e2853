/**
 * Setting attributes by keyword, with the VR from the PS3.6 dictionary, so the builders read like
 * the module tables of PS3.3.
 */
import { DataSet } from '../dataset/index.js';
import { tagForKeyword, lookupTag } from '../dictionary/index.js';
import type { VR } from '../core/index.js';
import { IodError } from './errors.js';

const NUMERIC: ReadonlySet<VR> = new Set<VR>(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'DS', 'IS', 'AT', 'UV', 'SV']);

function entry(keyword: string): { tag: number; vr: VR } {
  const tag = tagForKeyword(keyword);
  const e = tag === undefined ? undefined : lookupTag(tag);
  if (tag === undefined || !e) throw new IodError('IOD_UNSUPPORTED', `no attribute named ${keyword} in the dictionary`);
  return { tag, vr: e.vr };
}

export function tagOf(keyword: string): number {
  return entry(keyword).tag;
}

/** Sets a string or number attribute. `undefined` leaves it out; `''`/[] writes it empty (Type 2). */
export function put(ds: DataSet, keyword: string, value: string | number | readonly (string | number)[] | undefined, vr?: VR): void {
  if (value === undefined) return;
  const e = entry(keyword);
  const v = vr ?? e.vr;
  const list = Array.isArray(value) ? value : value === '' ? [] : [value];
  if (NUMERIC.has(v)) {
    const nums = list.map((x) => (typeof x === 'number' ? x : Number(x)));
    if (nums.some((n) => !Number.isFinite(n))) throw new IodError('IOD_BAD_VALUE', `${keyword}: not a number: ${JSON.stringify(value)}`);
    ds.putNumbers(e.tag, v, nums);
  } else {
    ds.putStrings(e.tag, v, list.map(String));
  }
}

export function putEmpty(ds: DataSet, keyword: string): void {
  const e = entry(keyword);
  if (e.vr === 'SQ') ds.putSequence(e.tag, []);
  else ds.put(e.tag, e.vr, { type: 'raw', bytes: new Uint8Array(0) });
}

export function putItems(ds: DataSet, keyword: string, items: DataSet[]): void {
  ds.putSequence(entry(keyword).tag, items);
}

/** Copies an attribute as it is (raw bytes, or a sequence re-parented here) when `from` has it. */
export function copy(from: DataSet, to: DataSet, keyword: string, as?: string): boolean {
  const src = from.get(entry(keyword).tag);
  if (!src) return false;
  const target = entry(as ?? keyword).tag;
  if (src.value.type === 'sequence') to.putSequence(target, src.value.items.map((item) => cloneDataSet(item)));
  else if (src.value.type === 'raw') to.put(target, src.vr, src.value);
  else return false;
  return true;
}

/** A deep copy of a data set (raw values shared; they are never mutated). */
export function cloneDataSet(ds: DataSet): DataSet {
  const out = new DataSet();
  for (const el of ds) {
    if (el.value.type === 'sequence') out.putSequence(el.tag, el.value.items.map(cloneDataSet));
    else out.set(el);
  }
  return out;
}
