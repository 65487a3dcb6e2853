/**
 * The acceptor's side: given an A-ASSOCIATE-RQ and what we support, the A-ASSOCIATE-AC or
 * -RJ to answer with: the cart's listener (device/net/scp) and the tests' fake peers.
 */
import {
  PROTOCOL_VERSION_1,
  filterSubItems,
  findSubItem,
  type AssociateAcPdu,
  type AssociateRjPdu,
  type AssociateRqPdu,
  type PresentationContextAc,
  type UserInformationSubItem,
} from '../pdu/types.js';
import { aeTitlesEqual } from '../pdu/ae-title.js';
import { CONTEXT_RESULT_NAME, CONTEXT_RESULT_TEXT } from './reasons.js';
import { maxPduToSend, type AcceptedContext, type Negotiated, type RejectedContext } from './negotiate.js';
import { DICOM_APPLICATION_CONTEXT } from './propose.js';
import { REJECT_REASON, REJECT_RESULT, REJECT_SOURCE } from './reasons.js';

export interface AcceptorPolicy {
  /** When set, an RQ whose called AE title differs is rejected (called-AE-title-not-recognized). */
  readonly aeTitle?: string;
  /** When set, only these calling AE titles are accepted (else calling-AE-title-not-recognized). */
  readonly callingAeTitles?: readonly string[];
  /** Abstract syntax → transfer syntaxes we accept, in our order of preference. */
  readonly supported: ReadonlyMap<string, readonly string[]>;
  /** Abstract syntaxes we know but refuse (answered with user-rejection). */
  readonly userRejected?: ReadonlySet<string>;
  /**
   * Whose preference picks the transfer syntax when several are acceptable: ours (the list
   * order in `supported`, the DCMTK storescp way) or the requestor's (proposal order).
   */
  readonly transferSyntaxPreference?: 'acceptor' | 'requestor';
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
  /**
   * SCP/SCU role selection (PS3.7 D.3.3.4): per abstract syntax, which roles the requestor may
   * take. A proposed role is granted only where allowed here. Without the map, every proposed
   * role for a supported SOP class is granted.
   */
  readonly requestorRoles?: ReadonlyMap<string, { readonly scu: boolean; readonly scp: boolean }>;
  /** Server response for a User Identity RQ that asked for a positive response. */
  readonly userIdentityServerResponse?: Uint8Array;
}

export type AcceptorDecision =
  | { readonly kind: 'accept'; readonly pdu: AssociateAcPdu; readonly accepted: readonly AcceptedContext[] }
  | { readonly kind: 'reject'; readonly pdu: AssociateRjPdu };

const reject = (source: number, reason: number, result: number = REJECT_RESULT.PERMANENT): AcceptorDecision => ({
  kind: 'reject',
  pdu: { type: 'A-ASSOCIATE-RJ', result, source, reason },
});

export function negotiateAsAcceptor(rq: AssociateRqPdu, policy: AcceptorPolicy): AcceptorDecision {
  if ((rq.protocolVersion & PROTOCOL_VERSION_1) === 0) {
    return reject(REJECT_SOURCE.PROVIDER_ACSE, REJECT_REASON.PROTOCOL_VERSION_NOT_SUPPORTED);
  }
  if (rq.applicationContext !== DICOM_APPLICATION_CONTEXT) {
    return reject(REJECT_SOURCE.SERVICE_USER, REJECT_REASON.APPLICATION_CONTEXT_NOT_SUPPORTED);
  }
  if (policy.aeTitle !== undefined && !aeTitlesEqual(policy.aeTitle, rq.calledAeTitle)) {
    return reject(REJECT_SOURCE.SERVICE_USER, REJECT_REASON.CALLED_AE_NOT_RECOGNIZED);
  }
  if (policy.callingAeTitles !== undefined && !policy.callingAeTitles.some((t) => aeTitlesEqual(t, rq.callingAeTitle))) {
    return reject(REJECT_SOURCE.SERVICE_USER, REJECT_REASON.CALLING_AE_NOT_RECOGNIZED);
  }

  const contexts: PresentationContextAc[] = [];
  const accepted: AcceptedContext[] = [];
  for (const pc of rq.presentationContexts) {
    // The transfer syntax of a rejected context is "not significant" (PS3.8 Table 9-18) but
    // is still sent, as the requestor's first proposal, for peers that expect the sub-item.
    const filler = pc.transferSyntaxes[0];
    const ours = policy.supported.get(pc.abstractSyntax);
    if (policy.userRejected?.has(pc.abstractSyntax)) {
      contexts.push({ id: pc.id, result: 1, transferSyntax: filler });
    } else if (ours === undefined) {
      contexts.push({ id: pc.id, result: 3, transferSyntax: filler });
    } else {
      const ts =
        policy.transferSyntaxPreference === 'requestor'
          ? pc.transferSyntaxes.find((t) => ours.includes(t))
          : ours.find((t) => pc.transferSyntaxes.includes(t));
      if (ts === undefined) {
        contexts.push({ id: pc.id, result: 4, transferSyntax: filler });
      } else {
        contexts.push({ id: pc.id, result: 0, transferSyntax: ts });
        accepted.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: ts });
      }
    }
  }

  const userInformation: UserInformationSubItem[] = [
    { type: 'maximum-length', maxLength: policy.maxPduLength },
    { type: 'implementation-class-uid', uid: policy.implementationClassUid },
  ];
  // Role selection (PS3.7 D.3.3.4): accept the proposed roles for SOP classes we support.
  for (const role of filterSubItems(rq.userInformation, 'role-selection')) {
    if (!policy.supported.has(role.sopClassUid)) continue;
    const allowed = policy.requestorRoles?.get(role.sopClassUid);
    if (policy.requestorRoles === undefined) userInformation.push({ ...role });
    else
      userInformation.push({
        ...role,
        scuRole: role.scuRole === 1 && allowed?.scu === true ? 1 : 0,
        scpRole: role.scpRole === 1 && allowed?.scp === true ? 1 : 0,
      });
  }
  if (policy.implementationVersionName !== undefined) {
    userInformation.push({ type: 'implementation-version-name', name: policy.implementationVersionName });
  }
  const identity = findSubItem(rq.userInformation, 'user-identity-rq');
  if (identity?.positiveResponseRequested && policy.userIdentityServerResponse !== undefined) {
    userInformation.push({ type: 'user-identity-ac', serverResponse: policy.userIdentityServerResponse });
  }

  return {
    kind: 'accept',
    accepted,
    pdu: {
      type: 'A-ASSOCIATE-AC',
      protocolVersion: PROTOCOL_VERSION_1,
      // PS3.8 Table 9-17: sent with the values received in the RQ.
      calledAeTitle: rq.calledAeTitle,
      callingAeTitle: rq.callingAeTitle,
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts: contexts,
      userInformation,
      unknownItems: [],
    },
  };
}

/** The acceptor's view of an association it accepted, in the shape the requestor gets from negotiateAsRequestor(). */
export function negotiatedAsAcceptor(rq: AssociateRqPdu, decision: Extract<AcceptorDecision, { kind: 'accept' }>, cap?: number): Negotiated {
  const proposed = new Map(rq.presentationContexts.map((pc) => [pc.id, pc]));
  const rejected: RejectedContext[] = [];
  for (const a of decision.pdu.presentationContexts) {
    if (a.result === 0) continue;
    const name = CONTEXT_RESULT_NAME[a.result];
    const reason = name === undefined || name === 'acceptance' ? 'reserved' : name;
    rejected.push({
      id: a.id,
      abstractSyntax: proposed.get(a.id)?.abstractSyntax ?? '',
      result: a.result,
      reason,
      text: reason === 'reserved' ? `result ${a.result} (reserved)` : CONTEXT_RESULT_TEXT[reason],
    });
  }
  const byAbstractSyntax = new Map<string, AcceptedContext[]>();
  for (const c of decision.accepted) byAbstractSyntax.set(c.abstractSyntax, [...(byAbstractSyntax.get(c.abstractSyntax) ?? []), c]);
  const peerMaxPduLength = findSubItem(rq.userInformation, 'maximum-length')?.maxLength;
  return {
    accepted: decision.accepted,
    rejected,
    byAbstractSyntax,
    byId: new Map(decision.accepted.map((c) => [c.id, c])),
    peerMaxPduLength,
    maxPduToSend: maxPduToSend(peerMaxPduLength, cap),
    peerImplementationClassUid: findSubItem(rq.userInformation, 'implementation-class-uid')?.uid,
    peerImplementationVersionName: findSubItem(rq.userInformation, 'implementation-version-name')?.name,
    roles: filterSubItems(decision.pdu.userInformation, 'role-selection').map(({ sopClassUid, scuRole, scpRole }) => ({ sopClassUid, scuRole, scpRole })),
  };
}
