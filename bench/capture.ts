/**
 * Capture benchmark (issue 4), 800×600 RGB frames from the simulator:
 *  - JPEG Baseline (ffmpeg mjpeg 4:2:2, both cores) and JPEG Lossless (ours) frames/s, beside
 *    DCMTK dcmcjpeg on the same frames;
 *  - CPU of the simulator + ring buffer at 30 frames/s;
 *  - peak RSS while storing a 300-frame cine from the ring, against the ring's own bytes.
 * Run: npx tsx bench/capture.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { uidGenerator } from '../dicom/core/index.js';
import { unscheduledExam } from '../dicom/iod/index.js';
import { FrameRingBuffer, storeCapture, type Frame } from '../device/capture/index.js';
import { encoderFor, type CaptureSyntax } from '../device/codecs/index.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';

const W = 800, H = 600, N = 300;
const newUid = uidGenerator((n) => new Uint8Array(randomBytes(n)));
const sim = new SimulatedFrameSource({ width: W, height: H, fps: 30, realtime: false });
const when = { date: '20250101', time: '120000' };

async function store(frames: Frame[], ts: CaptureSyntax, dir: string) {
  const ring = new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 60, maxBytes: (frames.length + 1) * W * H * 3 });
  frames.forEach((f) => ring.push(f));
  const lease = ring.leaseLast(60);
  const t0 = performance.now();
  const r = await storeCapture({
    kind: 'cine', lease, encoder: encoderFor(ts), exam: unscheduledExam({ id: 'B' }, when, newUid), series: { uid: newUid(), number: 1 },
    equipment: { manufacturer: 'sonicart', modelName: 'bench', softwareVersions: '0' }, source: sim.info, instanceNumber: 1,
    sopInstanceUid: newUid(), outDir: dir, wallClock: (t) => new Date(t),
  });
  lease.release();
  return { ms: performance.now() - t0, r };
}

const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-'));
try {
  const frames: Frame[] = Array.from({ length: N }, (_, n) => ({ data: sim.renderFrame(n), width: W, height: H, format: 'RGB24', timestampMs: (n * 1000) / 30, sequence: n }));
  const ringBytes = N * W * H * 3;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const explicit = await store(frames, 'explicit', dir);
  const baseline = await store(frames, 'jpeg-baseline', dir);
  const lossless = await store(frames, 'jpeg-lossless', dir);
  clearInterval(sampler);
  const fps = (ms: number) => ((N * 1000) / ms).toFixed(1);
  console.log(`800×600 RGB, ${N} frames (${(ringBytes / 2 ** 20).toFixed(0)} MiB in the ring)`);
  console.log(`  store explicit        ${explicit.ms.toFixed(0)} ms (${fps(explicit.ms)} frames/s)`);
  console.log(`  store JPEG baseline   ${baseline.ms.toFixed(0)} ms (${fps(baseline.ms)} frames/s, ratio ${baseline.r.ratio.toFixed(1)}, ${baseline.r.photometric})`);
  console.log(`  store JPEG lossless   ${lossless.ms.toFixed(0)} ms (${fps(lossless.ms)} frames/s, ratio ${lossless.r.ratio.toFixed(2)})`);
  for (const [flag, name] of [['+eb', 'baseline'], ['+e1', 'lossless SV1']] as const) {
    const t0 = performance.now();
    execFileSync('dcmcjpeg', [flag, explicit.r.path, join(dir, `dcmtk-${name}.dcm`)]);
    const ms = performance.now() - t0;
    console.log(`  DCMTK dcmcjpeg ${flag} (${name}, one core) ${ms.toFixed(0)} ms (${fps(ms)} frames/s)`);
  }
  console.log(`  peak RSS while storing: ${((peak - rssBefore) / 2 ** 20).toFixed(0)} MiB above the filled ring (ring ${(ringBytes / 2 ** 20).toFixed(0)} MiB)`);

  // Rendering one frame (was a time limit inside a unit test; speed belongs here).
  {
    const r = new SimulatedFrameSource({ width: W, height: H, realtime: false });
    r.renderFrame(0);
    const t0 = performance.now();
    for (let i = 1; i <= 30; i++) r.renderFrame(i);
    console.log(`  simulator render: ${((performance.now() - t0) / 30).toFixed(1)} ms per 800×600 RGB frame (a frame time at 30 frames/s is 33.3 ms)`);
  }
  // Simulator + ring buffer in real time at 30 frames/s for 5 s.
  const live = new SimulatedFrameSource({ width: W, height: H, fps: 30, realtime: true });
  const ring = new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 10, maxBytes: 310 * W * H * 3 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = live.start((f) => ring.push(f));
  await new Promise((r) => setTimeout(r, 5000));
  await live.stop();
  await run;
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - t0;
  console.log(`  simulator + ring at 30 frames/s: ${(((cpu.user + cpu.system) / 1000 / wall) * 100).toFixed(1)} % of one core, ${ring.stats().received} frames in ${(wall / 1000).toFixed(1)} s, dropped ${ring.stats().droppedFull}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
