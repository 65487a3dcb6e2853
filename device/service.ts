/**
 * The long-running service: the Device started, the API on 127.0.0.1 in front of it, and the
 * signal handling of a systemd unit —
 * - first SIGTERM (or SIGINT): drain. The API stops taking requests, the instance being written
 *   is finished (acknowledged or failed, never half-written), each association finishes the
 *   instance it is sending and is released, the database is closed; exit 0.
 * - second SIGTERM: abort now (exit 1). Safe too: files are written atomically and every
 *   commit is durable (WAL, synchronous=FULL); unfinished jobs are picked up at the next start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceConfig } from './config/types.js';
import type { Logger } from './log/logger.js';
import { createDevice, type CartDevice, type DeviceOverrides } from './main.js';
import { instancePort, queuePort } from './web/adapters.js';
import { startApi, teeLogger, type RunningApi } from './web/index.js';

export interface ServiceOptions {
  readonly overrides?: DeviceOverrides;
  readonly log: Logger;
  /** Where the configuration came from (a file path, or 'built-in defaults'), for GET /api/config. */
  readonly configSource: string;
  /** The kiosk's files; absent: API only. */
  readonly staticDir?: string;
}

export interface RunningService {
  readonly device: CartDevice;
  readonly api: RunningApi;
  /** drain (default): finish what is in flight first. */
  stop(options?: { drain: boolean }): Promise<void>;
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function startService(config: DeviceConfig, o: ServiceOptions): Promise<RunningService> {
  const tee = teeLogger(o.log);
  const device = await createDevice(config, { ...o.overrides, log: tee.log });
  try {
    await device.start();
  } catch (e) {
    await device.stop({ drain: false }).catch(() => undefined);
    throw e;
  }
  let api: RunningApi;
  try {
    api = await startApi(
      {
        device,
        media: device.media,
        queue: queuePort(device.queue),
        instances: instancePort(device.instances),
        thumbnailDir: join(config.dataDir, 'thumbnails'),
        version: version(),
        logEntries$: tee.entries$,
      },
      { port: config.uiPort, configSource: o.configSource, ...(o.staticDir ? { staticDir: o.staticDir } : {}) },
    );
  } catch (e) {
    await device.stop({ drain: false });
    throw e;
  }
  tee.log.info('service listening', { url: `http://127.0.0.1:${api.port()}/`, dataDir: config.dataDir });
  let stopping: Promise<void> | undefined;
  return {
    device,
    api,
    stop(options = { drain: true }) {
      stopping ??= (async () => {
        // Stop accepting connections, but let the request of the instance in flight get its
        // answer: the drain finishes that instance first, then the API closes.
        api.server.close();
        if (options.drain) {
          await device.exams.drain();
          await new Promise((r) => setImmediate(r));
        }
        await api.close();
        await device.stop(options);
      })();
      return stopping;
    },
  };
}

/**
 * SIGTERM/SIGINT: the first drains and exits 0 (1 when the drain itself failed); the second
 * exits 1 at once. `exit` is injectable so the handler can be tested without ending the runner.
 */
export function handleSignals(service: RunningService, log: Logger, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      log.info('stopping: draining (send the signal again to abort)', { signal: sig });
      service.stop({ drain: true }).then(
        () => exit(0),
        (e: unknown) => {
          log.error('drain failed', { error: e });
          exit(1);
        },
      );
    } else {
      log.warn('aborting on second signal; unfinished work resumes at the next start', { signal: sig });
      exit(1);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
