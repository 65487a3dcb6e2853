/**
 * The ring under a memory budget, holding encoded frames (each its own size): eviction oldest
 * first by bytes and by time, the retrospective window it can give (heldSeconds, capacity),
 * pinned frames under a full budget, several readers at once (two following leases and a
 * retrospective one), and the RingEncoder that feeds it: source order whatever order the
 * encoder finishes in, frames it fails on or is too far behind for counted as lost (never as
 * the source's), a failed encoder replaced, flush() covering every frame offered.
 */
import { describe, expect, it } from 'vitest';
import { FrameRingBuffer, RingEncoder, type Frame } from '../../../device/capture/index.js';
import type { FrameEncoder, RawImage } from '../../../device/codecs/index.js';

const W = 4;
const H = 2;
const TS = '1.2.840.10008.1.2.4.70';
const raw = (sequence: number, fps = 10): Frame => ({ data: new Uint8Array(W * H * 3).fill(sequence & 0xff), width: W, height: H, format: 'RGB24', timestampMs: (sequence * 1000) / fps, sequence });
/** An "encoded" frame of `bytes` bytes. */
const enc = (sequence: number, bytes: number, fps = 10): Frame => ({ ...raw(sequence, fps), data: new Uint8Array(bytes).fill(sequence & 0xff) });
const ring = (seconds: number, maxBytes: number) => new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds, maxBytes, transferSyntaxUid: TS });

describe('ring of encoded frames under a memory budget', () => {
  it('evicts the oldest frames first when the budget is reached, whatever their sizes', () => {
    const r = ring(100, 100);
    [30, 10, 40, 20].forEach((b, i) => expect(r.push(enc(i, b))).toBe(true)); // 100 bytes
    expect(r.push(enc(4, 35))).toBe(true); // 0 (30) and 1 (10) go: 60 + 35 = 95
    expect(r.held().map((f) => f.sequence)).toEqual([2, 3, 4]);
    expect(r.stats()).toMatchObject({ frames: 3, bytes: 95, droppedFull: 0 });
  });

  it('keeps the window by time as well, and says how many seconds it holds and can hold', () => {
    const r = ring(1, 10_000);
    for (let i = 0; i < 30; i++) r.push(enc(i, 100));
    // 1 s window at 10 fps: frames 19..29 (the newest minus 1000 ms, inclusive).
    expect(r.held()[0]!.sequence).toBe(19);
    expect(r.heldSeconds(10)).toBeCloseTo(1.1, 5);
    expect(r.capacitySeconds(10)).toBe(1); // the window, not the budget (100 frames)
    const small = ring(100, 1000);
    for (let i = 0; i < 30; i++) small.push(enc(i, 100));
    expect(small.stats().frames).toBe(10);
    expect(small.heldSeconds(10)).toBeCloseTo(1, 5);
    expect(small.capacitySeconds(10)).toBe(1); // the budget: 10 frames of 100 bytes at 10 fps
  });

  it('never evicts pinned frames: a new frame is dropped (counted) when the budget is full of them', () => {
    const r = ring(100, 300);
    for (let i = 0; i < 3; i++) r.push(enc(i, 100));
    const lease = r.leaseLast(10);
    expect(r.push(enc(3, 100))).toBe(false);
    expect(r.stats().droppedFull).toBe(1);
    lease.advance(0);
    expect(r.push(enc(4, 100))).toBe(true);
    expect(lease.frames().map((f) => f.sequence)).toEqual([1, 2]);
    lease.release();
  });

  it('refuses frames of another geometry and empty ones; accepts any encoded size', () => {
    const r = ring(10, 1000);
    expect(r.push({ ...enc(0, 10), width: 8 })).toBe(false);
    expect(r.push(enc(1, 0))).toBe(false);
    expect(r.push(enc(2, 999))).toBe(true);
    expect(r.stats()).toMatchObject({ rejectedSize: 2, frames: 1 });
    expect(r.leaseLast(1).transferSyntaxUid).toBe(TS);
  });

  it('serves two following leases and a retrospective one at once, each its own frames, each released on its own', async () => {
    const r = ring(100, 10_000);
    for (let i = 0; i < 10; i++) r.push(enc(i, 50));
    const never = new Promise<void>(() => undefined);
    const a = r.follow(1, never); // frames 10..19
    const back = r.leaseLast(0.5); // frames 5..9
    for (let i = 10; i < 15; i++) r.push(enc(i, 50));
    const b = r.follow(0.5, never); // frames 15..19
    const readAll = async (l: typeof a.lease): Promise<number[]> => {
      const got: number[] = [];
      for (let f = await l.next(); f; f = await l.next()) {
        got.push(f.sequence);
        l.advance(f.sequence);
      }
      return got;
    };
    const ra = readAll(a.lease);
    const rb = readAll(b.lease);
    for (let i = 15; i < 25; i++) {
      r.push(enc(i, 50));
      await new Promise((res) => setImmediate(res));
    }
    expect(await ra).toEqual(Array.from({ length: 10 }, (_, i) => i + 10));
    expect(await rb).toEqual([15, 16, 17, 18, 19]);
    expect(await readAll(back)).toEqual([5, 6, 7, 8, 9]);
    for (const l of [a.lease, b.lease, back]) l.release();
  });

  it('a following lease from a given sequence ignores frames captured before it that arrive late', async () => {
    const r = ring(100, 10_000);
    r.push(enc(0, 10));
    // Frames 1 and 2 are still being encoded when "the next 0.3 s" is asked for: it starts at 3.
    const { lease, complete } = r.follow(0.3, new Promise<void>(() => undefined), 3);
    for (let i = 1; i < 8; i++) r.push(enc(i, 10));
    expect(await complete).toBe(true);
    expect(lease.frames().map((f) => f.sequence)).toEqual([3, 4, 5]);
    lease.release();
  });
});

/** An encoder whose frames finish when the test says, in any order. */
function manualEncoder(): FrameEncoder & { jobs: { image: RawImage; resolve: (b: Uint8Array) => void; reject: (e: Error) => void }[]; closed: number } {
  const jobs: { image: RawImage; resolve: (b: Uint8Array) => void; reject: (e: Error) => void }[] = [];
  const e = {
    transferSyntaxUid: TS,
    encapsulated: true,
    lossy: false,
    parallelism: 2,
    jobs,
    closed: 0,
    encode: (image: RawImage) => new Promise<Uint8Array>((resolve, reject) => jobs.push({ image, resolve, reject })),
    photometric: () => 'RGB' as const,
    close: async () => {
      e.closed++;
    },
  };
  return e;
}

describe('ring encoder', () => {
  it('holds each frame raw at once, in source order, and swaps in its encoding whatever order they finish in', async () => {
    const r = ring(100, 10_000);
    const e = manualEncoder();
    const re = new RingEncoder({ ring: r, encoder: () => e, maxInFlight: 8 });
    for (let i = 0; i < 4; i++) expect(re.offer(raw(i))).toBe(true);
    expect(r.held().map((x) => x.data.length)).toEqual([24, 24, 24, 24]);
    expect(r.stats()).toMatchObject({ rawFrames: 4, bytes: 96 });
    const lease = r.leaseLast(10);
    const third = lease.encoded(lease.frames()[2]!); // a reader waits for the encoding of a raw frame
    [3, 1, 2, 0].forEach((i) => e.jobs[i]!.resolve(new Uint8Array(10 + i)));
    await re.drained();
    expect((await third)?.length).toBe(12);
    expect(r.held().map((x) => [x.sequence, x.data.length])).toEqual([[0, 10], [1, 11], [2, 12], [3, 13]]);
    expect(r.stats()).toMatchObject({ rawFrames: 0, bytes: 46 });
    lease.release();
  });

  it('when behind, keeps frames raw (the budget then holds fewer seconds) instead of leaving holes, and encodes the newest waiting frame first', async () => {
    const r = ring(100, 24 * 5); // five raw frames
    const e = manualEncoder();
    const re = new RingEncoder({ ring: r, encoder: () => e, maxInFlight: 1 });
    for (let i = 0; i < 8; i++) expect(re.offer(raw(i))).toBe(true);
    expect(r.held().map((x) => x.sequence)).toEqual([3, 4, 5, 6, 7]); // no gap: the oldest went
    e.jobs[0]!.resolve(new Uint8Array(4)); // frame 0, evicted meanwhile: ignored
    await new Promise((res) => setImmediate(res));
    expect(e.jobs).toHaveLength(2);
    expect(e.jobs[1]!.image.data[0]).toBe(7); // the newest waiting frame: it stays longest
    e.jobs[1]!.resolve(new Uint8Array(4));
    await new Promise((res) => setImmediate(res));
    expect(r.held().map((x) => x.data.length)).toEqual([24, 24, 24, 24, 4]);
    expect(e.jobs[2]!.image.data[0]).toBe(6);
    expect(r.stats()).toMatchObject({ sourceGaps: 0, droppedFull: 0, encoderFailed: 0 });
  });

  it('leaves frames beyond maxWaiting raw (skipped, counted); a reader of such a frame is told to encode it itself', async () => {
    const r = ring(100, 10_000);
    const e = manualEncoder();
    const re = new RingEncoder({ ring: r, encoder: () => e, maxInFlight: 1, maxWaiting: 2 });
    for (let i = 0; i < 5; i++) re.offer(raw(i)); // 0 in flight; 1 and 2 pushed out of the wait list by 3 and 4
    expect(r.stats()).toMatchObject({ encoderSkipped: 2, rawFrames: 5 });
    const lease = r.leaseLast(10);
    expect(await lease.encoded(lease.frames()[1]!)).toBeUndefined();
    e.jobs[0]!.resolve(new Uint8Array(3));
    await new Promise((res) => setImmediate(res));
    expect(e.jobs.map((j) => j.image.data[0])).toEqual([0, 4]);
    lease.release();
  });

  it('a frame the encoder fails on stays raw (counted; encoded() says so) and the encoder is replaced', async () => {
    const r = ring(100, 10_000);
    const made: ReturnType<typeof manualEncoder>[] = [];
    const errors: number[] = [];
    const re = new RingEncoder({ ring: r, encoder: () => (made.push(manualEncoder()), made.at(-1)!), maxInFlight: 4, onError: (_e, seq) => errors.push(seq) });
    for (let i = 0; i < 3; i++) re.offer(raw(i));
    const first = made[0]!;
    first.jobs[0]!.resolve(new Uint8Array(5));
    first.jobs[1]!.reject(new Error('worker died'));
    first.jobs[2]!.resolve(new Uint8Array(5));
    await re.drained();
    expect(errors).toEqual([1]);
    expect(made).toHaveLength(2);
    expect(first.closed).toBe(1);
    const lease = r.leaseLast(10);
    const [f0, f1] = lease.frames();
    expect((await lease.encoded(f0!))?.length).toBe(5);
    expect(await lease.encoded(f1!)).toBeUndefined();
    expect(f1!.data.length).toBe(W * H * 3);
    expect(r.stats()).toMatchObject({ received: 3, encoderFailed: 1, frames: 3 });
    re.offer(raw(3));
    made[1]!.jobs[0]!.resolve(new Uint8Array(5));
    await re.drained();
    expect(r.held().at(-1)!.data.length).toBe(5);
    lease.release();
  });

  it('refuses raw frames of the wrong size before encoding them', () => {
    const r = ring(100, 10_000);
    const e = manualEncoder();
    const re = new RingEncoder({ ring: r, encoder: () => e });
    expect(re.offer({ ...raw(0), data: new Uint8Array(3) })).toBe(false);
    expect(e.jobs).toHaveLength(0);
    expect(r.stats().rejectedSize).toBe(1);
  });

  it('is refused for a ring of another syntax', () => {
    const rawRing = new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 1, maxBytes: 1000 });
    expect(() => new RingEncoder({ ring: rawRing, encoder: manualEncoder })).toThrow(/raw samples/);
  });
});
