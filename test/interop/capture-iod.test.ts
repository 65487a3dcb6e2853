/**
 * Every capture kind × transfer syntax, from the simulator, checked by third parties: dciodvfy
 * (no errors), dcmdump, pydicom (attributes, frame timing), dcmdjpeg (decodes our JPEG; lossless
 * frames pixel-identical to what the simulator produced; baseline close to it).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { runPython, runTool, scratchDir } from '../helpers/run-tool.js';
import { captureToDir, sim } from '../unit/capture/capture-helpers.js';
import type { CaptureKind } from '../../device/capture/index.js';
import type { CaptureSyntax } from '../../device/codecs/index.js';

const KINDS: CaptureKind[] = ['still', 'cine', 'sc', 'sc-cine'];
const SYNTAXES: CaptureSyntax[] = ['explicit', 'jpeg-lossless', 'jpeg-baseline'];
const SOP = { still: '1.2.840.10008.5.1.4.1.1.6.1', cine: '1.2.840.10008.5.1.4.1.1.3.1', sc: '1.2.840.10008.5.1.4.1.1.7', 'sc-cine': '1.2.840.10008.5.1.4.1.1.7.4' };
const TS = { explicit: '1.2.840.10008.1.2.1', 'jpeg-lossless': '1.2.840.10008.1.2.4.70', 'jpeg-baseline': '1.2.840.10008.1.2.4.50' };

const READ = String.raw`
import sys, json, hashlib, pydicom, numpy as np
ds = pydicom.dcmread(sys.argv[1])
native = pydicom.dcmread(sys.argv[2]) if len(sys.argv) > 2 else ds
n = int(getattr(ds, 'NumberOfFrames', 1))
raw = bytes(native.PixelData)
size = ds.Rows * ds.Columns * ds.SamplesPerPixel
frames = [raw[i*size:(i+1)*size] for i in range(n)]
out = {k: str(getattr(ds, k, '')) for k in ['SOPClassUID', 'PhotometricInterpretation', 'FrameTime', 'CineRate', 'RecommendedDisplayFrameRate', 'StartTrim', 'StopTrim', 'LossyImageCompression', 'LossyImageCompressionMethod', 'BodyPartExamined', 'PatientName']}
out['ts'] = str(ds.file_meta.TransferSyntaxUID)
out['frames'] = n
out['fip'] = str(ds.get('FrameIncrementPointer', ''))
out['nativePhotometric'] = str(native.PhotometricInterpretation)
out['hashes'] = [hashlib.sha256(f).hexdigest() for f in frames]
out['regions'] = len(getattr(ds, 'SequenceOfUltrasoundRegions', []))
if len(sys.argv) > 3:
    # The closest simulator frame for each stored frame (which frames were stored depends on timing).
    ref = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(-1, size).astype(float)
    got = np.frombuffer(raw[:n*size], dtype=np.uint8).reshape(n, size).astype(float)
    worst = 99.0
    for g in got:
        mse = min(((r - g) ** 2).mean() for r in ref)
        worst = min(worst, 99.0 if mse == 0 else float(10 * np.log10(255 * 255 / mse)))
    out['psnr'] = worst
print(json.dumps(out))
`;

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('captures pass dciodvfy, dcmdump, pydicom and dcmdjpeg', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const source = sim();
  const frameIndex = new Map<string, number>();
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir('sonicart-capture-'));
    for (let n = 0; n < 40; n++) frameIndex.set(sha(source.renderFrame(n)), n);
  });
  afterAll(() => cleanup());

  for (const kind of KINDS) {
    for (const ts of SYNTAXES) {
      it(`${kind} × ${ts}`, async () => {
        const r = await captureToDir(sim(), kind, ts, dir);
        const multi = kind === 'cine' || kind === 'sc-cine';
        expect(r.frames).toBe(multi ? 10 : 1); // 0.5 s at 20 frames/s

        const v = await runTool('dciodvfy', [r.path]);
        const errors = v.stderr.split('\n').filter((l) => l.startsWith('Error'));
        expect(errors, v.stderr).toEqual([]);
        expect(v.code, v.stderr).toBe(0);
        expect((await runTool('dcmdump', ['-q', r.path])).code).toBe(0);

        const args = [r.path];
        if (ts !== 'explicit') {
          const native = join(dir, `${r.sopInstanceUid}.native.dcm`);
          const d = await runTool('dcmdjpeg', [r.path, native]);
          expect(d.code, d.stderr).toBe(0);
          args.push(native);
        }
        let refPath: string | undefined;
        if (ts === 'jpeg-baseline') {
          // The frames the simulator made, to measure how close the lossy ones came back.
          refPath = join(dir, `${r.sopInstanceUid}.ref`);
          args.push(refPath);
        }
        if (refPath) await writeFile(refPath, Buffer.concat(Array.from({ length: 40 }, (_, n) => source.renderFrame(n))));
        const out = JSON.parse((await runPython(READ, args)).stdout) as Record<string, unknown> & { hashes: string[] };
        expect(out.SOPClassUID).toBe(SOP[kind]);
        expect(out.ts).toBe(TS[ts]);
        expect(out.frames).toBe(r.frames);
        expect(out.BodyPartExamined).toBe('ABDOMEN');
        expect(out.PatientName).toBe('Doe^Jane');
        expect(out.regions).toBe(kind === 'still' || kind === 'cine' ? 1 : 0);
        expect(out.PhotometricInterpretation).toBe({ explicit: 'RGB', 'jpeg-lossless': 'RGB', 'jpeg-baseline': 'YBR_FULL_422' }[ts]);
        if (multi) {
          // 20 frames/s from the simulator's timestamps
          expect(Number(out.FrameTime)).toBeCloseTo(50, 6);
          expect(out.CineRate).toBe('20');
          expect(out.RecommendedDisplayFrameRate).toBe('20');
          expect(out.StartTrim).toBe('1');
          expect(out.StopTrim).toBe(String(r.frames));
          expect(out.fip).toContain('(0018, 1063)');
        }
        if (ts === 'jpeg-baseline') {
          expect(out.LossyImageCompression).toBe('01');
          expect(out.LossyImageCompressionMethod).toBe('ISO_10918_1');
          expect(out.psnr as number).toBeGreaterThan(30);
        } else {
          expect(out.LossyImageCompression).toBe('00');
          // Pixel-identical to frames the simulator made, consecutive.
          const idx = out.hashes.map((h) => frameIndex.get(h));
          expect(idx.every((i) => i !== undefined), 'stored frames are exactly simulator frames').toBe(true);
          idx.forEach((i, k) => k > 0 && expect(i).toBe(idx[k - 1]! + 1));
        }
      });
    }
  }
});
