/**
 * Sends the queue's store jobs: per destination up to `concurrency` associations, each carrying
 * job after job while due work remains (storeEach pulls the next job while the current one
 * waits for its response), and lingering `lingerMs` when the queue is momentarily empty, so a
 * burst of exam ends reuses the open association instead of paying its set-up each time.
 * Each destination follows the §2 policy on its own: A7xx or a network failure pauses only that
 * destination (back-off from the queue), the others go on. Timers come from the Clock, so tests
 * drive back-off and lingering with a ManualClock.
 *
 * Per job the database sees: one share of a batch claim (CLAIM_BATCH jobs per non-durable
 * transaction) and one share of a group commit of outcomes; both are what the CLI path does not
 * pay, so they are amortised.
 */
import { join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import { transferSyntaxOrEncapsulated } from '../../dicom/encoding/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { NetError } from '../net/errors.js';
import { associationOptions, type PeerConfig } from '../net/peer-config.js';
import { storeEach, stored, type StoreItem, type StoreLink, type StoreOptions } from '../net/scu/store.js';
import type { ClaimedJob, Job, JobQueue, WorkKind } from './job-queue.js';
import type { SendOutcome } from './policy.js';

/**
 * Group commit of stored outcomes: at most this many, or this old (ms), before one commit. An
 * fsync blocks the event loop (better-sqlite3 is synchronous), and while it does no response is
 * read and no request written: a few per second, not twenty. A crash loses at most this window's
 * outcomes, which are then sent again (duplicates of the same SOP Instance UIDs). The last
 * outcome of a burst is not held: it commits as soon as nothing else is in hand.
 */
const GROUP_MAX = 128;
const GROUP_MS = 200;
/**
 * Most jobs one claim takes for one association. A claim takes its share of what is due
 * (due ÷ associations, rounded up, at least one), so a 10-image exam on 4 associations is
 * spread 3-3-2-2, not 10-0-0-0. An association holds its jobs in progress until it sends them or
 * hands them back.
 */
export const CLAIM_BATCH = 16;
/**
 * An association takes no new work after this share of its whole-association timer (§1), so
 * that a long burst never runs into that timer: it is released and a fresh one opened.
 */
const LANE_AGE_SHARE = 0.9;

export interface StoreDestination {
  /** The name jobs carry (the configuration's destination name). */
  readonly name: string;
  readonly peer: PeerConfig;
  /** Associations at once to this destination (default 1). */
  readonly concurrency?: number;
  /** The user allowed lossy conversion for this destination (conformance §2; default never). */
  readonly allowLossy?: boolean;
  /**
   * How long (ms) an association with nothing left to send stays open waiting for new work of
   * the classes it negotiated before it is released (default 0: released at once).
   */
  readonly lingerMs?: number;
}

/** Bytes of an in-progress store job's data set handed to the association. */
export interface SendProgress {
  readonly bytesSent: number;
  /** Known when the data set goes out as stored; absent while a conversion runs. */
  readonly bytesTotal?: number;
}

export type ForwarderEvent =
  | { readonly type: 'association-opened'; readonly destination: string; readonly lane: number }
  | { readonly type: 'association-closed'; readonly destination: string; readonly lane: number; readonly sent: number }
  | { readonly type: 'association-failed'; readonly destination: string; readonly reason: string; readonly retryAt: string }
  /** After each chunk (≤ 1 MiB) of a job's data set: not throttled here (the API throttles). */
  | { readonly type: 'job-progress'; readonly destination: string; readonly job: Job; readonly progress: SendProgress };

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
  readonly job: Job;
}

interface DestinationRun {
  readonly d: StoreDestination;
  lanes: number;
  nextLane: number;
  timer?: TimerHandle | undefined;
  timerAt?: number | undefined;
  readonly running: Set<Promise<void>>;
  /** Lanes lingering with nothing to send: kick() wakes them before opening another. */
  readonly waiting: Set<() => void>;
}

export class Forwarder {
  private readonly runs = new Map<string, DestinationRun>();
  private readonly progress = new Map<number, SendProgress>();
  private readonly outcomes: GroupCommit;
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
    this.outcomes = new GroupCommit(this.queue, this.clock, this.log);
    for (const d of opts.destinations) this.runs.set(d.name, { d, lanes: 0, nextLane: 1, running: new Set(), waiting: new Set() });
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
    // Lingering associations look first; the lanes counted below include them.
    for (const wake of [...run.waiting]) wake();
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

  /** The in-progress store jobs being sent right now, with their bytes so far (for the API's list). */
  progressOf(jobId: number): SendProgress | undefined {
    return this.progress.get(jobId);
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
      for (const wake of [...r.waiting]) wake();
    }
    await Promise.all([...this.runs.values()].flatMap((r) => [...r.running]));
  }

  /**
   * Resolves when no association is open (tests, drain). A lingering association counts as open
   * until its linger time has passed.
   */
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
    const openedAt = this.clock.monotonicMs();
    const maxAge = (options.timers?.wholeAssociationMs ?? Number.POSITIVE_INFINITY) * LANE_AGE_SHARE;
    // Linger well inside the association's inactivity timer, so an idle wait never trips it.
    const lingerMs = Math.min(run.d.lingerMs ?? 0, (options.timers?.inactivityMs ?? Number.POSITIVE_INFINITY) / 2);
    const lanes = run.d.concurrency ?? 1;
    /** Claimed for this association, not yet handed to storeEach. */
    const held: ClaimedJob[] = [];
    /** Handed to storeEach, outcome not yet known. */
    const inFlight = new Map<number, ClaimedJob>();
    let sent = 0;
    let opened = false;
    // Outcomes go to the forwarder's group commit (shared by every association): stored ones
    // wait for company unless this association has nothing else in hand; anything else (a
    // failure that may pause the destination) is committed at once.
    const pending = this.outcomes;
    const flush = (): void => pending.flush();
    const takeWork = (link: StoreLink): boolean =>
      !this.stopping && link.open && this.queue.pausedUntilMs(name) === undefined && this.clock.monotonicMs() - openedAt < maxAge;
    const claim = (): ClaimedJob | undefined => {
      if (held.length === 0) {
        const share = Math.ceil(this.queue.dueCount(name, CLAIM_BATCH * lanes) / lanes);
        held.push(...this.queue.claimMany(name, Math.max(1, Math.min(CLAIM_BATCH, share)), (k) => accepted.has(key(k))));
      }
      return held.shift();
    };
    const next = async (link: StoreLink): Promise<Item | undefined> => {
      let c = takeWork(link) ? claim() : undefined;
      // Nothing due at all (not merely "due, but needs another association"): wait a little for more.
      if (!c && lingerMs > 0 && takeWork(link) && this.queue.dueCount(name, 1) === 0) {
        const until = this.clock.monotonicMs() + lingerMs;
        // The last outcome is not held back by the group commit while we wait.
        if (inFlight.size === 0) flush();
        while (!c && this.clock.monotonicMs() < until && takeWork(link)) {
          await this.linger(run, until - this.clock.monotonicMs(), link.closed);
          c = takeWork(link) ? claim() : undefined;
          if (!c && this.queue.dueCount(name, 1) > 0) break;
        }
      }
      if (!c) return undefined;
      inFlight.set(c.jobId, c);
      return {
        jobId: c.jobId,
        job: c.job,
        path: join(this.opts.dataDir, c.path),
        sopClassUid: c.sopClassUid,
        sopInstanceUid: c.sopInstanceUid,
        transferSyntax: transferSyntaxOrEncapsulated(c.transferSyntaxUid),
      };
    };
    const hooks = {
      progress: (item: Item, bytesSent: number, bytesTotal: number | undefined): void => {
        const progress: SendProgress = bytesTotal === undefined ? { bytesSent } : { bytesSent, bytesTotal };
        this.progress.set(item.jobId, progress);
        this.events.next({ type: 'job-progress', destination: name, job: item.job, progress });
      },
    };
    try {
      for await (const o of storeEach(proposeFor, next, options, hooks)) {
        if (!opened) {
          opened = true;
          this.events.next({ type: 'association-opened', destination: name, lane });
        }
        inFlight.delete(o.item.jobId);
        this.progress.delete(o.item.jobId);
        const outcome: SendOutcome = { ...(o.status ? { statusCode: o.status.code } : {}), ...(o.error ? { error: o.error } : {}), ...(o.deferred ? { deferred: true } : {}) };
        if (!o.deferred) sent++;
        const nothingElse = inFlight.size === 0 && held.length === 0;
        pending.add({ jobId: o.item.jobId, outcome, why: o.why }, !stored(o) || nothingElse);
      }
    } catch (e) {
      handBack(this.progress);
      flush();
      if (opened || !(e instanceof NetError)) throw e;
      // The association could not be opened: nothing was taken; the destination waits.
      const until = this.queue.destinationUnavailable(name, e.describe());
      this.events.next({ type: 'association-failed', destination: name, reason: e.describe(), retryAt: new Date(until).toISOString() });
      return;
    } finally {
      handBack(this.progress);
      flush();
    }
    this.events.next({ type: 'association-closed', destination: name, lane, sent });

    /**
     * Claimed jobs this association will not send go back to the queue (no try counted): those
     * still held, and any storeEach took but ended without an outcome for (it threw).
     */
    function handBack(progress: Map<number, SendProgress>): void {
      const back = [...held.splice(0), ...inFlight.values()];
      inFlight.clear();
      for (const c of back) {
        progress.delete(c.jobId);
        pending.add({ jobId: c.jobId, outcome: { deferred: true }, why: 'handed back: the association ended before sending it' }, false);
      }
    }
  }

  /** Waits until kicked, stopped, `ms` passed, or the association ended. */
  private linger(run: DestinationRun, ms: number, closed: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        timer.cancel();
        run.waiting.delete(finish);
        resolve();
      };
      const timer = this.clock.setTimeout(finish, Math.max(0, ms));
      run.waiting.add(finish);
      void closed.then(finish);
    });
  }
}

/**
 * Group commit of send outcomes, across every association of the forwarder: they are committed
 * together (one fsync) when GROUP_MAX are waiting, the oldest has waited GROUP_MS, or a caller
 * asks for it now. Until committed, a job stays in progress: a crash then resends it (a
 * duplicate of the same SOP Instance UID), never loses it; its events go out after the commit.
 */
class GroupCommit {
  private readonly pending: { jobId: number; outcome: SendOutcome; why: string }[] = [];
  private oldest = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly queue: JobQueue,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Adds an outcome; `now`: commit it (and everything waiting) before returning. */
  add(item: { jobId: number; outcome: SendOutcome; why: string }, now: boolean): void {
    if (this.pending.length === 0) this.oldest = this.clock.monotonicMs();
    this.pending.push(item);
    if (now || this.pending.length >= GROUP_MAX || this.clock.monotonicMs() - this.oldest >= GROUP_MS) this.flush();
    else
      this.timer ??= this.clock.setTimeout(() => {
        this.timer = undefined;
        const jobs = this.pending.length;
        try {
          this.flush();
        } catch (e) {
          // Nobody to throw to: the jobs stay in progress and go out again after a restart.
          this.log.error('committing send outcomes failed', { jobs, err: e as Error });
        }
      }, GROUP_MS);
  }

  /** Commits everything waiting (durable when it returns); throws what the commit threw. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending.length) this.queue.finishMany(this.pending.splice(0));
  }
}

function key(k: WorkKind): string {
  return `${k.sopClassUid}|${k.transferSyntaxUid}`;
}
