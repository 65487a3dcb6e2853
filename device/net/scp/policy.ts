/**
 * Who may associate with the cart, and on what terms (conformance §8): the called AE title
 * must be ours; an unknown calling AE title is accepted from loopback and refused from
 * elsewhere unless configured; at most N associations at once (the rest get a transient
 * reject, local-limit-exceeded, so a well-behaved SCU retries later); the presentation
 * contexts come from the acceptance table.
 */
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../../dicom/core/index.js';
import { acse, type pdu } from '../../../dicom/net/index.js';
import type { ServedSopClass } from './acceptance.js';

export interface CallingAePolicy {
  /** Calling AE titles always accepted (when `unknown` would refuse them). */
  readonly known: readonly string[];
  /** Any other calling AE title: accepted from loopback only (the default), always, or never. */
  readonly unknown: 'accept-from-loopback' | 'accept' | 'reject';
}

export const DEFAULT_CALLING_AE_POLICY: CallingAePolicy = { known: [], unknown: 'accept-from-loopback' };

export interface AssociationTerms {
  readonly aeTitle: string;
  readonly callingAe: CallingAePolicy;
  readonly served: readonly ServedSopClass[];
  readonly maxPduLength: number;
}

export function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const reject = (result: number, source: number, reason: number): acse.AcceptorDecision => ({
  kind: 'reject',
  pdu: { type: 'A-ASSOCIATE-RJ', result, source, reason },
});

/** The answer to an A-ASSOCIATE-RQ from `remoteAddress`, with `active` associations already established. */
export function decideAssociation(
  rq: pdu.AssociateRqPdu,
  terms: AssociationTerms,
  remoteAddress: string,
  limit: { readonly active: number; readonly max: number },
): acse.AcceptorDecision {
  const known = terms.callingAe.known.some((t) => acse.aeTitlesEqual(t, rq.callingAeTitle));
  const unknownOk = terms.callingAe.unknown === 'accept' || (terms.callingAe.unknown === 'accept-from-loopback' && isLoopback(remoteAddress));
  const supported = new Map(terms.served.map((s) => [s.uid, s.transferSyntaxes]));
  const decision = acse.negotiateAsAcceptor(rq, {
    aeTitle: terms.aeTitle,
    ...(known || unknownOk ? {} : { callingAeTitles: terms.callingAe.known }),
    supported,
    requestorRoles: new Map(terms.served.map((s) => [s.uid, s.requestorRoles])),
    // "Written as received": the requestor's first choice among those we accept.
    transferSyntaxPreference: 'requestor',
    maxPduLength: terms.maxPduLength,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  if (decision.kind === 'reject') return decision;
  // Checked after the permanent reasons: a wrong AE title stays wrong, congestion passes.
  if (limit.active >= limit.max) {
    return reject(acse.REJECT_RESULT.TRANSIENT, acse.REJECT_SOURCE.PROVIDER_PRESENTATION, acse.REJECT_REASON.LOCAL_LIMIT_EXCEEDED);
  }
  if (decision.accepted.length === 0) {
    // PS3.8 lets us accept with every context refused; no SCU can do anything with that.
    return reject(acse.REJECT_RESULT.PERMANENT, acse.REJECT_SOURCE.SERVICE_USER, acse.REJECT_REASON.USER_NO_REASON);
  }
  return decision;
}
