/**
 * The requestor's side of association establishment: building the A-ASSOCIATE-RQ.
 */
import { DicomError } from '../../core/errors.js';
import { aeTitleProblem } from '../pdu/ae-title.js';
import { PROTOCOL_VERSION_1, type AssociateRqPdu, type PresentationContextRq, type UserInformationSubItem } from '../pdu/types.js';

/** PS3.7 Annex A.2.1: the one application context name DICOM defines. */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Context IDs are odd numbers 1–255 (PS3.8 §9.3.2.2), so at most 128 contexts. */
export const MAX_PRESENTATION_CONTEXTS = 128;

export interface ContextProposal {
  readonly abstractSyntax: string;
  /** In order of preference; PS3.8 lets the acceptor pick any of them. */
  readonly transferSyntaxes: readonly string[];
}

/** Error codes of this layer are prefixed ACSE_. */
export class AcseError extends DicomError {
  override readonly name = 'AcseError';
}

/** Numbers proposals as presentation contexts 1, 3, 5 … in the given order. */
export function proposeContexts(proposals: readonly ContextProposal[]): PresentationContextRq[] {
  if (proposals.length === 0) throw new AcseError('ACSE_NO_CONTEXTS', 'an A-ASSOCIATE-RQ needs at least one presentation context');
  if (proposals.length > MAX_PRESENTATION_CONTEXTS) {
    throw new AcseError('ACSE_TOO_MANY_CONTEXTS', `${proposals.length} presentation contexts proposed; at most ${MAX_PRESENTATION_CONTEXTS} fit in odd IDs 1–255`);
  }
  return proposals.map((p, i) => {
    if (p.transferSyntaxes.length === 0) {
      throw new AcseError('ACSE_NO_TRANSFER_SYNTAX', `proposal for ${p.abstractSyntax} has no transfer syntax`);
    }
    return { id: 2 * i + 1, abstractSyntax: p.abstractSyntax, transferSyntaxes: [...p.transferSyntaxes] };
  });
}

export interface AssociateRequestOptions {
  readonly callingAeTitle: string;
  readonly calledAeTitle: string;
  readonly proposals: readonly ContextProposal[];
  /** The largest P-DATA-TF PDU-length we accept (conformance §1: 64 KiB, never 0). */
  readonly maxPduLength: number;
  readonly implementationClassUid: string;
  readonly implementationVersionName?: string;
  /** Extra user information sub-items (role selection, user identity …), after ours. */
  readonly extraUserInformation?: readonly UserInformationSubItem[];
}

export function buildAssociateRq(o: AssociateRequestOptions): AssociateRqPdu {
  for (const [what, t] of [['calling', o.callingAeTitle], ['called', o.calledAeTitle]] as const) {
    const problem = aeTitleProblem(t);
    if (problem !== undefined) throw new AcseError('ACSE_AE_TITLE', `${what} AE title ${JSON.stringify(t)} ${problem}`);
  }
  const userInformation: UserInformationSubItem[] = [
    { type: 'maximum-length', maxLength: o.maxPduLength },
    { type: 'implementation-class-uid', uid: o.implementationClassUid },
  ];
  if (o.implementationVersionName !== undefined) {
    userInformation.push({ type: 'implementation-version-name', name: o.implementationVersionName });
  }
  userInformation.push(...(o.extraUserInformation ?? []));
  return {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: PROTOCOL_VERSION_1,
    calledAeTitle: o.calledAeTitle,
    callingAeTitle: o.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: proposeContexts(o.proposals),
    userInformation,
    unknownItems: [],
  };
}
