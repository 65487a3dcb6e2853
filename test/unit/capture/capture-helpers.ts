/** Shared by the capture tests: a simulated session captured straight to a file. */
import { randomBytes } from 'node:crypto';
import { uidGenerator } from '../../../dicom/core/index.js';
import { unscheduledExam, type ExamContext } from '../../../dicom/iod/index.js';
import { CaptureSession, captureAndStore, type CaptureKind, type FrameSource } from '../../../device/capture/index.js';
import { encoderFor, type CaptureSyntax } from '../../../device/codecs/index.js';
import { SimulatedFrameSource, type SimulatedSourceOptions } from '../../../hw-sim/frame-grabber/index.js';

export const newUid = uidGenerator((n) => new Uint8Array(randomBytes(n)));
export const WHEN = { date: '20250102', time: '030405.000000' };
export const EQUIPMENT = { manufacturer: 'sonicart', modelName: 'test cart', softwareVersions: 'test' };

export function sim(o: SimulatedSourceOptions = {}): SimulatedFrameSource {
  return new SimulatedFrameSource({ width: 320, height: 240, fps: 20, realtime: false, seed: 7, ...o });
}

export async function captureToDir(
  source: FrameSource,
  kind: CaptureKind,
  ts: CaptureSyntax,
  outDir: string,
  o: { seconds?: number; exam?: ExamContext } = {},
) {
  const encoder = encoderFor(ts);
  await encoder.prepare?.();
  const session = new CaptureSession(source, { ringSeconds: 5 });
  session.start();
  try {
    return await captureAndStore(session, kind, o.seconds ?? 0.5, 'next', {
      encoder,
      exam: o.exam ?? unscheduledExam({ id: 'P1', name: 'Doe^Jane' }, WHEN, newUid),
      series: { uid: newUid(), number: 1 },
      equipment: EQUIPMENT,
      instanceNumber: 1,
      sopInstanceUid: newUid(),
      outDir,
      wallClock: (t) => new Date(Date.UTC(2025, 0, 2, 3, 4, 5) + t),
    });
  } finally {
    await session.stop();
  }
}
