/**
 * Pixel data transcoding between the syntaxes the cart stores and sends (conformance §2, §4):
 * Implicit VR LE, Explicit VR LE, Explicit VR BE (native samples), JPEG Lossless SV1 (.4.70,
 * written and read; .4.57 read) and JPEG Baseline (.4.50, written and read; 8-bit .4.51 read).
 *
 * Frame by frame: a source frame is read (native samples, or its fragments found with
 * frames.ts), decoded, re-encoded and handed on before the next one is read. Encapsulated output
 * is spooled to a temporary file first, because what precedes the pixel data depends on all
 * frames (the Basic Offset Table needs every fragment's size; Lossy Image Compression Ratio
 * needs the compressed total); memory stays at a few frames whatever the object's length.
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
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ByteSink, DicomError, PIXEL_DATA, swapInPlace, tag, type Tag } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import {
  JPEG_BASELINE,
  JPEG_EXTENDED,
  JPEG_LOSSLESS_NH14,
  JPEG_LOSSLESS_SV1,
  writeDataSet,
  type TransferSyntax,
} from '../../dicom/encoding/index.js';
import { Part10StreamWriter } from '../../dicom/part10/index.js';
import { decodeJpegBaseline, decodeJpegLossless, encodeJpegLossless } from '../../dicom/pixel/index.js';
import type { DicomFileHeader } from '../files/read-header.js';
import type { FrameEncoder } from './frame-encoder.js';
import { frameLayout, readAt, readFrame, type Range } from './frames.js';
import { TranscodeError } from './transcode-errors.js';
import { ybrFullToRgbInPlace } from './ybr.js';
import { Tags } from '../../dicom/dictionary/index.js';

export { TranscodeError, type TranscodeErrorCode } from './transcode-errors.js';

const T = {
  samplesPerPixel: tag(0x0028, 0x0002),
  photometric: tag(0x0028, 0x0004),
  planar: tag(0x0028, 0x0006),
  frames: tag(0x0028, 0x0008),
  rows: tag(0x0028, 0x0010),
  columns: tag(0x0028, 0x0011),
  bitsAllocated: tag(0x0028, 0x0100),
  bitsStored: tag(0x0028, 0x0101),
  pixelRepresentation: tag(0x0028, 0x0103),
  lossy: Tags.LossyImageCompression,
  lossyRatio: tag(0x0028, 0x2112),
  lossyMethod: tag(0x0028, 0x2114),
  sopInstanceUid: tag(0x0008, 0x0018),
};
const PIXEL_GROUP_LENGTH = tag(0x7fe0, 0x0000);

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

/** The pixel-describing attributes of an object, as read from its header. */
export interface PixelDescription {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly photometric: string;
  readonly planarConfiguration: number;
  readonly frames: number;
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

/** What a source syntax can be decoded with, or undefined when we have no codec for it. */
function decoderKind(ts: TransferSyntax): 'native' | 'baseline' | 'lossless' | undefined {
  if (!ts.encapsulated && !ts.deflated) return 'native';
  if (ts.uid === JPEG_BASELINE || ts.uid === JPEG_EXTENDED) return 'baseline';
  if (ts.uid === JPEG_LOSSLESS_SV1 || ts.uid === JPEG_LOSSLESS_NH14) return 'lossless';
  return undefined;
}

function encoderKind(ts: TransferSyntax): 'native' | 'baseline' | 'lossless' | undefined {
  if (!ts.encapsulated && !ts.deflated) return 'native';
  if (ts.uid === JPEG_BASELINE) return 'baseline';
  if (ts.uid === JPEG_LOSSLESS_SV1) return 'lossless';
  return undefined;
}

export type TranscodeSupport = { readonly ok: true; readonly lossy: boolean } | { readonly ok: false; readonly code: 'CONVERT_NEEDS_CODEC' | 'CONVERT_LOSSY_NOT_ALLOWED'; readonly reason: string };

/**
 * Whether an object in `source` can be transcoded to `target` (without reading pixels: bit
 * depth and photometric are checked by openTranscodedStream). `sourceLossy`: the object already
 * went through lossy compression (Lossy Image Compression 01). For the sender's choice among the
 * syntaxes a peer accepted; `lossy` says the result adds a lossy step.
 */
export function transcodeSupport(source: TransferSyntax, target: TransferSyntax, o: { allowLossy?: boolean; sourceLossy?: boolean } = {}): TranscodeSupport {
  if (source.uid === target.uid && !source.deflated) return { ok: true, lossy: false };
  if (!decoderKind(source) || !encoderKind(target)) {
    const which = !decoderKind(source) ? source : target;
    return { ok: false, code: 'CONVERT_NEEDS_CODEC', reason: `converting ${source.name} to ${target.name} needs a ${which.name} codec, which this build does not have` };
  }
  const lossy = target.lossy;
  if (lossy && !(o.allowLossy || o.sourceLossy || source.lossy)) {
    return { ok: false, code: 'CONVERT_LOSSY_NOT_ALLOWED', reason: `${source.name} → ${target.name} would be lossy compression of a lossless object; it is done only when the user chooses it` };
  }
  return { ok: true, lossy };
}

/** Reads the Image Pixel attributes the transcoder needs. */
export function pixelDescription(ds: DataSet): PixelDescription {
  const num = (t: Tag, dflt?: number): number => {
    const v = ds.number(t) ?? dflt;
    if (v === undefined || !Number.isFinite(v)) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `the data set lacks ${formatTagShort(t)}, which pixel conversion needs`);
    return v;
  };
  const samplesPerPixel = num(T.samplesPerPixel, 1);
  return {
    rows: num(T.rows),
    columns: num(T.columns),
    samplesPerPixel,
    bitsAllocated: num(T.bitsAllocated),
    bitsStored: num(T.bitsStored, ds.number(T.bitsAllocated)),
    pixelRepresentation: num(T.pixelRepresentation, 0),
    photometric: (ds.string(T.photometric) ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB')).trim(),
    planarConfiguration: num(T.planar, 0),
    frames: Math.max(1, num(T.frames, 1)),
  };
}

function formatTagShort(t: Tag): string {
  return `(${(t >>> 16).toString(16).padStart(4, '0').toUpperCase()},${(t & 0xffff).toString(16).padStart(4, '0').toUpperCase()})`;
}

type Samples = Uint8Array | Uint16Array;

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
  const sourceLossy = source.lossy || srcDs.string(T.lossy)?.trim() === '01';
  const support = transcodeSupport(source, target, { ...(opts.allowLossy !== undefined ? { allowLossy: opts.allowLossy } : {}), sourceLossy });
  if (!support.ok) throw new TranscodeError(support.code, support.reason);
  const px = header.pixelData;
  if (!px) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${header.path} has no pixel data to convert`);
  if (source.deflated) throw new TranscodeError('CONVERT_NEEDS_CODEC', 'pixel data of a deflated file cannot be streamed; convert it to an uncompressed syntax first');

  const d = pixelDescription(srcDs);
  const fh = await open(header.path, 'r');
  let closed = false;
  let spoolPath: string | undefined;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await fh.close().catch(() => undefined);
    if (spoolPath) await rm(spoolPath, { force: true });
  };
  try {
    const ds = copyDataSet(srcDs);
    if (opts.newSopInstanceUid) ds.putStrings(T.sopInstanceUid, 'UI', opts.newSopInstanceUid);

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
    const srcCompressedBytes = px.kind === 'encapsulated' ? px.fragments.reduce((a, f) => a + f.length, 0) : 0;
    const uncompressedBytes = frameSamples * (d.bitsAllocated / 8) * d.frames;
    const recordSourceLossyStep = (): void => {
      if (!sourceLossy) return;
      ds.putStrings(T.lossy, 'CS', '01');
      // A lossy source that never recorded its own step gets it now (ratio from its fragments).
      if (source.lossy && px.kind === 'encapsulated' && !ds.has(T.lossyMethod) && !ds.has(T.lossyRatio) && srcCompressedBytes > 0) {
        ds.putStrings(T.lossyRatio, 'DS', formatRatio(uncompressedBytes / srcCompressedBytes));
        ds.putStrings(T.lossyMethod, 'CS', 'ISO_10918_1');
      }
    };

    if (encoded === 'native') {
      setColour(ds, d, decodedPhotometric);
      recordSourceLossyStep();
      const bytesPerFrame = frameSamples * (d.bitsAllocated / 8);
      const total = bytesPerFrame * d.frames;
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

    const spoolDir = opts.spoolDir ?? tmpdir();
    spoolPath = join(spoolDir, `.sonicart-transcode-${process.pid}-${randomBytes(6).toString('hex')}.spool`);
    const spool = await open(spoolPath, 'w+');
    const sizes: number[] = [];
    let first: Uint8Array | undefined;
    let spoolAt = 0;
    const onEncoded = async (jpeg: Uint8Array): Promise<void> => {
      first ??= jpeg.slice(0, Math.min(jpeg.length, 4096));
      let done = 0;
      while (done < jpeg.length) {
        const { bytesWritten } = await spool.write(jpeg, done, jpeg.length - done, spoolAt + done);
        done += bytesWritten;
      }
      spoolAt += jpeg.length;
      sizes.push(jpeg.length);
    };
    let encoder: FrameEncoder;
    if (encoded === 'baseline') {
      // Loaded only when needed: it brings sharp (libvips) and the ffmpeg glue.
      const { jpegBaselineEncoder } = await import('./jpeg-baseline.js');
      encoder = jpegBaselineEncoder(opts.quality !== undefined ? { quality: opts.quality } : {});
    } else {
      encoder = losslessEncoder(d);
    }
    try {
      await encodeInOrder(src.frames(), d, encoder, onEncoded);
    } catch (e) {
      await spool.close().catch(() => undefined);
      throw e;
    } finally {
      await encoder.close?.().catch(() => undefined);
    }
    if (sizes.length !== d.frames) {
      await spool.close().catch(() => undefined);
      throw new TranscodeError('CODEC_ENCODE_FAILED', `${sizes.length} frames were encoded of ${d.frames}`);
    }

    const photometric = encoded === 'baseline' && d.samplesPerPixel === 3 ? encoder.photometric(3, first!) : decodedPhotometric;
    setColour(ds, d, photometric);
    recordSourceLossyStep();
    if (support.lossy) {
      const compressed = sizes.reduce((a, s) => a + s + (s % 2), 0);
      const ratios = ds.has(T.lossyRatio) ? (ds.strings(T.lossyRatio) ?? []) : [];
      const methods = ds.has(T.lossyMethod) ? (ds.strings(T.lossyMethod) ?? []) : [];
      ds.putStrings(T.lossy, 'CS', '01');
      ds.putStrings(T.lossyRatio, 'DS', [...ratios.map((s) => s.trim()).filter((s) => s !== ''), formatRatio(uncompressedBytes / compressed)]);
      ds.putStrings(T.lossyMethod, 'CS', [...methods.map((s) => s.trim()).filter((s) => s !== ''), 'ISO_10918_1']);
    }

    // Basic Offset Table: each frame's item offset from the first item (PS3.5 A.4).
    const table = new Uint8Array(4 * sizes.length);
    const view = new DataView(table.buffer);
    let at = 0;
    sizes.forEach((s, i) => {
      view.setUint32(4 * i, at, true);
      at += 8 + s + (s % 2);
    });
    const offsetTable = at <= 0xffffffff ? table : new Uint8Array(0);
    const fragments: Range[] = [];
    let pos = 0;
    for (const s of sizes) {
      fragments.push({ offset: pos, length: s });
      pos += s;
    }
    const srcClose = close;
    return {
      transferSyntax: target,
      dataset: ds,
      pixelData: { kind: 'encapsulated', offsetTable, fragments: sizes.length },
      chunks: () => rangesOf(spool, fragments),
      close: async () => {
        await spool.close().catch(() => undefined);
        await srcClose();
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The whole data set (no File Meta Information) of `header`'s file in `target`, as chunks, for a
 * C-STORE sender: elements before Pixel Data, the Pixel Data element (native or encapsulated,
 * re-encoded as openTranscodedStream describes), the elements after it. Throws before yielding
 * anything when the conversion is refused; for encapsulated targets every frame is encoded before
 * the first chunk, so a codec error also comes before anything was sent.
 */
export async function* transcodedDataSetChunks(header: DicomFileHeader, target: TransferSyntax, opts: TranscodeOptions = {}): AsyncGenerator<Uint8Array> {
  const t = await openTranscodedStream(header, target, opts);
  try {
    const enc = { explicitVR: target.explicitVR, littleEndian: target.littleEndian };
    const ds = new DataSet();
    for (const el of t.dataset) if (el.tag !== PIXEL_GROUP_LENGTH) ds.set(el);
    yield encodeDs(ds, { ...enc, beforeTag: PIXEL_DATA });
    const w = new Part10StreamWriter(target);
    if (t.pixelData.kind === 'native') {
      yield w.nativePixelData(t.pixelData.vr, t.pixelData.length);
      for await (const c of t.chunks()) yield w.nativeChunk(c);
    } else {
      yield w.encapsulatedPixelData(t.pixelData.offsetTable);
      for await (const f of t.chunks()) yield w.fragment(f);
      yield w.endEncapsulated();
    }
    const trailer = encodeDs(ds, { ...enc, fromTag: PIXEL_DATA + 1 });
    if (trailer.length > 0) yield trailer;
  } finally {
    await t.close();
  }
}

function encodeDs(ds: DataSet, opts: Parameters<typeof writeDataSet>[2]): Uint8Array {
  const sink = new ByteSink(16 * 1024);
  writeDataSet(ds, sink, opts);
  return sink.toBytes();
}

function copyDataSet(ds: DataSet): DataSet {
  const out = new DataSet();
  for (const el of ds) out.set(el);
  return out;
}

function formatRatio(r: number): string {
  // DS: at most 16 characters.
  return String(Math.round(r * 1000) / 1000).slice(0, 16);
}

function setColour(ds: DataSet, d: PixelDescription, photometric: string): void {
  if (photometric !== d.photometric) ds.putStrings(T.photometric, 'CS', photometric);
  if (d.samplesPerPixel > 1) ds.putNumbers(T.planar, 'US', 0);
}

async function* rangesOf(fh: FileHandle, ranges: readonly Range[]): AsyncGenerator<Uint8Array> {
  for (const r of ranges) yield await readAt(fh, r.offset, r.length);
}

/** Little-endian bytes of a frame's samples (the machine is little endian, as Node on x86/ARM is). */
function leBytes(s: Samples): Uint8Array {
  return s instanceof Uint8Array ? s : new Uint8Array(s.buffer, s.byteOffset, s.byteLength);
}

interface SourceFrames {
  /** Photometric Interpretation of the decoded frames. */
  readonly photometric: string;
  /** Decoded frames, interleaved samples (Planar Configuration 0), 8- or 16-bit per Bits Allocated. */
  frames(): AsyncGenerator<Samples>;
}

function sourceFrames(fh: FileHandle, header: DicomFileHeader, d: PixelDescription): SourceFrames {
  const source = header.file.transferSyntax;
  const px = header.pixelData!;
  const kind = decoderKind(source)!;
  const spp = d.samplesPerPixel;
  const frameSamples = d.rows * d.columns * spp;
  if (d.bitsAllocated !== 8 && d.bitsAllocated !== 16) {
    throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `Bits Allocated ${d.bitsAllocated}: only 8- and 16-bit samples are converted`);
  }
  if (spp !== 1 && spp !== 3) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `Samples per Pixel ${spp}: only 1 and 3 are converted`);
  const wide = d.bitsAllocated === 16;

  if (kind === 'native') {
    if (px.kind !== 'native') throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${source.name} with encapsulated pixel data`);
    const bytesPerFrame = frameSamples * (d.bitsAllocated / 8);
    if (px.length < bytesPerFrame * d.frames) {
      throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `Pixel Data holds ${px.length} bytes; ${d.frames} frame(s) of ${d.rows}×${d.columns}×${spp} at ${d.bitsAllocated} bits need ${bytesPerFrame * d.frames}`);
    }
    return {
      photometric: d.photometric,
      frames: async function* () {
        for (let i = 0; i < d.frames; i++) {
          let bytes = await readAt(fh, px.valueOffset + i * bytesPerFrame, bytesPerFrame);
          if (wide && !source.littleEndian && px.vr !== 'OB') bytes = swapInPlace(bytes, 2);
          let s: Samples = wide ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2) : bytes;
          if (spp === 3 && d.planarConfiguration === 1) s = interleave(s, d.rows * d.columns);
          yield s;
        }
      },
    };
  }

  if (px.kind !== 'encapsulated') throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${source.name} with native pixel data`);
  let photometric = d.photometric;
  let toRgb = false;
  if (kind === 'baseline') {
    if (wide) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `${source.name} with Bits Allocated ${d.bitsAllocated}: only 8-bit JPEG (process 1) is decoded here`);
    if (spp === 3) {
      if (photometric === 'YBR_FULL_422' || photometric === 'YBR_FULL') {
        toRgb = true;
        photometric = 'RGB';
      } else if (photometric !== 'RGB') {
        throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `JPEG Baseline colour as ${photometric} is not converted (YBR_FULL_422, YBR_FULL or RGB are)`);
      }
    }
  }
  return {
    photometric,
    frames: async function* () {
      const layout = await frameLayout(fh, px, d.frames);
      for (let i = 0; i < layout.length; i++) {
        const jpeg = await readFrame(fh, layout[i]!);
        let info: { rows: number; columns: number; components: number };
        let samples: Samples;
        try {
          if (kind === 'baseline') {
            const r = decodeJpegBaseline(jpeg);
            info = { rows: r.info.rows, columns: r.info.columns, components: r.info.components.length };
            samples = r.samples;
          } else {
            const r = decodeJpegLossless(jpeg);
            info = { rows: r.info.rows, columns: r.info.columns, components: r.info.componentIds.length };
            samples = r.samples;
          }
        } catch (e) {
          const code = e instanceof DicomError ? ` [${e.code}]` : '';
          throw new TranscodeError('CODEC_DECODE_FAILED', `frame ${i + 1} of ${d.frames}: ${(e as Error).message}${code}`, i, { cause: e });
        }
        if (info.rows !== d.rows || info.columns !== d.columns || info.components !== spp) {
          throw new TranscodeError(
            'CODEC_FRAME_MISMATCH',
            `frame ${i + 1}: the JPEG stream is ${info.columns}×${info.rows}×${info.components}; the data set says ${d.columns}×${d.rows}×${spp}`,
            i,
          );
        }
        if (toRgb) ybrFullToRgbInPlace(samples as Uint8Array);
        if (wide && samples instanceof Uint8Array) samples = Uint16Array.from(samples);
        else if (!wide && samples instanceof Uint16Array) samples = narrow(samples, i);
        yield samples;
      }
    },
  };
}

function narrow(s: Uint16Array, frame: number): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v > 255) throw new TranscodeError('CODEC_FRAME_MISMATCH', `frame ${frame + 1}: a sample of ${v} in an object with Bits Allocated 8`, frame);
    out[i] = v;
  }
  return out;
}

function interleave(s: Samples, pixels: number): Samples {
  const out = s instanceof Uint8Array ? new Uint8Array(s.length) : new Uint16Array(s.length);
  for (let p = 0; p < pixels; p++) {
    out[3 * p] = s[p]!;
    out[3 * p + 1] = s[pixels + p]!;
    out[3 * p + 2] = s[2 * pixels + p]!;
  }
  return out;
}

/** JPEG Lossless SV1 at the object's Bits Stored; bits above it are not part of the pixel value (PS3.5 8.1.1) and are cleared. */
function losslessEncoder(d: PixelDescription): FrameEncoder {
  const mask = d.bitsStored >= 16 ? 0xffff : (1 << d.bitsStored) - 1;
  return {
    transferSyntaxUid: JPEG_LOSSLESS_SV1,
    encapsulated: true,
    lossy: false,
    parallelism: 1,
    encode: () => Promise.reject(new Error('use encodeSamples')),
    photometric: () => 'RGB',
    encodeSamples(s: Samples): Uint8Array {
      let input = s;
      if (mask !== (s instanceof Uint8Array ? 0xff : 0xffff)) {
        let over = false;
        for (let i = 0; i < s.length && !over; i++) over = s[i]! > mask;
        if (over) input = s.map((v) => v & mask);
      }
      return encodeJpegLossless(input, { rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, bitsStored: d.bitsStored, predictor: 1 });
    },
  } as FrameEncoder & { encodeSamples(s: Samples): Uint8Array };
}

/**
 * Encodes the frames in order with up to `encoder.parallelism` in flight (the baseline encoder
 * pipelines frames through ffmpeg / libuv's pool), calling finish() once the last one is in.
 */
async function encodeInOrder(frames: AsyncGenerator<Samples>, d: PixelDescription, encoder: FrameEncoder, onEncoded: (jpeg: Uint8Array) => Promise<void>): Promise<void> {
  const direct = (encoder as Partial<{ encodeSamples(s: Samples): Uint8Array }>).encodeSamples;
  const inFlight: Promise<Uint8Array>[] = [];
  let launched = 0;
  let written = 0;
  const wrap = (i: number, e: unknown): TranscodeError =>
    e instanceof TranscodeError ? e : new TranscodeError('CODEC_ENCODE_FAILED', `frame ${i + 1} of ${d.frames}: ${(e as Error).message}`, i, { cause: e });
  try {
    for await (const s of frames) {
      const i = launched++;
      let p: Promise<Uint8Array>;
      if (direct) {
        try {
          p = Promise.resolve(direct.call(encoder, s));
        } catch (e) {
          p = Promise.reject(wrap(i, e));
        }
      } else {
        p = encoder.encode({ data: s as Uint8Array, width: d.columns, height: d.rows, samplesPerPixel: d.samplesPerPixel as 1 | 3 }).catch((e: unknown) => {
          throw wrap(i, e);
        });
      }
      p.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
      inFlight.push(p);
      if (launched === d.frames) encoder.finish?.();
      if (inFlight.length >= Math.max(1, encoder.parallelism)) {
        await onEncoded(await inFlight.shift()!);
        written++;
      }
    }
    if (launched < d.frames) encoder.finish?.();
    while (inFlight.length > 0) {
      await onEncoded(await inFlight.shift()!);
      written++;
    }
  } catch (e) {
    throw wrap(written, e);
  }
}
