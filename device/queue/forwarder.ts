/**
 * Sends the queue's store jobs: per destination up to `concurrency` associations, each carrying
 * job after job while due work remains (storeEach pulls the next job only when it can send it),
 * released when there is none. Each destination follows the §2 policy on its own: A7xx or a
 * network failure pauses only that destination (back-off from the queue), the others go on.
 * Timers come from the Clock, so tests drive back-off with a ManualClock.
 */
import { join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import { transferSyntaxOrEncapsulated } from '../../dicom/encoding/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { NetError } from '../net/errors.js';
import { associationOptions, type PeerConfig } from '../net/peer-config.js';
import { storeEach, stored, type StoreItem, type StoreOptions } from '../net/scu/store.js';
import type { JobQueue, WorkKind } from './job-queue.js';
import type { SendOutcome } from './policy.js';

/** Group commit of stored outcomes: at most this many, or this old (ms), before one commit. */
const GROUP_MAX = 64;
const GROUP_MS = 50;

export interface StoreDestination {
  /** The name jobs carry (the configuration's destination name). */
  readonly name: string;
  readonly peer: PeerConfig;
  /** Associations at once to this destination (default 1). */
  readonly concurrency?: number;
  /** The user allowed lossy conversion for this destination (conformance §2; default never). */
  readonly allowLossy?: boolean;
}

export type ForwarderEvent =
  | { readonly type: 'association-opened'; readonly destination: string; readonly lane: number }
  | { readonly type: 'association-closed'; readonly destination: string; readonly lane: number; readonly sent: number }
  | { readonly type: 'association-failed'; readonly destination: string; readonly reason: string; readonly retryAt: string };

export interface ForwarderOptions {
  readonly queue: JobQueue;
  /** Instance paths in the database are relative to this. */
  readonly dataDir: string;
  readonly destinations: readonly StoreDestination[];
  readonly clock: Clock;
  readonly log?: Logger;
  /** Where conversions spool (default: a temporary directory per association). */
  readonly spoolDir?: string;
}

interface Item extends StoreItem {
  readonly jobId: number;
}

interface DestinationRun {
  readonly d: StoreDestination;
  lanes: number;
  nextLane: number;
  timer?: TimerHandle | undefined;
  timerAt?: number | undefined;
  readonly running: Set<Promise<void>>;
}

export class Forwarder {
  private readonly runs = new Map<string, DestinationRun>();
  private readonly queue: JobQueue;
  private readonly clock: Clock;
  private readonly log: Logger;
  private stopping = false;
  private started = false;
  private readonly events = new Subject<ForwarderEvent>();
  readonly events$: Observable<ForwarderEvent> = this.events.asObservable();

  constructor(private readonly opts: ForwarderOptions) {
    this.queue = opts.queue;
    this.clock = opts.clock;
    this.log = opts.log ?? nullLogger;
    for (const d of opts.destinations) this.runs.set(d.name, { d, lanes: 0, nextLane: 1, running: new Set() });
  }

  /** Starts sending whatever is due. */
  start(): void {
    this.started = true;
    this.stopping = false;
    for (const name of this.runs.keys()) this.kick(name);
  }

  /** New work or a user's retry: look again (all destinations when none is named). */
  kick(destination?: string): void {
    if (!this.started || this.stopping) return;
    if (destination === undefined) {
      for (const name of this.runs.keys()) this.kick(name);
      return;
    }
    const run = this.runs.get(destination);
    if (!run) return;
    const paused = this.queue.pausedUntilMs(destination);
    if (paused !== undefined) {
      this.wakeAt(run, paused);
      return;
    }
    const want = Math.min(run.d.concurrency ?? 1, this.queue.dueCount(destination, run.d.concurrency ?? 1));
    while (run.lanes < want) this.startLane(run);
    if (run.lanes === 0) {
      const next = this.queue.nextRetryAt(destination);
      if (next !== undefined) this.wakeAt(run, next);
    }
  }

  /** Number of associations open or opening. */
  get activeAssociations(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.lanes;
    return n;
  }

  /**
   * Stops taking jobs: each association finishes the instance it is sending (its outcome is
   * committed) and is released. Resolves when all are closed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const r of this.runs.values()) {
      r.timer?.cancel();
      r.timer = undefined;
    }
    await Promise.all([...this.runs.values()].flatMap((r) => [...r.running]));
  }

  /** Resolves when no association is open (tests, drain). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.runs.values()].flatMap((r) => [...r.running]);
      if (all.length === 0) return;
      await Promise.all(all);
    }
  }

  private wakeAt(run: DestinationRun, at: number): void {
    if (run.timer && run.timerAt !== undefined && run.timerAt <= at) return;
    run.timer?.cancel();
    run.timerAt = at;
    run.timer = this.clock.setTimeout(() => {
      run.timer = undefined;
      run.timerAt = undefined;
      this.kick(run.d.name);
    }, Math.max(0, at - this.clock.now().getTime()));
  }

  private startLane(run: DestinationRun): void {
    run.lanes++;
    const lane = run.nextLane++;
    const p = this.lane(run, lane)
      .catch((e: unknown) => {
        // Not a network failure (a configuration or database error): pause the destination
        // rather than retry in a tight loop.
        this.log.error('sender failed', { destination: run.d.name, lane, err: e as Error });
        this.queue.destinationUnavailable(run.d.name, (e as Error).message);
      })
      .finally(() => {
        run.lanes--;
        run.running.delete(p);
        if (!this.stopping) this.kick(run.d.name);
      });
    run.running.add(p);
  }

  private async lane(run: DestinationRun, lane: number): Promise<void> {
    const name = run.d.name;
    const kinds = this.queue.dueWorkKinds(name);
    if (kinds.length === 0) return;
    const accepted = new Set(kinds.map(key));
    const proposeFor = kinds.map((k) => ({ sopClassUid: k.sopClassUid, transferSyntax: transferSyntaxOrEncapsulated(k.transferSyntaxUid) }));
    const base = await associationOptions(run.d.peer, [], this.log.child({ destination: name }));
    const { proposals: _p, ...assoc } = base;
    const options: StoreOptions = {
      ...assoc,
      ...(run.d.allowLossy ? { allowLossy: true } : {}),
      ...(this.opts.spoolDir ? { spoolDir: this.opts.spoolDir } : {}),
    };
    const next = async (): Promise<Item | undefined> => {
      if (this.stopping || this.queue.pausedUntilMs(name) !== undefined) return undefined;
      const c = this.queue.claim(name, (k) => accepted.has(key(k)));
      if (!c) return undefined;
      return {
        jobId: c.jobId,
        path: join(this.opts.dataDir, c.path),
        sopClassUid: c.sopClassUid,
        sopInstanceUid: c.sopInstanceUid,
        transferSyntax: transferSyntaxOrEncapsulated(c.transferSyntaxUid),
      };
    };
    let sent = 0;
    let opened = false;
    // Group commit: stored outcomes are committed together (one fsync) when GROUP_MAX are
    // waiting, the oldest has waited GROUP_MS, or the association ends; anything else (a
    // failure that may pause the destination) is committed at once. Until committed, a job
    // stays in progress: a crash then resends it (a duplicate of the same SOP Instance UID),
    // never loses it.
    const pending: { jobId: number; outcome: SendOutcome; why: string }[] = [];
    let oldest = 0;
    let timer: TimerHandle | undefined;
    const flush = (): void => {
      timer?.cancel();
      timer = undefined;
      if (pending.length) this.queue.finishMany(pending.splice(0));
    };
    try {
      for await (const o of storeEach(proposeFor, next, options)) {
        if (!opened) {
          opened = true;
          this.events.next({ type: 'association-opened', destination: name, lane });
        }
        const outcome: SendOutcome = { ...(o.status ? { statusCode: o.status.code } : {}), ...(o.error ? { error: o.error } : {}), ...(o.deferred ? { deferred: true } : {}) };
        if (pending.length === 0) oldest = this.clock.monotonicMs();
        pending.push({ jobId: o.item.jobId, outcome, why: o.why });
        if (!o.deferred) sent++;
        if (!stored(o) || pending.length >= GROUP_MAX || this.clock.monotonicMs() - oldest >= GROUP_MS) flush();
        else timer ??= this.clock.setTimeout(flush, GROUP_MS);
      }
    } catch (e) {
      flush();
      if (opened || !(e instanceof NetError)) throw e;
      // The association could not be opened: nothing was taken; the destination waits.
      const until = this.queue.destinationUnavailable(name, e.describe());
      this.events.next({ type: 'association-failed', destination: name, reason: e.describe(), retryAt: new Date(until).toISOString() });
      return;
    } finally {
      flush();
    }
    this.events.next({ type: 'association-closed', destination: name, lane, sent });
  }
}

function key(k: WorkKind): string {
  return `${k.sopClassUid}|${k.transferSyntaxUid}`;
}
