/**
 * The frame grabber as the device sees it: one interface, implemented by the V4L2/ffmpeg reader
 * (ffmpeg-source.ts) and by the simulator in hw-sim/frame-grabber, checked by the same contract
 * tests.
 */
import type { UltrasoundRegion } from '../../dicom/iod/index.js';

/** Packed 8-bit samples: RGB24 is R,G,B per pixel, row after row; GRAY8 is one byte per pixel. */
export type PixelFormat = 'RGB24' | 'GRAY8';

export function bytesPerPixel(format: PixelFormat): 1 | 3 {
  return format === 'RGB24' ? 3 : 1;
}

export interface Frame {
  /** width × height × bytesPerPixel(format) bytes. The source never writes to it after delivery. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /**
   * When the frame was captured, in milliseconds on a monotonic clock (performance.now() or the
   * grabber's own clock). Only differences between frames are meaningful; frame timing
   * attributes in DICOM are computed from them.
   */
  readonly timestampMs: number;
  /** The source's frame counter, starting at 0; a jump means the source lost frames. */
  readonly sequence: number;
}

/** What the source says about itself before the first frame. */
export interface FrameSourceInfo {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** The nominal frame rate; the real one comes from the timestamps. */
  readonly fps: number;
  /** Human-readable origin ('simulator seed 1', 'v4l2:/dev/video0', 'file:loop.mp4'). */
  readonly description: string;
  /** Calibration of the image area(s) for US Region Calibration, when the source knows it. */
  readonly regions?: readonly UltrasoundRegion[];
  /** Probe and exam settings shown to the user and written as Transducer Data. */
  readonly probe?: { readonly name: string; readonly frequencyMHz: number; readonly depthCm: number };
}

/** Why a source stopped delivering. */
export type SourceEnd = { readonly reason: 'stopped' } | { readonly reason: 'eof'; readonly frames: number };

/**
 * Contract:
 * - `start(onFrame)` begins delivery and resolves when delivery ends: `stopped` after `stop()`,
 *   `eof` when a file (or the simulator's frame limit) is exhausted. It rejects with a
 *   CaptureError (CAPTURE_SOURCE_FAILED) when the device or file fails; frames delivered before
 *   that remain valid.
 * - `onFrame` is called once per frame, in sequence order, and must return quickly: the source
 *   does not wait for the consumer (there is no backpressure; a real grabber cannot be paused),
 *   so a slow consumer must drop frames itself (the ring buffer does, and counts them).
 * - A source is started at most once. `stop()` is idempotent and resolves once delivery ended.
 */
export interface FrameSource {
  readonly info: FrameSourceInfo;
  start(onFrame: (frame: Frame) => void): Promise<SourceEnd>;
  stop(): Promise<void>;
}
