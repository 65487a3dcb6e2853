/**
 * The configuration of the running cart (`sonicart serve --config FILE`): the shapes only.
 * The schema that validates a file against these shapes is schema.ts; defaults are defaults.ts.
 * Every field is required here: a loaded configuration has had its defaults filled in, so the
 * rest of the service never guesses.
 */

/** What a destination is used for: sending images, the worklist, MPPS (RAD-6/7), storage commitment (RAD-10). */
export type DestinationRole = 'store' | 'worklist' | 'mpps' | 'commitment';
export const DESTINATION_ROLES: readonly DestinationRole[] = ['store', 'worklist', 'mpps', 'commitment'];

/** DICOM over TLS to this destination (PS3.15 BCP 195); the paths are PEM files. */
export interface DestinationTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Default true; false only on a bench without a PKI. */
  readonly verifyPeer: boolean;
  readonly serverName?: string;
}

export interface DestinationConfig {
  /** Unique, used in the API (`/api/destinations/{name}/echo`), the queue and the audit trail. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly calledAe: string;
  readonly roles: readonly DestinationRole[];
  readonly tls?: DestinationTls;
  /** Associations at once to this destination for sending (default 1). */
  readonly concurrency: number;
  /**
   * Seconds a sending association with nothing left to send stays open for new work (default
   * 2; 0 releases it at once), so that a burst of exam ends reuses it instead of opening one
   * per exam.
   */
  readonly lingerS: number;
}

/** Conformance §1 timers, in seconds, per activity. */
export interface ActivityTimers {
  readonly associationRequestS: number;
  readonly inactivityS: number;
  readonly wholeAssociationS: number;
}
export interface TimersConfig {
  readonly store: ActivityTimers;
  readonly find: ActivityTimers;
}

/** `sim`, `v4l2:/dev/videoN` or `file:PATH` (what openFrameSource takes). */
export type CaptureSourceSpec = string;

export interface CaptureConfig {
  readonly source: CaptureSourceSpec;
  /** Transfer syntax captures are written in. */
  readonly transferSyntax: 'explicit' | 'jpeg-baseline' | 'jpeg-lossless';
  /** Seconds of history in the ring (the longest retrospective cine possible). */
  readonly ringSeconds: number;
  /**
   * Memory the ring may use, MB. Frames are held in the capture syntax (JPEG frames are a
   * fraction of raw ones), so the seconds it holds depend on the syntax and the image: the ring
   * keeps ringSeconds or what fits this budget, whichever is less (shown in GET /api/state).
   */
  readonly ringMemoryMb: number;
  /**
   * How the ring holds frames. `raw`: as the grabber delivers them (no CPU spent; 800×600 RGB at
   * 30 frames/s is 43 MB per second of ring). `compressed`: packed losslessly as they arrive
   * (Sub filter + deflate) for the lossless capture syntaxes, JPEG-encoded for JPEG Baseline —
   * about 2.4× the seconds in the same memory, for about a third of a core continuously.
   */
  readonly ringFrames: 'raw' | 'compressed';
  /** Longest cine a user may ask for, seconds. */
  readonly maxCineSeconds: number;
}

export type MediaProfile = 'STD-GEN-USB-JPEG' | 'STD-GEN-SD-JPEG';

/** Retries of the store queue: exponential back-off with a cap (conformance §2 decides retry vs. fail). */
export interface RetryConfig {
  readonly initialDelayS: number;
  readonly maxDelayS: number;
  readonly factor: number;
  /** After this many attempts a retryable failure becomes permanent (0 = never give up). */
  readonly maxAttempts: number;
}

/**
 * Storage commitment (push model) at destinations with the role `commitment`. The local copy of
 * an instance is removed by the quota only once every such destination has committed it.
 */
export interface CommitmentConfig {
  /** No N-EVENT-REPORT within this time after the N-ACTION: request again (new Transaction UID), seconds. */
  readonly reportTimeoutS: number;
  /** How long the N-ACTION's association stays open for a report on it, seconds (0: release at once). */
  readonly holdAssociationS: number;
  /** How often an instance the archive reports as failed is stored and requested again (0: never). */
  readonly maxResends: number;
}

export interface QuotaConfig {
  /** Spool size above which the oldest fully sent studies are removed, MB. */
  readonly maxSpoolMb: number;
  /** Below this much free disk the service warns (alarm), MB. */
  readonly warnFreeMb: number;
  /** Below this much free disk captures are refused, MB. */
  readonly refuseFreeMb: number;
}

export interface WorklistConfig {
  /** Auto-refresh interval, seconds (0 = manual only). */
  readonly refreshIntervalS: number;
  /** Default filters of the auto-refresh. */
  readonly modality: string;
  /** Ask only for our own Scheduled Station AE Title. */
  readonly onlyOurStation: boolean;
  /** Days before/after today in the SPS Start Date range (0/0 = today). */
  readonly daysBefore: number;
  readonly daysAfter: number;
}

/**
 * Patient ID of an unscheduled patient when the user gives none: a template where `{date}`
 * (YYYYMMDD), `{time}` (HHMMSS), `{seq}` (a per-day counter, 3 digits) and `{ae}` are replaced.
 * `required: true` refuses an unscheduled patient without a typed ID instead.
 */
export interface PatientIdRule {
  readonly template: string;
  readonly required: boolean;
}

/** TLS on the listener (PEM files); with caFile, a client certificate signed by it is required. */
export interface ScpTlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
}

/**
 * The listener (conformance §8). Calling AE policy: titles in `callingAeTitles` are accepted
 * from any address; any other calling AE title is accepted (`accept`), accepted from loopback
 * only (`accept-from-loopback`, the default) or rejected (`reject`: A-ASSOCIATE-RJ permanent,
 * calling-AE-title-not-recognized).
 */
export interface ScpConfig {
  /** The address to listen on (default all: 0.0.0.0). */
  readonly bindAddress: string;
  readonly callingAeTitles: readonly string[];
  readonly unknownCallingAe: 'accept' | 'accept-from-loopback' | 'reject';
  /** Simultaneous associations; the rest get A-ASSOCIATE-RJ transient, local-limit-exceeded. */
  readonly maxAssociations: number;
  readonly tls?: ScpTlsConfig;
}

export interface DeviceConfig {
  /** Our AE title (conformance §1): 1–16 chars, no backslash or control characters, not all spaces. */
  readonly aeTitle: string;
  /** The listener's port (conformance §8; 0: any free port, for tests — the bound one is in GET /api/state). */
  readonly listenPort: number;
  /** The listener: who may associate, limits, TLS. */
  readonly scp: ScpConfig;
  /** Max PDU we receive, bytes (conformance §1; 0 is never offered). */
  readonly maxPduLength: number;
  readonly stationName: string;
  readonly institutionName: string;
  readonly destinations: readonly DestinationConfig[];
  readonly timers: TimersConfig;
  readonly capture: CaptureConfig;
  /** watcher: 'linux' (removable volumes under /proc/mounts) or 'sim' (simulated media under DATADIR/sim-media). */
  readonly media: { readonly profile: MediaProfile; readonly exportOnEnd: boolean; readonly watcher: 'linux' | 'sim' };
  /** Where the database and spooled files live. */
  readonly dataDir: string;
  /** The API and kiosk port on 127.0.0.1. */
  readonly uiPort: number;
  readonly retry: RetryConfig;
  readonly commitment: CommitmentConfig;
  readonly quotas: QuotaConfig;
  readonly worklist: WorklistConfig;
  readonly patientId: PatientIdRule;
  /** The control panel (issue 11): what the footswitch does, and the length of the cine key's clip. */
  readonly panel: {
    readonly footswitch: 'store-still' | 'store-cine' | 'freeze';
    readonly cineSeconds: number;
    /** Where the panel is: 'sim' (simulated on a socat pty pair), 'none', or a serial device such as /dev/sonicart-panel. */
    readonly path: string;
    /** retrospective: the cine key keeps the last cineSeconds; prospective: records the next cineSeconds. */
    readonly cineMode: 'retrospective' | 'prospective';
  };
  /** The service screen's PIN (digits, 4-12); shown as hidden in GET /api/config. */
  readonly service: { readonly pin: string };
}
