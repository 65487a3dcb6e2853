/**
 * `npx tsx bench/scp-receive.ts`: the cart's storage SCP beside DCMTK storescp, both receiving
 * from the same DCMTK storescu on loopback and writing to the same file system:
 *
 *   (a) 200 single-frame 640×480 RGB US images, one association
 *   (b) one 150 MB US multi-frame (cine), one association
 *
 * Printed: storescu's wall time into each receiver, the ratio ours/storescp (goal ≤ 1.0×), and
 * each receiver's peak RSS (ours from the Node process itself; storescp under /usr/bin/time).
 * Ours runs twice: fsync per file before Success (the default: a stored image survives a power
 * cut) and without (what storescp does). storescp gets --max-pdu 65536, our receive size.
 * Options: --files N (default 200), --skip-big.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXPLICIT_VR_LE, transferSyntax } from '../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../dicom/part10/index.js';
import { freePort } from '../test/helpers/net-peers.js';
import { testImageDataSet } from '../test/unit/device-net/fixtures.js';
import { now } from './measure.js';

const ROOT = resolve(import.meta.dirname, '..');
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

interface Receiver {
  readonly name: string;
  start(dir: string, port: number): Promise<{ stop: () => Promise<number> }>;
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

const ours = (sync: boolean): Receiver => ({
  name: `sonicart SCP${sync ? ' (fsync)' : ' (no fsync)'}`,
  calledAe: 'US_CART',
  async start(dir, port) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'scp-receive.child.ts'), dir, String(port), ...(sync ? [] : ['--no-sync'])], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(child, /ready/, 'stdout');
    return {
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
    return {
      stop: async () => {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        // SIGTERM to storescp itself (time's child): time then prints its peak RSS.
        const pid = Number((await new Promise<string>((r) => {
          const p = spawn('pgrep', ['-P', String(child.pid)]);
          let s = '';
          p.stdout.on('data', (b: Buffer) => (s += b.toString()));
          p.on('exit', () => r(s.trim().split('\n')[0] ?? ''));
        })));
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

async function writeImage(path: string, o: Parameters<typeof testImageDataSet>[0]): Promise<void> {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet(o);
  await writeFile(path, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LE }), ds, transferSyntax(EXPLICIT_VR_LE)!));
}

const work = await mkdtemp(join(tmpdir(), 'sonicart-scp-bench-'));
try {
  const n = arg('--files', 200);
  const small: string[] = [];
  await mkdir(join(work, 'in'));
  for (let i = 0; i < n; i++) {
    const p = join(work, 'in', `img${i}.dcm`);
    await writeImage(p, { rows: 480, columns: 640, samples: 3 });
    small.push(p);
  }
  const big = join(work, 'in', 'cine.dcm');
  const skipBig = process.argv.includes('--skip-big');
  if (!skipBig) await writeImage(big, { rows: 600, columns: 800, samples: 3, frames: 104 }); // 149.8 MB of pixels
  const rows: string[] = [];
  const results = new Map<string, number>();
  for (const [label, files] of [[`${n} images`, small], ...(skipBig ? [] : [['150 MB cine', [big]]])] as [string, string[]][]) {
    for (const r of [storescp, ours(true), ours(false)]) {
      const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
      await mkdir(out);
      const port = await freePort();
      const h = await r.start(out, port);
      const s = await send(port, r.calledAe, files);
      const rss = await h.stop();
      await rm(out, { recursive: true, force: true });
      if (s.code !== 0) throw new Error(`${r.name}: storescu failed: ${s.err}`);
      results.set(`${label}|${r.name}`, s.seconds);
      const base = results.get(`${label}|${storescp.name}`)!;
      rows.push(`${label.padEnd(12)} ${r.name.padEnd(26)} ${s.seconds.toFixed(2).padStart(7)} s  ${(s.seconds / base).toFixed(2)}×  peak RSS ${rss.toFixed(0)} MiB`);
    }
  }
  console.log('storescu → receiver, loopback, same file system (wall time of storescu; ratio to storescp)');
  for (const r of rows) console.log(r);
} finally {
  await rm(work, { recursive: true, force: true });
}
