/**
 * The persistent store-and-forward queue: one job per instance × destination in the database,
 * moved only through the job table (job-machine.ts), each move one transaction. A job reaches
 * completed / warning / failed only in the durable commit that records the peer's final
 * response; taking a job ("in progress") is a non-durable commit, because a crash that loses it
 * changes nothing: at start every in-progress job goes back to scheduled.
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../clock.js';
import type { SqlDatabase, SqlValue } from '../db/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { QueueError } from './errors.js';
import { JOB_STATES, TERMINAL, step, type JobEffect, type JobEvent, type JobState } from './job-machine.js';
import { classifyOutcome, type SendOutcome } from './policy.js';

export type JobKind = 'store' | 'mpps' | 'commit' | 'export';

/** A job as the API shows it (device.md "GET /api/queue"). */
export interface Job {
  readonly jobId: number;
  readonly kind: JobKind;
  readonly sopInstanceUid: string | null;
  readonly examId: string | null;
  readonly destination: string;
  readonly state: JobState;
  /** The peer's DICOM status, four hex digits ('A700'). */
  readonly status: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  /** ISO time of the next try, for a job in retry. */
  readonly nextTry: string | null;
  readonly updatedAt: string;
  readonly createdAt: string;
}

export interface JobFilter {
  readonly state?: JobState | readonly JobState[];
  readonly destination?: string;
  readonly examId?: string;
  readonly sopInstanceUid?: string;
  readonly kind?: JobKind;
}

export interface JobPage {
  readonly limit: number;
  readonly offset?: number;
  /** Keyset paging: only jobs older than this id (stable while new jobs arrive). */
  readonly beforeJobId?: number;
}

export interface QueueSummary {
  readonly total: number;
  readonly byState: Readonly<Record<JobState, number>>;
  readonly byDestination: Readonly<Record<string, Readonly<Record<JobState, number>>>>;
  /** Destinations paused after a failure, with the time they are tried again. */
  readonly paused: Readonly<Record<string, string>>;
}

export type QueueEvent =
  | { readonly type: 'job'; readonly job: Job }
  | { readonly type: 'jobs-added'; readonly count: number; readonly destinations: readonly string[]; readonly examId?: string }
  | { readonly type: 'destination-paused'; readonly destination: string; readonly until: string; readonly reason: string; readonly jobs: number }
  | { readonly type: 'destination-resumed'; readonly destination: string };

/** A store job the forwarder took, with what the sender needs of its instance. */
export interface ClaimedJob {
  readonly jobId: number;
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly transferSyntaxUid: string;
  /** Path relative to the data directory. */
  readonly path: string;
  /** The job as the claim left it (in progress). */
  readonly job: Job;
}

/** A SOP class + stored transfer syntax pair some due job needs (for the association's proposal). */
export interface WorkKind {
  readonly sopClassUid: string;
  readonly transferSyntaxUid: string;
}

export interface JobQueueOptions {
  readonly clock: Clock;
  readonly log?: Logger;
  readonly retry?: RetryPolicy;
  /**
   * Called inside the commit that moves a job to completed, warning or failed, so that what it
   * writes (the audit trail's send row) is durable together with the outcome, in the same
   * fsync: no row for a send that did not happen, none missing for one that did, and no commit
   * of its own per instance. It must only write to this database (no I/O of its own); if it
   * throws, the outcome is not recorded either.
   */
  readonly onSettled?: (job: Job) => void;
}

interface Row {
  job_id: number;
  kind: JobKind;
  sop_instance_uid: string | null;
  exam_id: string | null;
  destination: string;
  state: JobState;
  status: number | null;
  reason: string | null;
  attempts: number;
  next_try_at: number | null;
  updated_at: string;
  created_at: string;
}

const COLUMNS = 'job_id, kind, sop_instance_uid, exam_id, destination, state, status, reason, attempts, next_try_at, updated_at, created_at';

function hex(code: number): string {
  return (code & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

function toJob(r: Row): Job {
  return {
    jobId: r.job_id,
    kind: r.kind,
    sopInstanceUid: r.sop_instance_uid,
    examId: r.exam_id,
    destination: r.destination,
    state: r.state,
    status: r.status === null ? null : hex(r.status),
    reason: r.reason,
    attempts: r.attempts,
    nextTry: r.next_try_at === null ? null : new Date(r.next_try_at).toISOString(),
    updatedAt: r.updated_at,
    createdAt: r.created_at,
  };
}

/**
 * The order in which a bulk event's UPDATEs run: a state only after every state it moves jobs
 * into, so no job moves twice in one event (scheduled → retry must not then also go through
 * retry → retry). Self-loops are one UPDATE; a longer cycle would make one order wrong, so it
 * is refused.
 */
function bulkOrder(event: JobEvent): JobState[] {
  const order: JobState[] = [];
  const visiting = new Set<JobState>();
  const visit = (s: JobState): void => {
    if (order.includes(s)) return;
    if (visiting.has(s)) throw new Error(`job table: '${event}' moves jobs in a cycle through ${s}`);
    visiting.add(s);
    const r = step(s, event);
    if (r.ok && r.transition.next !== s) visit(r.transition.next);
    visiting.delete(s);
    order.push(s);
  };
  for (const s of JOB_STATES) visit(s);
  return order;
}

function emptyCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** What a transition writes besides the state. */
interface Payload {
  readonly status?: number;
  readonly reason?: string;
  readonly nextTryAt?: number;
}

export class JobQueue {
  private readonly clock: Clock;
  private readonly log: Logger;
  readonly retryPolicy: RetryPolicy;
  private readonly events = new Subject<QueueEvent>();
  readonly events$: Observable<QueueEvent> = this.events.asObservable();
  /** Consecutive failures per destination without an answer from the peer, and its pause. */
  private readonly failures = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly onSettled: ((job: Job) => void) | undefined;

  constructor(
    private readonly db: SqlDatabase,
    opts: JobQueueOptions,
  ) {
    this.clock = opts.clock;
    this.log = opts.log ?? nullLogger;
    this.retryPolicy = opts.retry ?? DEFAULT_RETRY;
    this.onSettled = opts.onSettled;
  }

  /**
   * At start: every job left in progress (the service died mid-send) goes back through the
   * table's 'service-restarted'. Returns how many were reset. Pauses are rebuilt from the
   * retry times stored on the jobs.
   */
  recover(): number {
    const n = this.bulk('service-restarted', "state = 'in-progress'", {});
    // Each destination's earliest retry (an index seek each, not a scan of the retries).
    const dests = this.db.prepare<{ destination: string }>("SELECT DISTINCT destination FROM job_counts WHERE state = 'retry' AND n > 0").all();
    const first = this.db.prepare<{ until: number; attempts: number }>(
      "SELECT next_try_at AS until, attempts FROM jobs WHERE destination = ? AND state = 'retry' AND next_try_at IS NOT NULL ORDER BY next_try_at LIMIT 1",
    );
    for (const { destination } of dests) {
      const r = first.get([destination]);
      if (!r) continue;
      if (r.until > this.clock.now().getTime()) this.pausedUntil.set(destination, r.until);
      this.failures.set(destination, r.attempts);
    }
    if (n) this.log.warn('jobs left in progress scheduled again', { jobs: n });
    return n;
  }

  /** One store job per instance × destination; an instance already queued to a destination is not queued again. */
  enqueue(target: { readonly sopInstanceUids: readonly string[] } | { readonly examId: string }, destinations: readonly string[]): Job[] {
    if (destinations.length === 0 || destinations.some((d) => typeof d !== 'string' || d === '')) {
      throw new QueueError('QUEUE_BAD_REQUEST', 'enqueue needs at least one destination name');
    }
    const now = this.clock.now().toISOString();
    const created: number[] = [];
    this.db.transaction(() => {
      let rows: { sop_instance_uid: string; exam_id: string | null }[];
      if ('examId' in target) {
        rows = this.db.prepare<{ sop_instance_uid: string; exam_id: string | null }>('SELECT sop_instance_uid, exam_id FROM instances WHERE exam_id = ? ORDER BY created_at, sop_instance_uid').all([target.examId]);
      } else {
        rows = target.sopInstanceUids.map((uid) => {
          const r = this.db.prepare<{ sop_instance_uid: string; exam_id: string | null }>('SELECT sop_instance_uid, exam_id FROM instances WHERE sop_instance_uid = ?').get([uid]);
          if (!r) throw new QueueError('QUEUE_NO_SUCH_INSTANCE', `no stored instance ${uid}`);
          return r;
        });
      }
      const exists = this.db.prepare("SELECT 1 FROM jobs WHERE sop_instance_uid = ? AND destination = ? AND kind = 'store'");
      const insert = this.db.prepare(
        "INSERT INTO jobs (kind, sop_instance_uid, exam_id, destination, state, attempts, updated_at, created_at) VALUES ('store', ?, ?, ?, 'scheduled', 0, ?, ?)",
      );
      for (const d of destinations) {
        for (const r of rows) {
          if (exists.get([r.sop_instance_uid, d])) continue;
          created.push(Number(insert.run([r.sop_instance_uid, r.exam_id, d, now, now]).lastInsertRowid));
        }
      }
    });
    const jobs = created.map((id) => this.get(id)!);
    if (jobs.length) {
      this.emit({ type: 'jobs-added', count: jobs.length, destinations: [...destinations], ...('examId' in target ? { examId: target.examId } : {}) });
    }
    return jobs;
  }

  get(jobId: number): Job | undefined {
    const r = this.db.prepare<Row>(`SELECT ${COLUMNS} FROM jobs WHERE job_id = ?`).get([jobId]);
    return r ? toJob(r) : undefined;
  }

  /** Newest first. */
  list(filter: JobFilter = {}, page: JobPage = { limit: 100 }): Job[] {
    const { where, params } = this.where(filter);
    if (page.beforeJobId !== undefined) (where.push('job_id < @before'), (params['before'] = page.beforeJobId));
    params['limit'] = Math.max(0, Math.min(10_000, Math.floor(page.limit)));
    params['offset'] = Math.max(0, Math.floor(page.offset ?? 0));
    const sql = `SELECT ${COLUMNS} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY job_id DESC LIMIT @limit OFFSET @offset`;
    return this.db.prepare<Row>(sql).all(params).map(toJob);
  }

  count(filter: JobFilter = {}): number {
    // State, destination and kind alone: the trigger-kept counts (migration 4), not a scan.
    if (filter.examId === undefined && filter.sopInstanceUid === undefined) {
      const { where, params } = this.where({
        ...(filter.state !== undefined ? { state: filter.state } : {}),
        ...(filter.destination !== undefined ? { destination: filter.destination } : {}),
        ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
      });
      return this.db.prepare<{ n: number | null }>(`SELECT SUM(n) AS n FROM job_counts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(params)?.n ?? 0;
    }
    const { where, params } = this.where(filter);
    return this.db.prepare<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).get(params)?.n ?? 0;
  }

  summary(): QueueSummary {
    const byState = emptyCounts();
    const byDestination: Record<string, Record<JobState, number>> = {};
    let total = 0;
    for (const r of this.db.prepare<{ destination: string; state: JobState; n: number }>('SELECT destination, state, SUM(n) AS n FROM job_counts WHERE n > 0 GROUP BY destination, state').iterate()) {
      byState[r.state] += r.n;
      (byDestination[r.destination] ??= emptyCounts())[r.state] += r.n;
      total += r.n;
    }
    const paused: Record<string, string> = {};
    const now = this.clock.now().getTime();
    for (const [d, until] of this.pausedUntil) if (until > now) paused[d] = new Date(until).toISOString();
    return { total, byState, byDestination, paused };
  }

  /** The state a client needs on connect: the summary and the jobs not yet finished (newest first, bounded). */
  snapshot(limit = 200): { readonly summary: QueueSummary; readonly active: readonly Job[] } {
    return { summary: this.summary(), active: this.list({ state: ['in-progress', 'retry', 'scheduled'] }, { limit }) };
  }

  /** The user's "try again now"; also lifts the destination's pause. */
  retry(jobId: number): Job {
    const job = this.transition(jobId, 'retry-requested', {});
    if (this.pausedUntil.delete(job.destination)) {
      this.failures.delete(job.destination);
      this.emit({ type: 'destination-resumed', destination: job.destination });
    }
    return job;
  }

  cancel(jobId: number): Job {
    return this.transition(jobId, 'cancel-requested', { reason: 'cancelled by the user' });
  }

  // --- the forwarder's side ---------------------------------------------------------------

  /** Epoch ms until which the destination is paused, if it is. */
  pausedUntilMs(destination: string): number | undefined {
    const until = this.pausedUntil.get(destination);
    return until !== undefined && until > this.clock.now().getTime() ? until : undefined;
  }

  /** How many store jobs of the destination could be sent now (counted up to `cap`). */
  dueCount(destination: string, cap: number): number {
    const now = this.clock.now().getTime();
    return (
      this.db
        .prepare<{ n: number }>(
          `SELECT COUNT(*) AS n FROM (
             SELECT 1 FROM jobs WHERE destination = @d AND state = 'scheduled' AND kind = 'store'
             UNION ALL
             SELECT 1 FROM jobs WHERE destination = @d AND state = 'retry' AND next_try_at <= @now AND kind = 'store'
             LIMIT @cap)`,
        )
        .get({ d: destination, now, cap })?.n ?? 0
    );
  }

  /** The earliest time a retry of this destination falls due (epoch ms). */
  nextRetryAt(destination: string): number | undefined {
    const r = this.db.prepare<{ t: number | null }>("SELECT MIN(next_try_at) AS t FROM jobs WHERE destination = ? AND state = 'retry' AND kind = 'store'").get([destination]);
    return r?.t ?? undefined;
  }

  /** The SOP class / syntax pairs the next `limit` due jobs need, for the association's proposal. */
  dueWorkKinds(destination: string, limit = 500): WorkKind[] {
    const now = this.clock.now().getTime();
    return this.db
      .prepare<WorkKind>(
        `SELECT DISTINCT i.sop_class_uid AS sopClassUid, i.transfer_syntax_uid AS transferSyntaxUid
         FROM (SELECT sop_instance_uid FROM jobs WHERE destination = @d AND state = 'scheduled' AND kind = 'store' ORDER BY job_id LIMIT @limit) j
         JOIN instances i ON i.sop_instance_uid = j.sop_instance_uid
         UNION
         SELECT i.sop_class_uid, i.transfer_syntax_uid
         FROM (SELECT sop_instance_uid FROM jobs WHERE destination = @d AND state = 'retry' AND next_try_at <= @now AND kind = 'store' ORDER BY next_try_at, job_id LIMIT @limit) j
         JOIN instances i ON i.sop_instance_uid = j.sop_instance_uid`,
      )
      .all({ d: destination, limit, now });
  }

  /**
   * Takes the oldest due store job of the destination whose class and syntax `accept` allows
   * (what the open association negotiated); undefined when there is none, or when the oldest
   * needs another association.
   */
  claim(destination: string, accept: (k: WorkKind) => boolean = () => true): ClaimedJob | undefined {
    return this.claimMany(destination, 1, accept)[0];
  }

  /**
   * Takes up to `max` of the oldest due store jobs of the destination, in order, stopping at the
   * first one `accept` refuses (it needs another association: nothing is skipped). One
   * transaction for all of them, not durable (see the file comment): a crash before their
   * outcomes leaves them in progress, and recover() schedules them again. Jobs taken and then
   * not sent go back with finish(…, { deferred: true }) (no attempt counted).
   */
  claimMany(destination: string, max: number, accept: (k: WorkKind) => boolean = () => true): ClaimedJob[] {
    if (max < 1) return [];
    const now = this.clock.now().getTime();
    const limit = Math.floor(max);
    type C = Omit<ClaimedJob, 'job'> & { state: JobState };
    const sel = `SELECT j.job_id AS jobId, j.state AS state, i.sop_instance_uid AS sopInstanceUid, i.sop_class_uid AS sopClassUid,
                   i.transfer_syntax_uid AS transferSyntaxUid, i.path AS path FROM jobs j JOIN instances i ON i.sop_instance_uid = j.sop_instance_uid`;
    const claimed: ClaimedJob[] = [];
    const moved: Job[] = [];
    this.db.transaction(
      () => {
        const scheduled = this.db.prepare<C>(`${sel} WHERE j.destination = @d AND j.state = 'scheduled' AND j.kind = 'store' ORDER BY j.job_id LIMIT @limit`).all({ d: destination, limit });
        const retry = this.db
          .prepare<C>(`${sel} WHERE j.destination = @d AND j.state = 'retry' AND j.next_try_at <= @now AND j.kind = 'store' ORDER BY j.next_try_at, j.job_id LIMIT @limit`)
          .all({ d: destination, now, limit });
        // The two lists merged the way claim() always chose: the lower job id first.
        let a = 0;
        let b = 0;
        while (claimed.length < limit) {
          const s = scheduled[a];
          const r = retry[b];
          const c = s && r ? (s.jobId < r.jobId ? s : r) : (s ?? r);
          if (!c || !accept(c)) break;
          if (c === s) a++;
          else b++;
          const job = this.apply(c.jobId, c.state, 'pick', {});
          moved.push(job);
          const { state: _s, ...item } = c;
          claimed.push({ ...item, job });
        }
      },
      { durable: false },
    );
    for (const job of moved) this.emit({ type: 'job', job });
    return claimed;
  }

  /**
   * Records a send's outcome: the §2 policy picks the event, the table the state; the commit is
   * durable before this returns. A transient failure or A7xx pauses the destination (backoff).
   */
  finish(jobId: number, outcome: SendOutcome, why: string): Job {
    return this.finishMany([{ jobId, outcome, why }])[0]!;
  }

  /** finish() inside the caller's transaction; its events are held by finishMany. */
  private finishOne(jobId: number, outcome: SendOutcome, why: string): Job {
    const row = this.row(jobId);
    const { event, status } = classifyOutcome(outcome, row.attempts, this.retryPolicy.maxAttempts);
    const effects = step(row.state, event);
    let nextTryAt: number | undefined;
    if (effects.ok && effects.transition.effects.includes('pause-destination')) {
      nextTryAt = this.pauseTime(row.destination, row.attempts + 1);
    }
    const reason = event === 'attempts-exhausted' ? `gave up after ${row.attempts + 1} tries: ${why}` : why;
    let job = this.apply(jobId, row.state, event, {
      ...(status ? { status: status.code } : {}),
      reason,
      ...(nextTryAt !== undefined ? { nextTryAt } : {}),
    });
    this.emit({ type: 'job', job });
    if (event === 'stored' || event === 'stored-with-warning' || event === 'rejected') this.answered(row.destination);
    if (nextTryAt !== undefined) this.pause(row.destination, nextTryAt, reason);
    // Handed back (deferred) while its destination is paused: it waits with the others.
    const until = this.pausedUntilMs(row.destination);
    if (nextTryAt === undefined && until !== undefined && step(job.state, 'destination-paused').ok) {
      job = this.apply(jobId, job.state, 'destination-paused', { nextTryAt: until });
      this.emit({ type: 'job', job });
    }
    return job;
  }

  /** The destination could not be reached at all (association not opened): pause it with back-off. */
  destinationUnavailable(destination: string, why: string): number {
    // Another association to it failed a moment ago: one outage, one pause.
    const already = this.pausedUntilMs(destination);
    if (already !== undefined) return already;
    const until = this.pauseTime(destination, (this.failures.get(destination) ?? 0) + 1);
    this.pause(destination, until, why);
    return until;
  }

  /**
   * Several outcomes in ONE durable commit (group commit: one fsync for a burst of responses
   * instead of one each). Their events go out only after that commit, so nobody sees a job
   * terminal before it is on disk; if the commit fails, none of them happened.
   */
  finishMany(items: readonly { readonly jobId: number; readonly outcome: SendOutcome; readonly why: string }[]): Job[] {
    if (items.length === 0) return [];
    const outer = this.held === undefined;
    if (outer) this.held = [];
    let jobs: Job[];
    try {
      jobs = this.db.transaction(() => items.map((i) => this.finishOne(i.jobId, i.outcome, i.why)));
    } catch (e) {
      if (outer) this.held = undefined;
      throw e;
    }
    if (outer) {
      const held = this.held ?? [];
      this.held = undefined;
      for (const e of held) this.events.next(e);
    }
    return jobs;
  }

  // --- MPPS and storage commitment jobs (procedure-sender.ts) -----------------------------

  /**
   * One 'mpps' or 'commit' job of an exam to a destination (per exam × destination, not per
   * instance). Call inside the caller's transaction when its own rows must commit with it.
   */
  addProcedureJob(kind: 'mpps' | 'commit', examId: string, destination: string): Job {
    if (destination === '' || examId === '') throw new QueueError('QUEUE_BAD_REQUEST', `a ${kind} job needs an exam and a destination`);
    const now = this.clock.now().toISOString();
    const id = Number(
      this.db
        .prepare("INSERT INTO jobs (kind, sop_instance_uid, exam_id, destination, state, attempts, updated_at, created_at) VALUES (?, NULL, ?, ?, 'scheduled', 0, ?, ?)")
        .run([kind, examId, destination, now, now]).lastInsertRowid,
    );
    this.emit({ type: 'jobs-added', count: 1, destinations: [destination], examId });
    return this.get(id)!;
  }

  /**
   * Due 'mpps' / 'commit' jobs, oldest first: scheduled, or in retry whose time has come. An
   * MPPS job is due only when every earlier MPPS job of its exam to its destination has ended
   * well (completed or warning): the messages of one procedure step go strictly in order.
   */
  dueProcedureJobs(kind: 'mpps' | 'commit', limit = 100): Job[] {
    const order =
      kind === 'mpps'
        ? `AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.kind = 'mpps' AND e.exam_id = j.exam_id AND e.destination = j.destination
             AND e.job_id < j.job_id AND e.state NOT IN ('completed', 'warning'))`
        : '';
    return this.db
      .prepare<Row>(
        `SELECT ${COLUMNS} FROM jobs j WHERE j.kind = @kind AND (j.state = 'scheduled' OR (j.state = 'retry' AND j.next_try_at <= @now)) ${order}
         ORDER BY j.job_id LIMIT @limit`,
      )
      .all({ kind, now: this.clock.now().getTime(), limit })
      .map(toJob);
  }

  /** The earliest retry time of any 'mpps' / 'commit' job (epoch ms), for the sender's timer. */
  nextProcedureRetryAt(): number | undefined {
    return this.db.prepare<{ t: number | null }>("SELECT MIN(next_try_at) AS t FROM jobs WHERE kind IN ('mpps', 'commit') AND state = 'retry'").get()?.t ?? undefined;
  }

  /** Takes a procedure job for sending (in progress; not durable: a restart puts it back). */
  takeProcedureJob(jobId: number): Job {
    return this.transition(jobId, 'pick', {}, { durable: false });
  }

  /**
   * Records a procedure job's outcome with the event the sender classified (procedure-sender.ts
   * has its own status table: an N-CREATE's 0111 is not a C-STORE's). A transition that pauses
   * the destination pauses it with back-off, as finish() does for store jobs.
   */
  settleProcedureJob(jobId: number, event: JobEvent, p: { readonly status?: number; readonly reason: string }): Job {
    const row = this.row(jobId);
    const s = step(row.state, event);
    const pauses = s.ok && s.transition.effects.includes('pause-destination');
    let nextTryAt: number | undefined;
    if (pauses) nextTryAt = this.pauseTime(row.destination, row.attempts + 1);
    else if (s.ok && s.transition.effects.includes('set-next-try')) nextTryAt = this.clock.now().getTime() + backoffMs(this.retryPolicy, row.attempts + 1);
    const job = this.transition(jobId, event, { ...(p.status !== undefined ? { status: p.status } : {}), reason: p.reason, ...(nextTryAt !== undefined ? { nextTryAt } : {}) });
    if (event === 'stored' || event === 'stored-with-warning' || event === 'rejected' || event === 'report-timeout') this.answered(row.destination);
    if (pauses && nextTryAt !== undefined) this.pause(row.destination, nextTryAt, p.reason);
    return job;
  }

  /**
   * Storage commitment reported a stored instance as not committed: its store job to that
   * destination is sent again. Returns the job, or undefined when there is none to re-send.
   */
  resend(sopInstanceUid: string, destination: string, why: string): Job | undefined {
    const r = this.db
      .prepare<{ job_id: number; state: JobState }>("SELECT job_id, state FROM jobs WHERE sop_instance_uid = ? AND destination = ? AND kind = 'store' ORDER BY job_id DESC LIMIT 1")
      .get([sopInstanceUid, destination]);
    if (!r || !step(r.state, 'resend-requested').ok) return undefined;
    this.log.info('instance sent again after a commitment failure', { sopInstanceUid, destination, why });
    return this.transition(r.job_id, 'resend-requested', {});
  }

  // --- internals --------------------------------------------------------------------------

  /** Events wait here while a group commit is open. */
  private held: QueueEvent[] | undefined;

  private emit(e: QueueEvent): void {
    if (this.held) this.held.push(e);
    else this.events.next(e);
  }

  private pauseTime(destination: string, failuresSeed: number): number {
    const already = this.pausedUntilMs(destination);
    if (already !== undefined) return already;
    const n = Math.max((this.failures.get(destination) ?? 0) + 1, failuresSeed);
    this.failures.set(destination, n);
    return this.clock.now().getTime() + backoffMs(this.retryPolicy, n);
  }

  private pause(destination: string, until: number, reason: string): void {
    this.pausedUntil.set(destination, until);
    const jobs = this.bulk('destination-paused', "destination = @d AND kind = 'store'", { d: destination }, { nextTryAt: until });
    this.log.warn('destination paused', { destination, until: new Date(until).toISOString(), reason, jobs });
    this.emit({ type: 'destination-paused', destination, until: new Date(until).toISOString(), reason, jobs });
  }

  /** The peer answered: its failure count starts again. */
  private answered(destination: string): void {
    this.failures.delete(destination);
    if (this.pausedUntil.delete(destination)) this.emit({ type: 'destination-resumed', destination });
  }

  private row(jobId: number): Row {
    const r = this.db.prepare<Row>(`SELECT ${COLUMNS} FROM jobs WHERE job_id = ?`).get([jobId]);
    if (!r) throw new QueueError('QUEUE_NO_SUCH_JOB', `no job ${jobId}`, jobId);
    return r;
  }

  private transition(jobId: number, event: JobEvent, payload: Payload, opts?: { durable?: boolean }): Job {
    const job = this.db.transaction(() => this.apply(jobId, this.row(jobId).state, event, payload), opts);
    this.emit({ type: 'job', job });
    return job;
  }

  /**
   * One job's move by the table, inside the caller's transaction: one UPDATE that returns the
   * row (no read-back). `from` is the state the caller read in this transaction; the UPDATE is
   * guarded by it all the same. A move into completed / warning / failed runs onSettled in the
   * same transaction.
   */
  private apply(jobId: number, from: JobState, event: JobEvent, payload: Payload): Job {
    const s = step(from, event);
    if (!s.ok) throw new QueueError('QUEUE_NOT_ALLOWED', `job ${jobId}: ${s.why}`, jobId);
    const set = this.assignments(s.transition.effects, payload);
    const r = this.db.prepare<Row>(`UPDATE jobs SET state = @next, updated_at = @now${set.sql} WHERE job_id = @id AND state = @from RETURNING ${COLUMNS}`).get({
      next: s.transition.next,
      now: this.clock.now().toISOString(),
      id: jobId,
      from,
      ...set.params,
    });
    if (!r) throw new QueueError('QUEUE_NOT_ALLOWED', `job ${jobId} is no longer ${from}`, jobId);
    const job = toJob(r);
    if (this.onSettled && s.transition.next !== from && TERMINAL.has(s.transition.next)) this.onSettled(job);
    return job;
  }

  /**
   * Applies one event to every job matching `where` in the states that take it, state by state
   * as the table says (one UPDATE per source state). Returns how many jobs moved.
   */
  private bulk(event: JobEvent, where: string, params: Record<string, SqlValue>, payload: Payload = {}): number {
    let n = 0;
    this.db.transaction(() => {
      for (const from of bulkOrder(event)) {
        const s = step(from, event);
        // A cell that changes nothing (scheduled stays scheduled at restart) costs no write.
        if (!s.ok || (s.transition.next === from && s.transition.effects.length === 0)) continue;
        const set = this.assignments(s.transition.effects.filter((e) => e !== 'count-attempt'), payload);
        n += this.db
          .prepare(`UPDATE jobs SET state = @next, updated_at = @now${set.sql} WHERE state = @from AND ${where}`)
          .run({ ...params, next: s.transition.next, from, now: this.clock.now().toISOString(), ...set.params }).changes;
      }
    });
    return n;
  }

  private assignments(effects: readonly JobEffect[], p: Payload): { sql: string; params: Record<string, SqlValue> } {
    const parts: string[] = [];
    const params: Record<string, SqlValue> = {};
    for (const e of effects) {
      switch (e) {
        case 'count-attempt':
          parts.push('attempts = attempts + 1');
          break;
        case 'record-status':
          parts.push('status = @status');
          params['status'] = p.status ?? null;
          break;
        case 'record-reason':
          parts.push('reason = @reason');
          params['reason'] = p.reason ?? null;
          break;
        case 'clear-result':
          parts.push('status = NULL', 'reason = NULL');
          break;
        case 'set-next-try':
          parts.push('next_try_at = @nextTryAt');
          params['nextTryAt'] = p.nextTryAt ?? this.clock.now().getTime();
          break;
        case 'clear-next-try':
          parts.push('next_try_at = NULL');
          break;
        case 'release-association':
        case 'pause-destination':
          // Done by the forwarder (it ends the association) and by finish() (pause()).
          break;
      }
    }
    return { sql: parts.map((x) => `, ${x}`).join(''), params };
  }

  private where(filter: JobFilter): { where: string[]; params: Record<string, SqlValue> } {
    const where: string[] = [];
    const params: Record<string, SqlValue> = {};
    if (filter.state !== undefined) {
      const states = typeof filter.state === 'string' ? [filter.state] : filter.state;
      if (states.length === 1) (where.push('state = @state'), (params['state'] = states[0]!));
      else where.push(`state IN (${states.map((s, i) => ((params[`s${i}`] = s), `@s${i}`)).join(', ')})`);
    }
    if (filter.destination !== undefined) (where.push('destination = @destination'), (params['destination'] = filter.destination));
    if (filter.examId !== undefined) (where.push('exam_id = @examId'), (params['examId'] = filter.examId));
    if (filter.sopInstanceUid !== undefined) (where.push('sop_instance_uid = @sop'), (params['sop'] = filter.sopInstanceUid));
    if (filter.kind !== undefined) (where.push('kind = @kind'), (params['kind'] = filter.kind));
    return { where, params };
  }
}

