import { describe, expect, it } from 'vitest';
import { DicomEncodeError, DicomError } from '../../../dicom/core/errors.js';
import {
  PduError,
  aeTitleField,
  aeTitleProblem,
  aeTitlesEqual,
  decodePdu,
  encodePdu,
  findSubItem,
  type AssociateAcPdu,
  type AssociateRqPdu,
  type Pdu,
} from '../../../dicom/net/pdu/index.js';
import { fixture, malformedFixtures, toHex, validFixtures } from './pdu-fixtures.js';

const asRq = (p: Pdu): AssociateRqPdu => {
  if (p.type !== 'A-ASSOCIATE-RQ') throw new Error(p.type);
  return p;
};
const asAc = (p: Pdu): AssociateAcPdu => {
  if (p.type !== 'A-ASSOCIATE-AC') throw new Error(p.type);
  return p;
};
const text = (b: Uint8Array) => String.fromCharCode(...b);

describe('every valid fixture round-trips byte-exactly', () => {
  const all = validFixtures();
  it('has fixtures', () => expect(all.length).toBeGreaterThanOrEqual(12));
  for (const f of all) {
    it(f.name, () => {
      const pdu = decodePdu(f.bytes);
      expect(pdu.type).not.toBe(undefined);
      expect(toHex(encodePdu(pdu))).toBe(toHex(f.bytes));
    });
  }
});

describe('decoded fields', () => {
  it('A-ASSOCIATE-RQ', () => {
    const rq = asRq(decodePdu(fixture('a-associate-rq')));
    expect(rq.protocolVersion).toBe(1);
    expect(rq.calledAeTitle).toBe('ANY-SCP');
    expect(rq.callingAeTitle).toBe('US_CART');
    expect(rq.applicationContext).toBe('1.2.840.10008.3.1.1.1');
    expect(rq.presentationContexts).toEqual([
      { id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'] },
      {
        id: 3,
        abstractSyntax: '1.2.840.10008.5.1.4.1.1.6.1',
        transferSyntaxes: ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2'],
      },
    ]);
    const ui = rq.userInformation!;
    expect(ui.map((s) => s.type)).toEqual([
      'maximum-length',
      'implementation-class-uid',
      'asynchronous-operations-window',
      'role-selection',
      'implementation-version-name',
      'user-identity-rq',
    ]);
    expect(findSubItem(ui, 'maximum-length')?.maxLength).toBe(65536);
    expect(findSubItem(ui, 'implementation-class-uid')?.uid).toBe('2.25.305828884167829103906924565466735052813');
    expect(findSubItem(ui, 'asynchronous-operations-window')).toMatchObject({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 });
    expect(findSubItem(ui, 'role-selection')).toMatchObject({ sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', scuRole: 1, scpRole: 0 });
    expect(findSubItem(ui, 'implementation-version-name')?.name).toBe('SONICART_010');
    const id = findSubItem(ui, 'user-identity-rq')!;
    expect(id.identityType).toBe(2);
    expect(id.positiveResponseRequested).toBe(true);
    expect(text(id.primaryField)).toBe('sono1');
    expect(text(id.secondaryField)).toBe('secret');
  });

  it('A-ASSOCIATE-AC', () => {
    const ac = asAc(decodePdu(fixture('a-associate-ac')));
    expect(ac.presentationContexts).toEqual([
      { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' },
      { id: 3, result: 3, transferSyntax: '1.2.840.10008.1.2' },
    ]);
    expect(findSubItem(ac.userInformation, 'maximum-length')?.maxLength).toBe(16384);
    expect(text(findSubItem(ac.userInformation, 'user-identity-ac')!.serverResponse)).toBe('ok');
  });

  it('A-ASSOCIATE-AC with rejected contexts lacking the transfer syntax sub-item', () => {
    const ac = asAc(decodePdu(fixture('a-associate-ac-rejections')));
    expect(ac.presentationContexts).toEqual([
      { id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' },
      { id: 3, result: 4, transferSyntax: undefined },
      { id: 5, result: 1, transferSyntax: undefined },
    ]);
    expect(findSubItem(ac.userInformation, 'maximum-length')?.maxLength).toBe(0);
  });

  it('extended negotiation, unknown sub-item and unknown item', () => {
    const rq = asRq(decodePdu(fixture('a-associate-rq-extended')));
    const ui = rq.userInformation!;
    const ext = findSubItem(ui, 'sop-class-extended-negotiation')!;
    expect(ext.sopClassUid).toBe('1.2.840.10008.5.1.4.31');
    expect(Array.from(ext.serviceClassApplicationInformation)).toEqual([1]);
    expect(findSubItem(ui, 'sop-class-common-extended-negotiation')).toEqual({
      type: 'sop-class-common-extended-negotiation',
      subItemVersion: 0,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.3.1',
      serviceClassUid: '1.2.840.10008.4.2',
      relatedGeneralSopClassUids: ['1.2.840.10008.5.1.4.1.1.6.1'],
    });
    const id = findSubItem(ui, 'user-identity-rq')!;
    expect([id.identityType, id.positiveResponseRequested, text(id.primaryField), id.secondaryField.length]).toEqual([1, false, 'sono1', 0]);
    const unk = findSubItem(ui, 'unknown')!;
    expect(unk.itemType).toBe(0x7a);
    expect(Array.from(unk.value)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(rq.unknownItems.map((i) => [i.itemType, Array.from(i.value)])).toEqual([[0x7b, [1, 2]]]);
  });

  it('A-ASSOCIATE-RJ, A-ABORT, release, unknown', () => {
    expect(decodePdu(fixture('a-associate-rj'))).toEqual({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
    expect(decodePdu(fixture('a-abort-provider'))).toEqual({ type: 'A-ABORT', source: 2, reason: 6 });
    expect(decodePdu(fixture('a-abort-user'))).toEqual({ type: 'A-ABORT', source: 0, reason: 0 });
    expect(decodePdu(fixture('a-release-rq'))).toEqual({ type: 'A-RELEASE-RQ' });
    expect(decodePdu(fixture('a-release-rp'))).toEqual({ type: 'A-RELEASE-RP' });
    const u = decodePdu(fixture('unknown-pdu'));
    expect(u.type === 'unknown' && [u.pduType, text(u.body)]).toEqual([9, 'abc']);
  });

  it('P-DATA-TF PDVs', () => {
    const p = decodePdu(fixture('p-data-tf-two-pdvs'));
    if (p.type !== 'P-DATA-TF') throw new Error(p.type);
    expect(p.pdvs.map((v) => [v.contextId, v.command, v.last, v.data.length])).toEqual([
      [3, true, false, 4],
      [3, false, true, 6],
    ]);
    const echo = decodePdu(fixture('p-data-tf-echo'));
    if (echo.type !== 'P-DATA-TF') throw new Error(echo.type);
    expect(echo.pdvs).toHaveLength(1);
    expect(echo.pdvs[0]).toMatchObject({ contextId: 1, command: true, last: true });
    expect(echo.pdvs[0]!.data.length).toBe(68);
  });
});

describe('malformed PDUs raise typed errors with their offset', () => {
  const all = malformedFixtures();
  it('has fixtures', () => expect(all.length).toBeGreaterThanOrEqual(12));
  for (const f of all) {
    it(`${f.name}: ${f.expect?.code} at ${f.expect?.offset}`, () => {
      expect(f.expect).toBeDefined();
      let caught: unknown;
      try {
        decodePdu(f.bytes);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(PduError);
      expect(caught).toBeInstanceOf(DicomError);
      const e = caught as PduError;
      expect(e.code).toBe(f.expect!.code);
      expect(e.offset).toBe(f.expect!.offset);
      expect(e.pduType).toBe(f.bytes[0]);
      expect(e.code.startsWith('PDU_')).toBe(true);
    });
  }

  it('truncated header and trailing bytes', () => {
    expect(() => decodePdu(new Uint8Array([1, 0, 0]))).toThrow(expect.objectContaining({ code: 'PDU_TRUNCATED', offset: 3 }));
    const rel = fixture('a-release-rq');
    const longer = new Uint8Array(rel.length + 2);
    longer.set(rel);
    expect(() => decodePdu(longer)).toThrow(expect.objectContaining({ code: 'PDU_LENGTH_MISMATCH', offset: 10 }));
  });

  it('every truncation of a valid PDU is a typed error, never a crash', () => {
    for (const f of validFixtures()) {
      for (let n = 0; n < f.bytes.length; n++) {
        expect(() => decodePdu(f.bytes.subarray(0, n)), `${f.name} cut at ${n}`).toThrow(PduError);
      }
    }
  });

  it('every single-byte corruption either decodes or raises a PduError', () => {
    for (const f of validFixtures()) {
      for (let i = 0; i < f.bytes.length; i++) {
        const b = f.bytes.slice();
        b[i] = b[i]! ^ 0xff;
        try {
          decodePdu(b);
        } catch (e) {
          expect(e, `${f.name} byte ${i}`).toBeInstanceOf(PduError);
        }
      }
    }
  });
});

describe('UID padding', () => {
  it('drops a NUL pad from a peer (not round-trip: PS3.8 forbids padding)', () => {
    const rq = asRq(decodePdu(fixture('a-associate-rq')));
    const padded = encodePdu({ ...rq, applicationContext: '1.2.840.10008.3.1.1.1\0' });
    expect(asRq(decodePdu(padded)).applicationContext).toBe('1.2.840.10008.3.1.1.1');
  });
});

describe('encoder', () => {
  const rq = asRq(decodePdu(fixture('a-associate-rq')));
  it('refuses invalid AE titles in an A-ASSOCIATE-RQ', () => {
    for (const bad of ['', '                ', 'A\\B', 'TOO_LONG_AE_TITLE', 'TAB\tX', 'ÜML']) {
      expect(() => encodePdu({ ...rq, callingAeTitle: bad }), JSON.stringify(bad)).toThrow(DicomEncodeError);
    }
  });
  it('computes lengths from content', () => {
    const smaller = { ...rq, presentationContexts: rq.presentationContexts.slice(0, 1) };
    const b = encodePdu(smaller);
    expect(new DataView(b.buffer).getUint32(2)).toBe(b.length - 6);
    expect(asRq(decodePdu(b)).presentationContexts).toHaveLength(1);
  });
  it('refuses an item longer than 65535 bytes', () => {
    const big = { ...rq, userInformation: [{ type: 'implementation-version-name' as const, name: 'x'.repeat(70000) }] };
    expect(() => encodePdu(big)).toThrow(expect.objectContaining({ code: 'PDU_ITEM_TOO_LONG' }));
  });
});

describe('AE titles', () => {
  it('rules', () => {
    expect(aeTitleProblem('US_CART')).toBeUndefined();
    expect(aeTitleProblem(' LEADING')).toBeUndefined();
    expect(aeTitleProblem('1234567890123456')).toBeUndefined();
    expect(aeTitleProblem('12345678901234567')).toMatch(/longer/);
    expect(aeTitleProblem('')).toMatch(/empty/);
    expect(aeTitleProblem('   ')).toMatch(/all spaces/);
    expect(aeTitleProblem('A\\B')).toMatch(/backslash/);
    expect(aeTitleProblem('A\nB')).toMatch(/control/);
    expect(aeTitleProblem('A\x7fB')).toMatch(/control/);
  });
  it('wire field and comparison', () => {
    expect(Array.from(aeTitleField('AB'))).toEqual([0x41, 0x42, ...Array(14).fill(0x20)]);
    expect(aeTitlesEqual('  STORE ', 'STORE')).toBe(true);
    expect(aeTitlesEqual('STORE', 'store')).toBe(false);
  });
  it('leading spaces survive a round trip', () => {
    const rq = asRq(decodePdu(fixture('a-associate-rq')));
    const b = encodePdu({ ...rq, calledAeTitle: '  PACS' });
    expect(asRq(decodePdu(b)).calledAeTitle).toBe('  PACS');
    expect(toHex(encodePdu(decodePdu(b)))).toBe(toHex(b));
  });
});
