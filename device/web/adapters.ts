/**
 * The queue and the instance store seen through the API's ports (ports.ts): numeric job ids
 * become opaque strings, nulls become absent fields, the queue's `commit` kind is the wire's
 * `commitment`, and the counts gain the Storage Commitment states the wire already names.
 */
import { EMPTY, filter, map, merge } from 'rxjs';
import type { Forwarder, Job, JobQueue, JobKind as QueueJobKind, JobState as QueueJobState, SendProgress } from '../queue/index.js';
import type { InstanceStore } from '../storage/index.js';
import type { JobCounts, JobKind, JobState, JobView, QueueSummary, SendProgressView } from './api-types.js';
import { ApiError } from './errors.js';
import type { InstancePort, QueuePort } from './ports.js';

const toWireKind: Readonly<Record<QueueJobKind, JobKind>> = { store: 'store', mpps: 'mpps', commit: 'commitment', export: 'export' };
const fromWireKind: Readonly<Record<JobKind, QueueJobKind>> = { store: 'store', mpps: 'mpps', commitment: 'commit', export: 'export' };
/** The queue's states; the wire adds `committed` / `commit-failed` for the SCP issue. */
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

function counts(byState: Readonly<Record<QueueJobState, number>>): JobCounts {
  return { ...byState, committed: 0, 'commit-failed': 0 };
}

function jobIdOf(id: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) throw new ApiError(404, 'API_NO_SUCH_JOB', `no job ${id}`);
  return Number(id);
}

/**
 * `sender`: the forwarder, whose bytes-sent progress of in-progress store jobs the list and
 * the change stream carry (absent: no progress is shown).
 */
export function queuePort(queue: JobQueue, sender?: Pick<Forwarder, 'progressOf' | 'events$'>): QueuePort {
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
      return {
        counts: counts(s.byState),
        destinations: Object.fromEntries(Object.entries(s.byDestination).map(([d, c]) => [d, counts(c)])),
      };
    },
    destinationsOf(sopInstanceUid) {
      const out: Record<string, JobState> = {};
      for (const j of queue.list({ sopInstanceUid, kind: 'store' }, { limit: 64 })) out[j.destination] ??= j.state;
      return out;
    },
    destinationsOfExam(examId) {
      const out = new Map<string, Record<string, JobState>>();
      for (const j of queue.list({ examId, kind: 'store' }, { limit: 100_000 })) {
        if (j.sopInstanceUid === null) continue;
        let m = out.get(j.sopInstanceUid);
        if (!m) out.set(j.sopInstanceUid, (m = {}));
        m[j.destination] ??= j.state;
      }
      return out;
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
  };
}
