import { describe, expect, it } from 'vitest';
import {
  AcseError,
  MAX_PDU_SEND_CAP,
  buildAssociateRq,
  chooseContext,
  describeAbort,
  describeReject,
  maxPduToSend,
  negotiateAsAcceptor,
  negotiateAsRequestor,
  proposeContexts,
  type ContextProposal,
} from '../../../dicom/net/acse/index.js';
import { decodePdu, encodePdu, type AssociateAcPdu, type AssociateRqPdu } from '../../../dicom/net/pdu/index.js';
import { fixture } from './pdu-fixtures.js';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
const VERIFICATION = '1.2.840.10008.1.1';
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const US_MF = '1.2.840.10008.5.1.4.1.1.3.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const FIVE = [JPEG_BASELINE, JPEG_LOSSLESS, EXPLICIT, IMPLICIT, EXPLICIT_BE];

const proposals: ContextProposal[] = [
  { abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT, EXPLICIT, EXPLICIT_BE] },
  { abstractSyntax: US_IMAGE, transferSyntaxes: FIVE },
  { abstractSyntax: US_MF, transferSyntaxes: FIVE },
  { abstractSyntax: SC, transferSyntaxes: FIVE },
];

const ourRq = (): AssociateRqPdu =>
  buildAssociateRq({
    callingAeTitle: 'US_CART',
    calledAeTitle: 'PACS',
    proposals,
    maxPduLength: 65536,
    implementationClassUid: '2.25.1',
    implementationVersionName: 'SONICART_010',
  });

describe('proposing', () => {
  it('numbers contexts 1, 3, 5 … in order', () => {
    expect(proposeContexts(proposals).map((c) => [c.id, c.abstractSyntax])).toEqual([
      [1, VERIFICATION],
      [3, US_IMAGE],
      [5, US_MF],
      [7, SC],
    ]);
  });
  it('allows 128 contexts (ids up to 255) and refuses 129', () => {
    const many = Array.from({ length: 128 }, (_, i) => ({ abstractSyntax: `1.2.3.${i}`, transferSyntaxes: [IMPLICIT] }));
    const ids = proposeContexts(many).map((c) => c.id);
    expect(ids.at(-1)).toBe(255);
    expect(new Set(ids).size).toBe(128);
    expect(() => proposeContexts([...many, { abstractSyntax: '1.2.3.999', transferSyntaxes: [IMPLICIT] }])).toThrow(
      expect.objectContaining({ code: 'ACSE_TOO_MANY_CONTEXTS' }),
    );
  });
  it('refuses an empty proposal and an empty transfer syntax list', () => {
    expect(() => proposeContexts([])).toThrow(AcseError);
    expect(() => proposeContexts([{ abstractSyntax: VERIFICATION, transferSyntaxes: [] }])).toThrow(AcseError);
  });
  it('builds an RQ that round-trips and refuses bad AE titles', () => {
    const rq = ourRq();
    expect(rq.userInformation?.map((s) => s.type)).toEqual(['maximum-length', 'implementation-class-uid', 'implementation-version-name']);
    expect(decodePdu(encodePdu(rq))).toEqual(rq);
    expect(() => buildAssociateRq({ ...{ proposals, maxPduLength: 1, implementationClassUid: '2.25.1' }, callingAeTitle: 'BAD\\AE', calledAeTitle: 'X' })).toThrow(
      expect.objectContaining({ code: 'ACSE_AE_TITLE' }),
    );
  });
});

describe('max PDU to send', () => {
  it('is min(peer, 128 KiB), with 0 or absent meaning our cap', () => {
    expect(MAX_PDU_SEND_CAP).toBe(131072);
    expect(maxPduToSend(16384)).toBe(16384);
    expect(maxPduToSend(1 << 20)).toBe(131072);
    expect(maxPduToSend(131072)).toBe(131072);
    expect(maxPduToSend(0)).toBe(131072);
    expect(maxPduToSend(undefined)).toBe(131072);
  });
});

describe('requestor-side negotiation', () => {
  it('reads the fixture AC against the fixture RQ', () => {
    const rq = decodePdu(fixture('a-associate-rq')) as AssociateRqPdu;
    const ac = decodePdu(fixture('a-associate-ac')) as AssociateAcPdu;
    const n = negotiateAsRequestor(rq, ac);
    expect(n.accepted).toEqual([{ id: 1, abstractSyntax: VERIFICATION, transferSyntax: EXPLICIT }]);
    expect(n.rejected).toEqual([
      { id: 3, abstractSyntax: US_IMAGE, result: 3, reason: 'abstract-syntax-not-supported', text: 'abstract-syntax-not-supported (provider rejection)' },
    ]);
    expect(n.peerMaxPduLength).toBe(16384);
    expect(n.maxPduToSend).toBe(16384);
    expect(n.peerImplementationClassUid).toBe('1.2.276.0.7230010.3.0.3.6.7');
    expect(n.peerImplementationVersionName).toBe('OFFIS_DCMTK_367');
    expect(n.roles).toEqual([{ sopClassUid: US_IMAGE, scuRole: 1, scpRole: 0 }]);
  });

  it('names every rejection reason, including a context left out of the AC', () => {
    const rq = ourRq();
    const ac: AssociateAcPdu = {
      type: 'A-ASSOCIATE-AC', protocolVersion: 1, calledAeTitle: 'PACS', callingAeTitle: 'US_CART',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, result: 1, transferSyntax: IMPLICIT },
        { id: 3, result: 2, transferSyntax: undefined },
        { id: 5, result: 4, transferSyntax: '' },
      ],
      userInformation: [{ type: 'maximum-length', maxLength: 0 }],
      unknownItems: [],
    };
    const n = negotiateAsRequestor(rq, ac);
    expect(n.accepted).toEqual([]);
    expect(n.rejected.map((r) => [r.id, r.reason])).toEqual([
      [1, 'user-rejection'],
      [3, 'no-reason'],
      [5, 'transfer-syntaxes-not-supported'],
      [7, 'not-answered'],
    ]);
    expect(n.maxPduToSend).toBe(131072);
  });

  it('groups accepted contexts by abstract syntax and chooses one for a transfer syntax', () => {
    const rq = buildAssociateRq({
      callingAeTitle: 'US_CART', calledAeTitle: 'PACS', maxPduLength: 65536, implementationClassUid: '2.25.1',
      proposals: [
        { abstractSyntax: US_IMAGE, transferSyntaxes: [JPEG_BASELINE] },
        { abstractSyntax: US_IMAGE, transferSyntaxes: [EXPLICIT, IMPLICIT] },
      ],
    });
    const ac: AssociateAcPdu = {
      type: 'A-ASSOCIATE-AC', protocolVersion: 1, calledAeTitle: 'PACS', callingAeTitle: 'US_CART',
      applicationContext: '1.2.840.10008.3.1.1.1',
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: JPEG_BASELINE },
        { id: 3, result: 0, transferSyntax: IMPLICIT },
      ],
      userInformation: [{ type: 'maximum-length', maxLength: 200000 }],
      unknownItems: [],
    };
    const n = negotiateAsRequestor(rq, ac);
    expect(n.byAbstractSyntax.get(US_IMAGE)?.map((c) => c.id)).toEqual([1, 3]);
    expect(chooseContext(n, US_IMAGE, [IMPLICIT])?.id).toBe(3);
    expect(chooseContext(n, US_IMAGE, [JPEG_LOSSLESS])?.id).toBe(1);
    expect(chooseContext(n, SC)).toBeUndefined();
    expect(n.maxPduToSend).toBe(131072);
  });

  it('refuses an AC that answers contexts or syntaxes we never proposed', () => {
    const rq = ourRq();
    const base = { type: 'A-ASSOCIATE-AC', protocolVersion: 1, calledAeTitle: 'PACS', callingAeTitle: 'US_CART', applicationContext: '1.2.840.10008.3.1.1.1', userInformation: [], unknownItems: [] } as const;
    expect(() => negotiateAsRequestor(rq, { ...base, presentationContexts: [{ id: 9, result: 0, transferSyntax: IMPLICIT }] })).toThrow(
      expect.objectContaining({ code: 'ACSE_UNKNOWN_CONTEXT' }),
    );
    expect(() => negotiateAsRequestor(rq, { ...base, presentationContexts: [{ id: 1, result: 0, transferSyntax: JPEG_BASELINE }] })).toThrow(
      expect.objectContaining({ code: 'ACSE_TRANSFER_SYNTAX_NOT_PROPOSED' }),
    );
    expect(() => negotiateAsRequestor(rq, { ...base, presentationContexts: [{ id: 1, result: 0, transferSyntax: undefined }] })).toThrow(
      expect.objectContaining({ code: 'ACSE_NO_TRANSFER_SYNTAX' }),
    );
    expect(() =>
      negotiateAsRequestor(rq, { ...base, presentationContexts: [{ id: 1, result: 0, transferSyntax: IMPLICIT }, { id: 1, result: 0, transferSyntax: IMPLICIT }] }),
    ).toThrow(expect.objectContaining({ code: 'ACSE_DUPLICATE_CONTEXT' }));
  });
});

describe('acceptor-side negotiation', () => {
  const supported = new Map<string, readonly string[]>([
    [VERIFICATION, [IMPLICIT]],
    [US_IMAGE, [EXPLICIT, IMPLICIT]],
    [US_MF, [JPEG_LOSSLESS]],
  ]);
  const policy = { aeTitle: 'PACS', supported, maxPduLength: 16384, implementationClassUid: '1.2.3', implementationVersionName: 'FAKE_PEER' };

  it('accepts, rejects per context, and round-trips through the requestor side', () => {
    const rq = ourRq();
    const d = negotiateAsAcceptor(rq, { ...policy, userRejected: new Set([US_MF]) });
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d.pdu.presentationContexts).toEqual([
      { id: 1, result: 0, transferSyntax: IMPLICIT },
      { id: 3, result: 0, transferSyntax: EXPLICIT }, // our preference, not the requestor's (JPEG first)
      { id: 5, result: 1, transferSyntax: JPEG_BASELINE },
      { id: 7, result: 3, transferSyntax: JPEG_BASELINE },
    ]);
    expect([d.pdu.calledAeTitle, d.pdu.callingAeTitle]).toEqual(['PACS', 'US_CART']);
    const n = negotiateAsRequestor(rq, decodePdu(encodePdu(d.pdu)) as AssociateAcPdu);
    expect(n.accepted).toEqual(d.accepted);
    expect(n.rejected.map((r) => r.reason)).toEqual(['user-rejection', 'abstract-syntax-not-supported']);
    expect(n.maxPduToSend).toBe(16384);
    expect(n.peerImplementationVersionName).toBe('FAKE_PEER');
  });

  it('transfer-syntaxes-not-supported, and requestor preference when asked', () => {
    const rq = buildAssociateRq({
      callingAeTitle: 'US_CART', calledAeTitle: 'PACS', maxPduLength: 65536, implementationClassUid: '2.25.1',
      proposals: [{ abstractSyntax: US_MF, transferSyntaxes: [EXPLICIT] }, { abstractSyntax: US_IMAGE, transferSyntaxes: [IMPLICIT, EXPLICIT] }],
    });
    const d = negotiateAsAcceptor(rq, { ...policy, transferSyntaxPreference: 'requestor' });
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d.pdu.presentationContexts).toEqual([
      { id: 1, result: 4, transferSyntax: EXPLICIT },
      { id: 3, result: 0, transferSyntax: IMPLICIT },
    ]);
  });

  it('rejects the association for unknown called/calling AE, application context, protocol version', () => {
    const rq = ourRq();
    expect(negotiateAsAcceptor({ ...rq, calledAeTitle: 'OTHER' }, policy).pdu).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
    expect(negotiateAsAcceptor(rq, { ...policy, callingAeTitles: ['MODALITY'] }).pdu).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 3 });
    expect(negotiateAsAcceptor({ ...rq, applicationContext: '1.2.3' }, policy).pdu).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 2 });
    expect(negotiateAsAcceptor({ ...rq, protocolVersion: 2 }, policy).pdu).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 });
    expect(negotiateAsAcceptor({ ...rq, calledAeTitle: ' PACS' }, policy).kind).toBe('accept');
  });

  it('answers role selection and user identity', () => {
    const rq = decodePdu(fixture('a-associate-rq')) as AssociateRqPdu;
    const d = negotiateAsAcceptor(rq, { ...policy, aeTitle: 'ANY-SCP', userIdentityServerResponse: Uint8Array.of(1, 2) });
    if (d.kind !== 'accept') throw new Error(d.kind);
    expect(d.pdu.userInformation?.map((s) => s.type)).toEqual([
      'maximum-length', 'implementation-class-uid', 'role-selection', 'implementation-version-name', 'user-identity-ac',
    ]);
  });
});

describe('reason tables', () => {
  it('describe rejects and aborts in the standard words', () => {
    expect(describeReject({ result: 1, source: 1, reason: 7 })).toBe('rejected-permanent by DICOM UL service-user: called-AE-title-not-recognized');
    expect(describeReject({ result: 2, source: 3, reason: 1 })).toBe('rejected-transient by DICOM UL service-provider (Presentation related function): temporary-congestion');
    expect(describeReject({ result: 1, source: 2, reason: 2 })).toMatch(/protocol-version-not-supported$/);
    expect(describeReject({ result: 1, source: 1, reason: 5 })).toMatch(/reason 5 \(reserved\)$/);
    expect(describeAbort({ source: 2, reason: 2 })).toBe('DICOM UL service-provider (initiated abort): unexpected-PDU');
    expect(describeAbort({ source: 0, reason: 3 })).toBe('DICOM UL service-user (initiated abort)');
  });
});
