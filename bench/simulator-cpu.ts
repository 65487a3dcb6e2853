/**
 * CPU of the simulated frame grabber + cine ring buffer alone (issue 4: under a quarter of one
 * core at 800×600 RGB, 30 frames/s). The same measurement as the last part of bench/capture.ts,
 * without the store/codec runs before it, so nothing else's garbage or JIT work lands in the
 * window: process CPU time (user + system) over wall time while the simulator runs in real time
 * for `--seconds` (10 by default) feeding a 10 s ring.
 * Run: npx tsx bench/simulator-cpu.ts [--seconds 10] [--format RGB24|GRAY8]
 */
import { parseArgs } from 'node:util';
import { FrameRingBuffer } from '../device/capture/index.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, format: { type: 'string', default: 'RGB24' } } });
const seconds = Number(values.seconds);
const format = values.format === 'GRAY8' ? 'GRAY8' : 'RGB24';
const W = 800, H = 600, FPS = 30;
const bpp = format === 'RGB24' ? 3 : 1;

const live = new SimulatedFrameSource({ width: W, height: H, fps: FPS, realtime: true, format });
const ring = new FrameRingBuffer({ width: W, height: H, format, seconds: 10, maxBytes: 310 * W * H * bpp });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const run = live.start((f) => ring.push(f));
await new Promise((r) => setTimeout(r, seconds * 1000));
await live.stop();
await run;
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
const s = ring.stats();
const pct = (us: number) => ((us / 1000 / wall) * 100).toFixed(1);
console.log(
  `simulator + ring, ${W}×${H} ${format} at ${FPS} frames/s for ${(wall / 1000).toFixed(1)} s: ` +
    `${pct(cpu.user + cpu.system)} % of one core (user ${pct(cpu.user)} %, system ${pct(cpu.system)} %), ` +
    `${s.received} frames, dropped ${s.droppedFull}`,
);
