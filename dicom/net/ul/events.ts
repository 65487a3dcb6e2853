/**
 * Events with the data they carry, and what step() asks the I/O layer to do (effects).
 * Both are plain data, so the machine stays pure: the association code (device/net) feeds
 * socket, timer and user happenings in as events and carries the effects out.
 */
import type {
  AbortPdu,
  AssociateAcPdu,
  AssociateRjPdu,
  AssociateRqPdu,
  PDataTfPdu,
  Pdu,
} from '../pdu/types.js';
import type { FramedPdu } from '../pdu/framer.js';
import type { ActionId, Evt, Sta } from './definitions.js';

/** A-ABORT reasons when the source is the service-provider (PS3.8 Table 9-26). */
export const ABORT_REASON = {
  NOT_SPECIFIED: 0,
  UNRECOGNIZED_PDU: 1,
  UNEXPECTED_PDU: 2,
  UNRECOGNIZED_PDU_PARAMETER: 4,
  UNEXPECTED_PDU_PARAMETER: 5,
  INVALID_PDU_PARAMETER_VALUE: 6,
} as const;

/** A-ABORT sources (PS3.8 Table 9-26). 1 is reserved. */
export const ABORT_SOURCE = { SERVICE_USER: 0, SERVICE_PROVIDER: 2 } as const;

export type UlEvent =
  | { readonly type: 'Evt1'; readonly rq: AssociateRqPdu }
  | { readonly type: 'Evt2' }
  | { readonly type: 'Evt3'; readonly pdu: AssociateAcPdu }
  | { readonly type: 'Evt4'; readonly pdu: AssociateRjPdu }
  | { readonly type: 'Evt5' }
  | {
      readonly type: 'Evt6';
      /** Undefined when the RQ could not be decoded but is still answered by a reject. */
      readonly pdu: AssociateRqPdu | undefined;
      /**
       * Set when the service-provider cannot accept the RQ (AE-6's "otherwise"): the
       * A-ASSOCIATE-RJ to send, e.g. source 2 reason 2 for an unsupported protocol version.
       */
      readonly providerReject?: AssociateRjPdu;
    }
  | { readonly type: 'Evt7'; readonly ac: AssociateAcPdu }
  | { readonly type: 'Evt8'; readonly rj: AssociateRjPdu }
  | { readonly type: 'Evt9'; readonly pdu: PDataTfPdu }
  | { readonly type: 'Evt10'; readonly pdu: PDataTfPdu }
  | { readonly type: 'Evt11' }
  | { readonly type: 'Evt12' }
  | { readonly type: 'Evt13' }
  | { readonly type: 'Evt14' }
  | { readonly type: 'Evt15' }
  | { readonly type: 'Evt16'; readonly pdu: AbortPdu }
  | { readonly type: 'Evt17' }
  | { readonly type: 'Evt18' }
  | {
      readonly type: 'Evt19';
      /** The A-ABORT reason to send (PS3.8 Table 9-26), chosen by what was wrong. */
      readonly reason: number;
      readonly detail?: string;
    };

// Compile-time check that the union covers exactly the standard's events.
type _AllEvents = UlEvent['type'] extends Evt ? (Evt extends UlEvent['type'] ? true : never) : never;
const eventsComplete: _AllEvents = true;
void eventsComplete;

/** What the local user is told (the "indication"/"confirmation" primitives of PS3.8 §7). */
export type UlIndication =
  | { readonly primitive: 'A-ASSOCIATE-indication'; readonly rq: AssociateRqPdu }
  | { readonly primitive: 'A-ASSOCIATE-confirm-accept'; readonly ac: AssociateAcPdu }
  | { readonly primitive: 'A-ASSOCIATE-confirm-reject'; readonly rj: AssociateRjPdu }
  | { readonly primitive: 'P-DATA-indication'; readonly pdu: PDataTfPdu }
  | { readonly primitive: 'A-RELEASE-indication'; readonly collision: boolean }
  | { readonly primitive: 'A-RELEASE-confirm' }
  /** The peer's service-user aborted (A-ABORT PDU with source 0). */
  | { readonly primitive: 'A-ABORT-indication'; readonly pdu: AbortPdu }
  /** The provider aborted: the peer's provider (`pdu`), our own (`reason`), or the transport. */
  | {
      readonly primitive: 'A-P-ABORT-indication';
      readonly cause: 'peer-provider' | 'local-provider' | 'transport-closed';
      readonly pdu?: AbortPdu;
      readonly reason?: number;
    };

export type UlEffect =
  | { readonly kind: 'transport-connect'; readonly rq: AssociateRqPdu }
  | { readonly kind: 'transport-accept' }
  | { readonly kind: 'transport-close' }
  | { readonly kind: 'send'; readonly pdu: Pdu }
  /** Start, or restart if running, the ARTIM timer (PS3.8 §9.1.5). */
  | { readonly kind: 'artim-start' }
  | { readonly kind: 'artim-stop' }
  | { readonly kind: 'indicate'; readonly indication: UlIndication }
  /** The event had no cell in Table 9-10; the I/O layer should log it (the machine recovered). */
  | { readonly kind: 'protocol-error'; readonly state: Sta; readonly event: Evt; readonly message: string };

export type Role = 'requestor' | 'acceptor';

/**
 * The machine's state: the PS3.8 state, and what the actions need to remember. `role` is set
 * by AE-1 (requestor) or AE-5 (acceptor) and read by AR-8 (release collision); `pendingRq` is
 * the A-ASSOCIATE-RQ given with Evt1, sent by AE-2 once the transport connects.
 */
export interface UlState {
  readonly sta: Sta;
  readonly role: Role | undefined;
  readonly pendingRq?: AssociateRqPdu;
}

export const IDLE: UlState = { sta: 'Sta1', role: undefined };

export interface StepResult {
  readonly next: UlState;
  readonly effects: readonly UlEffect[];
  /** The action of Table 9-10 that ran, or undefined for a blank cell. */
  readonly action: ActionId | undefined;
}

/**
 * The event a received PDU raises (Table 9-10 rows). Unknown PDU types and PDUs that framed
 * but did not decode are Evt19, except an A-ASSOCIATE-RQ whose only fault is the protocol
 * version: PS3.8 §9.3.2 and AE-6 answer that with A-ASSOCIATE-RJ (source service-provider
 * ACSE, reason protocol-version-not-supported), not with an abort.
 */
export function eventForPdu(pdu: FramedPdu): UlEvent {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
      return { type: 'Evt6', pdu };
    case 'A-ASSOCIATE-AC':
      return { type: 'Evt3', pdu };
    case 'A-ASSOCIATE-RJ':
      return { type: 'Evt4', pdu };
    case 'P-DATA-TF':
      return { type: 'Evt10', pdu };
    case 'A-RELEASE-RQ':
      return { type: 'Evt12' };
    case 'A-RELEASE-RP':
      return { type: 'Evt13' };
    case 'A-ABORT':
      return { type: 'Evt16', pdu };
    case 'unknown':
      return { type: 'Evt19', reason: ABORT_REASON.UNRECOGNIZED_PDU, detail: `unrecognised PDU type 0x${pdu.pduType.toString(16)}` };
    case 'malformed':
      if (pdu.pduType === 0x01 && pdu.error.code === 'PDU_PROTOCOL_VERSION') {
        return {
          type: 'Evt6',
          pdu: undefined,
          providerReject: { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 },
        };
      }
      return { type: 'Evt19', reason: ABORT_REASON.INVALID_PDU_PARAMETER_VALUE, detail: pdu.error.message };
  }
}
