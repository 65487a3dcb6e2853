/**
 * PDU bytes → Pdu (PS3.8 §9.3). One function per PDU and per item, each reading through a
 * bounds-checked PduReader so that a length running past its container is a typed PduError
 * carrying the offset, never an out-of-range read.
 *
 * Values that are views: P-DATA-TF PDV data, unknown items and byte fields are subarrays of
 * the input (no copy; a 128 KiB PDV is not duplicated). Callers that recycle input buffers
 * must copy.
 */
import { aeTitleProblem } from './ae-title.js';
import { PduError } from './errors.js';
import { PduReader } from './reader.js';
import {
  ITEM_TYPE,
  PDU_HEADER_LENGTH,
  PDU_TYPE,
  type AssociateAcPdu,
  type AssociateRqPdu,
  type Pdu,
  type Pdv,
  type PresentationContextAc,
  type PresentationContextRq,
  type UnknownItem,
  type UserInformationSubItem,
} from './types.js';

/** Fixed part of A-ASSOCIATE-RQ/AC after the header: version, reserved, 2 AE titles, 32 reserved. */
const ASSOCIATE_FIXED_LENGTH = 2 + 2 + 16 + 16 + 32;

/**
 * Decodes one whole PDU (header included). `bytes` must hold exactly one PDU: the framer
 * (framer.ts) cuts a stream into such pieces.
 */
export function decodePdu(bytes: Uint8Array): Pdu {
  if (bytes.length < PDU_HEADER_LENGTH) {
    throw new PduError('PDU_TRUNCATED', `PDU header needs ${PDU_HEADER_LENGTH} bytes, got ${bytes.length}`, bytes.length, bytes[0]);
  }
  const type = bytes[0]!;
  const r = new PduReader(bytes, type, 2);
  const length = r.u32('PDU-length');
  const declaredEnd = PDU_HEADER_LENGTH + length;
  if (declaredEnd > bytes.length) {
    r.fail('PDU_TRUNCATED', `PDU-length ${length} needs ${declaredEnd} bytes, got ${bytes.length}`, bytes.length);
  }
  if (declaredEnd < bytes.length) {
    r.fail('PDU_LENGTH_MISMATCH', `PDU-length ${length} leaves ${bytes.length - declaredEnd} bytes unused`, declaredEnd);
  }
  switch (type) {
    case PDU_TYPE.A_ASSOCIATE_RQ:
      return decodeAssociate(r, 'A-ASSOCIATE-RQ');
    case PDU_TYPE.A_ASSOCIATE_AC:
      return decodeAssociate(r, 'A-ASSOCIATE-AC');
    case PDU_TYPE.A_ASSOCIATE_RJ: {
      fixedLength(r, 4, 'A-ASSOCIATE-RJ');
      r.skip(1, 'reserved');
      return { type: 'A-ASSOCIATE-RJ', result: r.u8('Result'), source: r.u8('Source'), reason: r.u8('Reason/Diag.') };
    }
    case PDU_TYPE.P_DATA_TF:
      return { type: 'P-DATA-TF', pdvs: decodePdvs(r) };
    case PDU_TYPE.A_RELEASE_RQ:
      fixedLength(r, 4, 'A-RELEASE-RQ');
      return { type: 'A-RELEASE-RQ' };
    case PDU_TYPE.A_RELEASE_RP:
      fixedLength(r, 4, 'A-RELEASE-RP');
      return { type: 'A-RELEASE-RP' };
    case PDU_TYPE.A_ABORT: {
      fixedLength(r, 4, 'A-ABORT');
      r.skip(2, 'reserved');
      return { type: 'A-ABORT', source: r.u8('Source'), reason: r.u8('Reason/Diag.') };
    }
    default:
      return { type: 'unknown', pduType: type, body: bytes.subarray(PDU_HEADER_LENGTH) };
  }
}

function fixedLength(r: PduReader, n: number, what: string): void {
  if (r.remaining !== n) r.fail('PDU_ITEM_LENGTH', `${what} PDU-length must be ${n}, is ${r.remaining}`, 2);
}

/**
 * UIDs in PDUs "shall not be padded" (PS3.8 Annex F), yet some peers pad them with a NUL or a
 * space the way PS3.5 pads UI values. The padding is dropped so that a UID compares equal to
 * the same UID elsewhere; such a PDU re-encodes without it.
 */
function uid(r: PduReader, n: number, what: string): string {
  return r.ascii(n, what).replace(/[\0 ]+$/, '');
}

function decodeAssociate(r: PduReader, type: 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC'): AssociateRqPdu | AssociateAcPdu {
  const isRq = type === 'A-ASSOCIATE-RQ';
  r.need(ASSOCIATE_FIXED_LENGTH, `${type} fixed fields`);
  const versionAt = r.pos;
  const protocolVersion = r.u16('Protocol-version');
  // PS3.8 §9.3.2: a receiver implementing version 1 "shall only test that bit 0 is set".
  if ((protocolVersion & 0x0001) === 0) {
    r.fail('PDU_PROTOCOL_VERSION', `protocol version 0x${protocolVersion.toString(16).padStart(4, '0')} lacks version 1 (bit 0)`, versionAt);
  }
  r.skip(2, 'reserved');
  const calledAt = r.pos;
  const calledAeTitle = r.ascii(16, 'Called-AE-title').replace(/ +$/, '');
  const callingAt = r.pos;
  const callingAeTitle = r.ascii(16, 'Calling-AE-title').replace(/ +$/, '');
  // In an AC both fields are "reserved … not tested" (PS3.8 Table 9-17): only the RQ is checked.
  if (isRq) {
    checkAeTitle(r, calledAeTitle, 'Called-AE-title', calledAt);
    checkAeTitle(r, callingAeTitle, 'Calling-AE-title', callingAt);
  }
  r.skip(32, 'reserved');

  let applicationContext: string | undefined;
  let userInformation: UserInformationSubItem[] | undefined;
  const rqContexts: PresentationContextRq[] = [];
  const acContexts: PresentationContextAc[] = [];
  const unknownItems: UnknownItem[] = [];
  while (r.remaining > 0) {
    const itemAt = r.pos;
    const itemType = r.u8('Item-type');
    r.skip(1, 'reserved');
    const itemLength = r.u16('Item-length');
    const item = subReader(r, itemLength, itemAt, `item 0x${hex2(itemType)}`);
    switch (itemType) {
      case ITEM_TYPE.APPLICATION_CONTEXT:
        if (applicationContext !== undefined) r.fail('PDU_DUPLICATE_ITEM', 'second Application Context item', itemAt);
        applicationContext = uid(item, itemLength, 'Application-context-name');
        break;
      case ITEM_TYPE.PRESENTATION_CONTEXT_RQ:
        if (isRq) rqContexts.push(decodeContextRq(item, itemAt));
        else unknownItems.push({ itemType, value: item.take(itemLength, 'item') });
        break;
      case ITEM_TYPE.PRESENTATION_CONTEXT_AC:
        if (!isRq) acContexts.push(decodeContextAc(item));
        else unknownItems.push({ itemType, value: item.take(itemLength, 'item') });
        break;
      case ITEM_TYPE.USER_INFORMATION:
        if (userInformation !== undefined) r.fail('PDU_DUPLICATE_ITEM', 'second User Information item', itemAt);
        userInformation = decodeUserInformation(item);
        break;
      default:
        // PS3.8 §9.3.1: items of unrecognised type are skipped. Kept for logs and re-encoding.
        unknownItems.push({ itemType, value: item.take(itemLength, 'item') });
    }
  }
  if (applicationContext === undefined) r.fail('PDU_MISSING_ITEM', `${type} has no Application Context item`, PDU_HEADER_LENGTH);
  if (isRq && rqContexts.length === 0) r.fail('PDU_MISSING_ITEM', `${type} has no Presentation Context item`, PDU_HEADER_LENGTH);
  const common = { protocolVersion, calledAeTitle, callingAeTitle, applicationContext, userInformation, unknownItems };
  return isRq
    ? { type: 'A-ASSOCIATE-RQ', ...common, presentationContexts: rqContexts }
    : { type: 'A-ASSOCIATE-AC', ...common, presentationContexts: acContexts };
}

function checkAeTitle(r: PduReader, title: string, what: string, at: number): void {
  // The field was stripped of trailing spaces, so "" means 16 spaces on the wire.
  const problem = title === '' ? 'is all spaces' : aeTitleProblem(title);
  if (problem !== undefined) r.fail('PDU_AE_TITLE', `${what} ${JSON.stringify(title)} ${problem}`, at);
}

/** A reader limited to the `length` bytes of one item, advancing the parent past them. */
function subReader(r: PduReader, length: number, itemAt: number, what: string): PduReader {
  if (r.pos + length > r.end) {
    r.fail('PDU_ITEM_OVERRUN', `${what} length ${length} runs ${r.pos + length - r.end} bytes past its container`, itemAt);
  }
  const sub = new PduReader(r.bytes, r.pduType, r.pos, r.pos + length);
  r.pos += length;
  return sub;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function contextId(r: PduReader): number {
  const at = r.pos;
  const id = r.u8('Presentation-context-ID');
  // PS3.8 §9.3.2.2: odd integers between 1 and 255.
  if ((id & 1) === 0) r.fail('PDU_BAD_VALUE', `presentation context ID ${id} is not odd`, at);
  return id;
}

function decodeContextRq(r: PduReader, itemAt: number): PresentationContextRq {
  const id = contextId(r);
  r.skip(3, 'reserved');
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  while (r.remaining > 0) {
    const subAt = r.pos;
    const subType = r.u8('Item-type');
    r.skip(1, 'reserved');
    const len = r.u16('Item-length');
    const sub = subReader(r, len, subAt, `sub-item 0x${hex2(subType)}`);
    if (subType === ITEM_TYPE.ABSTRACT_SYNTAX) {
      if (abstractSyntax !== undefined) r.fail('PDU_DUPLICATE_ITEM', `presentation context ${id} has a second Abstract Syntax`, subAt);
      abstractSyntax = uid(sub, len, 'Abstract-syntax-name');
    } else if (subType === ITEM_TYPE.TRANSFER_SYNTAX) {
      transferSyntaxes.push(uid(sub, len, 'Transfer-syntax-name'));
    }
    // Other sub-item types are not defined inside a presentation context and are skipped.
  }
  if (abstractSyntax === undefined) r.fail('PDU_MISSING_ITEM', `presentation context ${id} has no Abstract Syntax`, itemAt);
  if (transferSyntaxes.length === 0) r.fail('PDU_MISSING_ITEM', `presentation context ${id} has no Transfer Syntax`, itemAt);
  return { id, abstractSyntax, transferSyntaxes };
}

function decodeContextAc(r: PduReader): PresentationContextAc {
  const id = contextId(r);
  r.skip(1, 'reserved');
  const result = r.u8('Result/Reason');
  r.skip(1, 'reserved');
  let transferSyntax: string | undefined;
  while (r.remaining > 0) {
    const subAt = r.pos;
    const subType = r.u8('Item-type');
    r.skip(1, 'reserved');
    const len = r.u16('Item-length');
    const sub = subReader(r, len, subAt, `sub-item 0x${hex2(subType)}`);
    if (subType === ITEM_TYPE.TRANSFER_SYNTAX) {
      if (transferSyntax !== undefined) r.fail('PDU_DUPLICATE_ITEM', `accepted presentation context ${id} has a second Transfer Syntax`, subAt);
      transferSyntax = uid(sub, len, 'Transfer-syntax-name');
    }
  }
  return { id, result, transferSyntax };
}

function decodeUserInformation(r: PduReader): UserInformationSubItem[] {
  const out: UserInformationSubItem[] = [];
  while (r.remaining > 0) {
    const at = r.pos;
    const type = r.u8('Item-type');
    const byte2 = r.u8('reserved');
    const len = r.u16('Item-length');
    const s = subReader(r, len, at, `user information sub-item 0x${hex2(type)}`);
    out.push(decodeSubItem(s, type, byte2, len, at));
    if (s.remaining !== 0) s.fail('PDU_ITEM_LENGTH', `sub-item 0x${hex2(type)} has ${s.remaining} bytes past its fields`, at);
  }
  return out;
}

function exact(r: PduReader, len: number, n: number, what: string, at: number): void {
  if (len !== n) r.fail('PDU_ITEM_LENGTH', `${what} Item-length must be ${n}, is ${len}`, at);
}

/** A 16-bit length followed by that many bytes, checked against the sub-item's own end. */
function lengthPrefixed(r: PduReader, what: string): Uint8Array {
  const len = r.u16(`${what}-length`);
  return r.take(len, what, 'PDU_ITEM_OVERRUN');
}

function lengthPrefixedUid(r: PduReader, what: string): string {
  const len = r.u16(`${what}-length`);
  r.need(len, what, 'PDU_ITEM_OVERRUN');
  return uid(r, len, what);
}

function decodeSubItem(r: PduReader, type: number, byte2: number, len: number, at: number): UserInformationSubItem {
  switch (type) {
    case ITEM_TYPE.MAXIMUM_LENGTH:
      exact(r, len, 4, 'Maximum Length', at);
      return { type: 'maximum-length', maxLength: r.u32('Maximum-length-received') };
    case ITEM_TYPE.IMPLEMENTATION_CLASS_UID:
      return { type: 'implementation-class-uid', uid: uid(r, len, 'Implementation-class-uid') };
    case ITEM_TYPE.ASYNCHRONOUS_OPERATIONS_WINDOW:
      exact(r, len, 4, 'Asynchronous Operations Window', at);
      return {
        type: 'asynchronous-operations-window',
        maxOperationsInvoked: r.u16('Maximum-number-operations-invoked'),
        maxOperationsPerformed: r.u16('Maximum-number-operations-performed'),
      };
    case ITEM_TYPE.SCP_SCU_ROLE_SELECTION: {
      const sopClassUid = lengthPrefixedUid(r, 'SOP-class-uid');
      return { type: 'role-selection', sopClassUid, scuRole: r.u8('SCU-role'), scpRole: r.u8('SCP-role') };
    }
    case ITEM_TYPE.IMPLEMENTATION_VERSION_NAME:
      return { type: 'implementation-version-name', name: r.ascii(len, 'Implementation-version-name') };
    case ITEM_TYPE.SOP_CLASS_EXTENDED_NEGOTIATION: {
      const sopClassUid = lengthPrefixedUid(r, 'SOP-class-uid');
      return {
        type: 'sop-class-extended-negotiation',
        sopClassUid,
        serviceClassApplicationInformation: r.take(r.remaining, 'Service-class-application-information'),
      };
    }
    case ITEM_TYPE.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: {
      const sopClassUid = lengthPrefixedUid(r, 'SOP-class-uid');
      const serviceClassUid = lengthPrefixedUid(r, 'Service-class-uid');
      const relLen = r.u16('Related-general-sop-class-identification-length');
      const relAt = r.pos;
      if (relLen > r.remaining) r.fail('PDU_ITEM_OVERRUN', `related general SOP class list length ${relLen} runs past the sub-item`, relAt - 2);
      const rel = new PduReader(r.bytes, r.pduType, r.pos, r.pos + relLen);
      r.pos += relLen;
      const relatedGeneralSopClassUids: string[] = [];
      while (rel.remaining > 0) relatedGeneralSopClassUids.push(lengthPrefixedUid(rel, 'Related-general-sop-class-uid'));
      return { type: 'sop-class-common-extended-negotiation', subItemVersion: byte2, sopClassUid, serviceClassUid, relatedGeneralSopClassUids };
    }
    case ITEM_TYPE.USER_IDENTITY_RQ: {
      const identityType = r.u8('User-Identity-Type');
      const positiveResponseRequested = r.u8('Positive-response-requested') === 1;
      const primaryField = lengthPrefixed(r, 'Primary-field');
      const secondaryField = lengthPrefixed(r, 'Secondary-field');
      return { type: 'user-identity-rq', identityType, positiveResponseRequested, primaryField, secondaryField };
    }
    case ITEM_TYPE.USER_IDENTITY_AC:
      return { type: 'user-identity-ac', serverResponse: lengthPrefixed(r, 'Server-response') };
    default:
      return { type: 'unknown', itemType: type, value: r.take(len, 'sub-item') };
  }
}

function decodePdvs(r: PduReader): Pdv[] {
  const pdvs: Pdv[] = [];
  while (r.remaining > 0) {
    const at = r.pos;
    const len = r.u32('PDV Item-length');
    if (len < 2) r.fail('PDU_BAD_VALUE', `PDV Item-length ${len} is below 2 (context ID and message control header)`, at);
    const pdv = subReader(r, len, at, 'PDV item');
    const contextIdAt = pdv.pos;
    const contextId = pdv.u8('Presentation-context-ID');
    if ((contextId & 1) === 0) pdv.fail('PDU_BAD_VALUE', `PDV presentation context ID ${contextId} is not odd`, contextIdAt);
    const header = pdv.u8('Message Control Header');
    pdvs.push({ contextId, command: (header & 0x01) !== 0, last: (header & 0x02) !== 0, data: pdv.take(len - 2, 'PDV data') });
  }
  if (pdvs.length === 0) r.fail('PDU_MISSING_ITEM', 'P-DATA-TF has no PDV item', PDU_HEADER_LENGTH);
  return pdvs;
}
