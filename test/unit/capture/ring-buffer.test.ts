import { describe, expect, it } from 'vitest';
import { FrameRingBuffer, type Frame } from '../../../device/capture/index.js';

const W = 4;
const H = 2;
const frame = (sequence: number, fps = 10, o: Partial<Frame> = {}): Frame => ({
  data: new Uint8Array(W * H * 3),
  width: W,
  height: H,
  format: 'RGB24',
  timestampMs: (sequence * 1000) / fps,
  sequence,
  ...o,
});
const ring = (seconds = 1, frames = 1000) => new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds, maxBytes: frames * W * H * 3 });

describe('frame ring buffer', () => {
  it('keeps the last N seconds by timestamp', () => {
    const r = ring(1);
    for (let i = 0; i < 35; i++) r.push(frame(i));
    const held = r.held();
    expect(held.map((f) => f.sequence)).toEqual([24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34]);
    expect(r.stats()).toMatchObject({ received: 35, droppedFull: 0, rejectedSize: 0, sourceGaps: 0 });
  });

  it('never holds more than its memory cap', () => {
    const r = ring(100, 5);
    for (let i = 0; i < 20; i++) expect(r.push(frame(i))).toBe(true);
    expect(r.stats().frames).toBe(5);
    expect(r.stats().bytes).toBe(5 * W * H * 3);
  });

  it('refuses frames of the wrong size or format and counts them', () => {
    const r = ring();
    expect(r.push(frame(0, 10, { width: 8 }))).toBe(false);
    expect(r.push(frame(1, 10, { data: new Uint8Array(5) }))).toBe(false);
    expect(r.push(frame(2, 10, { format: 'GRAY8' }))).toBe(false);
    expect(r.push(frame(3))).toBe(true);
    expect(r.stats()).toMatchObject({ received: 4, rejectedSize: 3, frames: 1 });
  });

  it('counts frames the source lost', () => {
    const r = ring(10);
    [0, 1, 4, 5, 9].forEach((i) => r.push(frame(i)));
    expect(r.stats().sourceGaps).toBe(5);
  });

  it('pins leased frames and drops new ones (counted) rather than evict them when full', () => {
    const r = ring(100, 4);
    for (let i = 0; i < 4; i++) r.push(frame(i));
    const lease = r.leaseLast(10);
    expect(lease.frames().map((f) => f.sequence)).toEqual([0, 1, 2, 3]);
    expect(r.push(frame(4))).toBe(false);
    expect(r.stats().droppedFull).toBe(1);
    lease.advance(1); // frames 0 and 1 written: they may go
    expect(r.push(frame(5))).toBe(true);
    expect(lease.frames().map((f) => f.sequence)).toEqual([2, 3]);
    lease.release();
    for (let i = 6; i < 10; i++) r.push(frame(i));
    expect(r.stats()).toMatchObject({ frames: 4, droppedFull: 1 });
  });

  it('leases the last N seconds: N × fps frames', () => {
    const r = ring(20);
    for (let i = 0; i < 100; i++) r.push(frame(i, 25));
    expect(r.leaseLast(2).frames()).toHaveLength(50);
  });

  it('leases the next N seconds, and what arrived when the source stops early', async () => {
    const r = ring(20);
    r.push(frame(0, 25));
    let endSource!: () => void;
    const ended = new Promise<void>((res) => (endSource = res));
    const next = r.follow(1, ended);
    for (let i = 1; i <= 40; i++) r.push(frame(i, 25));
    expect(await next.complete).toBe(true);
    expect(next.lease.frames().map((f) => f.sequence)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    const early = r.follow(5, ended);
    for (let i = 41; i <= 50; i++) r.push(frame(i, 25));
    endSource();
    expect(await early.complete).toBe(false);
    expect(early.lease.frames()).toHaveLength(10);
  });

  it('hands out the next N seconds frame by frame as they arrive, and lets each go once advanced past', async () => {
    const r = ring(0.2, 6); // 2 frames of history at 10 fps, room for 6
    let endSource!: () => void;
    const { lease, complete } = r.follow(2, new Promise<void>((res) => (endSource = res)));
    const got: number[] = [];
    const reader = (async () => {
      for (let f = await lease.next(); f; f = await lease.next()) {
        got.push(f.sequence);
        lease.advance(f.sequence);
      }
    })();
    // 40 frames at 10 fps through a ring of 6: only a reader that keeps up gets all 20 of the window.
    for (let i = 0; i < 40; i++) {
      r.push(frame(i));
      await new Promise((res) => setImmediate(res));
    }
    await reader;
    expect(await complete).toBe(true);
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(r.stats().droppedFull).toBe(0);
    expect(r.stats().frames).toBeLessThanOrEqual(3);
    endSource();
    lease.release();
  });

  it('drops (and counts) frames rather than grow when the reader of a following lease stalls', async () => {
    const r = ring(100, 4);
    const { lease } = r.follow(10, new Promise<void>(() => undefined));
    for (let i = 0; i < 10; i++) r.push(frame(i));
    expect(r.stats()).toMatchObject({ frames: 4, droppedFull: 6 });
    expect((await lease.next())?.sequence).toBe(0);
    lease.release();
  });
});
