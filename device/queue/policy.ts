/**
 * Conformance §2 as a table: what a C-STORE outcome means for the job. The peer's status goes
 * through dimse.storageActionFor (the status → action table of dicom/net/dimse/status.ts); what
 * did not reach a status (network, timers, aborts, local problems) is classified here.
 */
import { dimse } from '../../dicom/net/index.js';
import { NetError, type NetErrorCode } from '../net/errors.js';
import type { JobEvent } from './job-machine.js';

/** The storage action of §2 → the job's event. */
export const ACTION_EVENT: Readonly<Record<dimse.StorageAction, JobEvent>> = {
  next: 'stored',
  'record-warning': 'stored-with-warning',
  'release-retry-later': 'refused',
  'fail-instance-continue': 'rejected',
};

/**
 * No status came back. Errors of the network are transient (the same instance may well go
 * through later); "the peer accepts no context for this class/syntax" will not change by
 * waiting, so it fails the job (the user can retry it after fixing the peer).
 */
export const NET_ERROR_EVENT: Readonly<Record<NetErrorCode, JobEvent>> = {
  NET_CONNECT: 'transient-failure',
  NET_CLOSED: 'transient-failure',
  NET_REJECTED: 'transient-failure',
  NET_ABORTED: 'transient-failure',
  NET_TIMER: 'transient-failure',
  NET_PROTOCOL: 'transient-failure',
  NET_CANCELLED: 'transient-failure',
  NET_STATE: 'transient-failure',
  NET_DIMSE_STATUS: 'rejected',
  NET_NO_CONTEXT: 'unsendable',
};

export interface SendOutcome {
  /** The peer's status code, when it answered. */
  readonly statusCode?: number;
  /** What went wrong without a status. */
  readonly error?: Error;
  /** Pulled, then not sent because the association stopped for another instance. */
  readonly deferred?: boolean;
}

export interface Classified {
  readonly event: JobEvent;
  readonly status?: dimse.StatusInfo;
}

export function classifyOutcome(o: SendOutcome, attemptsBefore: number, maxAttempts: number | undefined): Classified {
  if (o.deferred) return { event: 'deferred' };
  let event: JobEvent;
  let status: dimse.StatusInfo | undefined;
  if (o.statusCode !== undefined) {
    const d = dimse.storageActionFor(o.statusCode);
    event = ACTION_EVENT[d.action];
    status = d.status;
  } else if (o.error instanceof NetError) event = NET_ERROR_EVENT[o.error.code];
  // A local error (file unreadable, conversion impossible …): waiting will not help.
  else event = 'unsendable';
  if ((event === 'transient-failure' || event === 'refused') && maxAttempts !== undefined && attemptsBefore + 1 >= maxAttempts) event = 'attempts-exhausted';
  return status ? { event, status } : { event };
}
