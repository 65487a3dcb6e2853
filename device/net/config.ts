/**
 * Defaults of conformance §1: our AE title, PDU sizes and the association timers, per
 * activity. Everything here is overridable by the caller (configuration, CLI, tests).
 */

export const DEFAULT_AE_TITLE = 'US_CART';

/** Maximum P-DATA-TF PDU-length we receive (conformance §1: 64 KiB, never 0). */
export const DEFAULT_MAX_PDU_LENGTH = 64 * 1024;

export interface AssociationTimers {
  /** From the transport connect request until the A-ASSOCIATE-AC/RJ. */
  readonly associationRequestMs: number;
  /** Silence on the association; reset on every PDU received or sent. */
  readonly inactivityMs: number;
  /** The whole life of the association. */
  readonly wholeAssociationMs: number;
  /** PS3.8 ARTIM: waiting for the transport to close after A-RELEASE-RP / A-ABORT. */
  readonly artimMs: number;
}

const MINUTE = 60_000;

/** Conformance §1, "store" column. */
export const STORE_TIMERS: AssociationTimers = {
  associationRequestMs: 30_000,
  inactivityMs: 180_000,
  wholeAssociationMs: 60 * MINUTE,
  artimMs: 30_000,
};

/** Conformance §1, "find (MWL)" column; echo uses it too. */
export const FIND_TIMERS: AssociationTimers = {
  associationRequestMs: 30_000,
  inactivityMs: 90_000,
  wholeAssociationMs: 60 * MINUTE,
  artimMs: 30_000,
};
