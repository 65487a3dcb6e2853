/**
 * The serial panel driver against the simulated panel over real pseudo-terminals made by socat
 * (the same bytes a USB–serial adapter would carry): handshake, every key, LED mode and beep
 * pattern, a frame split across reads, garbage, a silent panel, an unplugged and replugged
 * cable (socat killed by PID, a new one on the same link path), and a panel of another version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ALL_LEDS_OFF, BEEP_PATTERNS, LEDS, PANEL_KEYS, SerialPanel, buildFrameForTest, encodeMessage, ledsFor, openSerialLine,
  type LedMode, type OpenLine, type PanelKeyEvent, type PanelStatus,
} from './panel-test-exports.js';
import { SimulatedPanel, startPtyPair, type PtyPair } from '../../hw-sim/panel/index.js';

let dir: string;
let pair: PtyPair;
let sim: SimulatedPanel;
let panel: SerialPanel;
let chunks: Uint8Array[];
let statuses: PanelStatus[];
let keys: PanelKeyEvent[];

/** serialport, recording the size of every chunk the driver reads (to prove a split arrived split). */
const recordingOpenLine: OpenLine = async (path, baud) => {
  const line = await openSerialLine(path, baud);
  return {
    write: (b) => line.write(b),
    close: () => line.close(),
    listen: (data, close) =>
      line.listen((c) => {
        chunks.push(c.slice());
        data(c);
      }, close),
  };
};

function until(pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (pred()) {
        panel.off('status', check);
        panel.off('key', check);
        resolve();
      }
    };
    panel.on('status', check);
    panel.on('key', check);
    check();
  });
}
const connected = () => until(() => panel.status().state === 'connected' && panel.status().alarm === undefined);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-panel-'));
  pair = await startPtyPair(join(dir, 'ttyHOST'), join(dir, 'ttyPANEL'));
  sim = await SimulatedPanel.open(pair.panelPath, { id: 'SP-0042', firmware: '1.3.0', heartbeatMs: 100 });
  chunks = [];
  statuses = [];
  keys = [];
  panel = new SerialPanel({ path: pair.hostPath, hostVersion: '0.1.0', heartbeatMs: 100, silenceMs: 1500, initialBackoffMs: 50, maxBackoffMs: 400, openLine: recordingOpenLine });
  panel.on('status', (s) => statuses.push(s));
  panel.on('key', (k) => keys.push(k));
  panel.start();
  await connected();
});

afterEach(async () => {
  await panel.stop();
  await sim.close().catch(() => undefined);
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('panel over a socat pty pair', () => {
  it('handshake: both sides know each other, the LEDs are set whole', async () => {
    expect(panel.status()).toMatchObject({ state: 'connected', path: pair.hostPath, panel: { id: 'SP-0042', firmware: '1.3.0', protocol: '1.0' } });
    await sim.waitFor((s) => s.hostHello !== undefined && s.received.some((m) => m.message.type === 'led-set'));
    expect(sim.hostHello).toEqual({ id: 'sonicart', firmware: '0.1.0' });
    expect(sim.leds).toEqual(ALL_LEDS_OFF);
  });

  it('every key, down and up, arrives once, in order, and is acknowledged', async () => {
    const seqs: number[] = [];
    for (const key of PANEL_KEYS) seqs.push(sim.press(key), sim.release(key));
    await until(() => keys.length === PANEL_KEYS.length * 2);
    expect(keys.map((k) => `${k.key}:${k.action}`)).toEqual(PANEL_KEYS.flatMap((k) => [`${k}:down`, `${k}:up`]));
    await sim.waitFor((s) => seqs.every((q) => s.acked.has(q)));
  });

  it('a resent key frame (same SEQ) is acknowledged but acted on once', async () => {
    const seq = sim.press('freeze');
    sim.send({ type: 'key-down', key: 'freeze' }, seq);
    sim.release('freeze');
    await until(() => keys.length >= 2);
    expect(keys.map((k) => `${k.key}:${k.action}`)).toEqual(['freeze:down', 'freeze:up']);
  });

  it('every LED in every mode, and the state model driving them', async () => {
    for (const mode of ['on', 'blink', 'off'] as LedMode[]) {
      for (const led of LEDS) {
        const want = { ...sim.leds, [led]: mode };
        panel.setLeds(want);
        await sim.waitFor((s) => JSON.stringify(s.leds) === JSON.stringify(want));
      }
    }
    const busy = ledsFor({ frozen: true, recording: true, sending: 'active', media: 'ejecting', alarms: 0, failedJobs: 1, stored: 3 });
    panel.setLeds(busy);
    await sim.waitFor((s) => JSON.stringify(s.leds) === JSON.stringify(busy));
    expect(sim.leds).toEqual({ freeze: 'on', recording: 'blink', sending: 'blink', 'media-busy': 'on', error: 'on' });
  });

  it('every beep pattern, in order', async () => {
    for (const p of BEEP_PATTERNS) panel.beep(p);
    await sim.waitFor((s) => s.beeps.length === BEEP_PATTERNS.length);
    expect(sim.beeps).toEqual(BEEP_PATTERNS);
  });

  it('a frame split across two reads is reassembled', async () => {
    const frame = encodeMessage({ type: 'key-down', key: 'cine' }, 200);
    sim.mute(true); // no heartbeat between the halves (it would cut the frame)
    const before = chunks.length;
    sim.sendRaw(frame.subarray(0, 4));
    // the first half has been read on its own (polled: a chunk read fires no driver event)
    const readSoFar = (): string => chunks.slice(before).map((c) => Buffer.from(c).toString('hex')).join('');
    const firstHalf = Buffer.from(frame.subarray(0, 4)).toString('hex');
    while (!readSoFar().endsWith(firstHalf)) await pause(5);
    expect(keys).toEqual([]);
    sim.sendRaw(frame.subarray(4));
    await until(() => keys.length === 1);
    sim.mute(false);
    expect(keys[0]).toMatchObject({ key: 'cine', action: 'down' });
    // the second half came in a later read than the first
    expect(Buffer.from(chunks.at(-1)!).toString('hex')).toBe(Buffer.from(frame.subarray(4)).toString('hex'));
  });

  it('garbage raises PANEL_GARBAGE, the driver resynchronises with HELLO, the alarm clears and keys work', async () => {
    const hellosBefore = sim.received.filter((m) => m.message.type === 'hello').length;
    sim.sendRaw(Uint8Array.from([0x55, 0xaa, 0x03, 0x10, 0xff, 0x00, 0x7e]));
    sim.press('still');
    await until(() => statuses.some((s) => s.alarm?.code === 'PANEL_GARBAGE'));
    await connected();
    await until(() => keys.length === 1);
    expect(keys[0]).toMatchObject({ key: 'still', action: 'down' });
    expect(sim.received.filter((m) => m.message.type === 'hello').length).toBeGreaterThan(hellosBefore);
    expect(panel.status().alarm).toBeUndefined();
  });

  it('a bad checksum is an alarm too, then the line recovers', async () => {
    const frame = encodeMessage({ type: 'key-down', key: 'export' }, 77);
    frame[frame.length - 2]! ^= 0xff;
    sim.sendRaw(frame);
    await until(() => statuses.some((s) => s.alarm?.code === 'PANEL_GARBAGE' && s.alarm.message.includes('BAD_CHECKSUM')));
    await connected();
    expect(keys).toEqual([]);
  });

  it('a panel that goes silent raises PANEL_SILENT; when it speaks again the driver reconnects by itself', async () => {
    sim.mute(true);
    await until(() => panel.status().alarm?.code === 'PANEL_SILENT');
    expect(panel.status().state).toBe('connecting');
    sim.mute(false);
    await connected();
    sim.tap('footswitch');
    await until(() => keys.length === 2);
  });

  it('unplug (socat killed by PID) raises PANEL_GONE; replug on the same path reconnects, clears the alarm and restores the LEDs', async () => {
    const lit = { ...ALL_LEDS_OFF, freeze: 'on', error: 'blink' } as const;
    panel.setLeds(lit);
    await sim.waitFor((s) => s.leds.freeze === 'on');
    await pair.stop();
    await until(() => panel.status().alarm?.code === 'PANEL_GONE' || panel.status().alarm?.code === 'PANEL_ABSENT');
    expect(statuses.map((s) => s.alarm?.code)).toContain('PANEL_GONE');
    await sim.waitFor((s) => s.isClosed);
    // while it is out, the driver keeps trying and failing to open the path: ABSENT, no throw
    await until(() => panel.status().alarm?.code === 'PANEL_ABSENT');
    panel.beep('click'); // dropped quietly
    pair = await startPtyPair(pair.hostPath, pair.panelPath);
    sim = await SimulatedPanel.open(pair.panelPath, { id: 'SP-0043', firmware: '1.3.1', heartbeatMs: 100 });
    await connected();
    expect(panel.status().panel).toMatchObject({ id: 'SP-0043', firmware: '1.3.1' });
    await sim.waitFor((s) => JSON.stringify(s.leds) === JSON.stringify(lit));
    sim.tap('end-exam');
    await until(() => keys.length === 2);
  });

  it('a panel speaking protocol version 2 is refused with NAK and raises PANEL_VERSION', async () => {
    sim.sendRaw(buildFrameForTest({ version: 2, type: 0x4b, seq: 9, payload: Uint8Array.of(1) }));
    await until(() => statuses.some((s) => s.alarm?.code === 'PANEL_VERSION'));
    await sim.waitFor((s) => s.received.some((m) => m.message.type === 'nak' && m.message.reason === 'unsupported-version' && m.message.ackSeq === 9));
    expect(keys).toEqual([]);
  });

  it('a key listener that throws does not break the line', async () => {
    panel.once('key', () => {
      throw new Error('listener bug');
    });
    sim.tap('freeze');
    await until(() => keys.length === 2);
    sim.tap('still');
    await until(() => keys.length === 4);
    expect(panel.status().state).toBe('connected');
  });
});

describe('panel path that does not exist yet', () => {
  it('reports PANEL_ABSENT without throwing and connects once the cable appears', async () => {
    await panel.stop();
    const path = join(dir, 'ttyLATE');
    const late = new SerialPanel({ path, heartbeatMs: 100, silenceMs: 800, initialBackoffMs: 50, maxBackoffMs: 200 });
    const seen: PanelStatus[] = [];
    late.on('status', (s) => seen.push(s));
    late.start();
    await new Promise<void>((r) => late.on('status', (s) => s.alarm?.code === 'PANEL_ABSENT' && r()));
    expect(seen.at(-1)!.alarm!.message).toContain(path);
    const p2 = await startPtyPair(path, join(dir, 'ttyLATEPANEL'));
    const s2 = await SimulatedPanel.open(p2.panelPath, { heartbeatMs: 100 });
    await new Promise<void>((r) => {
      const f = (s: PanelStatus) => s.state === 'connected' && !s.alarm && r();
      late.on('status', f);
    });
    await late.stop();
    await s2.close();
    await p2.stop();
  });
});

describe('startSimulatedPanelOnPty (what npm start uses)', () => {
  it('gives a host path a SerialPanel connects to, and cleans up after itself', async () => {
    const { startSimulatedPanelOnPty } = await import('../../hw-sim/panel/index.js');
    const { existsSync } = await import('node:fs');
    const demo = await startSimulatedPanelOnPty({ id: 'DEMO-1', heartbeatMs: 100 });
    const p = new SerialPanel({ path: demo.hostPath, heartbeatMs: 100 });
    const up = new Promise<void>((r) => p.on('status', (s) => s.state === 'connected' && r()));
    p.start();
    await up;
    expect(p.status().panel?.id).toBe('DEMO-1');
    await p.stop();
    await demo.stop();
    expect(existsSync(demo.hostPath)).toBe(false);
  });
});
