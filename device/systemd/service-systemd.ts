/**
 * The running service as systemd sees it (Type=notify, WatchdogSec=): what sonicart.service
 * relies on, in one place so device/service.ts only calls it.
 * - READY=1 once GET /api/state answers on the API's own port (not when the process exists), so
 *   the kiosk unit ordered after it finds a page to load;
 * - STATUS= lines: "serving on …" at ready, then a one-line summary of the send queue and the
 *   alarms whenever that summary changes (at most every `statusEveryMs`);
 * - WATCHDOG=1 every WatchdogSec/2, only while the event loop turns on time and the queue is
 *   healthy (queueHealth below); otherwise the ping is withheld and systemd restarts us;
 * - STOPPING=1 (with a STATUS) when the drain begins.
 * Outside systemd (no NOTIFY_SOCKET) nothing is sent and nothing runs.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { SqlDatabase } from '../db/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { systemdNotifier, watchdogIntervalMs, type SystemdNotifier } from './notify.js';
import { waitUntilAnswering } from './readiness.js';
import { Watchdog, type Health } from './watchdog.js';

export interface QueueHealthInputs {
  readonly db: Pick<SqlDatabase, 'prepare'>;
  /** Store jobs in progress, with when they last changed (ISO 8601). */
  inProgress(): readonly { readonly jobId: number; readonly updatedAt: string }[];
  /** Longest a job may legitimately stay in progress: the whole-association timer plus one inactivity period. */
  readonly maxInProgressMs: number;
  readonly clock: Clock;
}

/**
 * "The queue is healthy": the database answers a trivial query (a locked, corrupt or closed
 * database throws), and no store job has been in progress longer than an association may last
 * (the association timers abort any send before that, so such a job means the forwarder's lane
 * is stuck, e.g. on a promise that never settles).
 */
export function queueHealth(q: QueueHealthInputs): Health {
  try {
    const one = q.db.prepare<{ ok: number }>('SELECT 1 AS ok').get();
    if (one?.ok !== 1) return { ok: false, reason: 'the database did not answer SELECT 1' };
  } catch (e) {
    return { ok: false, reason: `the database does not answer: ${(e as Error).message}` };
  }
  const now = q.clock.now().getTime();
  const stuck = q.inProgress().find((j) => now - Date.parse(j.updatedAt) > q.maxInProgressMs);
  if (stuck) return { ok: false, reason: `send job ${stuck.jobId} in progress since ${stuck.updatedAt}, longer than an association may last` };
  return { ok: true };
}

export interface ServiceSystemdOptions {
  /** The API's base URL on loopback, e.g. http://127.0.0.1:8042 */
  readonly apiUrl: string;
  readonly clock: Clock;
  readonly log?: Logger;
  readonly env?: NodeJS.ProcessEnv;
  readonly health: () => Health;
  /** A one-line summary of the service for STATUS= (queue, alarms). */
  readonly summary: () => string;
  readonly statusEveryMs?: number;
  readonly notifier?: SystemdNotifier;
}

export interface ServiceSystemd {
  /** Resolves once READY=1 has been sent (at once when not under systemd). */
  readonly ready: Promise<void>;
  /** STOPPING=1 and the end of every timer. */
  stopping(reason: string): Promise<void>;
}

export function startServiceSystemd(o: ServiceSystemdOptions): ServiceSystemd {
  const log = (o.log ?? nullLogger).child({ component: 'systemd' });
  const notifier = o.notifier ?? systemdNotifier({ ...(o.env ? { env: o.env } : {}), logger: log });
  if (!notifier.enabled) return { ready: Promise.resolve(), stopping: async () => undefined };
  const abort = new AbortController();
  let watchdog: Watchdog | undefined;
  let statusTimer: TimerHandle | undefined;
  let lastStatus = '';
  let stopped = false;

  const postStatus = (): void => {
    if (stopped) return;
    let line: string;
    try {
      line = o.summary();
    } catch (e) {
      line = `status unavailable: ${(e as Error).message}`;
    }
    if (line !== lastStatus) {
      lastStatus = line;
      void notifier.status(line);
    }
    statusTimer = o.clock.setTimeout(postStatus, o.statusEveryMs ?? 10_000);
  };

  const ready = (async () => {
    try {
      await waitUntilAnswering(`${o.apiUrl}/api/state`, { clock: o.clock, signal: abort.signal });
    } catch {
      return; // stopped before the API answered: never READY
    }
    if (stopped) return;
    await notifier.ready(`serving on ${o.apiUrl}/`);
    log.info('systemd notified: ready');
    const periodMs = watchdogIntervalMs(o.env ?? process.env);
    if (periodMs !== undefined) {
      watchdog = new Watchdog({ notifier, periodMs, clock: o.clock, health: o.health, logger: log });
      watchdog.start();
    }
    lastStatus = `serving on ${o.apiUrl}/`;
    statusTimer = o.clock.setTimeout(postStatus, o.statusEveryMs ?? 10_000);
  })();

  return {
    ready,
    async stopping(reason) {
      if (stopped) return;
      stopped = true;
      abort.abort();
      watchdog?.stop();
      statusTimer?.cancel();
      await notifier.stopping(reason);
    },
  };
}
