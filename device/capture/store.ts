/**
 * Writes a capture as a Part 10 file by streaming: frames flow from the ring buffer (a lease, so
 * they are not copied) through the encoder into Part10StreamWriter and onto disk through
 * writeFileAtomically. The whole object never exists in memory:
 * - native: the pixel data length is known up front, so frames go straight into the file;
 * - JPEG: the Basic Offset Table precedes the fragments and needs every fragment's size, so the
 *   encoded frames are first spooled to a temporary file beside the target (bounded memory),
 *   then copied into the final file after the header and offset table.
 * A failure at any point (full disk, encoder, source) leaves no file under the final name.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFileMeta, Part10StreamWriter } from '../../dicom/part10/index.js';
import { transferSyntax } from '../../dicom/encoding/index.js';
import {
  buildImageObject,
  cineTiming,
  dicomDate,
  dicomDateTime,
  dicomTime,
  type Equipment,
  type ExamContext,
  type ObjectKind,
  type Photometric,
  type SeriesInfo,
} from '../../dicom/iod/index.js';
import type { FrameEncoder } from '../codecs/index.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame, type FrameSourceInfo } from './frame-source.js';
import type { RingLease } from './ring-buffer.js';

export type CaptureKind = 'still' | 'cine' | 'sc' | 'sc-cine';

const OBJECT_KIND: Record<CaptureKind, ObjectKind> = { still: 'us', cine: 'us-multiframe', sc: 'sc', 'sc-cine': 'sc-multiframe' };

export interface StoreRequest {
  readonly kind: CaptureKind;
  /** The frames, pinned in the ring; advanced as each is written, released by the caller. */
  readonly lease: RingLease;
  readonly encoder: FrameEncoder;
  readonly exam: ExamContext;
  readonly series: SeriesInfo;
  readonly equipment: Equipment;
  readonly source: FrameSourceInfo;
  readonly instanceNumber: number;
  readonly sopInstanceUid: string;
  readonly outDir: string;
  /** Maps a frame timestamp (monotonic ms) to wall-clock time. */
  readonly wallClock: (timestampMs: number) => Date;
  /** Writes the file; writeFileAtomically unless a test injects a failing one. */
  readonly writeFile?: typeof writeFileAtomically;
}

export interface StoreResult {
  readonly path: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly frames: number;
  readonly photometric: Photometric;
  /** Bytes of pixel data after encoding, and the compression ratio achieved. */
  readonly pixelBytes: number;
  readonly ratio: number;
}

function checkFrames(frames: readonly Frame[], kind: CaptureKind): void {
  if (frames.length === 0) throw new CaptureError('CAPTURE_NO_FRAMES', `no frames to store for ${kind}`);
  const f0 = frames[0]!;
  for (const f of frames) {
    if (f.width !== f0.width || f.height !== f0.height || f.format !== f0.format || f.data.length !== f.width * f.height * bytesPerPixel(f.format)) {
      throw new CaptureError('CAPTURE_FRAME_SIZE', `frame ${f.sequence} is ${f.width}×${f.height} ${f.format} (${f.data.length} bytes); the capture started at ${f0.width}×${f0.height} ${f0.format}`, {
        sequence: f.sequence,
      });
    }
  }
}

/** Runs encode() over the frames with up to `parallelism` in flight, handing results over in order. */
async function encodeInOrder(frames: readonly Frame[], encoder: FrameEncoder, onEncoded: (bytes: Uint8Array, frame: Frame) => Promise<void>): Promise<void> {
  const inFlight: Promise<Uint8Array>[] = [];
  let next = 0;
  const launch = (): void => {
    const f = frames[next++]!;
    inFlight.push(encoder.encode({ data: f.data, width: f.width, height: f.height, samplesPerPixel: bytesPerPixel(f.format) }));
  };
  for (let i = 0; i < frames.length; i++) {
    while (inFlight.length < encoder.parallelism && next < frames.length) {
      launch();
      if (next === frames.length) encoder.finish?.();
    }
    const bytes = await inFlight.shift()!;
    await onEncoded(bytes, frames[i]!);
  }
}

async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += (await fh.write(bytes, done, bytes.length - done)).bytesWritten;
}

export async function storeCapture(req: StoreRequest): Promise<StoreResult> {
  try {
    return await storeWith(req);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (e instanceof CaptureError || typeof errno !== 'string' || errno.startsWith('IOD_') || errno.startsWith('ENCODE_')) throw e;
    // File-system failures (ENOSPC, EIO, EROFS on a pulled medium …) become one typed error.
    throw new CaptureError('CAPTURE_WRITE_FAILED', `writing the capture into ${req.outDir} failed: ${(e as Error).message}`, { outDir: req.outDir, errno }, { cause: e });
  } finally {
    await req.encoder.close?.();
  }
}

async function storeWith(req: StoreRequest): Promise<StoreResult> {
  const frames = req.lease.frames();
  const kind = OBJECT_KIND[req.kind];
  const multi = req.kind === 'cine' || req.kind === 'sc-cine';
  const used = multi ? frames : frames.slice(-1);
  checkFrames(used, req.kind);
  const f0 = used[0]!;
  const spp = bytesPerPixel(f0.format);
  const ts = transferSyntax(req.encoder.transferSyntaxUid)!;
  const rawBytes = f0.data.length * used.length;
  const file = join(req.outDir, `${req.sopInstanceUid}.dcm`);
  const writeFile = req.writeFile ?? writeFileAtomically;
  const first = req.wallClock(f0.timestampMs);

  const dataSetFor = (photometric: Photometric, pixelBytes: number) => {
    const built = buildImageObject({
      kind,
      exam: req.exam,
      series: req.series,
      equipment: req.equipment,
      sopInstanceUid: req.sopInstanceUid,
      instanceNumber: req.instanceNumber,
      contentDate: dicomDate(first),
      contentTime: dicomTime(first),
      acquisitionDateTime: dicomDateTime(first),
      pixel: { rows: f0.height, columns: f0.width, samplesPerPixel: spp, photometric },
      ...(multi ? { frames: { count: used.length, timing: cineTiming(used.map((f) => f.timestampMs), req.source.fps) } } : {}),
      ...(req.kind === 'still' || req.kind === 'cine' ? { regions: req.source.regions ?? [], ...(req.source.probe ? { probe: req.source.probe } : {}) } : {}),
      ...(req.encoder.lossy ? { lossy: { ratio: rawBytes / pixelBytes, method: 'ISO_10918_1' as const } } : {}),
    });
    const meta = buildFileMeta({ sopClassUid: built.sopClassUid, sopInstanceUid: req.sopInstanceUid, transferSyntaxUid: ts.uid });
    return { built, meta };
  };

  const result = (sopClassUid: string, photometric: Photometric, pixelBytes: number): StoreResult => ({
    path: file,
    sopClassUid,
    sopInstanceUid: req.sopInstanceUid,
    transferSyntaxUid: ts.uid,
    frames: used.length,
    photometric,
    pixelBytes,
    ratio: rawBytes / pixelBytes,
  });

  if (!req.encoder.encapsulated) {
    const photometric = req.encoder.photometric(spp, f0.data);
    const { built, meta } = dataSetFor(photometric, rawBytes);
    const w = new Part10StreamWriter(ts);
    const odd = rawBytes % 2;
    await writeFile(file, async (write) => {
      await write(w.header(meta, built.dataSet));
      await write(w.nativePixelData('OB', rawBytes + odd));
      for (const f of used) {
        await write(w.nativeChunk(await req.encoder.encode({ data: f.data, width: f.width, height: f.height, samplesPerPixel: spp })));
        req.lease.advance(f.sequence);
      }
      if (odd) await write(w.nativeChunk(new Uint8Array(1)));
    });
    return result(built.sopClassUid, photometric, rawBytes);
  }

  // Encapsulated: encode into a spool file, remembering each fragment's (even) size.
  const spoolPath = join(req.outDir, `.${req.sopInstanceUid}.spool`);
  const spool = await open(spoolPath, 'w+');
  try {
    const sizes: number[] = [];
    let firstEncoded: Uint8Array | undefined;
    await encodeInOrder(used, req.encoder, async (bytes, f) => {
      firstEncoded ??= bytes.slice(0, Math.min(bytes.length, 4096));
      await writeAll(spool, bytes);
      if (bytes.length % 2) await writeAll(spool, new Uint8Array(1)); // fragments have even length
      sizes.push(bytes.length + (bytes.length % 2));
      req.lease.advance(f.sequence);
    }).catch((e: unknown) => {
      if (e instanceof CaptureError) throw e;
      throw new CaptureError('CAPTURE_WRITE_FAILED', `spooling encoded frames failed: ${(e as Error).message}`, { path: spoolPath, errno: (e as NodeJS.ErrnoException).code }, { cause: e });
    });
    const pixelBytes = sizes.reduce((a, b) => a + b, 0);
    const photometric = req.encoder.photometric(spp, firstEncoded!);
    const { built, meta } = dataSetFor(photometric, pixelBytes);
    const w = new Part10StreamWriter(ts);
    // Basic Offset Table: the offset of each frame's item from the first item (PS3.5 A.4).
    const offsets = new Uint8Array(4 * sizes.length);
    const view = new DataView(offsets.buffer);
    let at = 0;
    sizes.forEach((s, i) => {
      view.setUint32(4 * i, at, true);
      at += 8 + s;
    });
    const bot = at <= 0xffffffff ? offsets : new Uint8Array(0); // an empty table when offsets cannot fit 32 bits
    await writeFile(file, async (write) => {
      await write(w.header(meta, built.dataSet));
      await write(w.encapsulatedPixelData(bot));
      let pos = 0;
      for (const s of sizes) {
        const buf = new Uint8Array(s);
        const { bytesRead } = await spool.read(buf, 0, s, pos);
        if (bytesRead !== s) throw new CaptureError('CAPTURE_WRITE_FAILED', `spool file short at byte ${pos}`, { path: spoolPath });
        pos += s;
        await write(w.fragment(buf));
      }
      await write(w.endEncapsulated());
    });
    return result(built.sopClassUid, photometric, pixelBytes);
  } finally {
    await spool.close().catch(() => undefined);
    await rm(spoolPath, { force: true });
  }
}
