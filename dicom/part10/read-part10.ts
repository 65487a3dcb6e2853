import { DicomParseError } from '../core/errors.js';
import { PIXEL_DATA, tagGroup, type Tag } from '../core/tag.js';
import { vrFromBytes } from '../core/vr.js';
import { DataSet } from '../dataset/dataset.js';
import { readDataSet } from '../encoding/read-dataset.js';
import {
  EXPLICIT_VR_BE,
  EXPLICIT_VR_LE,
  IMPLICIT_VR_LE,
  transferSyntax,
  transferSyntaxOrEncapsulated,
  type TransferSyntax,
} from '../encoding/transfer-syntax.js';
import { META } from './meta.js';

export interface ReadPart10Options {
  /** Stop before Pixel Data: the header only. `pixelDataOffset` says where it starts. */
  readonly stopBeforePixelData?: boolean;
  /** Leave Pixel Data in the source as a bulk reference (offset and length) instead of slicing it. */
  readonly pixelDataAsBulk?: boolean;
  /**
   * Inflates a raw deflate stream (RFC 1951), for Deflated Explicit VR Little Endian. The
   * library has no inflater of its own; the device passes zlib's.
   */
  readonly inflateRaw?: (deflated: Uint8Array) => Uint8Array;
  /**
   * Whether `bytes` is the whole file, so that zeros or garbage at its end may be ignored as
   * padding (default true). A reader holding only the start of a file passes false: what looks
   * like padding there may be followed by more elements, so it fails and the caller reads more.
   */
  readonly isWholeFile?: boolean;
}

export interface Part10File {
  /** The 128-byte preamble, or undefined when the input had none. */
  readonly preamble: Uint8Array | undefined;
  /** The File Meta Information (group 0002); empty when the input had none. */
  readonly meta: DataSet;
  readonly dataset: DataSet;
  readonly transferSyntax: TransferSyntax;
  /** False for a bare data set with no `DICM` and no meta group (tolerated input). */
  readonly hasMeta: boolean;
  /** Offset of the first byte of the data set (after the meta group). */
  readonly datasetOffset: number;
  /** Offset of the Pixel Data element's tag, when reading stopped before it. */
  readonly pixelDataOffset?: number;
  /** Offset where reading ended. */
  readonly end: number;
  readonly warnings: string[];
  /** The data set's bytes must be re-encoded, not copied (see ReadDataSetResult.irregular). */
  readonly irregular: boolean;
}

const DICM = [0x44, 0x49, 0x43, 0x4d];

function hasDicmAt(b: Uint8Array, at: number): boolean {
  return b.length >= at + 4 && DICM.every((c, i) => b[at + i] === c);
}

/**
 * Reads a DICOM Part 10 file (PS3.10 §7): preamble, `DICM`, File Meta Information in Explicit
 * VR Little Endian, then the data set in the transfer syntax the meta group names. A bare data
 * set without preamble and meta group is tolerated, its transfer syntax inferred from its first
 * element.
 */
export function readPart10(bytes: Uint8Array, opts: ReadPart10Options = {}): Part10File {
  const warnings: string[] = [];
  let preamble: Uint8Array | undefined;
  let metaStart: number;
  if (hasDicmAt(bytes, 128)) {
    preamble = bytes.subarray(0, 128);
    metaStart = 132;
  } else if (hasDicmAt(bytes, 0)) {
    warnings.push('no preamble: file starts with DICM');
    metaStart = 4;
  } else {
    const guessed = guessBareSyntax(bytes, 0);
    if (!guessed) {
      throw new DicomParseError('PARSE_NOT_DICOM', 'not a DICOM file: no "DICM" at byte 128 and no data set at byte 0', bytes.length >= 132 ? 128 : 0);
    }
    if (guessed === 'meta') {
      warnings.push('no preamble and no DICM: file starts with the meta group');
      metaStart = 0;
    } else {
      return readBody(bytes, 0, undefined, new DataSet(), transferSyntax(guessed)!, false, opts, warnings);
    }
  }

  // The meta group is Explicit VR LE; some writers got that wrong, so follow what the bytes say.
  const metaExplicit = bytes.length >= metaStart + 6 ? vrFromBytes(bytes[metaStart + 4]!, bytes[metaStart + 5]!) !== undefined : true;
  if (!metaExplicit) warnings.push('File Meta Information is not in Explicit VR (tolerated)');
  const metaRead = readDataSet(bytes, {
    explicitVR: metaExplicit,
    littleEndian: true,
    start: metaStart,
    stopBefore: (t: Tag) => tagGroup(t) !== 0x0002,
    toleratetrailingGarbage: false,
  });
  const meta = metaRead.dataset;
  warnings.push(...metaRead.warnings);
  const datasetStart = metaRead.end;

  const tsUid = meta.string(META.transferSyntax);
  let ts: TransferSyntax;
  if (tsUid) {
    ts = transferSyntaxOrEncapsulated(tsUid);
  } else {
    const guessed = guessBareSyntax(bytes, datasetStart);
    if (!guessed || guessed === 'meta') {
      throw new DicomParseError('PARSE_NO_TRANSFER_SYNTAX', 'File Meta Information has no Transfer Syntax UID (0002,0010)', metaStart);
    }
    warnings.push(`no Transfer Syntax UID in the meta group; read as ${guessed}`);
    ts = transferSyntax(guessed)!;
  }
  const part10 = readBody(bytes, datasetStart, preamble, meta, ts, true, opts, warnings);
  // An odd length in the meta group too makes a copy of the file as it is wrong.
  return metaRead.irregular ? { ...part10, irregular: true } : part10;
}

function readBody(
  bytes: Uint8Array,
  start: number,
  preamble: Uint8Array | undefined,
  meta: DataSet,
  ts: TransferSyntax,
  hasMeta: boolean,
  opts: ReadPart10Options,
  warnings: string[],
): Part10File {
  let body = bytes;
  let bodyStart = start;
  if (ts.deflated) {
    if (!opts.inflateRaw) {
      throw new DicomParseError('PARSE_DEFLATE_UNAVAILABLE', 'Deflated Explicit VR Little Endian needs an inflater', start);
    }
    try {
      body = opts.inflateRaw(bytes.subarray(start));
    } catch (e) {
      throw new DicomParseError('PARSE_DEFLATE', `deflated data set does not inflate: ${(e as Error).message}`, start, { cause: e });
    }
    bodyStart = 0;
  }
  const explicitVR = actualVRKind(body, bodyStart, ts, warnings);
  const read = readDataSet(body, {
    explicitVR,
    littleEndian: ts.littleEndian,
    start: bodyStart,
    ...(opts.stopBeforePixelData ? { stopBefore: (t: Tag) => t === PIXEL_DATA } : {}),
    ...(opts.pixelDataAsBulk ? { pixelDataAsBulk: true } : {}),
    toleratetrailingGarbage: opts.isWholeFile ?? true,
  });
  warnings.push(...read.warnings);
  return {
    preamble,
    meta,
    dataset: read.dataset,
    transferSyntax: ts,
    hasMeta,
    datasetOffset: start,
    ...(read.stoppedAt !== undefined ? { pixelDataOffset: read.end } : {}),
    end: read.end,
    warnings,
    irregular: read.irregular,
  };
}

/**
 * Infers the encoding of a bare data set from its first element: the meta group, Explicit VR
 * little or big endian, or Implicit VR little endian. Anything whose first tag is not a
 * plausible first group is not a data set.
 */
function guessBareSyntax(b: Uint8Array, at: number): string | 'meta' | undefined {
  if (b.length < at + 8) return undefined;
  const groupLE = b[at]! | (b[at + 1]! << 8);
  const groupBE = (b[at]! << 8) | b[at + 1]!;
  const explicit = vrFromBytes(b[at + 4]!, b[at + 5]!) !== undefined;
  const plausible = (g: number): boolean => g >= 0x0001 && g <= 0x0010;
  if (groupLE === 0x0002 && explicit) return 'meta';
  if (plausible(groupLE)) return explicit ? EXPLICIT_VR_LE : IMPLICIT_VR_LE;
  if (plausible(groupBE) && explicit) return EXPLICIT_VR_BE;
  return undefined;
}

/**
 * Whether the data set is really in explicit VR. Some writers declare one syntax and write the
 * other; like pydicom and DCMTK we follow what the first element's bytes say, and warn.
 */
function actualVRKind(b: Uint8Array, at: number, ts: TransferSyntax, warnings: string[]): boolean {
  if (b.length < at + 8) return ts.explicitVR;
  const looksExplicit = vrFromBytes(b[at + 4]!, b[at + 5]!) !== undefined;
  if (ts.explicitVR && !looksExplicit) {
    warnings.push(`${ts.name} declared, but the data set is in Implicit VR: read as Implicit VR`);
    return false;
  }
  if (!ts.explicitVR && looksExplicit && ts.littleEndian) {
    const implicitLength = b[at + 4]! | (b[at + 5]! << 8) | (b[at + 6]! << 16) | (b[at + 7]! << 24);
    if (implicitLength >>> 0 > b.length - at - 8) {
      warnings.push(`${ts.name} declared, but the data set is in Explicit VR: read as Explicit VR`);
      return true;
    }
  }
  return ts.explicitVR;
}
