/**
 * Conformance §8, as the one table the listener negotiates with and the conformance statement
 * prints: the SOP classes the cart serves, with the transfer syntaxes it accepts for each and
 * the roles an association requestor may take (SCP/SCU role selection, PS3.7 D.3.3.4).
 */
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_LOSSLESS_SV1 } from '../../../dicom/encoding/index.js';
import { CART_STORAGE_CLASSES, VERIFICATION_SOP_CLASS } from '../scu/services.js';

import { STORAGE_COMMITMENT_PUSH_SOP_CLASS } from '../../../dicom/iod/index.js';

/** The cart's services; the simulated hospital serves others (worklist, mpps, storage-commitment) with the same listener. */
export type ServedService = 'verification' | 'storage' | 'storage-commitment-report' | (string & {});

export interface ServedSopClass {
  readonly uid: string;
  readonly name: string;
  readonly service: ServedService;
  /** What we accept, in the order we prefer when a context proposes several. */
  readonly transferSyntaxes: readonly string[];
  /**
   * The roles the requestor may take. Storage commitment: the archive opens a new association
   * to deliver the N-EVENT-REPORT, proposing itself as SCP (conformance §8).
   */
  readonly requestorRoles: { readonly scu: boolean; readonly scp: boolean };
}

/** Conformance §8: "the five of §2, files kept as received". */
const STORAGE_ACCEPTED: readonly string[] = [EXPLICIT_VR_LE, IMPLICIT_VR_LE, EXPLICIT_VR_BE, JPEG_BASELINE, JPEG_LOSSLESS_SV1];

export const SCP_ACCEPTANCE: readonly ServedSopClass[] = [
  {
    uid: VERIFICATION_SOP_CLASS,
    name: 'Verification',
    service: 'verification',
    transferSyntaxes: [IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE],
    requestorRoles: { scu: true, scp: false },
  },
  ...CART_STORAGE_CLASSES.map(
    (c): ServedSopClass => ({ uid: c.uid, name: c.name, service: 'storage', transferSyntaxes: STORAGE_ACCEPTED, requestorRoles: { scu: true, scp: false } }),
  ),
  {
    uid: STORAGE_COMMITMENT_PUSH_SOP_CLASS,
    name: 'Storage Commitment Push Model',
    service: 'storage-commitment-report',
    transferSyntaxes: [IMPLICIT_VR_LE, EXPLICIT_VR_LE],
    requestorRoles: { scu: false, scp: true },
  },
];
