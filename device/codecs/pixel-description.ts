/** The Image Pixel attributes (PS3.3 C.7.6.3) a pixel conversion needs, read from a data set. */
import { formatTag, type Tag } from '../../dicom/core/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { TranscodeError } from './transcode-errors.js';

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
    if (v === undefined || !Number.isFinite(v)) throw new TranscodeError('CONVERT_UNSUPPORTED_PIXELS', `the data set lacks ${formatTag(t)}, which pixel conversion needs`);
    return v;
  };
  const samplesPerPixel = num(Tags.SamplesPerPixel, 1);
  return {
    rows: num(Tags.Rows),
    columns: num(Tags.Columns),
    samplesPerPixel,
    bitsAllocated: num(Tags.BitsAllocated),
    bitsStored: num(Tags.BitsStored, ds.number(Tags.BitsAllocated)),
    pixelRepresentation: num(Tags.PixelRepresentation, 0),
    photometric: (ds.string(Tags.PhotometricInterpretation) ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB')).trim(),
    planarConfiguration: num(Tags.PlanarConfiguration, 0),
    frames: Math.max(1, num(Tags.NumberOfFrames, 1)),
  };
}
