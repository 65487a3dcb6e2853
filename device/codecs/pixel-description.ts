/** The Image Pixel attributes (PS3.3 C.7.6.3) a pixel conversion needs, read from a data set. */
import { tag, type Tag } from '../../dicom/core/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { TranscodeError } from './transcode-errors.js';

/** The attributes the transcoder reads or rewrites. */
export const IMAGE_TAGS = {
  samplesPerPixel: tag(0x0028, 0x0002),
  photometric: tag(0x0028, 0x0004),
  planar: tag(0x0028, 0x0006),
  frames: tag(0x0028, 0x0008),
  rows: tag(0x0028, 0x0010),
  columns: tag(0x0028, 0x0011),
  bitsAllocated: tag(0x0028, 0x0100),
  bitsStored: tag(0x0028, 0x0101),
  pixelRepresentation: tag(0x0028, 0x0103),
  lossy: tag(0x0028, 0x2110),
  lossyRatio: tag(0x0028, 0x2112),
  lossyMethod: tag(0x0028, 0x2114),
  sopInstanceUid: tag(0x0008, 0x0018),
};
const T = IMAGE_TAGS;

/** The pixel-describing attributes of an object, as read from its header. */
export interface PixelDescription {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: number;
  readonly photometric: string;
  readonly planarConfiguration: number;
  readonly frames: number;
}

/** Reads the Image Pixel attributes the transcoder needs. */
export function pixelDescription(ds: DataSet): PixelDescription {
  const num = (t: Tag, dflt?: number): number => {
    const v = ds.number(t) ?? dflt;
    if (v === undefined || !Number.isFinite(v)) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `the data set lacks ${formatTagShort(t)}, which pixel conversion needs`);
    return v;
  };
  const samplesPerPixel = num(T.samplesPerPixel, 1);
  return {
    rows: num(T.rows),
    columns: num(T.columns),
    samplesPerPixel,
    bitsAllocated: num(T.bitsAllocated),
    bitsStored: num(T.bitsStored, ds.number(T.bitsAllocated)),
    pixelRepresentation: num(T.pixelRepresentation, 0),
    photometric: (ds.string(T.photometric) ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB')).trim(),
    planarConfiguration: num(T.planar, 0),
    frames: Math.max(1, num(T.frames, 1)),
  };
}

function formatTagShort(t: Tag): string {
  return `(${(t >>> 16).toString(16).padStart(4, '0').toUpperCase()},${(t & 0xffff).toString(16).padStart(4, '0').toUpperCase()})`;
}

