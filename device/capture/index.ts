export type { Frame, FrameSource, FrameSourceInfo, PixelFormat, SourceEnd } from './frame-source.js';
export { bytesPerPixel } from './frame-source.js';
export { FrameRingBuffer, type RingBufferOptions, type RingLease, type RingStats } from './ring-buffer.js';
export { RingEncoder, type RingEncoderOptions } from './ring-encoder.js';
export { FfmpegFrameSource, type FfmpegInput, type FfmpegSourceOptions } from './ffmpeg-source.js';
export { openHardwareSource, type SourceSpecOptions } from './open-source.js';
export { MAX_NATIVE_PIXEL_BYTES, storeCapture, type CaptureKind, type StoreRequest, type StoreResult } from './store.js';
export { CaptureSession, captureAndStore, type CaptureSessionOptions } from './session.js';
export { CaptureError, type CaptureErrorCode } from './errors.js';
