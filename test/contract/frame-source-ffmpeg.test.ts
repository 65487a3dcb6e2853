/**
 * The FrameSource contract on the ffmpeg reader (device/capture/ffmpeg-source.ts), the code
 * path of V4L2 grabbers, fed with clips made by ffmpeg itself (lavfi testsrc, lossless FFV1).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { FfmpegFrameSource } from '../../device/capture/index.js';
import { scratchDir } from '../helpers/run-tool.js';
import { frameSourceContract } from './frame-source.contract.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const clip = (name: string, frames: number, rate: number): string => {
  const path = join(dir, name);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=${rate}`, '-frames:v', String(frames), '-c:v', 'ffv1', '-y', path]);
  return path;
};
const clips = new Map<number, string>();
let long = '';

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-contract-ffmpeg-'));
  for (const n of [2, 10, 12]) clips.set(n, clip(`testsrc-${n}.mkv`, n, 10));
  long = clip('long.mkv', 300, 25);
});
afterAll(() => cleanup());

frameSourceContract('ffmpeg (file)', {
  finite: ({ frames, format }) => FfmpegFrameSource.open({ input: { kind: 'file', path: clips.get(frames)! }, format }),
  live: () => FfmpegFrameSource.open({ input: { kind: 'file', path: long }, realtime: true }),
  failing: () => FfmpegFrameSource.open({ input: { kind: 'file', path: clips.get(2)! }, ffmpeg: join(dir, 'no-such-ffmpeg') }),
});
