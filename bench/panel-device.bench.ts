/**
 * The panel wired to the running service: from a freeze key pressed on the simulated panel to the
 * freeze LED lit on it (key frame over the pty, ACK, exam freeze, state event, ledsFor, LED_SET
 * frame back, panel updates), beside the floor of the same pty pair: one raw frame there and one
 * back with no protocol or service in between. Prints a small table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDeviceConfig } from '../device/config/index.js';
import { nullLogger } from '../device/log/logger.js';
import { encodeMessage, openSerialLine } from '../device/panel/index.js';
import { startService } from '../device/service.js';
import { SimulatedPanel, startPtyPair } from '../hw-sim/panel/index.js';
import { freePort } from '../test/helpers/net-peers.js';
import { now } from './measure.js';

const N = 100;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (name: string, xs: number[]): string =>
  `${name.padEnd(52)} p50 ${pct(xs, 50).toFixed(2).padStart(7)} ms   p95 ${pct(xs, 95).toFixed(2).padStart(7)} ms   max ${Math.max(...xs).toFixed(2).padStart(7)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'sonicart-panel-dev-bench-'));
const pair = await startPtyPair(join(dir, 'host'), join(dir, 'panel'));
try {
  // floor: a frame to the host end and one back, raw
  const a = await openSerialLine(pair.hostPath, 115200);
  const b = await openSerialLine(pair.panelPath, 115200);
  const frame = encodeMessage({ type: 'key-down', key: 'freeze' }, 1);
  let back: (() => void) | undefined;
  a.listen(() => a.write(frame), () => undefined);
  b.listen(() => back?.(), () => undefined);
  const floor: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = now();
    await new Promise<void>((r) => {
      back = r;
      b.write(frame);
    });
    floor.push(now() - t);
  }
  await a.close();
  await b.close();

  const sim = await SimulatedPanel.open(pair.panelPath);
  const config = parseDeviceConfig({
    dataDir: join(dir, 'data'),
    uiPort: await freePort(),
    capture: { transferSyntax: 'explicit', ringSeconds: 2, maxCineSeconds: 1 },
    panel: { path: pair.hostPath },
  });
  const service = await startService(config, { log: nullLogger, configSource: 'bench' });
  await sim.waitFor((p) => p.hostHello !== undefined);
  await service.device.exams.start({ patient: { name: 'Bench^Panel', id: 'B1' } });
  const keyToLed: number[] = [];
  for (let i = 0; i < N; i++) {
    const want = sim.leds.freeze === 'on' ? 'off' : 'on';
    const t = now();
    sim.tap('freeze');
    await sim.waitFor((p) => p.leds.freeze === want);
    keyToLed.push(now() - t);
  }
  await service.stop({ drain: true });
  await sim.close();
  console.log(`panel wired to the service, socat pty pair, ${N} round trips each`);
  console.log(row('raw pty: a frame there and back (floor)', floor));
  console.log(row('freeze key → exam frozen → freeze LED on the panel', keyToLed));
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
}
