/**
 * Which conversions the transcoder can do, decided from the transfer syntaxes alone (before
 * any pixel is read): which syntaxes we have a decoder and an encoder for, and the lossy rule
 * of conformance §2 (lossy from lossless only when the user chose it).
 */
import { JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS_NH14, JPEG_LOSSLESS_SV1, type TransferSyntax } from '../../dicom/encoding/index.js';

export type CodecKind = 'native' | 'baseline' | 'lossless';

/** What a source syntax can be decoded with, or undefined when we have no codec for it. */
export function decoderKind(ts: TransferSyntax): CodecKind | undefined {
  if (!ts.encapsulated && !ts.deflated) return 'native';
  if (ts.uid === JPEG_BASELINE || ts.uid === JPEG_EXTENDED) return 'baseline';
  if (ts.uid === JPEG_LOSSLESS_SV1 || ts.uid === JPEG_LOSSLESS_NH14) return 'lossless';
  return undefined;
}

export function encoderKind(ts: TransferSyntax): CodecKind | undefined {
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

