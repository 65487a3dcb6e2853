import { CharsetError, DicomError } from '../core/errors.js';
import { SPECIFIC_CHARACTER_SET, formatTag, type Tag } from '../core/tag.js';
import type { VR } from '../core/vr.js';
import { parseSpecificCharacterSet } from '../charset/index.js';
import { Element, type ElementValue } from './element.js';
import { decodeStrings, encodeStrings } from '../values/strings.js';
import { decodeNumbers, encodeNumbers } from '../values/numbers.js';

/**
 * A data set: elements keyed by tag, iterated in ascending tag order as PS3.5 §7.1 requires.
 * Items of a sequence are data sets whose `parent` is the data set holding the sequence, so
 * that Specific Character Set is inherited as PS3.5 §7.5.3 says.
 */
export class DataSet {
  private readonly elements = new Map<Tag, Element>();
  private sortedTags: Tag[] | undefined = [];
  /** As read, for items: encoded with undefined length and an Item Delimitation Item. */
  undefinedLength = false;

  constructor(public parent?: DataSet) {}

  get size(): number {
    return this.elements.size;
  }

  get(tag: Tag): Element | undefined {
    return this.elements.get(tag);
  }

  has(tag: Tag): boolean {
    return this.elements.has(tag);
  }

  set(element: Element): this {
    const had = this.elements.has(element.tag);
    this.elements.set(element.tag, element);
    if (!had) {
      const sorted = this.sortedTags;
      // Readers append in ascending order; only an out-of-order insert pays for a re-sort.
      if (sorted && (sorted.length === 0 || sorted[sorted.length - 1]! < element.tag)) sorted.push(element.tag);
      else this.sortedTags = undefined;
    }
    return this;
  }

  /** Sets a value without building the Element by hand. */
  put(tag: Tag, vr: VR, value: ElementValue): this {
    return this.set(new Element(tag, vr, value));
  }

  delete(tag: Tag): boolean {
    const had = this.elements.delete(tag);
    if (had) this.sortedTags = undefined;
    return had;
  }

  tags(): readonly Tag[] {
    if (!this.sortedTags) this.sortedTags = [...this.elements.keys()].sort((a, b) => a - b);
    return this.sortedTags;
  }

  *[Symbol.iterator](): IterableIterator<Element> {
    for (const t of this.tags()) yield this.elements.get(t)!;
  }

  /** The Specific Character Set terms in force here: our own (0008,0005), else the parent's. */
  characterSet(): string[] {
    for (let ds: DataSet | undefined = this; ds; ds = ds.parent) {
      const el = ds.elements.get(SPECIFIC_CHARACTER_SET);
      if (el?.value.type === 'raw') {
        return parseSpecificCharacterSet(decodeStrings(el.value.bytes, 'CS', []).join('\\'));
      }
    }
    return [];
  }

  /** All values of a string-like element, decoded through the character set in force. */
  strings(tag: Tag): string[] | undefined {
    const el = this.elements.get(tag);
    if (!el) return undefined;
    if (el.value.type !== 'raw') throw new DicomError('VALUE_NOT_TEXT', `${formatTag(tag)} ${el.vr} holds no text value`);
    try {
      return decodeStrings(el.value.bytes, el.vr, el.vr === 'SQ' ? [] : this.characterSet());
    } catch (e) {
      if (e instanceof CharsetError) {
        throw new CharsetError(e.code, `${formatTag(tag)} ${el.vr}: ${e.message}`, e.charset, { cause: e });
      }
      throw e;
    }
  }

  /** The first value of a string-like element ('' when present but empty). */
  string(tag: Tag): string | undefined {
    const v = this.strings(tag);
    return v === undefined ? undefined : (v[0] ?? '');
  }

  /** Binary numbers (US, SL, FD, …) and decimal/integer strings (DS, IS). */
  numbers(tag: Tag): number[] | undefined {
    const el = this.elements.get(tag);
    if (!el) return undefined;
    if (el.value.type !== 'raw') throw new DicomError('VALUE_NOT_NUMERIC', `${formatTag(tag)} ${el.vr} holds no numeric value`);
    return decodeNumbers(el.value.bytes, el.vr, tag);
  }

  number(tag: Tag): number | undefined {
    return this.numbers(tag)?.[0];
  }

  items(tag: Tag): DataSet[] | undefined {
    return this.elements.get(tag)?.items;
  }

  /** Sets string values, encoded in the character set in force here. */
  putStrings(tag: Tag, vr: VR, values: readonly string[] | string): this {
    const list = typeof values === 'string' ? [values] : values;
    return this.put(tag, vr, { type: 'raw', bytes: encodeStrings(list, vr, this.characterSet(), tag) });
  }

  putNumbers(tag: Tag, vr: VR, values: readonly number[] | number): this {
    const list = typeof values === 'number' ? [values] : values;
    return this.put(tag, vr, { type: 'raw', bytes: encodeNumbers(list, vr, tag) });
  }

  putSequence(tag: Tag, items: DataSet[]): this {
    for (const item of items) item.parent = this;
    return this.put(tag, 'SQ', { type: 'sequence', items, undefinedLength: false });
  }
}
