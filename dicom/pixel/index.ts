/** Pixel data codecs: JPEG Lossless (process 14, SV1) both ways, JPEG Baseline decoding. */
export * from './jpeg-lossless/index.js';
export { decodeJpegBaseline, type DecodedJpegBaseline, type JpegBaselineFrameInfo, JPEG_BASELINE_TS } from './jpeg-baseline/index.js';
