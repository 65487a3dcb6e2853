import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../dicom/core/bytes.js';
import {
  DimseError,
  PDV_OVERHEAD,
  PdvAssembler,
  PdvFragmenter,
  fragmentMessage,
  maxPdvDataLength,
  type AssembledPart,
} from '../../../dicom/net/dimse/index.js';
import { PduFramer, decodePdu, encodePdu, type PDataTfPdu, type Pdv } from '../../../dicom/net/pdu/index.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const pdu = (...pdvs: Pdv[]): PDataTfPdu => ({ type: 'P-DATA-TF', pdvs });

/** PDU-length on the wire, as the peer's max PDU length limits it. */
const wireLength = (p: PDataTfPdu) => encodePdu(p).length - 6;

describe('fragmentation', () => {
  it('accounts for the PDV header; 0 means our 128 KiB cap', () => {
    expect(PDV_OVERHEAD).toBe(6);
    expect(maxPdvDataLength(16384)).toBe(16378);
    expect(maxPdvDataLength(0)).toBe(131072 - 6);
    expect(() => maxPdvDataLength(6)).toThrow(DimseError);
  });

  for (const max of [7, 8, 100, 4096, 16384, 0]) {
    // Tiny maxima make one PDU per byte; 40 000 of them would only slow the suite.
    for (const size of max > 0 && max < 100 ? [0, 1, 99, 100, 101, 1000] : [0, 1, 99, 100, 101, 1000, 40000]) {
      it(`max ${max}, data set ${size} bytes in uneven chunks: no PDU above max, data intact`, () => {
        const command = bytes(68, 7);
        const data = bytes(size);
        const f = new PdvFragmenter(3, max);
        const out = f.command(command);
        for (let o = 0, k = 1; o < data.length; o += k, k = (k * 7) % 997 + 1) out.push(...f.data(data.subarray(o, Math.min(data.length, o + k))));
        out.push(...f.endData());
        const limit = max === 0 ? 131072 : max;
        for (const p of out) expect(wireLength(p)).toBeLessThanOrEqual(limit);
        const pdvs = out.flatMap((p) => p.pdvs);
        const cmd = pdvs.filter((p) => p.command);
        const dat = pdvs.filter((p) => !p.command);
        expect(cmd.map((p) => p.last)).toEqual([...Array(cmd.length - 1).fill(false), true]);
        expect(dat.map((p) => p.last)).toEqual([...Array(dat.length - 1).fill(false), true]);
        expect(concatBytes(cmd.map((p) => p.data))).toEqual(command);
        expect(concatBytes(dat.map((p) => p.data))).toEqual(data);
        expect(pdvs.every((p) => p.contextId === 3)).toBe(true);
        // Full PDUs except the last of each part: nothing smaller than necessary.
        const cap = maxPdvDataLength(max);
        for (const p of dat.slice(0, -1)) expect(p.data.length).toBe(cap);
      });
    }
  }

  it('streams: a data set larger than memory would allow is never held whole', () => {
    const f = new PdvFragmenter(1, 16384);
    f.command(bytes(10));
    let maxHeld = 0;
    let sent = 0;
    const chunk = bytes(65536);
    for (let i = 0; i < 64; i++) {
      // 4 MiB in total, 64 KiB at a time
      const out = f.data(chunk);
      sent += out.reduce((n, p) => n + p.pdvs[0]!.data.length, 0);
      maxHeld = Math.max(maxHeld, (i + 1) * chunk.length - sent);
    }
    sent += f.endData()[0]!.pdvs[0]!.data.length;
    expect(sent).toBe(64 * 65536);
    expect(maxHeld).toBeLessThanOrEqual(16378);
  });

  it('refuses out-of-order use', () => {
    const f = new PdvFragmenter(1, 1000);
    expect(() => f.data(bytes(3))).toThrow(expect.objectContaining({ code: 'DIMSE_FRAGMENT_ORDER' }));
    f.command(bytes(3));
    expect(() => f.command(bytes(3))).toThrow(expect.objectContaining({ code: 'DIMSE_FRAGMENT_ORDER' }));
    f.endData();
    expect(() => f.data(bytes(3))).toThrow(expect.objectContaining({ code: 'DIMSE_FRAGMENT_ORDER' }));
  });

  it('fragmentMessage without a data set sends only the command', () => {
    const out = fragmentMessage(5, bytes(68), undefined, 16384);
    expect(out).toHaveLength(1);
    expect(out[0]!.pdvs[0]).toMatchObject({ contextId: 5, command: true, last: true });
  });
});

function reassemble(parts: AssembledPart[]) {
  const commands = parts.filter((p) => p.kind === 'command').map((p) => p.bytes);
  const data = concatBytes(parts.filter((p) => p.kind === 'data').map((p) => p.bytes));
  return { commands, data, lastFlags: parts.filter((p) => p.kind === 'data' && p.last).length };
}

describe('reassembly', () => {
  it('rebuilds messages from fragments, whatever the PDU split on the wire', () => {
    const command = bytes(150, 3);
    const data = bytes(5000, 9);
    const pdus = fragmentMessage(1, command, data, 64);
    const stream = concatBytes(pdus.map(encodePdu));
    for (const step of [1, 5, 64, 333, stream.length]) {
      const framer = new PduFramer({ maxPdataLength: 64 });
      const asm = new PdvAssembler();
      const parts: AssembledPart[] = [];
      for (let o = 0; o < stream.length; o += step) {
        for (const p of framer.push(stream.subarray(o, o + step))) {
          if (p.type !== 'P-DATA-TF') throw new Error(p.type);
          parts.push(...asm.push(p));
        }
      }
      const r = reassemble(parts);
      expect(r.commands).toEqual([command]);
      expect(r.data).toEqual(data);
      expect(r.lastFlags).toBe(1);
      expect(asm.idle).toBe(true);
    }
  });

  it('handles several PDVs per PDU and several messages in a row', () => {
    const asm = new PdvAssembler();
    const parts = asm.push(
      pdu(
        { contextId: 1, command: true, last: true, data: bytes(4) },
        { contextId: 1, command: false, last: true, data: bytes(3) },
        { contextId: 3, command: true, last: false, data: bytes(2) },
        { contextId: 3, command: true, last: true, data: bytes(2, 5) },
        { contextId: 5, command: true, last: true, data: bytes(1) },
      ),
    );
    expect(parts.map((p) => [p.kind, p.contextId, p.bytes.length])).toEqual([
      ['command', 1, 4],
      ['data', 1, 3],
      ['command', 3, 4],
      ['command', 5, 1],
    ]);
  });

  it('uses hasDataSet to know when a data set must (not) follow', () => {
    const noData = new PdvAssembler({ hasDataSet: () => false });
    noData.push(pdu({ contextId: 1, command: true, last: true, data: bytes(2) }));
    expect(() => noData.push(pdu({ contextId: 1, command: false, last: true, data: bytes(2) }))).toThrow(
      expect.objectContaining({ code: 'DIMSE_PDV_UNEXPECTED_DATA' }),
    );
    const withData = new PdvAssembler({ hasDataSet: () => true });
    withData.push(pdu({ contextId: 1, command: true, last: true, data: bytes(2) }));
    expect(withData.idle).toBe(false);
    expect(() => withData.push(pdu({ contextId: 1, command: true, last: true, data: bytes(2) }))).toThrow(
      expect.objectContaining({ code: 'DIMSE_PDV_MISSING_DATA' }),
    );
  });

  const bad: [string, Pdv[], string][] = [
    ['data before any command', [{ contextId: 1, command: false, last: true, data: bytes(1) }], 'DIMSE_PDV_DATA_BEFORE_COMMAND'],
    [
      'data before the command is complete',
      [
        { contextId: 1, command: true, last: false, data: bytes(1) },
        { contextId: 1, command: false, last: true, data: bytes(1) },
      ],
      'DIMSE_PDV_DATA_BEFORE_COMMAND',
    ],
    [
      'context change inside a command',
      [
        { contextId: 1, command: true, last: false, data: bytes(1) },
        { contextId: 3, command: true, last: true, data: bytes(1) },
      ],
      'DIMSE_PDV_CONTEXT_CHANGED',
    ],
    [
      'data set on another context than its command',
      [
        { contextId: 1, command: true, last: true, data: bytes(1) },
        { contextId: 3, command: false, last: true, data: bytes(1) },
      ],
      'DIMSE_PDV_CONTEXT_CHANGED',
    ],
    [
      'context change inside a data set',
      [
        { contextId: 1, command: true, last: true, data: bytes(1) },
        { contextId: 1, command: false, last: false, data: bytes(1) },
        { contextId: 3, command: false, last: true, data: bytes(1) },
      ],
      'DIMSE_PDV_CONTEXT_CHANGED',
    ],
    [
      'command inside a data set',
      [
        { contextId: 1, command: true, last: true, data: bytes(1) },
        { contextId: 1, command: false, last: false, data: bytes(1) },
        { contextId: 1, command: true, last: true, data: bytes(1) },
      ],
      'DIMSE_PDV_COMMAND_IN_DATA',
    ],
  ];
  for (const [name, pdvs, code] of bad) {
    it(`${name} → ${code}`, () => {
      const asm = new PdvAssembler();
      let err: unknown;
      try {
        for (const p of pdvs) asm.push(pdu(p));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DimseError);
      expect(err).toMatchObject({ code });
      expect(() => asm.push(pdu({ contextId: 1, command: true, last: true, data: bytes(1) }))).toThrow(
        expect.objectContaining({ code: 'DIMSE_ASSEMBLER_FAILED' }),
      );
    });
  }

  it('refuses an endless command', () => {
    const asm = new PdvAssembler({ maxCommandLength: 10 });
    expect(() => asm.push(pdu({ contextId: 1, command: true, last: false, data: bytes(11) }))).toThrow(
      expect.objectContaining({ code: 'DIMSE_COMMAND_TOO_LONG' }),
    );
  });

  it('round-trips through encode/decode of the PDUs', () => {
    const pdus = fragmentMessage(7, bytes(30), bytes(300), 50);
    const asm = new PdvAssembler();
    const parts = pdus.flatMap((p) => asm.push(decodePdu(encodePdu(p)) as PDataTfPdu));
    const r = reassemble(parts);
    expect(r.commands).toEqual([bytes(30)]);
    expect(r.data).toEqual(bytes(300));
  });
});

describe('with the DIMSE command-set codec', () => {
  it('a C-STORE-RQ and its data set survive fragmentation and reassembly, hasDataSet from (0000,0800)', async () => {
    const { encodeCommand, decodeCommand } = await import('../../../dicom/net/dimse/index.js');
    const command = encodeCommand({
      type: 'C-STORE-RQ',
      messageId: 9,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.6.1',
      affectedSopInstanceUid: '2.25.42',
      priority: 0,
      hasDataSet: true,
    });
    const data = bytes(3000);
    const asm = new PdvAssembler({ hasDataSet: (c) => decodeCommand(c).hasDataSet });
    const parts = fragmentMessage(1, command, data, 512).flatMap((p) => asm.push(p));
    expect(decodeCommand(reassemble(parts).commands[0]!)).toMatchObject({ type: 'C-STORE-RQ', messageId: 9 });
    expect(reassemble(parts).data).toEqual(data);
    const echo = encodeCommand({ type: 'C-ECHO-RQ', messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', hasDataSet: false });
    asm.push(fragmentMessage(1, echo, undefined, 512)[0]!);
    expect(asm.idle).toBe(true);
  });
});
