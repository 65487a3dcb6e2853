import { DicomError } from '../../../dicom/core/index.js';
import { dumpLines } from '../../../dicom/dump/index.js';
import { transferSyntax } from '../../../dicom/encoding/index.js';
import { checkPixelConsistency } from '../../../dicom/iod/index.js';
import { pixelExtent, readDicomFileHeader } from '../../files/read-header.js';

/**
 * `sonicart dump FILE`: the data set as text, pixel data summarised (never loaded). A transfer
 * syntax we do not know is read as PS3.5 §10 says any other syntax is encoded (Explicit VR LE,
 * encapsulated pixel data) and shown, but the command fails: nothing vouches for that reading.
 */
export async function dumpCommand(file: string, out: (line: string) => void): Promise<void> {
  const header = await readDicomFileHeader(file);
  const { file: f } = header;
  // dump shows what is there; the same disagreement makes convert, send and export refuse.
  const inconsistent = checkPixelConsistency(f.dataset, pixelExtent(header));
  out(`# File: ${file}`);
  out(`# Transfer Syntax: ${f.transferSyntax.uid} (${f.transferSyntax.name})${f.hasMeta ? '' : ', no meta header'}`);
  for (const w of f.warnings) out(`# warning: ${w}`);
  if (inconsistent) out(`# warning: ${inconsistent.message} [${inconsistent.code}]`);
  if (f.hasMeta) {
    out('# Dicom-Meta-Information-Header');
    for (const line of dumpLines(f.meta)) out(line);
  }
  out('# Dicom-Data-Set');
  for (const line of dumpLines(f.dataset)) out(line);
  if (!transferSyntax(f.transferSyntax.uid)) {
    throw new DicomError('DUMP_UNKNOWN_TRANSFER_SYNTAX', `unknown transfer syntax ${f.transferSyntax.uid}: shown as Explicit VR Little Endian, which may be wrong`);
  }
}
