/**
 * How a worklist entry is printed for a person: one tab-separated UTF-8 line with the columns
 * a technologist checks first, PatientName last with all its component groups
 * (`Yamada^Tarou=山田^太郎=やまだ^たろう`).
 */
import { escapeBytes } from '../../../dicom/charset/index.js';
import type { DataSet } from '../../../dicom/dataset/index.js';
import type { Tag } from '../../../dicom/core/index.js';
import { MWL } from './worklist.js';

export const TSV_COLUMNS = [
  'PatientID',
  'AccessionNumber',
  'SPSStartDate',
  'SPSStartTime',
  'Modality',
  'ScheduledStationAETitle',
  'RequestedProcedureDescription',
  'StudyInstanceUID',
  'PatientName',
] as const;

/** A value for one cell: multi-values joined by `\`, undecodable bytes escaped, no tabs or newlines. */
function cell(ds: DataSet | undefined, t: Tag): string {
  if (!ds) return '';
  let text: string;
  try {
    text = (ds.strings(t) ?? []).join('\\');
  } catch {
    text = escapeBytes(ds.get(t)?.bytes ?? new Uint8Array(0));
  }
  return text.replace(/[\t\r\n]/g, ' ');
}

export function worklistTsvLine(entry: DataSet): string {
  const sps = entry.items(MWL.ScheduledProcedureStepSequence)?.[0];
  return [
    cell(entry, MWL.PatientID),
    cell(entry, MWL.AccessionNumber),
    cell(sps, MWL.ScheduledProcedureStepStartDate),
    cell(sps, MWL.ScheduledProcedureStepStartTime),
    cell(sps, MWL.Modality),
    cell(sps, MWL.ScheduledStationAETitle),
    cell(entry, MWL.RequestedProcedureDescription),
    cell(entry, MWL.StudyInstanceUID),
    cell(entry, MWL.PatientName),
  ].join('\t');
}
