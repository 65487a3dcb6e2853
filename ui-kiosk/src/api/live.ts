/**
 * The live image from /api/live: one JPEG at a time, acknowledged only after it is on the
 * canvas, so the service sends the newest frame when we are ready and a slow screen shows a
 * lower frame rate, never a growing delay. Frame age (now − capture time) and frame rate are
 * measured here, in the page, and shown when the image lags.
 */
import { signal } from '@preact/signals';
import type * as Api from '../../../device/web/api-types.js';
import type { LiveAck, LiveFrameHeader } from '../../../device/web/api-types.js';

// The kiosk takes only types from device/ (dependency rule), so the flag bits are restated here,
// typed as the service's constants: a changed value on either side does not compile.
const LIVE_FLAG_FROZEN: typeof Api.LIVE_FLAG_FROZEN = 1;
const LIVE_FLAG_RECORDING: typeof Api.LIVE_FLAG_RECORDING = 2;
import { wsUrl } from './events.js';

export interface LiveStats {
  readonly fps: number;
  /** Median and 95th percentile of frame age over the last ~2 s, milliseconds. */
  readonly ageP50: number;
  readonly ageP95: number;
  readonly frames: number;
  readonly skipped: number;
  readonly frozen: boolean;
  readonly recording: boolean;
  readonly lastFrameAt: number;
}

export const liveStats = signal<LiveStats>({ fps: 0, ageP50: 0, ageP95: 0, frames: 0, skipped: 0, frozen: false, recording: false, lastFrameAt: 0 });

export function parseLiveHeader(buf: ArrayBuffer): { header: LiveFrameHeader; jpeg: Uint8Array<ArrayBuffer> } {
  const v = new DataView(buf);
  const headerLength = v.getUint16(2, true);
  const flags = v.getUint8(1);
  return {
    header: {
      version: v.getUint8(0),
      frozen: (flags & LIVE_FLAG_FROZEN) !== 0,
      recording: (flags & LIVE_FLAG_RECORDING) !== 0,
      sequence: v.getUint32(4, true),
      captureTimeMs: v.getFloat64(8, true),
      sendTimeMs: v.getFloat64(16, true),
      width: v.getUint16(24, true),
      height: v.getUint16(26, true),
      skipped: v.getUint32(28, true),
    },
    jpeg: new Uint8Array(buf, headerLength) as Uint8Array<ArrayBuffer>,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** What tests and the service engineer can read from the page (window.__sonicartLive). */
interface LiveProbe {
  ages: number[];
  arrivals: number[];
  lastJpeg?: Uint8Array;
  lastHeader?: LiveFrameHeader;
  frames: number;
}

export function connectLive(canvas: HTMLCanvasElement): () => void {
  let ws: WebSocket | undefined;
  let stopped = false;
  const probe: LiveProbe = { ages: [], arrivals: [], frames: 0 };
  (globalThis as { __sonicartLive?: LiveProbe }).__sonicartLive = probe;
  const ctx = canvas.getContext('2d');
  let skipped = 0;

  const onFrame = async (buf: ArrayBuffer): Promise<void> => {
    const { header, jpeg } = parseLiveHeader(buf);
    try {
      const bitmap = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
      if (canvas.width !== bitmap.width || canvas.height !== bitmap.height) {
        canvas.width = bitmap.width;
        canvas.height = bitmap.height;
      }
      ctx?.drawImage(bitmap, 0, 0);
      bitmap.close();
    } finally {
      // Ack even when a frame failed to decode, so one bad frame never stops the image.
      const ack: LiveAck = { ack: header.sequence };
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(ack));
    }
    const now = Date.now();
    probe.frames++;
    probe.lastJpeg = jpeg.slice();
    probe.lastHeader = header;
    probe.ages.push(now - header.captureTimeMs);
    probe.arrivals.push(now);
    while (probe.arrivals.length > 0 && now - probe.arrivals[0]! > 2000) {
      probe.arrivals.shift();
      probe.ages.shift();
    }
    skipped += header.skipped;
    const sorted = [...probe.ages].sort((a, b) => a - b);
    const span = probe.arrivals.length > 1 ? (now - probe.arrivals[0]!) / 1000 : 0;
    liveStats.value = {
      fps: span > 0 ? (probe.arrivals.length - 1) / span : 0,
      ageP50: percentile(sorted, 0.5),
      ageP95: percentile(sorted, 0.95),
      frames: probe.frames,
      skipped,
      frozen: header.frozen,
      recording: header.recording,
      lastFrameAt: now,
    };
  };

  const open = (): void => {
    ws = new WebSocket(wsUrl('/api/live'));
    ws.binaryType = 'arraybuffer';
    // Frames are handled one at a time: the server sends the next only after our ack.
    ws.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) void onFrame(m.data);
    };
    ws.onclose = () => {
      if (!stopped) setTimeout(open, 1000);
    };
  };
  open();
  return () => {
    stopped = true;
    ws?.close();
  };
}
