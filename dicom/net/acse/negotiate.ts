/**
 * The requestor's reading of the peer's A-ASSOCIATE-AC (PS3.8 §7.1.1.13, PS3.7 Annex D):
 * which presentation contexts were accepted with which transfer syntax, why the others were
 * rejected, and how large a PDU we may send. Pure: the PDUs in, a plain result out.
 */
import { filterSubItems, findSubItem, type AssociateAcPdu, type AssociateRqPdu } from '../pdu/types.js';
import { CONTEXT_RESULT_NAME, CONTEXT_RESULT_TEXT, type ContextResultName } from './reasons.js';
import { AcseError, DICOM_APPLICATION_CONTEXT } from './propose.js';

/** Conformance §1: whatever the peer accepts, we send PDUs of at most 128 KiB. */
export const MAX_PDU_SEND_CAP = 128 * 1024;

/**
 * The largest P-DATA-TF PDU-length we send: min(peer's maximum, 128 KiB). A peer's 0 means
 * "no limit" (PS3.8 D.1), i.e. our cap; a missing Maximum Length sub-item is read the same way.
 */
export function maxPduToSend(peerMaxLength: number | undefined, cap = MAX_PDU_SEND_CAP): number {
  if (peerMaxLength === undefined || peerMaxLength === 0) return cap;
  return Math.min(peerMaxLength, cap);
}

export interface AcceptedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
}

export interface RejectedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly result: number;
  /** PS3.8 Table 9-18's name, or 'not-answered' when the AC left the context out. */
  readonly reason: Exclude<ContextResultName, 'acceptance'> | 'not-answered' | 'reserved';
  readonly text: string;
}

export interface RoleAnswer {
  readonly sopClassUid: string;
  readonly scuRole: number;
  readonly scpRole: number;
}

export interface Negotiated {
  /** Accepted contexts in proposal order. */
  readonly accepted: readonly AcceptedContext[];
  readonly rejected: readonly RejectedContext[];
  /** Accepted contexts grouped by abstract syntax (one abstract syntax may have several). */
  readonly byAbstractSyntax: ReadonlyMap<string, readonly AcceptedContext[]>;
  readonly byId: ReadonlyMap<number, AcceptedContext>;
  /** What the peer announced (0 = unlimited, undefined = not announced). */
  readonly peerMaxPduLength: number | undefined;
  /** What we may send: see maxPduToSend(). */
  readonly maxPduToSend: number;
  readonly peerImplementationClassUid: string | undefined;
  readonly peerImplementationVersionName: string | undefined;
  readonly roles: readonly RoleAnswer[];
}

/**
 * Matches the AC against our RQ. Throws AcseError when the AC is inconsistent with what we
 * proposed (a context ID or transfer syntax we never offered): an association built on such
 * an answer cannot be trusted, so the caller aborts.
 */
export function negotiateAsRequestor(rq: AssociateRqPdu, ac: AssociateAcPdu, cap = MAX_PDU_SEND_CAP): Negotiated {
  if (ac.applicationContext !== rq.applicationContext && ac.applicationContext !== DICOM_APPLICATION_CONTEXT) {
    throw new AcseError('ACSE_APPLICATION_CONTEXT', `peer answered application context ${ac.applicationContext}, we proposed ${rq.applicationContext}`);
  }
  const proposed = new Map(rq.presentationContexts.map((pc) => [pc.id, pc]));
  const answers = new Map<number, (typeof ac.presentationContexts)[number]>();
  for (const a of ac.presentationContexts) {
    if (!proposed.has(a.id)) throw new AcseError('ACSE_UNKNOWN_CONTEXT', `peer answered presentation context ${a.id}, which we did not propose`);
    if (answers.has(a.id)) throw new AcseError('ACSE_DUPLICATE_CONTEXT', `peer answered presentation context ${a.id} twice`);
    answers.set(a.id, a);
  }
  const accepted: AcceptedContext[] = [];
  const rejected: RejectedContext[] = [];
  for (const pc of rq.presentationContexts) {
    const a = answers.get(pc.id);
    if (a === undefined) {
      // PS3.8 §9.3.3.2 wants every proposed context answered; one left out cannot be used.
      rejected.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, result: -1, reason: 'not-answered', text: 'not answered in the A-ASSOCIATE-AC' });
      continue;
    }
    if (a.result === 0) {
      if (a.transferSyntax === undefined || a.transferSyntax === '') {
        throw new AcseError('ACSE_NO_TRANSFER_SYNTAX', `peer accepted presentation context ${pc.id} without a transfer syntax`);
      }
      if (!pc.transferSyntaxes.includes(a.transferSyntax)) {
        throw new AcseError('ACSE_TRANSFER_SYNTAX_NOT_PROPOSED', `peer accepted presentation context ${pc.id} with ${a.transferSyntax}, which we did not propose for it`);
      }
      accepted.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: a.transferSyntax });
    } else {
      const name = CONTEXT_RESULT_NAME[a.result];
      const reason = name === undefined || name === 'acceptance' ? 'reserved' : name;
      const text = reason === 'reserved' ? `result ${a.result} (reserved)` : CONTEXT_RESULT_TEXT[reason];
      rejected.push({ id: pc.id, abstractSyntax: pc.abstractSyntax, result: a.result, reason, text });
    }
  }
  const byAbstractSyntax = new Map<string, AcceptedContext[]>();
  for (const c of accepted) {
    const list = byAbstractSyntax.get(c.abstractSyntax) ?? [];
    list.push(c);
    byAbstractSyntax.set(c.abstractSyntax, list);
  }
  const peerMaxPduLength = findSubItem(ac.userInformation, 'maximum-length')?.maxLength;
  return {
    accepted,
    rejected,
    byAbstractSyntax,
    byId: new Map(accepted.map((c) => [c.id, c])),
    peerMaxPduLength,
    maxPduToSend: maxPduToSend(peerMaxPduLength, cap),
    peerImplementationClassUid: findSubItem(ac.userInformation, 'implementation-class-uid')?.uid,
    peerImplementationVersionName: findSubItem(ac.userInformation, 'implementation-version-name')?.name,
    roles: filterSubItems(ac.userInformation, 'role-selection').map(({ sopClassUid, scuRole, scpRole }) => ({ sopClassUid, scuRole, scpRole })),
  };
}

/**
 * The accepted context to send an object of `abstractSyntax` on: the first whose transfer
 * syntax appears in `preferred` (in that order), else the first accepted one for the abstract
 * syntax (the sender then converts, conformance §2), else undefined.
 */
export function chooseContext(n: Negotiated, abstractSyntax: string, preferred: readonly string[] = []): AcceptedContext | undefined {
  const list = n.byAbstractSyntax.get(abstractSyntax);
  if (list === undefined || list.length === 0) return undefined;
  for (const ts of preferred) {
    const hit = list.find((c) => c.transferSyntax === ts);
    if (hit !== undefined) return hit;
  }
  return list[0];
}
