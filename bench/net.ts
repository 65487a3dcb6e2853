/**
 * `npx tsx bench/net.ts`: the network commands beside DCMTK on loopback, against the same
 * `storescp --ignore` (receives, stores nothing) and the same wlmscpfs:
 *
 *   (a) 200 single-frame 800×600 RGB files: `sonicart send` vs `storescu`, and --parallel N
 *   (b) one 150 MB 104-frame 800×600 RGB file: wall time, and the sender's peak RSS
 *   (c) a 1,000-entry worklist: `sonicart worklist` vs `findscu`
 *
 * Each sender runs as its own process under /usr/bin/time, so the figures include start-up
 * (Node + tsx for us, a C++ binary for DCMTK) and the peak RSS is the whole process's.
 * Options: --files N (default 200), --skip-big, --skip-worklist.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { transferSyntax, EXPLICIT_VR_LE } from '../dicom/encoding/index.js';
import { buildFileMeta, writePart10 } from '../dicom/part10/index.js';
import { freePort, startPeer } from '../test/helpers/net-peers.js';
import { writeWorklistFiles } from '../test/helpers/worklist-files.js';
import { testImageDataSet } from '../test/unit/device-net/fixtures.js';

const ROOT = resolve(import.meta.dirname, '..');
const SONICART = join(ROOT, 'bin', 'sonicart.js');

function flag(name: string): boolean {
  return process.argv.includes(name);
}
function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

interface Timed {
  seconds: number;
  maxRssMiB: number;
  code: number;
  stderr: string;
}

/** Runs a command under /usr/bin/time: wall seconds and peak RSS of the process. */
function timed(cmd: string, args: readonly string[]): Promise<Timed> {
  return new Promise((resolveP) => {
    const child = spawn('/usr/bin/time', ['-f', '__TIME__ %e %M', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      const m = /__TIME__ ([\d.]+) (\d+)/.exec(err);
      resolveP({ seconds: m ? Number(m[1]) : NaN, maxRssMiB: m ? Number(m[2]) / 1024 : NaN, code: code ?? 1, stderr: err.replace(/__TIME__.*\n?/, '') });
    });
  });
}

async function writeImage(path: string, frames: number): Promise<void> {
  const { ds, sopClassUid, sopInstanceUid } = testImageDataSet({ rows: 600, columns: 800, samples: 3, frames });
  const ts = transferSyntax(EXPLICIT_VR_LE)!;
  await writeFile(path, writePart10(buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid: ts.uid }), ds, ts));
}

const rows: string[][] = [];
const row = (what: string, ours: Timed, theirs: Timed | undefined, note = ''): void => {
  rows.push([
    what,
    `${ours.seconds.toFixed(2)} s`,
    theirs ? `${theirs.seconds.toFixed(2)} s` : '-',
    theirs ? (ours.seconds / theirs.seconds).toFixed(2) : '-',
    `${ours.maxRssMiB.toFixed(0)} MiB`,
    note,
  ]);
  if (ours.code !== 0) console.error(`${what}: sonicart exited ${ours.code}: ${ours.stderr.slice(0, 400)}`);
  if (theirs && theirs.code !== 0) console.error(`${what}: DCMTK exited ${theirs.code}: ${theirs.stderr.slice(0, 400)}`);
};

const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-net-'));
const stops: (() => Promise<void>)[] = [];
try {
  const n = arg('--files', 200);
  const small = join(dir, 'small');
  await mkdir(small);
  const smallFiles: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = join(small, `img${String(i).padStart(4, '0')}.dcm`);
    await writeImage(p, 1);
    smallFiles.push(p);
  }
  const port = await freePort();
  const scp = await startPeer('storescp', ['--ignore', '--fork', String(port)], port);
  stops.push(() => scp.stop());
  const target = ['--host', '127.0.0.1', '--port', String(port), '--called-ae', 'STORESCP'];

  const dcmtkSmall = await timed('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), ...smallFiles]);
  row(`(a) ${n} × 800×600 RGB`, await timed('node', [SONICART, 'send', ...target, small]), dcmtkSmall);
  for (const p of [2, 4, 8]) row(`(a) same, --parallel ${p}`, await timed('node', [SONICART, 'send', ...target, '--parallel', String(p), small]), dcmtkSmall);

  if (!flag('--skip-big')) {
    const big = join(dir, 'big.dcm');
    await writeImage(big, 104);
    const theirs = await timed('storescu', ['-aec', 'STORESCP', '127.0.0.1', String(port), big]);
    row('(b) 1 × 150 MB, 104 frames', await timed('node', [SONICART, 'send', ...target, big]), theirs, `storescu peak ${theirs.maxRssMiB.toFixed(0)} MiB`);
  }

  if (!flag('--skip-worklist')) {
    const wl = join(dir, 'wl', 'WLMSCP');
    const made = await writeWorklistFiles(join(dir, 'wl-src'));
    await mkdir(wl, { recursive: true });
    await writeFile(join(wl, 'lockfile'), '');
    for (let i = 0; i < 1000; i++) await copyFile(made[i % made.length]!, join(wl, `e${String(i).padStart(4, '0')}.wl`));
    const wport = await freePort();
    const wlm = await startPeer('wlmscpfs', ['-csk', '-dfp', join(dir, 'wl'), String(wport)], wport);
    stops.push(() => wlm.stop());
    const theirs = await timed('findscu', [
      '-W', '-aec', 'WLMSCP', '127.0.0.1', String(wport),
      '-k', '(0008,0005)', '-k', '(0010,0010)', '-k', '(0010,0020)', '-k', '(0008,0050)', '-k', '(0020,000d)', '-k', '(0032,1060)',
      '-k', '(0040,0100)[0].(0008,0060)=US', '-k', '(0040,0100)[0].(0040,0001)', '-k', '(0040,0100)[0].(0040,0002)', '-k', '(0040,0100)[0].(0040,0003)',
    ]);
    row('(c) worklist, 1,000 entries', await timed('node', [SONICART, 'worklist', '--host', '127.0.0.1', '--port', String(wport), '--called-ae', 'WLMSCP', '--modality', 'US']), theirs);
  }

  const head = ['case', 'sonicart', 'DCMTK', 'ratio', 'our peak RSS', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\nnetwork benchmark — loopback, storescp --ignore --fork (Nagle on: ~40 ms per response), node ${process.version}`);
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  console.log('ratio = sonicart wall time / DCMTK wall time (≤ 1.0: as fast or faster); both include process start-up.');
} finally {
  for (const s of stops) await s();
  await rm(dir, { recursive: true, force: true });
}
