/**
 * The cart's listener against a scripted SCU that misbehaves: garbage instead of a PDU, an
 * oversized PDU, a wrong called AE title, silence after connecting or after the RQ (the
 * timers), an abort in the middle of a C-STORE (no partial file kept), and 50 associations at
 * once (the limit holds; the rest are rejected, transient, local limit exceeded).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dimse, pdu as pdus } from '../../../dicom/net/index.js';
import { EXPLICIT_VR_LE } from '../../../dicom/encoding/index.js';
import { decideAssociation } from '../../../device/net/scp/policy.js';
import { SCP_ACCEPTANCE } from '../../../device/net/scp/acceptance.js';
import { VERIFICATION_SOP_CLASS, VERIFICATION_SYNTAXES } from '../../../device/net/scu/services.js';
import { startCartScp, type CartScp } from '../../helpers/cart-scp.js';
import { DicomListener } from '../../../device/net/scp/listener.js';
import { composeHandler, verificationScp } from '../../../device/net/scp/services.js';
import { storageScp } from '../../../device/net/scp/storage-scp.js';
import { SinkOutOfResourcesError, type ReceivedInstanceSink } from '../../../device/net/scp/received-instance.js';
import { nullLogger } from '../../../device/log/logger.js';
import { storeFiles } from '../../../device/net/scu/store.js';
import { writeTestImage } from './fixtures.js';
import { associateRq, connectScripted, readMessage, type PeerConnection } from '../../helpers/scripted-peer.js';

const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const ECHO = [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: VERIFICATION_SYNTAXES }];
let dir: string;
let scp: CartScp;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-scp-faults-'));
  scp = await startCartScp(dir, { timers: { artimMs: 300, inactivityMs: 600, associationRequestMs: 5000, wholeAssociationMs: 60_000 } });
});
afterEach(async () => {
  await scp.close();
  await rm(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never happened: ${what}`);
}

async function associate(conn: PeerConnection, called = 'US_CART', contexts: Parameters<typeof associateRq>[1] = ECHO): Promise<pdus.FramedPdu> {
  conn.send(associateRq(called, contexts));
  return conn.readPdu();
}

describe('the listener refuses what it must, cleanly', () => {
  it('garbage instead of an A-ASSOCIATE-RQ: A-ABORT and close, no association', async () => {
    const conn = await connectScripted(scp.port);
    conn.sendRaw(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: cart\r\n\r\n'));
    await conn.closed;
    expect(conn.received.map((p) => p.type)).toEqual(['A-ABORT']);
    await until(() => scp.listener.stats.rejected === 1, 'counted as refused');
    expect(scp.listener.stats.accepted).toBe(0);
  });

  it('a P-DATA-TF above our 64 KiB maximum: provider A-ABORT (invalid PDU parameter value) and close', async () => {
    const conn = await connectScripted(scp.port);
    expect((await associate(conn)).type).toBe('A-ASSOCIATE-AC');
    const header = new Uint8Array([0x04, 0, 0x00, 0x10, 0x00, 0x00]); // 1 MiB declared
    conn.sendRaw(header);
    const abort = await conn.readPdu();
    expect(abort).toMatchObject({ type: 'A-ABORT', source: 2, reason: 6 });
    await conn.closed;
  });

  it('a wrong called AE title: A-ASSOCIATE-RJ permanent, service-user, called-AE-title-not-recognized', async () => {
    const conn = await connectScripted(scp.port);
    expect(await associate(conn, 'NOT_US')).toMatchObject({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
    conn.end();
  });

  it('connect, then silence: ARTIM closes the connection', async () => {
    const conn = await connectScripted(scp.port);
    await conn.closed;
    expect(conn.received).toEqual([]);
  });

  it('rejected, then silence (the SCU never closes): ARTIM closes it', async () => {
    const conn = await connectScripted(scp.port);
    expect((await associate(conn, 'NOT_US')).type).toBe('A-ASSOCIATE-RJ');
    await conn.closed;
  });

  it('accepted, then silence: the inactivity timer aborts', async () => {
    const conn = await connectScripted(scp.port);
    expect((await associate(conn)).type).toBe('A-ASSOCIATE-AC');
    expect(await conn.readPdu()).toMatchObject({ type: 'A-ABORT' });
    await conn.closed;
    await until(() => scp.listener.stats.failed === 1, 'association counted as failed');
  });

  it('an abort in the middle of a C-STORE keeps no file, not even a partial one', async () => {
    const conn = await connectScripted(scp.port);
    const ac = await associate(conn, 'US_CART', [{ abstractSyntax: US_IMAGE, transferSyntaxes: [EXPLICIT_VR_LE] }]);
    expect(ac.type).toBe('A-ASSOCIATE-AC');
    const cmd = dimse.encodeCommand({ type: 'C-STORE-RQ', hasDataSet: true, messageId: 1, affectedSopClassUid: US_IMAGE, affectedSopInstanceUid: '2.25.1234', priority: 0 });
    const f = new dimse.PdvFragmenter(1, 16384);
    for (const p of f.command(cmd)) conn.send(p);
    for (const p of f.data(new Uint8Array(100_000).fill(7))) conn.send(p);
    await until(async () => (await readdir(dir)).length === 1, 'the partial file being written');
    conn.send({ type: 'A-ABORT', source: 0, reason: 0 });
    conn.end();
    await conn.closed;
    await until(() => scp.listener.activeAssociations === 0, 'association ended');
    await until(async () => (await readdir(dir)).length === 0, 'partial file removed');
    expect(scp.stored).toEqual([]);
  });

  it('50 associations at once: 8 accepted (the limit), 42 rejected transient, local-limit-exceeded', async () => {
    const conns = await Promise.all(Array.from({ length: 50 }, () => connectScripted(scp.port)));
    const answers = await Promise.all(conns.map((c) => associate(c)));
    const accepted = answers.filter((a) => a.type === 'A-ASSOCIATE-AC');
    const rejected = answers.filter((a) => a.type === 'A-ASSOCIATE-RJ');
    expect(accepted).toHaveLength(8);
    expect(rejected).toHaveLength(42);
    for (const r of rejected) expect(r).toMatchObject({ result: 2, source: 3, reason: 2 });
    expect(scp.listener.activeAssociations).toBe(8);
    // The accepted ones still work: a C-ECHO on each, then release.
    await Promise.all(
      conns
        .filter((_, i) => answers[i]!.type === 'A-ASSOCIATE-AC')
        .map(async (c) => {
          for (const p of dimse.fragmentMessage(1, dimse.encodeCommand({ type: 'C-ECHO-RQ', hasDataSet: false, messageId: 1, affectedSopClassUid: VERIFICATION_SOP_CLASS }), undefined, 16384)) c.send(p);
          expect((await readMessage(c)).command).toMatchObject({ type: 'C-ECHO-RSP', status: 0 });
          c.send({ type: 'A-RELEASE-RQ' });
          expect((await c.readPdu()).type).toBe('A-RELEASE-RP');
          c.end();
        }),
    );
    for (const c of conns) c.end();
    await until(() => scp.listener.activeAssociations === 0, 'all released');
  });
});

describe('calling AE policy', () => {
  const terms = { aeTitle: 'US_CART', callingAe: { known: ['PACS'], unknown: 'accept-from-loopback' as const }, served: SCP_ACCEPTANCE, maxPduLength: 65536 };
  const rq = (calling: string) => associateRq('US_CART', ECHO, calling);
  it('an unknown calling AE is accepted from loopback and refused from elsewhere', () => {
    expect(decideAssociation(rq('STRANGER'), terms, '127.0.0.1', { active: 0, max: 8 }).kind).toBe('accept');
    expect(decideAssociation(rq('STRANGER'), terms, '::ffff:127.0.0.1', { active: 0, max: 8 }).kind).toBe('accept');
    expect(decideAssociation(rq('STRANGER'), terms, '10.1.2.3', { active: 0, max: 8 })).toMatchObject({ kind: 'reject', pdu: { result: 1, source: 1, reason: 3 } });
  });
  it('a listed calling AE is accepted from anywhere', () => {
    expect(decideAssociation(rq('PACS'), terms, '10.1.2.3', { active: 0, max: 8 }).kind).toBe('accept');
  });
  it('storage commitment: the archive may be SCP on the association it opens; a storage SCU may not', () => {
    const sc = associateRq('US_CART', [{ abstractSyntax: '1.2.840.10008.1.20.1', transferSyntaxes: ['1.2.840.10008.1.2'] }, { abstractSyntax: US_IMAGE, transferSyntaxes: [EXPLICIT_VR_LE] }], 'PACS');
    const withRoles: pdus.AssociateRqPdu = {
      ...sc,
      userInformation: [
        ...(sc.userInformation ?? []),
        { type: 'role-selection' as const, sopClassUid: '1.2.840.10008.1.20.1', scuRole: 0, scpRole: 1 },
        { type: 'role-selection' as const, sopClassUid: US_IMAGE, scuRole: 0, scpRole: 1 },
      ],
    };
    const d = decideAssociation(withRoles, terms, '127.0.0.1', { active: 0, max: 8 });
    expect(d.kind).toBe('accept');
    const roles = d.pdu.type === 'A-ASSOCIATE-AC' ? pdus.filterSubItems(d.pdu.userInformation, 'role-selection') : [];
    expect(roles).toEqual([
      { type: 'role-selection', sopClassUid: '1.2.840.10008.1.20.1', scuRole: 0, scpRole: 1 },
      { type: 'role-selection', sopClassUid: US_IMAGE, scuRole: 0, scpRole: 0 },
    ]);
  });
});

describe('a sink that fails', () => {
  it('disk full in the middle of a data set: A700 (out of resources), the partial instance discarded, the association goes on', async () => {
    const discarded: string[] = [];
    let writes = 0;
    const sink: ReceivedInstanceSink = {
      begin: async (info) => ({
        write: async () => {
          if (++writes > 2) throw new SinkOutOfResourcesError('disk full (test)');
        },
        commit: async () => 'never',
        discard: async () => void discarded.push(info.sopInstanceUid),
      }),
    };
    const listener = await DicomListener.start({
      aeTitle: 'US_CART',
      port: 0,
      host: '127.0.0.1',
      handler: composeHandler(SCP_ACCEPTANCE, { verification: verificationScp, storage: storageScp(sink, nullLogger) }),
    });
    try {
      const file = await writeTestImage(join(dir, 'big.dcm'), { rows: 256, columns: 256, frames: 4 });
      const out = [];
      for await (const o of storeFiles([file], { peer: { aeTitle: 'US_CART', host: '127.0.0.1', port: listener.port }, callingAeTitle: 'MODALITY' })) out.push(o);
      expect(out.map((o) => [o.status?.hex, o.action])).toEqual([['A700', 'release-retry-later']]);
      expect(discarded).toHaveLength(1);
      expect(listener.stats.failed).toBe(0);
    } finally {
      await listener.close();
    }
  });
});
