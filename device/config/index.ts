export type * from './types.js';
export { DESTINATION_ROLES } from './types.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
export {
  aeTitle,
  captureSource,
  DEFAULT_TIMERS,
  DEFAULT_UI_PORT,
  defaultDataDir,
  defaultDeviceConfig,
  deviceConfigSchema,
  loadDeviceConfig,
  parseDeviceConfig,
  type ConfigOverrides,
} from './device-config.js';
export { peerConfigFor } from './peers.js';
export { ConfiguredDestinations } from './destinations.js';
