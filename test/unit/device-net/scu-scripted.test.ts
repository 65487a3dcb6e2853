/**
 * The SCUs' own rules, checked against a scripted peer: the C-STORE status policy of
 * conformance §2 per instance, and the worklist C-FIND's cancel, cap and failure handling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ByteSink, tag } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { readDataSet, writeDataSet } from '../../../dicom/encoding/index.js';
import { Association, type AssociationOptions } from '../../../device/net/association.js';
import { DimseStatusError, OperationCancelledError } from '../../../device/net/errors.js';
import { storeFiles, type StoreOutcome } from '../../../device/net/scu/store.js';
import { MWL, findWorklist, worklistProposals } from '../../../device/net/scu/worklist.js';
import { acceptAssociation, answerRelease, answerStore, readMessage, scriptedPeerPerTest, sendMessage, type PeerScript } from '../../helpers/scripted-peer.js';
import { writeTestImage } from './fixtures.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'sonicart-scu-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));
const withPeer = scriptedPeerPerTest();

const base = (port: number): Omit<AssociationOptions, 'proposals'> => ({
  peer: { aeTitle: 'SCRIPTED', host: '127.0.0.1', port },
  callingAeTitle: 'US_CART',
  timers: { associationRequestMs: 2000, inactivityMs: 2000, wholeAssociationMs: 10_000, artimMs: 1000 },
});

describe('C-STORE status policy (conformance §2), instance by instance', () => {
  it('success, warning, failure go on; A7xx releases and leaves the rest for later', async () => {
    const statuses = [0x0000, 0xb000, 0xa900, 0xc123, 0xa700];
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      for (const status of statuses) {
        answerStore(c, await readMessage(c), status, status === 0xc123 ? { errorComment: 'cannot parse' } : {});
      }
      await answerRelease(c);
    });
    const files = [];
    for (let i = 0; i < 7; i++) files.push(await writeTestImage(join(dir, `p${i}.dcm`), { rows: 8, columns: 8 }));
    const out: StoreOutcome[] = [];
    for await (const o of storeFiles(files, base(p.port))) out.push(o);
    expect(out.map((o) => [o.status?.hex ?? '-', o.action])).toEqual([
      ['0000', 'next'],
      ['B000', 'record-warning'],
      ['A900', 'fail-instance-continue'],
      ['C123', 'fail-instance-continue'],
      ['A700', 'release-retry-later'],
      ['-', 'not-sent'],
      ['-', 'not-sent'],
    ]);
    expect(out[3]!.error).toBeInstanceOf(DimseStatusError);
    expect((out[3]!.error as DimseStatusError).describe()).toMatch(/step C-STORE 2\.25\.\d+, reason failure: cannot parse, DICOM status C123 \(Error: Cannot understand\)/);
    expect(out[5]!.why).toMatch(/out of resources \(A700\); retry later/);
    // Released, not aborted, after A7xx.
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.at(-1)!.type).toBe('A-RELEASE-RQ');
  });

  it('the data set goes out in fragments no larger than the peer’s maximum PDU', async () => {
    const sizes: number[] = [];
    const p = await withPeer(async (c) => {
      await acceptAssociation(c, { maxLength: 4096 });
      for (;;) {
        const pdu = await c.readPdu();
        if (pdu.type === 'P-DATA-TF') {
          sizes.push(pdu.pdvs.reduce((s, v) => s + v.data.length + 6, 0));
          const v = pdu.pdvs.at(-1)!;
          if (!v.command && v.last) break;
        }
      }
      const m = c.received.find((x) => x.type === 'P-DATA-TF');
      void m;
      sendMessage(c, 1, { type: 'C-STORE-RSP', hasDataSet: false, messageIdBeingRespondedTo: 1, status: 0 });
      await answerRelease(c);
    });
    const f = await writeTestImage(join(dir, 'big.dcm'), { rows: 200, columns: 200 });
    const out: StoreOutcome[] = [];
    for await (const o of storeFiles([f], base(p.port))) out.push(o);
    expect(out[0]!.action).toBe('next');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096);
    expect(sizes.length).toBeGreaterThan(19);
  });
});

function identifier(name: string, id: string): Uint8Array {
  const ds = new DataSet();
  ds.putStrings(MWL.SpecificCharacterSet, 'CS', 'ISO_IR 192');
  ds.putStrings(MWL.PatientName, 'PN', name);
  ds.putStrings(MWL.PatientID, 'LO', id);
  const sink = new ByteSink(256);
  writeDataSet(ds, sink, { explicitVR: false, littleEndian: true });
  return sink.toBytes();
}

/** A worklist SCP that answers `n` pending matches, slowly enough to be cancelled, then Success or Cancel. */
function worklistScript(n: number, seen: { cancel: boolean; query?: DataSet }, finalStatus = 0x0000): PeerScript {
  return async (c) => {
    await acceptAssociation(c);
    const m = await readMessage(c);
    seen.query = readDataSet(m.dataSet!, { explicitVR: false, littleEndian: true }).dataset;
    const rsp = { type: 'C-FIND-RSP', messageIdBeingRespondedTo: m.command.messageId!, affectedSopClassUid: m.command.affectedSopClassUid! } as const;
    let cancelled = false;
    const watch = (async () => {
      const cm = await readMessage(c).catch(() => undefined);
      if (cm?.command.type === 'C-CANCEL-RQ') ((cancelled = true), (seen.cancel = true));
    })();
    for (let i = 0; i < n && !cancelled; i++) {
      sendMessage(c, m.contextId, { ...rsp, hasDataSet: true, status: 0xff00 }, identifier(`Name^${i}`, `ID${i}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    sendMessage(c, m.contextId, { ...rsp, hasDataSet: false, status: cancelled ? 0xfe00 : finalStatus });
    void watch;
    await answerRelease(c);
  };
}

describe('worklist C-FIND', () => {
  it('yields every match, with the request carrying our character set and the §3 keys', async () => {
    const seen: { cancel: boolean; query?: DataSet } = { cancel: false };
    const p = await withPeer(worklistScript(5, seen));
    const a = await Association.open({ ...base(p.port), proposals: worklistProposals() });
    const names: string[] = [];
    for await (const e of findWorklist(a, { modality: 'US', date: '20240101-20240131', patientName: 'Ya*' })) names.push(e.string(MWL.PatientName)!);
    await a.release();
    expect(names).toEqual(['Name^0', 'Name^1', 'Name^2', 'Name^3', 'Name^4']);
    const q = seen.query!;
    expect(q.string(MWL.SpecificCharacterSet)).toBe('ISO_IR 192');
    expect(q.string(MWL.PatientName)).toBe('Ya*');
    const sps = q.items(MWL.ScheduledProcedureStepSequence)![0]!;
    expect(sps.string(MWL.Modality)).toBe('US');
    expect(sps.string(MWL.ScheduledProcedureStepStartDate)).toBe('20240101-20240131');
    expect(sps.has(MWL.ScheduledProtocolCodeSequence)).toBe(true);
    expect(q.has(tag(0x0010, 0x21c0))).toBe(true); // Pregnancy Status asked for
    expect(seen.cancel).toBe(false);
  });

  it('breaking out early sends C-CANCEL, and the association is still released cleanly', async () => {
    const seen = { cancel: false };
    const p = await withPeer(worklistScript(1000, seen));
    const a = await Association.open({ ...base(p.port), proposals: worklistProposals() });
    let n = 0;
    for await (const _ of findWorklist(a, {})) if (++n === 2) break;
    await a.release();
    expect(seen.cancel).toBe(true);
    expect(p.connections[0]!.received.at(-1)!.type).toBe('A-RELEASE-RQ');
  });

  it('the match cap stops the list with C-CANCEL and says it was truncated', async () => {
    const seen = { cancel: false };
    const p = await withPeer(worklistScript(1000, seen));
    const a = await Association.open({ ...base(p.port), proposals: worklistProposals() });
    const find = findWorklist(a, {}, { maxMatches: 3 });
    let n = 0;
    for await (const _ of find) n++;
    await a.release();
    expect([n, find.truncated, seen.cancel]).toEqual([3, true, true]);
  });

  it('an aborted signal cancels and throws OperationCancelledError', async () => {
    const seen = { cancel: false };
    const p = await withPeer(worklistScript(1000, seen));
    const a = await Association.open({ ...base(p.port), proposals: worklistProposals() });
    const ac = new AbortController();
    let n = 0;
    const err = await (async () => {
      for await (const _ of findWorklist(a, {}, { signal: ac.signal })) if (++n === 3) ac.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationCancelledError);
    await a.release();
    expect(seen.cancel).toBe(true);
  });

  it('a failure status is thrown, not swallowed into an empty list', async () => {
    const p = await withPeer(worklistScript(0, { cancel: false }, 0xa700));
    const a = await Association.open({ ...base(p.port), proposals: worklistProposals() });
    const err = await (async () => {
      for await (const _ of findWorklist(a, {})) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DimseStatusError);
    expect((err as DimseStatusError).status.hex).toBe('A700');
    await a.release();
  });
});
