export * from './transfer-syntax.js';
export { readDataSet, readFragments, DicomTruncatedError } from './read-dataset.js';
export type { ReadDataSetOptions, ReadDataSetResult } from './read-dataset.js';
export { writeDataSet } from './write-dataset.js';
export type { WriteDataSetOptions } from './write-dataset.js';
