export { systemdNotifier, watchdogIntervalMs, type SystemdNotifier, type SystemdNotifierOptions } from './notify.js';
export { Watchdog, type Health, type WatchdogOptions } from './watchdog.js';
export { waitUntilAnswering } from './readiness.js';
