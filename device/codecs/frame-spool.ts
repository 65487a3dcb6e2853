/**
 * Encoded (or native) frames kept on disk until the part of the file that precedes them can be
 * written. Whatever comes before Pixel Data depends on every frame: Number of Frames and the
 * frame timing of a cine still being recorded, the Basic Offset Table (each fragment's size,
 * PS3.5 A.4) and Lossy Image Compression Ratio (the compressed total). So frames are appended
 * here as they are produced, and read back one at a time once the header is known: memory holds
 * a frame or a chunk, never the object.
 *
 * One spool per object; the file is hidden (leading dot) and removed by dispose(), which every
 * user calls in a finally.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readAt } from './frames.js';

/** Native pixel data is read back in chunks of this size, whatever the frame size. */
const NATIVE_CHUNK = 4 * 1024 * 1024;

export class FrameSpool {
  private readonly sizes: number[] = [];
  private end = 0;
  private disposed = false;
  /** Set by endAppending(): no frame will follow (and why, when it failed). */
  private ended: { error?: unknown } | undefined;
  private wake: (() => void) | undefined;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /** A new spool file in `dir` (put it on the target's file system: a cine can be gigabytes). */
  static async create(dir: string, name = `.sonicart-${process.pid}-${randomBytes(6).toString('hex')}.spool`): Promise<FrameSpool> {
    const path = join(dir, name);
    return new FrameSpool(path, await open(path, 'w+'));
  }

  /** Frames appended so far. */
  get count(): number {
    return this.sizes.length;
  }

  /** Bytes appended so far (as given, without fragment padding). */
  get bytes(): number {
    return this.end;
  }

  /** Bytes of the frames as fragment items' values: each padded to even length (PS3.5 A.4). */
  get fragmentBytes(): number {
    return this.sizes.reduce((a, s) => a + s + (s % 2), 0);
  }

  async append(frame: Uint8Array): Promise<void> {
    let done = 0;
    while (done < frame.length) done += (await this.fh.write(frame, done, frame.length - done, this.end + done)).bytesWritten;
    this.end += frame.length;
    this.sizes.push(frame.length);
    this.signal();
  }

  /** No more frames will be appended; `error`: why appending stopped early (follow() throws it). */
  endAppending(error?: unknown): void {
    this.ended ??= error === undefined ? {} : { error };
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /**
   * The frames in order while they are still being appended, each read into its own buffer
   * (the reader owns it); ends after endAppending(), or throws the error given to it.
   */
  async *follow(): AsyncGenerator<Uint8Array> {
    let at = 0;
    for (let i = 0; ; i++) {
      while (i >= this.sizes.length && !this.ended) await new Promise<void>((r) => (this.wake = r));
      if (this.ended?.error !== undefined) throw this.ended.error;
      if (i >= this.sizes.length) return;
      const s = this.sizes[i]!;
      yield await readAt(this.fh, at, s);
      at += s;
    }
  }

  /**
   * The Basic Offset Table for the frames written as one fragment each: the offset of each
   * frame's item from the first item. Empty when an offset does not fit 32 bits (allowed; the
   * reader then finds frames by their JPEG markers).
   */
  offsetTable(): Uint8Array {
    const table = new Uint8Array(4 * this.sizes.length);
    const view = new DataView(table.buffer);
    let at = 0;
    this.sizes.forEach((s, i) => {
      view.setUint32(4 * i, at, true);
      at += 8 + s + (s % 2);
    });
    return at <= 0xffffffff ? table : new Uint8Array(0);
  }

  /** The frames, one buffer each, in order (one fragment per frame). */
  async *frames(): AsyncGenerator<Uint8Array> {
    let at = 0;
    for (const s of this.sizes) {
      yield await readAt(this.fh, at, s);
      at += s;
    }
  }

  /**
   * All bytes in order, in chunks of at most 4 MiB (native pixel data, whatever the frame
   * size). One buffer is reused: a chunk is valid until the next is asked for, so write it
   * before iterating on (a gigabyte cine then costs 4 MiB, not a gigabyte of garbage).
   */
  async *chunks(): AsyncGenerator<Uint8Array> {
    const buf = new Uint8Array(Math.min(NATIVE_CHUNK, this.end));
    for (let at = 0; at < this.end; at += NATIVE_CHUNK) yield await readAt(this.fh, at, Math.min(NATIVE_CHUNK, this.end - at), buf);
  }

  /** Closes and removes the file; safe to call more than once. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.fh.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
