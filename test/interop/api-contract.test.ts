/**
 * The device API over real HTTP and WebSocket, on a Device built by createDevice with simulated
 * hardware (frame grabber, media) and a real DCMTK storescp as the PACS: every route of device.md,
 * bad bodies, unknown routes, /api/events from the state on connect through exam, instance, job
 * and export events. What the API says was stored is checked on the storescp side with dcmdump;
 * the exported medium's DICOMDIR with dcmdump; thumbnails decoded by jpeg-js.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseDeviceConfig } from '../../device/config/index.js';
import { createDevice, type CartDevice } from '../../device/main.js';
import type { ApiEvent, DeviceState, EndExamResponse, ExamView, ExportResponse, GetConfigResponse, ListAuditResponse, ListQueueResponse, StartExamResponse, StoreCineResponse, StoreInstanceResponse } from '../../device/web/api-types.js';
import { apiDepsOf, startApi, type RunningApi } from '../../device/web/index.js';
import { decodeLiveMessage } from '../../device/web/live-frame.js';
import { nullLogger } from '../../device/log/logger.js';
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { SimulatedMediaWatcher } from '../../hw-sim/media/simulated-watcher.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';

let dir: string;
let cleanup: () => Promise<void>;
let device: CartDevice;
let api: RunningApi;
let pacs: PeerProcess;
let pacsDir: string;
let watcher: SimulatedMediaWatcher;
let base: string;

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-api-'));
  pacsDir = join(dir, 'pacs');
  await mkdir(pacsDir);
  const pacsPort = await freePort();
  pacs = await startPeer('storescp', ['--fork', '-aet', 'PACS', '-od', pacsDir, String(pacsPort)], pacsPort);
  const deadPort = await freePort();
  const config = parseDeviceConfig({
    aeTitle: 'US_CART',
    dataDir: join(dir, 'data'),
    destinations: [
      { name: 'PACS', host: '127.0.0.1', port: pacsPort, calledAe: 'PACS', roles: ['store'] },
      { name: 'DOWN', host: '127.0.0.1', port: deadPort, calledAe: 'DOWN', roles: ['worklist'] },
    ],
    capture: { ringSeconds: 4, maxCineSeconds: 2, transferSyntax: 'jpeg-baseline' },
    worklist: { refreshIntervalS: 0 },
    service: { pin: '2468' },
  });
  watcher = new SimulatedMediaWatcher(join(dir, 'media'));
  await mkdir(join(dir, 'media'));
  device = await createDevice(config, { frameSource: new SimulatedFrameSource({ width: 320, height: 240, fps: 15, seed: 3 }), mediaWatcher: watcher, log: nullLogger });
  await device.start();
  api = await startApi(apiDepsOf(device, { version: '0.1.0-test' }), { port: 0, configSource: 'test' });
  base = `http://127.0.0.1:${api.port()}`;
}, 60_000);

afterAll(async () => {
  await api?.close();
  await device?.stop({ drain: false });
  await pacs?.stop();
  await cleanup?.();
});

async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; type: string | null }> {
  const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const type = res.headers.get('content-type');
  const data = type?.startsWith('application/json') ? ((await res.json()) as T) : ((new Uint8Array(await res.arrayBuffer()) as unknown) as T);
  return { status: res.status, body: data, type };
}

/** An /api/events client that keeps every message and waits for one matching a predicate. */
class Events {
  readonly all: ApiEvent[] = [];
  private waiters: { pred: (e: ApiEvent) => boolean; resolve: (e: ApiEvent) => void; from: number }[] = [];
  readonly ws: WebSocket;
  readonly open: Promise<void>;
  constructor() {
    this.ws = new WebSocket(`${base.replace('http', 'ws')}/api/events`);
    this.open = new Promise((r) => this.ws.on('open', () => r()));
    this.ws.on('message', (data: Buffer) => {
      const e = JSON.parse(data.toString('utf8')) as ApiEvent;
      this.all.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (w.pred(e)) {
          w.resolve(e);
          return false;
        }
        return true;
      });
    });
  }
  /** The first message matching `pred`, among those already received (from index `from`) or to come. */
  waitFor<T extends ApiEvent>(pred: (e: ApiEvent) => e is T, from = 0): Promise<T> {
    const hit = this.all.slice(from).find(pred);
    if (hit) return Promise.resolve(hit as T);
    return new Promise((resolve) => this.waiters.push({ pred, resolve: resolve as (e: ApiEvent) => void, from }));
  }
}

type Of<K extends ApiEvent['type']> = Extract<ApiEvent, { type: K }>;
const is =
  <K extends ApiEvent['type']>(type: K, more: (e: Of<K>) => boolean = () => true) =>
  (e: ApiEvent): e is Of<K> =>
    e.type === type && more(e as Of<K>);

describe('device API contract', { timeout: 60_000 }, () => {
  let events: Events;
  let examId = '';
  let still = '';
  let cine = '';
  let cine2 = '';

  it('GET /api/state: the whole device state', async () => {
    const r = await call<DeviceState>('GET', '/api/state');
    expect(r.status).toBe(200);
    expect(r.body.device).toMatchObject({ aeTitle: 'US_CART', version: '0.1.0-test' });
    expect(r.body.exam).toBeNull();
    expect(r.body.capture).toMatchObject({ width: 320, height: 240, frozen: false, ringSeconds: 4 });
    expect(r.body.queue.counts.scheduled).toBe(0);
    expect(r.body.media).toEqual({ volumes: [], exports: [] });
    expect(r.body.destinations.map((d) => [d.name, d.aeTitle, d.reachable])).toEqual([
      ['PACS', 'PACS', 'unknown'],
      ['DOWN', 'DOWN', 'unknown'],
    ]);
    expect(Array.isArray(r.body.alarms)).toBe(true);
    expect((await call('GET', '/api/state?x=1')).status).toBe(400);
  });

  it('/api/events starts with the full state, seq 1', async () => {
    events = new Events();
    await events.open;
    const first = await events.waitFor(is('state'));
    expect(first.seq).toBe(1);
    expect(events.all[0]).toBe(first);
    expect(first.state.device.aeTitle).toBe('US_CART');
  });

  it('unknown routes 404, wrong methods 405, both with the error body', async () => {
    const a = await call<{ code: string }>('GET', '/api/nope');
    expect([a.status, a.body.code]).toEqual([404, 'API_NOT_FOUND']);
    const b = await call<{ code: string }>('DELETE', '/api/exams');
    expect([b.status, b.body.code]).toEqual([405, 'API_METHOD_NOT_ALLOWED']);
    expect((await call('GET', '/api/exams/current/stills')).status).toBe(405);
  });

  it('capture without an exam is refused with 409 and a code', async () => {
    const r = await call<{ code: string; message: string }>('POST', '/api/exams/current/stills');
    expect(r.status).toBe(409);
    expect(r.body.code).toMatch(/^EXAM_/);
    expect(r.body.message).toMatch(/\S/);
  });

  it('POST /api/exams refuses bad bodies naming the field', async () => {
    for (const [body, field] of [
      [{ patient: { name: 'Doe^Jane', birthDate: '20250231' } }, 'patient.birthDate'],
      [{ patient: { id: 'X' } }, 'patient.name'],
      [{ patient: { name: 'Doe' }, sex: 'F' }, 'sex'],
    ] as const) {
      const r = await call<{ code: string; field: string }>('POST', '/api/exams', body);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'API_INVALID', field });
    }
    expect((await call('GET', '/api/state')).body).toMatchObject({ exam: null });
  });

  it('starts an unscheduled exam; events say so', async () => {
    const from = events.all.length;
    const r = await call<StartExamResponse>('POST', '/api/exams', { patient: { name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', sex: 'M', birthDate: '19800101' } });
    expect(r.status).toBe(201);
    expect(r.body.studyInstanceUid).toMatch(/^[0-9.]+$/);
    examId = r.body.examId;
    const e = await events.waitFor(is('exam', (x) => x.exam?.examId === examId), from);
    expect(e.exam!.patient.name).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    const again = await call<{ code: string }>('POST', '/api/exams', { patient: { name: 'Other^One' } });
    expect(again.status).toBe(409);
  });

  it('freeze, still, unfreeze, retrospective cine, bad cine bodies', async () => {
    expect((await call('POST', '/api/exams/current/freeze')).body).toEqual({ frozen: true });
    expect((await call<DeviceState>('GET', '/api/state')).body.capture.frozen).toBe(true);
    const from = events.all.length;
    const s = await call<StoreInstanceResponse>('POST', '/api/exams/current/stills');
    expect(s.status).toBe(201);
    still = s.body.sopInstanceUid;
    await events.waitFor(is('instance', (x) => x.instance.sopInstanceUid === still), from);
    expect((await call('POST', '/api/exams/current/unfreeze')).body).toEqual({ frozen: false });
    expect((await call<{ field: string }>('POST', '/api/exams/current/cines', { seconds: 3, mode: 'retrospective' })).body).toMatchObject({ field: 'seconds' });
    expect((await call<{ field: string }>('POST', '/api/exams/current/cines', { seconds: 1 })).body).toMatchObject({ field: 'mode' });
    // "The last 1 s" needs a ring holding 1 s (it is refused, 409 CAPTURE_RING_TOO_SHORT, not cut short): /api/state says when.
    for (let i = 0; (await call<DeviceState>('GET', '/api/state')).body.capture.ring.heldSeconds < 1; i++) {
      expect(i).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    const c = await call<StoreCineResponse>('POST', '/api/exams/current/cines', { seconds: 1, mode: 'retrospective' });
    expect(c.status).toBe(201);
    expect(c.body.frames).toBeGreaterThan(1);
    cine = c.body.sopInstanceUid;
    // A prospective cine: while it records, /api/events says so (capture.recording, exam state).
    const from2 = events.all.length;
    const p = await call<StoreCineResponse>('POST', '/api/exams/current/cines', { seconds: 1, mode: 'prospective' });
    expect(p.status).toBe(201);
    cine2 = p.body.sopInstanceUid;
    const rec = await events.waitFor(is('capture', (x) => x.capture.recording !== undefined), from2);
    expect(rec.capture.recording?.until).toMatch(/^\d{4}-\d\d-\d\dT/);
    await events.waitFor(is('exam', (x) => x.exam?.state === 'storing-live'), from2);
    const exam = (await call<ExamView>('GET', '/api/exams/current')).body;
    expect(exam.instances.map((i) => [i.sopInstanceUid, i.kind])).toEqual([
      [still, 'still'],
      [cine, 'cine'],
      [cine2, 'cine'],
    ]);
    expect((await call<ExamView>('GET', `/api/exams/${encodeURIComponent(examId)}`)).body.examId).toBe(examId);
  });

  it('thumbnails: a small JPEG of the first frame (jpeg-js decodes it), 404 / 400 otherwise', async () => {
    for (const uid of [still, cine]) {
      const r = await call<Uint8Array>('GET', `/api/instances/${uid}/thumbnail`);
      expect(r.status).toBe(200);
      expect(r.type).toBe('image/jpeg');
      const img = jpeg.decode(r.body, { useTArray: true });
      expect(Math.max(img.width, img.height)).toBe(160);
      expect(img.width / img.height).toBeCloseTo(320 / 240, 1);
    }
    // Cached on disk: the second answer is the same bytes.
    const a = await call<Uint8Array>('GET', `/api/instances/${cine}/thumbnail`);
    expect(await readdir(join(dir, 'data', 'thumbnails'))).toContain(`${cine}.jpg`);
    expect(Buffer.from(a.body).length).toBeGreaterThan(100);
    expect((await call<{ code: string }>('GET', '/api/instances/1.2.3.4/thumbnail')).body).toMatchObject({ code: 'API_NO_SUCH_INSTANCE' });
    expect((await call('GET', '/api/instances/..%2F..%2Fetc/thumbnail')).status).toBe(400);
  });

  it('cine frames for playback match what DCMTK (dcmj2pnm) decodes from the stored file', async () => {
    const exam = (await call<ExamView>('GET', '/api/exams/current')).body;
    const frames = exam.instances.find((i) => i.sopInstanceUid === cine)!.frames;
    const file = device.instances.pathOf(cine);
    for (const index of [0, frames - 1]) {
      const r = await call<Uint8Array>('GET', `/api/instances/${cine}/frames/${index}`);
      expect(r.status).toBe(200);
      const ours = jpeg.decode(r.body, { useTArray: true, formatAsRGBA: false });
      expect([ours.width, ours.height]).toEqual([320, 240]);
      const pnm = join(dir, `frame${index}.ppm`);
      const d = await runTool('dcmj2pnm', ['--frame', String(index + 1), '--write-raw-pnm', file, pnm]);
      expect(d.code, d.stderr).toBe(0);
      const ppm = await readFile(pnm);
      // P6\n320 240\n255\n then RGB bytes
      const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 32).toString('latin1'))!;
      const theirs = ppm.subarray(header[0].length);
      let diff = 0;
      for (let i = 0; i < theirs.length; i++) diff += Math.abs(theirs[i]! - ours.data[i]!);
      expect(diff / theirs.length).toBeLessThan(4);
    }
    expect((await call<{ code: string }>('GET', `/api/instances/${cine}/frames/${frames}`)).body).toMatchObject({ code: 'API_NO_SUCH_FRAME' });
    expect((await call('GET', `/api/instances/${cine}/frames/-1`)).status).toBe(400);
  });

  it('/api/live on the device: a JPEG frame of the live image with its header, the next only after the ack', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/live`);
    const got: Buffer[] = [];
    let wake: (() => void) | undefined;
    ws.on('message', (d: Buffer) => {
      got.push(d);
      wake?.();
    });
    const nextMessage = (n: number): Promise<void> => new Promise<void>((r) => (got.length >= n ? r() : (wake = () => got.length >= n && r())));
    await nextMessage(1);
    const first = decodeLiveMessage(got[0]!);
    expect(first.header).toMatchObject({ version: 1, width: 320, height: 240 });
    const img = jpeg.decode(first.jpeg, { useTArray: true });
    expect([img.width, img.height]).toEqual([320, 240]);
    // The capture time is the device's wall clock at capture: not after the send time.
    expect(first.header.captureTimeMs).toBeLessThanOrEqual(first.header.sendTimeMs);
    ws.send(JSON.stringify({ ack: first.header.sequence }));
    await nextMessage(2);
    expect(decodeLiveMessage(got[1]!).header.sequence).toBeGreaterThan(first.header.sequence);
    ws.close();
    expect((await call('GET', `/api/exams/${encodeURIComponent(examId)}?verbose=1`)).status).toBe(400);
  });

  it('ending the exam queues the three instances; the events follow the jobs to completed; storescp has them', async () => {
    const from = events.all.length;
    const r = await call<EndExamResponse>('POST', '/api/exams/current/end');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ examId, jobsQueued: 3 });
    for (const uid of [still, cine, cine2]) await events.waitFor(is('job', (x) => x.job.sopInstanceUid === uid && x.job.state === 'completed'), from);
    await events.waitFor(is('queue', (x) => x.summary.counts.completed === 3), from);
    const q = await call<ListQueueResponse>('GET', '/api/queue?state=completed&destination=PACS');
    expect(q.body.jobs.map((j) => j.sopInstanceUid).sort()).toEqual([still, cine, cine2].sort());
    expect(q.body.page.total).toBe(3);
    expect(q.body.jobs[0]).toMatchObject({ kind: 'store', examId, destination: 'PACS', state: 'completed', attempts: 1 });
    const files = (await readdir(pacsDir, { recursive: true })).filter((f) => !f.endsWith('/'));
    const dumps = await Promise.all(files.map((f) => runTool('dcmdump', ['-q', '+P', '0008,0018', join(pacsDir, f)])));
    expect(dumps.map((d) => /\[([0-9.]+)\]/.exec(d.stdout)?.[1]).sort()).toEqual([still, cine, cine2].sort());
    const exam = (await call<ExamView>('GET', `/api/exams/${examId}`)).body;
    expect(exam.state).toBe('ended');
    expect(exam.instances.map((i) => i.destinations)).toEqual([{ PACS: 'completed' }, { PACS: 'completed' }, { PACS: 'completed' }]);
  });

  it('queue routes: filters validated, retry and cancel of unknown jobs 404, of a completed job refused', async () => {
    expect((await call<{ field: string }>('GET', '/api/queue?state=lost')).body).toMatchObject({ field: '?state[0]' });
    expect((await call('GET', '/api/queue?limit=0')).status).toBe(400);
    expect((await call<{ code: string }>('POST', '/api/queue/999999/retry')).body).toMatchObject({ code: 'QUEUE_NO_SUCH_JOB' });
    expect((await call<{ code: string }>('POST', '/api/queue/abc/cancel')).status).toBe(404);
    const done = (await call<ListQueueResponse>('GET', '/api/queue')).body.jobs[0]!;
    const r = await call<{ code: string }>('POST', `/api/queue/${done.jobId}/cancel`);
    expect(r.status).toBe(409);
  });

  it('GET /api/exams lists with paging and validates its query', async () => {
    const r = await call<{ exams: ExamView[]; page: { limit: number } }>('GET', '/api/exams?state=ended&limit=10');
    expect(r.body.exams.map((e) => e.examId)).toEqual([examId]);
    expect((await call('GET', '/api/exams?state=asleep')).status).toBe(400);
    expect((await call('GET', '/api/exams?limit=9999')).status).toBe(400);
    expect((await call<{ code: string }>('GET', '/api/exams/no-such-exam')).body).toMatchObject({ code: 'API_NO_SUCH_EXAM' });
  });

  it('media: a volume appears, an export job runs to completed with events, the DICOMDIR reads in dcmdump, eject', async () => {
    const from = events.all.length;
    await watcher.insert('STICK', { size: 256 * 2 ** 20 });
    await events.waitFor(is('media', (x) => x.volumes.length === 1), from);
    const media = (await call<{ volumes: { id: string; hasFileSet: boolean }[] }>('GET', '/api/media')).body;
    expect(media.volumes).toEqual([expect.objectContaining({ id: 'sim:STICK', label: 'STICK', hasFileSet: false, busy: false })]);
    const id = encodeURIComponent('sim:STICK');
    expect((await call<{ field: string }>('POST', `/api/media/${id}/export`, { examIds: [] })).body).toMatchObject({ field: 'examIds' });
    expect((await call<{ field: string }>('POST', `/api/media/${id}/export`, { examIds: [examId, examId] })).body).toMatchObject({ field: 'examIds[1]' });
    expect((await call<{ code: string }>('POST', `/api/media/${id}/export`, { examIds: ['nope'] })).body).toMatchObject({ code: 'API_NO_SUCH_EXAM' });
    expect((await call<{ code: string }>('POST', `/api/media/${encodeURIComponent('sim:NONE')}/export`, { examIds: [examId] })).body).toMatchObject({ code: 'MEDIA_NO_SUCH_VOLUME' });
    const r = await call<ExportResponse>('POST', `/api/media/${id}/export`, { examIds: [examId] });
    expect(r.status).toBe(202);
    const done = await events.waitFor(is('export', (x) => x.job.jobId === r.body.job.jobId && ['completed', 'failed', 'cancelled'].includes(x.job.state)), from);
    expect(done.job.error).toBeUndefined();
    expect(done.job).toMatchObject({ state: 'completed', report: { mode: 'FSC', files: 3 } });
    expect((await call<{ job: { state: string } }>('GET', `/api/media/jobs/${r.body.job.jobId}`)).body.job.state).toBe('completed');
    expect((await call<{ code: string }>('POST', `/api/media/jobs/${r.body.job.jobId}/cancel`)).body).toMatchObject({ code: 'MEDIA_JOB_FINISHED' });
    const dump = await runTool('dcmdump', ['-q', '+P', '0004,1500', join(dir, 'media', 'STICK', 'DICOMDIR')]);
    expect(dump.code, dump.stderr).toBe(0);
    expect(dump.stdout.match(/\(0004,1500\)/g)).toHaveLength(3);
    // The panel's export key: the last exam to the only medium (FSU now).
    const key = await call<ExportResponse>('POST', '/api/media/export-current');
    expect(key.status).toBe(202);
    const keyDone = await events.waitFor(is('export', (x) => x.job.jobId === key.body.job.jobId && x.job.state !== 'running' && x.job.state !== 'queued'), from);
    expect(keyDone.job.report).toMatchObject({ mode: 'FSU' });
    const ej = await call<{ mayRemove: boolean }>('POST', `/api/media/${id}/eject`);
    expect(ej.status).toBe(200);
    expect(ej.body.mayRemove).toBe(true);
    await events.waitFor(is('media', (x) => x.volumes.length === 0), from);
    expect((await call<{ code: string }>('POST', '/api/media/export-current')).body).toMatchObject({ code: 'MEDIA_NO_VOLUME' });
  });

  it('echo: the storage contexts storescp accepted; a dead destination is 502 naming peer and step; unknown 404', async () => {
    const ok = await call<{ accepted: { sopClassUid: string; transferSyntaxes: string[] }[] }>('POST', '/api/destinations/PACS/echo');
    expect(ok.status).toBe(200);
    expect(ok.body.accepted.map((a) => a.sopClassUid)).toContain('1.2.840.10008.5.1.4.1.1.6.1');
    const down = await call<{ code: string; peer: string; step: string }>('POST', '/api/destinations/DOWN/echo');
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({ code: 'NET_CONNECT', step: 'connect' });
    expect(down.body.peer).toMatch(/^DOWN@127\.0\.0\.1:\d+$/);
    expect((await call('POST', '/api/destinations/NOPE/echo')).status).toBe(404);
    const dests = (await call<DeviceState>('GET', '/api/state')).body.destinations;
    expect(dests.map((d) => d.reachable)).toEqual(['yes', 'no']);
    const seen = await events.waitFor(is('destination', (x) => x.destination.name === 'DOWN'));
    expect(seen.destination).toMatchObject({ reachable: 'no', lastError: { code: 'NET_CONNECT' } });
  });

  it('audit: exam start, sends and exports are recorded; the query is validated', async () => {
    const r = await call<ListAuditResponse>('GET', '/api/audit?limit=100');
    const actions = new Set(r.body.entries.map((e) => e.action));
    for (const a of ['exam-start', 'exam-end', 'send', 'export']) expect(actions, a).toContain(a);
    const sends = await call<ListAuditResponse>('GET', '/api/audit?action=send');
    expect(sends.body.entries.every((e) => e.action === 'send' && e.where === 'PACS')).toBe(true);
    expect((await call<{ field: string }>('GET', '/api/audit?action=steal')).body).toMatchObject({ field: '?action' });
    expect((await call<{ field: string }>('GET', '/api/audit?from=yesterday')).body).toMatchObject({ field: '?from' });
  });

  it('config with secrets hidden; the service PIN', async () => {
    const r = await call<GetConfigResponse>('GET', '/api/config');
    expect(r.body.source).toBe('test');
    expect(r.body.config['service']).toEqual({ pin: '***' });
    expect(JSON.stringify(r.body)).not.toContain('2468');
    expect((await call<{ code: string }>('POST', '/api/service/login', { pin: '0000' })).body).toMatchObject({ code: 'API_BAD_PIN' });
    expect((await call('POST', '/api/service/login', { pin: '2468' })).body).toEqual({ ok: true });
    expect((await call<{ field: string }>('POST', '/api/service/login', {})).body).toMatchObject({ field: 'pin' });
    const logins = await call<ListAuditResponse>('GET', '/api/audit?action=service-login');
    expect(logins.body.entries.map((e) => e.outcome)).toEqual(['success', 'failure']);
  });

  it('the event stream numbered every message without gaps', () => {
    expect(events.all.map((e) => e.seq)).toEqual(events.all.map((_, i) => i + 1));
    events.ws.close();
  });
});
