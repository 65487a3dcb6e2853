/**
 * /api/events: the device state as one stream of JSON messages (api-types.ts ApiEvent). The full
 * state on connect, then changes from the modules' rxjs observables. Progress is throttled per
 * job (first change at once, then at most one per PROGRESS_MS, the last value always sent), and
 * a state change of a job is never held back behind its progress.
 *
 * A slow client must not make the service buffer without bound: before each send the socket's
 * bufferedAmount is checked; above HIGH_WATER the client is marked lagging and messages for it
 * are dropped (seq still counts, so it sees the gap); once its buffer falls under LOW_WATER it
 * gets a fresh `state` message, which replaces everything it missed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { EMPTY, Observable, asyncScheduler, auditTime, debounceTime, distinctUntilChanged, groupBy, map, merge, mergeMap, share, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import type { ApiEvent, ApiEventBody, DestinationView, DeviceState } from './api-types.js';
import type { ApiDeps } from './ports.js';
import type { UpgradeEndpoint } from './server.js';
import { alarmView, captureState, examView, exportJobView, instanceView, volumeView } from './views.js';

export const PROGRESS_MS = 250;
export const SUMMARY_MS = 500;
export const HIGH_WATER = 1 << 20;
export const LOW_WATER = 64 << 10;
const LAG_CHECK_MS = 100;

/**
 * Per key: the first value at once, then at most one per `ms` with the last kept; a new
 * `phase` (e.g. a job's state) goes out at once and drops the value still held from the phase
 * before, so a late progress message never follows (and seems to undo) a state change.
 */
export function throttlePerKey<T>(source: Observable<T>, key: (t: T) => string, phase: (t: T) => string, ms: number): Observable<T> {
  return source.pipe(
    groupBy(key, { duration: (g) => g.pipe(debounceTime(ms * 4)) }),
    mergeMap((g) => g.pipe(throttleWithinPhase(phase, ms))),
  );
}

/** throttleTime (leading and trailing) that restarts on a new phase and forgets the old phase's trailing value. */
function throttleWithinPhase<T>(phase: (t: T) => string, ms: number): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((out) => {
      let current: string | undefined;
      let window: Subscription | undefined;
      let held: { value: T } | undefined;
      const open = (): void => {
        window?.unsubscribe();
        window = asyncScheduler.schedule(() => {
          window = undefined;
          if (!held) return;
          const { value } = held;
          held = undefined;
          out.next(value);
          open();
        }, ms);
      };
      const sub = source.subscribe({
        next: (v) => {
          const p = phase(v);
          if (p !== current || !window) {
            current = p;
            held = undefined;
            out.next(v);
            open();
          } else held = { value: v };
        },
        error: (e: unknown) => out.error(e),
        complete: () => {
          window?.unsubscribe();
          if (held) out.next(held.value);
          out.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        window?.unsubscribe();
      };
    });
}

/** Builds the shared stream of event bodies from the device's observables. */
export function eventBodies(deps: ApiDeps, destinations$: Observable<DestinationView> = EMPTY): Observable<ApiEventBody> {
  const { device, queue, media } = deps;
  const exam$ = device.exams.events$.pipe(
    mergeMap((e): ApiEventBody[] => {
      const snapshot = device.exams.snapshot();
      const current = snapshot.current ? examView(snapshot.current, deps) : null;
      const out: ApiEventBody[] = [];
      if (e.type === 'instance-stored') out.push({ type: 'instance', examId: e.examId, instance: instanceView(e.instance, deps) });
      if (e.type === 'store-failed') out.push({ type: 'log', entry: { time: device.clock.now().toISOString(), level: 'error', msg: `storing the ${e.kind} failed`, fields: { code: e.error.code, message: e.error.message } } });
      out.push({ type: 'exam', exam: current });
      out.push({ type: 'capture', capture: captureState(device, snapshot) });
      return out;
    }),
  );
  const job$ = throttlePerKey(queue.changes$, (j) => j.jobId, (j) => j.state, PROGRESS_MS).pipe(map((job): ApiEventBody => ({ type: 'job', job })));
  const summary$ = queue.changes$.pipe(
    auditTime(SUMMARY_MS),
    map((): ApiEventBody => ({ type: 'queue', summary: queue.summary() })),
  );
  const export$ = throttlePerKey(media.jobs$, (j) => j.jobId, (j) => j.state, PROGRESS_MS).pipe(map((j): ApiEventBody => ({ type: 'export', job: exportJobView(j) })));
  const volumes$ = media.volumes$.pipe(
    map((vs) => vs.map(volumeView)),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    map((volumes): ApiEventBody => ({ type: 'media', volumes })),
  );
  const alarms$ = device.alarms$.pipe(map((as): ApiEventBody => ({ type: 'alarms', alarms: as.map(alarmView) })));
  const destination$ = destinations$.pipe(map((destination): ApiEventBody => ({ type: 'destination', destination })));
  const log$ = deps.logEntries$?.pipe(map((entry): ApiEventBody => ({ type: 'log', entry }))) ?? [];
  return merge(exam$, job$, summary$, export$, volumes$, alarms$, destination$, log$).pipe(share());
}

interface EventsClient {
  readonly ws: WebSocket;
  seq: number;
  lagging: boolean;
  dropped: number;
  lagTimer: { cancel(): void } | undefined;
}

export interface EventsEndpointOptions {
  readonly bodies: Observable<ApiEventBody>;
  readonly state: () => DeviceState;
  readonly clock: Clock;
  readonly log: Logger;
  readonly highWater?: number;
  readonly lowWater?: number;
}

export class EventsEndpoint implements UpgradeEndpoint {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  private readonly clients = new Set<EventsClient>();
  private subscription: Subscription | undefined;

  constructor(private readonly opts: EventsEndpointOptions) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  async close(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const c of this.clients) {
      c.lagTimer?.cancel();
      c.ws.terminate();
    }
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** For tests and the service screen: how clients are doing. */
  stats(): { clients: number; lagging: number; dropped: number } {
    let lagging = 0;
    let dropped = 0;
    for (const c of this.clients) {
      if (c.lagging) lagging++;
      dropped += c.dropped;
    }
    return { clients: this.clients.size, lagging, dropped };
  }

  private attach(ws: WebSocket): void {
    const client: EventsClient = { ws, seq: 0, lagging: false, dropped: 0, lagTimer: undefined };
    // The full state goes first, before this client is subscribed to changes (some sources
    // replay their current value on subscription; the state already holds it).
    this.sendState(client);
    this.clients.add(client);
    // The stream runs only while someone listens; a late subscriber starts from the full state.
    this.subscription ??= this.opts.bodies.subscribe({
      next: (body) => {
        for (const c of this.clients) this.send(c, body);
      },
      error: (e: unknown) => this.opts.log.error('the event stream failed', { error: e }),
    });
    ws.on('close', () => {
      client.lagTimer?.cancel();
      this.clients.delete(client);
      if (this.clients.size === 0) {
        this.subscription?.unsubscribe();
        this.subscription = undefined;
      }
    });
    ws.on('error', (e) => this.opts.log.debug('events client error', { error: e }));
    // Clients only listen here; anything they send is ignored (the API is HTTP).
  }

  private sendState(client: EventsClient): void {
    let state: DeviceState;
    try {
      state = this.opts.state();
    } catch (e) {
      this.opts.log.error('device state for /api/events failed', { error: e });
      client.ws.close(1011, 'the device state could not be read');
      return;
    }
    this.write(client, { type: 'state', state });
  }

  private send(client: EventsClient, body: ApiEventBody): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.lagging || client.ws.bufferedAmount > (this.opts.highWater ?? HIGH_WATER)) {
      client.seq++;
      client.dropped++;
      if (!client.lagging) {
        client.lagging = true;
        this.opts.log.warn('events client is slow; dropping messages until it catches up', { buffered: client.ws.bufferedAmount });
        this.watchLag(client);
      }
      return;
    }
    this.write(client, body);
  }

  private watchLag(client: EventsClient): void {
    client.lagTimer = this.opts.clock.setTimeout(() => {
      client.lagTimer = undefined;
      if (client.ws.readyState !== client.ws.OPEN) return;
      if (client.ws.bufferedAmount <= (this.opts.lowWater ?? LOW_WATER)) {
        client.lagging = false;
        this.sendState(client);
      } else this.watchLag(client);
    }, LAG_CHECK_MS);
  }

  private write(client: EventsClient, body: ApiEventBody): void {
    const event: ApiEvent = { seq: ++client.seq, time: this.opts.clock.now().toISOString(), ...body };
    client.ws.send(JSON.stringify(event));
  }
}
