import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DicomError } from '../../dicom/core/index.js';
import { KEY, MEDIA_STORAGE_DIRECTORY_SOP_CLASS, textOf, type ExportInstance, type Refusal } from '../../dicom/media/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import { checkPixelConsistency } from '../../dicom/iod/index.js';
import { pixelExtent, readDicomFileHeader } from '../files/read-header.js';
import { isLeftoverTemp } from './leftovers.js';
import { LOCK_NAME } from './lock.js';

export interface ScannedInputs {
  readonly instances: ExportInstance[];
  /** Files that are not DICOM (or not readable as DICOM), refused by name. */
  readonly refused: Refusal[];
  /** Files passed over on purpose (a DICOMDIR inside an input folder). */
  readonly skipped: string[];
}

/**
 * Expands FILE|DIR arguments into instances: folders recursively, in name order, so an export
 * is repeatable. Each file's header is read without its pixel data.
 */
export async function scanInputs(inputs: readonly string[]): Promise<ScannedInputs> {
  const files: string[] = [];
  for (const input of inputs) {
    const s = await stat(input);
    if (s.isDirectory()) files.push(...(await filesUnder(input)));
    else files.push(input);
  }
  const instances: ExportInstance[] = [];
  const refused: Refusal[] = [];
  const skipped: string[] = [];
  for (const path of files) {
    try {
      const h = await readDicomFileHeader(path);
      const mediaClass = textOf(h.file.meta, Tags.MediaStorageSOPClassUID);
      if (mediaClass === MEDIA_STORAGE_DIRECTORY_SOP_CLASS) {
        skipped.push(path);
        continue;
      }
      if (!h.file.hasMeta && !h.file.dataset.has(KEY.sopClassUid)) {
        refused.push({ source: path, code: 'MEDIA_NOT_DICOM', message: 'not a DICOM file (no meta group and no SOP Class UID)' });
        continue;
      }
      // An object whose image attributes contradict its pixel data is not put on a medium.
      const inconsistent = checkPixelConsistency(h.file.dataset, pixelExtent(h));
      if (inconsistent) {
        refused.push({ source: path, code: inconsistent.code, message: inconsistent.message });
        continue;
      }
      instances.push({
        source: path,
        dataset: h.file.dataset,
        transferSyntaxUid: h.file.transferSyntax.uid,
        size: h.size,
        // An irregular file (odd lengths, tags out of order) is rewritten, padded and sorted, like one without a meta group.
        part10: h.file.hasMeta && h.file.preamble !== undefined && !h.irregular,
      });
    } catch (e) {
      if (e instanceof DicomError) {
        refused.push({ source: path, code: 'MEDIA_NOT_DICOM', message: `not a readable DICOM file: ${e.message} [${e.code}]` });
      } else throw e;
    }
  }
  return { instances, refused, skipped };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    // Our own temporaries and lock are never instances, whoever left them there.
    .filter((e) => e.isFile() && !isLeftoverTemp(e.name) && !e.name.startsWith(LOCK_NAME))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Every path on the medium, relative and `/`-separated, so new File IDs avoid them (FAT compares without case). */
export async function pathsOnMedium(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}
