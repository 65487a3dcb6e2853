/**
 * Transfer syntaxes as a table (PS3.5 §10, PS3.6 Annex A). The reader and writer ask this table
 * how to encode; nothing else switches on transfer syntax UIDs.
 */
export interface TransferSyntax {
  readonly uid: string;
  readonly name: string;
  /** Short name used on the command line (`--ts explicit`). */
  readonly alias?: string;
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
  /** The data set after the meta header is a raw deflate stream (RFC 1951). */
  readonly deflated: boolean;
  /** Pixel data is encapsulated: a sequence of fragments, not native samples. */
  readonly encapsulated: boolean;
  /** The pixel data compression discards information. */
  readonly lossy: boolean;
}

function ts(
  uid: string,
  name: string,
  f: Partial<Omit<TransferSyntax, 'uid' | 'name'>> = {},
): TransferSyntax {
  return {
    uid,
    name,
    explicitVR: f.explicitVR ?? true,
    littleEndian: f.littleEndian ?? true,
    deflated: f.deflated ?? false,
    encapsulated: f.encapsulated ?? false,
    lossy: f.lossy ?? false,
    ...(f.alias !== undefined ? { alias: f.alias } : {}),
  };
}

export const IMPLICIT_VR_LE = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
export const DEFLATED_EXPLICIT_VR_LE = '1.2.840.10008.1.2.1.99';
export const EXPLICIT_VR_BE = '1.2.840.10008.1.2.2';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
export const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
export const JPEG_LOSSLESS_NH14 = '1.2.840.10008.1.2.4.57';
export const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';

const TABLE: readonly TransferSyntax[] = [
  ts(IMPLICIT_VR_LE, 'Implicit VR Little Endian', { explicitVR: false, alias: 'implicit' }),
  ts(EXPLICIT_VR_LE, 'Explicit VR Little Endian', { alias: 'explicit' }),
  ts(DEFLATED_EXPLICIT_VR_LE, 'Deflated Explicit VR Little Endian', { deflated: true, alias: 'deflated' }),
  ts(EXPLICIT_VR_BE, 'Explicit VR Big Endian', { littleEndian: false, alias: 'big' }),
  ts(JPEG_BASELINE, 'JPEG Baseline (Process 1)', { encapsulated: true, lossy: true, alias: 'jpeg-baseline' }),
  ts(JPEG_EXTENDED, 'JPEG Extended (Process 2 & 4)', { encapsulated: true, lossy: true }),
  ts(JPEG_LOSSLESS_NH14, 'JPEG Lossless, Non-Hierarchical (Process 14)', { encapsulated: true }),
  ts(JPEG_LOSSLESS_SV1, 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)', {
    encapsulated: true,
    alias: 'jpeg-lossless',
  }),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', { encapsulated: true }),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', { encapsulated: true }),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', {
    encapsulated: true,
    lossy: true,
  }),
  ts('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', { encapsulated: true }),
  ts('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', { encapsulated: true, lossy: true }),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', { encapsulated: true }),
];

const BY_UID = new Map(TABLE.map((t) => [t.uid, t]));

export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

export function transferSyntaxByAlias(alias: string): TransferSyntax | undefined {
  return TABLE.find((t) => t.alias === alias);
}

export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = TABLE;

/**
 * Any transfer syntax not in the table is read as PS3.5 §A.4 says every unknown compressed
 * syntax must be: explicit VR little endian with encapsulated pixel data.
 */
export function transferSyntaxOrEncapsulated(uid: string): TransferSyntax {
  return BY_UID.get(uid) ?? ts(uid, `Unknown transfer syntax ${uid}`, { encapsulated: true });
}
