import { dumpLines } from '../../../dicom/dump/index.js';
import { readDicomFileHeader } from '../../files/read-header.js';

/** `sonicart dump FILE`: the data set as text, pixel data summarised (never loaded). */
export async function dumpCommand(file: string, out: (line: string) => void): Promise<void> {
  const { file: f } = await readDicomFileHeader(file);
  out(`# File: ${file}`);
  out(`# Transfer Syntax: ${f.transferSyntax.uid} (${f.transferSyntax.name})${f.hasMeta ? '' : ', no meta header'}`);
  for (const w of f.warnings) out(`# warning: ${w}`);
  if (f.hasMeta) {
    out('# Dicom-Meta-Information-Header');
    for (const line of dumpLines(f.meta)) out(line);
  }
  out('# Dicom-Data-Set');
  for (const line of dumpLines(f.dataset)) out(line);
}
