/**
 * Sends the queue's 'mpps' and 'commit' jobs (IHE SWF RAD-6/7, RAD-10), beside the forwarder
 * that sends the store jobs. Each message goes on its own association to its destination.
 *
 * MPPS: the messages of one exam × destination go strictly in order (the queue offers an N-SET
 * only once its N-CREATE ended well, after a restart too, because the order is in the jobs
 * table and the accepted status in mpps_steps); retries and pauses follow the queue's policy.
 *
 * Storage commitment (push model): once no store job of an exam to a `commitment` destination
 * is left running, a commit job requests commitment of the instances stored there (new
 * Transaction UID each try, recorded before the N-ACTION). The association is held open for a
 * moment for a report on it; the report may also come later on a new association to the
 * listener. No report within `reportTimeoutMs`: the job retries with back-off and a new
 * Transaction UID (the destination is not paused: it answered the N-ACTION).
 *
 * Timers come from the Clock (ManualClock in tests); the associations' own timers are real.
 */
import { STORAGE_COMMITMENT_PUSH_SOP_CLASS } from '../../dicom/iod/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { SqlDatabase } from '../db/index.js';
import { nullLogger, type Logger } from '../log/logger.js';
import type { RequestHandler } from '../net/association.js';
import { associationOptions, type PeerConfig } from '../net/peer-config.js';
import { commitmentReportScp } from '../net/scp/commitment-report.js';
import { commitmentProposals, requestCommitment, type CommitmentOutcome } from '../net/scu/commitment.js';
import { mppsCreate, mppsProposals, mppsSet } from '../net/scu/mpps.js';
import { withAssociation } from '../net/scu/session.js';
import type { CommitmentLedger } from './commitment-ledger.js';
import { failureReasonText } from './commitment-ledger.js';
import type { Job, JobQueue } from './job-queue.js';
import type { MppsLedger } from './mpps-ledger.js';
import { classifyProcedureError, reportTimeoutEvent } from './procedure-policy.js';

export interface ProcedureDestination {
  readonly name: string;
  readonly peer: PeerConfig;
  /** What this destination is for (from its configured roles). */
  readonly mpps: boolean;
  readonly commitment: boolean;
}

export interface ProcedureSenderOptions {
  readonly db: SqlDatabase;
  readonly queue: JobQueue;
  readonly mpps: MppsLedger;
  readonly commitment: CommitmentLedger;
  readonly destinations: readonly ProcedureDestination[];
  readonly clock: Clock;
  readonly newUid: () => string;
  /** No N-EVENT-REPORT within this time after the N-ACTION: request again with a new Transaction UID. */
  readonly reportTimeoutMs: number;
  /** How long the N-ACTION's association stays open for a report on it (then: the listener). */
  readonly holdAssociationMs: number;
  readonly log?: Logger;
}

type Stopped = { readonly kind: 'stopped' };

export class ProcedureSender {
  private readonly queue: JobQueue;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly running = new Map<string, Promise<void>>();
  private readonly dests: ReadonlyMap<string, ProcedureDestination>;
  private started = false;
  private stopping = false;
  private scheduled = false;
  private timer: { handle: TimerHandle; at: number } | undefined;
  private stopSignal!: Promise<Stopped>;
  private signalStop: () => void = () => undefined;
  private sub: { unsubscribe(): void } | undefined;
  /** Instances stored at a commitment destination since the last look (recorded together). */
  private storedAt: { sopInstanceUid: string; destination: string; examId: string | null }[] = [];

  constructor(private readonly o: ProcedureSenderOptions) {
    this.queue = o.queue;
    this.clock = o.clock;
    this.log = o.log ?? nullLogger;
    this.dests = new Map(o.destinations.map((d) => [d.name, d]));
    this.resetStop();
  }

  /** Commitment destinations (the quota waits for their commitment). */
  commitmentDestinations(): string[] {
    return [...this.dests.values()].filter((d) => d.commitment).map((d) => d.name);
  }

  /** Starts sending what is due, and follows the queue (new jobs, store jobs ending, retries). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.resetStop();
    this.o.commitment.reconcile(this.commitmentDestinations());
    this.sub = this.queue.events$.subscribe((e) => {
      if (e.type === 'job') {
        const j = e.job;
        if (j.kind === 'store' && (j.state === 'completed' || j.state === 'warning') && j.sopInstanceUid && this.dests.get(j.destination)?.commitment) {
          this.storedAt.push({ sopInstanceUid: j.sopInstanceUid, destination: j.destination, examId: j.examId });
        }
        // A store job ending may complete an exam's sends; a user's retry makes a job due.
        if (j.state !== 'in-progress') this.kick();
      } else if (e.type === 'jobs-added' || e.type === 'destination-resumed') this.kick();
    });
    this.kick();
  }

  /** Looks for due work on the next turn (many events in one turn make one look). */
  kick(): void {
    if (!this.started || this.stopping || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      try {
        this.look();
      } catch (e) {
        this.log.error('procedure sender failed to look for work', { err: e as Error });
      }
    });
  }

  /**
   * Stops: no new job is taken; MPPS messages on the wire finish; a commitment request waiting
   * for its report goes back to the queue (its transaction stays open: a late report is still
   * recorded). Resolves when nothing runs.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.signalStop();
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.timer?.handle.cancel();
    this.timer = undefined;
    await this.idle();
    this.started = false;
  }

  /** Resolves when no job is being sent (tests). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.running.values()];
      if (all.length === 0) return;
      await Promise.all(all);
    }
  }

  /** Number of jobs being sent or waiting for a report. */
  get active(): number {
    return this.running.size;
  }

  private resetStop(): void {
    this.stopSignal = new Promise<Stopped>((resolve) => {
      this.signalStop = () => resolve({ kind: 'stopped' });
    });
  }

  private look(): void {
    if (this.stopping) return;
    if (this.storedAt.length > 0) {
      // One commit for a burst of sends, not one fsync each: a crash loses nothing, because
      // start() rebuilds these rows from the completed store jobs (reconcile).
      const batch = this.storedAt.splice(0);
      this.o.db.transaction(() => {
        for (const s of batch) this.o.commitment.stored(s.sopInstanceUid, s.destination, s.examId);
      }, { durable: false });
    }
    let wake = this.queue.nextProcedureRetryAt();
    const later = (t: number): void => {
      wake = wake === undefined ? t : Math.min(wake, t);
    };
    for (const j of this.queue.dueProcedureJobs('mpps')) {
      const paused = this.queue.pausedUntilMs(j.destination);
      if (paused !== undefined) later(paused);
      else this.launch(`mpps|${j.examId}|${j.destination}`, j, () => this.sendMpps(j));
    }
    for (const n of this.o.commitment.needingRequest()) {
      if (this.dests.get(n.destination)?.commitment) this.queue.addProcedureJob('commit', n.examId, n.destination);
    }
    for (const j of this.queue.dueProcedureJobs('commit')) {
      const paused = this.queue.pausedUntilMs(j.destination);
      if (paused !== undefined) later(paused);
      else this.launch(`commit|${j.examId}|${j.destination}`, j, () => this.sendCommit(j));
    }
    if (wake !== undefined) this.wakeAt(wake);
  }

  private launch(key: string, job: Job, work: () => Promise<void>): void {
    if (this.running.has(key)) return;
    const p = work()
      .catch((e: unknown) => this.log.error('procedure job failed unexpectedly', { jobId: job.jobId, kind: job.kind, err: e as Error }))
      .finally(() => {
        this.running.delete(key);
        this.kick();
      });
    this.running.set(key, p);
  }

  private wakeAt(at: number): void {
    if (this.timer && this.timer.at <= at && this.timer.at > this.clock.now().getTime()) return;
    this.timer?.handle.cancel();
    const handle = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, Math.max(0, at - this.clock.now().getTime()));
    this.timer = { handle, at };
  }

  private delay(ms: number): { promise: Promise<{ kind: 'held' }>; cancel(): void } {
    let handle: TimerHandle | undefined;
    const promise = new Promise<{ kind: 'held' }>((resolve) => {
      handle = this.clock.setTimeout(() => resolve({ kind: 'held' }), ms);
    });
    return { promise, cancel: () => handle?.cancel() };
  }

  private destination(job: Job, role: 'mpps' | 'commitment'): ProcedureDestination | undefined {
    const d = this.dests.get(job.destination);
    return d && d[role] ? d : undefined;
  }

  // --- MPPS --------------------------------------------------------------------------------

  private async sendMpps(job: Job): Promise<void> {
    const msg = this.o.mpps.message(job.jobId);
    const taken = this.queue.takeProcedureJob(job.jobId);
    if (!msg) {
      this.queue.settleProcedureJob(job.jobId, 'unsendable', { reason: `MPPS job ${job.jobId} has no message recorded` });
      return;
    }
    if (msg.operation === 'N-SET' && msg.lastStatus !== 'IN PROGRESS') {
      // The queue's order makes this unreachable unless the step was already closed (PS3.4 F.7.2.2: no N-SET after it).
      this.queue.settleProcedureJob(job.jobId, 'unsendable', { reason: `procedure step ${msg.mppsSopInstanceUid} at ${job.destination} is ${msg.lastStatus ?? 'not created'}: no N-SET may be sent` });
      return;
    }
    const dest = this.destination(job, 'mpps');
    if (!dest) {
      this.queue.settleProcedureJob(job.jobId, 'unsendable', { reason: `destination ${job.destination} is not configured with the role mpps` });
      return;
    }
    const log = this.log.child({ destination: dest.name });
    try {
      const options = await associationOptions(dest.peer, mppsProposals(), log);
      const r = await withAssociation(options, (a) =>
        msg.operation === 'N-CREATE' ? mppsCreate(a, msg.mppsSopInstanceUid, msg.dataSet) : mppsSet(a, msg.mppsSopInstanceUid, 'IN PROGRESS', msg.dataSet),
      );
      this.o.db.transaction(() => {
        this.o.mpps.accepted(msg.examId, msg.destination, msg.status);
        this.queue.settleProcedureJob(job.jobId, r.status.category === 'warning' ? 'stored-with-warning' : 'stored', {
          status: r.status.code,
          reason: `${msg.operation} ${msg.status} of ${msg.mppsSopInstanceUid} accepted by ${dest.name}${r.status.category === 'warning' ? ` with warning ${r.status.hex} (${r.status.meaning})` : ''}`,
        });
      });
      log.info('MPPS sent', { examId: msg.examId, operation: msg.operation, status: msg.status, mpps: msg.mppsSopInstanceUid });
    } catch (e) {
      const c = classifyProcedureError(e, msg.operation, taken.attempts, this.queue.retryPolicy.maxAttempts);
      this.o.db.transaction(() => {
        if (c.accepted) this.o.mpps.accepted(msg.examId, msg.destination, msg.status);
        this.queue.settleProcedureJob(job.jobId, c.event, { ...(c.status !== undefined ? { status: c.status } : {}), reason: c.reason });
      });
      log.warn('MPPS not accepted', { examId: msg.examId, operation: msg.operation, event: c.event, reason: c.reason });
    }
  }

  // --- storage commitment ------------------------------------------------------------------

  /** Reports on the N-ACTION's own association go to the same ledger as the listener's. */
  private sameAssociationHandler(): RequestHandler {
    const scp = commitmentReportScp(this.o.commitment);
    return (req) => (req.context.abstractSyntax === STORAGE_COMMITMENT_PUSH_SOP_CLASS ? scp(req) : Promise.resolve({ status: 0x0211 }));
  }

  private async sendCommit(job: Job): Promise<void> {
    const taken = this.queue.takeProcedureJob(job.jobId);
    const examId = job.examId ?? '';
    const dest = this.destination(job, 'commitment');
    if (!dest) {
      this.queue.settleProcedureJob(job.jobId, 'unsendable', { reason: `destination ${job.destination} is not configured with the role commitment` });
      return;
    }
    const refs = this.o.commitment.pendingRefs(examId, dest.name);
    if (refs.length === 0) {
      this.queue.settleProcedureJob(job.jobId, 'stored', { reason: `no instance of exam ${examId} waits for commitment at ${dest.name}` });
      return;
    }
    const transactionUid = this.o.newUid();
    this.o.commitment.begin({ transactionUid, jobId: job.jobId, examId, destination: dest.name, refs });
    const waiting = this.o.commitment.tracker.expect(transactionUid, this.o.reportTimeoutMs);
    const log = this.log.child({ destination: dest.name });
    try {
      const options = await associationOptions(dest.peer, commitmentProposals(), log);
      await withAssociation({ ...options, handler: this.sameAssociationHandler() }, async (a) => {
        await requestCommitment(a, transactionUid, refs);
        // Many archives report at once on this association; hold it open a moment for that.
        if (this.o.holdAssociationMs <= 0) return;
        const hold = this.delay(this.o.holdAssociationMs);
        await Promise.race([waiting, hold.promise, this.stopSignal]);
        hold.cancel();
      });
    } catch (e) {
      const c = classifyProcedureError(e, 'N-ACTION', taken.attempts, this.queue.retryPolicy.maxAttempts);
      this.o.commitment.ended(transactionUid, 'failed', c.reason);
      this.queue.settleProcedureJob(job.jobId, c.event, { ...(c.status !== undefined ? { status: c.status } : {}), reason: c.reason });
      log.warn('storage commitment request not accepted', { examId, transactionUid, event: c.event, reason: c.reason });
      return;
    }
    log.info('storage commitment requested', { examId, transactionUid, instances: refs.length });
    const outcome: CommitmentOutcome | Stopped = await Promise.race([waiting, this.stopSignal]);
    if (outcome.kind === 'stopped') {
      this.queue.settleProcedureJob(job.jobId, 'deferred', { reason: `the service stopped while waiting for the report of transaction ${transactionUid}` });
      return;
    }
    if (outcome.kind === 'timeout') {
      const s = this.o.reportTimeoutMs / 1000;
      const reason = `peer ${dest.name}, step N-EVENT-REPORT of transaction ${transactionUid}, reason no storage commitment report within ${s} s; requested again with a new Transaction UID`;
      this.o.commitment.ended(transactionUid, 'timed-out', `no report within ${s} s`);
      this.queue.settleProcedureJob(job.jobId, reportTimeoutEvent(taken.attempts, this.queue.retryPolicy.maxAttempts), { reason });
      log.warn('storage commitment report timed out', { examId, transactionUid, seconds: s });
      return;
    }
    const r = outcome.report;
    const mine = new Set(refs.map((x) => x.sopInstanceUid));
    const failed = r.failed.filter((f) => mine.has(f.sopInstanceUid));
    const committed = r.committed.filter((c) => mine.has(c.sopInstanceUid)).length;
    const reason =
      failed.length === 0
        ? `${dest.name} committed ${committed} of ${refs.length} instance(s) (transaction ${transactionUid}, reported by ${outcome.from.callingAeTitle})`
        : `${dest.name} committed ${committed} of ${refs.length} instance(s); not committed: ${failed.length} (${[...new Set(failed.map((f) => failureReasonText(f.failureReason)))].join(', ')}) (transaction ${transactionUid})`;
    this.queue.settleProcedureJob(job.jobId, failed.length === 0 && committed === refs.length ? 'stored' : 'stored-with-warning', { status: 0, reason });
  }
}
