export { readPart10 } from './read-part10.js';
export type { Part10File, ReadPart10Options } from './read-part10.js';
export { writePart10, encodeFileHeader, Part10StreamWriter } from './write-part10.js';
export type { WritePart10Options } from './write-part10.js';
export { META, SOP_CLASS_UID, SOP_INSTANCE_UID, buildFileMeta, rewriteFileMeta } from './meta.js';
export type { FileMetaInput } from './meta.js';
