import { describe, expect, it } from 'vitest';
import { tag } from '../../../dicom/core/index.js';
import { decodeCommand, encodeCommand, type DimseCommand } from '../../../dicom/net/dimse/command.js';
import { DimseError } from '../../../dicom/net/dimse/errors.js';

describe('DIMSE command sets', () => {
  it('encodes C-ECHO-RQ byte for byte as PS3.7 lays it out (Implicit VR LE, group length first)', () => {
    const bytes = encodeCommand({ type: 'C-ECHO-RQ', messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', hasDataSet: false });
    const hex = Buffer.from(bytes).toString('hex');
    expect(hex).toBe(
      [
        '00000000' + '04000000' + '38000000', // (0000,0000) UL 4: 56 bytes follow
        '00000200' + '12000000' + Buffer.from('1.2.840.10008.1.1\0').toString('hex'), // AffectedSOPClassUID, NUL-padded
        '00000001' + '02000000' + '3000', // CommandField C-ECHO-RQ
        '10010000'.replace('10010000', '00001001') + '02000000' + '0100', // MessageID 1
        '00000008' + '02000000' + '0101', // CommandDataSetType: none
      ].join(''),
    );
  });

  it('round-trips every field of a C-STORE-RQ and a failed C-STORE-RSP', () => {
    const rq: DimseCommand = {
      type: 'C-STORE-RQ',
      messageId: 7,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      affectedSopInstanceUid: '2.25.99',
      priority: 0,
      moveOriginatorAeTitle: 'MOVER',
      moveOriginatorMessageId: 3,
      hasDataSet: true,
    };
    expect(decodeCommand(encodeCommand(rq))).toEqual(rq);
    const rsp: DimseCommand = {
      type: 'C-STORE-RSP',
      messageIdBeingRespondedTo: 7,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      affectedSopInstanceUid: '2.25.99',
      status: 0xa700,
      offendingElement: [tag(0x0010, 0x0010)],
      errorComment: 'Out of resources',
      hasDataSet: false,
    };
    expect(decodeCommand(encodeCommand(rsp))).toEqual(rsp);
  });

  it('refuses a response without a status, and an unknown command field', () => {
    const noStatus = encodeCommand({ type: 'C-FIND-RSP', messageIdBeingRespondedTo: 1, hasDataSet: false });
    expect(() => decodeCommand(noStatus)).toThrowError(DimseError);
    expect(() => decodeCommand(noStatus)).toThrowError(/C-FIND-RSP lacks status/);
    const bytes = encodeCommand({ type: 'C-CANCEL-RQ', messageIdBeingRespondedTo: 1, hasDataSet: false }).slice();
    // CommandField value is the 2 bytes after its 8-byte header; find it and make it unknown
    const at = Buffer.from(bytes).indexOf(Buffer.from('0000000102000000', 'hex')) + 8;
    bytes[at] = 0x77;
    bytes[at + 1] = 0x07;
    expect(() => decodeCommand(bytes)).toThrowError(/unknown Command Field 0x0777/);
    expect(() => decodeCommand(Uint8Array.of(1, 2, 3))).toThrowError(DimseError);
  });
});
