/**
 * `sonicart serve [--config FILE] [--data-dir DIR] [--ui-port N] [--listen-port N]`: runs the cart's service until
 * SIGTERM. The flags override the file; without --config the built-in defaults apply (simulated
 * hardware, data under $XDG_DATA_HOME/sonicart or ~/.local/share/sonicart) plus the simulated
 * hospital on loopback as the one destination (device/demo-hospital.ts); with --config, none.
 * Usage errors exit 2 before any file or socket is touched; a configuration error is one line
 * naming the key (exit 2 as well: the command line pointed at an unusable configuration).
 */
import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, loadDeviceConfig } from '../../config/index.js';
import { jsonLogger, parseLogLevel, type Logger } from '../../log/logger.js';
import { UsageError } from '../errors.js';
import type { CommandIo } from './net-common.js';
import type { DemoHospital } from '../../demo-hospital.js';
import type { RunningService } from '../../service.js';

export interface ServeArgs {
  readonly config?: string;
  readonly dataDir?: string;
  readonly uiPort?: number;
  /** The DICOM listener's port (0: a free one, as tests use it). */
  readonly listenPort?: number;
}

export function parseServeArgs(args: readonly string[]): ServeArgs {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, 'ui-port': { type: 'string' }, 'listen-port': { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`serve takes no positional arguments, got ${JSON.stringify(positionals[0])}`);
  let uiPort: number | undefined;
  if (values['ui-port'] !== undefined) {
    uiPort = Number(values['ui-port']);
    if (!/^\d+$/.test(values['ui-port']) || uiPort < 1 || uiPort > 65535) throw new UsageError(`--ui-port must be a port 1-65535, got ${JSON.stringify(values['ui-port'])}`);
  }
  let listenPort: number | undefined;
  if (values['listen-port'] !== undefined) {
    listenPort = Number(values['listen-port']);
    if (!/^\d+$/.test(values['listen-port']) || listenPort > 65535) throw new UsageError(`--listen-port must be a port 0-65535 (0: any free port), got ${JSON.stringify(values['listen-port'])}`);
  }
  if (values['data-dir'] === '') throw new UsageError('--data-dir must name a directory');
  return {
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: isAbsolute(values['data-dir']) ? values['data-dir'] : resolve(values['data-dir']) } : {}),
    ...(uiPort !== undefined ? { uiPort } : {}),
    ...(listenPort !== undefined ? { listenPort } : {}),
  };
}

/** Resolves when the service has stopped (the signal handler exits the process). */
export async function serveCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const a = parseServeArgs(args);
  let config;
  try {
    config = await loadDeviceConfig(a.config, { ...(a.dataDir ? { dataDir: a.dataDir } : {}), ...(a.uiPort ? { uiPort: a.uiPort } : {}), ...(a.listenPort !== undefined ? { listenPort: a.listenPort } : {}) });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  // The service logs JSON lines to stderr (the journal); info by default, SONICART_LOG=debug for more.
  const log = jsonLogger((line) => process.stderr.write(line + '\n'), { level: parseLogLevel(process.env['SONICART_LOG']) ?? 'info' });
  const { startService, handleSignals } = await import('../../service.js');
  // A SIGTERM while starting must not kill the process half-way through opening the database:
  // it is remembered, and the service drains as soon as it is up.
  let early: NodeJS.Signals | undefined;
  const remember = (sig: NodeJS.Signals): void => void (early = sig);
  process.on('SIGTERM', remember);
  process.on('SIGINT', remember);
  const { kioskDistDir } = await import('../../web/kiosk-dir.js');
  let service: RunningService;
  // The built-in defaults have no peer to send to: the simulated hospital is started first (the
  // device's first worklist refresh must find it) and becomes the one destination.
  let demo: DemoHospital | undefined;
  try {
    if (a.config === undefined) {
      const { startDemoHospital } = await import('../../demo-hospital.js');
      demo = await startDemoHospital(config, log);
      config = demo.config;
      io.out(`simulated hospital ${demo.hospital.aeTitle} on 127.0.0.1:${demo.hospital.port} (worklist, storage; a demo, not a PACS); its data in ${demo.dataDir}`);
    }
    service = await startService(config, { log, configSource: a.config ?? 'built-in defaults', staticDir: kioskDistDir() });
  } catch (e) {
    await demo?.hospital.close().catch(() => undefined);
    throw e;
  } finally {
    process.off('SIGTERM', remember);
    process.off('SIGINT', remember);
  }
  const scp = service.device.scp.status();
  if (scp.port !== null) demo?.cartListening(scp.port);
  io.out(`sonicart serving on http://127.0.0.1:${service.api.port()}/ (data in ${config.dataDir}); DICOM ${scp.aeTitle} on port ${scp.port ?? `${config.listenPort} (not listening: ${scp.error})`}`);
  handleSignals(demo ? withHospital(service, demo, log) : service, log);
  if (early) process.kill(process.pid, early);
  await new Promise<never>(() => undefined);
  return 0;
}

/** The hospital stops after the service: the drain may still be sending to it. */
function withHospital(service: RunningService, demo: DemoHospital, log: Logger): RunningService {
  let stopping: Promise<void> | undefined;
  return {
    device: service.device,
    api: service.api,
    stop(options) {
      stopping ??= service.stop(options).finally(async () => {
        await demo.hospital.close();
        log.info('simulated hospital stopped', { received: demo.hospital.stored.length });
      });
      return stopping;
    },
  };
}
