export { systemdNotifier, watchdogIntervalMs, type SystemdNotifier, type SystemdNotifierOptions } from './notify.js';
export { Watchdog, type Health, type WatchdogOptions } from './watchdog.js';
export { waitUntilAnswering } from './readiness.js';
export { queueHealth, startServiceSystemd, type QueueHealthInputs, type ServiceSystemd, type ServiceSystemdOptions } from './service-systemd.js';
