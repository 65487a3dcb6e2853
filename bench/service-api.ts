/**
 * Service API benchmark (issue 9):
 *  - /api/live: 30 frames/s 800×600 from the simulator to one WebSocket client that acks each
 *    frame at once: frames received per second, frame age (receive time − capture time in the
 *    header) p50/p95/max (goal p95 < 80 ms), and the service process's CPU while serving, beside
 *    the same process with nobody watching (simulator + ring only): the difference is what
 *    /api/live costs. The service runs in a child process so the client's CPU is not counted.
 *  - sharp's encode of one 800×600 frame (the per-frame work) beside ffmpeg's mjpeg encoder on
 *    the same frame, for scale.
 * Run: npx tsx bench/service-api.ts [--seconds 10]
 */
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { sharpLiveEncoder } from '../device/web/live-encoder.js';
import { decodeLiveMessage } from '../device/web/live-frame.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';
import type { Frame } from '../device/capture/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
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

await encodeRun();
await liveRun();
