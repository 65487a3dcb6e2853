/**
 * The device service, end to end through createDevice (simulated 800×600 30 fps grabber,
 * JPEG Lossless captures, one storescp destination with TCP_NODELAY forced by an LD_PRELOAD shim):
 *
 * 1. "end exam → last instance stored": N exams of 10 stills; the time from ExamService.end()
 *    until the last store job of the exam is committed as completed. Beside it, in the same run,
 *    DCMTK's storescu sending the same 10 files (one process, one association: its wall time).
 * 2. --day: a compressed day — 40 exams × (10 stills + 3 retrospective cines of --cine-seconds)
 *    back to back; peak RSS, and RSS after the first and after the last exam (growth). The
 *    capture configuration is the default one (JPEG Lossless, capture.ringSeconds 12, the
 *    default capture.ringMemoryMb) unless --ts / --ring-seconds / --ring-mb say otherwise; the
 *    ring's figures (held seconds, memory, frames still raw, frames dropped) are printed.
 *
 *   npx tsx bench/service-exam.ts [--exams 20] [--day] [--day-exams 40] [--cine-seconds 2]
 *                                 [--ts jpeg-lossless|jpeg-baseline|explicit] [--ring-seconds S] [--ring-mb MB] [--ring-frames raw|compressed]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { parseDeviceConfig } from '../device/config/index.js';
import { createDevice, type CartDevice } from '../device/main.js';
import { freePort, startPeer } from '../test/helpers/net-peers.js';
import { buildNoDelayShim } from './nodelay-shim.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
function optional(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}


function wallMs(cmd: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 300)}`))));
  });
}

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `n` more store jobs have completed (or failed: then it throws). */
function completions(device: CartDevice, n: number): Promise<void> {
  const start = device.queue.summary().byState;
  const target = start.completed + n;
  return firstValueFrom(
    device.queue.events$.pipe(
      filter(() => {
        const s = device.queue.summary().byState;
        if (s.failed > start.failed) throw new Error(`a send failed: ${JSON.stringify(device.queue.list({ state: 'failed' }, { limit: 1 })[0])}`);
        return s.completed >= target;
      }),
    ),
  ).then(() => undefined);
}

async function main(): Promise<void> {
  const exams = arg('--exams', 20);
  const day = process.argv.includes('--day');
  const dayExams = arg('--day-exams', 40);
  const cineSeconds = arg('--cine-seconds', 2);
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-exam-'));
  const shim = buildNoDelayShim(dir);
  const port = await freePort();
  const scp = await startPeer('storescp', ['--ignore', '--fork', '+xa', String(port)], port, { env: { ...process.env, LD_PRELOAD: shim } });
  const ringSeconds = optional('--ring-seconds');
  const ringMb = optional('--ring-mb');
  const ringFrames = optional('--ring-frames');
  const config = parseDeviceConfig({
    dataDir: join(dir, 'cart'),
    capture: {
      transferSyntax: optional('--ts') ?? 'jpeg-lossless',
      maxCineSeconds: cineSeconds,
      ...(ringSeconds !== undefined ? { ringSeconds: Number(ringSeconds) } : {}),
      ...(ringMb !== undefined ? { ringMemoryMb: Number(ringMb) } : {}),
      ...(ringFrames !== undefined ? { ringFrames } : {}),
    },
    destinations: [{ name: 'pacs', host: '127.0.0.1', port, calledAe: 'STORESCP', roles: ['store'] }],
    worklist: { refreshIntervalS: 0 },
  });
  const device = await createDevice(config);
  await device.start();
  await sleep(Math.max(1500, (cineSeconds + 0.5) * 1000));
  try {
    // 1. end exam → last instance stored
    console.log(`service up; measuring ${exams} exams`);
    const ours: number[] = [];
    const dcmtk: number[] = [];
    for (let e = 0; e < exams; e++) {
      await device.exams.start({ patient: { name: `Bench^Exam${e}` } });
      const uids: string[] = [];
      for (let i = 0; i < 10; i++) uids.push((await device.exams.storeStill()).sopInstanceUid);
      const done = completions(device, 10);
      const t0 = performance.now();
      await device.exams.end();
      await done;
      ours.push(performance.now() - t0);
      const files = uids.map((u) => device.instances.pathOf(u));
      dcmtk.push(await wallMs('storescu', ['-xs', '-aec', 'STORESCP', '127.0.0.1', String(port), ...files]));
    }
    if (exams > 0) {
      const size = device.instances.get(device.exams.list({ limit: 1 })[0]!.instances[0]!.sopInstanceUid)!.size;
      console.log(`\nend exam → last instance stored — ${exams} exams × 10 stills (800×600 RGB JPEG Lossless, ~${Math.round(size / 1024)} KiB each), storescp --ignore +xa with TCP_NODELAY, node ${process.version}`);
      console.log(`  sonicart service   p50 ${pct(ours, 50).toFixed(1)} ms   p95 ${pct(ours, 95).toFixed(1)} ms`);
      console.log(`  storescu (same 10) p50 ${pct(dcmtk, 50).toFixed(1)} ms   p95 ${pct(dcmtk, 95).toFixed(1)} ms   (process start included)`);
      console.log(`  ratio p50 ${(pct(ours, 50) / pct(dcmtk, 50)).toFixed(2)}×`);
    }

    // 2. compressed day
    if (day) {
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
      const rssAfter: number[] = [];
      const t0 = performance.now();
      for (let e = 0; e < dayExams; e++) {
        await device.exams.start({ patient: { name: `Day^Exam${e}` } });
        for (let i = 0; i < 10; i++) await device.exams.storeStill();
        for (let c = 0; c < 3; c++) {
          await device.exams.storeCine({ seconds: cineSeconds, mode: 'retrospective' });
          await sleep(cineSeconds * 1000); // the ring refills: each cine is new frames, as on a cart
        }
        const done = completions(device, 13);
        await device.exams.end();
        await done;
        rssAfter.push(process.memoryUsage().rss);
        console.log(`  day: ${e + 1}/${dayExams} exams, ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${(rssAfter.at(-1)! / 2 ** 20).toFixed(0)} MB, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB, ring ${(device.live.ringLimits().usedBytes / 2 ** 20).toFixed(0)} MB`);
      }
      clearInterval(sampler);
      const first = rssAfter[0]!;
      const last = rssAfter.at(-1)!;
      const l = device.live.ringLimits();
      const st = device.live.stats();
      console.log(`\ncompressed day — ${dayExams} exams × (10 stills + 3 cines of ${cineSeconds} s, 800×600 30 fps), ${config.capture.transferSyntax}, ${((performance.now() - t0) / 60000).toFixed(1)} min, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
      console.log(`  ring: capture.ringFrames ${config.capture.ringFrames}, ringSeconds ${config.capture.ringSeconds}, ringMemoryMb ${config.capture.ringMemoryMb}: holds ${l.heldSeconds.toFixed(1)} s (capacity ${l.capacitySeconds.toFixed(1)} s) in ${(l.usedBytes / 2 ** 20).toFixed(0)} MB, ${l.transferSyntaxUid ?? 'raw frames'}; frames received ${st.received}, still raw ${st.rawFrames}, dropped full ${st.droppedFull}, encoder failed ${st.encoderFailed}`);
      console.log(`  peak RSS ${(peak / 2 ** 20).toFixed(0)} MB; RSS after exam 1 ${(first / 2 ** 20).toFixed(0)} MB, after exam ${dayExams} ${(last / 2 ** 20).toFixed(0)} MB (growth ${(((last - first) / first) * 100).toFixed(1)} %)`);
    }
  } finally {
    await device.stop({ drain: true });
    await scp.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
