/**
 * The device API: startApi() serves the routes of device.md, /api/events and /api/live, and the
 * kiosk's files, on 127.0.0.1. device/service.ts calls it after the device started and closes it
 * first when stopping.
 */
import { join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import type { Device } from '../device.js';
import type { MediaJobs } from '../media/jobs.js';
import type { Forwarder, JobQueue } from '../queue/index.js';
import type { InstanceStore } from '../storage/index.js';
import { instancePort, queuePort, type ProcedureRecords } from './adapters.js';
import type { DestinationView, LogEntry, ScpView } from './api-types.js';
import type { ApiDeps } from './ports.js';
import { EventsEndpoint, eventBodies } from './events.js';
import { LiveEndpoint } from './live.js';
import { sharpLiveEncoder, type LiveEncoder } from './live-encoder.js';
import { buildRoutes } from './routes.js';
import { LOOPBACK_HOST, startHttpApi, type HttpApi } from './server.js';
import { staticFiles } from './static-files.js';
import { Thumbnails } from './thumbnails.js';
import { destinationViews, deviceState, type Reachability } from './views.js';

export interface StartApiOptions {
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** The kiosk's build (ui-kiosk/dist); absent or missing: only the API is served. */
  readonly staticDir?: string;
  /** Where the configuration came from, for GET /api/config. */
  readonly configSource: string;
  readonly encoder?: LiveEncoder;
}

export interface RunningApi extends HttpApi {
  readonly events: EventsEndpoint;
  readonly live: LiveEndpoint;
}

/** The modules the API serves, as the composition root (createDevice) assembles them. */
export interface ServedDevice extends Device {
  readonly queue: JobQueue;
  readonly instances: InstanceStore;
  readonly media: MediaJobs;
  /** MPPS and storage commitment records (createDevice has them). */
  readonly mpps?: ProcedureRecords['mpps'];
  readonly commitments?: ProcedureRecords['commitments'];
  readonly scp?: { status(): ScpView };
  /** The sender: its bytes-sent progress shows on in-progress store jobs. */
  readonly forwarder?: Forwarder;
}

/** The API's view of a device: its ports over the queue and the store, thumbnails under the data directory. */
export function apiDepsOf(device: ServedDevice, o: { version: string; logEntries$?: Observable<LogEntry> }): ApiDeps {
  return {
    device,
    media: device.media,
    queue: queuePort(device.queue, device.mpps && device.commitments ? { mpps: device.mpps, commitments: device.commitments } : undefined, device.forwarder),
    instances: instancePort(device.instances),
    thumbnailDir: join(device.config.dataDir, 'thumbnails'),
    version: o.version,
    ...(device.scp ? { scp: device.scp } : {}),
    ...(o.logEntries$ ? { logEntries$: o.logEntries$ } : {}),
  };
}

export async function startApi(deps: ApiDeps, options: StartApiOptions): Promise<RunningApi> {
  const { device } = deps;
  const log = device.log.child({ module: 'api' });
  const startedAt = device.clock.now().toISOString();
  const reachability: Reachability = new Map();
  const thumbnails = new Thumbnails({ cacheDir: deps.thumbnailDir, fileOf: (uid) => deps.instances.fileOf(uid), log });
  const destinationChanges = new Subject<DestinationView>();
  const router = buildRoutes({
    deps,
    thumbnails,
    startedAt,
    reachability,
    configSource: options.configSource,
    reachabilityChanged: (name) => {
      const view = destinationViews(device, reachability).find((d) => d.name === name);
      if (view) destinationChanges.next(view);
    },
  });
  const events = new EventsEndpoint({ bodies: eventBodies(deps, destinationChanges), state: () => deviceState(deps, startedAt, reachability), clock: device.clock, log });
  const live = new LiveEndpoint({
    live: device.live,
    encode: options.encoder ?? sharpLiveEncoder(),
    log,
    recording: () => device.exams.snapshot().recording?.kind === 'cine',
  });
  const http = await startHttpApi({
    router,
    log,
    host: LOOPBACK_HOST,
    port: options.port,
    ...(options.staticDir ? { staticFiles: await staticFiles(options.staticDir) } : {}),
    websockets: { '/api/events': events, '/api/live': live },
  });
  return { ...http, events, live };
}

export type { ApiDeps, QueuePort, InstancePort, QueueListFilter } from './ports.js';
export { teeLogger } from './log-tap.js';
export { ApiError, errorResponse } from './errors.js';
export { instancePort, queuePort } from './adapters.js';
