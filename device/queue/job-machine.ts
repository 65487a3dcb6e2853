/**
 * The life of one job (one instance × one destination) as a table, in the style of
 * dicom/net/ul/: TABLE[state][event] → next state + effects. A cell absent from the table is an
 * event the state does not accept (step() says so; the caller turns it into a typed error or
 * ignores it). Pure: no I/O, no clock; the queue applies the effects.
 *
 * One state per line, so a reviewer can read each state's reactions in one place; the test
 * checks every state × event cell.
 */

export const JOB_STATES = ['scheduled', 'in-progress', 'completed', 'warning', 'failed', 'retry'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves on its own (only a user's retry, or a commitment failure's re-send, moves them on). */
export const TERMINAL: ReadonlySet<JobState> = new Set(['completed', 'warning', 'failed']);
/** States the forwarder may pick a job in (retry only once its time has come). */
export const PICKABLE: readonly JobState[] = ['scheduled', 'retry'];

export const JOB_EVENTS = [
  /** The forwarder took it for an association. */
  'pick',
  /** C-STORE-RSP Success. */
  'stored',
  /** C-STORE-RSP Warning (Bxxx, 0001 …): stored, with the warning kept. */
  'stored-with-warning',
  /** C-STORE-RSP Refused: Out of Resources (A7xx): the association is released; retried later. */
  'refused',
  /** Any other failure status (A9xx, Cxxx, 0122 …): this instance fails for this destination. */
  'rejected',
  /** It cannot be sent from here at all (file gone or unreadable, no acceptable context, no conversion). */
  'unsendable',
  /** Network error, timer expiry, abort, association rejected: tried, to be tried again. */
  'transient-failure',
  /** A transient failure on the last allowed attempt. */
  'attempts-exhausted',
  /** Pulled for an association that then stopped before sending it: no try was made. */
  'deferred',
  /** Its destination is paused until a retry time (down, or out of resources). */
  'destination-paused',
  /** The user asked to try again now. */
  'retry-requested',
  /** The user cancelled it. */
  'cancel-requested',
  /** The service starts: a job left in progress by a crash or kill goes back to the queue. */
  'service-restarted',
  /**
   * Storage commitment: the archive accepted the N-ACTION but no N-EVENT-REPORT came in the
   * configured time. Retried later with a new Transaction UID; the peer answered, so the
   * destination is NOT paused (its store jobs go on).
   */
  'report-timeout',
  /**
   * Storage commitment: the archive reported this stored instance as not committed (Failed SOP
   * Sequence); it is sent again, within the configured number of re-sends (procedure-sender.ts).
   */
  'resend-requested',
] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

export type JobEffect =
  /** attempts += 1 (a try reached the network). */
  | 'count-attempt'
  /** Keep the peer's status (and comment) on the job. */
  | 'record-status'
  /** Keep the reason (a failure's description, "cancelled by the user" …). */
  | 'record-reason'
  /** Clear status and reason (a new try starts clean). */
  | 'clear-result'
  /** Set next_try_at to the retry time the caller computed (backoff). */
  | 'set-next-try'
  | 'clear-next-try'
  /** Release the association, send nothing more on it (conformance §2, A7xx). */
  | 'release-association'
  /** Pause the whole destination until the retry time; its waiting jobs show it. */
  | 'pause-destination';

export interface Transition {
  readonly next: JobState;
  readonly effects: readonly JobEffect[];
}

type Row = Partial<Record<JobEvent, Transition>>;

const t = (next: JobState, ...effects: JobEffect[]): Transition => ({ next, effects });

/** A user's retry of a job that has ended (failed, or stored with a warning) or is waiting. */
const USER_RETRY = t('scheduled', 'clear-result', 'clear-next-try');

export const TABLE: Readonly<Record<JobState, Readonly<Row>>> = {
  scheduled: {
    pick: t('in-progress', 'clear-next-try'),
    'destination-paused': t('retry', 'set-next-try'),
    'cancel-requested': t('failed', 'record-reason', 'clear-next-try'),
    'retry-requested': t('scheduled'),
    'service-restarted': t('scheduled'),
  },
  'in-progress': {
    stored: t('completed', 'count-attempt', 'record-status', 'clear-next-try'),
    'stored-with-warning': t('warning', 'count-attempt', 'record-status', 'record-reason', 'clear-next-try'),
    refused: t('retry', 'count-attempt', 'record-status', 'record-reason', 'set-next-try', 'release-association', 'pause-destination'),
    rejected: t('failed', 'count-attempt', 'record-status', 'record-reason', 'clear-next-try'),
    unsendable: t('failed', 'record-reason', 'clear-next-try'),
    'transient-failure': t('retry', 'count-attempt', 'record-reason', 'set-next-try', 'pause-destination'),
    'attempts-exhausted': t('failed', 'count-attempt', 'record-reason', 'clear-next-try'),
    deferred: t('scheduled'),
    'report-timeout': t('retry', 'count-attempt', 'record-reason', 'set-next-try'),
    // The peer may answer any moment: the outcome decides, not the user or a pause.
    'service-restarted': t('scheduled'),
  },
  completed: {
    'resend-requested': t('scheduled', 'clear-result', 'clear-next-try'),
  },
  warning: {
    'retry-requested': USER_RETRY,
    'resend-requested': t('scheduled', 'clear-result', 'clear-next-try'),
  },
  failed: {
    'retry-requested': USER_RETRY,
  },
  retry: {
    pick: t('in-progress', 'clear-next-try'),
    'destination-paused': t('retry', 'set-next-try'),
    'retry-requested': USER_RETRY,
    'cancel-requested': t('failed', 'record-reason', 'clear-next-try'),
    'service-restarted': t('retry'),
  },
};

export type StepResult = { readonly ok: true; readonly transition: Transition } | { readonly ok: false; readonly why: string };

export function step(state: JobState, event: JobEvent): StepResult {
  const cell = TABLE[state][event];
  if (cell) return { ok: true, transition: cell };
  return { ok: false, why: `a ${state} job does not take '${event}'` };
}

export function isJobState(s: string): s is JobState {
  return (JOB_STATES as readonly string[]).includes(s);
}
