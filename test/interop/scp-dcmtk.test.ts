/**
 * The cart's listener driven by DCMTK as SCU: echoscu, and storescu sending the five storage
 * classes of conformance §2 in each of the five transfer syntaxes (--propose-* variants), five
 * associations at once. Each stored file must carry the syntax it was sent in, the data set
 * bytes as the source file has them, and the same dcmdump apart from the file meta group.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tag, uidFromRandom } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { EXPLICIT_VR_BE, EXPLICIT_VR_LE, IMPLICIT_VR_LE, JPEG_BASELINE, JPEG_LOSSLESS_SV1, transferSyntax } from '../../dicom/encoding/index.js';
import { buildFileMeta, readPart10, writePart10 } from '../../dicom/part10/index.js';
import { CART_STORAGE_CLASSES } from '../../device/net/scu/services.js';
import { startCartScp, type CartScp } from '../helpers/cart-scp.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { makeTestPki } from '../helpers/test-pki.js';
import { randomBytes } from 'node:crypto';

let dir: string;
let cleanup: () => Promise<void>;
let scp: CartScp;

/** An 8-bit image of a storage class (RGB, or MONOCHROME2 for the grayscale byte class), 2 frames for the multi-frame ones. */
function image(sopClassUid: string): { ds: DataSet; uid: string } {
  const gray = sopClassUid === '1.2.840.10008.5.1.4.1.1.7.2';
  const multi = sopClassUid.endsWith('.3.1') || sopClassUid.endsWith('.7.4') || gray;
  const frames = multi ? 2 : 1;
  const samples = gray ? 1 : 3;
  const uid = uidFromRandom(randomBytes(16));
  const ds = new DataSet();
  ds.putStrings(tag(0x0008, 0x0016), 'UI', sopClassUid);
  ds.putStrings(tag(0x0008, 0x0018), 'UI', uid);
  ds.putStrings(tag(0x0008, 0x0060), 'CS', 'US');
  ds.putStrings(tag(0x0010, 0x0010), 'PN', 'Scp^Test');
  ds.putStrings(tag(0x0010, 0x0020), 'LO', 'SCP-1');
  ds.putStrings(tag(0x0020, 0x000d), 'UI', uidFromRandom(randomBytes(16)));
  ds.putStrings(tag(0x0020, 0x000e), 'UI', uidFromRandom(randomBytes(16)));
  ds.putNumbers(tag(0x0028, 0x0002), 'US', samples);
  ds.putStrings(tag(0x0028, 0x0004), 'CS', gray ? 'MONOCHROME2' : 'RGB');
  if (!gray) ds.putNumbers(tag(0x0028, 0x0006), 'US', 0);
  if (multi) ds.putStrings(tag(0x0028, 0x0008), 'IS', String(frames));
  ds.putNumbers(tag(0x0028, 0x0010), 'US', 48);
  ds.putNumbers(tag(0x0028, 0x0011), 'US', 64);
  ds.putNumbers(tag(0x0028, 0x0100), 'US', 8);
  ds.putNumbers(tag(0x0028, 0x0101), 'US', 8);
  ds.putNumbers(tag(0x0028, 0x0102), 'US', 7);
  ds.putNumbers(tag(0x0028, 0x0103), 'US', 0);
  const px = new Uint8Array(48 * 64 * samples * frames);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7 + (i >> 8) * 13) & 0xff;
  ds.put(tag(0x7fe0, 0x0010), 'OB', { type: 'raw', bytes: px });
  return { ds, uid };
}

/** What each storescu run proposes, and how its files are made from the Explicit VR LE originals. */
const SYNTAXES = [
  { ts: EXPLICIT_VR_LE, propose: '-xe', make: undefined },
  { ts: IMPLICIT_VR_LE, propose: '-xi', make: ['dcmconv', '+ti'] },
  { ts: EXPLICIT_VR_BE, propose: '-xb', make: ['dcmconv', '+tb'] },
  { ts: JPEG_BASELINE, propose: '-xy', make: ['dcmcjpeg', '+eb'] },
  { ts: JPEG_LOSSLESS_SV1, propose: '-xs', make: ['dcmcjpeg', '+e1'] },
] as const;

const sources: { path: string; ts: string; uid: string; sopClassUid: string }[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-scp-'));
  await mkdir(join(dir, 'in'));
  await mkdir(join(dir, 'received'));
  for (const s of SYNTAXES) {
    for (const c of CART_STORAGE_CLASSES) {
      const { ds, uid } = image(c.uid);
      const base = join(dir, 'in', `${uid}.orig.dcm`);
      await writeFile(base, writePart10(buildFileMeta({ sopClassUid: c.uid, sopInstanceUid: uid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!));
      let path = base;
      if (s.make) {
        path = join(dir, 'in', `${uid}.dcm`);
        const r = await runTool(s.make[0], [s.make[1], base, path]);
        expect(r.code, r.stderr).toBe(0);
      }
      // dcmcjpeg gives a lossy result a new SOP Instance UID: the file says which.
      const made = readPart10(new Uint8Array(await readFile(path)), { stopBeforePixelData: true });
      sources.push({ path, ts: s.ts, uid: made.meta.string(tag(0x0002, 0x0003))!, sopClassUid: c.uid });
    }
  }
  scp = await startCartScp(join(dir, 'received'));
}, 60_000);

afterAll(async () => {
  await scp?.close();
  await cleanup();
});

/** The data set bytes of a Part 10 file: everything after the file meta group. */
function dataSetBytes(file: Uint8Array): Uint8Array {
  return file.subarray(readPart10(file, { stopBeforePixelData: true }).datasetOffset);
}

const dump = async (p: string): Promise<string[]> => (await runTool('dcmdump', ['-q', p])).stdout.split('\n').filter((l) => !l.startsWith('(0002,'));

describe('the cart as SCP, DCMTK as SCU', () => {
  it('echoscu: Verification succeeds', async () => {
    const r = await runTool('echoscu', ['-aec', 'US_CART', '-aet', 'PACS', '127.0.0.1', String(scp.port)]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('echoscu with a wrong called AE title is rejected (permanent, called AE not recognized)', async () => {
    const r = await runTool('echoscu', ['-aec', 'NOT_THE_CART', '127.0.0.1', String(scp.port)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/Rejected Permanent[\s\S]*Called AE Title Not Recognized/);
  });

  it('storescu: five classes × five transfer syntaxes, five associations at once, kept as received', async () => {
    const runs = SYNTAXES.map((s) =>
      runTool('storescu', [s.propose, '-aec', 'US_CART', '-aet', 'MODALITY', '127.0.0.1', String(scp.port), ...sources.filter((f) => f.ts === s.ts).map((f) => f.path)]),
    );
    for (const r of await Promise.all(runs)) expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(scp.stored).toHaveLength(sources.length);
    for (const src of sources) {
      const got = join(dir, 'received', `${src.uid}.dcm`);
      const bytes = new Uint8Array(await readFile(got));
      const meta = readPart10(bytes);
      expect(meta.transferSyntax.uid, src.path).toBe(src.ts);
      expect(Buffer.from(dataSetBytes(bytes)).equals(Buffer.from(dataSetBytes(new Uint8Array(await readFile(src.path))))), src.path).toBe(true);
      expect(await dump(got)).toEqual(await dump(src.path));
    }
  }, 60_000);
});

describe('the listener over TLS (PS3.15 BCP 195), DCMTK as client', () => {
  it('storescu +tls with a client certificate of our CA stores; one of another CA is refused in the handshake', async () => {
    const pki = await makeTestPki(join(dir, 'pki'));
    const other = await makeTestPki(join(dir, 'pki-other'));
    const tlsDir = join(dir, 'received-tls');
    await mkdir(tlsDir);
    const tls = await startCartScp(tlsDir, { tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caCert } });
    try {
      const src = sources[0]!;
      const ok = await runTool('storescu', ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.caCert, '-aec', 'US_CART', '127.0.0.1', String(tls.port), src.path]);
      expect(ok.code, ok.stderr + ok.stdout).toBe(0);
      expect(tls.stored.map((i) => i.sopInstanceUid)).toEqual([src.uid]);
      const bad = await runTool('echoscu', ['+tls', other.clientKey, other.clientCert, '+cf', pki.caCert, '-aec', 'US_CART', '127.0.0.1', String(tls.port)]);
      expect(bad.code).not.toBe(0);
      expect(tls.listener.stats.accepted).toBe(1);
    } finally {
      await tls.close();
    }
  }, 60_000);
});
