/**
 * `sonicart hospital [--port P] [--ae TITLE] [--data DIR] [--cart AE@HOST:PORT] [--commit-delay MS]`:
 * the simulated hospital (worklist with today's schedule, storage, MPPS, storage commitment
 * reporting on a new association) on loopback, until SIGINT/SIGTERM. A demo and a CI fixture,
 * not a PACS.
 */
import { parseArgs } from 'node:util';
import { acse } from '../../../dicom/net/index.js';
import { UsageError } from '../errors.js';
import { cliLogger, type CommandIo } from './net-common.js';
import type { Hospital, HospitalOptions } from '../../main.js';

export const HOSPITAL_USAGE = 'hospital [--port P] [--ae TITLE] [--data DIR] [--cart AE@HOST:PORT] [--commit-delay MS]';

export interface HospitalCommandDeps {
  readonly start: (o: HospitalOptions) => Promise<Hospital>;
  /** Resolves when the hospital should stop (a signal by default). */
  readonly stopped?: Promise<void>;
}

function parseRemote(text: string): { aeTitle: string; host: string; port: number } {
  const m = /^([^@]+)@([^:]+):(\d+)$/.exec(text);
  if (!m || acse.aeTitleProblem(m[1]!) !== undefined) throw new UsageError(`--cart must be AE@HOST:PORT, got ${JSON.stringify(text)}`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new UsageError(`--cart port must be 1–65535, got ${m[3]}`);
  return { aeTitle: m[1]!, host: m[2]!, port };
}

export async function hospitalCommand(args: readonly string[], io: CommandIo, deps: HospitalCommandDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { port: { type: 'string' }, ae: { type: 'string' }, data: { type: 'string' }, cart: { type: 'string' }, 'commit-delay': { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`usage: sonicart ${HOSPITAL_USAGE}`);
  const port = Number(values.port ?? '11113');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got ${JSON.stringify(values.port)}`);
  const ae = values.ae ?? 'HOSPITAL';
  const aeProblem = acse.aeTitleProblem(ae);
  if (aeProblem !== undefined) throw new UsageError(`--ae ${JSON.stringify(ae)} ${aeProblem}`);
  const delay = Number(values['commit-delay'] ?? '2000');
  if (!Number.isFinite(delay) || delay < 0) throw new UsageError(`--commit-delay must be milliseconds, got ${JSON.stringify(values['commit-delay'])}`);
  const cart = parseRemote(values.cart ?? 'US_CART@127.0.0.1:11112');
  const dataDir = values.data ?? 'hospital-data';
  const h = await deps.start({ aeTitle: ae, port, dataDir, remotes: [cart], stationAeTitle: cart.aeTitle, commitmentDelayMs: delay, logger: cliLogger() });
  io.out(`simulated hospital ${h.aeTitle} on 127.0.0.1:${h.port} (worklist, storage, MPPS, storage commitment); data in ${dataDir}; reports to ${cart.aeTitle}@${cart.host}:${cart.port}`);
  io.out(`today's worklist: ${h.worklist.length} procedure steps for station ${cart.aeTitle}`);
  await (deps.stopped ?? new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  }));
  await h.close();
  io.out(`stopped; ${h.stored.length} instances received, ${h.mpps.size} procedure steps`);
  return 0;
}
