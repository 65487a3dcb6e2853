/**
 * Typed errors of the network layer (the fo-dicom / zigbee-herdsman shape): each names the
 * peer (AE@host:port), the step that failed and the reason or DICOM status, so that the CLI
 * and the UI can say "peer, step, reason, DICOM status" in one line a technologist reads.
 * Branch on the class or `code`, never on message text.
 */
import { SonicartError, type ErrorPeer } from '../../dicom/core/index.js';
import { acse, dimse } from '../../dicom/net/index.js';

/** Who we talk to: the called AE title at an address. */
export type PeerRef = ErrorPeer;

export function formatPeer(p: PeerRef): string {
  return `${p.aeTitle}@${p.host}:${p.port}`;
}

export type NetErrorCode =
  | 'NET_CONNECT'
  | 'NET_CLOSED'
  | 'NET_REJECTED'
  | 'NET_ABORTED'
  | 'NET_TIMER'
  | 'NET_PROTOCOL'
  | 'NET_NO_CONTEXT'
  | 'NET_DIMSE_STATUS'
  | 'NET_CANCELLED'
  | 'NET_STATE';

export abstract class NetError extends SonicartError {
  declare readonly code: NetErrorCode;
  declare readonly peer: PeerRef;
  declare readonly step: string;
  constructor(
    peer: PeerRef,
    /** What we were doing: 'connect', 'A-ASSOCIATE', 'C-STORE 2.25.1…', 'A-RELEASE' … */
    step: string,
    /** Why, in the standard's words where there are some. */
    readonly reason: string,
    options?: { cause?: unknown; status?: dimse.StatusInfo },
  ) {
    // The code is each subclass's own (a field initialiser, set once this constructor returns).
    super('NET', `${formatPeer(peer)}: ${step}: ${reason}`, { ...options, peer, step });
  }

  /** One line: peer, step, reason, DICOM status. */
  describe(): string {
    const s = this.status;
    return `peer ${formatPeer(this.peer)}, step ${this.step}, reason ${this.reason}${s ? `, DICOM status ${s.hex} (${s.meaning})` : ''}`;
  }
}

/** TCP/TLS connection could not be made (refused, unreachable, TLS handshake failed …). */
export class ConnectError extends NetError {
  override readonly name = 'ConnectError';
  override readonly code = 'NET_CONNECT';
}

/** The transport closed when the protocol did not expect it (mid-PDU, before a response …). */
export class ConnectionClosedError extends NetError {
  override readonly name = 'ConnectionClosedError';
  override readonly code = 'NET_CLOSED';
}

/** A-ASSOCIATE-RJ (PS3.8 Table 9-21). */
export class AssociationRejectedError extends NetError {
  override readonly name = 'AssociationRejectedError';
  override readonly code = 'NET_REJECTED';
  constructor(
    peer: PeerRef,
    readonly result: number,
    readonly source: number,
    readonly rejectReason: number,
  ) {
    super(peer, 'A-ASSOCIATE', `association ${acse.describeReject({ result, source, reason: rejectReason })}`);
  }
  /** Rejected-transient: trying again later may work. */
  get transient(): boolean {
    return this.result === acse.REJECT_RESULT.TRANSIENT;
  }
}

/** A-ABORT from the peer (service-user or provider) or A-P-ABORT. */
export class AssociationAbortedError extends NetError {
  override readonly name = 'AssociationAbortedError';
  override readonly code = 'NET_ABORTED';
  constructor(
    peer: PeerRef,
    step: string,
    readonly source: number,
    readonly abortReason: number,
  ) {
    super(peer, step, `peer aborted the association: ${acse.describeAbort({ source, reason: abortReason })}`);
  }
}

export type TimerName = 'association-request' | 'inactivity' | 'whole-association' | 'ARTIM';

/** One of the association timers of conformance §1 (or ARTIM) fired; we aborted. */
export class TimerExpiredError extends NetError {
  override readonly name = 'TimerExpiredError';
  override readonly code = 'NET_TIMER';
  constructor(
    peer: PeerRef,
    step: string,
    readonly timer: TimerName,
    readonly ms: number,
  ) {
    super(peer, step, `${timer} timer expired after ${ms} ms`);
  }
}

/** The peer broke PS3.8/PS3.7: malformed, oversized or out-of-order PDU, unknown message ID … */
export class PeerProtocolError extends NetError {
  override readonly name = 'PeerProtocolError';
  override readonly code = 'NET_PROTOCOL';
}

/** The peer accepted no presentation context we can use for this SOP class / object. */
export class NoAcceptableContextError extends NetError {
  override readonly name = 'NoAcceptableContextError';
  override readonly code = 'NET_NO_CONTEXT';
}

/** A DIMSE response whose status is not success (or warning, where the caller says so). */
export class DimseStatusError extends NetError {
  override readonly name = 'DimseStatusError';
  override readonly code = 'NET_DIMSE_STATUS';
  declare readonly status: dimse.StatusInfo;
  constructor(
    peer: PeerRef,
    step: string,
    readonly statusInfo: dimse.StatusInfo,
    readonly errorComment?: string,
  ) {
    super(peer, step, `${statusInfo.category}${errorComment ? `: ${errorComment}` : ''}`, { status: statusInfo });
  }
}

/** The caller cancelled (AbortSignal) an operation. */
export class OperationCancelledError extends NetError {
  override readonly name = 'OperationCancelledError';
  override readonly code = 'NET_CANCELLED';
}

/** The association was used after it ended, or for two operations at once. */
export class AssociationStateError extends NetError {
  override readonly name = 'AssociationStateError';
  override readonly code = 'NET_STATE';
}
