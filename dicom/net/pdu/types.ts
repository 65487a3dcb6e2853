import { DicomError } from '../../core/errors.js';

/**
 * The PDUs of the DICOM Upper Layer protocol (PS3.8 §9.3) and the sub-items of the
 * A-ASSOCIATE user information item (PS3.8 Annex D, PS3.7 Annex D.3.3), as one discriminated
 * union each. Decoding (decode.ts) and encoding (encode.ts) live in separate modules; these
 * are just the shapes.
 *
 * Round-trip rule: for a valid PDU, encodePdu(decodePdu(bytes)) reproduces the bytes. What a
 * valid PDU may vary (order of user information sub-items, repeated sub-items, an AC context
 * without its transfer syntax sub-item, leading spaces in AE titles) is therefore kept.
 * Reserved fields are written as zeros (PS3.8: "sent with a value 00H but not tested").
 */

/** PDU type byte (PS3.8 Table 9-11 … 9-26). */
export const PDU_TYPE = {
  A_ASSOCIATE_RQ: 0x01,
  A_ASSOCIATE_AC: 0x02,
  A_ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  A_RELEASE_RQ: 0x05,
  A_RELEASE_RP: 0x06,
  A_ABORT: 0x07,
} as const;

/** Item type byte of the A-ASSOCIATE variable items (PS3.8 §9.3.2, §9.3.3). */
export const ITEM_TYPE = {
  APPLICATION_CONTEXT: 0x10,
  PRESENTATION_CONTEXT_RQ: 0x20,
  PRESENTATION_CONTEXT_AC: 0x21,
  ABSTRACT_SYNTAX: 0x30,
  TRANSFER_SYNTAX: 0x40,
  USER_INFORMATION: 0x50,
  MAXIMUM_LENGTH: 0x51,
  IMPLEMENTATION_CLASS_UID: 0x52,
  ASYNCHRONOUS_OPERATIONS_WINDOW: 0x53,
  SCP_SCU_ROLE_SELECTION: 0x54,
  IMPLEMENTATION_VERSION_NAME: 0x55,
  SOP_CLASS_EXTENDED_NEGOTIATION: 0x56,
  SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: 0x57,
  USER_IDENTITY_RQ: 0x58,
  USER_IDENTITY_AC: 0x59,
} as const;

/** The 6-byte PDU header: type, reserved, 32-bit big-endian length of what follows. */
export const PDU_HEADER_LENGTH = 6;

/** Protocol version 1 is bit 0 of the 16-bit field (PS3.8 §9.3.2). */
export const PROTOCOL_VERSION_1 = 0x0001;

// ---------------------------------------------------------------------------------------------
// User information sub-items (item 0x50)

/** 0x51: the largest PDU-length of a P-DATA-TF the sender can receive; 0 = no limit (PS3.8 D.1). */
export interface MaximumLengthItem {
  readonly type: 'maximum-length';
  readonly maxLength: number;
}

/** 0x52 (PS3.7 D.3.3.2). */
export interface ImplementationClassUidItem {
  readonly type: 'implementation-class-uid';
  readonly uid: string;
}

/** 0x53 (PS3.7 D.3.3.3); 0 means unlimited. */
export interface AsynchronousOperationsWindowItem {
  readonly type: 'asynchronous-operations-window';
  readonly maxOperationsInvoked: number;
  readonly maxOperationsPerformed: number;
}

/** 0x54 (PS3.7 D.3.3.4). In an RQ 1 = proposes the role; in an AC 1 = accepts it. */
export interface RoleSelectionItem {
  readonly type: 'role-selection';
  readonly sopClassUid: string;
  readonly scuRole: number;
  readonly scpRole: number;
}

/** 0x55 (PS3.7 D.3.3.2): 1–16 characters of the default repertoire. */
export interface ImplementationVersionNameItem {
  readonly type: 'implementation-version-name';
  readonly name: string;
}

/** 0x56 (PS3.7 D.3.3.5): service-class-specific bytes, kept as they are. */
export interface SopClassExtendedNegotiationItem {
  readonly type: 'sop-class-extended-negotiation';
  readonly sopClassUid: string;
  readonly serviceClassApplicationInformation: Uint8Array;
}

/** 0x57 (PS3.7 D.3.3.6). Only an RQ carries it. */
export interface SopClassCommonExtendedNegotiationItem {
  readonly type: 'sop-class-common-extended-negotiation';
  /** Byte 2 of the item, "sub-item version", 0 in the current standard. */
  readonly subItemVersion: number;
  readonly sopClassUid: string;
  readonly serviceClassUid: string;
  readonly relatedGeneralSopClassUids: readonly string[];
}

/** User Identity Type of item 0x58 (PS3.7 D.3.3.7.1). */
export const USER_IDENTITY_TYPE = {
  USERNAME: 1,
  USERNAME_AND_PASSCODE: 2,
  KERBEROS: 3,
  SAML: 4,
  JWT: 5,
} as const;

/** 0x58 (PS3.7 D.3.3.7.1). The fields are bytes: Kerberos tickets and SAML are not text. */
export interface UserIdentityRqItem {
  readonly type: 'user-identity-rq';
  readonly identityType: number;
  readonly positiveResponseRequested: boolean;
  readonly primaryField: Uint8Array;
  readonly secondaryField: Uint8Array;
}

/** 0x59 (PS3.7 D.3.3.7.2). */
export interface UserIdentityAcItem {
  readonly type: 'user-identity-ac';
  readonly serverResponse: Uint8Array;
}

/** Any sub-item we do not know, kept byte-exact so that it can be logged or echoed. */
export interface UnknownSubItem {
  readonly type: 'unknown';
  readonly itemType: number;
  readonly value: Uint8Array;
}

export type UserInformationSubItem =
  | MaximumLengthItem
  | ImplementationClassUidItem
  | AsynchronousOperationsWindowItem
  | RoleSelectionItem
  | ImplementationVersionNameItem
  | SopClassExtendedNegotiationItem
  | SopClassCommonExtendedNegotiationItem
  | UserIdentityRqItem
  | UserIdentityAcItem
  | UnknownSubItem;

// ---------------------------------------------------------------------------------------------
// Presentation context items

/** Item 0x20 (PS3.8 §9.3.2.2): one abstract syntax, one or more transfer syntaxes. */
export interface PresentationContextRq {
  /** Odd, 1–255 (PS3.8 §9.3.2.2). */
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

/** Result/reason of item 0x21 (PS3.8 Table 9-18). */
export const PRESENTATION_CONTEXT_RESULT = {
  ACCEPTANCE: 0,
  USER_REJECTION: 1,
  NO_REASON: 2,
  ABSTRACT_SYNTAX_NOT_SUPPORTED: 3,
  TRANSFER_SYNTAXES_NOT_SUPPORTED: 4,
} as const;

/** Item 0x21 (PS3.8 §9.3.3.2). */
export interface PresentationContextAc {
  readonly id: number;
  readonly result: number;
  /**
   * The accepted transfer syntax. When the context is rejected the standard says the sub-item
   * is present but not significant; some peers omit it (undefined) or send it empty ('').
   */
  readonly transferSyntax: string | undefined;
}

/** A variable item of an A-ASSOCIATE PDU that we do not recognise, kept byte-exact. */
export interface UnknownItem {
  readonly itemType: number;
  readonly value: Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// PDUs

interface AssociateCommon {
  readonly protocolVersion: number;
  /**
   * The 16-byte field without its trailing spaces. Leading spaces are not significant either
   * (PS3.8 §9.3.2) but are kept so the PDU re-encodes exactly; compare with aeTitlesEqual().
   */
  readonly calledAeTitle: string;
  readonly callingAeTitle: string;
  readonly applicationContext: string;
  /** Sub-items in wire order; undefined when the PDU had no user information item. */
  readonly userInformation: readonly UserInformationSubItem[] | undefined;
  /** Unrecognised variable items; PS3.8 §9.3.1 says to skip them. Re-encoded at the end. */
  readonly unknownItems: readonly UnknownItem[];
}

export interface AssociateRqPdu extends AssociateCommon {
  readonly type: 'A-ASSOCIATE-RQ';
  readonly presentationContexts: readonly PresentationContextRq[];
}

export interface AssociateAcPdu extends AssociateCommon {
  readonly type: 'A-ASSOCIATE-AC';
  readonly presentationContexts: readonly PresentationContextAc[];
}

/** PS3.8 §9.3.4. Result: 1 rejected-permanent, 2 rejected-transient. */
export interface AssociateRjPdu {
  readonly type: 'A-ASSOCIATE-RJ';
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** One Presentation Data Value item (PS3.8 §9.3.5.1 and Annex E.2). */
export interface Pdv {
  readonly contextId: number;
  /** Message control header bit 0: the fragment is command information (else data set). */
  readonly command: boolean;
  /** Message control header bit 1: last fragment of the command or data set. */
  readonly last: boolean;
  readonly data: Uint8Array;
}

export interface PDataTfPdu {
  readonly type: 'P-DATA-TF';
  readonly pdvs: readonly Pdv[];
}

export interface ReleaseRqPdu {
  readonly type: 'A-RELEASE-RQ';
}

export interface ReleaseRpPdu {
  readonly type: 'A-RELEASE-RP';
}

/** PS3.8 §9.3.8. Source 0 service-user, 2 service-provider; reason significant for 2 only. */
export interface AbortPdu {
  readonly type: 'A-ABORT';
  readonly source: number;
  readonly reason: number;
}

/** A PDU whose type byte PS3.8 does not define: kept whole so that it can be logged. */
export interface UnknownPdu {
  readonly type: 'unknown';
  readonly pduType: number;
  readonly body: Uint8Array;
}

export type Pdu =
  | AssociateRqPdu
  | AssociateAcPdu
  | AssociateRjPdu
  | PDataTfPdu
  | ReleaseRqPdu
  | ReleaseRpPdu
  | AbortPdu
  | UnknownPdu;

export type PduKind = Pdu['type'];

/** The PDU type byte of a decoded PDU. */
export function pduTypeCode(pdu: Pdu): number {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
      return PDU_TYPE.A_ASSOCIATE_RQ;
    case 'A-ASSOCIATE-AC':
      return PDU_TYPE.A_ASSOCIATE_AC;
    case 'A-ASSOCIATE-RJ':
      return PDU_TYPE.A_ASSOCIATE_RJ;
    case 'P-DATA-TF':
      return PDU_TYPE.P_DATA_TF;
    case 'A-RELEASE-RQ':
      return PDU_TYPE.A_RELEASE_RQ;
    case 'A-RELEASE-RP':
      return PDU_TYPE.A_RELEASE_RP;
    case 'A-ABORT':
      return PDU_TYPE.A_ABORT;
    case 'unknown':
      return pdu.pduType;
    default:
      return assertNever(pdu);
  }
}

export function assertNever(x: never): never {
  throw new DicomError('INTERNAL_UNREACHABLE', `unexpected value ${JSON.stringify(x)}`);
}

// ---------------------------------------------------------------------------------------------
// Small lookups over user information, so callers need not scan the list themselves.

export function findSubItem<T extends UserInformationSubItem['type']>(
  items: readonly UserInformationSubItem[] | undefined,
  type: T,
): Extract<UserInformationSubItem, { type: T }> | undefined {
  return items?.find((i) => i.type === type) as Extract<UserInformationSubItem, { type: T }> | undefined;
}

export function filterSubItems<T extends UserInformationSubItem['type']>(
  items: readonly UserInformationSubItem[] | undefined,
  type: T,
): Extract<UserInformationSubItem, { type: T }>[] {
  return (items ?? []).filter((i) => i.type === type) as Extract<UserInformationSubItem, { type: T }>[];
}
