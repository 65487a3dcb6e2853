/**
 * The schema of DeviceConfig (types.ts) with its defaults, and loading: parse JSON, validate,
 * fill defaults. Defaults are the built-in configuration `npm start` runs with: simulated
 * capture, no destinations, data under the per-user data directory.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import { arrayOf, bool, fail, field, int, num, obj, oneOf, optional, str, type Check } from './schema.js';
import {
  DESTINATION_ROLES,
  type ActivityTimers,
  type CommitmentConfig,
  type CaptureConfig,
  type DestinationConfig,
  type DestinationRole,
  type DestinationTls,
  type DeviceConfig,
  type PatientIdRule,
  type QuotaConfig,
  type RetryConfig,
  type ScpConfig,
  type ScpTlsConfig,
  type TimersConfig,
  type WorklistConfig,
} from './types.js';

/** Conformance §1: 1–16 characters of the default repertoire, no backslash, no control characters, not all spaces. */
export const aeTitle: Check<string> = (v, p) => {
  const what = 'an AE title of 1-16 printable ASCII characters, no backslash, not all spaces';
  if (typeof v !== 'string' || v.length < 1 || v.length > 16 || !/^[\x20-\x5b\x5d-\x7e]+$/.test(v) || v.trim() === '') {
    fail(p, `expected ${what}, got ${JSON.stringify(v) ?? 'nothing'}`);
  }
  return v;
};

const port = int(1, 65535);

const scpTls: Check<ScpTlsConfig> = obj<ScpTlsConfig>({
  certFile: field(str({ min: 1 })),
  keyFile: field(str({ min: 1 })),
  caFile: optional(str({ min: 1 })),
});

const scp: Check<ScpConfig> = obj<ScpConfig>({
  bindAddress: field(str({ min: 1, max: 64, pattern: /^[0-9A-Fa-f.:]+$/, what: 'an IP address such as 0.0.0.0 or 127.0.0.1' }), '0.0.0.0'),
  callingAeTitles: field((v, p) => {
    const list = arrayOf(aeTitle)(v, p);
    const dup = list.findIndex((t, i) => list.findIndex((o) => o.trim() === t.trim()) !== i);
    if (dup >= 0) fail(`${p}[${dup}]`, `${JSON.stringify(list[dup])} is listed twice`);
    return list;
  }, []),
  unknownCallingAe: field(oneOf(['accept', 'accept-from-loopback', 'reject'] as const), 'accept-from-loopback'),
  maxAssociations: field(int(1, 64), 8),
  tls: optional(scpTls),
});

/** `sim`, `v4l2:/dev/videoN` or `file:PATH`. */
export const captureSource: Check<string> = str({ pattern: /^(sim|v4l2:\/dev\/video\d+|file:.+)$/, what: 'sim, v4l2:/dev/videoN or file:PATH' });

const tls: Check<DestinationTls> = obj<DestinationTls>({
  caFile: optional(str({ min: 1 })),
  certFile: optional(str({ min: 1 })),
  keyFile: optional(str({ min: 1 })),
  verifyPeer: field(bool, true),
  serverName: optional(str({ min: 1 })),
}, (t, p) => {
  if ((t.certFile === undefined) !== (t.keyFile === undefined)) fail(`${p}.${t.certFile ? 'keyFile' : 'certFile'}`, 'certFile and keyFile go together');
});

const roles: Check<DestinationRole[]> = (v, p) => {
  const list = arrayOf(oneOf(DESTINATION_ROLES), { min: 1 })(v, p);
  const dup = list.find((r, i) => list.indexOf(r) !== i);
  if (dup) fail(p, `role ${JSON.stringify(dup)} is listed twice`);
  // Commitment is asked of the archive the instances were stored at (the same destination).
  if (list.includes('commitment') && !list.includes('store')) fail(p, 'the role "commitment" needs the role "store" on the same destination (commitment is asked where the instances were stored)');
  return list;
};

const destination: Check<DestinationConfig> = obj<DestinationConfig>({
  name: field(str({ min: 1, max: 64, pattern: /^[A-Za-z0-9_.-]+$/, what: 'a name of 1-64 letters, digits, _ . -' })),
  host: field(str({ min: 1, max: 255, pattern: /^[^\s/]+$/, what: 'a host name or address' })),
  port: field(port),
  calledAe: field(aeTitle),
  roles: field(roles),
  tls: optional(tls),
  concurrency: field(int(1, 16), 1),
  lingerS: field(num(0, 60), 2),
});

const destinations: Check<DestinationConfig[]> = (v, p) => {
  const list = arrayOf(destination)(v, p);
  list.forEach((d, i) => {
    const first = list.findIndex((o) => o.name === d.name);
    if (first !== i) fail(`${p}[${i}].name`, `${JSON.stringify(d.name)} is already the name of destinations[${first}]`);
  });
  if (list.filter((d) => d.roles.includes('worklist')).length > 1) fail(p, 'at most one destination may have the role "worklist"');
  return list;
};

function timers(d: ActivityTimers): Check<ActivityTimers> {
  return obj<ActivityTimers>({
    associationRequestS: field(num(1, 600), d.associationRequestS),
    inactivityS: field(num(1, 3600), d.inactivityS),
    wholeAssociationS: field(num(1, 86400), d.wholeAssociationS),
  });
}

/** Conformance §1 timer table. */
export const DEFAULT_TIMERS: TimersConfig = {
  store: { associationRequestS: 30, inactivityS: 180, wholeAssociationS: 3600 },
  find: { associationRequestS: 30, inactivityS: 90, wholeAssociationS: 3600 },
};

const PLACEHOLDERS = ['{date}', '{time}', '{seq}', '{ae}'];
const patientIdRule: Check<PatientIdRule> = obj<PatientIdRule>({
  template: field(
    (v, p) => {
      const s = str({ min: 1, max: 64 })(v, p);
      const unknown = s.match(/\{[^}]*\}/g)?.find((x) => !PLACEHOLDERS.includes(x));
      if (unknown) fail(p, `unknown placeholder ${unknown} (known: ${PLACEHOLDERS.join(' ')})`);
      if (!s.includes('{seq}') && !s.includes('{time}')) fail(p, 'needs {seq} or {time} so that two patients on one day get different IDs');
      if (/[\\\x00-\x1f]/.test(s)) fail(p, 'a Patient ID (LO) cannot hold a backslash or control characters');
      return s;
    },
    'US{date}{seq}',
  ),
  required: field(bool, false),
});

const captureCfg: Check<CaptureConfig> = obj<CaptureConfig>({
  source: field(captureSource, 'sim'),
  transferSyntax: field(oneOf(['explicit', 'jpeg-baseline', 'jpeg-lossless'] as const), 'jpeg-lossless'),
  ringSeconds: field(num(1, 120), 12),
  ringMemoryMb: field(int(16, 65536), 600),
  ringFrames: field(oneOf(['raw', 'compressed'] as const), 'raw'),
  maxCineSeconds: field(num(1, 120), 10),
}, (c, p) => {
  if (c.maxCineSeconds > c.ringSeconds) fail(`${p}.maxCineSeconds`, `${c.maxCineSeconds} s is longer than the ring (capture.ringSeconds = ${c.ringSeconds})`);
});

const retry: Check<RetryConfig> = obj<RetryConfig>({
  initialDelayS: field(num(0.1, 3600), 10),
  maxDelayS: field(num(1, 86400), 1800),
  factor: field(num(1, 10), 2),
  maxAttempts: field(int(0, 10000), 0),
}, (r, p) => {
  if (r.maxDelayS < r.initialDelayS) fail(`${p}.maxDelayS`, `${r.maxDelayS} is below retry.initialDelayS (${r.initialDelayS})`);
});

const commitment: Check<CommitmentConfig> = obj<CommitmentConfig>({
  reportTimeoutS: field(num(1, 7 * 86400), 600),
  holdAssociationS: field(num(0, 600), 5),
  maxResends: field(int(0, 10), 1),
}, (c, p) => {
  if (c.holdAssociationS >= c.reportTimeoutS) fail(`${p}.holdAssociationS`, `${c.holdAssociationS} s is not below commitment.reportTimeoutS (${c.reportTimeoutS} s)`);
});

const quotas: Check<QuotaConfig> = obj<QuotaConfig>({
  maxSpoolMb: field(int(10, 10_000_000), 20_000),
  warnFreeMb: field(int(0, 10_000_000), 2_000),
  refuseFreeMb: field(int(0, 10_000_000), 500),
}, (q, p) => {
  if (q.refuseFreeMb > q.warnFreeMb) fail(`${p}.refuseFreeMb`, `${q.refuseFreeMb} is above quotas.warnFreeMb (${q.warnFreeMb}): the warning would come after the refusal`);
});

const worklist: Check<WorklistConfig> = obj<WorklistConfig>({
  refreshIntervalS: field(int(0, 86400), 300),
  modality: field(str({ min: 1, max: 16, pattern: /^[A-Z0-9 _]+$/, what: 'a modality code such as US' }), 'US'),
  onlyOurStation: field(bool, false),
  daysBefore: field(int(0, 365), 0),
  daysAfter: field(int(0, 365), 0),
});

/** $XDG_DATA_HOME/sonicart, else ~/.local/share/sonicart (XDG Base Directory). */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  return xdg && xdg.startsWith('/') ? join(xdg, 'sonicart') : join(env['HOME'] || homedir(), '.local', 'share', 'sonicart');
}

export const DEFAULT_UI_PORT = 8042;

export function deviceConfigSchema(env: Readonly<Record<string, string | undefined>> = process.env): Check<DeviceConfig> {
  return obj<DeviceConfig>({
    aeTitle: field(aeTitle, 'US_CART'),
    listenPort: field(int(0, 65535), 11112),
    scp: field(scp, {} as ScpConfig),
    maxPduLength: field(int(4096, 1 << 24), 64 * 1024),
    stationName: field(str({ min: 1, max: 16, pattern: /^[^\\\x00-\x1f]+$/, what: 'a Station Name of 1-16 characters (SH)' }), 'US_CART'),
    institutionName: field(str({ max: 64, pattern: /^[^\\\x00-\x1f]*$/, what: 'an Institution Name of at most 64 characters (LO)' }), ''),
    destinations: field(destinations, []),
    timers: field(
      obj<TimersConfig>({ store: field(timers(DEFAULT_TIMERS.store), DEFAULT_TIMERS.store), find: field(timers(DEFAULT_TIMERS.find), DEFAULT_TIMERS.find) }),
      DEFAULT_TIMERS,
    ),
    capture: field(captureCfg, {} as CaptureConfig),
    media: field(
      obj<DeviceConfig['media']>({
        profile: field(oneOf(['STD-GEN-USB-JPEG', 'STD-GEN-SD-JPEG'] as const), 'STD-GEN-USB-JPEG'),
        exportOnEnd: field(bool, false),
        watcher: field(oneOf(['linux', 'sim'] as const), 'sim'),
      }),
      {} as DeviceConfig['media'],
    ),
    dataDir: field(str({ min: 1, pattern: /^\//, what: 'an absolute directory path' }), defaultDataDir(env)),
    uiPort: field(port, DEFAULT_UI_PORT),
    retry: field(retry, {} as RetryConfig),
    commitment: field(commitment, {} as CommitmentConfig),
    quotas: field(quotas, {} as QuotaConfig),
    worklist: field(worklist, {} as WorklistConfig),
    patientId: field(patientIdRule, {} as PatientIdRule),
    panel: field(
      obj<DeviceConfig['panel']>({
        footswitch: field(oneOf(['store-still', 'store-cine', 'freeze'] as const), 'freeze'),
        cineSeconds: field(num(0.5, 120), 4),
        // 'sim': the simulated panel on a socat pty pair (npm start); 'none': no panel; else the serial device
        path: field(str({ min: 1, pattern: /^(sim|none|\/.+)$/, what: 'sim, none or the absolute path of a serial device' }), 'sim'),
        cineMode: field(oneOf(['retrospective', 'prospective'] as const), 'retrospective'),
      }),
      {} as DeviceConfig['panel'],
    ),
    service: field(obj<{ pin: string }>({ pin: field(str({ pattern: /^[0-9]{4,12}$/, what: 'a PIN of 4-12 digits' }), '0000') }), {} as { pin: string }),
  });
}

/** Validates a parsed configuration (an object from JSON) and fills the defaults. */
export function parseDeviceConfig(json: unknown, env?: Readonly<Record<string, string | undefined>>): DeviceConfig {
  return deviceConfigSchema(env)(json, '');
}

/** The built-in configuration (what `npm start` runs with when no file is given). */
export function defaultDeviceConfig(env?: Readonly<Record<string, string | undefined>>): DeviceConfig {
  return parseDeviceConfig({}, env);
}

/** Overrides from the command line, applied after the file and validated with it. */
export interface ConfigOverrides {
  readonly dataDir?: string;
  readonly uiPort?: number;
  readonly listenPort?: number;
}

/** Reads FILE (or nothing: the defaults), applies the overrides, validates. Throws ConfigError. */
export async function loadDeviceConfig(file: string | undefined, overrides: ConfigOverrides = {}, env?: Readonly<Record<string, string | undefined>>): Promise<DeviceConfig> {
  let json: unknown = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new ConfigError(file, `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'CONFIG_READ');
    }
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(file, `not valid JSON: ${(e as Error).message.split('\n')[0]}`, 'CONFIG_JSON');
    }
  }
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    json = {
      ...json,
      ...(overrides.dataDir !== undefined ? { dataDir: overrides.dataDir } : {}),
      ...(overrides.uiPort !== undefined ? { uiPort: overrides.uiPort } : {}),
      ...(overrides.listenPort !== undefined ? { listenPort: overrides.listenPort } : {}),
    };
  }
  return parseDeviceConfig(json, env);
}
