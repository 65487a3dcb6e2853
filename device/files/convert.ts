import { dirname } from 'node:path';
import { DicomError, PIXEL_DATA, swapInPlace, uidFromRandom } from '../../dicom/core/index.js';
import { randomBytes } from 'node:crypto';
import { DataSet } from '../../dicom/dataset/index.js';
import { assertPixelConsistency } from '../../dicom/iod/index.js';
import type { TransferSyntax } from '../../dicom/encoding/index.js';
import { META, Part10StreamWriter, SOP_CLASS_UID, SOP_INSTANCE_UID, buildFileMeta, rewriteFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { openInputFile } from './open-input.js';
import { writeFileAtomically, type AtomicWriteOptions } from './atomic-write.js';
import { pixelExtent, readDicomFileHeader, type DicomFileHeader } from './read-header.js';
import { Tags } from '../../dicom/dictionary/index.js';

const CHUNK = 1024 * 1024;

export interface ConvertOptions extends AtomicWriteOptions {
  /** The user chose lossy compression (`--ts jpeg-baseline`): lossless → lossy is allowed. */
  readonly allowLossy?: boolean;
  /** JPEG Baseline quality (default 90). */
  readonly quality?: number;
  /** Told what the reader tolerated and the writer mends (odd lengths padded, tags sorted). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Rewrites a Part 10 file in another transfer syntax, streaming so that memory does not grow
 * with the file. Uncompressed ↔ uncompressed (and same-syntax) copies the pixel data 1 MiB at a
 * time; a change of compression (JPEG Baseline, JPEG Lossless ↔ uncompressed or each other)
 * goes frame by frame through device/codecs' transcoder (openTranscodedStream), which spools
 * encoded fragments next to the output. Refusals and codec failures are typed (CONVERT_… /
 * CODEC_…) and leave no output file.
 */
export async function convertFile(inPath: string, outPath: string, target: TransferSyntax, opts: ConvertOptions = {}): Promise<void> {
  const header = await readDicomFileHeader(inPath);
  assertPixelConsistency(header.file.dataset, pixelExtent(header));
  for (const w of header.file.warnings) opts.onWarning?.(w);
  const { file, pixelData } = header;
  const source = file.transferSyntax;
  const needsCodec = source.uid !== target.uid && (source.encapsulated || target.encapsulated);
  if (needsCodec && !pixelData && !source.deflated) {
    // Nothing to re-encode: the data set alone is rewritten below.
  } else if (needsCodec) {
    // Loaded only for compression changes, so a plain conversion stays quick to start.
    const { transcodeSupport } = await import('../codecs/transcode.js');
    const sourceLossy = source.lossy || file.dataset.string(Tags.LossyImageCompression)?.trim() === '01';
    const support = transcodeSupport(source, target, { ...(opts.allowLossy !== undefined ? { allowLossy: opts.allowLossy } : {}), sourceLossy });
    if (!support.ok) throw new DicomError(support.code, support.reason);
    // Lossy compression of a lossless image makes a new image (PS3.3 C.7.6.1.1.5): it gets a new
    // SOP Instance UID, as dcmcjpeg does, so that the two are never confused in a PACS.
    const newSopInstanceUid = support.lossy && !sourceLossy ? uidFromRandom(randomBytes(16)) : undefined;
    await transcodeFile(header, outPath, target, opts, newSopInstanceUid);
    return;
  }
  const meta = metaForOutput(file, file.dataset, target);

  if (!pixelData) {
    const bytes = writePart10(meta, file.dataset, target, file.preamble ? { preamble: file.preamble } : {});
    await writeFileAtomically(outPath, (write) => write(bytes), opts);
    return;
  }

  const writer = new Part10StreamWriter(target);
  const input = await openInputFile(inPath);
  try {
    await writeFileAtomically(outPath, async (write) => {
      await write(writer.header(meta, file.dataset, file.preamble));
      if (pixelData.kind === 'native') {
        const vr = pixelData.vr === 'OW' ? 'OW' : 'OB';
        // An odd length (tolerated on read) is padded with a zero byte (PS3.5 §7.1).
        const odd = pixelData.length % 2;
        await write(writer.nativePixelData(vr, pixelData.length + odd));
        const buf = new Uint8Array(CHUNK);
        for (let done = 0; done < pixelData.length; ) {
          const want = Math.min(CHUNK, pixelData.length - done);
          const { bytesRead } = await input.read(buf, 0, want, pixelData.valueOffset + done);
          if (bytesRead === 0) throw new DicomError('CONVERT_SHORT_READ', `${inPath} ended while its pixel data was being read`);
          let chunk: Uint8Array = buf.subarray(0, bytesRead - (bytesRead % 2));
          if (chunk.length === 0) chunk = buf.subarray(0, bytesRead);
          // The writer takes little-endian samples; big-endian OW input is swapped first.
          if (!source.littleEndian && vr === 'OW') chunk = swapInPlace(chunk, 2);
          await write(writer.nativeChunk(chunk).slice());
          done += chunk.length;
        }
        if (odd) await write(writer.nativeChunk(Uint8Array.of(0)).slice());
      } else {
        const bot = await readRange(input, pixelData.offsetTable.offset, pixelData.offsetTable.length);
        await write(writer.encapsulatedPixelData(bot));
        for (const f of pixelData.fragments) await write(writer.fragment(await readRange(input, f.offset, f.length)));
        await write(writer.endEncapsulated());
      }
      const trailing = new DataSet();
      for (const el of file.dataset) if (el.tag > PIXEL_DATA) trailing.set(el);
      if (trailing.size > 0) await write(writer.trailer(trailing));
    }, opts);
  } finally {
    await input.close();
  }
}

/**
 * The meta group of the rewritten file: the source's, naming the new syntax and us as writer;
 * or, for a source without one, built from the data set (`dataset`, as it will be written).
 */
function metaForOutput(file: DicomFileHeader['file'], dataset: DataSet, target: TransferSyntax): DataSet {
  const meta = file.hasMeta
    ? rewriteFileMeta(file.meta, target.uid)
    : buildFileMeta({
        sopClassUid: dataset.string(SOP_CLASS_UID) ?? '',
        sopInstanceUid: dataset.string(SOP_INSTANCE_UID) ?? '',
        transferSyntaxUid: target.uid,
      });
  if (!meta.string(META.mediaStorageSopClass)) {
    throw new DicomError('CONVERT_NO_SOP_CLASS', 'the file names no SOP Class UID, so no meta header can be written');
  }
  return meta;
}

async function transcodeFile(
  header: DicomFileHeader,
  outPath: string,
  target: TransferSyntax,
  opts: ConvertOptions,
  newSopInstanceUid: string | undefined,
): Promise<void> {
  const { openTranscodedStream } = await import('../codecs/transcode.js');
  const { file } = header;
  const t = await openTranscodedStream(header, target, {
    ...(opts.allowLossy !== undefined ? { allowLossy: opts.allowLossy } : {}),
    ...(opts.quality !== undefined ? { quality: opts.quality } : {}),
    ...(newSopInstanceUid ? { newSopInstanceUid } : {}),
    spoolDir: dirname(outPath),
  });
  try {
    const meta = metaForOutput(file, t.dataset, target);
    if (newSopInstanceUid) meta.putStrings(META.mediaStorageSopInstance, 'UI', newSopInstanceUid);
    const writer = new Part10StreamWriter(target);
    await writeFileAtomically(outPath, async (write) => {
      await write(writer.header(meta, t.dataset, file.preamble));
      if (t.pixelData.kind === 'native') {
        await write(writer.nativePixelData(t.pixelData.vr, t.pixelData.length));
        for await (const chunk of t.chunks()) await write(writer.nativeChunk(chunk));
      } else {
        await write(writer.encapsulatedPixelData(t.pixelData.offsetTable));
        for await (const fragment of t.chunks()) await write(writer.fragment(fragment));
        await write(writer.endEncapsulated());
      }
      const trailing = new DataSet();
      for (const el of t.dataset) if (el.tag > PIXEL_DATA) trailing.set(el);
      if (trailing.size > 0) await write(writer.trailer(trailing));
    }, opts);
  } finally {
    await t.close();
  }
}

async function readRange(fh: import('node:fs/promises').FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new DicomError('CONVERT_SHORT_READ', `short read at offset ${offset}`);
  return buf;
}
