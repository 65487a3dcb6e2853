/**
 * The real frame grabber: a V4L2 device (/dev/videoN) or a video file, read through Debian's
 * ffmpeg as raw video on its stdout. Both inputs share this one code path, so the tests (which
 * use small files made with ffmpeg's lavfi testsrc) exercise what the cart runs.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { execFile } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CaptureError } from './errors.js';
import { bytesPerPixel, type Frame, type FrameSource, type FrameSourceInfo, type PixelFormat, type SourceEnd } from './frame-source.js';

export type FfmpegInput =
  | { readonly kind: 'v4l2'; readonly device: string; readonly width: number; readonly height: number; readonly fps: number }
  | { readonly kind: 'file'; readonly path: string };

export interface FfmpegSourceOptions {
  readonly input: FfmpegInput;
  readonly format?: PixelFormat;
  /** Files only: deliver at the file's frame rate (ffmpeg -re) instead of as fast as decoded. */
  readonly realtime?: boolean;
  /** Override the executables (tests, other installs). */
  readonly ffmpeg?: string;
  readonly ffprobe?: string;
}

const PIX_FMT: Record<PixelFormat, string> = { RGB24: 'rgb24', GRAY8: 'gray' };

/** Width, height and frame rate of a file's first video stream, from ffprobe. */
async function probeFile(path: string, ffprobe: string): Promise<{ width: number; height: number; fps: number }> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      ffprobe,
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate', '-of', 'json', path],
      { timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err) reject(new CaptureError('CAPTURE_SOURCE_FAILED', `ffprobe cannot read ${path}: ${stderr.trim() || err.message}`, { path }, { cause: err }));
        else resolve(stdout);
      },
    );
  });
  const stream = (JSON.parse(out) as { streams?: { width?: number; height?: number; r_frame_rate?: string }[] }).streams?.[0];
  if (!stream?.width || !stream.height) throw new CaptureError('CAPTURE_SOURCE_FAILED', `${path} has no video stream`, { path });
  const [n, d] = (stream.r_frame_rate ?? '25/1').split('/').map(Number);
  const fps = n && d ? n / d : 25;
  return { width: stream.width, height: stream.height, fps };
}

export class FfmpegFrameSource implements FrameSource {
  private child: ChildProcessByStdio<null, Readable, Readable> | undefined;
  private stopping = false;
  private started = false;

  private constructor(
    readonly info: FrameSourceInfo,
    private readonly options: FfmpegSourceOptions,
  ) {}

  /** Probes the input (files) or takes the configured geometry (V4L2). Rejects with CAPTURE_SOURCE_FAILED. */
  static async open(options: FfmpegSourceOptions): Promise<FfmpegFrameSource> {
    const format = options.format ?? 'RGB24';
    const input = options.input;
    const geometry = input.kind === 'file' ? await probeFile(input.path, options.ffprobe ?? 'ffprobe') : input;
    const description = input.kind === 'file' ? `file:${input.path}` : `v4l2:${input.device}`;
    return new FfmpegFrameSource({ ...geometry, format, description }, options);
  }

  private args(): string[] {
    const { input } = this.options;
    const pre = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
    const inArgs =
      input.kind === 'v4l2'
        ? ['-f', 'v4l2', '-framerate', String(input.fps), '-video_size', `${input.width}x${input.height}`, '-i', input.device]
        : [...(this.options.realtime ? ['-re'] : []), '-i', input.path];
    // -vsync passthrough: one output frame per decoded frame, no duplicates invented by ffmpeg.
    return [...pre, ...inArgs, '-an', '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', PIX_FMT[this.info.format], 'pipe:1'];
  }

  start(onFrame: (frame: Frame) => void): Promise<SourceEnd> {
    if (this.started) return Promise.reject(new CaptureError('CAPTURE_BAD_ARGUMENT', 'a frame source is started once'));
    this.started = true;
    const { width, height, format, fps } = this.info;
    const frameBytes = width * height * bytesPerPixel(format);
    const fromFile = this.options.input.kind === 'file' && !this.options.realtime;
    const child = spawn(this.options.ffmpeg ?? 'ffmpeg', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (stderr.length < 4096) stderr += s;
    });
    let current = new Uint8Array(frameBytes);
    let filled = 0;
    let sequence = 0;
    const t0 = performance.now();
    child.stdout.on('data', (chunk: Buffer) => {
      // After stop(), what is still in the pipe is not assembled into frames nobody takes
      // (a 4096×3072 frame is 36 MiB).
      if (this.stopping) return;
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        current.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          // A file read faster than real time gets its timestamps from the frame rate; live
          // video gets the arrival time (the grabber's own clock is not visible through the pipe).
          const timestampMs = fromFile ? t0 + (sequence * 1000) / fps : performance.now();
          onFrame({ data: current, width, height, format, timestampMs, sequence });
          sequence++;
          current = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    });
    return new Promise<SourceEnd>((resolve, reject) => {
      child.on('error', (e) =>
        reject(new CaptureError('CAPTURE_SOURCE_FAILED', `cannot run ffmpeg: ${e.message}`, { source: this.info.description }, { cause: e })),
      );
      child.on('close', (code, signal) => {
        this.child = undefined;
        if (this.stopping) return resolve({ reason: 'stopped' });
        if (code !== 0) {
          return reject(
            new CaptureError('CAPTURE_SOURCE_FAILED', `${this.info.description}: ffmpeg exited with ${code ?? signal} after ${sequence} frames: ${stderr.trim()}`, {
              source: this.info.description,
              frames: sequence,
              exitCode: code,
            }),
          );
        }
        resolve({ reason: 'eof', frames: sequence });
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child) return;
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    child.kill('SIGTERM');
    await closed;
  }
}
