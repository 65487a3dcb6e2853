/**
 * The running cart's CPU, as the issue states the goal: `sonicart serve` with its built-in
 * defaults (simulated grabber 800×600 RGB at 30 frames/s, the default capture syntax and its
 * cine ring, the simulated hospital) measured from outside through /proc/PID/stat (all its
 * threads: the event loop, the encoder workers, libuv's pool), first with nobody watching, then
 * with one WebSocket client taking every live frame. Also the frame age at that client, the
 * ring's window and the process's peak RSS (VmHWM).
 *   npx tsx bench/service-serve-cpu.ts [--seconds 10]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decodeLiveMessage } from '../device/web/live-frame.js';
import { freePort } from '../test/helpers/net-peers.js';
import { SONICART_BIN } from '../test/helpers/run-tool.js';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1] || 10) || 10;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const TICKS = 100; // USER_HZ on Linux

async function cpuTicks(pid: number): Promise<number> {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime (fields 14 and 15)
}
async function hwmMiB(pid: number): Promise<number> {
  const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const home = await mkdtemp(join(tmpdir(), 'sonicart-cpu-'));
const port = await freePort();
const child = spawn(process.execPath, [SONICART_BIN, 'serve', '--ui-port', String(port), '--listen-port', '0'], {
  env: { ...process.env, HOME: home, XDG_DATA_HOME: join(home, 'data'), GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  const pid = child.pid!;
  for (let i = 0; ; i++) {
    if (i > 100) throw new Error('sonicart serve did not answer /api/state in 20 s');
    if (await fetch(`http://127.0.0.1:${port}/api/state`).then((r) => r.ok, () => false)) break;
    await sleep(200);
  }
  await sleep(8000); // the ring fills, the encoders warm up
  const t0 = await cpuTicks(pid);
  await sleep(seconds * 1000);
  const idle = ((await cpuTicks(pid)) - t0) / TICKS / seconds;

  const ages: number[] = [];
  let frames = 0;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
  ws.on('message', (data: Buffer) => {
    const { header } = decodeLiveMessage(data);
    ages.push(performance.timeOrigin + performance.now() - header.captureTimeMs);
    frames++;
    ws.send(JSON.stringify({ ack: header.sequence }));
  });
  await new Promise((r) => ws.on('open', r));
  await sleep(1000);
  ages.length = 0;
  frames = 0;
  const t1 = await cpuTicks(pid);
  await sleep(seconds * 1000);
  const watched = ((await cpuTicks(pid)) - t1) / TICKS / seconds;
  ws.close();
  const state = (await (await fetch(`http://127.0.0.1:${port}/api/state`)).json()) as { capture: { ring?: { heldSeconds: number; capacitySeconds: number; memoryMb: number } } };
  const ring = state.capture.ring;
  console.log(`sonicart serve, built-in defaults, ${seconds} s each, node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`  CPU, nobody watching:        ${(idle * 100).toFixed(1)} % of one core`);
  console.log(`  CPU, one /api/live client:   ${(watched * 100).toFixed(1)} % of one core (goal < 60 %); ${(frames / seconds).toFixed(1)} frames/s, age p50 ${pct(ages, 50).toFixed(1)} ms, p95 ${pct(ages, 95).toFixed(1)} ms (goal < 80 ms)`);
  if (ring) console.log(`  cine ring: holds ${ring.heldSeconds.toFixed(1)} s of ${ring.capacitySeconds.toFixed(1)} s in ${ring.memoryMb} MB`);
  console.log(`  peak RSS (VmHWM): ${(await hwmMiB(pid)).toFixed(0)} MiB`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await rm(home, { recursive: true, force: true });
}
