/**
 * The whole data set (no File Meta Information) of a file in another transfer syntax, as
 * chunks, for a C-STORE sender: built on openTranscodedStream.
 */
import { ByteSink, PIXEL_DATA, PIXEL_DATA_GROUP_LENGTH as PIXEL_GROUP_LENGTH } from '../../dicom/core/index.js';
import { DataSet } from '../../dicom/dataset/index.js';
import { writeDataSet, type TransferSyntax } from '../../dicom/encoding/index.js';
import { Part10StreamWriter } from '../../dicom/part10/index.js';
import type { DicomFileHeader } from '../files/read-header.js';
import { openTranscodedStream, type TranscodeOptions } from './transcode.js';

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

