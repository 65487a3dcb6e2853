import { PROFILE_IDS } from '../../../dicom/media/index.js';
import { MediaRefusedError, REFUSED_NAMED, mib } from '../../media/errors.js';
import { FileSetExport } from '../../media/export.js';
import { cliLogger } from '../cli-logger.js';
import { UsageError } from '../errors.js';

export interface ExportArgs {
  readonly profile: string | undefined;
  readonly out: string | undefined;
  readonly add: boolean;
  readonly fileSetId: string | undefined;
  readonly inputs: readonly string[];
  /** --wait SECONDS: how long to wait for another export onto the same medium. */
  readonly lockWaitMs?: number;
}

export const EXPORT_OPTIONS = {
  profile: { type: 'string' },
  out: { type: 'string', short: 'o' },
  add: { type: 'boolean' },
  'fileset-id': { type: 'string' },
  wait: { type: 'string' },
} as const;

/**
 * `sonicart export --profile STD-GEN-USB-JPEG|STD-GEN-SD-JPEG --out DIR [--add] [--fileset-id ID] FILE|DIR …`
 * Prints one summary line, then a line per duplicate and per warning. A refused file is named
 * on its own line before the error.
 */
export async function exportCommand(args: ExportArgs, out: (s: string) => void, err: (s: string) => void): Promise<void> {
  if (!args.profile || !PROFILE_IDS.includes(args.profile)) throw new UsageError(`--profile must be one of ${PROFILE_IDS.join(', ')}`);
  if (!args.out) throw new UsageError('export needs --out DIR');
  if (args.inputs.length === 0) throw new UsageError('export needs at least one FILE or DIR');
  if (args.fileSetId !== undefined && !/^[A-Z0-9_ ]{0,16}$/.test(args.fileSetId)) {
    throw new UsageError('--fileset-id is at most 16 characters of A–Z, 0–9, _ and space');
  }
  try {
    const job = new FileSetExport({
      profile: args.profile,
      out: args.out,
      inputs: args.inputs,
      add: args.add,
      ...(args.fileSetId !== undefined ? { fileSetId: args.fileSetId } : {}),
      ...(args.lockWaitMs !== undefined ? { lockWaitMs: args.lockWaitMs } : {}),
      log: cliLogger(),
    });
    job.on('waiting', (m) => err(m));
    const report = await job.run();
    out(
      `${report.mode} ${report.profile} onto ${args.out} (${report.fsType}): ${report.written.length} file(s), ${mib(report.bytes)}, ` +
        `${report.records} records, File-set ID ${JSON.stringify(report.fileSetId)}`,
    );
    for (const d of report.duplicates) out(`duplicate: ${d.source}: SOP Instance UID ${d.sopInstanceUid} already in the file-set as ${d.existingFileId}; not written again`);
    for (const w of report.warnings) out(`warning: ${w}`);
    for (const s of report.skipped) out(`skipped: ${s}: a DICOMDIR, not an instance`);
  } catch (e) {
    // A few refusals get a line each (each has its own reason); many are summed up in the error's one line.
    if (e instanceof MediaRefusedError && e.refused.length <= REFUSED_NAMED) for (const r of e.refused) err(`${r.source}: ${r.message} [${r.code}]`);
    throw e;
  }
}
