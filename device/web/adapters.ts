/**
 * The queue and the instance store seen through the API's ports (ports.ts): numeric job ids
 * become opaque strings, nulls become absent fields, the queue's `commit` kind is the wire's
 * `commitment`, and the counts gain the Storage Commitment states (instances committed /
 * commit-failed, from the commitment ledger): an instance's destination shows `committed` or
 * `commit-failed` once the archive answered for it, else its store job's state.
 */
import { EMPTY, filter, map, merge } from 'rxjs';
import type { Forwarder, Job, JobQueue, JobKind as QueueJobKind, JobState as QueueJobState, SendProgress } from '../queue/index.js';
import type { InstanceStore } from '../storage/index.js';
import type { CommitmentInstanceView, CommitmentLedger } from '../queue/commitment-ledger.js';
import type { MppsLedger } from '../queue/mpps-ledger.js';
import type { CommitmentView, JobCounts, JobKind, JobState, JobView, ProcedureStepView, QueueSummary, SendProgressView } from './api-types.js';
import { ApiError } from './errors.js';
import type { InstancePort, QueuePort } from './ports.js';

const toWireKind: Readonly<Record<QueueJobKind, JobKind>> = { store: 'store', mpps: 'mpps', commit: 'commitment', export: 'export' };
const fromWireKind: Readonly<Record<JobKind, QueueJobKind>> = { store: 'store', mpps: 'mpps', commitment: 'commit', export: 'export' };
/** The queue's states; the wire adds `committed` / `commit-failed` (instances, from the commitment ledger). */
const QUEUE_STATES: readonly QueueJobState[] = ['scheduled', 'in-progress', 'completed', 'warning', 'failed', 'retry'];

export function jobView(j: Job, progress?: SendProgress): JobView {
  const p: SendProgressView | undefined =
    progress && j.state === 'in-progress' ? { bytesSent: progress.bytesSent, ...(progress.bytesTotal !== undefined ? { bytesTotal: progress.bytesTotal } : {}) } : undefined;
  return {
    jobId: String(j.jobId),
    kind: toWireKind[j.kind],
    ...(j.sopInstanceUid !== null ? { sopInstanceUid: j.sopInstanceUid } : {}),
    ...(j.examId !== null ? { examId: j.examId } : {}),
    destination: j.destination,
    state: j.state,
    ...(j.status !== null ? { status: j.status } : {}),
    ...(j.reason !== null ? { reason: j.reason } : {}),
    attempts: j.attempts,
    ...(j.nextTry !== null ? { nextTry: j.nextTry } : {}),
    updatedAt: j.updatedAt,
    ...(p ? { progress: p } : {}),
  };
}

function counts(byState: Readonly<Record<QueueJobState, number>>, c?: { committed: number; 'commit-failed': number }): JobCounts {
  return { ...byState, committed: c?.committed ?? 0, 'commit-failed': c?.['commit-failed'] ?? 0 };
}

function commitmentView(c: CommitmentInstanceView): CommitmentView {
  return { state: c.state, ...(c.failureReason ? { failureReason: c.failureReason } : {}), ...(c.transactionUid ? { transactionUid: c.transactionUid } : {}) };
}

/** The instance's store state per destination, with the archive's commitment answer over it. */
function withCommitment(stores: Record<string, JobState>, commitment: ReadonlyMap<string, CommitmentInstanceView> | undefined): Record<string, JobState> {
  for (const [d, c] of commitment ?? []) if (c.state !== 'pending' && stores[d] !== undefined) stores[d] = c.state;
  return stores;
}

/** MPPS and storage commitment records behind the queue (absent in API tests without them). */
export interface ProcedureRecords {
  readonly mpps: MppsLedger;
  readonly commitments: CommitmentLedger;
}

function jobIdOf(id: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new ApiError(404, 'API_NO_SUCH_JOB', `no job ${id}`);
  return Number(id);
}

/**
 * `records`: the MPPS and commitment ledgers (absent: no procedure steps or commitment states).
 * `sender`: the forwarder, whose bytes-sent progress of in-progress store jobs the list and
 * the change stream carry (absent: no progress is shown).
 */
export function queuePort(queue: JobQueue, records?: ProcedureRecords, sender?: Pick<Forwarder, 'progressOf' | 'events$'>): QueuePort {
  const view = (j: Job): JobView => jobView(j, sender?.progressOf(j.jobId));
  const isQueueState = (s: JobState): s is QueueJobState => (QUEUE_STATES as readonly string[]).includes(s);
  return {
    list(f) {
      // committed / commit-failed do not exist in this queue yet: asking only for them matches nothing.
      const states = f.states?.filter(isQueueState);
      if (f.states && f.states.length > 0 && states!.length === 0) return { jobs: [], total: 0 };
      const jf = {
        ...(states && states.length > 0 ? { state: states } : {}),
        ...(f.destination !== undefined ? { destination: f.destination } : {}),
        ...(f.examId !== undefined ? { examId: f.examId } : {}),
        ...(f.kind !== undefined ? { kind: fromWireKind[f.kind] } : {}),
      };
      return { jobs: queue.list(jf, { limit: f.limit, offset: f.offset }).map(view), total: queue.count(jf) };
    },
    summary(): QueueSummary {
      const s = queue.summary();
      const c = records?.commitments.counts() ?? new Map<string, { committed: number; 'commit-failed': number }>();
      const total = { committed: 0, 'commit-failed': 0 };
      for (const v of c.values()) (total.committed += v.committed, (total['commit-failed'] += v['commit-failed']));
      return {
        counts: counts(s.byState, total),
        destinations: Object.fromEntries(Object.entries(s.byDestination).map(([d, n]) => [d, counts(n, c.get(d))])),
      };
    },
    destinationsOf(sopInstanceUid) {
      const out: Record<string, JobState> = {};
      for (const j of queue.list({ sopInstanceUid, kind: 'store' }, { limit: 64 })) out[j.destination] ??= j.state;
      return withCommitment(out, records?.commitments.statesOf(sopInstanceUid));
    },
    destinationsOfExam(examId) {
      const out = new Map<string, Record<string, JobState>>();
      for (const j of queue.list({ examId, kind: 'store' }, { limit: 100_000 })) {
        if (j.sopInstanceUid === null) continue;
        let m = out.get(j.sopInstanceUid);
        if (!m) out.set(j.sopInstanceUid, (m = {}));
        m[j.destination] ??= j.state;
      }
      const commitment = records?.commitments.statesOfExam(examId);
      for (const [uid, m] of out) withCommitment(m, commitment?.get(uid));
      return out;
    },
    commitmentOf(sopInstanceUid) {
      const m = records?.commitments.statesOf(sopInstanceUid);
      return m && m.size > 0 ? Object.fromEntries([...m].map(([d, c]) => [d, commitmentView(c)])) : undefined;
    },
    commitmentOfExam(examId) {
      const out = new Map<string, Record<string, CommitmentView>>();
      for (const [uid, m] of records?.commitments.statesOfExam(examId) ?? []) out.set(uid, Object.fromEntries([...m].map(([d, c]) => [d, commitmentView(c)])));
      return out;
    },
    procedureSteps(examId): ProcedureStepView[] {
      if (!records) return [];
      return records.mpps.steps(examId).map((s) => {
        const job = queue.list({ examId, destination: s.destination, kind: 'mpps' }, { limit: 1 })[0];
        return { destination: s.destination, mppsSopInstanceUid: s.mppsSopInstanceUid, ...(s.lastStatus ? { reported: s.lastStatus } : {}), ...(job ? { job: jobView(job) } : {}) };
      });
    },
    async retry(jobId) {
      return view(queue.retry(jobIdOf(jobId)));
    },
    async cancel(jobId) {
      return view(queue.cancel(jobIdOf(jobId)));
    },
    changes$: merge(
      queue.events$.pipe(
        filter((e) => e.type === 'job'),
        map((e) => jobView(e.job)),
      ),
      (sender?.events$ ?? EMPTY).pipe(
        filter((e) => e.type === 'job-progress'),
        map((e) => jobView(e.job, e.progress)),
      ),
    ),
  };
}

export function instancePort(store: InstanceStore): InstancePort {
  return {
    fileOf(uid) {
      const r = store.get(uid);
      return r && r.state === 'ok' ? r.path : undefined;
    },
    list(filter, page) {
      return {
        items: store.list(filter, page).map((r) => ({
          sopInstanceUid: r.sopInstanceUid,
          sopClassUid: r.sopClassUid,
          studyInstanceUid: r.studyInstanceUid,
          seriesInstanceUid: r.seriesInstanceUid,
          transferSyntaxUid: r.transferSyntaxUid,
          frames: r.frames,
          size: r.size,
          examId: r.examId,
          receivedFrom: r.receivedFrom,
          state: r.state,
          storedAt: r.createdAt,
        })),
        total: store.count(filter),
      };
    },
  };
}
