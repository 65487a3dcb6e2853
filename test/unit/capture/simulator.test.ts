import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { Frame } from '../../../device/capture/index.js';
import { sim } from './capture-helpers.js';

const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('simulated frame grabber', () => {
  it('is deterministic for a seed and differs between seeds and frames', () => {
    expect(hash(sim({ seed: 3 }).renderFrame(5))).toBe(hash(sim({ seed: 3 }).renderFrame(5)));
    expect(hash(sim({ seed: 3 }).renderFrame(5))).not.toBe(hash(sim({ seed: 4 }).renderFrame(5)));
    expect(hash(sim({ seed: 3 }).renderFrame(5))).not.toBe(hash(sim({ seed: 3 }).renderFrame(6)));
  });

  it('honours the FrameSource contract: sequence order, spaced timestamps, eof, stop', async () => {
    const s = sim({ maxFrames: 12, fps: 25 });
    const got: Frame[] = [];
    const end = await s.start((f) => got.push(f));
    expect(end).toEqual({ reason: 'eof', frames: 12 });
    expect(got.map((f) => f.sequence)).toEqual([...Array(12).keys()]);
    expect(got[11]!.timestampMs - got[0]!.timestampMs).toBeCloseTo(440, 6);
    expect(got[0]!.data.length).toBe(320 * 240 * 3);
    const live = sim({ realtime: true, fps: 50 });
    const running = live.start(() => undefined);
    await new Promise((r) => setTimeout(r, 60));
    await live.stop();
    expect(await running).toEqual({ reason: 'stopped' });
  });

  it('describes its calibration inside the image', () => {
    const { regions, probe, width, height } = sim().info;
    const r = regions![0]!;
    expect(r.maxX).toBeLessThan(width);
    expect(r.maxY).toBeLessThan(height);
    // depth in cm over the sector radius in pixels
    expect(r.physicalDeltaY * (r.maxY - r.minY)).toBeCloseTo(probe!.depthCm, 5);
  });

  it('renders an 800×600 RGB frame in well under a frame time', () => {
    const s = sim({ width: 800, height: 600 });
    s.renderFrame(0);
    const t0 = performance.now();
    for (let i = 1; i <= 30; i++) s.renderFrame(i);
    const ms = (performance.now() - t0) / 30;
    expect(ms).toBeLessThan(20);
  });
});
