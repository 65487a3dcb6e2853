/**
 * A stored file's data set as a stream of chunks in the transfer syntax the peer accepted,
 * never the whole data set in memory: the header (everything but the pixel data) comes from
 * readDicomFileHeader, the pixel data is read from the file 1 MiB at a time.
 *
 * - Same transfer syntax: the data set's bytes are sent exactly as stored (file offset
 *   `datasetOffset` to the end), so the peer receives what we have, byte for byte.
 * - Another uncompressed syntax: the header is re-encoded, the native pixel data streamed and
 *   swapped when the byte order changes (OW only; OB is a byte stream).
 * - Anything else is refused by conversionFor() before a byte is sent: compressed ↔
 *   uncompressed needs a codec this module does not run (store.ts then asks
 *   device/codecs/transcode.ts), and lossless → lossy is never done on our own (conformance §2).
 */
import type { FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { ByteSink, DicomError, PIXEL_DATA, PIXEL_DATA_GROUP_LENGTH as PIXEL_GROUP_LENGTH, UNDEFINED_LENGTH, swapInPlace } from '../../../dicom/core/index.js';
import { DataSet } from '../../../dicom/dataset/index.js';
import { writeDataSet, type TransferSyntax } from '../../../dicom/encoding/index.js';
import { readPart10 } from '../../../dicom/part10/index.js';
import { openInputFile } from '../../files/open-input.js';
import type { DicomFileHeader } from '../../files/read-header.js';

export const STREAM_CHUNK = 1024 * 1024;


export type Conversion =
  | { readonly ok: true; readonly kind: 'as-is' | 're-encode' }
  | { readonly ok: false; readonly reason: string };

/** Whether (and how) an object stored in `source` can be sent in `target`. */
export function conversionFor(source: TransferSyntax, target: TransferSyntax): Conversion {
  if (target.deflated) return { ok: false, reason: `sending ${target.name} is not supported` };
  if (source.uid === target.uid) return { ok: true, kind: 'as-is' };
  if (source.deflated && !target.encapsulated) return { ok: true, kind: 're-encode' };
  if (target.deflated) return { ok: false, reason: `sending ${target.name} is not supported` };
  if (!source.encapsulated && !target.encapsulated) return { ok: true, kind: 're-encode' };
  if (!source.lossy && target.lossy) {
    return { ok: false, reason: `${source.name} → ${target.name} would be lossy, and lossy compression is never applied on our own` };
  }
  return { ok: false, reason: `converting ${source.name} → ${target.name} needs a pixel data codec the sender does not run` };
}

/**
 * The data set of `header`'s file in `target`, as chunks of at most STREAM_CHUNK bytes. A
 * chunk's memory is reused two chunks later: consume (copy) each before asking for the
 * next-but-one, as Association.invoke does. `opened`: the file's handle, already open (from
 * openDicomFileHeader); it then belongs to this generator, which closes it when it ends — so
 * start it (call next() once) or close the handle yourself.
 */
export async function* dataSetChunks(
  header: DicomFileHeader,
  target: TransferSyntax,
  chunkSize = STREAM_CHUNK,
  ring: ChunkRing = new ChunkRing(),
  opened?: FileHandle,
): AsyncGenerator<Uint8Array> {
  const source = header.file.transferSyntax;
  const conversion = conversionFor(source, target);
  if (!conversion.ok) {
    await opened?.close();
    throw new DicomError('STORE_CANNOT_CONVERT', conversion.reason);
  }
  const fh = opened ?? (await openInputFile(header.path));
  try {
    // Bytes that break an encoding rule (odd lengths, tags out of order) are re-encoded even in
    // the same syntax: DCMTK's storescp aborts the association on an odd-length value.
    if (conversion.kind === 'as-is' && !header.irregular) {
      yield* readRange(fh, header.file.datasetOffset, header.size - header.file.datasetOffset, chunkSize, false, ring);
      return;
    }
    yield* reencoded(fh, header, target, chunkSize, ring);
  } finally {
    // Not awaited: the last PDU need not wait for a thread-pool round trip (~0.1–1 ms).
    fh.close().catch(() => undefined);
  }
}

async function* reencoded(fh: FileHandle, header: DicomFileHeader, target: TransferSyntax, chunkSize: number, ring: ChunkRing): AsyncGenerator<Uint8Array> {
  const source = header.file.transferSyntax;
  const enc = { explicitVR: target.explicitVR, littleEndian: target.littleEndian };
  // (7FE0,0000) is retired and would count only part of its group here: dropped.
  const ds = new DataSet();
  for (const el of header.file.dataset) if (el.tag !== PIXEL_GROUP_LENGTH) ds.set(el);
  if (source.deflated) {
    // A deflated file is one zlib stream: inflated whole (such files are rare and small).
    const whole = readPart10(new Uint8Array(await fh.readFile()), { inflateRaw: (b) => inflateRawSync(b) });
    yield encode(whole.dataset, { ...enc });
    return;
  }
  const px = header.pixelData;
  if (!px) {
    yield encode(ds, { ...enc });
    return;
  }
  yield encode(ds, { ...enc, beforeTag: PIXEL_DATA });
  if (px.kind !== 'native') {
    // Same syntax (an irregular file): the fragments' items go out as stored.
    if (source.uid !== target.uid) throw new DicomError('STORE_CANNOT_CONVERT', 'encapsulated pixel data cannot be re-encoded without a codec');
    yield pixelHeader(target, 'OB', UNDEFINED_LENGTH);
    const itemsStart = px.offsetTable.offset - 8;
    yield* readRange(fh, itemsStart, px.end - itemsStart, chunkSize, false, ring);
    const trailer = encode(ds, { ...enc, fromTag: PIXEL_DATA + 1 });
    if (trailer.length > 0) yield trailer;
    return;
  }
  const vr = px.vr === 'OB' ? 'OB' : 'OW';
  const odd = px.length % 2;
  yield pixelHeader(target, vr, px.length + odd);
  const swap = vr === 'OW' && source.littleEndian !== target.littleEndian;
  // Chunks stay even so that a 16-bit word is never split between two swaps.
  const even = chunkSize - (chunkSize % 2);
  for await (const chunk of readRange(fh, px.valueOffset, px.length, even, odd === 1, ring)) yield swap ? swapInPlace(chunk, 2) : chunk;
  const trailer = encode(ds, { ...enc, fromTag: PIXEL_DATA + 1 });
  if (trailer.length > 0) yield trailer;
}

function encode(ds: DataSet, opts: Parameters<typeof writeDataSet>[2]): Uint8Array {
  const sink = new ByteSink(16 * 1024);
  writeDataSet(ds, sink, opts);
  return sink.toBytes();
}

function pixelHeader(ts: TransferSyntax, vr: 'OB' | 'OW', length: number): Uint8Array {
  const sink = new ByteSink(12);
  sink.u16(0x7fe0, ts.littleEndian);
  sink.u16(0x0010, ts.littleEndian);
  if (ts.explicitVR) {
    sink.ascii(vr);
    sink.u16(0, ts.littleEndian);
  }
  sink.u32(length, ts.littleEndian);
  return sink.toBytes();
}

/**
 * The three buffers file chunks are read into, taking turns: a chunk's memory is reused two
 * chunks later, by when the association has copied it into PDUs (the fragmenter keeps at most
 * one PDV's worth, from the latest chunk). One ring can serve the files of one association in
 * turn — the next file is only read once the previous request is out in full — so that a
 * run of 1.4 MB images allocates (and collects) no megabyte buffers per file. Made when first
 * needed, grown when a file needs more, never zeroed: only bytes read are sent.
 */
export class ChunkRing {
  private readonly slots: (Uint8Array | undefined)[] = [undefined, undefined, undefined];

  buffer(turn: number, size: number): Uint8Array {
    const i = turn % 3;
    const b = this.slots[i];
    if (b && b.length >= size) return b;
    return (this.slots[i] = uninitialised(size));
  }
}

/** A plain Uint8Array (so that `slice()` copies, as callers expect) over memory not zeroed. */
export function uninitialised(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * `length` bytes from `offset`, in chunks from `ring`; `padOdd` adds the zero byte an odd value
 * lacks. The next chunk is read while the caller sends the current one (into the ring's next
 * buffer, which holds nothing the caller still needs).
 */
async function* readRange(fh: FileHandle, offset: number, length: number, chunkSize: number, padOdd: boolean, ring: ChunkRing): AsyncGenerator<Uint8Array> {
  const size = Math.min(chunkSize, length) + 1;
  const read = async (turn: number, from: number): Promise<Uint8Array> => {
    const want = Math.min(chunkSize, length - from);
    const last = from + want === length;
    const buf = ring.buffer(turn, size);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, offset + from + got);
      if (bytesRead === 0) throw new DicomError('STORE_SHORT_READ', `file ended at byte ${offset + from + got} while ${length} bytes from ${offset} were being sent`);
      got += bytesRead;
    }
    if (last && padOdd) buf[want] = 0;
    return buf.subarray(0, want + (last && padOdd ? 1 : 0));
  };
  let ahead: Promise<Uint8Array> | undefined;
  try {
    for (let done = 0, turn = 0; done < length; turn++) {
      const chunk = await (ahead ?? read(turn, done));
      ahead = undefined;
      done += Math.min(chunkSize, length - done);
      if (done < length) {
        ahead = read(turn + 1, done);
        ahead.catch(() => undefined); // reported when awaited; not unhandled if the caller stops first
      }
      yield chunk;
    }
  } finally {
    // The file is closed after us: no read may still be running on it.
    if (ahead) await ahead.catch(() => undefined);
  }
}
