/**
 * The association against a scripted peer that misbehaves in every way the issue lists:
 * rejects, aborts mid-transfer, never answers (each timer fires and names itself), sends an
 * oversized or malformed PDU, closes mid-PDU, sends PDUs out of order. Each ends in the typed
 * error that names the peer, the step and the reason; none hangs or crashes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association, type AssociationOptions } from '../../../device/net/association.js';
import {
  AssociationAbortedError,
  AssociationRejectedError,
  ConnectError,
  ConnectionClosedError,
  NoAcceptableContextError,
  PeerProtocolError,
  TimerExpiredError,
} from '../../../device/net/errors.js';
import { echo, probeProposals } from '../../../device/net/scu/echo.js';
import { storeFiles } from '../../../device/net/scu/store.js';
import { VERIFICATION_SOP_CLASS, VERIFICATION_SYNTAXES } from '../../../device/net/scu/services.js';
import { writeTestImage } from './fixtures.js';
import {
  acceptAll,
  acceptAssociation,
  answerRelease,
  readMessage,
  sendMessage,
  scriptedPeerPerTest,
} from '../../helpers/scripted-peer.js';

const ECHO_PROPOSALS = [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: VERIFICATION_SYNTAXES }];
let dir: string;

beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'sonicart-faults-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));
const withPeer = scriptedPeerPerTest();

function options(port: number, more: Partial<AssociationOptions> = {}): AssociationOptions {
  return {
    peer: { aeTitle: 'SCRIPTED', host: '127.0.0.1', port },
    callingAeTitle: 'US_CART',
    proposals: ECHO_PROPOSALS,
    timers: { associationRequestMs: 2000, inactivityMs: 2000, wholeAssociationMs: 10_000, artimMs: 1000 },
    ...more,
  };
}

const echoResponse = (messageId: number) =>
  ({ type: 'C-ECHO-RSP', hasDataSet: false, messageIdBeingRespondedTo: messageId, status: 0, affectedSopClassUid: VERIFICATION_SOP_CLASS }) as const;

describe('establishment', () => {
  it('echo and release against a well-behaved script', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      const m = await readMessage(c);
      sendMessage(c, m.contextId, echoResponse(m.command.messageId!));
      await answerRelease(c);
    });
    const a = await Association.open(options(p.port));
    expect((await echo(a)).status.hex).toBe('0000');
    await a.release();
    expect(p.connections[0]!.received.map((x) => x.type)).toEqual(['A-ASSOCIATE-RQ', 'P-DATA-TF', 'A-RELEASE-RQ']);
    expect(p.scriptErrors).toEqual([]);
  });

  it('rejected (called AE title not recognised) → AssociationRejectedError with the reason', async () => {
    const p = await withPeer(async (c) => {
      await c.readPdu();
      c.send({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
      c.end();
    });
    const err = await Association.open(options(p.port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationRejectedError);
    const r = err as AssociationRejectedError;
    expect(r.describe()).toBe(
      'peer SCRIPTED@127.0.0.1:' + p.port + ', step A-ASSOCIATE, reason association rejected-permanent by DICOM UL service-user: called-AE-title-not-recognized',
    );
    expect(r.transient).toBe(false);
  });

  it('no acceptable presentation context → NoAcceptableContextError on use', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c, { result: 3 });
      await answerRelease(c);
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoAcceptableContextError);
    expect((err as Error).message).toMatch(/did not accept the Verification SOP class/);
    await a.release();
  });

  it('connection refused → ConnectError naming the peer', async () => {
    const p = await withPeer(async () => undefined);
    const port = p.port;
    await p.close(); // closed again after the test: a second close() resolves too
    const err = await Association.open(options(port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).describe()).toMatch(new RegExp(`peer SCRIPTED@127.0.0.1:${port}, step connect, reason ECONNREFUSED`));
  });

  it('an A-ASSOCIATE-AC for a context we never proposed → PeerProtocolError and our A-ABORT', async () => {
    const p = await withPeer(async (c) => {
      const rq = await c.readPdu();
      if (rq.type !== 'A-ASSOCIATE-RQ') return;
      const ac = acceptAll(rq);
      c.send({ ...ac, presentationContexts: [{ id: 99, result: 0, transferSyntax: '1.2.840.10008.1.2' }] });
      await c.readUntil('A-ABORT');
    });
    const err = await Association.open(options(p.port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/context 99, which we did not propose/);
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.at(-1)!.type).toBe('A-ABORT');
  });
});

describe('timers fire, name themselves, abort and close', () => {
  it('association-request: the peer never answers the A-ASSOCIATE-RQ', async () => {
    const p = await withPeer(async (c) => {
      await c.readPdu();
      await c.closed;
    });
    const t0 = Date.now();
    const err = await Association.open(options(p.port, { timers: { associationRequestMs: 300 } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimerExpiredError);
    expect((err as TimerExpiredError).timer).toBe('association-request');
    expect(Date.now() - t0).toBeLessThan(2000);
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.map((x) => x.type)).toEqual(['A-ASSOCIATE-RQ', 'A-ABORT']);
  });

  it('inactivity: the peer never answers the C-ECHO-RQ', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await c.closed;
    });
    const a = await Association.open(options(p.port, { timers: { inactivityMs: 300 } }));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimerExpiredError);
    expect((err as TimerExpiredError).timer).toBe('inactivity');
    expect((err as TimerExpiredError).describe()).toMatch(/step C-ECHO, reason inactivity timer expired after 300 ms/);
    await a.closed;
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.map((x) => x.type)).toEqual(['A-ASSOCIATE-RQ', 'P-DATA-TF', 'A-ABORT']);
  });

  it('whole-association: a peer that keeps answering pending for ever', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      const m = await readMessage(c);
      // A C-ECHO answered "pending" again and again: never final, never inactive.
      const timer = setInterval(() => sendMessage(c, m.contextId, { ...echoResponse(m.command.messageId!), status: 0xff00 }), 50);
      await c.closed;
      clearInterval(timer);
    });
    const a = await Association.open(options(p.port, { timers: { inactivityMs: 200, wholeAssociationMs: 700 } }));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimerExpiredError);
    expect((err as TimerExpiredError).timer).toBe('whole-association');
  });
});

describe('a peer that breaks the protocol', () => {
  it('aborts mid-transfer → AssociationAbortedError for that instance, the rest not sent', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c, { maxLength: 4096 });
      await c.readUntil('P-DATA-TF');
      await c.readUntil('P-DATA-TF');
      c.send({ type: 'A-ABORT', source: 0, reason: 0 });
      c.end();
    });
    const f1 = await writeTestImage(join(dir, 'a.dcm'), { rows: 256, columns: 256 });
    const f2 = await writeTestImage(join(dir, 'b.dcm'), { rows: 16, columns: 16 });
    const outcomes = [];
    for await (const o of storeFiles([f1, f2], { ...options(p.port), peer: { aeTitle: 'SCRIPTED', host: '127.0.0.1', port: p.port } })) outcomes.push(o);
    expect(outcomes.map((o) => o.action)).toEqual(['not-sent', 'not-sent']);
    expect(outcomes[0]!.error).toBeInstanceOf(AssociationAbortedError);
    expect(outcomes[0]!.why).toMatch(/step C-STORE 2\.25\.\d+, reason peer aborted the association: DICOM UL service-user/);
  });

  it('an oversized PDU is refused from its header, before its body arrives', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await readMessage(c);
      // P-DATA-TF announcing 100 MiB; only the header is sent.
      c.sendRaw(new Uint8Array([0x04, 0, 0x06, 0x40, 0, 0]));
      await c.readUntil('A-ABORT');
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/PDU-length 104857600 exceeds the maximum 65536/);
    await p.connections[0]!.closed;
    const abort = p.connections[0]!.received.at(-1)!;
    expect(abort).toMatchObject({ type: 'A-ABORT', source: 2, reason: 6 });
  });

  it('a malformed PDU (an A-RELEASE-RP of the wrong length) → PeerProtocolError, provider abort', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await readMessage(c);
      c.sendRaw(new Uint8Array([0x06, 0, 0, 0, 0, 2, 0, 0]));
      await c.readUntil('A-ABORT');
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as PeerProtocolError).step).toBe('C-ECHO');
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.at(-1)!.type).toBe('A-ABORT');
  });

  it('an unknown PDU type → PeerProtocolError (unrecognized PDU)', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await readMessage(c);
      c.sendRaw(new Uint8Array([0x09, 0, 0, 0, 0, 0]));
      await c.readUntil('A-ABORT');
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/unrecognised PDU type 0x9/);
  });

  it('the socket closed mid-PDU → ConnectionClosedError saying so', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await readMessage(c);
      c.sendRaw(new Uint8Array([0x04, 0, 0, 0, 0, 80, 0, 0, 0]));
      c.end();
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as Error).message).toMatch(/closed in the middle of a PDU \(9 bytes of it received\)/);
  });

  it('P-DATA before the A-ASSOCIATE-AC (out of order) → PeerProtocolError naming state and PDU', async () => {
    const p = await withPeer(async (c) => {
      await c.readPdu();
      sendMessage(c, 1, echoResponse(1));
      await c.readUntil('A-ABORT');
    });
    const err = await Association.open(options(p.port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/unexpected P-DATA-TF PDU in Sta5/);
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.at(-1)).toMatchObject({ type: 'A-ABORT', source: 2, reason: 2 });
  });

  it('a data PDV before its command (out of order) → PeerProtocolError', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      const m = await readMessage(c);
      c.send({ type: 'P-DATA-TF', pdvs: [{ contextId: m.contextId, command: false, last: true, data: new Uint8Array(4) }] });
      await c.readUntil('A-ABORT');
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/out-of-order P-DATA: data PDV on context 1 before any command/);
  });

  it('a response to a message ID that is not outstanding → PeerProtocolError', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      const m = await readMessage(c);
      sendMessage(c, m.contextId, echoResponse(m.command.messageId! + 7));
      await c.readUntil('A-ABORT');
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerProtocolError);
    expect((err as Error).message).toMatch(/answers message ID 8, which is not outstanding/);
  });
});

describe('release and abort, both ways', () => {
  it('the peer asks to release while we wait: we answer A-RELEASE-RP, the operation fails', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await readMessage(c);
      c.send({ type: 'A-RELEASE-RQ' });
      await c.readUntil('A-RELEASE-RP');
      c.end();
    });
    const a = await Association.open(options(p.port));
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect((err as Error).message).toMatch(/peer released the association/);
    await a.closed;
    expect(p.scriptErrors).toEqual([]);
  });

  it('we abort: the peer receives A-ABORT (service-user) and the socket closes', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      await c.closed;
    });
    const a = await Association.open(options(p.port));
    a.abort();
    await a.closed;
    await p.connections[0]!.closed;
    expect(p.connections[0]!.received.at(-1)).toMatchObject({ type: 'A-ABORT', source: 0 });
  });

  it('the peer aborts between operations: the next use reports AssociationAbortedError', async () => {
    const p = await withPeer(async (c) => {
      await acceptAssociation(c);
      c.send({ type: 'A-ABORT', source: 2, reason: 1 });
      c.end();
    });
    const a = await Association.open(options(p.port));
    await a.closed;
    const err = await echo(a).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AssociationAbortedError);
    expect((err as Error).message).toMatch(/service-provider \(initiated abort\): unrecognized-PDU/);
  });

  it('probe proposals fit one association (26 contexts)', () => {
    expect(probeProposals()).toHaveLength(26);
  });
});
