/**
 * JPEG Lossless SV1 encoder speed: ours vs DCMTK's dcmcjpeg (+e1, i.e. libijg lossless SV1 with
 * optimised Huffman tables) on the same 800×600 RGB 8-bit frames.
 *
 *   npx tsx bench/jpeg-lossless.ts [frames]
 *
 * DCMTK is timed as a whole process on a multi-frame file (wall clock), minus the time of the same
 * run on a one-frame file, so start-up and file I/O are mostly taken out.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJpegLossless, encodeJpegLossless } from '../dicom/pixel/jpeg-lossless/index.js';

const ROWS = 600;
const COLS = 800;
const FRAMES = Number(process.argv[2] ?? 30);

/** A cart-like screen: black border, a speckled sector, some saturated text/graphics. */
function makeFrame(seed: number): Uint8Array {
  const px = new Uint8Array(ROWS * COLS * 3);
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  for (let y = 0; y < ROWS; y++) {
    for (let x = 0; x < COLS; x++) {
      const i = (y * COLS + x) * 3;
      const dx = x - COLS / 2;
      let r = 0, g = 0, b = 0;
      if (y > 60 && y < 560 && Math.abs(dx) < (y - 40) * 0.7) {
        const v = Math.round(255 * rnd() * rnd() * (1 - y / 800));
        r = g = b = v;
        // a colour Doppler box
        if (x > 350 && x < 450 && y > 200 && y < 300) {
          r = Math.min(255, v + 120 * ((x + seed) % 3 === 0 ? 1 : 0));
          b = Math.min(255, v + 100 * ((y + seed) % 4 === 0 ? 1 : 0));
        }
      }
      if (y < 30 && x % 9 < 5 && (x >> 5) % 2 === 0) r = g = b = 230;
      px[i] = r;
      px[i + 1] = g;
      px[i + 2] = b;
    }
  }
  return px;
}

const frames = Array.from({ length: Math.min(FRAMES, 8) }, (_, k) => makeFrame(k + 1));
const opts = { rows: ROWS, columns: COLS, samplesPerPixel: 3, bitsStored: 8 } as const;

// Warm-up (JIT) and correctness check.
for (let k = 0; k < 5; k++) {
  const enc = encodeJpegLossless(frames[k % frames.length]!, opts);
  if (k < frames.length) {
    const dec = decodeJpegLossless(enc).samples;
    const src = frames[k]!;
    for (let i = 0; i < src.length; i++) if (dec[i] !== src[i]) throw new Error(`round trip differs at ${i}`);
  }
}

let bytesOut = 0;
const t0 = performance.now();
for (let k = 0; k < FRAMES; k++) bytesOut += encodeJpegLossless(frames[k % frames.length]!, opts).length;
const oursMs = performance.now() - t0;
const oursFps = (FRAMES * 1000) / oursMs;

let decMs = 0;
{
  const enc = encodeJpegLossless(frames[0]!, opts);
  decodeJpegLossless(enc);
  const t = performance.now();
  const n = Math.max(5, Math.floor(FRAMES / 3));
  for (let k = 0; k < n; k++) decodeJpegLossless(enc);
  decMs = (performance.now() - t) / n;
}

// DCMTK.
const dir = mkdtempSync(join(tmpdir(), 'bench-jpegll-'));
let dcmtkFps = NaN;
let dcmtkBytes = NaN;
try {
  const raw = new Uint8Array(ROWS * COLS * 3 * FRAMES);
  for (let k = 0; k < FRAMES; k++) raw.set(frames[k % frames.length]!, k * ROWS * COLS * 3);
  writeFileSync(join(dir, 'frames.raw'), raw);
  const py = `
import sys, pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
d, rows, cols, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
raw = open(d + '/frames.raw', 'rb').read()
for name, frames in (('one', 1), ('multi', n)):
    m = FileMetaDataset(); m.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7.4'
    m.MediaStorageSOPInstanceUID = generate_uid(); m.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset(); ds.file_meta = m
    ds.SOPClassUID = m.MediaStorageSOPClassUID; ds.SOPInstanceUID = m.MediaStorageSOPInstanceUID
    ds.Modality = 'OT'; ds.Rows = rows; ds.Columns = cols; ds.NumberOfFrames = frames
    ds.SamplesPerPixel = 3; ds.PhotometricInterpretation = 'RGB'; ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8; ds.BitsStored = 8; ds.HighBit = 7; ds.PixelRepresentation = 0
    ds.PixelData = raw[: rows * cols * 3 * frames]
    ds.is_little_endian = True; ds.is_implicit_VR = False
    ds.save_as(d + '/' + name + '.dcm', write_like_original=False)
`;
  execFileSync('/usr/bin/python3', ['-c', py, dir, String(ROWS), String(COLS), String(FRAMES)]);
  const time = (name: string) => {
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      execFileSync('dcmcjpeg', ['+e1', join(dir, `${name}.dcm`), join(dir, `${name}-jll.dcm`)]);
      best = Math.min(best, performance.now() - t);
    }
    return best;
  };
  const oneMs = time('one');
  const multiMs = time('multi');
  dcmtkFps = ((FRAMES - 1) * 1000) / (multiMs - oneMs);
  dcmtkBytes = (statSync(join(dir, 'multi-jll.dcm')).size - statSync(join(dir, 'multi.dcm')).size + ROWS * COLS * 3 * FRAMES) / FRAMES;
  console.log(`dcmcjpeg +e1: ${FRAMES} frames in ${multiMs.toFixed(0)} ms, 1 frame in ${oneMs.toFixed(0)} ms (process start-up included)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const mb = (ROWS * COLS * 3) / 1e6;
console.log(`frame: ${COLS}x${ROWS} RGB 8-bit (${mb.toFixed(2)} MB), ${FRAMES} frames, one core`);
console.log('                       encode fps   MB/s   bytes/frame   ratio');
console.log(
  `ours (TypeScript)      ${oursFps.toFixed(1).padStart(10)} ${(oursFps * mb).toFixed(0).padStart(6)} ${(bytesOut / FRAMES).toFixed(0).padStart(13)} ${((mb * 1e6 * FRAMES) / bytesOut).toFixed(2).padStart(7)}`,
);
console.log(
  `DCMTK dcmcjpeg +e1     ${dcmtkFps.toFixed(1).padStart(10)} ${(dcmtkFps * mb).toFixed(0).padStart(6)} ${dcmtkBytes.toFixed(0).padStart(13)} ${((mb * 1e6) / dcmtkBytes).toFixed(2).padStart(7)}`,
);
console.log(`ours / DCMTK speed: ${(oursFps / dcmtkFps).toFixed(2)}x   (goal: ours ≥ 30 fps: ${oursFps >= 30 ? 'met' : 'NOT met'})`);
console.log(`ours decode: ${decMs.toFixed(1)} ms/frame (${(1000 / decMs).toFixed(1)} fps)`);
