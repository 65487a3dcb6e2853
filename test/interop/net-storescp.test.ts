/**
 * C-ECHO and C-STORE against DCMTK's storescp on loopback: the files storescp received are
 * compared, element for element (normalised dcmdump of the data set), with the files we sent —
 * as they are when the syntax was accepted, converted when storescp accepts only Implicit VR
 * LE — and the same over TLS with client certificates made by openssl for the test.
 */
import { cli } from '../helpers/cli-capture.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { readPart10 } from '../../dicom/part10/index.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../device/cli/main.js';
import { storeFiles, type StoreOutcome } from '../../device/net/scu/store.js';
import { normalizeDcmdump } from '../helpers/dcmdump-normalize.js';
import { receivedBy } from '../helpers/service-peers.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';
import { PYDICOM_DATA, runTool, scratchDir } from '../helpers/run-tool.js';
import { writeTestImage } from '../unit/device-net/fixtures.js';

const CORPUS = join(PYDICOM_DATA, 'test_files');
/** Explicit/implicit/big endian, deflated, odd-sized RGB, JPEG baseline and lossless-ish JPEG from the pydicom corpus. */
const CORPUS_FILES = ['CT_small.dcm', 'MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'image_dfl.dcm', 'SC_rgb_small_odd.dcm', 'JPEG-lossy.dcm', 'SC_rgb_jpeg_dcmtk.dcm'];
const JPEG_FILES = new Set(['JPEG-lossy.dcm', 'SC_rgb_jpeg_dcmtk.dcm']);

let dir: string;
let cleanup: () => Promise<void>;
let files: string[];
const peers: PeerProcess[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-storescp-'));
  files = CORPUS_FILES.map((f) => join(CORPUS, f));
  await mkdir(join(dir, 'images'));
  files.push(await writeTestImage(join(dir, 'images', 'rgb-cine.dcm'), { rows: 96, columns: 128, samples: 3, frames: 4 }));
  files.push(await writeTestImage(join(dir, 'images', 'grey16-be.dcm'), { rows: 33, columns: 31, ts: '1.2.840.10008.1.2.2' }));
});

afterAll(async () => {
  for (const p of peers) await p.stop();
  await cleanup();
});

async function storescp(name: string, args: readonly string[]): Promise<{ port: number; out: string; proc: PeerProcess }> {
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  const port = await freePort();
  const proc = await startPeer('storescp', ['--fork', '-od', out, ...args, String(port)], port);
  peers.push(proc);
  return { port, out, proc };
}

async function dataSetDump(path: string): Promise<string[]> {
  const r = await runTool('dcmdump', ['-q', '+L', path]);
  expect(r.code, r.stderr).toBe(0);
  // storescp drops Data Set Trailing Padding when it writes, as PS3.5 §7.5 lets it.
  return normalizeDcmdump(r.stdout).filter((l) => !l.startsWith('(fffc,fffc)'));
}

/** Pixel Data bytes as little-endian samples, whatever the file's syntax. */
function pixelBytes(path: string): string {
  const f = readPart10(new Uint8Array(readFileSync(path)), { inflateRaw: (b) => inflateRawSync(b) });
  const b = f.dataset.get(0x7fe00010)?.bytes;
  return b ? createHash('sha256').update(b).digest('hex') : 'none';
}

async function sendAll(port: number, paths: readonly string[]): Promise<StoreOutcome[]> {
  const out: StoreOutcome[] = [];
  for await (const o of storeFiles(paths, { peer: { aeTitle: 'STORESCP', host: '127.0.0.1', port }, callingAeTitle: 'US_CART' })) out.push(o);
  return out;
}

describe('storescp +xa (accepts JPEG too)', () => {
  it('stores every file as it is, and storescp received exactly what we sent', async () => {
    const scp = await storescp('xa', ['+xa']);
    const outcomes = await sendAll(scp.port, files);
    expect(outcomes.map((o) => [o.path.split('/').pop(), o.status?.hex, o.action])).toEqual(files.map((f) => [f.split('/').pop(), '0000', 'next']));
    const got = await receivedBy(scp.out);
    for (const o of outcomes) {
      const path = got.get(o.sopInstanceUid!);
      expect(path, `${o.path} not received`).toBeDefined();
      expect(await dataSetDump(path!), o.path).toEqual(await dataSetDump(o.path));
    }
    // Sent as stored, except the deflated file, which goes out inflated.
    const dfl = outcomes.find((o) => o.path.endsWith('image_dfl.dcm'))!;
    expect(dfl.transferSyntax).toBe('1.2.840.10008.1.2.1');
    expect(outcomes.find((o) => o.path.endsWith('JPEG-lossy.dcm'))!.transferSyntax).toBe('1.2.840.10008.1.2.4.51');
  });

  it('sonicart echo reports Verification and the storage the peer accepts', async () => {
    const scp = await storescp('echo', ['+xa']);
    const c = cli();
    const code = await main(['echo', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP'], c.io);
    expect(code, c.err.join('\n')).toBe(0);
    expect(c.out[0]).toMatch(new RegExp(`^C-ECHO STORESCP@127.0.0.1:${scp.port} \\(tcp\\): Success \\(0000\\)`));
    expect(c.out.join('\n')).toMatch(/US Image Storage 1\.2\.840\.10008\.5\.1\.4\.1\.1\.6\.1: Explicit VR Little Endian, Implicit VR Little Endian, Explicit VR Big Endian, JPEG Baseline/);
  });

  it('sonicart send --parallel 3 prints one line per instance', async () => {
    const scp = await storescp('parallel', ['+xa']);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', '--parallel', '3', join(dir, 'images')], c.io);
    expect(code, c.err.join('\n')).toBe(0);
    expect(c.out).toHaveLength(2);
    for (const l of c.out) expect(l).toMatch(/\t2\.25\.\d+\t0000 Success\tnext$/);
  });
});

describe('storescp +xi (Implicit VR LE only): the sender converts', () => {
  it('uncompressed files are re-encoded and arrive element for element; 8-bit JPEG is decoded (net-transcode.test.ts checks its pixels)', async () => {
    const scp = await storescp('xi', ['+xi']);
    const outcomes = await sendAll(scp.port, files);
    const got = await receivedBy(scp.out);
    for (const o of outcomes) {
      const name = o.path.split('/').pop()!;
      if (name === 'JPEG-lossy.dcm') {
        // 12-bit JPEG Extended: the transcoder decodes 8-bit JPEG only.
        expect(o.action, name).toBe('not-sent');
        expect(o.why).toMatch(/JPEG Extended .* only 8-bit JPEG/);
        continue;
      }
      if (JPEG_FILES.has(name)) {
        expect([name, o.status?.hex, o.transferSyntax, o.conversion?.kind]).toEqual([name, '0000', '1.2.840.10008.1.2', 'transcode']);
        expect(got.has(o.sopInstanceUid!), name).toBe(true);
        continue;
      }
      expect([name, o.status?.hex, o.transferSyntax]).toEqual([name, '0000', '1.2.840.10008.1.2']);
      // Implicit VR has no VR on the wire: dcmdump reads Pixel Data as OW there, so its line
      // is compared as bytes instead.
      const noPixels = (l: string[]): string[] => l.filter((x) => !x.startsWith('(7fe0,0010)'));
      const theirs = got.get(o.sopInstanceUid!)!;
      expect(noPixels(await dataSetDump(theirs)), name).toEqual(noPixels(await dataSetDump(o.path)));
      expect(pixelBytes(theirs)).toEqual(pixelBytes(o.path));
    }
  });

  it('sonicart send exits 1 and names peer, step and reason for what was not stored', async () => {
    const scp = await storescp('xi-cli', ['+xi']);
    const c = cli();
    const code = await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', join(CORPUS, 'JPEG-lossy.dcm'), join(CORPUS, 'CT_small.dcm')], c.io);
    expect(code).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(new RegExp(`^1 of 2 instances not stored; first: peer STORESCP@127.0.0.1:${scp.port}, step C-STORE [0-9.]+, reason converting JPEG Extended \\(Process 2 & 4\\) → Implicit VR Little Endian: .*only 8-bit JPEG`));
  });
});

describe('DICOM TLS (BCP 195) with client certificates', () => {
  let pki: TestPki;
  beforeAll(async () => void (pki = await makeTestPki(join(dir, 'pki'))));

  it('echo and send over TLS; storescp requires and verifies our certificate', async () => {
    const scp = await storescp('tls', ['+xa', '+tls', pki.serverKey, pki.serverCert, '+cf', pki.caCert, '-rc']);
    const tls = ['--tls', '--tls-ca', pki.caCert, '--tls-cert', pki.clientCert, '--tls-key', pki.clientKey];
    const e = cli();
    expect(await main(['echo', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', ...tls], e.io), e.err.join('\n')).toBe(0);
    expect(e.out[0]).toMatch(/\(tls TLSv1\.[23] TLS_/);
    const s = cli();
    expect(await main(['send', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', ...tls, join(CORPUS, 'CT_small.dcm')], s.io), s.err.join('\n')).toBe(0);
    const got = await receivedBy(scp.out);
    expect(got.size).toBe(1);
  });

  it('a server certificate from another CA is refused: one line naming peer and step', async () => {
    const other = await makeTestPki(join(dir, 'pki-other'));
    const scp = await storescp('tls-bad', ['+tls', other.serverKey, other.serverCert, '-ic']);
    const c = cli();
    const code = await main(['echo', '--host', '127.0.0.1', '--port', String(scp.port), '--called-ae', 'STORESCP', '--tls', '--tls-ca', pki.caCert], c.io);
    expect(code).toBe(1);
    expect(c.err).toEqual([expect.stringMatching(new RegExp(`^peer STORESCP@127.0.0.1:${scp.port}, step connect, reason .*certificate`, 'i'))]);
  });
});
