/**
 * Orthanc (an independent implementation) against the cart's listener: Orthanc sends to the
 * cart through its REST API (/modalities/{id}/store, its C-STORE SCU), and the files the cart
 * keeps must dump the same as Orthanc's copies. And the cart's Storage Commitment SCU against
 * Orthanc's commitment SCP, which answers on a new association to the cart's listener.
 */
import { randomBytes } from 'node:crypto';
import { uidFromRandom } from '../../dicom/core/index.js';
import { systemClock } from '../../device/clock.js';
import { Association } from '../../device/net/association.js';
import { CommitmentTracker, commitmentProposals, requestCommitment } from '../../device/net/scu/commitment.js';
import { storeFiles } from '../../device/net/scu/store.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCartScp, type CartScp } from '../helpers/cart-scp.js';
import type { PeerProcess } from '../helpers/net-peers.js';
import { startOrthanc } from '../helpers/service-peers.js';
import { PYDICOM_DATA, runTool, scratchDir } from '../helpers/run-tool.js';
import { writeTestImage } from '../unit/device-net/fixtures.js';

let dir: string;
let cleanup: () => Promise<void>;
let orthanc: PeerProcess;
let httpPort: number;
let cart: CartScp;
const tracker = new CommitmentTracker(systemClock);

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-scp-orthanc-'));
  await mkdir(join(dir, 'received'));
  cart = await startCartScp(join(dir, 'received'), {}, tracker);
  // Orthanc is the calling side here: it need not check the AE title the cart calls it by.
  const o = await startOrthanc(dir, { DicomCheckCalledAet: false, DicomModalities: { cart: ['US_CART', '127.0.0.1', cart.port] } });
  [orthanc, httpPort] = [o.proc, o.httpPort];
}, 60_000);

afterAll(async () => {
  await orthanc?.stop(10_000);
  await cart?.close();
  await cleanup();
}, 30_000);

async function rest(method: string, path: string, body?: string | Uint8Array): Promise<unknown> {
  const r = await fetch(`http://127.0.0.1:${httpPort}${path}`, { method, ...(body !== undefined ? { body } : {}) });
  const text = await r.text();
  expect(r.ok, `${method} ${path}: ${r.status} ${text}`).toBe(true);
  return text ? JSON.parse(text) : undefined;
}

const dump = async (p: string): Promise<string[]> => (await runTool('dcmdump', ['-q', p])).stdout.split('\n').filter((l) => !l.startsWith('(0002,'));

describe('Orthanc sends to the cart', () => {
  it('C-STORE from Orthanc’s REST API: every instance kept, dumping as Orthanc has it', async () => {
    const files = [
      join(PYDICOM_DATA, 'test_files', 'SC_rgb_jpeg_dcmtk.dcm'),
      await writeTestImage(join(dir, 'cine.dcm'), { rows: 60, columns: 80, samples: 3, frames: 4 }),
      await writeTestImage(join(dir, 'still.dcm'), { rows: 60, columns: 80 }),
    ];
    const ids: string[] = [];
    for (const f of files) ids.push(((await rest('POST', '/instances', new Uint8Array(await readFile(f)))) as { ID: string }).ID);
    const job = (await rest('POST', '/modalities/cart/store', JSON.stringify({ Resources: ids, Synchronous: true }))) as Record<string, unknown>;
    expect(job['FailedInstancesCount'] ?? 0, JSON.stringify(job)).toBe(0);
    expect(cart.stored).toHaveLength(3);
    for (const id of ids) {
      const uid = ((await rest('GET', `/instances/${id}/tags?simplify`)) as Record<string, string>)['SOPInstanceUID']!;
      const theirs = join(dir, `orthanc-${id}.dcm`);
      await writeFile(theirs, new Uint8Array(await (await fetch(`http://127.0.0.1:${httpPort}/instances/${id}/file`)).arrayBuffer()));
      expect(await dump(join(dir, 'received', `${uid}.dcm`)), uid).toEqual(await dump(theirs));
    }
  }, 60_000);
});

describe('Storage Commitment against Orthanc', () => {
  it('N-ACTION for two stored instances and one Orthanc never got: the report comes on a new association, two committed, one failed', async () => {
    const files = [await writeTestImage(join(dir, 'c1.dcm')), await writeTestImage(join(dir, 'c2.dcm'), { frames: 2 })];
    const peer = { aeTitle: 'ORTHANC', host: '127.0.0.1', port: orthanc.port };
    const stored = [];
    for await (const o of storeFiles(files, { peer, callingAeTitle: 'US_CART' })) stored.push(o);
    expect(stored.map((o) => o.status?.hex)).toEqual(['0000', '0000']);
    const refs = stored.map((o) => ({ sopClassUid: o.sopClassUid!, sopInstanceUid: o.sopInstanceUid! }));
    const missing = { sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', sopInstanceUid: uidFromRandom(randomBytes(16)) };
    const tx = uidFromRandom(randomBytes(16));
    const waiting = tracker.expect(tx, 30_000);
    const a = await Association.open({ peer, callingAeTitle: 'US_CART', proposals: commitmentProposals(), handler: tracker.sameAssociationHandler() });
    await requestCommitment(a, tx, [...refs, missing]);
    await a.release();
    const outcome = await waiting;
    expect(outcome.kind).toBe('report');
    if (outcome.kind !== 'report') return;
    expect(outcome.from.callingAeTitle).toBe('ORTHANC');
    expect(outcome.report.eventTypeId).toBe(2);
    expect(outcome.report.committed).toEqual(refs);
    expect(outcome.report.failed.map((f) => f.sopInstanceUid)).toEqual([missing.sopInstanceUid]);
    expect(outcome.report.failed[0]!.failureReason).toBe(0x0112);
  }, 60_000);
});
