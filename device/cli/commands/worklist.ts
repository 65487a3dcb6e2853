/**
 * `sonicart worklist`: a Modality Worklist query, printed as TSV (one UTF-8 line per entry) or
 * as DICOM JSON (PS3.18 F, an array of the full matches).
 */
import { parseArgs } from 'node:util';
import { FIND_TIMERS } from '../../net/config.js';
import { toDicomJson } from '../../../dicom/iod/index.js';
import { associationOptions } from '../../net/peer-config.js';
import { withAssociation } from '../../net/scu/session.js';
import { findWorklist, worklistProposals, type WorklistQuery } from '../../net/scu/worklist.js';
import { worklistTsvLine } from '../../net/scu/worklist-format.js';
import { UsageError } from '../errors.js';
import { aeTitleOption, dateOrRangeOption, integerOption } from '../validate.js';
import { PEER_OPTIONS, cliLogger, describeNetFailure, peerFromArgs, type CommandIo } from './net-common.js';

/** 'today' → the local date; real calendar dates YYYYMMDD and ranges YYYYMMDD-YYYYMMDD pass through. */
export function resolveDate(text: string, now = new Date()): string {
  return dateOrRangeOption('--date', text, now);
}

export async function worklistCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: {
      ...PEER_OPTIONS,
      modality: { type: 'string' },
      date: { type: 'string' },
      'station-ae': { type: 'string' },
      'patient-id': { type: 'string' },
      'patient-name': { type: 'string' },
      accession: { type: 'string' },
      format: { type: 'string', default: 'tsv' },
      'max-matches': { type: 'string' },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError('worklist takes no positional arguments');
  const peer = peerFromArgs(values);
  const format = values.format;
  if (format !== 'tsv' && format !== 'json') throw new UsageError(`--format must be tsv or json, got ${JSON.stringify(format)}`);
  const maxMatches = values['max-matches'] === undefined ? 10_000 : integerOption('--max-matches', values['max-matches'], 1, 1_000_000);
  if (values['station-ae'] !== undefined) aeTitleOption('--station-ae', values['station-ae']);
  const query: WorklistQuery = {
    ...(values.modality !== undefined ? { modality: values.modality } : {}),
    ...(values.date !== undefined ? { date: resolveDate(values.date) } : {}),
    ...(values['station-ae'] !== undefined ? { stationAeTitle: values['station-ae'] } : {}),
    ...(values['patient-id'] !== undefined ? { patientId: values['patient-id'] } : {}),
    ...(values['patient-name'] !== undefined ? { patientName: values['patient-name'] } : {}),
    ...(values.accession !== undefined ? { accessionNumber: values.accession } : {}),
  };

  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    const options = await associationOptions({ timers: FIND_TIMERS, ...peer }, worklistProposals(), cliLogger());
    const truncated = await withAssociation(options, async (assoc) => {
      const find = findWorklist(assoc, query, { signal: abort.signal, maxMatches });
      let n = 0;
      if (format === 'json') io.out('[');
      for await (const entry of find) {
        if (format === 'tsv') io.out(worklistTsvLine(entry));
        else io.out(`${n > 0 ? ',' : ''}${JSON.stringify(toDicomJson(entry))}`);
        n++;
      }
      if (format === 'json') io.out(']');
      return find.truncated;
    });
    if (truncated) {
      io.err(`sonicart worklist: stopped after ${maxMatches} matches (--max-matches); the list is incomplete`);
      return 1;
    }
    return 0;
  } catch (e) {
    io.err(describeNetFailure(peer, 'C-FIND (Modality Worklist)', e));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
