/**
 * The cart's listener driven by DCMTK as SCU: echoscu, and storescu sending the five storage
 * classes of conformance §2 in each of the five transfer syntaxes (--propose-* variants), five
 * associations at once. Each stored file must carry the syntax it was sent in, the data set
 * bytes as the source file has them, and the same dcmdump apart from the file meta group.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPart10 } from '../../dicom/part10/index.js';
import { startCartScp, type CartScp } from '../helpers/cart-scp.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { dataSetBytes, dumpWithoutMeta, makeScpSources, SCP_SYNTAXES, type ScpSource } from '../helpers/scp-sources.js';
import { makeTestPki } from '../helpers/test-pki.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: CartScp;
let sources: ScpSource[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-scp-'));
  await mkdir(join(dir, 'received'));
  sources = await makeScpSources(join(dir, 'in'));
  scp = await startCartScp(join(dir, 'received'));
}, 60_000);

afterAll(async () => {
  await scp?.close();
  await cleanup();
});

const dump = dumpWithoutMeta;

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
    const runs = SCP_SYNTAXES.map((s) =>
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
