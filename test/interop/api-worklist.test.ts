/**
 * GET /api/worklist and starting an exam from a match, over real HTTP on createDevice, against
 * DCMTK's wlmscpfs holding entries in the six character sets of conformance §6: the matches as
 * DICOM JSON with summaries; the exam takes the scheduled Study Instance UID; with the server
 * stopped, the cached answer with its age and an error naming the peer.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../../device/config/index.js';
import { nullLogger } from '../../device/log/logger.js';
import { createDevice, type CartDevice } from '../../device/main.js';
import type { ExamView, GetWorklistResponse, StartExamResponse } from '../../device/web/api-types.js';
import { apiDepsOf, startApi, type RunningApi } from '../../device/web/index.js';
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { SimulatedMediaWatcher } from '../../hw-sim/media/simulated-watcher.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { scratchDir } from '../helpers/run-tool.js';
import { CHARSET_ENTRIES, writeWorklistFiles } from '../helpers/worklist-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess | undefined;
let device: CartDevice;
let api: RunningApi;
let base: string;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-api-wl-'));
  await mkdir(join(dir, 'WLMSCP'));
  await writeFile(join(dir, 'WLMSCP', 'lockfile'), '');
  await writeWorklistFiles(join(dir, 'WLMSCP'));
  const port = await freePort();
  scp = await startPeer('wlmscpfs', ['-csk', '-dfp', dir, String(port)], port);
  await mkdir(join(dir, 'media'));
  const config = parseDeviceConfig({
    dataDir: join(dir, 'data'),
    destinations: [{ name: 'RIS', host: '127.0.0.1', port, calledAe: 'WLMSCP', roles: ['worklist'] }],
    worklist: { refreshIntervalS: 0, modality: 'US' },
    timers: { find: { associationRequestS: 5 } },
  });
  device = await createDevice(config, { frameSource: new SimulatedFrameSource({ width: 160, height: 120, fps: 10 }), mediaWatcher: new SimulatedMediaWatcher(join(dir, 'media')), log: nullLogger });
  await device.start();
  api = await startApi(apiDepsOf(device, { version: 'test' }), { port: 0, configSource: 'test' });
  base = `http://127.0.0.1:${api.port()}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await device?.stop({ drain: false });
  await scp?.stop();
  await cleanup?.();
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return { status: res.status, body: (await res.json()) as T };
}

describe('worklist through the API', { timeout: 60_000 }, () => {
  let matches: GetWorklistResponse['matches'] = [];

  it('refresh=1 asks wlmscpfs: every entry, names in all six character sets, DICOM JSON plus summary', async () => {
    const r = await call<GetWorklistResponse>('GET', '/api/worklist?refresh=1&date=20240315');
    expect(r.status).toBe(200);
    expect(r.body.source).toBe('server');
    expect(r.body.error).toBeUndefined();
    matches = r.body.matches;
    expect(matches.map((m) => m.summary.patientId).sort()).toEqual(CHARSET_ENTRIES.map((e) => e.patientId).sort());
    const jp = matches.find((m) => m.summary.patientId === 'CS-IR87')!;
    expect(jp.summary).toMatchObject({ patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', accessionNumber: 'ACC0002', studyInstanceUid: '1.2.826.0.1.3680043.2.1125.7.2' });
    // PatientName (0010,0010) in the DICOM JSON model.
    expect(jp.dataset['00100010']).toMatchObject({ vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }] });
  });

  it('filters are validated and applied', async () => {
    const r = await call<GetWorklistResponse>('GET', '/api/worklist?date=20240315&patientId=CS-UTF8');
    expect(r.body.matches.map((m) => m.summary.patientName)).toEqual(['Wang^XiaoDong=王^小東𠀋']);
    expect((await call<{ field: string }>('GET', '/api/worklist?date=2024-03-15')).body).toMatchObject({ field: '?date' });
    expect((await call<{ field: string }>('GET', '/api/worklist?refresh=yes')).body).toMatchObject({ field: '?refresh' });
    expect((await call<{ field: string }>('GET', '/api/worklist?name=x')).body).toMatchObject({ field: '?name' });
  });

  it('an exam started from a match uses its study and patient', async () => {
    const item = matches.find((m) => m.summary.patientId === 'CS-GB18030')!;
    const r = await call<StartExamResponse>('POST', '/api/exams', { worklistItem: item.dataset });
    expect(r.status).toBe(201);
    expect(r.body.studyInstanceUid).toBe('1.2.826.0.1.3680043.2.1125.7.6');
    const exam = (await call<ExamView>('GET', '/api/exams/current')).body;
    expect(exam).toMatchObject({ scheduled: true, accessionNumber: 'ACC0006', patient: { id: 'CS-GB18030', name: 'Wang^XiaoDong=王^小东𠀋' } });
    expect((await call('POST', '/api/exams/current/cancel')).status).toBe(200);
  });

  it('server stopped: the cached matches with their age and an error naming the peer', async () => {
    await scp!.stop();
    scp = undefined;
    const r = await call<GetWorklistResponse>('GET', '/api/worklist?refresh=1&date=20240315');
    expect(r.status).toBe(200);
    expect(r.body.source).toBe('cache');
    expect(r.body.matches).toHaveLength(CHARSET_ENTRIES.length);
    expect(r.body.cacheAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(r.body.fetchedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(r.body.error?.code).toBe('NET_CONNECT');
    expect(r.body.error?.peer).toMatch(/^WLMSCP@127\.0\.0\.1:\d+$/);
  });
});
