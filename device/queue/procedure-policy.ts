/**
 * What an MPPS or storage commitment request's outcome means for its job (the §2 policy of the
 * queue, for N-CREATE / N-SET / N-ACTION instead of C-STORE):
 * - Success, and Warning (PS3.4 F.7.2.1.2: 0107 attribute list error, 0116 value out of range
 *   still create or update the step) end the job well.
 * - N-CREATE answered 0111 "duplicate SOP instance": the SCP already has this step — an earlier
 *   N-CREATE of ours reached it and its response was lost (a crash, a broken association). That
 *   is the step created, not a failure; the N-SET may follow.
 * - A7xx, 0213 "resource limitation": the peer is busy — retry later, pause the destination.
 * - Any other failure status: this message fails (the user sees the status and may retry).
 * - No status (network, timers, abort, rejection): transient — retried with back-off, the
 *   destination paused — up to the configured attempts; no acceptable context: unsendable.
 */
import { NetError, DimseStatusError } from '../net/errors.js';
import type { JobEvent } from './job-machine.js';
import { NET_ERROR_EVENT } from './policy.js';

export type ProcedureOperation = 'N-CREATE' | 'N-SET' | 'N-ACTION';

export interface ProcedureOutcome {
  readonly event: JobEvent;
  /** The peer's status, when it answered one. */
  readonly status?: number;
  /** Peer, step, reason and DICOM status in one sentence. */
  readonly reason: string;
  /** For an N-CREATE: the step exists at the SCP (a Success, a Warning, or 0111). */
  readonly accepted: boolean;
}

const BUSY = (code: number): boolean => (code & 0xff00) === 0xa700 || code === 0x0213;

export function classifyProcedureError(e: unknown, op: ProcedureOperation, attemptsBefore: number, maxAttempts: number | undefined): ProcedureOutcome {
  const exhausted = (ev: JobEvent): JobEvent => ((ev === 'transient-failure' || ev === 'refused') && maxAttempts !== undefined && attemptsBefore + 1 >= maxAttempts ? 'attempts-exhausted' : ev);
  if (e instanceof DimseStatusError) {
    const code = e.statusInfo.code;
    const reason = e.describe();
    if (op === 'N-CREATE' && code === 0x0111) {
      return { event: 'stored-with-warning', status: code, reason: `${reason}: the SCP already has this procedure step (an earlier N-CREATE reached it)`, accepted: true };
    }
    if (BUSY(code)) return { event: exhausted('refused'), status: code, reason, accepted: false };
    return { event: 'rejected', status: code, reason, accepted: false };
  }
  if (e instanceof NetError) {
    return { event: exhausted(NET_ERROR_EVENT[e.code]), ...(e.status ? { status: e.status.code } : {}), reason: e.describe(), accepted: false };
  }
  // Not the network: a local problem (an unreadable data set, a configuration error) that waiting will not fix.
  return { event: 'unsendable', reason: e instanceof Error ? e.message : String(e), accepted: false };
}

/** The event for the attempts-exhausted-aware "no report in time" of a commitment request. */
export function reportTimeoutEvent(attemptsBefore: number, maxAttempts: number | undefined): JobEvent {
  return maxAttempts !== undefined && attemptsBefore + 1 >= maxAttempts ? 'attempts-exhausted' : 'report-timeout';
}
