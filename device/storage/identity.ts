/** What the store needs to know about a DICOM file, read from its header (pixel data not read). */
import { Tags } from '../../dicom/dictionary/index.js';
import { META, SOP_CLASS_UID, SOP_INSTANCE_UID } from '../../dicom/part10/index.js';
import { readDicomFileHeader } from '../files/read-header.js';
import { StorageError } from './errors.js';

export interface InstanceIdentity {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** Number of Frames; 1 for a single-frame object. */
  readonly frames: number;
}

export async function readIdentity(path: string): Promise<InstanceIdentity> {
  let h;
  try {
    h = await readDicomFileHeader(path);
  } catch (e) {
    throw new StorageError('STORAGE_UNREADABLE', `${path} is not a readable DICOM file: ${(e as Error).message}`, path, (e as NodeJS.ErrnoException).code, { cause: e });
  }
  const ds = h.file.dataset;
  const meta = h.file.meta;
  const id = {
    sopInstanceUid: ds.string(SOP_INSTANCE_UID) || meta.string(META.mediaStorageSopInstance) || '',
    sopClassUid: ds.string(SOP_CLASS_UID) || meta.string(META.mediaStorageSopClass) || '',
    studyInstanceUid: ds.string(Tags.StudyInstanceUID) ?? '',
    seriesInstanceUid: ds.string(Tags.SeriesInstanceUID) ?? '',
    transferSyntaxUid: h.file.transferSyntax.uid,
    frames: Math.max(1, Math.floor(Number(ds.string(Tags.NumberOfFrames) ?? '1')) || 1),
  };
  for (const [k, v] of Object.entries(id)) {
    if (v === '') throw new StorageError('STORAGE_UNREADABLE', `${path} names no ${k}`, path);
  }
  return id;
}
