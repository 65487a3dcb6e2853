/**
 * Which fragments of encapsulated Pixel Data make up which frame (PS3.5 A.4), and reading one
 * frame at a time from the file:
 *
 * 1. a single-frame object: every fragment belongs to the one frame;
 * 2. a Basic Offset Table with one entry per frame: each entry is the offset of the frame's first
 *    fragment item from the first fragment item;
 * 3. as many fragments as frames: one fragment per frame;
 * 4. otherwise the JPEG markers decide: a frame ends with a fragment whose stream ends with EOI
 *    (FF D9, maybe followed by the one pad byte), and the next starts with SOI (FF D8). Only the
 *    first and last bytes of each fragment are read for this.
 */
import type { FileHandle } from 'node:fs/promises';
import type { PixelDataLocation } from '../files/read-header.js';
import { TranscodeError } from './transcode-errors.js';

export interface Range {
  readonly offset: number;
  readonly length: number;
}

type Encapsulated = Extract<PixelDataLocation, { kind: 'encapsulated' }>;

/** Exactly `length` bytes from `offset`, into `into` (reused by the caller) or a new buffer. */
export async function readAt(fh: FileHandle, offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
  const buf = into ? into.subarray(0, length) : new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) throw new TranscodeError('CONVERT_SHORT_READ', `file ended at byte ${offset + got} while ${length} bytes from ${offset} were being read`);
    got += bytesRead;
  }
  return buf;
}

/** The fragments of each frame, in order; `frames` is Number of Frames (1 when absent). */
export async function frameLayout(fh: FileHandle, px: Encapsulated, frames: number): Promise<Range[][]> {
  const frags = px.fragments;
  if (frags.length === 0) throw new TranscodeError('CONVERT_FRAME_LAYOUT', 'encapsulated pixel data has no fragments');
  if (frames === 1) return [frags.slice()];
  if (px.offsetTable.length === 4 * frames) {
    const bot = await readAt(fh, px.offsetTable.offset, px.offsetTable.length);
    const view = new DataView(bot.buffer, bot.byteOffset, bot.byteLength);
    const base = frags[0]!.offset - 8;
    const index = new Map(frags.map((f, i) => [f.offset - 8 - base, i]));
    const starts: number[] = [];
    for (let i = 0; i < frames; i++) {
      const k = index.get(view.getUint32(4 * i, true));
      if (k === undefined || (i > 0 && k <= starts[i - 1]!)) {
        starts.length = 0;
        break; // a table that does not point at fragment items: fall back to the other rules
      }
      starts.push(k);
    }
    if (starts.length === frames && starts[0] === 0) return starts.map((s, i) => frags.slice(s, starts[i + 1] ?? frags.length));
  }
  if (frags.length === frames) return frags.map((f) => [f]);
  if (frags.length < frames) {
    throw new TranscodeError('CONVERT_FRAME_LAYOUT', `Number of Frames is ${frames} but the pixel data has only ${frags.length} fragments`);
  }
  // Marker scan across fragments.
  const out: Range[][] = [];
  let current: Range[] = [];
  let endedWithEoi = true;
  for (const f of frags) {
    const head = await readAt(fh, f.offset, Math.min(2, f.length));
    const tail = await readAt(fh, f.offset + Math.max(0, f.length - 3), Math.min(3, f.length));
    const soi = head[0] === 0xff && head[1] === 0xd8;
    if (soi && endedWithEoi && current.length > 0) {
      out.push(current);
      current = [];
    }
    current.push(f);
    const t = tail.length;
    endedWithEoi = (tail[t - 2] === 0xff && tail[t - 1] === 0xd9) || (tail[t - 3] === 0xff && tail[t - 2] === 0xd9 && tail[t - 1] === 0x00);
  }
  if (current.length > 0) out.push(current);
  if (out.length !== frames) {
    throw new TranscodeError(
      'CONVERT_FRAME_LAYOUT',
      `Number of Frames is ${frames}, but the ${frags.length} fragments hold ${out.length} JPEG streams (no usable Basic Offset Table)`,
    );
  }
  return out;
}

/** The bytes of one frame: its fragments concatenated. */
export async function readFrame(fh: FileHandle, ranges: readonly Range[]): Promise<Uint8Array> {
  if (ranges.length === 1) return readAt(fh, ranges[0]!.offset, ranges[0]!.length);
  const total = ranges.reduce((a, r) => a + r.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const r of ranges) {
    buf.set(await readAt(fh, r.offset, r.length), at);
    at += r.length;
  }
  return buf;
}
