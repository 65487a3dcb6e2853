/** JPEG Baseline (T.81 process 1) decoding for DICOM transfer syntax 1.2.840.10008.1.2.4.50. */
export { decodeJpegBaseline, type DecodedJpegBaseline, type JpegBaselineFrameInfo } from './decoder.js';
export { JpegError } from '../jpeg-common/errors.js';

export const JPEG_BASELINE_TS = '1.2.840.10008.1.2.4.50';
