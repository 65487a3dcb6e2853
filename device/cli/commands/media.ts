import { CharsetError, DicomError } from '../../../dicom/core/index.js';
import { DIR, KEY, MediaError, textOf, walkRecords, type DirectoryRecord } from '../../../dicom/media/index.js';
import { mib } from '../../media/errors.js';
import { LinuxMediaWatcher } from '../../media/linux-watcher.js';
import { checkReferencedFiles, readFileSetAt, referencedFileIds } from '../../media/read-fileset.js';
import { recoverInterrupted } from '../../media/leftovers.js';
import { tryMediumLock } from '../../media/lock.js';
import { cliLogger } from '../cli-logger.js';
import { UsageError } from '../errors.js';

/** `sonicart media list`: removable, mounted, writable volumes, one per line. */
export async function mediaListCommand(out: (s: string) => void): Promise<void> {
  const volumes = await new LinuxMediaWatcher().list();
  if (volumes.length === 0) out('no removable volume mounted');
  for (const v of volumes) out(`${v.mountPoint}\t${v.fsType}\t${mib(v.size)}\t${mib(v.free)} free\t${v.label || '-'}\t${v.device}`);
}

/** `sonicart media read DIR`: the file-set tree, then any record whose file is missing or differs. */
export async function mediaReadCommand(dir: string, out: (s: string) => void): Promise<void> {
  await cleanUpAfterCrash(dir, out);
  const found = await readFileSetAt(dir);
  if (!found) throw new MediaError('MEDIA_NO_FILESET', 'no DICOMDIR in this directory');
  const { fileSet } = found;
  out(`File-set ID ${JSON.stringify(fileSet.fileSetId)}: ${found.path}, ${fileSet.recordsInFile} records`);
  for (const w of fileSet.warnings) out(`warning: ${w}`);
  for (const { record, depth } of walkRecords(fileSet.roots)) out(`${'  '.repeat(depth)}${describeRecord(record)}`);
  const problems = await checkReferencedFiles(dir, fileSet);
  for (const p of problems) out(`problem: ${p.fileId}: ${p.problem}`);
  if (problems.length > 0) throw new MediaError('MEDIA_FILESET_PROBLEMS', `${problems.length} record(s) do not match their files`);
}

/**
 * A medium scanned after an export was killed: our temporaries and the files the DICOMDIR never
 * came to name are removed, when no export holds the medium now and it can be written at all
 * (a read-only medium is read as it is).
 */
async function cleanUpAfterCrash(dir: string, out: (s: string) => void): Promise<void> {
  let held;
  try {
    held = await tryMediumLock(dir);
  } catch (e) {
    if (['EROFS', 'EACCES', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  if (!held) return;
  try {
    const { temps, orphans } = await recoverInterrupted(dir, referencedFileIds, cliLogger());
    if (temps.length + orphans.length > 0) out(`cleaned up after an interrupted export: ${temps.length} temporary file(s), ${orphans.length} unrecorded file(s)`);
  } finally {
    await held.release();
  }
}

/** What each record type shows: a table, like the record keys. */
const SHOW: Readonly<Record<string, readonly number[]>> = {
  PATIENT: [KEY.patientName, KEY.patientId, KEY.patientBirthDate, KEY.patientSex],
  STUDY: [KEY.studyDate, KEY.studyTime, KEY.studyId, KEY.accessionNumber, KEY.studyDescription, KEY.studyInstanceUid],
  SERIES: [KEY.modality, KEY.seriesNumber, KEY.seriesInstanceUid],
  IMAGE: [KEY.instanceNumber, DIR.referencedFileId, DIR.referencedTransferSyntax],
};

function describeRecord(r: DirectoryRecord): string {
  const parts = (SHOW[r.type] ?? [DIR.referencedFileId]).map((t) => shown(r, t)).filter((s) => s !== '');
  return `${r.type} ${parts.join(' ')}`.trimEnd();
}

function shown(r: DirectoryRecord, t: number): string {
  if (!r.dataset.has(t)) return '';
  try {
    return (r.dataset.strings(t) ?? []).join('\\');
  } catch (e) {
    // Text in a character set we cannot decode is shown as its bytes, never a crash.
    if (e instanceof CharsetError || e instanceof DicomError) return `<${textOf(r.dataset, t)}: ${e.code}>`;
    throw e;
  }
}

export function mediaUsage(sub: string | undefined): never {
  throw new UsageError(`media takes "list" or "read DIR"${sub ? `, not ${JSON.stringify(sub)}` : ''}`);
}
