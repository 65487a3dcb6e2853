/**
 * The listener of the RUNNING service (`sonicart serve`, spawned as the cart runs it): what the
 * library tests (scp-dcmtk, scp-faults) cannot see — the wiring. Received instances land in the
 * InstanceStore (a row with received_from, listed by GET /api/instances, the file under
 * instances/<study>/<series>/), the port bound for listenPort 0 is in GET /api/state, the
 * calling-AE policy and limits come from the configuration, refusals for disk space are A700
 * with nothing written, and SIGTERM with a C-STORE in flight finishes it (or, on the second
 * signal, leaves a partial file that the next start removes — never a row).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXPLICIT_VR_LE, transferSyntax } from '../../dicom/encoding/index.js';
import { uidFromRandom } from '../../dicom/core/index.js';
import { dimse, type pdu as pdus } from '../../dicom/net/index.js';
import { buildFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { VERIFICATION_SOP_CLASS, VERIFICATION_SYNTAXES } from '../../device/net/scu/services.js';
import type { DeviceState, ListAuditResponse, ListInstancesResponse, StoredInstanceView } from '../../device/web/api-types.js';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { dataSetBytes, dumpWithoutMeta, makeScpSources, SCP_SYNTAXES, type ScpSource } from '../helpers/scp-sources.js';
import { associateRq, connectScripted, readMessage, type PeerConnection } from '../helpers/scripted-peer.js';
import { freePort, startPeer } from '../helpers/net-peers.js';
import { killServes, spawnServe, startServe, testCartConfig, waitForState, type ServedCart } from '../helpers/serve-process.js';
import { testImageDataSet, US_IMAGE, writeTestImage } from '../unit/device-net/fixtures.js';

const ECHO = [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntaxes: VERIFICATION_SYNTAXES }];
const STORE_CTX = [{ abstractSyntax: US_IMAGE, transferSyntaxes: [EXPLICIT_VR_LE] }];

let scratch: string;
let cleanup: () => Promise<void>;
let sources: ScpSource[] = [];

beforeAll(async () => {
  ({ dir: scratch, cleanup } = await scratchDir('sonicart-service-scp-'));
  sources = await makeScpSources(join(scratch, 'in'));
}, 60_000);
afterAll(async () => {
  killServes();
  await cleanup();
});

/** The configuration of these tests: a free listen port, no panel, no worklist refresh. */
function cartConfig(name: string, more: Record<string, unknown> = {}): Record<string, unknown> {
  return testCartConfig(join(scratch, name, 'data'), more);
}

interface Cart {
  readonly served: ServedCart;
  readonly port: number;
  readonly dataDir: string;
}

async function startCart(name: string, more: Record<string, unknown> = {}): Promise<Cart> {
  const config = cartConfig(name, more);
  await mkdir(join(scratch, name), { recursive: true });
  const served = await startServe(join(scratch, name), config);
  const state = await api<DeviceState>(served, '/api/state');
  expect(state.scp).toMatchObject({ aeTitle: 'US_CART', listening: true, error: null });
  return { served, port: state.scp.port!, dataDir: config['dataDir'] as string };
}

async function api<T>(c: ServedCart, path: string): Promise<T> {
  const r = await fetch(`${c.base}${path}`);
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

const received = async (c: Cart, from?: string): Promise<readonly StoredInstanceView[]> =>
  (await api<ListInstancesResponse>(c.served, `/api/instances?limit=500${from ? `&receivedFrom=${from}` : ''}`)).instances;

const fileOf = (c: Cart, i: StoredInstanceView): string => join(c.dataDir, 'instances', i.studyInstanceUid, i.seriesInstanceUid, `${i.sopInstanceUid}.dcm`);

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function associate(port: number, contexts = ECHO, called = 'US_CART', calling = 'SCRIPTED'): Promise<{ conn: PeerConnection; answer: pdus.FramedPdu }> {
  const conn = await connectScripted(port);
  conn.send(associateRq(called, contexts, calling));
  return { conn, answer: await conn.readPdu() };
}

const echo = (port: number, calling = 'ECHOSCU') => runTool('echoscu', ['-aec', 'US_CART', '-aet', calling, '127.0.0.1', String(port)]);

/** A US image data set (Explicit VR LE bytes) of about `bytes`, with its UIDs. */
function usImage(bytes: number): { uid: string; data: Uint8Array } {
  const side = Math.ceil(Math.sqrt(bytes / 2));
  const { ds, sopInstanceUid, sopClassUid } = testImageDataSet({ rows: side, columns: side });
  const file = writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!);
  return { uid: sopInstanceUid, data: dataSetBytes(file) };
}

/** Sends a C-STORE-RQ command and the first `part` bytes of `data` on an accepted association. */
function startStore(conn: PeerConnection, uid: string, data: Uint8Array, part: number): dimse.PdvFragmenter {
  const f = new dimse.PdvFragmenter(1, 16384);
  for (const p of f.command(dimse.encodeCommand({ type: 'C-STORE-RQ', hasDataSet: true, messageId: 1, affectedSopClassUid: US_IMAGE, affectedSopInstanceUid: uid, priority: 0 }))) conn.send(p);
  for (const p of f.data(data.subarray(0, part))) conn.send(p);
  return f;
}

describe('sonicart serve as SCP: DCMTK, the API and the store', () => {
  let cart: Cart;
  beforeAll(async () => {
    cart = await startCart('main', { timers: { store: { associationRequestS: 1, inactivityS: 2 } } });
  }, 60_000);
  afterAll(async () => {
    expect(await cart.served.stop()).toBe(0);
  }, 30_000);

  it('echoscu: Verification on the port GET /api/state shows (listenPort 0)', async () => {
    const r = await echo(cart.port);
    expect(r.code, r.stderr).toBe(0);
    expect(cart.served.output()).toContain(`"msg":"scp listening","module":"scp","aeTitle":"US_CART","port":${cart.port}`);
  });

  it('storescu: 5 classes × 5 transfer syntaxes on 5 associations at once → 25 rows (received_from), files byte-equal in their data set and pixel data', async () => {
    const runs = SCP_SYNTAXES.map((s) =>
      runTool('storescu', [s.propose, '-aec', 'US_CART', '-aet', 'MODALITY', '127.0.0.1', String(cart.port), ...sources.filter((f) => f.ts === s.ts).map((f) => f.path)]),
    );
    for (const r of await Promise.all(runs)) expect(r.code, r.stderr + r.stdout).toBe(0);
    const list = await received(cart, 'MODALITY');
    expect(list).toHaveLength(sources.length);
    const byUid = new Map(list.map((i) => [i.sopInstanceUid, i]));
    const pairs: string[] = [];
    for (const src of sources) {
      const row = byUid.get(src.uid);
      expect(row, src.path).toMatchObject({ sopClassUid: src.sopClassUid, transferSyntaxUid: src.ts, receivedFrom: 'MODALITY', examId: null, state: 'ok' });
      const got = fileOf(cart, row!);
      const bytes = new Uint8Array(await readFile(got));
      expect(row!.size).toBe(bytes.length);
      expect(Buffer.from(dataSetBytes(bytes)).equals(Buffer.from(dataSetBytes(new Uint8Array(await readFile(src.path))))), src.path).toBe(true);
      expect(await dumpWithoutMeta(got)).toEqual(await dumpWithoutMeta(src.path));
      pairs.push(src.path, got);
    }
    // pydicom, independently: same transfer syntax and the same Pixel Data bytes.
    const py = await runPython(
      `import sys, pydicom
a = sys.argv[1:]
for s, g in zip(a[0::2], a[1::2]):
    x, y = pydicom.dcmread(s), pydicom.dcmread(g)
    assert x.file_meta.TransferSyntaxUID == y.file_meta.TransferSyntaxUID, g
    assert x.PixelData == y.PixelData, g
    assert y.file_meta.SourceApplicationEntityTitle.strip() == 'MODALITY', g
print(len(a) // 2)`,
      pairs,
    );
    expect(py.stdout.trim(), py.stderr).toBe(String(sources.length));
    expect(await filesUnder(join(cart.dataDir, 'incoming'))).toEqual([]);
    const audit = await api<ListAuditResponse>(cart.served, '/api/audit?action=receive&limit=500');
    expect(audit.entries.filter((e) => e.where === 'MODALITY')).toHaveLength(sources.length);
  }, 90_000);

  it('GET /api/instances refuses what it does not know: a study that is not a UID, an unknown parameter (400)', async () => {
    for (const q of ['study=abc', 'bogus=1', 'limit=0']) expect((await fetch(`${cart.served.base}/api/instances?${q}`)).status, q).toBe(400);
    expect((await api<ListInstancesResponse>(cart.served, '/api/instances?receivedFrom=NOBODY')).page.total).toBe(0);
  });

  it('the same instance again: Success, the stored copy kept, one row', async () => {
    const src = sources[0]!;
    const before = (await received(cart)).find((i) => i.sopInstanceUid === src.uid)!;
    const r = await runTool('storescu', ['-aec', 'US_CART', '-aet', 'AGAIN', '127.0.0.1', String(cart.port), src.path]);
    expect(r.code, r.stderr).toBe(0);
    const after = (await received(cart)).filter((i) => i.sopInstanceUid === src.uid);
    expect(after).toEqual([before]);
  });

  it('garbage instead of an A-ASSOCIATE-RQ: A-ABORT and close', async () => {
    const conn = await connectScripted(cart.port);
    conn.sendRaw(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    await conn.closed;
    expect(conn.received.map((p) => p.type)).toEqual(['A-ABORT']);
  });

  it('a P-DATA-TF above maxPduLength: A-ABORT (invalid PDU parameter)', async () => {
    const { conn, answer } = await associate(cart.port);
    expect(answer.type).toBe('A-ASSOCIATE-AC');
    conn.sendRaw(new Uint8Array([0x04, 0, 0x00, 0x10, 0x00, 0x00]));
    expect(await conn.readPdu()).toMatchObject({ type: 'A-ABORT', source: 2, reason: 6 });
    await conn.closed;
  });

  it('a wrong called AE title: A-ASSOCIATE-RJ permanent, called-AE-title-not-recognized', async () => {
    const { conn, answer } = await associate(cart.port, ECHO, 'NOT_US');
    expect(answer).toMatchObject({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 7 });
    conn.end();
  });

  it('connect and say nothing: closed by ARTIM (timers.store.associationRequestS = 1)', async () => {
    const t0 = Date.now();
    const conn = await connectScripted(cart.port);
    await conn.closed;
    expect(conn.received).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('A-ASSOCIATE-RQ, then silence: A-ABORT by the inactivity timer (timers.store.inactivityS = 2)', async () => {
    const { conn, answer } = await associate(cart.port);
    expect(answer.type).toBe('A-ASSOCIATE-AC');
    expect(await conn.readPdu()).toMatchObject({ type: 'A-ABORT' });
    await conn.closed;
  });

  it('abort in the middle of a C-STORE: no partial file, no row', async () => {
    const img = usImage(2_000_000);
    const { conn, answer } = await associate(cart.port, STORE_CTX);
    expect(answer.type).toBe('A-ASSOCIATE-AC');
    startStore(conn, img.uid, img.data, 1_000_000);
    await until(async () => (await filesUnder(join(cart.dataDir, 'incoming'))).length === 1, 'the partial file in incoming/');
    conn.send({ type: 'A-ABORT', source: 0, reason: 0 });
    conn.end();
    await until(async () => (await filesUnder(join(cart.dataDir, 'incoming'))).length === 0, 'partial file removed');
    expect((await received(cart)).find((i) => i.sopInstanceUid === img.uid)).toBeUndefined();
    expect((await filesUnder(join(cart.dataDir, 'instances'))).some((f) => f.includes(img.uid))).toBe(false);
  });

  it('50 associations at once: scp.maxAssociations (8) accepted, 42 rejected transient local-limit-exceeded; echo works afterwards', async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => associate(cart.port)));
    const accepted = all.filter((a) => a.answer.type === 'A-ASSOCIATE-AC');
    const rejected = all.filter((a) => a.answer.type === 'A-ASSOCIATE-RJ');
    expect(accepted).toHaveLength(8);
    expect(rejected).toHaveLength(42);
    for (const r of rejected) expect(r.answer).toMatchObject({ result: 2, source: 3, reason: 2 });
    expect((await api<DeviceState>(cart.served, '/api/state')).scp.associations).toBe(8);
    await Promise.all(
      accepted.map(async ({ conn }) => {
        for (const p of dimse.fragmentMessage(1, dimse.encodeCommand({ type: 'C-ECHO-RQ', hasDataSet: false, messageId: 1, affectedSopClassUid: VERIFICATION_SOP_CLASS }), undefined, 16384)) conn.send(p);
        expect((await readMessage(conn)).command).toMatchObject({ type: 'C-ECHO-RSP', status: 0 });
        conn.send({ type: 'A-RELEASE-RQ' });
        expect((await conn.readPdu()).type).toBe('A-RELEASE-RP');
        conn.end();
      }),
    );
    for (const { conn } of all) conn.end();
    await until(async () => (await api<DeviceState>(cart.served, '/api/state')).scp.associations === 0, 'all released');
    expect((await echo(cart.port)).code).toBe(0);
  }, 30_000);
});

describe('serve --listen-port', () => {
  it('takes 0-65535 (0: a free port); anything else is a usage error', async () => {
    const { parseServeArgs } = await import('../../device/cli/commands/serve.js');
    expect(parseServeArgs(['--listen-port', '0'])).toEqual({ listenPort: 0 });
    expect(parseServeArgs(['--listen-port', '104'])).toEqual({ listenPort: 104 });
    for (const bad of ['x', '-1', '65536', '1.5', '']) expect(() => parseServeArgs([`--listen-port=${bad}`]), bad).toThrow(/--listen-port must be a port 0-65535/);
  });
});

describe('who may associate: config.scp', () => {
  afterEach(() => killServes());

  it('unknownCallingAe reject + callingAeTitles [PACS]: PACS is served, anyone else (even on loopback) gets RJ permanent, calling-AE-title-not-recognized', async () => {
    const cart = await startCart('policy', { scp: { unknownCallingAe: 'reject', callingAeTitles: ['PACS'] } });
    expect((await echo(cart.port, 'PACS')).code).toBe(0);
    const { conn, answer } = await associate(cart.port, ECHO, 'US_CART', 'STRANGER');
    expect(answer).toMatchObject({ type: 'A-ASSOCIATE-RJ', result: 1, source: 1, reason: 3 });
    conn.end();
    const r = await echo(cart.port, 'STRANGER');
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/Calling AE Title Not Recognized/i);
    expect(await cart.served.stop()).toBe(0);
  }, 60_000);

  it('scp.tls with caFile: storescu over TLS with a client certificate of that CA stores (a row), a client of another CA is refused in the handshake', async () => {
    const { makeTestPki } = await import('../helpers/test-pki.js');
    const pki = await makeTestPki(join(scratch, 'pki'));
    const other = await makeTestPki(join(scratch, 'pki-other'));
    const cart = await startCart('tls', { scp: { tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert } } });
    expect((await api<DeviceState>(cart.served, '/api/state')).scp.tls).toBe(true);
    const src = sources[2]!;
    const ok = await runTool('storescu', ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.caCert, '-aec', 'US_CART', '-aet', 'TLS_SCU', '127.0.0.1', String(cart.port), src.path]);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect((await received(cart, 'TLS_SCU')).map((i) => i.sopInstanceUid)).toEqual([src.uid]);
    const bad = await runTool('echoscu', ['+tls', other.clientKey, other.clientCert, '+cf', pki.caCert, '-aec', 'US_CART', '127.0.0.1', String(cart.port)]);
    expect(bad.code).not.toBe(0);
    const plain = await echo(cart.port);
    expect(plain.code).not.toBe(0);
    expect(await cart.served.stop()).toBe(0);
  }, 60_000);

  it('a port that is taken: the cart still starts, GET /api/state and an alarm say why', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '0.0.0.0', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const config = cartConfig('taken', { listenPort: taken });
      await mkdir(join(scratch, 'taken'), { recursive: true });
      const served = await startServe(join(scratch, 'taken'), config);
      const state = await api<DeviceState>(served, '/api/state');
      expect(state.scp).toMatchObject({ listening: false, port: null, error: expect.stringContaining('EADDRINUSE') });
      expect(state.alarms.map((a) => a.code)).toContain('SCP_NOT_LISTENING');
      expect(await served.stop()).toBe(0);
    } finally {
      blocker.close();
    }
  }, 60_000);
});

describe('disk refusals: A700, nothing written', () => {
  afterEach(() => killServes());

  it('free disk below quotas.refuseFreeMb: storescu hears A700 (out of resources), no file, no row', async () => {
    const cart = await startCart('full', { quotas: { warnFreeMb: 9_000_000, refuseFreeMb: 9_000_000 } });
    const r = await runTool('storescu', ['-d', '-aec', 'US_CART', '-aet', 'MODALITY', '127.0.0.1', String(cart.port), sources[0]!.path]);
    expect(r.stderr + r.stdout).toMatch(/Status\s*:\s*0xa700/i);
    expect(await received(cart)).toEqual([]);
    expect(await filesUnder(join(cart.dataDir, 'instances'))).toEqual([]);
    expect(await filesUnder(join(cart.dataDir, 'incoming'))).toEqual([]);
    expect(await cart.served.stop()).toBe(0);
  }, 60_000);

  it('the spool at quotas.maxSpoolMb: the instance that fills it is kept, the next is refused with A700', async () => {
    const cart = await startCart('quota', { quotas: { maxSpoolMb: 10, warnFreeMb: 1, refuseFreeMb: 0 } });
    const big = await writeTestImage(join(scratch, 'quota', 'big.dcm'), { rows: 2400, columns: 2400 }); // 11 MiB of 16-bit pixels
    const bigUid = (await runTool('dcmdump', ['-q', '+P', '0008,0018', big])).stdout.match(/\[([0-9.]+)\]/)![1]!;
    const first = await runTool('storescu', ['-aec', 'US_CART', '-aet', 'MODALITY', '127.0.0.1', String(cart.port), big]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runTool('storescu', ['-d', '-aec', 'US_CART', '-aet', 'MODALITY', '127.0.0.1', String(cart.port), sources[1]!.path]);
    expect(second.stderr + second.stdout).toMatch(/Status\s*:\s*0xa700/i);
    expect((await received(cart)).map((i) => i.sopInstanceUid)).toEqual([bigUid]);
    expect(await filesUnder(join(cart.dataDir, 'incoming'))).toEqual([]);
    expect(await cart.served.stop()).toBe(0);
  }, 60_000);
});

describe('SIGTERM with a C-STORE in flight', () => {
  afterEach(() => killServes());

  it('one SIGTERM: the C-STORE finishes (Success, durable, a row after restart), the association is ended, exit 0', async () => {
    const cart = await startCart('drain');
    const img = usImage(4_000_000);
    const { conn, answer } = await associate(cart.port, STORE_CTX, 'US_CART', 'MODALITY');
    expect(answer.type).toBe('A-ASSOCIATE-AC');
    const f = startStore(conn, img.uid, img.data, 2_000_000);
    await until(async () => (await filesUnder(join(cart.dataDir, 'incoming'))).length === 1, 'the partial file in incoming/');
    process.kill(cart.served.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    for (const p of [...f.data(img.data.subarray(2_000_000)), ...f.endData()]) conn.send(p);
    const rsp = await readMessage(conn).catch((e: Error) => new Error(`${e.message}\n${cart.served.output()}`));
    if (rsp instanceof Error) throw rsp;
    expect(rsp.command).toMatchObject({ type: 'C-STORE-RSP', status: 0 });
    await conn.closed; // the service ends the association (abort) once nothing is in flight
    expect(await cart.served.exit).toBe(0);
    const again = await startServe(join(scratch, 'drain'), cartConfig('drain'));
    const list = (await api<ListInstancesResponse>(again, '/api/instances?receivedFrom=MODALITY')).instances;
    expect(list.map((i) => i.sopInstanceUid)).toEqual([img.uid]);
    const stored = new Uint8Array(await readFile(join(cartConfig('drain')['dataDir'] as string, 'instances', list[0]!.studyInstanceUid, list[0]!.seriesInstanceUid, `${img.uid}.dcm`)));
    expect(Buffer.from(dataSetBytes(stored)).equals(Buffer.from(img.data))).toBe(true);
    expect(await again.stop()).toBe(0);
  }, 60_000);

  it('a second SIGTERM aborts: exit 1, the partial file is removed at the next start, no row', async () => {
    const cart = await startCart('abort');
    const img = usImage(4_000_000);
    const { conn, answer } = await associate(cart.port, STORE_CTX, 'US_CART', 'MODALITY');
    expect(answer.type).toBe('A-ASSOCIATE-AC');
    startStore(conn, img.uid, img.data, 2_000_000);
    await until(async () => (await filesUnder(join(cart.dataDir, 'incoming'))).length === 1, 'the partial file in incoming/');
    process.kill(cart.served.pid, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(cart.served.pid, 'SIGTERM');
    expect(await cart.served.stop()).toBe(1);
    conn.destroy();
    const again = await startServe(join(scratch, 'abort'), cartConfig('abort'));
    expect((await api<ListInstancesResponse>(again, '/api/instances')).instances).toEqual([]);
    expect(await filesUnder(join(cart.dataDir, 'incoming'))).toEqual([]);
    expect(await filesUnder(join(cart.dataDir, 'instances'))).toEqual([]);
    expect(await again.stop()).toBe(0);
  }, 60_000);
});


describe('Orthanc and the simulated hospital talk to the running service', () => {
  afterEach(() => killServes());

  /** N-ACTION (storage commitment) from "US_CART" to `port`; the report must come back to the service's listener. */
  async function askCommitment(port: number, calledAe: string): Promise<string> {
    const { Association } = await import('../../device/net/association.js');
    const { commitmentProposals, requestCommitment } = await import('../../device/net/scu/commitment.js');
    const tx = uidFromRandom(randomBytes(16));
    const a = await Association.open({ peer: { aeTitle: calledAe, host: '127.0.0.1', port }, callingAeTitle: 'US_CART', proposals: commitmentProposals(), handler: async () => ({ status: 0 }) });
    await requestCommitment(a, tx, [{ sopClassUid: US_IMAGE, sopInstanceUid: uidFromRandom(randomBytes(16)) }]);
    await a.release();
    return tx;
  }

  async function auditedReport(c: ServedCart, tx: string): Promise<ListAuditResponse['entries'][number]> {
    let found: ListAuditResponse['entries'][number] | undefined;
    await until(async () => {
      found = (await api<ListAuditResponse>(c, '/api/audit?action=commitment-report')).entries.find((e) => e.what === `transaction ${tx}`);
      return found !== undefined;
    }, `the commitment report of ${tx} in the audit trail`, 20_000);
    return found!;
  }

  it('Orthanc C-STOREs to the cart through its REST API (rows received_from ORTHANC, dumping as Orthanc has them); its commitment report on a new association reaches the default handler (audited, unmatched)', async () => {
    const listenPort = await freePort();
    const cart = await startCart('orthanc', { listenPort });
    const odir = join(scratch, 'orthanc', 'orthanc');
    await mkdir(odir, { recursive: true });
    const dicomPort = await freePort();
    const httpPort = await freePort();
    await writeFile(
      join(odir, 'orthanc.json'),
      JSON.stringify({ Name: 'sonicart-service-scp', StorageDirectory: odir, IndexDirectory: odir, DicomAet: 'ORTHANC', DicomPort: dicomPort, HttpPort: httpPort, RemoteAccessAllowed: false, AuthenticationEnabled: false, DicomModalities: { cart: ['US_CART', '127.0.0.1', listenPort] } }),
    );
    const orthanc = await startPeer('/usr/sbin/Orthanc', [join(odir, 'orthanc.json')], dicomPort, { readyTimeoutMs: 30_000 });
    try {
      const rest = async (method: string, path: string, body?: string | Uint8Array): Promise<unknown> => {
        const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, { method, ...(body !== undefined ? { body } : {}) });
        const text = await r.text();
        expect(r.ok, `${method} ${path}: ${r.status} ${text}`).toBe(true);
        return text ? JSON.parse(text) : undefined;
      };
      const files = [sources[3]!.path, await writeTestImage(join(odir, 'cine.dcm'), { rows: 60, columns: 80, samples: 3, frames: 4 })];
      const ids: string[] = [];
      for (const f of files) ids.push(((await rest('POST', '/instances', new Uint8Array(await readFile(f)))) as { ID: string }).ID);
      const job = (await rest('POST', '/modalities/cart/store', JSON.stringify({ Resources: ids, Synchronous: true }))) as Record<string, unknown>;
      expect(job['FailedInstancesCount'] ?? 0, JSON.stringify(job)).toBe(0);
      const rows = await received(cart, 'ORTHANC');
      expect(rows).toHaveLength(2);
      for (const id of ids) {
        const uid = ((await rest('GET', `/instances/${id}/tags?simplify`)) as Record<string, string>)['SOPInstanceUID']!;
        const row = rows.find((r) => r.sopInstanceUid === uid);
        expect(row, uid).toBeDefined();
        const theirs = join(odir, `orthanc-${id}.dcm`);
        await writeFile(theirs, new Uint8Array(await (await fetch(`http://127.0.0.1:${httpPort}/instances/${id}/file`)).arrayBuffer()));
        expect(await dumpWithoutMeta(fileOf(cart, row!)), uid).toEqual(await dumpWithoutMeta(theirs));
      }
      const tx = await askCommitment(dicomPort, 'ORTHANC');
      expect(await auditedReport(cart.served, tx)).toMatchObject({ where: 'ORTHANC', outcome: 'failure', detail: expect.stringContaining('unmatched') });
    } finally {
      await orthanc.stop(10_000);
    }
    expect(cart.served.output()).toMatch(/storage commitment report matches no transaction of ours/);
    expect(await cart.served.stop()).toBe(0);
  }, 90_000);

  it('sonicart serve with the built-in defaults and listen port 0: the simulated hospital reports commitment to the port the listener bound', async () => {
    const home = join(scratch, 'demo');
    await mkdir(home, { recursive: true });
    const s = await spawnServe(home); // the helper adds --listen-port 0
    await waitForState(s, 30_000);
    const hospitalPort = Number(/simulated hospital HOSPITAL on 127\.0\.0\.1:(\d+)/.exec(s.stdout())![1]);
    const served: ServedCart = { pid: s.child.pid!, port: s.port, base: `http://127.0.0.1:${s.port}`, exit: s.exit, output: () => s.stdout() + s.stderr(), stop: async () => (process.kill(s.child.pid!, 'SIGTERM'), s.exit) };
    const state = await api<DeviceState>(served, '/api/state');
    expect(state.scp.port).not.toBe(11112);
    const tx = await askCommitment(hospitalPort, 'HOSPITAL');
    expect(await auditedReport(served, tx)).toMatchObject({ where: 'HOSPITAL', detail: expect.stringContaining('0 committed, 1 failed') });
    expect(await served.stop()).toBe(0);
  }, 60_000);
});
