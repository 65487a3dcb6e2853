/**
 * Media export benchmark (issue 5): 1,000 ultrasound images of 800×600 RGB (≈1.4 GB) exported
 * to a directory as a STD-GEN-USB-JPEG file-set, beside `cp -r` of the same files followed by
 * DCMTK `dcmmkdir -Pfl` over the copy. Also the DICOMDIR build alone (plan + encode) for 1,000
 * records. Goal: our export no slower than copy + dcmmkdir; DICOMDIR build well under a second.
 *
 *   npx tsx bench/media-export.ts [FILES]      (default 1000; MEDIA_BENCH_DIR for the scratch place)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tag } from '../dicom/core/index.js';
import { DataSet } from '../dicom/dataset/index.js';
import { EXPLICIT_VR_LE, transferSyntax } from '../dicom/encoding/index.js';
import { encodeDicomdir, mediaProfile, planExport, type ExportInstance } from '../dicom/media/index.js';
import { buildFileMeta, writePart10 } from '../dicom/part10/index.js';
import { exportFileSet } from '../device/media/export.js';

const FILES = Number(process.argv[2] ?? 1000);
const ROWS = 600;
const COLS = 800;

function usImage(i: number, pixels: Uint8Array): DataSet {
  const ds = new DataSet();
  const s = (g: number, e: number, vr: Parameters<DataSet['putStrings']>[1], v: string | string[]): void => void ds.putStrings(tag(g, e), vr, v);
  const n = (g: number, e: number, vr: Parameters<DataSet['putNumbers']>[1], v: number): void => void ds.putNumbers(tag(g, e), vr, v);
  const patient = i % 50;
  const study = i % 100;
  s(0x0008, 0x0008, 'CS', ['ORIGINAL', 'PRIMARY']);
  s(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.6.1');
  s(0x0008, 0x0018, 'UI', `2.25.9${i + 1}`);
  s(0x0008, 0x0020, 'DA', '20240501');
  s(0x0008, 0x0030, 'TM', '101500');
  s(0x0008, 0x0050, 'SH', `ACC${study}`);
  s(0x0008, 0x0060, 'CS', 'US');
  s(0x0010, 0x0010, 'PN', `Patient^${patient}`);
  s(0x0010, 0x0020, 'LO', `P${patient}`);
  s(0x0020, 0x000d, 'UI', `2.25.8${study + 1}`);
  s(0x0020, 0x000e, 'UI', `2.25.7${study + 1}`);
  s(0x0020, 0x0010, 'SH', String(study + 1));
  n(0x0020, 0x0011, 'IS', 1);
  n(0x0020, 0x0013, 'IS', i + 1);
  n(0x0028, 0x0002, 'US', 3);
  s(0x0028, 0x0004, 'CS', 'RGB');
  n(0x0028, 0x0006, 'US', 0);
  n(0x0028, 0x0010, 'US', ROWS);
  n(0x0028, 0x0011, 'US', COLS);
  n(0x0028, 0x0100, 'US', 8);
  n(0x0028, 0x0101, 'US', 8);
  n(0x0028, 0x0102, 'US', 7);
  n(0x0028, 0x0103, 'US', 0);
  ds.put(tag(0x7fe0, 0x0010), 'OB', { type: 'raw', bytes: pixels });
  return ds;
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const root = await mkdtemp(join(process.env.MEDIA_BENCH_DIR ?? tmpdir(), 'sonicart-bench-media-'));
  try {
    const src = join(root, 'src');
    await mkdir(src);
    const pixels = new Uint8Array(ROWS * COLS * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13) & 0xff;
    const ts = transferSyntax(EXPLICIT_VR_LE)!;
    const instances: ExportInstance[] = [];
    for (let i = 0; i < FILES; i++) {
      const ds = usImage(i, pixels);
      const bytes = writePart10(buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.6.1', sopInstanceUid: `2.25.9${i + 1}`, transferSyntaxUid: EXPLICIT_VR_LE }), ds, ts);
      await writeFile(join(src, `US${String(i).padStart(6, '0')}`), bytes);
      instances.push({ source: String(i), dataset: ds, transferSyntaxUid: EXPLICIT_VR_LE, size: bytes.length, part10: true });
    }
    const total = instances.reduce((n, x) => n + x.size, 0);
    execFileSync('sync');

    // DICOMDIR build alone: plan + encode for FILES records (median of 5 after a warm-up).
    const profile = mediaProfile('STD-GEN-USB-JPEG')!;
    const buildMs: number[] = [];
    for (let k = 0; k < 6; k++) {
      const t0 = performance.now();
      encodeDicomdir(planExport({ profile, instances }).fileSet, { sopInstanceUid: '2.25.1' });
      if (k > 0) buildMs.push(performance.now() - t0);
    }
    buildMs.sort((a, b) => a - b);

    const out = join(root, 'stick');
    await mkdir(out);
    const t0 = performance.now();
    const report = await exportFileSet({ profile: 'STD-GEN-USB-JPEG', out, inputs: [src] });
    const oursMs = performance.now() - t0;

    const copy = join(root, 'copy');
    const t1 = performance.now();
    await mkdir(copy);
    execFileSync('cp', ['-r', src, join(copy, 'DICOM')]);
    const cpMs = performance.now() - t1;
    // Our export fsyncs every file before the DICOMDIR; cp does not, so its data is timed to disk too.
    const ts1 = performance.now();
    execFileSync('sync');
    const syncMs = performance.now() - ts1;
    const t2 = performance.now();
    const said = execFileSync('dcmmkdir', ['-Pfl', '+r', 'DICOM'], { cwd: copy, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const mkMs = performance.now() - t2;
    if (/cannot be added/.test(said)) console.error('dcmmkdir refused files in the copy');

    console.log(`media export: ${FILES} US files, ${(total / 1e9).toFixed(2)} GB (${(await readdir(src)).length} files), ${report.records} DICOMDIR records`);
    console.log(`  DICOMDIR build (plan + encode), median of 5: ${buildMs[2]!.toFixed(1)} ms`);
    console.log(`  sonicart export (files fsynced + DICOMDIR): ${secs(oursMs)}  (${(total / 1e6 / (oursMs / 1000)).toFixed(0)} MB/s)`);
    console.log(`  cp -r: ${secs(cpMs)} + dcmmkdir -Pfl: ${secs(mkMs)} = ${secs(cpMs + mkMs)}  (cp does not fsync)`);
    console.log(`  cp -r + sync + dcmmkdir -Pfl: ${secs(cpMs + syncMs + mkMs)}  (sync ${secs(syncMs)})`);
    console.log(`  ratio ours / (cp + dcmmkdir): ${(oursMs / (cpMs + mkMs)).toFixed(2)}; ours / (cp + sync + dcmmkdir): ${(oursMs / (cpMs + syncMs + mkMs)).toFixed(2)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
