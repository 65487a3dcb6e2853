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
    const ended = { promise: new Promise<void>((res) => (endSource = res)), resolve: () => endSource() };
    const next = r.leaseNext(1, ended.promise);
    for (let i = 1; i <= 40; i++) r.push(frame(i, 25));
    const { lease, complete } = await next;
    expect(complete).toBe(true);
    expect(lease.frames().map((f) => f.sequence)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    const early = r.leaseNext(5, ended.promise);
    for (let i = 41; i <= 50; i++) r.push(frame(i, 25));
    ended.resolve();
    const cut = await early;
    expect(cut.complete).toBe(false);
    expect(cut.lease.frames()).toHaveLength(10);
  });
});
