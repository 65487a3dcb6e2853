/**
 * The simulated frame grabber: synthetic B-mode video at a configured size and frame rate,
 * the same for the same seed, implementing device/capture's FrameSource contract.
 */
import { CaptureError } from '../../device/capture/errors.js';
import type { Frame, FrameSource, FrameSourceInfo, PixelFormat, SourceEnd } from '../../device/capture/frame-source.js';
import { BModeRenderer, sectorGeometry, sectorRegion } from './renderer.js';

export interface SimulatedSourceOptions {
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly format?: PixelFormat;
  readonly seed?: number;
  readonly depthCm?: number;
  readonly probeName?: string;
  readonly probeMHz?: number;
  /** Stop (eof) after this many frames; unlimited by default. */
  readonly maxFrames?: number;
  /**
   * Paced at `fps` on a timer (true, the default, as a grabber is), or as fast as the consumer
   * takes them with timestamps still spaced at 1/fps (tests).
   */
  readonly realtime?: boolean;
  /** Frame sequence numbers to skip (to imitate a grabber that lost frames). */
  readonly skip?: (sequence: number) => boolean;
}

/**
 * A new frame's bytes, not zero-filled (the renderer writes every byte, so zeroing 1.4 MB a
 * frame would be wasted work). Each frame gets its own memory: a delivered frame is never
 * written again (FrameSource contract), and the ring and captures may hold it for seconds with
 * no signal back when they let go, so frames cannot come from a reuse pool. Returned as a plain
 * Uint8Array over the whole ArrayBuffer (a Buffer this size is never carved from Node's shared
 * pool, and a plain view keeps Uint8Array semantics, e.g. slice() copies).
 */
function frameBuffer(bytes: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(bytes);
  return new Uint8Array(b.buffer, b.byteOffset, bytes);
}

export class SimulatedFrameSource implements FrameSource {
  readonly info: FrameSourceInfo;
  private readonly renderer: BModeRenderer;
  private stopping = false;
  private wake: (() => void) | undefined;
  private running: Promise<SourceEnd> | undefined;
  private started = false;

  constructor(private readonly o: SimulatedSourceOptions = {}) {
    const width = o.width ?? 800;
    const height = o.height ?? 600;
    const fps = o.fps ?? 30;
    const depthCm = o.depthCm ?? 16;
    const probe = { name: o.probeName ?? 'C5-2', frequencyMHz: o.probeMHz ?? 3.5, depthCm };
    const g = sectorGeometry(width, height, depthCm);
    const label = `SONICART SIM ${probe.name} ${probe.frequencyMHz}MHZ D${depthCm}CM ${fps}FPS`;
    this.renderer = new BModeRenderer(g, o.seed ?? 1, label);
    this.info = {
      width,
      height,
      fps,
      format: o.format ?? 'RGB24',
      description: `simulator seed ${o.seed ?? 1}`,
      regions: [sectorRegion(g, probe.frequencyMHz)],
      probe,
    };
  }

  /** Frame `n` exactly as the source delivers it (for tests and benchmarks). */
  renderFrame(n: number): Uint8Array {
    const { width, height, format, fps } = this.info;
    const out = frameBuffer(width * height * (format === 'RGB24' ? 3 : 1));
    this.renderer.render(n, n / fps, out);
    return out;
  }

  start(onFrame: (frame: Frame) => void): Promise<SourceEnd> {
    if (this.started) return Promise.reject(new CaptureError('CAPTURE_BAD_ARGUMENT', 'a frame source is started once'));
    this.started = true;
    this.running = this.run(onFrame);
    return this.running;
  }

  private async run(onFrame: (frame: Frame) => void): Promise<SourceEnd> {
    const { width, height, format, fps } = this.info;
    const realtime = this.o.realtime ?? true;
    const t0 = performance.now();
    for (let n = 0; this.o.maxFrames === undefined || n < this.o.maxFrames; n++) {
      if (this.stopping) return { reason: 'stopped' };
      const due = t0 + (n * 1000) / fps;
      if (realtime) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise<void>((r) => {
          const timer = setTimeout(r, wait);
          this.wake = () => {
            clearTimeout(timer);
            r();
          };
        });
        if (this.stopping) return { reason: 'stopped' };
      } else if (n % 8 === 0) {
        // Yield now and then so consumers (and stop()) run even when not paced.
        await new Promise<void>((r) => setImmediate(r));
        if (this.stopping) return { reason: 'stopped' };
      }
      if (this.o.skip?.(n)) continue;
      const data = frameBuffer(width * height * (format === 'RGB24' ? 3 : 1));
      this.renderer.render(n, n / fps, data);
      // Stamped with its capture time on the grabber's clock (n / fps after start), as a real
      // grabber stamps frames when it captures them, not when the event loop gets to them: a
      // busy process delivers late frames in a burst (as from V4L2's queue) with true timestamps.
      onFrame({ data, width, height, format, timestampMs: due, sequence: n });
    }
    return { reason: 'eof', frames: this.o.maxFrames ?? 0 };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running?.catch(() => undefined);
  }
}
