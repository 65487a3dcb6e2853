/**
 * Cine timing from the frames' capture timestamps (PS3.3 C.7.6.5 Cine Module): Frame Time when
 * the frames are evenly spaced, Frame Time Vector (first value 0, then each frame's increment)
 * when they are not, e.g. after the grabber lost frames. The Frame Increment Pointer names the
 * one that is present.
 */
import { IodError } from './errors.js';

export interface CineTiming {
  /** Present when evenly spaced: the mean interval in ms. */
  readonly frameTimeMs?: number;
  /** Present when not evenly spaced: 0, then each interval in ms. */
  readonly frameTimeVectorMs?: readonly number[];
  readonly pointer: 'FrameTime' | 'FrameTimeVector';
  /** Frames per second, rounded (IS). */
  readonly cineRate: number;
  readonly recommendedDisplayFrameRate: number;
  /** Sum of the intervals, in seconds. */
  readonly durationS: number;
}

/** Spacing within this fraction of the mean interval counts as even (timer jitter). */
const EVEN_TOLERANCE = 0.1;

/** Rounds to microseconds: a DS holds 16 characters, and finer resolution is noise. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

export function cineTiming(timestampsMs: readonly number[], nominalFps?: number): CineTiming {
  const n = timestampsMs.length;
  if (n === 0) throw new IodError('IOD_MISSING', 'a cine needs at least one frame');
  const intervals: number[] = [];
  for (let i = 1; i < n; i++) {
    const d = timestampsMs[i]! - timestampsMs[i - 1]!;
    if (!(d > 0)) throw new IodError('IOD_BAD_VALUE', `frame ${i + 1}'s timestamp does not follow frame ${i}'s (${d} ms)`);
    intervals.push(d);
  }
  const mean = intervals.length > 0 ? intervals.reduce((a, b) => a + b, 0) / intervals.length : 1000 / (nominalFps ?? 30);
  const even = intervals.every((d) => Math.abs(d - mean) <= mean * EVEN_TOLERANCE);
  const rate = Math.max(1, Math.round(1000 / mean));
  const durationS = intervals.reduce((a, b) => a + b, 0) / 1000;
  return even
    ? { frameTimeMs: us(mean), pointer: 'FrameTime', cineRate: rate, recommendedDisplayFrameRate: rate, durationS }
    : { frameTimeVectorMs: [0, ...intervals.map(us)], pointer: 'FrameTimeVector', cineRate: rate, recommendedDisplayFrameRate: rate, durationS };
}
