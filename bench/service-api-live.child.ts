/**
 * The service side of bench/service-api.ts's live-frame run, in its own process so that its CPU
 * is measured apart from the client's: the simulated grabber (800×600 RGB, 30 frames/s) through
 * the service's LiveCapture into /api/live. Prints {"port": N} once listening; answers each stdin
 * line "mark" with {"cpuUs": user+system so far, "wallMs": …}; exits on "exit".
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../device/clock.js';
import { LiveCapture } from '../device/exam/live-capture.js';
import { nullLogger } from '../device/log/logger.js';
import { LiveEndpoint } from '../device/web/live.js';
import { sharpLiveEncoder } from '../device/web/live-encoder.js';
import { Router } from '../device/web/router.js';
import { startHttpApi, type Endpoint } from '../device/web/server.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';

const source = new SimulatedFrameSource({ width: 800, height: 600, fps: 30, realtime: true });
const capture = new LiveCapture(source, { ringSeconds: 10, clock: systemClock, log: nullLogger });
capture.start();
const live = new LiveEndpoint({ live: capture, encode: sharpLiveEncoder(), log: nullLogger, recording: () => false });
const api = await startHttpApi({ router: new Router<Endpoint>(), log: nullLogger, host: '127.0.0.1', port: 0, websockets: { '/api/live': live } });
console.log(JSON.stringify({ port: api.port() }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'mark') {
    const u = process.cpuUsage();
    console.log(JSON.stringify({ cpuUs: u.user + u.system, wallMs: performance.now() }));
  } else if (line === 'exit') break;
}
await api.close();
await capture.stop();
process.exit(0);
