/**
 * /api/live over a real WebSocket, fed by the service's own live chain (LiveCapture) on the
 * simulated frame grabber: each binary message is the documented header plus a JPEG that
 * jpeg-js (not our code) decodes to the frame the simulator drew (loosely: it is lossy); nothing
 * more is sent until the client acks, and what comes after an ack is the newest frame, with the
 * frames it skipped counted.
 */
import jpeg from 'jpeg-js';
import { firstValueFrom, skip } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Frame } from '../../../device/capture/index.js';
import { systemClock } from '../../../device/clock.js';
import { LiveCapture } from '../../../device/exam/live-capture.js';
import { nullLogger } from '../../../device/log/logger.js';
import { LIVE_HEADER_BYTES } from '../../../device/web/api-types.js';
import { LiveEndpoint } from '../../../device/web/live.js';
import { sharpLiveEncoder } from '../../../device/web/live-encoder.js';
import { decodeLiveMessage } from '../../../device/web/live-frame.js';
import { Router } from '../../../device/web/router.js';
import { startHttpApi, type Endpoint, type HttpApi } from '../../../device/web/server.js';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';

let api: HttpApi;
let capture: LiveCapture;
const drawn = new Map<number, Frame>();

beforeAll(async () => {
  const source = new SimulatedFrameSource({ width: 320, height: 240, fps: 30, seed: 7 });
  capture = new LiveCapture(source, { ringSeconds: 1, clock: systemClock, log: nullLogger });
  capture.frames$.subscribe((f) => {
    drawn.set(f.frame.sequence, f.frame);
    if (drawn.size > 200) drawn.delete(Math.min(...drawn.keys()));
  });
  capture.start();
  const live = new LiveEndpoint({ live: capture, encode: sharpLiveEncoder(85), log: nullLogger, recording: () => false });
  api = await startHttpApi({ router: new Router<Endpoint>(), log: nullLogger, host: '127.0.0.1', port: 0, websockets: { '/api/live': live } });
});
afterAll(async () => {
  await api?.close();
  await capture?.stop();
});

/** A client that queues what it receives and lets the test wait for the next message. */
function client(): Promise<{ ws: WebSocket; next: () => Promise<Buffer>; received: () => number; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${api.port()}/api/live`);
  const queue: Buffer[] = [];
  let waiter: ((b: Buffer) => void) | undefined;
  let count = 0;
  ws.on('message', (data: Buffer) => {
    count++;
    if (waiter) {
      const w = waiter;
      waiter = undefined;
      w(data);
    } else queue.push(data);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.on('open', () =>
      resolve({
        ws,
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiter = r))),
        received: () => count,
        closed,
      }),
    );
    ws.on('error', reject);
  });
}

const framesFromNow = (n: number): Promise<unknown> => firstValueFrom(capture.frames$.pipe(skip(n - 1)));

describe('/api/live', () => {
  it('sends the header and a JPEG of the frame the simulator drew', async () => {
    const before = Date.now();
    const c = await client();
    const msg = await c.next();
    const { header, jpeg: bytes } = decodeLiveMessage(msg);
    expect(header).toMatchObject({ version: 1, width: 320, height: 240, frozen: false, recording: false, skipped: 0 });
    expect(msg.readUInt16LE(2)).toBe(LIVE_HEADER_BYTES);
    expect(header.sendTimeMs).toBeGreaterThanOrEqual(header.captureTimeMs);
    expect(header.captureTimeMs).toBeGreaterThan(before - 1000);
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    expect([img.width, img.height]).toEqual([320, 240]);
    const frame = drawn.get(header.sequence)!;
    expect(frame, `frame ${header.sequence} drawn`).toBeDefined();
    // Lossy: compare the mean absolute difference over every sample, and the image must not be blank.
    let diff = 0;
    let energy = 0;
    for (let i = 0; i < frame.data.length; i++) {
      diff += Math.abs(frame.data[i]! - img.data[i]!);
      energy += frame.data[i]!;
    }
    expect(diff / frame.data.length).toBeLessThan(6);
    expect(energy / frame.data.length).toBeGreaterThan(5);
    c.ws.close();
  });

  it('sends nothing more until the ack, then the newest frame with the skipped count', async () => {
    const c = await client();
    const first = decodeLiveMessage(await c.next()).header;
    await framesFromNow(6);
    expect(c.received()).toBe(1);
    // An ack of another sequence is ignored.
    c.ws.send(JSON.stringify({ ack: first.sequence + 1000 }));
    await framesFromNow(3);
    expect(c.received()).toBe(1);
    c.ws.send(JSON.stringify({ ack: first.sequence }));
    const second = decodeLiveMessage(await c.next()).header;
    expect(second.sequence).toBeGreaterThanOrEqual(first.sequence + 9);
    expect(second.skipped).toBe(second.sequence - first.sequence - 1);
    expect(second.captureTimeMs).toBeGreaterThan(first.captureTimeMs);
    c.ws.close();
  });

  it('a client that acks each frame at once keeps receiving', async () => {
    const c = await client();
    let last = -1;
    for (let i = 0; i < 5; i++) {
      const h = decodeLiveMessage(await c.next()).header;
      expect(h.sequence).toBeGreaterThan(last);
      last = h.sequence;
      c.ws.send(JSON.stringify({ ack: h.sequence }));
    }
    c.ws.close();
  });

  it('anything but an ack closes the socket with 1003', async () => {
    const c = await client();
    await c.next();
    c.ws.send('hello');
    expect(await c.closed).toBe(1003);
  });
});
