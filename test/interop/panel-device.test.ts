/**
 * The control panel wired to the running service (issue 11): the simulated panel on one end of a
 * real socat pty pair, the service (createDevice + HTTP API, simulated grabber and media) on the
 * other with config.panel.path naming the pty. Each key drives the exam workflow (checked through
 * the HTTP API), the LEDs and beeps the simulated panel received follow the device state, and a
 * panel that is pulled or babbles raises an alarm in GET /api/state and on /api/events, cleared
 * when it is back, while the service keeps serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SimulatedMediaWatcher } from '../../hw-sim/media/simulated-watcher.js';
import { SimulatedPanel, startPtyPair, type PtyPair } from '../../hw-sim/panel/index.js';
import { parseDeviceConfig } from '../../device/config/index.js';
import { nullLogger } from '../../device/log/logger.js';
import { startService, type RunningService } from '../../device/service.js';
import { freePort } from '../helpers/net-peers.js';

let dir: string;
let pair: PtyPair;
let sim: SimulatedPanel;
let service: RunningService;
let base: string;
let watcher: SimulatedMediaWatcher;

interface StateBody {
  exam: { examId: string; state: string; instances: { kind: string; frames: number }[] } | null;
  capture: { frozen: boolean };
  alarms: { id: string; code: string; severity: string; message: string; params: Record<string, unknown> }[];
  media: { exports: { state: string; volumeLabel: string }[] };
}

const state = async (): Promise<StateBody> => (await (await fetch(`${base}/api/state`)).json()) as StateBody;

/** Polls GET /api/state until `pred` holds (the test's own timeout bounds it). */
async function until(pred: (s: StateBody) => boolean): Promise<StateBody> {
  for (;;) {
    const s = await state();
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function plugPanel(): Promise<void> {
  pair = await startPtyPair(join(dir, 'ttyPANEL-host'), join(dir, 'ttyPANEL-device'));
  sim = await SimulatedPanel.open(pair.panelPath, { id: 'SP-0042', firmware: '1.3.0' });
}

/** Presses and releases a key and waits until the host acknowledged both frames. */
async function tap(key: Parameters<SimulatedPanel['press']>[0]): Promise<void> {
  const down = sim.press(key);
  const up = sim.release(key);
  await sim.waitFor((p) => p.acked.has(down) && p.acked.has(up));
}

type ApiEventLike = { type: string; alarms?: { code: string; message: string }[] };

/** /api/events over a WebSocket: the events seen so far, and a wait for a condition on them. */
async function events(): Promise<{ until(pred: (e: ApiEventLike[]) => boolean): Promise<ApiEventLike[]>; close(): void }> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/events`);
  const got: ApiEventLike[] = [];
  let wake = (): void => undefined;
  ws.on('message', (d: Buffer) => {
    got.push(JSON.parse(d.toString('utf8')) as ApiEventLike);
    wake();
  });
  await new Promise<void>((r) => ws.once('open', () => r()));
  return {
    until: (pred) =>
      new Promise((resolve) => {
        wake = () => {
          if (pred(got)) resolve(got);
        };
        wake();
      }),
    close: () => ws.close(),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-panel-dev-'));
  await plugPanel();
  watcher = new SimulatedMediaWatcher(join(dir, 'media'));
  const config = parseDeviceConfig({
    dataDir: join(dir, 'data'),
    uiPort: await freePort(),
    capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 },
    // nobody listens there: the jobs wait for a retry, which the sending LED shows
    destinations: [{ name: 'PACS', host: '127.0.0.1', port: await freePort(), calledAe: 'PACS', roles: ['store'] }],
    panel: { path: pair.hostPath, footswitch: 'store-still', cineSeconds: 1, cineMode: 'retrospective' },
  });
  service = await startService(config, { log: nullLogger, configSource: 'test', overrides: { mediaWatcher: watcher } });
  base = `http://127.0.0.1:${service.api.port()}`;
  await sim.waitFor((p) => p.hostHello !== undefined);
}, 30_000);

afterAll(async () => {
  await service?.stop({ drain: true });
  await sim?.close().catch(() => undefined);
  await pair?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('control panel keys drive the exam over a socat pty', () => {
  it('a key with no exam open is refused with a warning beep and changes nothing', async () => {
    await tap('still');
    await sim.waitFor((p) => p.beeps.includes('warning'));
    expect((await state()).exam).toBeNull();
  });

  it('freeze, still, footswitch, cine, unfreeze, end, export: each seen through the API, LEDs and beeps on the panel', async () => {
    const r = await fetch(`${base}/api/exams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: { name: 'Doe^Jane', id: 'P1' } }) });
    expect(r.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1200)); // a second of frames in the ring for the cine
    sim.beeps.length = 0;

    await tap('freeze');
    await until((s) => s.capture.frozen);
    await sim.waitFor((p) => p.leds.freeze === 'on');
    await sim.waitFor((p) => p.beeps.includes('click'));

    await tap('still');
    await until((s) => s.exam?.instances.length === 1);
    await sim.waitFor((p) => p.beeps.includes('confirm'));

    await tap('footswitch'); // configured: store-still
    await until((s) => s.exam?.instances.length === 2);

    await tap('cine');
    const withCine = await until((s) => s.exam?.instances.length === 3);
    expect(withCine.exam!.instances.map((i) => [i.kind, i.frames > 1])).toEqual([['still', false], ['still', false], ['cine', true]]);

    await tap('freeze');
    await until((s) => !s.capture.frozen);
    await sim.waitFor((p) => p.leds.freeze === 'off');

    await tap('end-exam');
    await until((s) => s.exam === null);
    const exams = (await (await fetch(`${base}/api/exams`)).json()) as { exams: { state: string }[] };
    expect(exams.exams[0]!.state).toBe('ended');
    // three jobs to a PACS that does not answer: waiting for their retry (steady), and the paused
    // destination's alarm makes the error LED blink
    await sim.waitFor((p) => p.leds.sending === 'on' || p.leds.sending === 'blink');
    await sim.waitFor((p) => p.leds.sending === 'on');
    await sim.waitFor((p) => p.leds.error === 'blink');
    expect((await state()).alarms.find((a) => a.id === 'DESTINATION_PAUSED:PACS')).toMatchObject({ code: 'DESTINATION_PAUSED', params: { destination: 'PACS' } });
    // the alarm's arrival is heard too: three stores confirmed, then the warning
    await sim.waitFor((p) => p.beeps.includes('warning'));
    expect(sim.beeps.filter((b) => b === 'confirm')).toHaveLength(3);

    await watcher.insert('STICK');
    await tap('export');
    const exported = await until((s) => s.media.exports.some((e) => e.state === 'completed'));
    expect(exported.media.exports[0]!.volumeLabel).toBe('STICK');
    // media busy blinked while the export ran, and is off once it is done
    const ledSets = sim.received.flatMap((m) => (m.message.type === 'led-set' ? [m.message.leds] : []));
    expect(ledSets.some((l) => l['media-busy'] === 'blink')).toBe(true);
    await sim.waitFor((p) => p.leds['media-busy'] === 'off');
  }, 30_000);
});

describe('a panel in trouble raises an alarm and never stops the service', () => {
  it('garbage on the line: PANEL_GARBAGE on /api/events, cleared by the HELLO the host then asks for', async () => {
    // raised and cleared within milliseconds (the panel answers the HELLO at once), so it is
    // watched on the event stream, which carries every change of the alarm list
    const ws = await events();
    sim.sendRaw(new Uint8Array(80).fill(0x55));
    const raised = await ws.until((e) => e.some((x) => x.alarms?.some((a) => a.code === 'PANEL_GARBAGE')));
    expect(raised.find((x) => x.alarms?.some((a) => a.code === 'PANEL_GARBAGE'))!.alarms!.find((a) => a.code === 'PANEL_GARBAGE')!.message).toMatch(/control panel/);
    await ws.until((e) => e.at(-1)?.type === 'alarms' && !e.at(-1)!.alarms!.some((a) => a.code.startsWith('PANEL_')));
    ws.close();
    expect((await state()).alarms.filter((a) => a.code.startsWith('PANEL_'))).toEqual([]);
  }, 20_000);

  it('unplugged: PANEL_GONE in /api/state and on /api/events; replugged: cleared, LEDs sent again, keys work', async () => {
    const ws = await events();
    await sim.close();
    await pair.stop();
    await until((s) => s.alarms.some((a) => a.code === 'PANEL_GONE' || a.code === 'PANEL_ABSENT'));
    await ws.until((e) => e.some((x) => x.alarms?.some((a) => a.code === 'PANEL_GONE' || a.code === 'PANEL_ABSENT')));
    ws.close();
    // the service still answers and still works without its panel
    expect((await fetch(`${base}/api/exams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: { name: 'Roe^Ann', id: 'P2' } }) })).status).toBe(201);

    await plugPanel();
    await until((s) => !s.alarms.some((a) => a.code.startsWith('PANEL_')));
    await sim.waitFor((p) => p.received.some((m) => m.message.type === 'led-set'));
    await tap('freeze');
    await until((s) => s.capture.frozen);
    await sim.waitFor((p) => p.leds.freeze === 'on');
  }, 30_000);
});

describe('other panel settings', () => {
  it('footswitch = freeze; cineMode prospective: the recording LED blinks while the next second is recorded', async () => {
    await service.stop({ drain: true });
    const before = sim.received.length;
    const config = parseDeviceConfig({
      dataDir: join(dir, 'data2'),
      uiPort: await freePort(),
      capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 },
      panel: { path: pair.hostPath, footswitch: 'freeze', cineSeconds: 1, cineMode: 'prospective' },
    });
    service = await startService(config, { log: nullLogger, configSource: 'test' });
    base = `http://127.0.0.1:${service.api.port()}`;
    // the new host's HELLO and its whole LED state
    await sim.waitFor((p) => p.received.slice(before).some((m) => m.message.type === 'led-set'));
    expect((await fetch(`${base}/api/exams`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patient: { name: 'Poe^Al', id: 'P3' } }) })).status).toBe(201);
    await tap('footswitch');
    await until((s) => s.capture.frozen);
    await tap('footswitch');
    await until((s) => !s.capture.frozen);
    await tap('cine');
    await sim.waitFor((p) => p.leds.recording === 'blink');
    const s = await until((x) => x.exam?.instances.length === 1);
    expect(s.exam!.instances[0]).toMatchObject({ kind: 'cine' });
    expect(s.exam!.instances[0]!.frames).toBeGreaterThan(1);
    await sim.waitFor((p) => p.leds.recording === 'off');
  }, 30_000);
});
