/**
 * What the API needs from the modules behind it, beyond the Device interface: the queue in the
 * API's own terms (so its SQL rows never leak into the wire types), the instance files for
 * thumbnails, and the media jobs. device/web/index.ts builds these from the Device.
 */
import type { Observable } from 'rxjs';
import type { Device } from '../device.js';
import type { MediaJobs } from '../media/jobs.js';
import type { UsbSnapshot } from '../usb/index.js';
import type { CommitmentView, InstanceDestinations, JobKind, JobState, JobView, LogEntry, ProcedureStepView, QueueSummary, ScpView, StoredInstanceView } from './api-types.js';

export interface QueueListFilter {
  readonly states?: readonly JobState[];
  readonly destination?: string;
  readonly examId?: string;
  readonly kind?: JobKind;
  readonly limit: number;
  readonly offset: number;
}

export interface QueuePort {
  list(filter: QueueListFilter): { readonly jobs: readonly JobView[]; readonly total: number };
  summary(): QueueSummary;
  /** Per destination, the state of this instance's store job. */
  destinationsOf(sopInstanceUid: string): InstanceDestinations;
  /** The same for every instance of an exam, in one query (an exam view must not cost a query per instance). */
  destinationsOfExam(examId: string): ReadonlyMap<string, InstanceDestinations>;
  /** Storage commitment of the instance per commitment destination (undefined: none). */
  commitmentOf(sopInstanceUid: string): { readonly [destination: string]: CommitmentView } | undefined;
  /** The same for every instance of an exam, in one query. */
  commitmentOfExam(examId: string): ReadonlyMap<string, { readonly [destination: string]: CommitmentView }>;
  /** The exam's MPPS per mpps destination. */
  procedureSteps(examId: string): readonly ProcedureStepView[];
  /** Throws a typed error (QUEUE_NO_SUCH_JOB, QUEUE_NOT_ALLOWED) when the job cannot be retried. */
  retry(jobId: string): Promise<JobView>;
  cancel(jobId: string): Promise<JobView>;
  /** Every job change, progress included (the API throttles). */
  readonly changes$: Observable<JobView>;
}

export interface InstancePort {
  /** The stored file of an instance, or undefined when there is none (unknown, or missing on disk). */
  fileOf(sopInstanceUid: string): string | undefined;
  /** Newest first; `total` counts every match. */
  list(filter: { receivedFrom?: string; studyInstanceUid?: string }, page: { limit: number; offset: number }): { items: readonly StoredInstanceView[]; total: number };
}

export interface ApiDeps {
  readonly device: Device;
  readonly media: MediaJobs;
  readonly queue: QueuePort;
  readonly instances: InstancePort;
  /** Where thumbnails are cached (under the data directory). */
  readonly thumbnailDir: string;
  /** sonicart's version for GET /api/state. */
  readonly version: string;
  /** Warn and error log lines for /api/events (see teeLogger). */
  readonly logEntries$?: Observable<LogEntry>;
  /** The listener's state for GET /api/state; absent: reported as not listening. */
  readonly scp?: { status(): ScpView };
  /** USB devices and hot-plug for GET /api/usb (device/usb); absent: reported unavailable. */
  readonly usb?: { snapshot(): UsbSnapshot };
}
