/**
 * Data-layer benchmark: sonicart against DCMTK's dcmdump and Debian's pydicom, run on the same
 * machine in the same run, on the same fixtures, reported as ratios.
 *
 *   1. headers of N single-frame US files (stop before Pixel Data), one process over all files;
 *   2. a ~150 MB US Multi-frame read whole (pixel data included);
 *   3. peak memory of streaming a ~150 MB multi-frame to disk (child Node process).
 *
 * What is timed, for every tool, is the work and not the start-up of an interpreter:
 *   sonicart  in this process, after one untimed warm-up pass (JIT, page cache);
 *   pydicom   inside one python3 process (time.perf_counter around each pass, import excluded),
 *             after the same warm-up pass;
 *   dcmdump   wall time of the process minus the median wall time of the same command on a tiny
 *             header-only file (start-up: loading the data dictionary), after a warm-up run.
 * Each figure is the median of several passes. Files are in the page cache (they were just
 * written and warmed), so these are parse costs, not disk costs.
 *
 *   npx tsx bench/data-layer.ts [imageCount]
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PIXEL_DATA } from '../dicom/core/index.js';
import { readPart10, SOP_INSTANCE_UID } from '../dicom/part10/index.js';
import { readDicomFile, readDicomFileHeader } from '../device/files/read-header.js';
import { EXPLICIT_LE, FRAME_BYTES, MULTIFRAME_FRAMES, makeFixtures, multiframeHeader, type Fixtures } from './fixtures.js';
import { writePart10 } from '../dicom/part10/index.js';
import {
  findExecutable,
  now,
  fmtMB,
  fmtRatio,
  fmtSeconds,
  median,
  pydicomVersion,
  runNodeChildJson,
  runProcess,
  runPythonJson,
  timed,
  type TableRow,
} from './measure.js';

export interface DataLayerOptions {
  imageCount: number;
  headerPasses: number;
  wholePasses: number;
  log: (line: string) => void;
}

const DEFAULTS: DataLayerOptions = { imageCount: 1000, headerPasses: 5, wholePasses: 7, log: (l) => console.log(l) };

/** dcmdump options for "read the header, stop before Pixel Data, print one element". */
const DCMDUMP_HEADER_ARGS = ['-q', '+sb', '7fe0,0010', '+P', '0008,0018'];
/** dcmdump options for "load the whole file, long values included, print one element". */
const DCMDUMP_WHOLE_ARGS = ['-q', '+M', '+P', '0028,0008'];

const GOAL_VS_DCMDUMP = 2.0;
const GOAL_VS_PYDICOM = 1.0;
const GOAL_PEAK_BYTES = 64e6;

const PY_HEADERS = String.raw`
import sys, time, json
from pydicom import dcmread
files = [l for l in open(sys.argv[1]).read().split('\n') if l]
for f in files[:50]:                   # warm-up: first calls, lazy imports
    dcmread(f, stop_before_pixels=True)
n = 0; el = 0; uid = None
t = time.perf_counter()
for f in files:
    ds = dcmread(f, stop_before_pixels=True)
    el += len(ds); uid = ds.SOPInstanceUID
    n += 1
s = time.perf_counter() - t
print(json.dumps({"s": s, "files": n, "elements": el, "lastUid": str(uid)}))
`;

const PY_WHOLE = String.raw`
import sys, time, json
from pydicom import dcmread
dcmread(sys.argv[2]).PixelData         # warm-up on a single-frame image: first calls, lazy imports
t = time.perf_counter()
ds = dcmread(sys.argv[1])
n = len(ds.PixelData); frames = int(ds.NumberOfFrames)
s = time.perf_counter() - t
print(json.dumps({"s": s, "pixelBytes": n, "frames": frames}))
`;

interface Figures {
  sonicartMs?: number;
  dcmdumpMs?: number;
  pydicomMs?: number;
}

function verdictFor(f: Figures): TableRow['verdict'] {
  if (f.sonicartMs === undefined) return 'FAIL';
  const checks: boolean[] = [];
  if (f.dcmdumpMs !== undefined) checks.push(f.sonicartMs / f.dcmdumpMs <= GOAL_VS_DCMDUMP);
  if (f.pydicomMs !== undefined) checks.push(f.sonicartMs / f.pydicomMs < GOAL_VS_PYDICOM);
  if (checks.length === 0) return 'n/a';
  return checks.every(Boolean) ? 'PASS' : 'FAIL';
}

function timeRow(name: string, f: Figures): TableRow {
  return {
    benchmark: name,
    sonicart: fmtSeconds(f.sonicartMs),
    dcmdump: fmtSeconds(f.dcmdumpMs),
    pydicom: fmtSeconds(f.pydicomMs),
    vsDcmdump: fmtRatio(f.sonicartMs, f.dcmdumpMs),
    vsPydicom: fmtRatio(f.sonicartMs, f.pydicomMs),
    goal: `≤${GOAL_VS_DCMDUMP.toFixed(1)} / <${GOAL_VS_PYDICOM.toFixed(1)}`,
    verdict: verdictFor(f),
  };
}

/** One contender: `run` does one timed pass and returns its work time in ms (undefined: failed). */
interface Contender {
  key: keyof Figures;
  label: string;
  run(): Promise<number | undefined>;
  /** Said once after the rounds (what was checked, start-up subtracted …). */
  note?(): string;
}

/**
 * Runs the contenders round-robin, rotating the order each round, so that load from anything
 * else on the machine falls on all of them alike. Round 0 is a warm-up for everyone (JIT, page
 * cache, lazy imports) and is not counted. A contender that fails is dropped.
 */
async function rounds(contenders: Contender[], count: number, log: (l: string) => void): Promise<Figures> {
  const times = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
  const alive = new Set(contenders);
  for (let r = 0; r <= count; r++) {
    const order = contenders.map((_, i) => contenders[(i + r) % contenders.length]!);
    for (const c of order) {
      if (!alive.has(c)) continue;
      let ms: number | undefined;
      try {
        ms = await c.run();
      } catch (e) {
        log(`${c.label}: failed: ${(e as Error).message}`);
      }
      if (ms === undefined) {
        alive.delete(c);
        continue;
      }
      if (r > 0) times.get(c)!.push(ms);
    }
  }
  const figures: Figures = {};
  for (const c of contenders) {
    const t = times.get(c)!;
    if (!alive.has(c) || t.length === 0) continue;
    figures[c.key] = median(t);
    log(
      `${c.label}: ${t.map((x) => fmtSeconds(x)).join(', ')} → median ${fmtSeconds(median(t))}, min ${fmtSeconds(Math.min(...t))}` +
        (c.note ? `\n    ${c.note()}` : ''),
    );
  }
  return figures;
}

/**
 * dcmdump, timed as a process minus its start-up: each pass also runs the same command on a
 * tiny header-only file, twice; the median of all those start-up runs is subtracted.
 */
function dcmdumpContender(
  dcmdump: string,
  args: readonly string[],
  inputs: readonly string[],
  tiny: string,
  check: (stdout: string) => string | undefined,
): Contender {
  const startups: number[] = [];
  const walls: number[] = [];
  let checked = '';
  return {
    key: 'dcmdumpMs',
    label: `dcmdump ${args.join(' ')}`,
    async run() {
      for (let i = 0; i < 2; i++) {
        const s = await runProcess(dcmdump, [...args, tiny], { timeoutMs: 20_000, discardStdout: true });
        startups.push(s.wallMs);
      }
      const r = await runProcess(dcmdump, [...args, ...inputs], { timeoutMs: 90_000 });
      const problem = r.timedOut ? 'timeout' : r.code !== 0 ? `exit ${r.code}: ${r.stderr.trim().slice(0, 300)}` : check(r.stdout);
      if (problem) throw new Error(problem);
      checked = 'output checked';
      walls.push(r.wallMs);
      return Math.max(0, r.wallMs - median(startups));
    },
    note: () => `process wall median ${fmtSeconds(median(walls))}, start-up (tiny file) median ${fmtSeconds(median(startups))} subtracted; ${checked}`,
  };
}

function pydicomContender<T extends { s: number }>(
  label: string,
  script: string,
  args: readonly string[],
  check: (r: T) => string | undefined,
): Contender {
  const walls: number[] = [];
  return {
    key: 'pydicomMs',
    label,
    async run() {
      const r = await runPythonJson<T>(script, args, 120_000);
      const problem = check(r);
      if (problem) throw new Error(problem);
      walls.push(r.wallMs);
      return r.s * 1000;
    },
    note: () => `timed inside python3; whole process (interpreter, import, warm-up) median ${fmtSeconds(median(walls))}`,
  };
}

async function benchHeaders(
  fx: Fixtures,
  tools: { dcmdump?: string; pydicom?: string },
  tiny: string,
  opts: DataLayerOptions,
): Promise<TableRow> {
  const { log } = opts;
  const files = fx.images.files;
  log(`\n── headers of ${files.length} US files (stop before Pixel Data), ${opts.headerPasses} rounds + warm-up ──`);
  const contenders: Contender[] = [];

  let elements = 0;
  contenders.push({
    key: 'sonicartMs',
    label: 'sonicart readDicomFileHeader (sequential, one process)',
    async run() {
      const t0 = now();
      let el = 0;
      let uid: string | undefined;
      for (const p of files) {
        const h = await readDicomFileHeader(p);
        el += h.file.dataset.size - (h.file.dataset.has(PIXEL_DATA) ? 1 : 0);
        uid = h.file.dataset.string(SOP_INSTANCE_UID);
      }
      const ms = now() - t0;
      if (!uid) throw new Error('no SOP Instance UID read');
      elements = el / files.length;
      return ms;
    },
    note: () => `${elements} top-level elements/file (Pixel Data as a bulk reference not counted)`,
  });

  if (tools.dcmdump) {
    contenders.push(
      dcmdumpContender(tools.dcmdump, DCMDUMP_HEADER_ARGS, files, tiny, (out) => {
        const found = out.split('\n').filter((l) => l.startsWith('(0008,0018)')).length;
        return found === files.length ? undefined : `printed the SOP Instance UID of ${found} of ${files.length} files`;
      }),
    );
  } else log('dcmdump: not installed — skipped (scripts/install-test-tools.sh installs dcmtk)');

  if (tools.pydicom) {
    const list = join(fx.dir, 'files.txt');
    writeFileSync(list, files.join('\n'));
    contenders.push(
      pydicomContender<{ s: number; files: number; elements: number }>(
        `pydicom ${tools.pydicom} dcmread(stop_before_pixels=True)`,
        PY_HEADERS,
        [list],
        (r) => (r.files === files.length && r.elements / r.files === elements ? undefined : `read ${r.files} files, ${r.elements / r.files} elements/file (sonicart: ${elements})`),
      ),
    );
  } else log('pydicom: not available to /usr/bin/python3 — skipped (scripts/install-test-tools.sh installs python3-pydicom)');

  return timeRow(`headers of ${files.length} US files`, await rounds(contenders, opts.headerPasses, log));
}

async function benchWhole(
  fx: Fixtures,
  tools: { dcmdump?: string; pydicom?: string },
  tiny: string,
  opts: DataLayerOptions,
): Promise<TableRow> {
  const { log } = opts;
  const path = fx.multiframe;
  const size = (await stat(path)).size;
  const expected = FRAME_BYTES * MULTIFRAME_FRAMES;
  log(`\n── a ${fmtMB(size)} US Multi-frame (${MULTIFRAME_FRAMES} frames) read whole, ${opts.wholePasses} rounds + warm-up ──`);
  const contenders: Contender[] = [];
  const readMs: number[] = [];
  const parseMs: number[] = [];
  contenders.push({
    key: 'sonicartMs',
    label: 'sonicart readDicomFile (one read, pixel data a view)',
    async run() {
      const t0 = now();
      const file = await readDicomFile(path);
      const px = file.dataset.get(PIXEL_DATA)?.bytes;
      const t2 = now();
      if (!px || px.length !== expected) throw new Error(`pixel data of ${px?.length} bytes`);
      readMs.push(t2 - t0);
      return t2 - t0;
    },
    note: () => `median ${fmtSeconds(median(readMs))} (readPart10 alone is under 1 ms: the rest is the kernel copy)`,
  });
  if (tools.dcmdump) {
    contenders.push(
      dcmdumpContender(tools.dcmdump, DCMDUMP_WHOLE_ARGS, [path], tiny, (out) =>
        out.includes(`[${MULTIFRAME_FRAMES}]`) ? undefined : 'did not print Number of Frames',
      ),
    );
  } else log('dcmdump: not installed — skipped');
  if (tools.pydicom) {
    contenders.push(
      pydicomContender<{ s: number; pixelBytes: number }>('pydicom dcmread + ds.PixelData', PY_WHOLE, [path, fx.images.files[0]!], (r) =>
        r.pixelBytes === expected ? undefined : `PixelData of ${r.pixelBytes} bytes`,
      ),
    );
  } else log('pydicom: not available — skipped');
  return timeRow(`${fmtMB(size).replace(' MB', '')} MB multi-frame, whole`, await rounds(contenders, opts.wholePasses, log));
}

interface ChildMemory {
  mode: string;
  baselineRss: number;
  peakRss: number;
  baselineArrayBuffers: number;
  peakArrayBuffers: number;
  bytes: number;
  fileSize: number;
  ms: number;
  samples: number;
}

async function benchMemory(fx: Fixtures, opts: DataLayerOptions): Promise<TableRow[]> {
  const { log } = opts;
  log(`\n── peak memory of streaming a ${MULTIFRAME_FRAMES}-frame multi-frame to disk (child Node process) ──`);
  const child = fileURLToPath(new URL('./write-multiframe.child.ts', import.meta.url));
  const rows: TableRow[] = [];
  const modes: [string, string][] = [
    ['stream', 'write stream + drain'],
    ['atomic', 'writeFileAtomically'],
  ];
  for (const [mode, label] of modes) {
    const out = join(fx.dir, `mem-${mode}.dcm`);
    let peak: number | undefined;
    try {
      const r = await runNodeChildJson<ChildMemory>(child, [out, mode], { timeoutMs: 90_000, nodeFlags: ['--expose-gc'] });
      peak = r.peakRss - r.baselineRss;
      if (r.fileSize !== r.bytes) throw new Error(`file is ${r.fileSize} bytes, ${r.bytes} were written`);
      log(
        `${label}: ${fmtMB(r.bytes)} in ${fmtSeconds(r.ms)}; RSS baseline ${fmtMB(r.baselineRss)}, peak ${fmtMB(r.peakRss)} → +${fmtMB(peak)}` +
          `; arrayBuffers peak +${fmtMB(r.peakArrayBuffers - r.baselineArrayBuffers)} (${r.samples} samples)`,
      );
    } catch (e) {
      log(`${label}: failed: ${(e as Error).message}`);
    } finally {
      await rm(out, { force: true });
    }
    rows.push({
      benchmark: `write peak RSS, ${label}`,
      sonicart: peak === undefined ? '—' : `+${fmtMB(peak)}`,
      dcmdump: '',
      pydicom: '',
      vsDcmdump: '',
      vsPydicom: '',
      goal: `<${GOAL_PEAK_BYTES / 1e6} MB`,
      verdict: peak === undefined ? 'FAIL' : peak < GOAL_PEAK_BYTES ? 'PASS' : 'FAIL',
    });
  }
  return rows;
}

/** Runs the whole data-layer benchmark and returns its table rows. */
export async function runDataLayerBench(partial: Partial<DataLayerOptions> = {}): Promise<TableRow[]> {
  const opts: DataLayerOptions = { ...DEFAULTS, ...partial };
  const { log } = opts;
  const dcmdump = await findExecutable('dcmdump');
  const pydicom = await pydicomVersion();
  const tools: { dcmdump?: string; pydicom?: string } = {};
  if (dcmdump) tools.dcmdump = dcmdump;
  if (pydicom) tools.pydicom = pydicom;
  const dcmdumpVersion = dcmdump ? (await runProcess(dcmdump, ['--version'], { timeoutMs: 10_000 })).stdout.split('\n')[0]?.trim() : undefined;
  log(`tools: dcmdump ${dcmdumpVersion ?? 'MISSING'}; pydicom ${pydicom ?? 'MISSING'}; node ${process.version}`);

  const made = await timed(() => makeFixtures(opts.imageCount));
  const fx = made.value;
  // ~1.6 GB of fixtures: do not leave them behind when the run is interrupted.
  const onSignal = (sig: NodeJS.Signals): void => {
    fx.cleanup();
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const perFile = (await stat(fx.images.files[0]!)).size;
    log(
      `fixtures in ${fx.dir}: ${fx.images.files.length} US images of ${fmtMB(perFile)} (${fx.images.elementsPerFile} elements: sequence items and Pixel Data included) ` +
        `+ one ${fmtMB((await stat(fx.multiframe)).size)} multi-frame, written in ${fmtSeconds(made.ms)}`,
    );
    // A header-only file: dcmdump's start-up reference.
    const tiny = join(fx.dir, 'tiny.dcm');
    const { meta, dataset } = multiframeHeader(1);
    writeFileSync(tiny, writePart10(meta, dataset, EXPLICIT_LE));

    const rows: TableRow[] = [];
    rows.push(await benchHeaders(fx, tools, tiny, opts));
    rows.push(await benchWhole(fx, tools, tiny, opts));
    rows.push(...(await benchMemory(fx, opts)));
    return rows;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    fx.cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { renderTable } = await import('./measure.js');
  const n = Number(process.argv[2] ?? DEFAULTS.imageCount);
  const rows = await runDataLayerBench({ imageCount: n });
  console.log('\n' + renderTable(rows));
}
