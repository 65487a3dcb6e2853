/**
 * `npx tsx bench/scp-receive.ts`: the cart's storage SCP beside DCMTK storescp, both receiving
 * from the same DCMTK storescu on loopback and writing to the same file system:
 *
 *   (a) 200 single-frame 640×480 RGB US images of one study and series, one association
 *   (b) one 150 MB US multi-frame (cine), one association
 *
 * Receivers: storescp; the library's SCP into a directory (DirectorySink); the SERVICE's
 * listener path (device/scp/cart-scp.ts: InstanceStore, incoming/ → instances/…, a database
 * row), with fsync per instance before Success (the default: a stored image survives a power
 * cut) and without (what storescp does). Each repetition starts every receiver afresh, warms it
 * with one small C-STORE (a running service is warm; storescp gets the same), then times
 * storescu's wall time. Printed: medians over --reps (min–max), the ratio of medians to
 * storescp (goal ≤ 1.0×), each receiver's median peak RSS (ours VmHWM of the Node process,
 * storescp under /usr/bin/time), and the load average before and after.
 * storescp gets --max-pdu 65536, our receive size.
 * Options: --files N (default 200), --reps N (default 3), --skip-big, --skip-small,
 * --study-each (each image its own study and series: two new directories per instance),
 * --only NAME[,NAME] (receivers whose name contains one of them, storescp always).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tag, uidFromRandom } from '../dicom/core/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../dicom/part10/index.js';
import { freePort } from '../test/helpers/net-peers.js';
import { testImageDataSet } from '../test/unit/device-net/fixtures.js';
import { median, now } from './measure.js';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

interface Receiver {
  readonly name: string;
  /** `pid`: the receiving process itself (for its CPU time); `stop` resolves with its peak RSS, MiB. */
  start(dir: string, port: number): Promise<{ pid: number; stop: () => Promise<number> }>;
  readonly calledAe: string;
}

async function listening(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${port}`);
}

function waitFor(child: ChildProcess, text: RegExp, stream: 'stdout' | 'stderr'): Promise<void> {
  return new Promise((resolveP, reject) => {
    let buf = '';
    child[stream]!.on('data', (b: Buffer) => {
      buf += b.toString();
      if (text.test(buf)) resolveP();
    });
    child.once('exit', () => reject(new Error(`exited before ${text}: ${buf}`)));
  });
}

const ours = (service: boolean, sync: boolean): Receiver => ({
  name: `sonicart ${service ? 'service' : 'library'}${sync ? ' (fsync)' : ' (no fsync)'}`,
  calledAe: 'US_CART',
  async start(dir, port) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'scp-receive.child.ts'), dir, String(port), ...(sync ? [] : ['--no-sync']), ...(service ? ['--service'] : [])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(child, /ready/, 'stdout');
    return {
      pid: child.pid!,
      stop: async () => {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        process.kill(child.pid!, 'SIGTERM');
        await exited;
        return Number(/maxrss (\d+)/.exec(out)?.[1] ?? NaN) / 1024;
      },
    };
  },
});

const storescp: Receiver = {
  name: 'DCMTK storescp',
  calledAe: 'STORESCP',
  async start(dir, port) {
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %M', 'storescp', '--max-pdu', '65536', '-aet', 'STORESCP', '-od', dir, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    await listening(port);
    // storescp itself is time's child: its CPU time and its SIGTERM (time then prints its peak RSS).
    const pid = Number((await new Promise<string>((r) => {
      const p = spawn('pgrep', ['-P', String(child.pid)]);
      let s = '';
      p.stdout.on('data', (b: Buffer) => (s += b.toString()));
      p.on('exit', () => r(s.trim().split('\n')[0] ?? ''));
    })));
    return {
      pid,
      stop: async () => {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        process.kill(pid, 'SIGTERM');
        await exited;
        return Number(/__TIME__ (\d+)/.exec(err)?.[1] ?? NaN) / 1024;
      },
    };
  },
};

function send(port: number, calledAe: string, files: readonly string[]): Promise<{ seconds: number; code: number; err: string }> {
  return new Promise((resolveP) => {
    const t0 = now();
    const child = spawn('storescu', ['-aec', calledAe, '-aet', 'BENCH', '127.0.0.1', String(port), ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => resolveP({ seconds: (now() - t0) / 1000, code: code ?? 1, err }));
  });
}

/** The 200 images are one exam, as a modality sends them: one study, one series. */
const STUDY = uidFromRandom(randomBytes(16));
const SERIES = uidFromRandom(randomBytes(16));

async function writeImage(path: string, o: Parameters<typeof testImageDataSet>[0]): Promise<void> {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet(o);
  if (!process.argv.includes('--study-each')) {
    ds.putStrings(tag(0x0020, 0x000d), 'UI', STUDY);
    ds.putStrings(tag(0x0020, 0x000e), 'UI', SERIES);
  }
  await writeFile(path, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!));
}

/** User + system CPU seconds of a process so far (/proc/PID/stat, clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const work = await mkdtemp(join(tmpdir(), 'sonicart-scp-bench-'));
try {
  const n = arg('--files', 200);
  const reps = arg('--reps', 3);
  const onlyIdx = process.argv.indexOf('--only');
  const only = onlyIdx >= 0 ? process.argv[onlyIdx + 1]!.split(',') : undefined;
  const small: string[] = [];
  await mkdir(join(work, 'in'));
  for (let i = 0; i < n; i++) {
    const p = join(work, 'in', `img${i}.dcm`);
    await writeImage(p, { rows: 480, columns: 640, samples: 3 });
    small.push(p);
  }
  const warm = join(work, 'in', 'warm.dcm');
  await writeImage(warm, { rows: 64, columns: 64 });
  const big = join(work, 'in', 'cine.dcm');
  const skipBig = process.argv.includes('--skip-big');
  const skipSmall = process.argv.includes('--skip-small');
  if (!skipBig) await writeImage(big, { rows: 600, columns: 800, samples: 3, frames: 104 }); // 149.8 MB of pixels
  const receivers = [storescp, ours(false, true), ours(true, true), ours(false, false), ours(true, false)].filter((r) => r === storescp || !only || only.some((o) => r.name.includes(o)));
  const cases = [...(skipSmall ? [] : [[`${n} images`, small]]), ...(skipBig ? [] : [['150 MB cine', [big]]])] as [string, string[]][];
  const loadBefore = load();
  const times = new Map<string, number[]>();
  const rss = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number): void => void m.set(k, [...(m.get(k) ?? []), v]);
  for (const [label, files] of cases) {
    for (let rep = 0; rep < reps; rep++) {
      // A different receiver goes first in each repetition: no receiver always gets the cold page cache.
      const order = receivers.map((_, i) => receivers[(i + rep) % receivers.length]!);
      for (const r of order) {
        const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
        await mkdir(out);
        const port = await freePort();
        const h = await r.start(out, port);
        const w = await send(port, r.calledAe, [warm]);
        if (w.code !== 0) throw new Error(`${r.name}: warm-up failed: ${w.err}`);
        const cpu0 = cpuSeconds(h.pid);
        const s = await send(port, r.calledAe, files);
        push(cpu, `${label}|${r.name}`, cpuSeconds(h.pid) - cpu0);
        push(rss, `${label}|${r.name}`, await h.stop());
        await rm(out, { recursive: true, force: true });
        if (s.code !== 0) throw new Error(`${r.name}: storescu failed: ${s.err}`);
        push(times, `${label}|${r.name}`, s.seconds);
      }
    }
  }
  console.log(`storescu → receiver, loopback, same file system; wall time of storescu, median of ${reps} (min–max); ratio of medians to storescp; the receiver's CPU time (user+sys) during the send`);
  console.log(`load average before: ${loadBefore}; after: ${load()}`);
  for (const [label] of cases) {
    const base = median(times.get(`${label}|${storescp.name}`)!);
    const baseCpu = median(cpu.get(`${label}|${storescp.name}`)!);
    for (const r of receivers) {
      const t = times.get(`${label}|${r.name}`)!;
      const m = median(t);
      console.log(
        `${label.padEnd(12)} ${r.name.padEnd(28)} ${m.toFixed(2).padStart(6)} s (${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)})  ${(m / base).toFixed(2)}×  CPU ${median(cpu.get(`${label}|${r.name}`)!).toFixed(2)} s ${(median(cpu.get(`${label}|${r.name}`)!) / baseCpu).toFixed(2)}×  peak RSS ${median(rss.get(`${label}|${r.name}`)!).toFixed(0)} MiB`,
      );
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
