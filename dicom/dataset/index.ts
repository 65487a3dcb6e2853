export { DataSet } from './dataset.js';
export { Element } from './element.js';
export type { ElementValue, RawValue, SequenceValue, EncapsulatedValue, BulkValue } from './element.js';
