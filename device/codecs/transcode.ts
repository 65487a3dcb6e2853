/**
 * Pixel data transcoding between the syntaxes the cart stores and sends (conformance §2, §4):
 * Implicit VR LE, Explicit VR LE, Explicit VR BE (native samples), JPEG Lossless SV1 (.4.70,
 * written and read; .4.57 read) and JPEG Baseline (.4.50, written and read; 8-bit .4.51 read).
 *
 * Frame by frame: a source frame is read and decoded (source-frames.ts), re-encoded (JPEG
 * Lossless on the encoder pool's worker threads, JPEG Baseline through sharp / ffmpeg) and
 * handed on before the next ones are read. Encapsulated output is spooled to a temporary file
 * first (frame-spool.ts), because what precedes the pixel data depends on all frames (the
 * Basic Offset Table needs every fragment's size; Lossy Image Compression Ratio needs the
 * compressed total); memory stays at a few frames whatever the object's length.
 *
 * The module's parts: transcode-support.ts (which conversions), pixel-description.ts (the
 * image attributes), source-frames.ts (decoding), transcoded-attributes.ts (what changes in
 * the header), transcoded-chunks.ts (a data set for the network sender), this file (the
 * stream).
 *
 * Rules (conformance §2, PS3.3 C.7.6.1.1.5):
 * - a lossy target from a lossless source only with `allowLossy` (CONVERT_LOSSY_NOT_ALLOWED);
 *   a source that is already lossy (lossy syntax, or Lossy Image Compression 01) may be
 *   re-encoded lossy;
 * - new lossy compression sets Lossy Image Compression (0028,2110) to 01 and appends this step's
 *   ratio and method (ISO_10918_1) to (0028,2112)/(0028,2114), values in the order applied;
 * - decompressing a lossy source keeps 01 (and records the source's own step when the file
 *   lacked it); it is never reset to 00.
 * - JPEG Baseline YBR_FULL_422 / YBR_FULL frames are decoded to RGB (PS3.3 C.7.6.3.1.2,
 *   libjpeg's fixed point: identical to DCMTK's dcmdjpeg), Photometric Interpretation becomes
 *   RGB and Planar Configuration 0; RGB encoded as JPEG Baseline becomes YBR_FULL_422 (4:2:2).
 *   JPEG Baseline streams of RGB objects (no colour transform) stay RGB, as dcmdjpeg does.
 */
import { tmpdir } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { DataSet } from '../../dicom/dataset/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import type { TransferSyntax } from '../../dicom/encoding/index.js';
import type { DicomFileHeader } from '../files/read-header.js';
import { encodeInOrder } from './encode-in-order.js';
import type { FrameEncoder } from './frame-encoder.js';
import { FrameSpool } from './frame-spool.js';
import { readAt, type Range } from './frames.js';
import { jpegLosslessEncoder } from './jpeg-lossless.js';
import { pixelDescription, type PixelDescription } from './pixel-description.js';
import { sourceFrames, type Samples } from './source-frames.js';
import { appendLossyStep, recordSourceLossyStep, setColour } from './transcoded-attributes.js';
import { encoderKind, transcodeSupport } from './transcode-support.js';
import { TranscodeError } from './transcode-errors.js';

export { TranscodeError, type TranscodeErrorCode } from './transcode-errors.js';
export { transcodeSupport, type TranscodeSupport } from './transcode-support.js';
export { pixelDescription, type PixelDescription } from './pixel-description.js';
export { transcodedDataSetChunks } from './transcoded-chunks.js';

export interface TranscodeOptions {
  /** The user chose lossy compression (the CLI's `--ts jpeg-baseline`); required for lossless → lossy. */
  readonly allowLossy?: boolean;
  /** JPEG Baseline quality 1…100 (default 90, as captures use). */
  readonly quality?: number;
  /** Where encapsulated output is spooled (default: the OS temporary directory). Put it on the target's file system for big cines. */
  readonly spoolDir?: string;
  /** Replaces SOP Instance UID (0008,0018) in the data set, e.g. for a new lossy instance (dcmcjpeg's default). */
  readonly newSopInstanceUid?: string;
}

export type TranscodedPixels =
  | { readonly kind: 'native'; readonly vr: 'OB' | 'OW'; /** even: includes the pad byte */ readonly length: number }
  | { readonly kind: 'encapsulated'; /** Basic Offset Table value (empty when offsets exceed 32 bits) */ readonly offsetTable: Uint8Array; readonly fragments: number };

/**
 * An object's pixel data re-encoded in another transfer syntax, ready to be written or sent.
 *
 * - `dataset`: the header data set with the attributes the new encoding changes (Photometric
 *   Interpretation, Planar Configuration, Lossy Image Compression, Ratio, Method, optionally SOP
 *   Instance UID). It still holds the source's Pixel Data element as a `bulk` reference and any
 *   elements after it: write what precedes Pixel Data (`beforeTag: PIXEL_DATA`), then the pixel
 *   data below, then the trailer (`fromTag: PIXEL_DATA + 1`). (7FE0,0000) must be dropped or
 *   recomputed, as Part10StreamWriter does.
 * - `pixelData`: how to write the Pixel Data element header.
 * - `chunks()`: native — little-endian samples, one frame per chunk, the pad byte last when the
 *   total is odd (Part10StreamWriter.nativeChunk swaps them for big endian); encapsulated — one
 *   complete JPEG stream per frame, each to become one fragment item (odd ones padded by the
 *   item writer). Iterate once. Native output is decoded while iterated, so a corrupt source
 *   frame rejects the iteration with a CODEC_ error; encapsulated output was already produced
 *   (and checked) when openTranscodedStream resolved.
 * - `close()`: releases the source file and the spool; always call it (finally).
 */
export interface TranscodedStream {
  readonly transferSyntax: TransferSyntax;
  readonly dataset: DataSet;
  readonly pixelData: TranscodedPixels;
  chunks(): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Opens `header`'s pixel data re-encoded in `target`. See TranscodedStream for how to write the
 * result; transcodedDataSetChunks() does it for a network sender (data set bytes without meta).
 * Errors: TranscodeError CONVERT_… before any pixel is touched (no codec, lossy not allowed,
 * bit depth/photometric the target cannot hold, frames that cannot be found), CODEC_… for a frame
 * that fails to decode or encode (the frame number is in the message and in `frame`).
 */
export async function openTranscodedStream(header: DicomFileHeader, target: TransferSyntax, opts: TranscodeOptions = {}): Promise<TranscodedStream> {
  const source = header.file.transferSyntax;
  const srcDs = header.file.dataset;
  const sourceLossy = source.lossy || srcDs.string(Tags.LossyImageCompression)?.trim() === '01';
  const support = transcodeSupport(source, target, { ...(opts.allowLossy !== undefined ? { allowLossy: opts.allowLossy } : {}), sourceLossy });
  if (!support.ok) throw new TranscodeError(support.code, support.reason);
  const px = header.pixelData;
  if (!px) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${header.path} has no pixel data to convert`);
  if (source.deflated) throw new TranscodeError('CONVERT_NEEDS_CODEC', 'pixel data of a deflated file cannot be streamed; convert it to an uncompressed syntax first');

  const d = pixelDescription(srcDs);
  const fh = await open(header.path, 'r');
  let closed = false;
  let spool: FrameSpool | undefined;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close().catch(() => undefined);
    await spool?.dispose();
  };
  try {
    const ds = copyDataSet(srcDs);
    if (opts.newSopInstanceUid) ds.putStrings(Tags.SOPInstanceUID, 'UI', opts.newSopInstanceUid);

    // Same encapsulated syntax: the fragments as they are (nothing is decoded).
    if (source.uid === target.uid && source.encapsulated) {
      if (px.kind !== 'encapsulated') throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${source.name} with native pixel data`);
      const bot = await readAt(fh, px.offsetTable.offset, px.offsetTable.length);
      return {
        transferSyntax: target,
        dataset: ds,
        pixelData: { kind: 'encapsulated', offsetTable: bot, fragments: px.fragments.length },
        chunks: () => rangesOf(fh, px.fragments),
        close,
      };
    }

    const frameSamples = d.rows * d.columns * d.samplesPerPixel;
    const src = sourceFrames(fh, header, d);
    // What the decoded frames are (a baseline YBR frame comes out as RGB).
    const decodedPhotometric = src.photometric;
    const encoded = encoderKind(target)!;
    const uncompressedBytes = frameSamples * (d.bitsAllocated / 8) * d.frames;
    const sourceHistory = {
      sourceLossy,
      lossySyntax: source.lossy && px.kind === 'encapsulated',
      compressedBytes: px.kind === 'encapsulated' ? px.fragments.reduce((a, f) => a + f.length, 0) : 0,
      uncompressedBytes,
    };

    if (encoded === 'native') {
      setColour(ds, d, decodedPhotometric);
      recordSourceLossyStep(ds, sourceHistory);
      const total = uncompressedBytes;
      const odd = total % 2;
      return {
        transferSyntax: target,
        dataset: ds,
        pixelData: { kind: 'native', vr: d.bitsAllocated > 8 ? 'OW' : 'OB', length: total + odd },
        chunks: async function* () {
          for await (const f of src.frames()) yield leBytes(f);
          if (odd) yield new Uint8Array(1);
        },
        close,
      };
    }

    // Encapsulated target: check the encoder can take these pixels before any work.
    if (encoded === 'baseline') {
      if (d.bitsAllocated !== 8 || d.bitsStored !== 8) {
        throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `JPEG Baseline holds 8-bit samples; this object has Bits Allocated ${d.bitsAllocated}, Bits Stored ${d.bitsStored}`);
      }
      const okColour = d.samplesPerPixel === 3 && decodedPhotometric === 'RGB';
      const okGrey = d.samplesPerPixel === 1 && (decodedPhotometric === 'MONOCHROME2' || decodedPhotometric === 'MONOCHROME1');
      if (!okColour && !okGrey) {
        throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `JPEG Baseline encoding takes RGB or MONOCHROME1/2 pixels, not ${d.samplesPerPixel} × ${decodedPhotometric}`);
      }
    } else if (d.bitsAllocated !== 8 && d.bitsAllocated !== 16) {
      throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `JPEG Lossless encoding takes 8- or 16-bit samples, not Bits Allocated ${d.bitsAllocated}`);
    }

    spool = await FrameSpool.create(opts.spoolDir ?? tmpdir());
    let first: Uint8Array | undefined;
    let encoder: FrameEncoder;
    if (encoded === 'baseline') {
      // Loaded only when needed: it brings sharp (libvips) and the ffmpeg glue.
      const { jpegBaselineEncoder } = await import('./jpeg-baseline.js');
      encoder = jpegBaselineEncoder(opts.quality !== undefined ? { quality: opts.quality } : {});
    } else {
      encoder = jpegLosslessEncoder();
    }
    const out = spool;
    try {
      await encodeInOrder(
        src.frames(),
        encoder,
        // Each decoded frame is a fresh buffer: it moves to the worker thread without a copy.
        (s: Samples) => ({ data: s, width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel as 1 | 3, bitsStored: d.bitsStored, owned: true }),
        async (jpeg) => {
          first ??= jpeg.slice(0, Math.min(jpeg.length, 4096));
          await out.append(jpeg);
        },
        (e, i) => (e instanceof TranscodeError ? e : new TranscodeError('CODEC_ENCODE_FAILED', `frame ${i + 1} of ${d.frames}: ${(e as Error).message}`, i, { cause: e })),
      );
    } finally {
      await encoder.close?.().catch(() => undefined);
    }
    if (out.count !== d.frames) throw new TranscodeError('CODEC_ENCODE_FAILED', `${out.count} frames were encoded of ${d.frames}`);

    const photometric = encoded === 'baseline' && d.samplesPerPixel === 3 ? encoder.photometric(3, first!) : decodedPhotometric;
    setColour(ds, d, photometric);
    recordSourceLossyStep(ds, sourceHistory);
    if (support.lossy) appendLossyStep(ds, uncompressedBytes / out.fragmentBytes);
    return {
      transferSyntax: target,
      dataset: ds,
      pixelData: { kind: 'encapsulated', offsetTable: out.offsetTable(), fragments: out.count },
      chunks: () => out.frames(),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

function copyDataSet(ds: DataSet): DataSet {
  const out = new DataSet();
  for (const el of ds) out.set(el);
  return out;
}

async function* rangesOf(fh: FileHandle, ranges: readonly Range[]): AsyncGenerator<Uint8Array> {
  for (const r of ranges) yield await readAt(fh, r.offset, r.length);
}

/** Little-endian bytes of a frame's samples (the machine is little endian, as Node on x86/ARM is). */
function leBytes(s: Samples): Uint8Array {
  return s instanceof Uint8Array ? s : new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
}
