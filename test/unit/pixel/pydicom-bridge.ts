/**
 * Test-only bridge to Debian's pydicom for the JPEG interop tests: wraps JPEG streams into DICOM
 * files, writes uncompressed DICOM files, and extracts fragments / raw pixel data — so that the
 * tests do not depend on our own data-set layer (written in parallel).
 *
 * All jobs of one call run in one Python process (start-up is the slow part).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PYDICOM_DATA, runPython } from '../../helpers/run-tool.js';

const SCRIPT = String.raw`
import sys, json, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom import encaps

def base(rows, cols, spp, bits, frames, ts, photometric):
    m = FileMetaDataset()
    m.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    m.MediaStorageSOPInstanceUID = generate_uid()
    m.TransferSyntaxUID = ts
    ds = Dataset()
    ds.file_meta = m
    ds.SOPClassUID = m.MediaStorageSOPClassUID
    ds.SOPInstanceUID = m.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid(); ds.SeriesInstanceUID = generate_uid()
    ds.Modality = 'OT'; ds.ConversionType = 'WSD'
    ds.PatientName = 'Test^Jpeg'; ds.PatientID = 'JPEG1'
    ds.Rows = rows; ds.Columns = cols; ds.SamplesPerPixel = spp
    ds.PhotometricInterpretation = photometric or ('RGB' if spp == 3 else 'MONOCHROME2')
    if spp > 1: ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8 if bits <= 8 else 16
    ds.BitsStored = bits; ds.HighBit = bits - 1; ds.PixelRepresentation = 0
    if frames > 1: ds.NumberOfFrames = frames
    ds.is_little_endian = True; ds.is_implicit_VR = False
    return ds

jobs = json.load(open(sys.argv[1]))
results = []
for j in jobs:
    op = j['op']
    if op == 'wrap':
        frames = [open(p, 'rb').read() for p in j['jpeg']]
        ds = base(j['rows'], j['cols'], j['spp'], j['bits'], len(frames), j['ts'], j.get('photometric'))
        ds.PixelData = encaps.encapsulate(frames)
        ds['PixelData'].VR = 'OB'
        ds['PixelData'].is_undefined_length = True
        ds.save_as(j['out'], write_like_original=False)
        results.append({})
    elif op == 'make':
        raw = open(j['raw'], 'rb').read()
        ds = base(j['rows'], j['cols'], j['spp'], j['bits'], j['frames'], ExplicitVRLittleEndian, j.get('photometric'))
        ds.PixelData = raw
        ds['PixelData'].VR = 'OB' if j['bits'] <= 8 else 'OW'
        ds.save_as(j['out'], write_like_original=False)
        results.append({})
    elif op == 'extract':
        ds = pydicom.dcmread(j['in'])
        n = int(ds.get('NumberOfFrames', 1) or 1)
        paths = []
        for k, f in enumerate(encaps.generate_pixel_data_frame(ds.PixelData, n)):
            p = '%s.%d.jpg' % (j['prefix'], k)
            open(p, 'wb').write(f)
            paths.append(p)
        results.append({'frames': paths, 'ts': str(ds.file_meta.TransferSyntaxUID), 'rows': ds.Rows,
                        'cols': ds.Columns, 'spp': ds.SamplesPerPixel, 'bitsStored': ds.BitsStored,
                        'bitsAllocated': ds.BitsAllocated, 'photometric': ds.PhotometricInterpretation,
                        'planar': int(ds.get('PlanarConfiguration', 0) or 0)})
    elif op == 'pixels':
        ds = pydicom.dcmread(j['in'])
        if ds.file_meta.TransferSyntaxUID.is_compressed:
            raise SystemExit('still compressed: ' + j['in'])
        open(j['out'], 'wb').write(ds.PixelData)
        results.append({'ts': str(ds.file_meta.TransferSyntaxUID), 'rows': ds.Rows, 'cols': ds.Columns,
                        'spp': ds.SamplesPerPixel, 'bitsStored': ds.BitsStored, 'bitsAllocated': ds.BitsAllocated,
                        'photometric': ds.PhotometricInterpretation,
                        'planar': int(ds.get('PlanarConfiguration', 0) or 0),
                        'frames': int(ds.get('NumberOfFrames', 1) or 1)})
    else:
        raise SystemExit('unknown op ' + op)
json.dump(results, open(sys.argv[2], 'w'))
`;

export type PyJob =
  | { op: 'wrap'; jpeg: string[]; out: string; rows: number; cols: number; spp: number; bits: number; ts: string; photometric?: string }
  | { op: 'make'; raw: string; out: string; rows: number; cols: number; spp: number; bits: number; frames: number; photometric?: string }
  | { op: 'extract'; in: string; prefix: string }
  | { op: 'pixels'; in: string; out: string };

export interface PyResult {
  frames?: string[] | number;
  ts?: string;
  rows?: number;
  cols?: number;
  spp?: number;
  bitsStored?: number;
  bitsAllocated?: number;
  photometric?: string;
  planar?: number;
}

/** Runs the jobs in one Debian python3 process; throws with Python's own words on failure. */
export async function runPyJobs(dir: string, jobs: PyJob[], name = 'jobs'): Promise<PyResult[]> {
  const inPath = join(dir, `${name}.json`);
  const outPath = join(dir, `${name}.out.json`);
  await writeFile(inPath, JSON.stringify(jobs));
  const r = await runPython(SCRIPT, [inPath, outPath], 120_000);
  if (r.code !== 0) throw new Error(`pydicom jobs failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(await readFile(outPath, 'utf8')) as PyResult[];
}

/** Samples as little-endian bytes (what DICOM Pixel Data holds for 8/16 bits allocated). */
export function samplesToBytes(px: Uint8Array | Uint16Array): Uint8Array {
  if (px instanceof Uint8Array) return px;
  const out = new Uint8Array(px.length * 2);
  for (let i = 0; i < px.length; i++) {
    out[2 * i] = px[i]! & 0xff;
    out[2 * i + 1] = px[i]! >> 8;
  }
  return out;
}

/** Little-endian Pixel Data bytes as samples (bitsAllocated 8 or 16). */
export function bytesToSamples(b: Uint8Array, bitsAllocated: number): Uint8Array | Uint16Array {
  if (bitsAllocated === 8) return b;
  const out = new Uint16Array(b.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = b[2 * i]! | (b[2 * i + 1]! << 8);
  return out;
}

/** Index of the first difference, or -1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * The files of pydicom's test corpus (by name) whose Transfer Syntax UID is one of `uids` and
 * that have image pixel attributes, as pydicom itself reads them.
 */
export async function corpusFilesInSyntax(uids: readonly string[]): Promise<string[]> {
  const r = await runPython(
    String.raw`
import sys, os, json, pydicom
want = set(json.loads(sys.argv[2]))
out = []
for f in sorted(os.listdir(sys.argv[1])):
    p = os.path.join(sys.argv[1], f)
    try:
        ds = pydicom.dcmread(p, stop_before_pixels=True)
        ts = str(ds.file_meta.TransferSyntaxUID)
    except Exception:
        continue
    if ts in want and 'Rows' in ds:
        out.append(f)
print(json.dumps(out))
`,
    [join(PYDICOM_DATA, 'test_files'), JSON.stringify(uids)],
  );
  if (r.code !== 0) throw new Error(`listing pydicom's corpus failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}
