/**
 * `npm run bench`: every benchmark, one after the other (the cart has 2 cores; nothing runs in
 * parallel), each bounded in time.
 *
 *   1. the data-layer benchmark (bench/data-layer.ts), in this process; its table is printed
 *      at the end;
 *   2. then, each in its own Node process with a time limit, bench/*.bench.ts entries and
 *      bench/jpeg-lossless.ts (owned by the pixel-codec work; run as is, not edited here).
 *
 * Options: --images N (default 1000), --skip-others (data layer only).
 */
import { access, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDataLayerBench } from './data-layer.js';
import { fmtSeconds, now, renderTable, runProcess, type TableRow } from './measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const OTHER_TIMEOUT_MS = 60_000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function otherBenches(): Promise<string[]> {
  const names = (await readdir(here)).filter((n) => n.endsWith('.bench.ts')).sort();
  const jpeg = join(here, 'jpeg-lossless.ts');
  const list = names.map((n) => join(here, n));
  try {
    await access(jpeg);
    list.push(jpeg);
  } catch {
    /* not there (yet) */
  }
  return list;
}

const t0 = now();
console.log(`sonicart benchmarks — ${new Date().toISOString()} — ${process.platform} ${process.arch}, node ${process.version}`);
console.log('figures are relative: third-party tools run on the same machine, in the same run, on the same files\n');

let rows: TableRow[] = [];
let failed = false;
try {
  const images = Number(arg('--images') ?? 1000);
  rows = await runDataLayerBench({ imageCount: images });
} catch (e) {
  failed = true;
  console.error(`data-layer benchmark failed: ${(e as Error).stack ?? e}`);
}

if (!process.argv.includes('--skip-others')) {
  for (const file of await otherBenches()) {
    const name = relative(process.cwd(), file);
    console.log(`\n── ${name} (own process, limit ${OTHER_TIMEOUT_MS / 1000} s) ──`);
    const r = await runProcess(process.execPath, ['--import', 'tsx', file], { timeoutMs: OTHER_TIMEOUT_MS });
    const out = r.stdout.trimEnd();
    if (out) console.log(out);
    if (r.timedOut) console.log(`${name}: stopped after ${OTHER_TIMEOUT_MS / 1000} s`);
    else if (r.code !== 0) console.log(`${name}: exit ${r.code}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').slice(-5).join('\n')}` : ''}`);
    else console.log(`(${fmtSeconds(r.wallMs)})`);
  }
}

if (rows.length > 0) {
  console.log('\n── data layer: sonicart vs DCMTK dcmdump vs pydicom (ratio = sonicart / other; lower is better) ──');
  console.log(renderTable(rows));
  console.log(
    'goals: faster than pydicom (ratio < 1.0), within 2× of dcmdump (ratio ≤ 2.0), peak RSS of a streamed 150 MB write < 64 MB above baseline',
  );
}
console.log(`\nwhole run: ${fmtSeconds(now() - t0)}`);
// The figures are the product; a missed goal is reported in the table, not as a failed command.
if (failed) process.exitCode = 1;
