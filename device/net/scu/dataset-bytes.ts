/** A small data set (N-CREATE/N-SET/N-ACTION attributes) encoded in a presentation context's transfer syntax. */
import { ByteSink } from '../../../dicom/core/index.js';
import type { DataSet } from '../../../dicom/dataset/index.js';
import { transferSyntax, writeDataSet } from '../../../dicom/encoding/index.js';

export function encodeForContext(ds: DataSet, transferSyntaxUid: string): Uint8Array {
  const ts = transferSyntax(transferSyntaxUid);
  if (!ts || ts.deflated) throw new Error(`cannot encode a data set in ${transferSyntaxUid}`);
  const sink = new ByteSink(4096);
  writeDataSet(ds, sink, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian, sequenceLengths: 'defined' });
  return sink.toBytes();
}
