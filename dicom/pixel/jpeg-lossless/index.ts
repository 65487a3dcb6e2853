/** JPEG Lossless (T.81 process 14) for DICOM transfer syntaxes 1.2.840.10008.1.2.4.70 and .4.57. */
export { encodeJpegLossless, type JpegLosslessEncodeOptions } from './encoder.js';
export {
  decodeJpegLossless,
  readJpegLosslessHeader,
  type DecodedJpegLossless,
  type JpegDecodeLimits,
  type JpegLosslessFrameInfo,
} from './decoder.js';
export type { Predictor } from './predict.js';
export { JpegError } from '../jpeg-common/errors.js';

/** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, Selection Value 1). */
export const JPEG_LOSSLESS_SV1_TS = '1.2.840.10008.1.2.4.70';
/** JPEG Lossless, Non-Hierarchical (Process 14), any selection value. */
export const JPEG_LOSSLESS_TS = '1.2.840.10008.1.2.4.57';
