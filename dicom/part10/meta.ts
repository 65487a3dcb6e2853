import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/uid.js';
import { tag } from '../core/tag.js';
import { DataSet } from '../dataset/dataset.js';

/** File Meta Information elements (PS3.10 §7.1). */
export const META = {
  groupLength: tag(0x0002, 0x0000),
  version: tag(0x0002, 0x0001),
  mediaStorageSopClass: tag(0x0002, 0x0002),
  mediaStorageSopInstance: tag(0x0002, 0x0003),
  transferSyntax: tag(0x0002, 0x0010),
  implementationClassUid: tag(0x0002, 0x0012),
  implementationVersionName: tag(0x0002, 0x0013),
  sourceAeTitle: tag(0x0002, 0x0016),
} as const;

export const SOP_CLASS_UID = tag(0x0008, 0x0016);
export const SOP_INSTANCE_UID = tag(0x0008, 0x0018);

export interface FileMetaInput {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly sourceAeTitle?: string;
}

/** A File Meta Information group naming us as the implementation that wrote the file. */
export function buildFileMeta(input: FileMetaInput): DataSet {
  const meta = new DataSet();
  meta.put(META.groupLength, 'UL', { type: 'raw', bytes: new Uint8Array(4) }); // recalculated on write
  meta.put(META.version, 'OB', { type: 'raw', bytes: Uint8Array.of(0x00, 0x01) });
  meta.putStrings(META.mediaStorageSopClass, 'UI', input.sopClassUid);
  meta.putStrings(META.mediaStorageSopInstance, 'UI', input.sopInstanceUid);
  meta.putStrings(META.transferSyntax, 'UI', input.transferSyntaxUid);
  meta.putStrings(META.implementationClassUid, 'UI', IMPLEMENTATION_CLASS_UID);
  meta.putStrings(META.implementationVersionName, 'SH', IMPLEMENTATION_VERSION_NAME);
  if (input.sourceAeTitle) meta.putStrings(META.sourceAeTitle, 'AE', input.sourceAeTitle);
  return meta;
}

/**
 * The meta group for a rewritten file: the original's elements kept, the transfer syntax
 * replaced, and the implementation named as us, because we wrote these bytes.
 */
export function rewriteFileMeta(original: DataSet, transferSyntaxUid: string): DataSet {
  const meta = new DataSet();
  for (const el of original) meta.set(el);
  if (!meta.has(META.groupLength)) meta.put(META.groupLength, 'UL', { type: 'raw', bytes: new Uint8Array(4) });
  if (!meta.has(META.version)) meta.put(META.version, 'OB', { type: 'raw', bytes: Uint8Array.of(0x00, 0x01) });
  meta.putStrings(META.transferSyntax, 'UI', transferSyntaxUid);
  meta.putStrings(META.implementationClassUid, 'UI', IMPLEMENTATION_CLASS_UID);
  meta.putStrings(META.implementationVersionName, 'SH', IMPLEMENTATION_VERSION_NAME);
  return meta;
}
