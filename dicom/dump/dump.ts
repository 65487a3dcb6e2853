import { CharsetError, DicomError } from '../core/errors.js';
import { MAX_SEQUENCE_DEPTH } from '../core/limits.js';
import { PIXEL_DATA, formatTag } from '../core/tag.js';
import { VR_TABLE } from '../core/vr.js';
import { escapeBytes } from '../charset/index.js';
import type { DataSet } from '../dataset/dataset.js';
import type { Element } from '../dataset/element.js';
import { lookupTag } from '../dictionary/index.js';

/** How many values or bytes of a long value are shown before it is cut with "…". */
const MAX_SHOWN_VALUES = 16;
const MAX_SHOWN_CHARS = 120;

/**
 * A data set as text, one element per line like `dcmdump`: tag, VR, value, keyword. Items are
 * indented. Text is decoded to Unicode; what cannot be decoded is shown escaped with the
 * reason. Pixel data and other bulk values are summarised, never printed. Iterative, so any
 * depth that can be read can be dumped.
 */
export function* dumpLines(ds: DataSet, indentUnit = '  '): Generator<string> {
  type Frame = { kind: 'dataset'; elements: Element[]; index: number; ds: DataSet; depth: number } | { kind: 'line'; text: string };
  const stack: Frame[] = [{ kind: 'dataset', elements: [...ds], index: 0, ds, depth: 0 }];
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.kind === 'line') {
      stack.pop();
      yield f.text;
      continue;
    }
    if (f.index >= f.elements.length) {
      stack.pop();
      continue;
    }
    const el = f.elements[f.index++]!;
    const pad = indentUnit.repeat(f.depth);
    const keyword = lookupTag(el.tag)?.keyword ?? ((el.tag >>> 16) % 2 === 1 ? privateName(el) : 'Unknown');
    const head = `${pad}${formatTag(el.tag)} ${el.vr}`;
    const v = el.value;
    if (v.type === 'sequence') {
      // depth counts indent steps: two per sequence level. The limit keeps the output linear in
      // the input (the indentation of a line is bounded), whoever built the data set.
      if (f.depth / 2 + 1 > MAX_SEQUENCE_DEPTH) {
        throw new DicomError('DUMP_NESTING_TOO_DEEP', `${formatTag(el.tag)} opens sequence level ${MAX_SEQUENCE_DEPTH + 1}; at most ${MAX_SEQUENCE_DEPTH} are shown`);
      }
      yield `${head} (Sequence, ${v.items.length} item${v.items.length === 1 ? '' : 's'})  # ${keyword}`;
      // Pushed in reverse so that the first item comes out first, each after its header line.
      for (let i = v.items.length - 1; i >= 0; i--) {
        const item = v.items[i]!;
        stack.push({ kind: 'dataset', elements: [...item], index: 0, ds: item, depth: f.depth + 2 });
        stack.push({ kind: 'line', text: `${pad}${indentUnit}(FFFE,E000) item ${i + 1}` });
      }
      continue;
    }
    yield `${head} ${valueText(el, f.ds)}  # ${keyword}`;
  }
}

function privateName(el: Element): string {
  return (el.tag & 0xffff) >= 0x0010 && (el.tag & 0xffff) <= 0x00ff ? 'PrivateCreator' : 'PrivateTag';
}

function valueText(el: Element, ds: DataSet): string {
  const v = el.value;
  switch (v.type) {
    case 'bulk':
      return `(${v.encapsulated ? 'encapsulated, ' : ''}${v.length} bytes at offset ${v.offset}, not loaded)`;
    case 'encapsulated': {
      const total = v.fragments.reduce((n, f) => n + f.length, 0);
      return `(encapsulated: offset table ${v.offsetTable.length} bytes, ${v.fragments.length} fragments, ${total} bytes)`;
    }
    case 'sequence':
      return '';
    case 'raw':
      break;
  }
  const bytes = v.bytes;
  if (el.tag === PIXEL_DATA) return `(${bytes.length} bytes of pixel data)`;
  const info = VR_TABLE[el.vr];
  try {
    switch (info.kind) {
      case 'string':
      case 'text':
      case 'person-name': {
        const values = ds.strings(el.tag) ?? [];
        if (values.length === 0) return '(no value)';
        return `[${cut(values.join('\\'))}]`;
      }
      case 'number': {
        const n = ds.numbers(el.tag) ?? [];
        if (n.length === 0) return '(no value)';
        return cut(n.slice(0, MAX_SHOWN_VALUES).join('\\') + (n.length > MAX_SHOWN_VALUES ? `\\… (${n.length} values)` : ''));
      }
      case 'tag': {
        const n = ds.numbers(el.tag) ?? [];
        return n.length === 0 ? '(no value)' : n.map(formatTag).join('\\');
      }
      case 'bytes':
      case 'sequence':
        break;
    }
  } catch (e) {
    if (e instanceof CharsetError) return `(undecodable: ${escapeBytes(bytes)}) ${e.code}`;
    if (e instanceof DicomError) return `(invalid: ${escapeBytes(bytes.subarray(0, 64))}) ${e.code}`;
    throw e;
  }
  if (bytes.length === 0) return '(no value)';
  const shown = Array.from(bytes.subarray(0, MAX_SHOWN_VALUES), (b) => b.toString(16).padStart(2, '0')).join('\\');
  return `${shown}${bytes.length > MAX_SHOWN_VALUES ? `\\… (${bytes.length} bytes)` : ''}`;
}

function cut(s: string): string {
  return s.length > MAX_SHOWN_CHARS ? `${s.slice(0, MAX_SHOWN_CHARS)}… (${s.length} chars)` : s;
}
