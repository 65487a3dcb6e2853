import { open } from 'node:fs/promises';
import { DicomError, PIXEL_DATA, swapInPlace } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import type { TransferSyntax } from '../../dicom/encoding/index.js';
import { META, Part10StreamWriter, SOP_CLASS_UID, SOP_INSTANCE_UID, buildFileMeta, rewriteFileMeta, writePart10 } from '../../dicom/part10/index.js';
import { writeFileAtomically, type AtomicWriteOptions } from './atomic-write.js';
import { readDicomFileHeader } from './read-header.js';

const CHUNK = 1024 * 1024;

/**
 * Rewrites a Part 10 file in another transfer syntax, streaming the pixel data in 1 MiB chunks
 * so that memory does not grow with the file. Uncompressed ↔ uncompressed only here; a change
 * of compression needs a codec and is refused with a clear error.
 */
export async function convertFile(inPath: string, outPath: string, target: TransferSyntax, opts: AtomicWriteOptions = {}): Promise<void> {
  const { file, pixelData } = await readDicomFileHeader(inPath);
  const source = file.transferSyntax;
  if (source.uid !== target.uid && (source.encapsulated || target.encapsulated)) {
    throw new DicomError(
      'CONVERT_NEEDS_CODEC',
      `converting ${source.name} to ${target.name} needs a pixel data codec, which this build does not have`,
    );
  }
  const meta = file.hasMeta
    ? rewriteFileMeta(file.meta, target.uid)
    : buildFileMeta({
        sopClassUid: file.dataset.string(SOP_CLASS_UID) ?? '',
        sopInstanceUid: file.dataset.string(SOP_INSTANCE_UID) ?? '',
        transferSyntaxUid: target.uid,
      });
  if (!meta.string(META.mediaStorageSopClass)) {
    throw new DicomError('CONVERT_NO_SOP_CLASS', 'the file names no SOP Class UID, so no meta header can be written');
  }

  if (!pixelData) {
    const bytes = writePart10(meta, file.dataset, target, file.preamble ? { preamble: file.preamble } : {});
    await writeFileAtomically(outPath, (write) => write(bytes), opts);
    return;
  }

  const writer = new Part10StreamWriter(target);
  const input = await open(inPath, 'r');
  try {
    await writeFileAtomically(outPath, async (write) => {
      await write(writer.header(meta, file.dataset, file.preamble));
      if (pixelData.kind === 'native') {
        const vr = pixelData.vr === 'OW' ? 'OW' : 'OB';
        await write(writer.nativePixelData(vr, pixelData.length));
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

async function readRange(fh: import('node:fs/promises').FileHandle, offset: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new DicomError('CONVERT_SHORT_READ', `short read at offset ${offset}`);
  return buf;
}
