/**
 * JPEG Baseline colour frames with 4:2:2 chroma, through Debian's ffmpeg (libavcodec's mjpeg
 * encoder, LGPL-2.1+), one process per capture: raw RGB frames go to its stdin, a stream of
 * complete JPEG images (each with its own DQT and DHT) comes back on stdout and is split at
 * each image's EOI. libavcodec is used because it can halve chroma horizontally only (yuvj422p),
 * which is what DICOM's YBR_FULL_422 describes (PS3.3 C.7.6.3.1.2) and what dciodvfy requires
 * for JPEG Baseline colour; libvips/sharp offers only 4:2:0 or 4:4:4. `-threads 2` slices each
 * frame across both cores.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { CaptureError } from '../capture/errors.js';
import type { RawImage } from './frame-encoder.js';

interface Pending {
  resolve: (jpeg: Uint8Array) => void;
  reject: (e: unknown) => void;
}

/** Finds the end (index after EOI) of the JPEG image starting at `start`, or -1 if not all there yet. */
export function jpegImageEnd(buf: Uint8Array, start: number): number {
  let i = start + 2;
  // Marker segments up to and including SOS carry lengths.
  for (;;) {
    if (i + 4 > buf.length) return -1;
    if (buf[i] !== 0xff) throw new CaptureError('CAPTURE_ENCODER_FAILED', `JPEG stream from ffmpeg: marker expected at byte ${i}`);
    const m = buf[i + 1]!;
    if (m === 0xff) {
      i++;
      continue;
    }
    const len = (buf[i + 2]! << 8) | buf[i + 3]!;
    i += 2 + len;
    if (m === 0xda) break;
  }
  // Entropy-coded data: 0xFF is followed by 0x00 (stuffing) or RSTn, until EOI.
  for (; i + 1 < buf.length; i++) {
    if (buf[i] !== 0xff) continue;
    const n = buf[i + 1]!;
    if (n === 0xd9) return i + 2;
    if (n === 0x00 || (n >= 0xd0 && n <= 0xd7) || n === 0xff) continue;
    // Another scan's marker segments (not produced here, but legal): skip to the next SOS.
    if (n === 0xda || n === 0xc4 || n === 0xdb || n === 0xdd) {
      if (i + 4 > buf.length) return -1;
      i += 1 + ((buf[i + 2]! << 8) | buf[i + 3]!);
    }
  }
  return -1;
}

export class FfmpegMjpegEncoder {
  private child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  private geometry: { width: number; height: number } | undefined;
  private readonly pending: Pending[] = [];
  private buf = new Uint8Array(0);
  private failed: CaptureError | undefined;
  private stderr = '';

  constructor(
    private readonly quality: number,
    private readonly ffmpeg = 'ffmpeg',
  ) {}

  private spawnFor(width: number, height: number): ChildProcessByStdio<Writable, Readable, Readable> {
    // -q:v 2..31 (2 best); map quality 100..50 onto it.
    const q = Math.max(2, Math.min(31, Math.round(2 + (100 - this.quality) / 5)));
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', '30', '-i', 'pipe:0',
      '-sws_flags', 'accurate_rnd+full_chroma_int',
      '-threads', '2', '-thread_type', 'slice', '-c:v', 'mjpeg', '-pix_fmt', 'yuvj422p', '-q:v', String(q), '-huffman', 'optimal',
      '-flush_packets', '1', '-f', 'image2pipe', 'pipe:1',
    ];
    const child = spawn(this.ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      if (this.stderr.length < 4096) this.stderr += s;
    });
    child.stdin.on('error', () => undefined); // reported through 'close'
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.on('error', (e) => this.fail(`cannot run ffmpeg: ${e.message}`));
    child.on('close', (code) => {
      if (code !== 0 || this.pending.length > 0) this.fail(`ffmpeg mjpeg encoder exited with ${code}: ${this.stderr.trim()}`);
      this.child = undefined;
    });
    return child;
  }

  private onData(chunk: Buffer): void {
    const merged = new Uint8Array(this.buf.length + chunk.length);
    merged.set(this.buf);
    merged.set(chunk, this.buf.length);
    this.buf = merged;
    let start = 0;
    for (;;) {
      let end: number;
      try {
        end = start < this.buf.length ? jpegImageEnd(this.buf, start) : -1;
      } catch (e) {
        this.fail((e as Error).message);
        return;
      }
      if (end < 0) break;
      const jpeg = this.buf.slice(start, end);
      start = end;
      this.pending.shift()?.resolve(jpeg);
    }
    this.buf = this.buf.slice(start);
  }

  private fail(message: string): void {
    this.failed ??= new CaptureError('CAPTURE_ENCODER_FAILED', message);
    for (const p of this.pending.splice(0)) p.reject(this.failed);
  }

  encode(image: RawImage): Promise<Uint8Array> {
    if (this.failed) return Promise.reject(this.failed);
    if (image.samplesPerPixel !== 3) return Promise.reject(new CaptureError('CAPTURE_ENCODER_FAILED', 'the 4:2:2 encoder takes RGB frames'));
    if (this.geometry && (this.geometry.width !== image.width || this.geometry.height !== image.height)) {
      return Promise.reject(new CaptureError('CAPTURE_FRAME_SIZE', `frame is ${image.width}×${image.height}; the encoder was started at ${this.geometry.width}×${this.geometry.height}`));
    }
    this.geometry ??= { width: image.width, height: image.height };
    this.child ??= this.spawnFor(image.width, image.height);
    const p = new Promise<Uint8Array>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.child.stdin.write(image.data);
    return p;
  }

  /** No more frames will come: ffmpeg may hold the last ones until its input ends. */
  finish(): void {
    this.child?.stdin.end();
  }

  /** Ends the ffmpeg process (after the frames written so far are encoded). */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const closed = new Promise<void>((r) => child.once('close', () => r()));
    child.stdin.end();
    await closed;
  }
}
