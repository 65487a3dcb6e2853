/**
 * Peak memory of `sonicart capture` (issue 8): the resident set high-water mark (VmHWM) of the
 * command's own Node process, for cines of S seconds (800×600 RGB, 30 frames/s, simulator) in
 * each syntax and a 4096×3072 still from live video, beside what holding the frames would
 * take. Each file is checked with dciodvfy and dcmdump. Goals: a 120 s cine < 250 MB, the
 * 4096×3072 still < 150 MB. (An uncompressed cine stops at 90 s here: 120 s of 800×600 RGB is
 * 5.2 GB, more than a Pixel Data element's 32-bit length; the command refuses it.)
 *
 *   npx tsx bench/capture-memory.bench.ts [seconds=10]      (the goal figure: 120)
 *
 * Runs the command as users do (bin/sonicart.js: the dist/ bundle when it is fresh, else the
 * sources through tsx, which costs some 30 MB more); the mode is printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNodeWithPeakRss } from '../test/helpers/peak-rss.js';

const seconds = Number(process.argv[2] ?? 10);
const root = join(import.meta.dirname, '..');
const sonicart = join(root, 'bin/sonicart.js');

function mode(): string {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(join(root, 'dist/cli/inputs.json'), 'utf8')) as { builtAt: number; inputs: string[] };
    return inputs.some((f) => statSync(join(root, f)).mtimeMs > builtAt) ? 'sources through tsx (bundle stale)' : 'dist/ bundle';
  } catch {
    return 'sources through tsx (no bundle)';
  }
}

function verify(path: string): string {
  const v = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  const errors = v.stderr.split('\n').filter((l) => l.startsWith('Error')).length;
  const d = spawnSync('dcmdump', ['-q', path], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  return `dciodvfy ${errors} errors, dcmdump exit ${d.status}`;
}

const dir = await mkdtemp(join(tmpdir(), 'sonicart-bench-mem-'));
try {
  console.log(`capture peak RSS (VmHWM of the sonicart process), ${mode()}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  const frameMiB = (800 * 600 * 3) / 2 ** 20;
  const cases: { name: string; args: string[]; held: number }[] = [
    // Uncompressed Pixel Data holds at most 4 GiB: 99 s of 800×600 RGB at 30 frames/s.
    ...(['jpeg-lossless', 'jpeg-baseline', 'explicit'] as const).map((ts) => {
      const s = ts === 'explicit' ? Math.min(seconds, 90) : seconds;
      return { name: `cine ${s} s 800×600 ${ts}`, args: ['--kind', 'cine', '--seconds', String(s), '--ts', ts], held: s * 30 * frameMiB };
    }),
  ];
  const video = join(dir, 'big.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=4096x3072:rate=5', '-t', '2', '-c:v', 'mjpeg', '-q:v', '3', '-y', video]);
  cases.push({ name: 'still 4096×3072 from 5 frames/s video', args: ['--kind', 'still', '--source', `file:${video}`], held: (4096 * 3072 * 3) / 2 ** 20 });
  for (const c of cases) {
    const out = join(dir, `out-${cases.indexOf(c)}`);
    await mkdir(out);
    const r = await runNodeWithPeakRss(sonicart, ['capture', ...c.args, '--out', out]);
    const files = existsSync(out) ? (await readdir(out)).filter((f) => f.endsWith('.dcm')) : [];
    const summary = r.stdout.trim().split('\n').pop() ?? '';
    const check = r.code === 0 && files.length === 1 ? verify(join(out, files[0]!)) : `exit ${r.code}: ${r.stderr.trim().slice(-300)}`;
    console.log(`  ${c.name.padEnd(38)} peak ${r.peakMiB.toFixed(0).padStart(4)} MiB  (frames alone ${c.held.toFixed(0)} MiB)  ${(r.wallMs / 1000).toFixed(1)} s  ${check}`);
    console.log(`      ${summary}`);
    await rm(out, { recursive: true, force: true });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
