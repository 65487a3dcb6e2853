/**
 * The FrameSource contract (device/capture/frame-source.ts), as one suite that every
 * implementation runs: the simulator (test/contract/frame-source-sim.test.ts) and the ffmpeg
 * reader of V4L2 devices and files (test/contract/frame-source-ffmpeg.test.ts). What the rest
 * of the device relies on:
 * - `info` describes the frames: size, format, a positive rate, a description;
 * - frames arrive once each, in sequence order from 0, with width × height × bytes-per-pixel
 *   bytes, in the announced size and format, timestamps increasing about 1/fps apart;
 * - a delivered frame's bytes are never written again (the ring and captures hold them);
 * - `start()` resolves `eof` with the frame count when the input is exhausted, `stopped` after
 *   `stop()`; no frame arrives once `stop()` resolved; `stop()` is idempotent;
 * - a second `start()` is refused with CAPTURE_BAD_ARGUMENT;
 * - a failing device or file rejects `start()` with CAPTURE_SOURCE_FAILED (where the
 *   implementation has a failure to provoke).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bytesPerPixel, type Frame, type FrameSource, type PixelFormat } from '../../device/capture/index.js';

export interface FrameSourceFactory {
  /** A source that delivers exactly `frames` frames as fast as taken (or paced), then ends. */
  finite(o: { frames: number; format: PixelFormat }): Promise<FrameSource>;
  /** A source that keeps delivering in real time until stopped. */
  live(): Promise<FrameSource>;
  /** A source whose start() fails (device or file gone); absent when the implementation has none. */
  failing?(): Promise<FrameSource>;
}

const hash = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function frameSourceContract(name: string, make: FrameSourceFactory): void {
  describe(`FrameSource contract: ${name}`, () => {
    for (const format of ['RGB24', 'GRAY8'] as const) {
      it(`delivers N ${format} frames once each, in order, of the announced size, then eof`, async () => {
        const source = await make.finite({ frames: 12, format });
        const { width, height, fps, description } = source.info;
        expect(source.info.format).toBe(format);
        expect(width).toBeGreaterThan(0);
        expect(height).toBeGreaterThan(0);
        expect(fps).toBeGreaterThan(0);
        expect(description.length).toBeGreaterThan(0);
        const got: Frame[] = [];
        const end = await source.start((f) => got.push(f));
        expect(end).toEqual({ reason: 'eof', frames: 12 });
        expect(got.map((f) => f.sequence)).toEqual([...Array(12).keys()]);
        for (const f of got) {
          expect([f.width, f.height, f.format]).toEqual([width, height, format]);
          expect(f.data.length).toBe(width * height * bytesPerPixel(format));
        }
        // Timestamps increase, about one frame interval apart on average.
        const gaps = got.slice(1).map((f, i) => f.timestampMs - got[i]!.timestampMs);
        expect(gaps.every((g) => g > 0)).toBe(true);
        const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
        expect(mean).toBeGreaterThan((1000 / fps) * 0.5);
        expect(mean).toBeLessThan((1000 / fps) * 2);
        // Frames differ (the source does not hand out one buffer over and over).
        expect(new Set(got.map((f) => f.data)).size).toBe(12);
      });
    }

    it('never writes to a frame after delivering it', async () => {
      const source = await make.finite({ frames: 10, format: 'RGB24' });
      const seen: { frame: Frame; digest: string }[] = [];
      await source.start((f) => seen.push({ frame: f, digest: hash(f.data) }));
      expect(seen).toHaveLength(10);
      for (const { frame, digest } of seen) expect(hash(frame.data)).toBe(digest);
      // Not all the same picture: the check above would be empty otherwise.
      expect(new Set(seen.map((s) => s.digest)).size).toBeGreaterThan(1);
    });

    it('stops on stop(): resolves "stopped", no frame after stop() resolved, stop() idempotent', async () => {
      const source = await make.live();
      let frames = 0;
      let afterStop = 0;
      let stopped = false;
      let first!: () => void;
      const gotOne = new Promise<void>((r) => (first = r));
      const running = source.start(() => {
        frames++;
        if (stopped) afterStop++;
        first();
      });
      await gotOne;
      await source.stop();
      stopped = true;
      await source.stop();
      expect(await running).toEqual({ reason: 'stopped' });
      await new Promise((r) => setTimeout(r, 150));
      expect(frames).toBeGreaterThan(0);
      expect(afterStop).toBe(0);
    });

    it('refuses a second start() with CAPTURE_BAD_ARGUMENT', async () => {
      const source = await make.finite({ frames: 2, format: 'RGB24' });
      const run = source.start(() => undefined);
      await expect(source.start(() => undefined)).rejects.toMatchObject({ code: 'CAPTURE_BAD_ARGUMENT' });
      await run;
    });

    if (make.failing) {
      const failing = make.failing;
      it('rejects start() with CAPTURE_SOURCE_FAILED when the device or file fails', async () => {
        const source = await failing();
        await expect(source.start(() => undefined)).rejects.toMatchObject({ code: 'CAPTURE_SOURCE_FAILED' });
      });
    }
  });
}
