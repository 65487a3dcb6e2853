/**
 * The frames of a stored object decoded one at a time, as interleaved samples (Planar
 * Configuration 0) at Bits Allocated: native pixel data read frame by frame (big endian
 * swapped, planar interleaved), or JPEG Baseline / Lossless fragments found with frames.ts and
 * decoded (baseline YBR_FULL(_422) to RGB, libjpeg's fixed point: identical to dcmdjpeg).
 * Each yielded buffer is the caller's own (fresh per frame).
 */
import type { FileHandle } from 'node:fs/promises';
import { DicomError, swapInPlace } from '../../dicom/core/index.js';
import { decodeJpegBaseline, decodeJpegLossless } from '../../dicom/pixel/index.js';
import type { DicomFileHeader } from '../files/read-header.js';
import { frameLayout, readAt, readFrame } from './frames.js';
import type { PixelDescription } from './pixel-description.js';
import { decoderKind } from './transcode-support.js';
import { TranscodeError } from './transcode-errors.js';
import { ybrFullToRgbInPlace } from './ybr.js';

export type Samples = Uint8Array | Uint16Array;

export interface SourceFrames {
  /** Photometric Interpretation of the decoded frames. */
  readonly photometric: string;
  /** Decoded frames, interleaved samples (Planar Configuration 0), 8- or 16-bit per Bits Allocated. */
  frames(): AsyncGenerator<Samples>;
}

export function sourceFrames(fh: FileHandle, header: DicomFileHeader, d: PixelDescription): SourceFrames {
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

