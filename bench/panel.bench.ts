/**
 * The control panel over a socat pty pair: how long from a key press on the (simulated) panel to
 * the key event in the service, and from setLeds() to the LED changed on the panel, beside the
 * floor: the same pty pair carrying raw bytes with no protocol (write on one end → 'data' on the
 * other). Also the framer's throughput on a long stream. Prints a small table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_LEDS_OFF, PanelFramer, SerialPanel, encodeMessage, openSerialLine, type PanelMessage } from '../device/panel/index.js';
import { SimulatedPanel, startPtyPair } from '../hw-sim/panel/index.js';
import { now } from './measure.js';

const N = 300;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (name: string, xs: number[]): string =>
  `${name.padEnd(44)} p50 ${pct(xs, 50).toFixed(3).padStart(7)} ms   p95 ${pct(xs, 95).toFixed(3).padStart(7)} ms   max ${Math.max(...xs).toFixed(3).padStart(7)} ms`;

const dir = await mkdtemp(join(tmpdir(), 'sonicart-panel-bench-'));
const pair = await startPtyPair(join(dir, 'host'), join(dir, 'panel'));
try {
  // floor: raw bytes through the same pty pair
  const a = await openSerialLine(pair.hostPath, 115200);
  const b = await openSerialLine(pair.panelPath, 115200);
  let resolveRaw: (() => void) | undefined;
  a.listen(() => resolveRaw?.(), () => undefined);
  b.listen(() => undefined, () => undefined);
  const raw: number[] = [];
  const bytes = encodeMessage({ type: 'key-down', key: 'freeze' }, 1);
  for (let i = 0; i < N; i++) {
    const t = now();
    await new Promise<void>((r) => {
      resolveRaw = r;
      b.write(bytes);
    });
    raw.push(now() - t);
  }
  await a.close();
  await b.close();

  const sim = await SimulatedPanel.open(pair.panelPath, { heartbeatMs: 1000 });
  const panel = new SerialPanel({ path: pair.hostPath });
  await new Promise<void>((r) => {
    panel.on('status', (s) => s.state === 'connected' && r());
    panel.start();
  });
  const keys: number[] = [];
  let resolveKey: (() => void) | undefined;
  panel.on('key', () => resolveKey?.());
  for (let i = 0; i < N; i++) {
    const t = now();
    await new Promise<void>((r) => {
      resolveKey = r;
      sim.press('still');
    });
    keys.push(now() - t);
  }
  const leds: number[] = [];
  for (let i = 0; i < N; i++) {
    const want = { ...ALL_LEDS_OFF, freeze: i % 2 ? 'on' : 'off' } as const;
    const t = now();
    panel.setLeds(want);
    await sim.waitFor((s) => s.leds.freeze === want.freeze);
    leds.push(now() - t);
  }
  await panel.stop();
  await sim.close();

  // framer throughput: 10 000 frames of every kind in one stream, pushed in 64-byte reads
  const msgs: PanelMessage[] = [
    { type: 'key-down', key: 'cine' },
    { type: 'led-set', leds: { freeze: 'blink', error: 'on', sending: 'blink' } },
    { type: 'hello', reply: true, minor: 0, id: 'SP-0042', firmware: '1.3.0' },
    { type: 'heartbeat' },
  ];
  const frames = Array.from({ length: 10_000 }, (_, i) => encodeMessage(msgs[i % msgs.length]!, i & 0xff));
  const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  frames.reduce((o, f) => (stream.set(f, o), o + f.length), 0);
  const f = new PanelFramer();
  const t0 = now();
  let count = 0;
  for (let o = 0; o < stream.length; o += 64) count += f.push(stream.subarray(o, o + 64)).length;
  const ms = now() - t0;

  console.log(`panel over a socat pty pair, ${N} samples each`);
  console.log(row('floor: raw 9 bytes through the pty pair', raw));
  console.log(row('key press → ControlPanel key event', keys));
  console.log(row('setLeds() → LED changed on the panel', leds));
  console.log(`framer: ${count} frames, ${(stream.length / 1e6).toFixed(2)} MB in ${ms.toFixed(1)} ms = ${(stream.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s (the line carries 0.0115 MB/s at 115200 baud)`);
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
}
