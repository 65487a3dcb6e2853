/**
 * Pixel data transcoding (device/codecs/transcode.ts, `sonicart convert --ts …`) against DCMTK:
 * - JPEG files of pydicom's corpus and our own JPEG captures → Explicit VR LE, pixels compared
 *   with dcmdjpeg's (default colour handling: YBR → RGB by the photometric interpretation);
 * - uncompressed → JPEG Lossless → dcmdjpeg gives the original pixels back;
 * - uncompressed → JPEG Baseline: dcmdjpeg decodes it, PSNR > 30 dB, dciodvfy finds no new
 *   errors, Lossy Image Compression attributes as PS3.3 C.7.6.1.1.5 says;
 * - frames split over several fragments, with and without a Basic Offset Table;
 * - refusals and broken input: typed errors, no output file left.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertFile } from '../../device/files/convert.js';
import { readDicomFileHeader } from '../../device/files/read-header.js';
import { transcodedDataSetChunks } from '../../device/codecs/index.js';
import { transferSyntaxByAlias, type TransferSyntax } from '../../dicom/encoding/index.js';
import { encodeFileHeader, rewriteFileMeta } from '../../dicom/part10/index.js';
import { PYDICOM_DATA, runPython, runSonicart, runTool, scratchDir } from '../helpers/run-tool.js';

const CORPUS = join(PYDICOM_DATA, 'test_files');
const sonicart = (...args: string[]) => runSonicart(args);
const ts = (alias: string): TransferSyntax => transferSyntaxByAlias(alias)!;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
/** Our own captures (simulator, 800×600 RGB): explicit cine, JPEG baseline cine, JPEG lossless still. */
const cap: Record<'explicit' | 'baseline' | 'lossless' | 'still', string> = { explicit: '', baseline: '', lossless: '', still: '' };

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-transcode-'));
  const kinds = [
    ['explicit', 'cine', 'explicit'],
    ['baseline', 'cine', 'jpeg-baseline'],
    ['lossless', 'cine', 'jpeg-lossless'],
    ['still', 'still', 'explicit'],
  ] as const;
  for (const [name, kind, syntax] of kinds) {
    const out = join(dir, `cap-${name}`);
    await mkdir(out);
    const r = await sonicart('capture', '--kind', kind, ...(kind === 'cine' ? ['--seconds', '0.3'] : []), '--ts', syntax, '--out', out);
    if (r.code !== 0) throw new Error(`capture ${name}: ${r.stderr}`);
    cap[name] = join(out, (await readdir(out)).find((f) => f.endsWith('.dcm'))!);
  }
}, 120_000);
afterAll(async () => cleanup());

async function dcmdjpeg(input: string, out: string): Promise<void> {
  const r = await runTool('dcmdjpeg', [input, out], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`dcmdjpeg ${input}: ${r.stderr}`);
}

interface Compared {
  maxDiff: number;
  psnr: number | null;
  photometric: string;
  shape: number[];
  lossy: string | null;
  ratio: string[];
  method: string[];
}

/** pydicom's view of pixel pairs (a: ours, b: reference) and of a's lossy attributes; a pair of one file gives its attributes only. */
async function compare(pairs: [string, string][]): Promise<Compared[]> {
  const r = await runPython(
    String.raw`
import sys, json, math, pydicom, numpy as np
out = []
for a_path, b_path in json.loads(sys.argv[1]):
    a = pydicom.dcmread(a_path); b = pydicom.dcmread(b_path)
    if a_path == b_path:  # attributes only (pydicom here has no JPEG Lossless decoder)
        pa = pb = np.zeros((1,), np.int64)
    else:
        pa = a.pixel_array.astype(np.int64); pb = b.pixel_array.astype(np.int64)
    assert pa.shape == pb.shape, (a_path, pa.shape, pb.shape)
    mse = float(((pa - pb) ** 2).mean())
    peak = float(2 ** int(a.BitsStored) - 1)
    ml = lambda v: [] if v is None else ([str(x) for x in v] if isinstance(v, (list, pydicom.multival.MultiValue)) else [str(v)])
    out.append({'maxDiff': int(np.abs(pa - pb).max()), 'psnr': None if mse == 0 else 10 * math.log10(peak * peak / mse),
                'photometric': str(a.PhotometricInterpretation), 'shape': list(pa.shape),
                'lossy': a.get('LossyImageCompression'), 'ratio': ml(a.get('LossyImageCompressionRatio')),
                'method': ml(a.get('LossyImageCompressionMethod'))})
print(json.dumps(out))
`,
    [JSON.stringify(pairs)],
    120_000,
  );
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Compared[];
}

async function dciodvfyErrors(file: string): Promise<string[]> {
  const r = await runTool('dciodvfy', [file]);
  return (r.stdout + r.stderr).split('\n').filter((l) => /^Error/.test(l));
}

describe('JPEG → Explicit VR LE, pixels against dcmdjpeg', () => {
  it("pydicom's corpus: baseline (YBR_FULL, RGB without transform, odd size) and lossless SV1", async () => {
    const files = [
      ['SC_rgb_jpeg_dcmtk.dcm', 'lossy'],
      ['SC_rgb_small_odd_jpeg.dcm', 'lossy'],
      ['SC_jpeg_no_color_transform.dcm', 'lossy'],
      ['SC_jpeg_no_color_transform_2.dcm', 'lossy'],
      ['SC_rgb_jpeg_app14_dcmd.dcm', 'lossy'],
      ['SC_rgb_jpeg_lossy_gdcm.dcm', 'lossy'],
      ['SC_rgb_jpeg_gdcm.dcm', 'lossless'],
    ] as const;
    const pairs: [string, string][] = [];
    for (const [f] of files) {
      const ours = join(dir, `corpus-${f}`);
      const r = await sonicart('convert', join(CORPUS, f), '--ts', 'explicit', '-o', ours);
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      const ref = join(dir, `corpus-ref-${f}`);
      await dcmdjpeg(join(CORPUS, f), ref);
      pairs.push([ours, ref]);
    }
    const res = await compare(pairs);
    console.log('corpus JPEG → explicit, max |ours − dcmdjpeg|:', Object.fromEntries(files.map(([f], i) => [f, res[i]!.maxDiff])));
    files.forEach(([f, kind], i) => {
      const c = res[i]!;
      expect(c.photometric, f).toBe('RGB');
      if (kind === 'lossless') {
        expect(c.maxDiff, f).toBe(0);
        expect(c.lossy, f).not.toBe('01');
      } else {
        expect(c.maxDiff, f).toBeLessThanOrEqual(1);
        expect(c.lossy, f).toBe('01'); // decompressing a lossy source keeps 01
      }
    });
    // A lossy source without Ratio/Method had them recorded from its fragments? SC_rgb_jpeg_dcmtk carries its own: kept.
    expect(res[0]!.ratio).toEqual(['17.401']);
    expect(res[0]!.method).toEqual(['ISO_10918_1']);
  }, 120_000);

  it('our captures: JPEG Baseline (ffmpeg 4:2:2 → YBR_FULL_422) and JPEG Lossless cines', async () => {
    const pairs: [string, string][] = [];
    for (const k of ['baseline', 'lossless'] as const) {
      const ours = join(dir, `cap-${k}-explicit.dcm`);
      await convertFile(cap[k], ours, ts('explicit'));
      const ref = join(dir, `cap-${k}-ref.dcm`);
      await dcmdjpeg(cap[k], ref);
      pairs.push([ours, ref]);
    }
    const [bl, ll] = await compare(pairs);
    console.log('captures → explicit, max |ours − dcmdjpeg|: baseline', bl!.maxDiff, 'lossless', ll!.maxDiff, 'shape', bl!.shape);
    expect(bl!.maxDiff).toBeLessThanOrEqual(1);
    expect(bl!.photometric).toBe('RGB');
    expect(bl!.lossy).toBe('01');
    expect(bl!.method).toEqual(['ISO_10918_1']);
    expect(ll!.maxDiff).toBe(0);
  }, 120_000);
});

describe('uncompressed → JPEG', () => {
  it('→ JPEG Lossless: dcmdjpeg gives the original pixels (RGB cine, odd RGB, signed 16-bit, big endian)', async () => {
    const sources = [cap.explicit, join(CORPUS, 'SC_rgb_small_odd.dcm'), join(CORPUS, 'MR_small.dcm'), join(CORPUS, 'MR_small_bigendian.dcm'), join(CORPUS, 'CT_small.dcm')];
    const pairs: [string, string][] = [];
    for (const [i, src] of sources.entries()) {
      const ll = join(dir, `ll-${i}.dcm`);
      const r = await sonicart('convert', src, '--ts', 'jpeg-lossless', '-o', ll);
      expect(r.code, r.stderr).toBe(0);
      const back = join(dir, `ll-${i}-dj.dcm`);
      await dcmdjpeg(ll, back);
      pairs.push([back, src]);
      expect(await dciodvfyErrors(ll), src).toEqual(await dciodvfyErrors(src));
    }
    const res = await compare(pairs);
    for (const [i, c] of res.entries()) expect(c.maxDiff, sources[i]).toBe(0);
  }, 180_000);

  it('→ JPEG Baseline: dcmdjpeg decodes, PSNR > 30 dB, no new dciodvfy errors, Lossy attributes set', async () => {
    // An 8-bit grey object (the corpus has none uncompressed): the green plane of an RGB one.
    const grey = join(dir, 'grey8.dcm');
    const made = await runPython(
      String.raw`
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ds.PixelData = ds.pixel_array[:, :, 1].copy().tobytes()
ds.SamplesPerPixel = 1; ds.PhotometricInterpretation = 'MONOCHROME2'
del ds.PlanarConfiguration
ds.save_as(sys.argv[2])
`,
      [join(CORPUS, 'SC_rgb_jpeg_dcmd.dcm'), grey],
    );
    expect(made.code, made.stderr).toBe(0);
    // RGB cine and still from the simulator, odd-sized RGB, big endian planar RGB, grey.
    const sources = [cap.explicit, cap.still, join(CORPUS, 'SC_rgb_small_odd.dcm'), join(CORPUS, 'ExplVR_BigEnd.dcm'), grey];
    const pairs: [string, string][] = [];
    for (const [i, src] of sources.entries()) {
      const bl = join(dir, `bl-${i}.dcm`);
      const r = await sonicart('convert', src, '--ts', 'jpeg-baseline', '-o', bl);
      expect(r.code, r.stderr).toBe(0);
      const back = join(dir, `bl-${i}-dj.dcm`);
      await dcmdjpeg(bl, back);
      pairs.push([back, src], [bl, src]);
      expect(await dciodvfyErrors(bl), src).toEqual(await dciodvfyErrors(src));
    }
    const res = await compare(pairs);
    const psnrs: Record<string, number | null> = {};
    for (let i = 0; i < sources.length; i++) {
      const decoded = res[2 * i]!;
      const encoded = res[2 * i + 1]!;
      psnrs[sources[i]!.split('/').pop()!] = decoded.psnr;
      // A 3×3 image of three flat colour rows is the worst case for 8×8 DCT chroma blocks
      // (23 dB seen); the real-sized images are held to 30 dB.
      const floor = sources[i]!.endsWith('SC_rgb_small_odd.dcm') ? 20 : 30;
      expect(decoded.psnr === null || decoded.psnr > floor, `${sources[i]}: PSNR ${decoded.psnr}`).toBe(true);
      expect(encoded.lossy).toBe('01');
      expect(encoded.method).toEqual(['ISO_10918_1']);
      expect(encoded.ratio).toHaveLength(1);
      expect(Number(encoded.ratio[0])).toBeGreaterThan(0);
      expect(encoded.photometric).toBe(encoded.shape.length > 2 && encoded.shape.at(-1) === 3 ? 'YBR_FULL_422' : 'MONOCHROME2');
    }
    console.log('uncompressed → jpeg-baseline → dcmdjpeg, PSNR (dB):', psnrs);
  }, 180_000);

  it('lossless → lossy only when asked; a second lossy step appends its ratio and method', async () => {
    await expect(convertFile(cap.explicit, join(dir, 'refused.dcm'), ts('jpeg-baseline'))).rejects.toMatchObject({ code: 'CONVERT_LOSSY_NOT_ALLOWED' });
    await expect(convertFile(cap.lossless, join(dir, 'refused2.dcm'), ts('jpeg-baseline'))).rejects.toMatchObject({ code: 'CONVERT_LOSSY_NOT_ALLOWED' });
    expect((await readdir(dir)).filter((f) => f.startsWith('refused') || f.endsWith('.spool') || f.endsWith('.tmp'))).toEqual([]);
    // Baseline → lossless keeps 01 and the first step; lossless → baseline (source already lossy) appends.
    const ll = join(dir, 'twice-ll.dcm');
    await convertFile(cap.baseline, ll, ts('jpeg-lossless'));
    const bl = join(dir, 'twice-bl.dcm');
    await convertFile(ll, bl, ts('jpeg-baseline'));
    await dcmdjpeg(ll, `${ll}-dj.dcm`);
    await dcmdjpeg(bl, `${bl}-dj.dcm`);
    await dcmdjpeg(cap.baseline, join(dir, 'twice-ref.dcm'));
    const [a, b, la, lb] = await compare([
      [`${ll}-dj.dcm`, join(dir, 'twice-ref.dcm')],
      [`${bl}-dj.dcm`, join(dir, 'twice-ref.dcm')],
      [ll, ll],
      [bl, bl],
    ].map(([x, y]) => [x!, y!] as [string, string]));
    // The attributes as written in the JPEG files themselves.
    Object.assign(a!, { lossy: la!.lossy, photometric: la!.photometric, method: la!.method });
    Object.assign(b!, { lossy: lb!.lossy, photometric: lb!.photometric, method: lb!.method, ratio: lb!.ratio });
    expect(a!.lossy).toBe('01');
    expect(a!.photometric).toBe('RGB');
    expect(a!.method).toEqual(['ISO_10918_1']);
    expect(a!.maxDiff).toBe(0); // lossless of our RGB = dcmdjpeg's RGB
    expect(b!.lossy).toBe('01');
    expect(b!.photometric).toBe('YBR_FULL_422');
    expect(b!.method).toEqual(['ISO_10918_1', 'ISO_10918_1']);
    expect(b!.ratio).toHaveLength(2);
  }, 120_000);
});

describe('frames over several fragments, broken input', () => {
  it('two fragments per frame, with and without a Basic Offset Table, give the same pixels', async () => {
    const made = await runPython(
      String.raw`
import sys, pydicom
from pydicom import encaps
src, d = sys.argv[1], sys.argv[2]
ds = pydicom.dcmread(src)
frames = [f for f in encaps.generate_pixel_data_frame(ds.PixelData, int(ds.NumberOfFrames))]
for bot in (True, False):
    ds.PixelData = encaps.encapsulate(frames, fragments_per_frame=2, has_bot=bot)
    ds.save_as('%s/frag2-%s.dcm' % (d, 'bot' if bot else 'nobot'))
`,
      [cap.baseline, dir],
    );
    expect(made.code, made.stderr).toBe(0);
    const outs: [string, string][] = [];
    for (const v of ['bot', 'nobot']) {
      const out = join(dir, `frag2-${v}-explicit.dcm`);
      await convertFile(join(dir, `frag2-${v}.dcm`), out, ts('explicit'));
      outs.push([out, join(dir, 'cap-baseline-explicit.dcm')]);
    }
    for (const c of await compare(outs)) expect(c.maxDiff).toBe(0);
  }, 60_000);

  it('a truncated JPEG fragment: CODEC_DECODE_FAILED naming the frame, and no output file', async () => {
    const made = await runPython(
      String.raw`
import sys, pydicom
from pydicom import encaps
ds = pydicom.dcmread(sys.argv[1])
frame = next(encaps.generate_pixel_data_frame(ds.PixelData, 1))
cut = frame[: len(frame) // 2]
ds.PixelData = encaps.encapsulate([cut + b'\x00' * (len(cut) % 2)])
ds.save_as(sys.argv[2])
`,
      [join(CORPUS, 'SC_rgb_jpeg_dcmtk.dcm'), join(dir, 'truncated.dcm')],
    );
    expect(made.code, made.stderr).toBe(0);
    const out = join(dir, 'bad', 'truncated-out.dcm');
    await mkdir(join(dir, 'bad'));
    const r = await sonicart('convert', join(dir, 'truncated.dcm'), '--ts', 'explicit', '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/frame 1 of 1: .*JPEG_TRUNCATED.*\[CODEC_DECODE_FAILED\]$/m);
    await expect(convertFile(join(dir, 'truncated.dcm'), out, ts('jpeg-lossless'))).rejects.toMatchObject({ code: 'CODEC_DECODE_FAILED', frame: 0 });
    expect(await readdir(join(dir, 'bad'))).toEqual([]); // neither the output, its temporary file nor a spool
  }, 60_000);

  it('no codec (RLE, JPEG 2000) or 12-bit JPEG: typed refusals', async () => {
    await expect(convertFile(join(CORPUS, 'MR_small_RLE.dcm'), join(dir, 'x.dcm'), ts('explicit'))).rejects.toMatchObject({ code: 'CONVERT_NEEDS_CODEC' });
    await expect(convertFile(join(CORPUS, 'JPEG2000.dcm'), join(dir, 'x.dcm'), ts('jpeg-lossless'))).rejects.toMatchObject({ code: 'CONVERT_NEEDS_CODEC' });
    await expect(convertFile(join(CORPUS, 'JPEG-lossy.dcm'), join(dir, 'x.dcm'), ts('explicit'))).rejects.toMatchObject({ code: 'CONVERT_UNSUPPORTED_PIXELS' });
    await expect(convertFile(join(CORPUS, 'MR_small.dcm'), join(dir, 'x.dcm'), ts('jpeg-baseline'), { allowLossy: true })).rejects.toMatchObject({
      code: 'CONVERT_UNSUPPORTED_PIXELS',
    });
  });
});

describe('transcodedDataSetChunks (for the network sender)', () => {
  it('the data set in the target syntax, which DCMTK reads as a file once a meta header is put in front', async () => {
    for (const [i, [src, target]] of ([
      [cap.baseline, 'big'],
      [cap.explicit, 'jpeg-lossless'],
      [join(CORPUS, 'SC_rgb_jpeg_gdcm.dcm'), 'implicit'],
    ] as const).entries()) {
      const header = await readDicomFileHeader(src);
      const parts: Uint8Array[] = [encodeFileHeader(rewriteFileMeta(header.file.meta, ts(target).uid))];
      for await (const c of transcodedDataSetChunks(header, ts(target))) parts.push(c.slice());
      const out = join(dir, `net-${i}.dcm`);
      await writeFile(out, Buffer.concat(parts));
      const d = await runTool('dcmdump', ['-q', out]);
      expect(d.code, d.stderr).toBe(0);
      expect(d.stderr).toBe('');
      const ref = join(dir, `net-${i}-ref.dcm`);
      await convertFile(src, ref, ts(target));
      const back = join(dir, `net-${i}-dj.dcm`);
      await dcmdjpeg(out, back);
      const refBack = join(dir, `net-${i}-ref-dj.dcm`);
      await dcmdjpeg(ref, refBack);
      const [c] = await compare([[back, refBack]]);
      expect(c!.maxDiff).toBe(0);
    }
  }, 120_000);

  it('a new lossy image gets a new SOP Instance UID (meta and data set agree); a lossless one keeps it', async () => {
    const uidOf = async (f: string): Promise<string[]> => {
      const r = await runTool('dcmdump', ['-q', '-M', '+P', '0002,0003', '+P', '0008,0018', f]);
      return [...r.stdout.matchAll(/\[([0-9.]+)\]/g)].map((m) => m[1]!);
    };
    const [orig] = await uidOf(cap.explicit);
    const lossy = join(dir, 'newuid-bl.dcm');
    await convertFile(cap.explicit, lossy, ts('jpeg-baseline'), { allowLossy: true });
    const [metaUid, dsUid] = await uidOf(lossy);
    expect(metaUid).toBe(dsUid);
    expect(dsUid).not.toBe(orig);
    expect(dsUid).toMatch(/^2\.25\.\d+$/);
    const lossless = join(dir, 'newuid-ll.dcm');
    await convertFile(cap.explicit, lossless, ts('jpeg-lossless'));
    expect(await uidOf(lossless)).toEqual([orig, orig]);
  }, 120_000);
});
