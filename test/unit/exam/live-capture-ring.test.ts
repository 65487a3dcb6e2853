/**
 * The service's cine ring for the capture syntax: a lossless capture syntax (JPEG Lossless,
 * Explicit VR) has the ring hold frames packed (Sub filter + deflate), and a retrospective cine
 * from it is lossless (every stored frame decodes to exactly the frame the simulator drew, and
 * the file passes dciodvfy); a JPEG Baseline ring holds the frames encoded as before; a
 * retrospective cine longer than the ring holds is refused with CAPTURE_RING_TOO_SHORT naming
 * the limit (the memory budget when it is what limits), and what it holds is shown.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JPEG_BASELINE, JPEG_LOSSLESS_SV1 } from '../../../dicom/encoding/index.js';
import { unscheduledExam } from '../../../dicom/iod/index.js';
import { FrameRingBuffer, SUB_DEFLATE_PACKING, storeCapture } from '../../../device/capture/index.js';
import { systemClock } from '../../../device/clock.js';
import { encoderFor, jpegLosslessEncoder, type FrameEncoder } from '../../../device/codecs/index.js';
import { LiveCapture } from '../../../device/exam/live-capture.js';
import { nullLogger } from '../../../device/log/logger.js';
import { errorResponse } from '../../../device/web/errors.js';
import { decodeFrame8 } from '../../../device/web/frame-image.js';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';
import { runTool, scratchDir } from '../../helpers/run-tool.js';
import { EQUIPMENT, newUid, WHEN } from '../capture/capture-helpers.js';

const W = 160;
const H = 120;
const FPS = 25;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function liveWith(ringEncoder: (() => FrameEncoder) | undefined, ringMemoryBytes?: number): Promise<{ live: LiveCapture; source: SimulatedFrameSource }> {
  const source = new SimulatedFrameSource({ width: W, height: H, fps: FPS, seed: 5 });
  const live = new LiveCapture(source, { ringSeconds: 4, clock: systemClock, log: nullLogger, ...(ringEncoder ? { ringEncoder } : {}), ...(ringMemoryBytes ? { ringMemoryBytes } : {}) });
  await live.prepare();
  live.start();
  cleanups.push(() => live.stop());
  return { live, source };
}

/** What a retrospective cine of an unscheduled exam needs, written to a scratch directory removed after the test. */
async function cineRequest(syntax: 'jpeg-lossless' | 'explicit'): Promise<Parameters<LiveCapture['capture']>[3]> {
  const { dir, cleanup } = await scratchDir('sonicart-ring-');
  cleanups.push(cleanup);
  return {
    encoder: encoderFor(syntax),
    exam: unscheduledExam({ id: 'P1', name: 'Doe^Jane' }, WHEN, newUid),
    series: { uid: newUid(), number: 1 },
    equipment: EQUIPMENT,
    instanceNumber: 1,
    sopInstanceUid: newUid(),
    outDir: dir,
  };
}

/**
 * The cine at `path` holds `frames` consecutive frames exactly as the simulator drew them: the
 * first decodes to one of the source's frames (found going back from the newest), the rest follow.
 */
async function expectSourceFrames(path: string, frames: number, live: LiveCapture, source: SimulatedFrameSource): Promise<void> {
  const first = await decodeFrame8(path, 0);
  let start = -1;
  for (let n = live.latest()!.frame.sequence; n >= 0 && start < 0; n--) if (Buffer.from(source.renderFrame(n)).equals(Buffer.from(first.data))) start = n;
  expect(start).toBeGreaterThanOrEqual(0);
  for (let k = 1; k < frames; k++) expect(Buffer.from((await decodeFrame8(path, k)).data).equals(Buffer.from(source.renderFrame(start + k))), `frame ${k}`).toBe(true);
}

describe('the cine ring in the capture syntax', () => {
  it('JPEG Lossless: frames are held packed, and a retrospective cine is exactly the frames the source drew', async () => {
    const { live, source } = await liveWith(() => jpegLosslessEncoder());
    expect(live.ring.options.packing?.id).toBe(SUB_DEFLATE_PACKING);
    expect(live.ringLimits().transferSyntaxUid).toBeUndefined(); // captures encode what they take
    await sleep(1300);
    const stats = live.stats();
    expect(stats.bytes).toBeLessThan(stats.frames * W * H * 3 / 1.5); // packed (the simulator's speckle: ~2.3×)
    const written = await live.capture('cine', 1, 'last', await cineRequest('jpeg-lossless'));
    expect(written.frames).toBe(FPS);
    expect(written.missingFrames).toBe(0);
    const dciodvfy = await runTool('dciodvfy', [written.path]);
    expect(dciodvfy.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    await expectSourceFrames(written.path, FPS, live, source);
  });

  it('Explicit VR: the ring is packed too, and the cine holds the frames the source drew; JPEG Baseline: the ring holds JPEG', async () => {
    const { live, source } = await liveWith(() => encoderFor('explicit'));
    expect(live.ring.options.packing?.id).toBe(SUB_DEFLATE_PACKING);
    await sleep(800);
    const written = await live.capture('cine', 0.4, 'last', await cineRequest('explicit'));
    expect([written.frames, written.missingFrames]).toEqual([10, 0]);
    await expectSourceFrames(written.path, 10, live, source);
    const baseline = new LiveCapture(new SimulatedFrameSource({ width: W, height: H, fps: FPS }), { ringSeconds: 4, clock: systemClock, log: nullLogger, ringEncoder: () => encoderFor('jpeg-baseline') });
    expect(baseline.ring.options).toMatchObject({ transferSyntaxUid: JPEG_BASELINE });
    expect(baseline.ring.options.packing).toBeUndefined();
  });

  it('frames the ring could not encode (skipped, failed) are encoded by the capture: the cine is whole and still exact', async () => {
    const source = new SimulatedFrameSource({ width: W, height: H, fps: FPS, seed: 9, realtime: false });
    const ring = new FrameRingBuffer({ width: W, height: H, format: 'RGB24', seconds: 10, maxBytes: 64 * W * H * 3, transferSyntaxUid: JPEG_LOSSLESS_SV1 });
    const enc = jpegLosslessEncoder();
    for (let n = 0; n < 10; n++) {
      const frame = { data: source.renderFrame(n), width: W, height: H, format: 'RGB24' as const, timestampMs: (n * 1000) / FPS, sequence: n };
      ring.pushRaw(frame);
      if (n % 3 === 0) ring.settle(n, 'skipped');
      else if (n % 3 === 1) ring.settle(n, 'failed');
      else ring.settle(n, await enc.encode({ data: frame.data, width: W, height: H, samplesPerPixel: 3 }));
    }
    expect(ring.stats()).toMatchObject({ rawFrames: 7, encoderSkipped: 4, encoderFailed: 3 });
    const { dir, cleanup } = await scratchDir('sonicart-ring-');
    cleanups.push(cleanup);
    const lease = ring.leaseLast(10);
    const written = await storeCapture({
      kind: 'cine', lease, encoder: encoderFor('jpeg-lossless'), exam: unscheduledExam({ id: 'P1', name: 'Doe^Jane' }, WHEN, newUid), series: { uid: newUid(), number: 1 },
      equipment: EQUIPMENT, source: source.info, instanceNumber: 1, sopInstanceUid: newUid(), outDir: dir, wallClock: (t) => new Date(t),
    });
    lease.release();
    expect([written.frames, written.missingFrames]).toEqual([10, 0]);
    for (let k = 0; k < 10; k++) expect(Buffer.from((await decodeFrame8(written.path, k)).data).equals(Buffer.from(source.renderFrame(k))), `frame ${k}`).toBe(true);
  });

  it('refuses a retrospective cine longer than the ring holds, naming the memory budget when it is the limit', async () => {
    // Room for 20 raw frames (0.8 s at 25 fps) of a 4 s ring: a raw ring (Explicit VR captures).
    const { live } = await liveWith(undefined, 20 * W * H * 3);
    await sleep(1500);
    const limits = live.ringLimits();
    expect(limits.capacitySeconds).toBeCloseTo(0.8, 5);
    expect(limits.heldSeconds).toBeCloseTo(0.8, 5);
    const request = await cineRequest('explicit');
    const refused = live.capture('cine', 2, 'last', request);
    await expect(refused).rejects.toMatchObject({ code: 'CAPTURE_RING_TOO_SHORT', detail: { requestedSeconds: 2 } });
    await expect(refused).rejects.toThrow(/capture\.ringMemoryMb = 1\.1\) holds 0\.8 s.*at most 0\.8 s/);
    // The API answers it as a 409 with the code and that message.
    const answer = errorResponse(await refused.catch((e: unknown) => e));
    expect(answer.httpStatus).toBe(409);
    expect(answer.body).toMatchObject({ code: 'CAPTURE_RING_TOO_SHORT', message: expect.stringMatching(/longer than the ring holds/) });
    // Within the limit: stored.
    expect((await live.capture('cine', 0.8, 'last', request)).frames).toBe(20);
  });

  it('a ring just started holds what arrived so far, and says so', async () => {
    const { live } = await liveWith(() => jpegLosslessEncoder());
    await sleep(600);
    const { heldSeconds, capacitySeconds } = live.ringLimits();
    expect(heldSeconds).toBeLessThan(1.5);
    expect(capacitySeconds).toBe(4);
    await expect(live.lease('cine', 3, 'last')).rejects.toThrow(/it holds \d\.\d s now/);
  });
});
