/**
 * device/service.ts's one call into systemd: the running device's health and summary handed to
 * device/systemd (READY once the API answers, STATUS, a watchdog fed only while healthy,
 * STOPPING at the drain). Kept apart from service.ts so the lifecycle there stays readable.
 */
import type { CartDevice } from './main.js';
import type { Logger } from './log/logger.js';
import { queueHealth, startServiceSystemd, type ServiceSystemd } from './systemd/index.js';

export function attachSystemd(device: CartDevice, apiPort: number, log: Logger, env: NodeJS.ProcessEnv = process.env): ServiceSystemd {
  const t = device.config.timers.store;
  return startServiceSystemd({
    apiUrl: `http://127.0.0.1:${apiPort}`,
    clock: device.clock,
    log,
    env,
    health: () =>
      queueHealth({
        db: device.db,
        inProgress: () => device.queue.list({ state: 'in-progress' }, { limit: 50 }),
        maxInProgressMs: (t.wholeAssociationS + t.inactivityS) * 1000,
        clock: device.clock,
      }),
    summary: () => {
      const q = device.queue.summary().byState;
      const alarms = device.alarms().map((a) => a.id);
      return [
        `sending ${q['in-progress']}, waiting ${q.scheduled + q.retry}, failed ${q.failed}`,
        alarms.length ? `alarms: ${alarms.join(' ')}` : 'no alarms',
      ].join('; ');
    },
  });
}
