/**
 * Capture under bad conditions: a real ffmpeg source (a lavfi testsrc file), a broken video file,
 * a source that stops mid-cine, frames of the wrong size, a disk that fills while writing.
 */
import { execFileSync } from 'node:child_process';
import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegFrameSource, storeCapture, type Frame, type FrameSource, type RingLease, type SourceEnd } from '../../device/capture/index.js';
import { nativeEncoder } from '../../device/codecs/index.js';
import { writeFileAtomically } from '../../device/files/atomic-write.js';
import { unscheduledExam } from '../../dicom/iod/index.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { captureToDir, EQUIPMENT, newUid, sim, WHEN } from '../unit/capture/capture-helpers.js';

/** A finished lease over given frames, as the ring hands out. */
const leaseOf = (frames: Frame[]): RingLease => {
  let i = 0;
  return { live: false, transferSyntaxUid: undefined, encoded: () => Promise.resolve(undefined), next: () => Promise.resolve(frames[i++]), frames: () => frames.slice(i), advance: () => undefined, release: () => undefined };
};
const dciodvfyErrors = async (path: string) => (await runTool('dciodvfy', [path])).stderr.split('\n').filter((l) => l.startsWith('Error'));

describe('capture from ffmpeg and under failure', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let video: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await scratchDir('sonicart-capture-bad-'));
    video = join(dir, 'testsrc.mkv');
    // 2 s of 160×120 at 10 frames/s, lossless (FFV1), so frames are what testsrc drew.
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '2', '-c:v', 'ffv1', '-y', video]);
  });
  afterAll(() => cleanup());

  it('captures a cine from a video file through ffmpeg', async () => {
    const source = await FfmpegFrameSource.open({ input: { kind: 'file', path: video } });
    expect(source.info).toMatchObject({ width: 160, height: 120, fps: 10, format: 'RGB24' });
    const r = await captureToDir(source, 'cine', 'jpeg-lossless', dir, { seconds: 1 });
    expect(r.frames).toBe(10);
    expect(r.complete).toBe(true);
    expect(await dciodvfyErrors(r.path)).toEqual([]);
  });

  it('reports a broken video file with a code', async () => {
    const broken = join(dir, 'broken.mp4');
    await writeFile(broken, Buffer.from('this is not a video file at all'.repeat(100)));
    await expect(FfmpegFrameSource.open({ input: { kind: 'file', path: broken } })).rejects.toMatchObject({ code: 'CAPTURE_SOURCE_FAILED' });
  });

  it('stores the frames before the break of a truncated video file, or reports the failure with a code', async () => {
    const { readFile } = await import('node:fs/promises');
    const whole = await readFile(video);
    const cut = join(dir, 'truncated.mkv');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.4)));
    const source = await FfmpegFrameSource.open({ input: { kind: 'file', path: cut } });
    try {
      const r = await captureToDir(source, 'cine', 'explicit', dir, { seconds: 1.8 });
      expect(r.complete).toBe(false);
      expect(r.frames).toBeLessThan(18);
      expect(await dciodvfyErrors(r.path)).toEqual([]);
    } catch (e) {
      expect(e).toMatchObject({ code: expect.stringMatching(/^CAPTURE_(SOURCE_FAILED|NO_FRAMES)$/) });
    }
  });

  it('reports an ffmpeg that cannot run', async () => {
    const source = await FfmpegFrameSource.open({ input: { kind: 'file', path: video }, ffmpeg: join(dir, 'no-such-ffmpeg') });
    await expect(source.start(() => undefined)).rejects.toMatchObject({ code: 'CAPTURE_SOURCE_FAILED' });
  });

  it('stores what arrived when the source stops mid-cine', async () => {
    const r = await captureToDir(sim({ maxFrames: 6 }), 'cine', 'explicit', dir, { seconds: 2 });
    expect(r.complete).toBe(false);
    expect(r.frames).toBe(6);
    expect(await dciodvfyErrors(r.path)).toEqual([]);
  });

  it('refuses frames of the wrong size and stores the rest', async () => {
    const inner = sim({ maxFrames: 30 });
    let n = 0;
    const source: FrameSource = {
      info: inner.info,
      start: (onFrame): Promise<SourceEnd> =>
        inner.start((f) => {
          // every fifth frame arrives at another size, as when the scanner changes its output
          onFrame(n++ % 5 === 2 ? { ...f, width: 160, height: 120, data: f.data.subarray(0, 160 * 120 * 3) } : f);
        }),
      stop: () => inner.stop(),
    };
    const r = await captureToDir(source, 'cine', 'explicit', dir, { seconds: 1 });
    expect(r.stats.rejectedSize).toBeGreaterThan(0);
    expect(r.frames).toBeGreaterThan(10);
    expect(await dciodvfyErrors(r.path)).toEqual([]);
  });

  it('refuses a lease whose frames change size, leaving no file', async () => {
    const out = join(dir, 'mixed');
    await mkdir(out);
    const f = (w: number, seq: number): Frame => ({ data: new Uint8Array(w * 10 * 3), width: w, height: 10, format: 'RGB24', timestampMs: seq * 40, sequence: seq });
    const frames = [f(10, 0), f(10, 1), f(12, 2)];
    await expect(
      storeCapture({
        kind: 'cine', lease: leaseOf(frames), encoder: nativeEncoder,
        exam: unscheduledExam({ id: 'P' }, WHEN, newUid), series: { uid: newUid(), number: 1 }, equipment: EQUIPMENT,
        source: { width: 10, height: 10, format: 'RGB24', fps: 25, description: 'test' }, instanceNumber: 1, sopInstanceUid: newUid(),
        outDir: out, wallClock: () => new Date(0),
      }),
    ).rejects.toMatchObject({ code: 'CAPTURE_FRAME_SIZE' });
    expect(await readdir(out)).toEqual([]);
  });

  it('leaves no file when the disk fills while writing (injected ENOSPC)', async () => {
    const out = join(dir, 'enospc');
    await mkdir(out);
    const failing: typeof writeFileAtomically = (path, produce) =>
      writeFileAtomically(path, async (write) => {
        let written = 0;
        await produce(async (chunk) => {
          written += chunk.length;
          if (written > 1_000_000) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          await write(chunk);
        });
      });
    for (const ts of ['explicit', 'jpeg-lossless'] as const) {
      const source = sim({ maxFrames: 40 });
      const { CaptureSession, captureAndStore } = await import('../../device/capture/index.js');
      const { encoderFor } = await import('../../device/codecs/index.js');
      const session = new CaptureSession(source);
      session.start();
      await expect(
        captureAndStore(session, 'cine', 1.5, 'next', {
          encoder: encoderFor(ts), exam: unscheduledExam({ id: 'P' }, WHEN, newUid), series: { uid: newUid(), number: 1 }, equipment: EQUIPMENT,
          instanceNumber: 1, sopInstanceUid: newUid(), outDir: out, wallClock: () => new Date(0), writeFile: failing,
        }),
      ).rejects.toMatchObject({ code: 'CAPTURE_WRITE_FAILED', detail: { errno: 'ENOSPC' } });
      await session.stop();
    }
    expect(await readdir(out)).toEqual([]);
  });

  it('leaves no file when a real file system fills (a 1 MB tmpfs; the tests run as root)', async () => {
    const mnt = join(dir, 'small');
    await mkdir(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'ignore' });
    try {
      // 20 frames of 320×240 RGB: 4.6 MB into 1 MB
      await expect(captureToDir(sim({ maxFrames: 20 }), 'cine', 'explicit', mnt, { seconds: 1 })).rejects.toMatchObject({ code: 'CAPTURE_WRITE_FAILED', detail: { errno: 'ENOSPC' } });
      expect(await readdir(mnt)).toEqual([]);
      await expect(captureToDir(sim({ maxFrames: 20 }), 'cine', 'jpeg-lossless', mnt, { seconds: 1 })).rejects.toMatchObject({ code: 'CAPTURE_WRITE_FAILED', detail: { errno: 'ENOSPC' } });
      expect(await readdir(mnt)).toEqual([]);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
