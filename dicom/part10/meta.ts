import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../core/uid.js';
import { DataSet } from '../dataset/dataset.js';
import { Tags } from '../dictionary/index.js';

/** File Meta Information elements (PS3.10 §7.1). */
export const META = {
  groupLength: Tags.FileMetaInformationGroupLength,
  version: Tags.FileMetaInformationVersion,
  mediaStorageSopClass: Tags.MediaStorageSOPClassUID,
  mediaStorageSopInstance: Tags.MediaStorageSOPInstanceUID,
  transferSyntax: Tags.TransferSyntaxUID,
  implementationClassUid: Tags.ImplementationClassUID,
  implementationVersionName: Tags.ImplementationVersionName,
  sourceAeTitle: Tags.SourceApplicationEntityTitle,
} as const;

export const SOP_CLASS_UID = Tags.SOPClassUID;
export const SOP_INSTANCE_UID = Tags.SOPInstanceUID;

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
