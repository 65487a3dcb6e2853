/**
 * Service API benchmark (issue 9):
 *  - /api/live: 30 frames/s 800×600 from the simulator to one WebSocket client that acks each
 *    frame at once: frames received per second, frame age (receive time − capture time in the
 *    header) p50/p95/max (goal p95 < 80 ms), and the service process's CPU while serving, beside
 *    the same process with nobody watching (simulator + ring only): the difference is what
 *    /api/live costs. The service runs in a child process so the client's CPU is not counted.
 *  - sharp's encode of one 800×600 frame (the per-frame work) beside ffmpeg's mjpeg encoder on
 *    the same frame, for scale.
 *  - Responsiveness: the real service (startService, child process) while, at the same time, a
 *    40-still study is sent to DCMTK storescp, a 4 s prospective cine is stored and the study is
 *    exported to a simulated medium: event-loop delay p99 (goal < 20 ms) and GET /api/state
 *    latency p99 seen by a client polling every 20 ms (goal < 50 ms), beside the same figures
 *    with the service idle; the in-service send of the study beside storescu sending the same
 *    files to the same storescp in the same run.
 *    --thumbs adds the review screen to that load: the 40 stills' thumbnails fetched (first
 *    views, each a decode) one after another.
 *  - Thumbnail / playback decode: one 800×600 frame of a stored JPEG Lossless and JPEG Baseline
 *    cine decoded by frame-image.ts (our decoders, on the encoder pool's worker threads), with
 *    the longest event-loop stall meanwhile, beside DCMTK dcmj2pnm decoding the same frame (a
 *    process each, start-up included).
 * Run: npx tsx bench/service-api.ts [--seconds 10] [--only live|load|decode] [--thumbs]
 */
import { spawn, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { sharpLiveEncoder } from '../device/web/live-encoder.js';
import { decodeLiveMessage } from '../device/web/live-frame.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';
import type { Frame } from '../device/capture/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, only: { type: 'string' }, thumbs: { type: 'boolean', default: false } } });
const seconds = Number(values.seconds);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function liveRun(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/service-api-live.child.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextJson = async <T>(): Promise<T> => JSON.parse((await lines.next()).value as string) as T;
  const mark = async (): Promise<{ cpuUs: number; wallMs: number }> => {
    child.stdin!.write('mark\n');
    return nextJson();
  };
  const { port } = await nextJson<{ port: number }>();
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  // Warm-up, then nobody watching.
  await sleep(1000);
  const idle0 = await mark();
  await sleep(seconds * 1000);
  const idle1 = await mark();

  const ages: number[] = [];
  let frames = 0;
  let skipped = 0;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
  ws.on('message', (data: Buffer) => {
    const { header } = decodeLiveMessage(data);
    ages.push(performance.timeOrigin + performance.now() - header.captureTimeMs);
    frames++;
    skipped += header.skipped;
    ws.send(JSON.stringify({ ack: header.sequence }));
  });
  await new Promise((r) => ws.on('open', r));
  await sleep(1000);
  ages.length = 0;
  frames = 0;
  skipped = 0;
  const busy0 = await mark();
  await sleep(seconds * 1000);
  const busy1 = await mark();
  const got = frames;
  ws.close();
  child.stdin!.write('exit\n');
  await new Promise((r) => child.on('exit', r));

  const cpu = (a: { cpuUs: number; wallMs: number }, b: { cpuUs: number; wallMs: number }): number => ((b.cpuUs - a.cpuUs) / 1000 / (b.wallMs - a.wallMs)) * 100;
  const idle = cpu(idle0, idle1);
  const busy = cpu(busy0, busy1);
  console.log(`/api/live 800×600 RGB at 30 frames/s, one client acking each frame, ${seconds} s:`);
  console.log(`  received ${(got / ((busy1.wallMs - busy0.wallMs) / 1000)).toFixed(1)} frames/s (skipped ${skipped})`);
  console.log(`  frame age p50 ${pct(ages, 50).toFixed(1)} ms, p95 ${pct(ages, 95).toFixed(1)} ms, max ${Math.max(...ages).toFixed(1)} ms (goal p95 < 80 ms)`);
  console.log(`  service CPU ${busy.toFixed(1)} % of one core while serving (goal < 60 %); ${idle.toFixed(1)} % with nobody watching (simulator + ring); /api/live costs ${(busy - idle).toFixed(1)} %`);
}

async function encodeRun(): Promise<void> {
  const sim = new SimulatedFrameSource({ width: 800, height: 600, fps: 30, realtime: false, maxFrames: 40 });
  const frames: Frame[] = [];
  await sim.start((f) => frames.push(f));
  const enc = sharpLiveEncoder();
  for (const f of frames.slice(0, 5)) await enc(f);
  const t0 = performance.now();
  let bytes = 0;
  for (const f of frames) bytes += (await enc(f)).length;
  const sharpMs = (performance.now() - t0) / frames.length;
  // ffmpeg on the same raw frames (one process, so its start-up is spread over the frames).
  const raw = Buffer.concat(frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)));
  const t1 = performance.now();
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '800x600', '-i', '-', '-q:v', '5', '-f', 'mjpeg', '-'], { input: raw, maxBuffer: 1 << 28 });
  const ffMs = (performance.now() - t1) / frames.length;
  console.log(`JPEG of one 800×600 frame: sharp ${sharpMs.toFixed(2)} ms (${(bytes / frames.length / 1024).toFixed(0)} KiB, quality 80), ffmpeg mjpeg ${ffMs.toFixed(2)} ms incl. its start-up share`);
}

/** A child process speaking JSON lines. */
function jsonChild(args: string[]): { child: ReturnType<typeof spawn>; next: <T>() => Promise<T>; ask: <T>(line: string) => Promise<T> } {
  // SONICART_BENCH_PROF=DIR writes a V8 CPU profile of the child there (where the loop's time goes).
  const prof = process.env['SONICART_BENCH_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['SONICART_BENCH_PROF']}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => JSON.parse((await lines.next()).value as string) as T;
  return { child, next, ask: async <T>(line: string) => (child.stdin!.write(`${line}\n`), next<T>()) };
}

async function loadRun(): Promise<void> {
  const { mkdtemp, mkdir, readdir, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { createServer } = await import('node:net');
  const freePort = (): Promise<number> =>
    new Promise((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  const root = await mkdtemp(join(tmpdir(), 'sonicart-bench-api-'));
  const pacsDir = join(root, 'pacs');
  await mkdir(pacsDir);
  await mkdir(join(root, 'media'));
  const pacsPort = await freePort();
  const storescp = spawn('storescp', ['+xa', '-aet', 'STORESCP', '-od', pacsDir, String(pacsPort)], { stdio: 'ignore' });
  const svc = jsonChild(['bench/service-api-load.child.ts', join(root, 'data'), join(root, 'media'), String(pacsPort), String(await freePort())]);
  try {
    const { port } = await svc.next<{ port: number }>();
    const base = `http://127.0.0.1:${port}`;
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(base + path, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
      const data = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
      return data;
    };
    type State = { queue: { counts: Record<string, number> }; media: { exports: { jobId: string; state: string }[] } };
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    /** Polls GET /api/state every 20 ms until `done()`, returning each answer's latency. */
    const poll = async (done: () => boolean, minMs = 0): Promise<number[]> => {
      const out: number[] = [];
      const t0 = performance.now();
      while (!done() || performance.now() - t0 < minMs) {
        const t = performance.now();
        await call<State>('GET', '/api/state');
        out.push(performance.now() - t);
        await sleep(20);
      }
      return out;
    };

    await sleep(1500);
    await svc.ask('insert');
    // Exam A: 40 stills, left open.
    const a = await call<{ examId: string; studyInstanceUid: string }>('POST', '/api/exams', { patient: { name: 'Bench^Study' } });
    for (let i = 0; i < 40; i++) await call('POST', '/api/exams/current/stills');

    await svc.ask('reset');
    const idle = await poll(() => true, seconds * 300);
    const idleLoop = await svc.ask<{ p50: number; p99: number; max: number }>('stats');

    // Load: end A (its 40 stills are sent), start B and store a prospective cine, export A.
    await svc.ask('reset');
    const tSend = performance.now();
    await call('POST', '/api/exams/current/end');
    let sendMs = 0;
    let cineDone = false;
    let exportDone = false;
    await call('POST', '/api/exams', { patient: { name: 'Bench^Cine' } });
    const cine = call<{ frames: number }>('POST', '/api/exams/current/cines', { seconds: 4, mode: 'prospective' }).then((r) => ((cineDone = true), r));
    const job = (await call<{ job: { jobId: string } }>('POST', `/api/media/${encodeURIComponent('sim:STICK')}/export`, { examIds: [a.examId] })).job.jobId;
    const watch = (async () => {
      for (;;) {
        const s = await call<State>('GET', '/api/state');
        if (sendMs === 0 && s.queue.counts['completed'] === 40) sendMs = performance.now() - tSend;
        const e = s.media.exports.find((x) => x.jobId === job);
        if (e && e.state !== 'running' && e.state !== 'queued') {
          if (e.state !== 'completed') throw new Error(`export ${e.state}`);
          exportDone = true;
        }
        if (sendMs > 0 && exportDone) return;
        await sleep(50);
      }
    })();
    // --thumbs: the review screen at the same time: the 40 stills' thumbnails (each a first
    // decode: the cache is empty), fetched one after another as the kiosk does.
    let thumbsDone = !values.thumbs;
    const thumbMs: number[] = [];
    if (values.thumbs) {
      void (async () => {
        const exam = await call<{ instances: { sopInstanceUid: string }[] }>('GET', `/api/exams/${a.examId}`);
        for (const i of exam.instances) {
          const t = performance.now();
          const res = await fetch(`${base}/api/instances/${i.sopInstanceUid}/thumbnail`);
          if (!res.ok) throw new Error(`thumbnail ${res.status}`);
          await res.arrayBuffer();
          thumbMs.push(performance.now() - t);
        }
        thumbsDone = true;
      })();
    }
    const busy = await poll(() => cineDone && exportDone && sendMs > 0 && thumbsDone);
    const loop = await svc.ask<{ p50: number; p99: number; max: number }>('stats');
    const cineFrames = (await cine).frames;
    await watch;

    // storescu sends the same 40 files to the same storescp.
    const studyDir = join(root, 'data', 'instances', a.studyInstanceUid);
    const stills = (await readdir(studyDir, { recursive: true })).filter((f) => f.endsWith('.dcm')).map((f) => join(studyDir, f));
    if (stills.length !== 40) throw new Error(`${stills.length} files in ${studyDir}, expected 40`);
    const t1 = performance.now();
    execFileSync('storescu', ['--propose-lossless', '-aec', 'STORESCP', '127.0.0.1', String(pacsPort), ...stills]);
    const storescuMs = performance.now() - t1;

    const f = (xs: number[]): string => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log('Responsiveness of the service (800×600 simulator at 30 frames/s, storescp as PACS):');
    console.log(`  idle:  event-loop delay p99 ${idleLoop.p99.toFixed(1)} ms (max ${idleLoop.max.toFixed(1)}); GET /api/state ${f(idle)} (${idle.length} requests)`);
    console.log(`  load (send 40 stills + store a ${cineFrames}-frame cine + export the study${values.thumbs ? ' + 40 thumbnails' : ''} at once), load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}:`);
    if (values.thumbs) console.log(`         thumbnail (first view) p50 ${pct(thumbMs, 50).toFixed(1)} ms, max ${Math.max(...thumbMs).toFixed(1)} ms`);
    console.log(`         event-loop delay p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms (goal < 20 ms), max ${loop.max.toFixed(1)} ms`);
    console.log(`         GET /api/state ${f(busy)} (goal p99 < 50 ms, ${busy.length} requests)`);
    console.log(`  the 40-still send in the service under that load: ${(sendMs / 1000).toFixed(2)} s (end → all completed, polled every 50 ms); storescu, same files, same storescp, idle: ${(storescuMs / 1000).toFixed(2)} s`);
  } finally {
    svc.child.stdin!.write('exit\n');
    await new Promise((r) => svc.child.on('exit', r));
    storescp.kill('SIGTERM');
    await rm(root, { recursive: true, force: true });
  }
}

async function decodeRun(): Promise<void> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { randomBytes } = await import('node:crypto');
  const { uidGenerator } = await import('../dicom/core/index.js');
  const { unscheduledExam } = await import('../dicom/iod/index.js');
  const { FrameRingBuffer, storeCapture } = await import('../device/capture/index.js');
  const { encoderFor } = await import('../device/codecs/index.js');
  const { decodeFrame8 } = await import('../device/web/frame-image.js');
  const W = 800, H = 600, N = 12;
  const newUid = uidGenerator((n) => new Uint8Array(randomBytes(n)));
  const sim = new SimulatedFrameSource({ width: W, height: H, fps: 30, realtime: false });
  const frames: Frame[] = Array.from({ length: N }, (_, n) => ({ data: sim.renderFrame(n), width: W, height: H, format: 'RGB24', timestampMs: (n * 1000) / 30, sequence: n }));
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-decode-'));
  try {
    for (const ts of ['jpeg-lossless', 'jpeg-baseline'] as const) {
      const ring = new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 60, maxBytes: (N + 1) * W * H * 3 });
      frames.forEach((f) => ring.push(f));
      const lease = ring.leaseLast(60);
      const r = await storeCapture({
        kind: 'cine', lease, encoder: encoderFor(ts), exam: unscheduledExam({ id: 'B' }, { date: '20250101', time: '120000' }, newUid), series: { uid: newUid(), number: 1 },
        equipment: { manufacturer: 'sonicart', modelName: 'bench', softwareVersions: '0' }, source: sim.info, instanceNumber: 1,
        sopInstanceUid: newUid(), outDir: dir, wallClock: (t) => new Date(t),
      });
      lease.release();
      await decodeFrame8(r.path, 0);
      const ms: number[] = [];
      const { monitorEventLoopDelay } = await import('node:perf_hooks');
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await decodeFrame8(r.path, i);
        ms.push(performance.now() - t0);
      }
      loop.disable();
      const loopMax = loop.max / 1e6;
      const t1 = performance.now();
      for (let i = 0; i < 3; i++) execFileSync('dcmj2pnm', ['--frame', String(i + 1), '--write-raw-pnm', r.path, join(dir, 'f.ppm')]);
      const dcmtk = (performance.now() - t1) / 3;
      console.log(`decode one 800×600 frame of a ${ts} cine (thumbnail/playback): ours p50 ${pct(ms, 50).toFixed(1)} ms, max ${Math.max(...ms).toFixed(1)} ms (worker thread; event loop blocked at most ${loopMax.toFixed(1)} ms meanwhile); dcmj2pnm ${dcmtk.toFixed(1)} ms per frame incl. process start; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (values.only === undefined || values.only === 'live') {
  await encodeRun();
  await liveRun();
}
if (values.only === undefined || values.only === 'decode') await decodeRun();
if (values.only === undefined || values.only === 'load') await loadRun();
