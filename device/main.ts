/**
 * The composition root: the one place that chooses real or simulated hardware (architecture
 * dependency rule: only this file imports hw-sim/).
 */
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';
import type { Hospital, HospitalOptions } from '../hw-sim/hospital/index.js';
import { openHardwareSource, type FrameSource, type SourceSpecOptions } from './capture/index.js';

/** `sim` (the simulator), `v4l2:/dev/videoN` or `file:PATH`. */
export async function openFrameSource(spec: string, o: SourceSpecOptions & { seed?: number } = {}): Promise<FrameSource> {
  if (spec === 'sim') {
    return new SimulatedFrameSource({
      ...(o.width ? { width: o.width } : {}),
      ...(o.height ? { height: o.height } : {}),
      ...(o.fps ? { fps: o.fps } : {}),
      ...(o.format ? { format: o.format } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
  }
  return openHardwareSource(spec, o);
}

/** The simulated hospital (worklist, storage, MPPS, storage commitment) for `sonicart hospital` and `npm start`. */
export async function startSimulatedHospital(o: HospitalOptions): Promise<Hospital> {
  const { startHospital } = await import('../hw-sim/hospital/index.js');
  return startHospital(o);
}

export type { Hospital, HospitalOptions };
