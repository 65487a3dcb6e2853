/**
 * JPEG Lossless interop with third-party codecs:
 *  - our streams, wrapped into DICOM by pydicom, decoded by DCMTK dcmdjpeg (libijg) → identical;
 *  - DCMTK dcmcjpeg lossless streams (all predictors, 8/12/16-bit grey, 8-bit RGB, multi-frame,
 *    point transform) decoded by ours → identical to the originals (or to dcmdjpeg with Pt > 0);
 *  - the lossless JPEG files of pydicom's corpus decoded by ours and by dcmdjpeg → identical.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYDICOM_DATA, runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import {
  decodeJpegLossless,
  encodeJpegLossless,
  type Predictor,
} from '../../dicom/pixel/jpeg-lossless/index.js';
import { type Kind, makeFrame } from '../unit/pixel/images.js';
import { bytesToSamples, corpusFilesInSyntax, firstDifference, runPyJobs, samplesToBytes, type PyJob } from '../unit/pixel/pydicom-bridge.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-jpegll-'));
});
afterAll(async () => {
  await cleanup();
});

async function dcmtk(tool: string, args: string[]): Promise<void> {
  const r = await runTool(tool, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
}

interface Case {
  name: string;
  kind: Kind;
  rows: number;
  cols: number;
  spp: number;
  bits: number;
  predictor?: Predictor;
  restartLines?: number;
  frames?: number;
}

describe('ours → DCMTK dcmdjpeg', () => {
  const cases: Case[] = [
    { name: 'grey8-random', kind: 'random', rows: 37, cols: 41, spp: 1, bits: 8 },
    { name: 'grey8-smooth', kind: 'smooth', rows: 64, cols: 80, spp: 1, bits: 8 },
    { name: 'grey8-1x1', kind: 'random', rows: 1, cols: 1, spp: 1, bits: 8 },
    { name: 'grey10-random', kind: 'random', rows: 13, cols: 17, spp: 1, bits: 10 },
    { name: 'grey12-smooth', kind: 'smooth', rows: 50, cols: 33, spp: 1, bits: 12 },
    { name: 'grey12-random', kind: 'random', rows: 9, cols: 31, spp: 1, bits: 12 },
    { name: 'grey16-extremes', kind: 'extremes', rows: 16, cols: 21, spp: 1, bits: 16 },
    { name: 'grey16-random', kind: 'random', rows: 25, cols: 19, spp: 1, bits: 16 },
    { name: 'grey16-smooth', kind: 'smooth', rows: 40, cols: 40, spp: 1, bits: 16 },
    { name: 'rgb8-random', kind: 'random', rows: 31, cols: 29, spp: 3, bits: 8 },
    { name: 'rgb8-ultrasound', kind: 'ultrasound', rows: 120, cols: 160, spp: 3, bits: 8 },
    { name: 'rgb8-extremes', kind: 'extremes', rows: 7, cols: 5, spp: 3, bits: 8 },
    { name: 'rgb8-1x1', kind: 'random', rows: 1, cols: 1, spp: 3, bits: 8 },
    { name: 'rgb8-1xN', kind: 'smooth', rows: 1, cols: 77, spp: 3, bits: 8 },
    { name: 'rgb8-multiframe', kind: 'ultrasound', rows: 48, cols: 64, spp: 3, bits: 8, frames: 3 },
    // Beyond SV1 (transfer syntax .4.57): other predictors and restart intervals.
    { name: 'grey16-sv7-rst', kind: 'smooth', rows: 30, cols: 20, spp: 1, bits: 16, predictor: 7, restartLines: 4 },
    { name: 'rgb8-sv4', kind: 'smooth', rows: 30, cols: 20, spp: 3, bits: 8, predictor: 4 },
    { name: 'grey12-sv6', kind: 'random', rows: 30, cols: 20, spp: 1, bits: 12, predictor: 6 },
    { name: 'rgb8-sv1-rst', kind: 'ultrasound', rows: 30, cols: 20, spp: 3, bits: 8, restartLines: 7 },
  ];

  it(`${cases.length} cases decode pixel-identical`, async () => {
    const originals = new Map<string, (Uint8Array | Uint16Array)[]>();
    const wrapJobs: PyJob[] = [];
    for (const c of cases) {
      const frames: (Uint8Array | Uint16Array)[] = [];
      const paths: string[] = [];
      for (let f = 0; f < (c.frames ?? 1); f++) {
        const px = makeFrame(c.kind, c.rows, c.cols, c.spp, c.bits, 100 + f);
        const jpeg = encodeJpegLossless(px, {
          rows: c.rows,
          columns: c.cols,
          samplesPerPixel: c.spp,
          bitsStored: c.bits,
          predictor: c.predictor ?? 1,
          restartLines: c.restartLines ?? 0,
        });
        const p = join(dir, `ours-${c.name}.${f}.jpg`);
        await writeFile(p, jpeg);
        frames.push(px);
        paths.push(p);
      }
      originals.set(c.name, frames);
      wrapJobs.push({
        op: 'wrap',
        jpeg: paths,
        out: join(dir, `ours-${c.name}.dcm`),
        rows: c.rows,
        cols: c.cols,
        spp: c.spp,
        bits: c.bits,
        ts: (c.predictor ?? 1) === 1 ? '1.2.840.10008.1.2.4.70' : '1.2.840.10008.1.2.4.57',
      });
    }
    await runPyJobs(dir, wrapJobs, 'wrap');
    for (const c of cases) {
      await dcmtk('dcmdjpeg', [join(dir, `ours-${c.name}.dcm`), join(dir, `ours-${c.name}-dec.dcm`)]);
    }
    const pixJobs: PyJob[] = cases.map((c) => ({
      op: 'pixels',
      in: join(dir, `ours-${c.name}-dec.dcm`),
      out: join(dir, `ours-${c.name}-dec.raw`),
    }));
    const info = await runPyJobs(dir, pixJobs, 'pixels');
    const failures: string[] = [];
    for (const [k, c] of cases.entries()) {
      const meta = info[k]!;
      expect(meta.ts).toBe('1.2.840.10008.1.2.1');
      expect(meta.photometric).toBe(c.spp === 3 ? 'RGB' : 'MONOCHROME2');
      expect(meta.planar).toBe(0);
      const raw = await readFile(join(dir, `ours-${c.name}-dec.raw`));
      const want = samplesToBytes(concat(originals.get(c.name)!));
      const got = raw.subarray(0, want.length);
      expect(raw.length - want.length).toBeLessThanOrEqual(1); // even-length padding only
      const d = firstDifference(got, want);
      if (d >= 0) failures.push(`${c.name}: first difference at byte ${d}`);
    }
    expect(failures).toEqual([]);
  });
});

function concat(frames: (Uint8Array | Uint16Array)[]): Uint8Array | Uint16Array {
  const n = frames.reduce((a, f) => a + f.length, 0);
  const out = frames[0] instanceof Uint8Array ? new Uint8Array(n) : new Uint16Array(n);
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

describe('DCMTK dcmcjpeg → ours', () => {
  interface Src {
    name: string;
    kind: Kind;
    rows: number;
    cols: number;
    spp: number;
    bits: number;
    frames: number;
  }
  const sources: Src[] = [
    { name: 'grey8', kind: 'ultrasound', rows: 61, cols: 47, spp: 1, bits: 8, frames: 1 },
    { name: 'grey12', kind: 'smooth', rows: 40, cols: 33, spp: 1, bits: 12, frames: 1 },
    { name: 'grey16', kind: 'random', rows: 23, cols: 35, spp: 1, bits: 16, frames: 1 },
    { name: 'grey16x', kind: 'extremes', rows: 20, cols: 20, spp: 1, bits: 16, frames: 1 },
    { name: 'rgb8', kind: 'ultrasound', rows: 57, cols: 75, spp: 3, bits: 8, frames: 1 },
    { name: 'rgb8r', kind: 'random', rows: 11, cols: 13, spp: 3, bits: 8, frames: 1 },
    { name: 'rgb8multi', kind: 'smooth', rows: 32, cols: 24, spp: 3, bits: 8, frames: 3 },
  ];
  const modes: { name: string; args: string[]; sv: number; pt?: number }[] = [
    { name: 'e1', args: ['+e1'], sv: 1 },
    ...[1, 2, 3, 4, 5, 6, 7].map((sv) => ({ name: `sv${sv}`, args: ['+el', '+sv', String(sv)], sv })),
    { name: 'sv1pt2', args: ['+el', '+sv', '1', '+pt', '2'], sv: 1, pt: 2 },
    { name: 'sv6pt1', args: ['+el', '+sv', '6', '+pt', '1'], sv: 6, pt: 1 },
  ];

  it(`${sources.length} sources × ${modes.length} modes decode pixel-identical`, async () => {
    const originals = new Map<string, Uint8Array | Uint16Array>();
    const makeJobs: PyJob[] = [];
    for (const s of sources) {
      const frames = Array.from({ length: s.frames }, (_, f) => makeFrame(s.kind, s.rows, s.cols, s.spp, s.bits, 7 + f));
      const all = concat(frames);
      originals.set(s.name, all);
      await writeFile(join(dir, `src-${s.name}.raw`), samplesToBytes(all));
      makeJobs.push({
        op: 'make',
        raw: join(dir, `src-${s.name}.raw`),
        out: join(dir, `src-${s.name}.dcm`),
        rows: s.rows,
        cols: s.cols,
        spp: s.spp,
        bits: s.bits,
        frames: s.frames,
      });
    }
    await runPyJobs(dir, makeJobs, 'make');

    const extractJobs: PyJob[] = [];
    const pixJobs: PyJob[] = [];
    const runs: { s: Src; m: (typeof modes)[number] }[] = [];
    for (const s of sources) {
      for (const m of modes) {
        const out = join(dir, `dc-${s.name}-${m.name}.dcm`);
        await dcmtk('dcmcjpeg', [...m.args, join(dir, `src-${s.name}.dcm`), out]);
        extractJobs.push({ op: 'extract', in: out, prefix: join(dir, `dc-${s.name}-${m.name}`) });
        if (m.pt) {
          // With a point transform the result is what libijg decodes, not the original.
          await dcmtk('dcmdjpeg', [out, join(dir, `dc-${s.name}-${m.name}-dec.dcm`)]);
          pixJobs.push({ op: 'pixels', in: join(dir, `dc-${s.name}-${m.name}-dec.dcm`), out: join(dir, `dc-${s.name}-${m.name}-dec.raw`) });
        }
        runs.push({ s, m });
      }
    }
    const extracted = await runPyJobs(dir, extractJobs, 'extract');
    if (pixJobs.length) await runPyJobs(dir, pixJobs, 'pixels2');

    const failures: string[] = [];
    for (const [k, { s, m }] of runs.entries()) {
      const e = extracted[k]!;
      // dcmcjpeg labels only +e1 output as .4.70; +el (even with SV 1) as .4.57.
      expect(e.ts).toBe(m.name === 'e1' ? '1.2.840.10008.1.2.4.70' : '1.2.840.10008.1.2.4.57');
      const frames = e.frames as string[];
      expect(frames.length).toBe(s.frames);
      const decoded: (Uint8Array | Uint16Array)[] = [];
      for (const f of frames) {
        const d = decodeJpegLossless(new Uint8Array(await readFile(f)));
        expect(d.info.rows).toBe(s.rows);
        expect(d.info.columns).toBe(s.cols);
        expect(d.info.componentIds.length).toBe(s.spp);
        expect(d.info.predictor).toBe(m.sv);
        expect(d.info.pointTransform).toBe(m.pt ?? 0);
        decoded.push(d.samples);
      }
      let want: Uint8Array | Uint16Array = originals.get(s.name)!;
      if (m.pt) {
        const raw = new Uint8Array(await readFile(join(dir, `dc-${s.name}-${m.name}-dec.raw`)));
        want = bytesToSamples(raw, s.bits <= 8 ? 8 : 16).subarray(0, want.length);
      }
      const got = concat(decoded);
      // DCMTK may code 8-bit data with 16-bit precision (then ours returns Uint16Array): compare values.
      const d = firstDifference(got, want);
      if (d >= 0) failures.push(`${s.name} ${m.name}: first difference at sample ${d}: ${got[d]} vs ${want[d]}`);
    }
    expect(failures).toEqual([]);
  });
});

describe("pydicom's corpus: lossless JPEG files, ours vs dcmdjpeg", () => {
  it('decodes every .4.57/.4.70 file with pixel data identically to dcmdjpeg', async () => {
    const testFiles = join(PYDICOM_DATA, 'test_files');
    const files = await corpusFilesInSyntax(['1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70']);
    expect(files).toContain('SC_rgb_jpeg_gdcm.dcm');
    const jobs: PyJob[] = [];
    for (const f of files) {
      await dcmtk('dcmdjpeg', [join(testFiles, f), join(dir, `corpus-${f}`)]);
      jobs.push({ op: 'extract', in: join(testFiles, f), prefix: join(dir, `corpus-${f}`) });
      jobs.push({ op: 'pixels', in: join(dir, `corpus-${f}`), out: join(dir, `corpus-${f}.raw`) });
    }
    const res = await runPyJobs(dir, jobs, 'corpus');
    for (const [k, f] of files.entries()) {
      const e = res[2 * k]!;
      const ref = res[2 * k + 1]!;
      const raw = new Uint8Array(await readFile(join(dir, `corpus-${f}.raw`)));
      const want = bytesToSamples(raw, ref.bitsAllocated!);
      const decoded = [];
      for (const p of e.frames as string[]) decoded.push(decodeJpegLossless(new Uint8Array(await readFile(p))).samples);
      const got = concat(decoded);
      expect(ref.planar, `${f}: dcmdjpeg output planar configuration`).toBe(0);
      expect(firstDifference(got, want.subarray(0, got.length)), f).toBe(-1);
      expect(want.length - got.length).toBeLessThanOrEqual(1);
    }
    // Keep the file list visible in the test log.
    console.log(`pydicom corpus lossless JPEG files: ${files.join(', ')}`);
  });
});
