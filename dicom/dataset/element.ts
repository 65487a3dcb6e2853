import type { Tag } from '../core/tag.js';
import type { VR } from '../core/vr.js';
import type { DataSet } from './dataset.js';

/**
 * What an element holds. Values stay as the bytes that were read (little endian, padding
 * included) until someone asks for them as strings or numbers, so that anything we cannot
 * interpret — an unknown character set, a private tag — is written back unchanged.
 */
export type ElementValue =
  | RawValue
  | SequenceValue
  | EncapsulatedValue
  | BulkValue;

/** Value bytes in little-endian order (big-endian input is swapped by VR word size on read). */
export interface RawValue {
  readonly type: 'raw';
  readonly bytes: Uint8Array;
}

export interface SequenceValue {
  readonly type: 'sequence';
  readonly items: DataSet[];
  /** As read: encoded with undefined length and a Sequence Delimitation Item. */
  undefinedLength: boolean;
}

/** Encapsulated pixel data (PS3.5 §A.4): a Basic Offset Table and fragments. */
export interface EncapsulatedValue {
  readonly type: 'encapsulated';
  readonly offsetTable: Uint8Array;
  readonly fragments: Uint8Array[];
}

/**
 * A value left where it is: `offset` and `length` locate the value bytes in the source (for
 * encapsulated data, the first item header up to and including the sequence delimiter).
 * Pixel data is streamed from there instead of being loaded.
 */
export interface BulkValue {
  readonly type: 'bulk';
  readonly offset: number;
  readonly length: number;
  readonly encapsulated: boolean;
}

export class Element {
  constructor(
    readonly tag: Tag,
    public vr: VR,
    public value: ElementValue,
  ) {}

  /** The raw bytes of a non-sequence value, or undefined for sequences, fragments and bulk references. */
  get bytes(): Uint8Array | undefined {
    return this.value.type === 'raw' ? this.value.bytes : undefined;
  }

  get items(): DataSet[] | undefined {
    return this.value.type === 'sequence' ? this.value.items : undefined;
  }
}
