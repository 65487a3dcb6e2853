/**
 * `sonicart send FILE|DIR … [--parallel N]`: C-STORE every file, one line per instance with
 * its status. With --parallel N the files are dealt round-robin to N associations that run at
 * once (each still sends one instance at a time).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { transferSyntaxOrEncapsulated } from '../../../dicom/encoding/index.js';
import { AsyncQueue } from '../../net/async-queue.js';
import { STORE_TIMERS } from '../../net/config.js';
import { associationOptions } from '../../net/peer-config.js';
import { storeFiles, stored, type StoreOutcome } from '../../net/scu/store.js';
import { UsageError } from '../errors.js';
import { integerOption } from '../validate.js';
import { PEER_OPTIONS, cliLogger, describeNetFailure, peerFromArgs, type CommandIo } from './net-common.js';
import { NetError } from '../../net/errors.js';

/** Files under the arguments, directories walked in name order; hidden files and DICOMDIR skipped. */
export async function collectFiles(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    const st = await stat(a);
    if (!st.isDirectory()) {
      out.push(a);
      continue;
    }
    const entries = await readdir(a, { withFileTypes: true, recursive: true });
    const files = entries
      .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.toUpperCase() !== 'DICOMDIR')
      .map((e) => join(e.parentPath, e.name))
      .sort();
    out.push(...files);
  }
  return out;
}

/**
 * One instance: path, SOP Instance UID, status, action (with the reason when not sent), and a
 * fifth column when a pixel codec converted the data set on its way out (conformance §2):
 * `converted FROM → TO` (`, lossy` when that added a lossy step). A re-encoding between
 * uncompressed syntaxes (same pixel values, other byte order or VR) is not called out.
 */
export function line(o: StoreOutcome): string {
  const status = o.status ? `${o.status.hex} ${o.status.meaning}${o.errorComment ? ` (${o.errorComment})` : ''}` : 'not sent';
  const tail = o.action === 'not-sent' ? `: ${o.why}` : '';
  const c = o.conversion;
  const converted = c?.kind === 'transcode' ? `\tconverted ${tsName(c.from)} → ${tsName(c.to)}${c.lossy ? ', lossy' : ''}` : '';
  return `${o.path}\t${o.sopInstanceUid ?? '-'}\t${status}\t${o.action}${tail}${converted}`;
}

const tsName = (uid: string): string => transferSyntaxOrEncapsulated(uid).name;

export async function sendCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...PEER_OPTIONS, parallel: { type: 'string' }, 'allow-lossy': { type: 'boolean' } },
    allowPositionals: true,
  });
  const peer = peerFromArgs(values);
  if (positionals.length === 0) throw new UsageError('send takes FILE|DIR …');
  const parallel = values.parallel === undefined ? 1 : integerOption('--parallel', values.parallel, 1, 64);

  let files: string[];
  try {
    files = await collectFiles(positionals);
  } catch (e) {
    io.err(`sonicart send: ${(e as Error).message}`);
    return 1;
  }
  if (files.length === 0) {
    io.err('sonicart send: no files to send');
    return 1;
  }
  const options = await associationOptions({ timers: STORE_TIMERS, ...peer }, [], cliLogger());
  const { proposals: _unused, ...associationOnly } = options;
  void _unused;
  // Lossless → lossy only when the user said so (conformance §2); then Lossy Image Compression is set.
  const storeOptions = { ...associationOnly, allowLossy: values['allow-lossy'] === true };

  const lanes = Array.from({ length: Math.min(parallel, files.length) }, (_, i) => files.filter((_f, j) => j % parallel === i));
  const results = new AsyncQueue<StoreOutcome>();
  let running = lanes.length;
  for (const lane of lanes) {
    void (async () => {
      try {
        for await (const o of storeFiles(lane, storeOptions)) results.push(o);
      } finally {
        if (--running === 0) results.finish();
      }
    })();
  }
  let ok = 0;
  let firstFailure: StoreOutcome | undefined;
  for await (const o of results) {
    io.out(line(o));
    for (const w of o.warnings ?? []) io.err(`${o.path}: warning: ${w}`);
    if (stored(o)) ok++;
    else firstFailure ??= o;
  }
  if (!firstFailure) return 0;
  const why = firstFailure.error instanceof NetError ? firstFailure.error.describe() : describeNetFailure(peer, `C-STORE ${firstFailure.path}`, firstFailure.error ?? new Error(firstFailure.why));
  io.err(`${files.length - ok} of ${files.length} instances not stored; first: ${why}`);
  return 1;
}
