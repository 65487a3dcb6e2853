/**
 * JPEG Baseline decoder vs libjpeg (DCMTK dcmdjpeg +cn: components as coded, no colour
 * conversion): dcmcjpeg +eb files (grey, RGB→YCbCr 4:2:2 / 4:4:4 / 4:1:1, RGB without transform)
 * and the baseline files of pydicom's corpus. Tolerance ±1 per sample; the largest difference
 * seen is printed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYDICOM_DATA, runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { decodeJpegBaseline } from '../../dicom/pixel/jpeg-baseline/index.js';
import { JpegError } from '../../dicom/pixel/jpeg-common/errors.js';
import { makeFrame } from '../unit/pixel/images.js';
import { corpusFilesInSyntax, runPyJobs, type PyJob } from '../unit/pixel/pydicom-bridge.js';

/**
 * The contract is ±1 per sample against libjpeg; our IDCT (islow) and upsampling (fancy) follow
 * libjpeg's defaults and have matched dcmdjpeg exactly on every file so far, so any difference is
 * flagged as a regression.
 */
const MAX_DIFF = 0;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-jpegbl-'));
});
afterAll(async () => {
  await cleanup();
});

async function dcmtk(tool: string, args: string[]): Promise<void> {
  const r = await runTool(tool, args, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
}

/**
 * Decodes every frame of `files` with ours and compares with dcmdjpeg +cn; returns max |diff| per
 * file. The fragments are first re-wrapped by pydicom into a clean file, because some corpus
 * files have data-set defects that stop DCMTK before it reaches the pixels.
 */
async function compareWithDcmdjpeg(files: { name: string; path: string }[]): Promise<Map<string, number>> {
  const tag = files[0]!.name;
  const ex = await runPyJobs(
    dir,
    files.map((f) => ({ op: 'extract', in: f.path, prefix: join(dir, `${f.name}-frag`) })),
    `ex-${tag}`,
  );
  await runPyJobs(
    dir,
    files.map((f, k) => ({
      op: 'wrap',
      jpeg: ex[k]!.frames as string[],
      out: join(dir, `${f.name}-clean.dcm`),
      rows: ex[k]!.rows!,
      cols: ex[k]!.cols!,
      spp: ex[k]!.spp!,
      bits: 8,
      ts: '1.2.840.10008.1.2.4.50',
      photometric: ex[k]!.photometric!,
    })),
    `wrap-${tag}`,
  );
  for (const f of files) await dcmtk('dcmdjpeg', ['+cn', '+px', join(dir, `${f.name}-clean.dcm`), join(dir, `${f.name}-ref.dcm`)]);
  await runPyJobs(
    dir,
    files.map((f) => ({ op: 'pixels', in: join(dir, `${f.name}-ref.dcm`), out: join(dir, `${f.name}-ref.raw`) })),
    `pix-${tag}`,
  );
  const maxDiff = new Map<string, number>();
  for (const [k, f] of files.entries()) {
    const e = ex[k]!;
    const ref = new Uint8Array(await readFile(join(dir, `${f.name}-ref.raw`)));
    let o = 0;
    let worst = 0;
    for (const p of e.frames as string[]) {
      const d = decodeJpegBaseline(new Uint8Array(await readFile(p)));
      expect(d.info.rows, f.name).toBe(e.rows);
      expect(d.info.columns, f.name).toBe(e.cols);
      for (let i = 0; i < d.samples.length; i++) {
        const diff = Math.abs(d.samples[i]! - ref[o + i]!);
        if (diff > worst) worst = diff;
      }
      o += d.samples.length;
    }
    expect(ref.length - o, `${f.name}: sample count`).toBeLessThanOrEqual(1);
    expect(o, `${f.name}: sample count`).toBe(e.rows! * e.cols! * e.spp! * (e.frames as string[]).length);
    maxDiff.set(f.name, worst);
  }
  return maxDiff;
}

describe('JPEG Baseline decoder vs dcmdjpeg', () => {
  it('dcmcjpeg +eb files (grey, YCbCr 4:2:2 / 4:4:4 / 4:1:1, RGB, multi-frame)', async () => {
    const srcs = [
      { name: 'bgrey', spp: 1, rows: 61, cols: 83, frames: 1, kind: 'ultrasound' as const },
      { name: 'brgb', spp: 3, rows: 57, cols: 75, frames: 1, kind: 'ultrasound' as const },
      { name: 'brgbs', spp: 3, rows: 40, cols: 48, frames: 2, kind: 'smooth' as const },
      { name: 'brgbr', spp: 3, rows: 17, cols: 19, frames: 1, kind: 'random' as const },
    ];
    const make: PyJob[] = [];
    for (const s of srcs) {
      const raw = new Uint8Array(s.rows * s.cols * s.spp * s.frames);
      for (let f = 0; f < s.frames; f++) raw.set(makeFrame(s.kind, s.rows, s.cols, s.spp, 8, 3 + f), f * s.rows * s.cols * s.spp);
      await writeFile(join(dir, `${s.name}.raw`), raw);
      make.push({ op: 'make', raw: join(dir, `${s.name}.raw`), out: join(dir, `${s.name}.dcm`), rows: s.rows, cols: s.cols, spp: s.spp, bits: 8, frames: s.frames });
    }
    await runPyJobs(dir, make, 'bmake');
    const modes = [
      ['q90', '+eb'],
      ['q50s4', '+eb', '+q', '50', '+s4'],
      ['n1', '+eb', '+n1'],
      ['cr', '+eb', '+cr'],
      ['q100', '+eb', '+q', '100'],
      ['stdhuff', '+eb', '-ho', '+q', '75'],
    ];
    const files: { name: string; path: string }[] = [];
    for (const s of srcs) {
      for (const [mname, ...args] of modes) {
        if (s.spp === 1 && mname !== 'q90' && mname !== 'q100' && mname !== 'stdhuff') continue;
        const out = join(dir, `${s.name}-${mname}.dcm`);
        await dcmtk('dcmcjpeg', [...args, join(dir, `${s.name}.dcm`), out]);
        files.push({ name: `${s.name}-${mname}`, path: out });
      }
    }
    const diffs = await compareWithDcmdjpeg(files);
    console.log('max |ours - dcmdjpeg| per file:', Object.fromEntries(diffs));
    for (const [name, d] of diffs) expect(d, name).toBeLessThanOrEqual(MAX_DIFF);
  });

  it("pydicom's corpus baseline files (.4.50)", async () => {
    const testFiles = join(PYDICOM_DATA, 'test_files');
    const names = await corpusFilesInSyntax(['1.2.840.10008.1.2.4.50']);
    expect(names.length).toBeGreaterThan(5);
    const diffs = await compareWithDcmdjpeg(names.map((n) => ({ name: `corpus-${n}`, path: join(testFiles, n) })));
    console.log('pydicom corpus, max |ours - dcmdjpeg| per file:', Object.fromEntries(diffs));
    for (const [name, d] of diffs) expect(d, name).toBeLessThanOrEqual(MAX_DIFF);
  });

  it('Pillow (libjpeg-turbo) files: 4:2:0, 4:2:2, 4:4:4, grey, odd sizes; progressive refused', async () => {
    const made = await runPython(
      String.raw`
import sys, os, json, random
from PIL import Image
d = sys.argv[1]
random.seed(5)
out = []
for (w, h) in ((37, 23), (64, 48), (5, 3), (1, 1), (130, 17)):
    img = Image.new('RGB', (w, h))
    img.putdata([((x * 7 + y * 3) % 256, (x * y) % 256, random.randrange(256) if (x // 4 + y // 4) % 3 == 0 else 90) for y in range(h) for x in range(w)])
    for sub in (0, 1, 2):
        for q in (40, 95):
            p = os.path.join(d, 'pil-%dx%d-s%d-q%d.jpg' % (w, h, sub, q))
            img.save(p, quality=q, subsampling=sub)
            out.append([p, w, h, 3])
    p = os.path.join(d, 'pil-%dx%d-grey.jpg' % (w, h))
    img.convert('L').save(p, quality=80)
    out.append([p, w, h, 1])
p = os.path.join(d, 'pil-progressive.jpg')
img.save(p, quality=80, progressive=True)
print(json.dumps(out))
`,
      [dir],
    );
    expect(made.code, made.stderr).toBe(0);
    const list = JSON.parse(made.stdout) as [string, number, number, number][];
    await runPyJobs(
      dir,
      list.map(([p, w, h, spp]) => ({
        op: 'wrap',
        jpeg: [p],
        out: `${p}.dcm`,
        rows: h,
        cols: w,
        spp,
        bits: 8,
        ts: '1.2.840.10008.1.2.4.50',
        photometric: spp === 3 ? 'YBR_FULL_422' : 'MONOCHROME2',
      })),
      'pilwrap',
    );
    const diffs = await compareWithDcmdjpeg(list.map(([p]) => ({ name: p.split('/').pop()!, path: `${p}.dcm` })));
    console.log('Pillow files, max |ours - dcmdjpeg| per file:', Object.fromEntries(diffs));
    for (const [name, d] of diffs) expect(d, name).toBeLessThanOrEqual(MAX_DIFF);
    let err: unknown;
    try {
      decodeJpegBaseline(new Uint8Array(await readFile(join(dir, 'pil-progressive.jpg'))));
    } catch (e) {
      err = e;
    }
    expect((err as JpegError).code).toBe('JPEG_UNSUPPORTED_PROCESS');
  });

  it('12-bit extended (SOF1) files are refused with a typed error', async () => {
    const jobs: PyJob[] = [{ op: 'extract', in: join(PYDICOM_DATA, 'test_files', 'JPEG-lossy.dcm'), prefix: join(dir, 'ext12') }];
    const [ex] = await runPyJobs(dir, jobs, 'ext12');
    const frame = new Uint8Array(await readFile((ex!.frames as string[])[0]!));
    let err: unknown;
    try {
      decodeJpegBaseline(frame);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JpegError);
    expect((err as JpegError).code).toBe('JPEG_UNSUPPORTED');
  });
});
