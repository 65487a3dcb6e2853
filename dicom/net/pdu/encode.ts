/**
 * Pdu → bytes (PS3.8 §9.3), the inverse of decode.ts. Lengths are computed from what is
 * written, never taken from the object, so an edited PDU is always self-consistent.
 * Reserved fields are zero. An A-ASSOCIATE-RQ with an invalid AE title, or an item too long
 * for its 16-bit length field, is refused with a DicomEncodeError.
 */
import { ByteSink, asciiBytes } from '../../core/bytes.js';
import { DicomEncodeError } from '../../core/errors.js';
import { aeTitleField, aeTitleProblem } from './ae-title.js';
import {
  ITEM_TYPE,
  PDU_HEADER_LENGTH,
  PDU_TYPE,
  assertNever,
  pduTypeCode,
  type AssociateAcPdu,
  type AssociateRqPdu,
  type PDataTfPdu,
  type Pdu,
  type PresentationContextAc,
  type PresentationContextRq,
  type UserInformationSubItem,
} from './types.js';

const BE = false;

export function encodePdu(pdu: Pdu): Uint8Array {
  switch (pdu.type) {
    case 'A-ASSOCIATE-RQ':
    case 'A-ASSOCIATE-AC':
      return encodeAssociate(pdu);
    case 'A-ASSOCIATE-RJ':
      return fixed(PDU_TYPE.A_ASSOCIATE_RJ, [0, pdu.result, pdu.source, pdu.reason]);
    case 'P-DATA-TF':
      return encodePDataTf(pdu);
    case 'A-RELEASE-RQ':
      return fixed(PDU_TYPE.A_RELEASE_RQ, [0, 0, 0, 0]);
    case 'A-RELEASE-RP':
      return fixed(PDU_TYPE.A_RELEASE_RP, [0, 0, 0, 0]);
    case 'A-ABORT':
      return fixed(PDU_TYPE.A_ABORT, [0, 0, pdu.source, pdu.reason]);
    case 'unknown': {
      const out = new Uint8Array(PDU_HEADER_LENGTH + pdu.body.length);
      writeHeader(out, pdu.pduType, pdu.body.length);
      out.set(pdu.body, PDU_HEADER_LENGTH);
      return out;
    }
    default:
      return assertNever(pdu);
  }
}

function writeHeader(out: Uint8Array, type: number, length: number): void {
  out[0] = type;
  out[1] = 0;
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(2, length, BE);
}

function fixed(type: number, body: readonly number[]): Uint8Array {
  const out = new Uint8Array(PDU_HEADER_LENGTH + body.length);
  writeHeader(out, type, body.length);
  out.set(body, PDU_HEADER_LENGTH);
  return out;
}

/** Size of a P-DATA-TF on the wire; the fragmenter uses the same arithmetic. */
export function pDataTfLength(pdu: PDataTfPdu): number {
  let n = PDU_HEADER_LENGTH;
  for (const pdv of pdu.pdvs) n += 6 + pdv.data.length;
  return n;
}

/** Written into one exactly-sized buffer: P-DATA carries the bulk of every association. */
function encodePDataTf(pdu: PDataTfPdu): Uint8Array {
  const out = new Uint8Array(pDataTfLength(pdu));
  encodePDataTfInto(pdu, out, 0);
  return out;
}

/**
 * Encodes a P-DATA-TF into `out` at `offset` (which must have pDataTfLength(pdu) bytes of room)
 * and returns the offset after it. The sender packs many PDUs into one reusable write block
 * this way, with no allocation per PDU.
 */
export function encodePDataTfInto(pdu: PDataTfPdu, out: Uint8Array, offset: number): number {
  const total = pDataTfLength(pdu);
  if (out.length - offset < total) {
    throw new DicomEncodeError('PDU_BUFFER_TOO_SMALL', `P-DATA-TF of ${total} bytes does not fit in ${out.length - offset} bytes`);
  }
  // Shifts, not a DataView: no object per PDU on the bulk path.
  out[offset] = PDU_TYPE.P_DATA_TF;
  out[offset + 1] = 0;
  putU32(out, offset + 2, total - PDU_HEADER_LENGTH);
  let o = offset + PDU_HEADER_LENGTH;
  for (const pdv of pdu.pdvs) {
    putU32(out, o, pdv.data.length + 2);
    out[o + 4] = pdv.contextId;
    out[o + 5] = (pdv.command ? 0x01 : 0) | (pdv.last ? 0x02 : 0);
    out.set(pdv.data, o + 6);
    o += 6 + pdv.data.length;
  }
  return o;
}

function putU32(out: Uint8Array, o: number, v: number): void {
  out[o] = v >>> 24;
  out[o + 1] = (v >>> 16) & 0xff;
  out[o + 2] = (v >>> 8) & 0xff;
  out[o + 3] = v & 0xff;
}

/** Writes an item header with a placeholder length and returns a function that fills it in. */
function openItem(sink: ByteSink, type: number, byte2 = 0): () => void {
  sink.u8(type);
  sink.u8(byte2);
  const at = sink.length;
  sink.u16(0, BE);
  return () => {
    const len = sink.length - at - 2;
    if (len > 0xffff) {
      throw new DicomEncodeError('PDU_ITEM_TOO_LONG', `item 0x${type.toString(16)} is ${len} bytes, above the 16-bit Item-length`);
    }
    const b = sink.toBytes();
    b[at] = len >> 8;
    b[at + 1] = len & 0xff;
  };
}

function stringItem(sink: ByteSink, type: number, value: string): void {
  const close = openItem(sink, type);
  sink.ascii(value);
  close();
}

function lengthPrefixedBytes(sink: ByteSink, b: Uint8Array, what: string): void {
  if (b.length > 0xffff) throw new DicomEncodeError('PDU_ITEM_TOO_LONG', `${what} is ${b.length} bytes, above 65535`);
  sink.u16(b.length, BE);
  sink.bytes(b);
}

function lengthPrefixedAscii(sink: ByteSink, s: string, what: string): void {
  lengthPrefixedBytes(sink, asciiBytes(s), what);
}

function encodeAssociate(pdu: AssociateRqPdu | AssociateAcPdu): Uint8Array {
  if (pdu.type === 'A-ASSOCIATE-RQ') {
    for (const [what, title] of [['Called-AE-title', pdu.calledAeTitle], ['Calling-AE-title', pdu.callingAeTitle]] as const) {
      const problem = aeTitleProblem(title);
      if (problem !== undefined) throw new DicomEncodeError('PDU_AE_TITLE', `${what} ${JSON.stringify(title)} ${problem}`);
    }
  }
  const sink = new ByteSink(1024);
  sink.u8(pduTypeCode(pdu));
  sink.u8(0);
  sink.u32(0, BE); // patched below
  sink.u16(pdu.protocolVersion, BE);
  sink.u16(0, BE);
  sink.bytes(aeTitleField(pdu.calledAeTitle));
  sink.bytes(aeTitleField(pdu.callingAeTitle));
  sink.bytes(new Uint8Array(32));
  stringItem(sink, ITEM_TYPE.APPLICATION_CONTEXT, pdu.applicationContext);
  if (pdu.type === 'A-ASSOCIATE-RQ') {
    for (const pc of pdu.presentationContexts) encodeContextRq(sink, pc);
  } else {
    for (const pc of pdu.presentationContexts) encodeContextAc(sink, pc);
  }
  if (pdu.userInformation !== undefined) {
    const close = openItem(sink, ITEM_TYPE.USER_INFORMATION);
    for (const sub of pdu.userInformation) encodeSubItem(sink, sub);
    close();
  }
  for (const item of pdu.unknownItems) {
    const close = openItem(sink, item.itemType);
    sink.bytes(item.value);
    close();
  }
  sink.patchU32(2, sink.length - PDU_HEADER_LENGTH, BE);
  return sink.take();
}

function encodeContextRq(sink: ByteSink, pc: PresentationContextRq): void {
  const close = openItem(sink, ITEM_TYPE.PRESENTATION_CONTEXT_RQ);
  sink.u8(pc.id);
  sink.u8(0);
  sink.u8(0);
  sink.u8(0);
  stringItem(sink, ITEM_TYPE.ABSTRACT_SYNTAX, pc.abstractSyntax);
  for (const ts of pc.transferSyntaxes) stringItem(sink, ITEM_TYPE.TRANSFER_SYNTAX, ts);
  close();
}

function encodeContextAc(sink: ByteSink, pc: PresentationContextAc): void {
  const close = openItem(sink, ITEM_TYPE.PRESENTATION_CONTEXT_AC);
  sink.u8(pc.id);
  sink.u8(0);
  sink.u8(pc.result);
  sink.u8(0);
  if (pc.transferSyntax !== undefined) stringItem(sink, ITEM_TYPE.TRANSFER_SYNTAX, pc.transferSyntax);
  close();
}

function encodeSubItem(sink: ByteSink, sub: UserInformationSubItem): void {
  switch (sub.type) {
    case 'maximum-length': {
      const close = openItem(sink, ITEM_TYPE.MAXIMUM_LENGTH);
      sink.u32(sub.maxLength, BE);
      return close();
    }
    case 'implementation-class-uid':
      return stringItem(sink, ITEM_TYPE.IMPLEMENTATION_CLASS_UID, sub.uid);
    case 'asynchronous-operations-window': {
      const close = openItem(sink, ITEM_TYPE.ASYNCHRONOUS_OPERATIONS_WINDOW);
      sink.u16(sub.maxOperationsInvoked, BE);
      sink.u16(sub.maxOperationsPerformed, BE);
      return close();
    }
    case 'role-selection': {
      const close = openItem(sink, ITEM_TYPE.SCP_SCU_ROLE_SELECTION);
      lengthPrefixedAscii(sink, sub.sopClassUid, 'SOP-class-uid');
      sink.u8(sub.scuRole);
      sink.u8(sub.scpRole);
      return close();
    }
    case 'implementation-version-name':
      return stringItem(sink, ITEM_TYPE.IMPLEMENTATION_VERSION_NAME, sub.name);
    case 'sop-class-extended-negotiation': {
      const close = openItem(sink, ITEM_TYPE.SOP_CLASS_EXTENDED_NEGOTIATION);
      lengthPrefixedAscii(sink, sub.sopClassUid, 'SOP-class-uid');
      sink.bytes(sub.serviceClassApplicationInformation);
      return close();
    }
    case 'sop-class-common-extended-negotiation': {
      const close = openItem(sink, ITEM_TYPE.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION, sub.subItemVersion);
      lengthPrefixedAscii(sink, sub.sopClassUid, 'SOP-class-uid');
      lengthPrefixedAscii(sink, sub.serviceClassUid, 'Service-class-uid');
      const related = new ByteSink(256);
      for (const u of sub.relatedGeneralSopClassUids) lengthPrefixedAscii(related, u, 'Related-general-sop-class-uid');
      lengthPrefixedBytes(sink, related.toBytes(), 'Related-general-sop-class-identification');
      return close();
    }
    case 'user-identity-rq': {
      const close = openItem(sink, ITEM_TYPE.USER_IDENTITY_RQ);
      sink.u8(sub.identityType);
      sink.u8(sub.positiveResponseRequested ? 1 : 0);
      lengthPrefixedBytes(sink, sub.primaryField, 'Primary-field');
      lengthPrefixedBytes(sink, sub.secondaryField, 'Secondary-field');
      return close();
    }
    case 'user-identity-ac': {
      const close = openItem(sink, ITEM_TYPE.USER_IDENTITY_AC);
      lengthPrefixedBytes(sink, sub.serverResponse, 'Server-response');
      return close();
    }
    case 'unknown': {
      const close = openItem(sink, sub.itemType);
      sink.bytes(sub.value);
      return close();
    }
    default:
      return assertNever(sub);
  }
}
