import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sim } from './capture-helpers.js';

const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('simulated frame grabber', () => {
  it('is deterministic for a seed and differs between seeds and frames', () => {
    expect(hash(sim({ seed: 3 }).renderFrame(5))).toBe(hash(sim({ seed: 3 }).renderFrame(5)));
    expect(hash(sim({ seed: 3 }).renderFrame(5))).not.toBe(hash(sim({ seed: 4 }).renderFrame(5)));
    expect(hash(sim({ seed: 3 }).renderFrame(5))).not.toBe(hash(sim({ seed: 3 }).renderFrame(6)));
  });

  // The FrameSource contract (order, timestamps, eof, stop, untouched frames) is checked in
  // test/contract/, on this simulator and on the ffmpeg source alike.

  it('describes its calibration inside the image', () => {
    const { regions, probe, width, height } = sim().info;
    const r = regions![0]!;
    expect(r.maxX).toBeLessThan(width);
    expect(r.maxY).toBeLessThan(height);
    // depth in cm over the sector radius in pixels
    expect(r.physicalDeltaY * (r.maxY - r.minY)).toBeCloseTo(probe!.depthCm, 5);
  });
  // Rendering speed is a benchmark (bench/capture.ts), not a test.
});
