/**
 * Small data sets (N-CREATE/N-SET/N-ACTION attributes, C-FIND identifiers, commitment reports)
 * to and from the bytes of a presentation context's transfer syntax. Never used for images:
 * those stream.
 */
import { ByteSink } from '../../dicom/core/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { readDataSet, transferSyntax, writeDataSet } from '../../dicom/encoding/index.js';
import type { IncomingRequest } from './dimse-router.js';

export function encodeForContext(ds: DataSet, transferSyntaxUid: string): Uint8Array {
  const ts = transferSyntax(transferSyntaxUid);
  if (!ts || ts.deflated) throw new Error(`cannot encode a data set in ${transferSyntaxUid}`);
  const sink = new ByteSink(4096);
  writeDataSet(ds, sink, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian, sequenceLengths: 'defined' });
  return sink.toBytes();
}

/** Identifiers, reports and MPPS attributes are small; a peer sending more is refused. */
const MAX_SMALL_DATA_SET = 32 * 1024 * 1024;

/** Reads a request's whole data set (a small one) and decodes it in the context's transfer syntax. */
export async function readSmallDataSet(req: IncomingRequest, limit = MAX_SMALL_DATA_SET): Promise<DataSet | undefined> {
  if (!req.data) return undefined;
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of req.data) {
    n += c.length;
    if (n > limit) throw new Error(`data set larger than ${limit} bytes`);
    parts.push(c.slice());
  }
  const all = new Uint8Array(n);
  let o = 0;
  for (const p of parts) (all.set(p, o), (o += p.length));
  const ts = transferSyntax(req.context.transferSyntax);
  if (!ts || ts.encapsulated || ts.deflated) throw new Error(`cannot read a data set in ${req.context.transferSyntax}`);
  return readDataSet(all, { explicitVR: ts.explicitVR, littleEndian: ts.littleEndian }).dataset;
}
