/**
 * Parses a frame source specification (`v4l2:/dev/video0`, `file:loop.mp4`; `sim` is resolved by
 * the composition root, device/main.ts, which alone may pick simulators).
 */
import { CaptureError } from './errors.js';
import { FfmpegFrameSource } from './ffmpeg-source.js';
import type { FrameSource, PixelFormat } from './frame-source.js';

export interface SourceSpecOptions {
  readonly format?: PixelFormat;
  /** V4L2 geometry (the device is opened at this size and rate). */
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

export async function openHardwareSource(spec: string, o: SourceSpecOptions = {}): Promise<FrameSource> {
  const fmt = o.format ? { format: o.format } : {};
  if (spec.startsWith('v4l2:')) {
    return FfmpegFrameSource.open({ input: { kind: 'v4l2', device: spec.slice(5), width: o.width ?? 800, height: o.height ?? 600, fps: o.fps ?? 30 }, ...fmt });
  }
  // A file stands in for the grabber: played at its frame rate, as live video arrives (read
  // as fast as decoded, it would outrun the writer and the ring would drop frames).
  if (spec.startsWith('file:')) return FfmpegFrameSource.open({ input: { kind: 'file', path: spec.slice(5) }, realtime: true, ...fmt });
  throw new CaptureError('CAPTURE_BAD_ARGUMENT', `unknown frame source ${JSON.stringify(spec)} (sim, v4l2:/dev/videoN, file:PATH)`);
}
