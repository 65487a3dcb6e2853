/**
 * Writes a capture as a Part 10 file while its frames arrive: frames flow from the ring buffer
 * (a lease, so they are not copied) through the encoder into a spool file beside the target
 * (FrameSpool), and each frame is unpinned from the ring as soon as it is on disk. When the
 * lease ends (the still is taken, the N seconds are over, or the source stopped) the header is
 * built from what really arrived and the file is written through Part10StreamWriter and
 * writeFileAtomically: header, pixel data copied from the spool, done.
 *
 * Why a spool and not the header first: what precedes Pixel Data depends on every frame.
 * Number of Frames is fps × seconds only when no frame is lost and the source does not stop
 * early; Frame Time Vector (uneven timing) has one value per frame; the Basic Offset Table
 * needs each fragment's size and Lossy Image Compression Ratio the compressed total. A header
 * written up front would have to be patched in place with values of other lengths, so the
 * spool costs one extra write of the pixel data and always gives a header that matches it.
 * Memory holds the ring's unwritten frames and a few in the encoder, whatever the cine's length.
 *
 * A failure at any point (full disk, encoder, source) leaves no file under the final name and
 * no spool.
 */
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
import { encodeInOrder, FrameSpool, type FrameEncoder } from '../codecs/index.js';
import { writeFileAtomically } from '../files/atomic-write.js';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame, type FrameSourceInfo } from './frame-source.js';
import type { RingLease } from './ring-buffer.js';

/** The longest even value length of a (non-encapsulated) element: 0xFFFFFFFF means undefined length. */
export const MAX_NATIVE_PIXEL_BYTES = 0xfffffffe;

export type CaptureKind = 'still' | 'cine' | 'sc' | 'sc-cine';

const OBJECT_KIND: Record<CaptureKind, ObjectKind> = { still: 'us', cine: 'us-multiframe', sc: 'sc', 'sc-cine': 'sc-multiframe' };

export interface StoreRequest {
  readonly kind: CaptureKind;
  /** The frames, pinned in the ring, read with next(); advanced as each is spooled, released by the caller. */
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
  /** Called once the capture's last frame was taken from the ring (the CLI stops the source then: nothing more is needed). */
  readonly onFramesTaken?: () => void;
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
  /**
   * Frames missing between the first and the last stored frame (lost by the source, dropped by
   * a full ring or its encoder): a cine with missing frames is not the cine that was asked for.
   */
  readonly missingFrames: number;
  /** Bytes of pixel data after encoding, and the compression ratio achieved. */
  readonly pixelBytes: number;
  readonly ratio: number;
}

/** The lease's frames, checked against the first one (a still takes only the first). */
async function* leasedFrames(lease: RingLease, multi: boolean, kind: CaptureKind, onTaken: () => void): AsyncGenerator<Frame> {
  let f0: Frame | undefined;
  const encoded = lease.transferSyntaxUid !== undefined;
  for (let f = await lease.next(); f; f = await lease.next()) {
    f0 ??= f;
    if (f.width !== f0.width || f.height !== f0.height || f.format !== f0.format || (!encoded && f.data.length !== f.width * f.height * bytesPerPixel(f.format))) {
      throw new CaptureError('CAPTURE_FRAME_SIZE', `frame ${f.sequence} is ${f.width}×${f.height} ${f.format} (${f.data.length} bytes); the capture started at ${f0.width}×${f0.height} ${f0.format}`, {
        sequence: f.sequence,
      });
    }
    if (!multi) {
      onTaken(); // the still is pinned: nothing more is needed from the source
      yield f;
      return;
    }
    yield f;
  }
  if (!f0) throw new CaptureError('CAPTURE_NO_FRAMES', `no frames to store for ${kind}`);
  onTaken();
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
  const kind = OBJECT_KIND[req.kind];
  const multi = req.kind === 'cine' || req.kind === 'sc-cine';
  const ts = transferSyntax(req.encoder.transferSyntaxUid)!;
  const file = join(req.outDir, `${req.sopInstanceUid}.dcm`);
  const writeFile = req.writeFile ?? writeFileAtomically;

  // A ring that holds frames in the capture's syntax (RingEncoder): they are written as held.
  const preEncoded = req.lease.transferSyntaxUid !== undefined;
  if (preEncoded && req.lease.transferSyntaxUid !== req.encoder.transferSyntaxUid) {
    throw new CaptureError('CAPTURE_BAD_ARGUMENT', `the ring holds frames in ${transferSyntax(req.lease.transferSyntaxUid!)?.name ?? req.lease.transferSyntaxUid}; this capture asks for ${ts.name}`);
  }
  const spool = await FrameSpool.create(req.outDir, `.${req.sopInstanceUid}.spool`);
  // A live lease of raw frames is recorded through a raw spool (below); frames already in the
  // ring (a still, the last N seconds) are bounded by the ring's cap and go straight to the encoder.
  const raw = !preEncoded && req.encoder.encapsulated && req.lease.live ? await FrameSpool.create(req.outDir, `.${req.sopInstanceUid}.raw.spool`).catch(async (e: unknown) => {
    await spool.dispose();
    throw e;
  }) : undefined;
  try {
    const timestamps: number[] = [];
    // Sequence numbers of the first and last stored frame: the frames between them that are not
    // stored were lost (by the source, the ring or its encoder): the cine has gaps.
    const span = { first: -1, last: -1 };
    const note = (f: Frame): void => {
      if (span.first < 0) span.first = f.sequence;
      span.last = f.sequence;
      timestamps.push(f.timestampMs);
    };
    let f0: Frame | undefined;
    let firstEncoded: Uint8Array | undefined;
    let taken = false;
    const frames = leasedFrames(req.lease, multi, req.kind, () => {
      if (!taken) req.onFramesTaken?.();
      taken = true;
    });
    const wrapEncoderError = (e: unknown): Error =>
      e instanceof CaptureError ? e : new CaptureError('CAPTURE_ENCODER_FAILED', `encoding a frame failed: ${(e as Error).message}`, {}, { cause: e });
    if (preEncoded) {
      // 1. The ring's encodings → spool as they arrive; each frame leaves the ring once spooled.
      // A frame the ring's encoder did not encode (failed, or too far behind) is still raw: it is
      // encoded here, several at once as the encoder allows, so the frames stay pinned briefly.
      const toImage = (f: Frame) => ({ data: f.data, width: f.width, height: f.height, samplesPerPixel: bytesPerPixel(f.format) });
      await encodeInOrder(
        frames,
        req.encoder,
        toImage,
        async (bytes, f) => {
          f0 ??= f;
          firstEncoded ??= bytes.slice(0, Math.min(bytes.length, 4096));
          note(f);
          await spool.append(bytes);
          req.lease.advance(f.sequence);
        },
        wrapEncoderError,
        async (f) => (await req.lease.encoded(f)) ?? req.encoder.encode(toImage(f)),
      );
    } else if (!raw) {
      // 1. Frames → encoder → spool as they arrive; each frame leaves the ring once spooled.
      await encodeInOrder(
        frames,
        req.encoder,
        (f) => ({ data: f.data, width: f.width, height: f.height, samplesPerPixel: bytesPerPixel(f.format) }),
        async (bytes, f) => {
          f0 ??= f;
          firstEncoded ??= bytes.slice(0, Math.min(bytes.length, 4096));
          if (!req.encoder.encapsulated && spool.bytes + bytes.length > MAX_NATIVE_PIXEL_BYTES) {
            // Native Pixel Data has a 32-bit length: refuse now rather than after the cine.
            throw new CaptureError('CAPTURE_TOO_LARGE', `${spool.count + 1} uncompressed frames of ${bytes.length} bytes exceed the 4 GiB a Pixel Data element can hold; record fewer seconds or use JPEG`, {
              frames: spool.count + 1,
              frameBytes: bytes.length,
            });
          }
          note(f);
          await spool.append(bytes);
          req.lease.advance(f.sequence);
        },
        wrapEncoderError,
      );
    } else {
      // 1. Compressed: two stages, so that the recording never waits for the encoder. Frames
      // go from the ring to a raw spool as they arrive (a disk write: the ring is emptied at the
      // grabber's rate even when the CPU is busy), and the encoder reads them back from there
      // (each buffer its own, so it moves to a worker thread without a copy) into the spool
      // of encoded frames. The encoder catches up after the recording if it must.
      let stopRecording = false;
      const recording = (async () => {
        for await (const f of frames) {
          if (stopRecording) break;
          f0 ??= f;
          note(f);
          await raw.append(f.data);
          req.lease.advance(f.sequence);
        }
      })().then(
        () => raw.endAppending(),
        (e: unknown) => {
          raw.endAppending(e);
          throw e;
        },
      );
      recording.catch(() => undefined); // awaited below
      try {
        await encodeInOrder(
          raw.follow(),
          req.encoder,
          (data) => ({ data, width: f0!.width, height: f0!.height, samplesPerPixel: bytesPerPixel(f0!.format), owned: true }),
          async (bytes) => {
            firstEncoded ??= bytes.slice(0, Math.min(bytes.length, 4096));
            await spool.append(bytes);
          },
          wrapEncoderError,
        );
      } finally {
        stopRecording = true;
      }
      await recording;
    }
    const first = f0!;
    const spp = bytesPerPixel(first.format);
    const rawBytes = first.width * first.height * spp * spool.count;
    const pixelBytes = req.encoder.encapsulated ? spool.fragmentBytes : rawBytes;
    const photometric = req.encoder.photometric(spp, firstEncoded!);

    // 2. The header, from what really arrived.
    const wall = req.wallClock(first.timestampMs);
    const built = buildImageObject({
      kind,
      exam: req.exam,
      series: req.series,
      equipment: req.equipment,
      sopInstanceUid: req.sopInstanceUid,
      instanceNumber: req.instanceNumber,
      contentDate: dicomDate(wall),
      contentTime: dicomTime(wall),
      acquisitionDateTime: dicomDateTime(wall),
      pixel: { rows: first.height, columns: first.width, samplesPerPixel: spp, photometric },
      ...(multi ? { frames: { count: spool.count, timing: cineTiming(timestamps, req.source.fps) } } : {}),
      ...(req.kind === 'still' || req.kind === 'cine' ? { regions: req.source.regions ?? [], ...(req.source.probe ? { probe: req.source.probe } : {}) } : {}),
      ...(req.encoder.lossy ? { lossy: { ratio: rawBytes / pixelBytes, method: 'ISO_10918_1' as const } } : {}),
    });
    const meta = buildFileMeta({ sopClassUid: built.sopClassUid, sopInstanceUid: req.sopInstanceUid, transferSyntaxUid: ts.uid });

    // 3. The file: header, then the pixel data copied from the spool.
    const w = new Part10StreamWriter(ts);
    await writeFile(file, async (write) => {
      await write(w.header(meta, built.dataSet));
      if (req.encoder.encapsulated) {
        await write(w.encapsulatedPixelData(spool.offsetTable()));
        for await (const fragment of spool.frames()) await write(w.fragment(fragment));
        await write(w.endEncapsulated());
      } else {
        const odd = spool.bytes % 2;
        await write(w.nativePixelData('OB', spool.bytes + odd));
        for await (const chunk of spool.chunks()) await write(w.nativeChunk(chunk));
        if (odd) await write(w.nativeChunk(new Uint8Array(1)));
      }
    });
    return {
      path: file,
      sopClassUid: built.sopClassUid,
      sopInstanceUid: req.sopInstanceUid,
      transferSyntaxUid: ts.uid,
      frames: spool.count,
      missingFrames: span.last - span.first + 1 - spool.count,
      photometric,
      pixelBytes,
      ratio: rawBytes / pixelBytes,
    };
  } finally {
    await raw?.dispose();
    await spool.dispose();
  }
}
