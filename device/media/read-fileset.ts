import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DicomError } from '../../dicom/core/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import { DIR, KEY, readDicomdir, textOf, walkRecords, type ReadFileSet } from '../../dicom/media/index.js';
import { readDicomFileHeader } from '../files/read-header.js';

/**
 * Finds an entry of `dir` by name without regard to case: a FAT medium mounted with
 * shortname=lower shows DICOMDIR as `dicomdir`. The exact name wins when both exist.
 */
export async function findEntry(dir: string, name: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (names.includes(name)) return name;
  return names.find((n) => n.toUpperCase() === name.toUpperCase());
}

/** The path of a File ID on the medium, resolved component by component without regard to case. */
export async function resolveFileId(root: string, fileId: readonly string[]): Promise<string | undefined> {
  let path = root;
  for (const c of fileId) {
    const found = await findEntry(path, c);
    if (found === undefined) return undefined;
    path = join(path, found);
  }
  return path;
}

/** The DICOMDIR of the file-set at `root`, or undefined when there is none. Throws DicomdirError when it cannot be trusted. */
export async function readFileSetAt(root: string): Promise<{ path: string; fileSet: ReadFileSet; size: number } | undefined> {
  const name = await findEntry(root, 'DICOMDIR');
  if (name === undefined) return undefined;
  const path = join(root, name);
  const bytes = new Uint8Array(await readFile(path));
  return { path, fileSet: readDicomdir(bytes), size: bytes.length };
}

export interface FileSetProblem {
  readonly fileId: string;
  readonly problem: string;
}

/**
 * Checks that every record's referenced file exists and is what the record says: the same SOP
 * Class, SOP Instance and Transfer Syntax UIDs in its meta group.
 */
export async function checkReferencedFiles(root: string, fs: ReadFileSet): Promise<FileSetProblem[]> {
  const problems: FileSetProblem[] = [];
  for (const { record } of walkRecords(fs.roots)) {
    if (!record.dataset.has(DIR.referencedFileId)) continue;
    const id = record.dataset.strings(DIR.referencedFileId) ?? [];
    const shown = id.join('\\');
    const path = await resolveFileId(root, id);
    if (!path) {
      problems.push({ fileId: shown, problem: 'referenced file is missing' });
      continue;
    }
    try {
      const { file } = await readDicomFileHeader(path);
      const want: [string, string, string][] = [
        ['SOP Class', textOf(record.dataset, DIR.referencedSopClass), textOf(file.meta, Tags.MediaStorageSOPClassUID) || textOf(file.dataset, KEY.sopClassUid)],
        ['SOP Instance', textOf(record.dataset, DIR.referencedSopInstance), textOf(file.meta, Tags.MediaStorageSOPInstanceUID) || textOf(file.dataset, KEY.sopInstanceUid)],
        ['Transfer Syntax', textOf(record.dataset, DIR.referencedTransferSyntax), file.transferSyntax.uid],
      ];
      for (const [what, rec, actual] of want) {
        if (rec && rec !== actual) problems.push({ fileId: shown, problem: `record says ${what} UID ${rec}, file has ${actual}` });
      }
    } catch (e) {
      problems.push({ fileId: shown, problem: e instanceof DicomError ? `${e.message} [${e.code}]` : String(e) });
    }
  }
  return problems;
}

/** The File IDs the DICOMDIR at `root` names, `/`-joined and upper-case (FAT compares without case); empty without a DICOMDIR. */
export async function referencedFileIds(root: string): Promise<ReadonlySet<string>> {
  const found = await readFileSetAt(root);
  const out = new Set<string>();
  if (!found) return out;
  for (const { record } of walkRecords(found.fileSet.roots)) {
    if (record.dataset.has(DIR.referencedFileId)) out.add((record.dataset.strings(DIR.referencedFileId) ?? []).join('/').toUpperCase());
  }
  return out;
}
