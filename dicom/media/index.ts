/**
 * Removable media file-sets (PS3.10 §8, PS3.11, PS3.3 Annex F), pure: File IDs, profiles,
 * directory record keys, the DICOMDIR in bytes both ways, and the FSC/FSU export plan.
 * The device does the I/O (device/media/).
 */
export * from './errors.js';
export * from './tags.js';
export * from './file-id.js';
export * from './profiles.js';
export * from './record-keys.js';
export * from './tree.js';
export { encodeDicomdir } from './encode-dicomdir.js';
export type { EncodeDicomdirOptions } from './encode-dicomdir.js';
export { readDicomdir } from './read-dicomdir.js';
export type { ReadFileSet } from './read-dicomdir.js';
export { planExport } from './plan.js';
export type { ExportInstance, PlannedWrite, Duplicate, Refusal, ExportPlan, PlanExportInput } from './plan.js';
export { splitIntoFileSets } from './split.js';
export type { FileSetPortion, SplitPlan } from './split.js';
