/**
 * createDevice with the control panel seam filled by a scripted panel (the real serial panel is
 * issue 11): keys drive the exam, refusals beep, LEDs follow the state; and the free-space
 * alarm is raised from the data directory's real statfs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';
import { parseDeviceConfig } from '../../../device/config/index.js';
import type { ControlPanel, PanelKey, PanelLed } from '../../../device/device.js';
import { createDevice, type CartDevice } from '../../../device/main.js';

class ScriptedPanel implements ControlPanel {
  readonly keys = new Subject<PanelKey>();
  readonly keys$ = this.keys.asObservable();
  readonly leds = new Map<PanelLed, boolean>();
  readonly beeps: string[] = [];
  readonly connected = true;
  closed = false;
  setLed(led: PanelLed, on: boolean): void {
    this.leds.set(led, on);
  }
  beep(kind: 'ok' | 'error'): void {
    this.beeps.push(kind);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  /** Presses a key and waits for its beep. */
  async press(k: PanelKey): Promise<string> {
    const n = this.beeps.length;
    this.keys.next(k);
    while (this.beeps.length === n) await new Promise((r) => setTimeout(r, 10));
    return this.beeps[n]!;
  }
}

const devices: { d: CartDevice; dir: string }[] = [];
afterEach(async () => {
  for (const { d, dir } of devices.splice(0)) {
    await d.stop({ drain: true });
    await rm(dir, { recursive: true, force: true });
  }
});

async function device(json: object, panel?: ControlPanel): Promise<CartDevice> {
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-dev-'));
  const d = await createDevice(parseDeviceConfig({ dataDir: dir, listenPort: 0, capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 }, ...json }), {
    frameSource: new SimulatedFrameSource({ width: 160, height: 120, fps: 25, seed: 5 }),
    ...(panel ? { panel } : {}),
  });
  devices.push({ d, dir });
  await d.start();
  return d;
}

describe('control panel seam', () => {
  it('keys drive the exam; a refused key beeps error; LEDs follow freeze; closing the device closes the panel', async () => {
    const panel = new ScriptedPanel();
    const d = await device({ panel: { footswitch: 'store-still', cineSeconds: 1 } }, panel);
    expect(await panel.press('store-still')).toBe('error'); // no exam yet
    await d.exams.start({ patient: { name: 'Doe^Jane', id: 'P1' } });
    await new Promise((r) => setTimeout(r, 1200));
    expect(await panel.press('freeze')).toBe('ok');
    expect(panel.leds.get('freeze')).toBe(true);
    expect(await panel.press('footswitch')).toBe('ok');
    expect(await panel.press('store-cine')).toBe('ok');
    expect(await panel.press('freeze')).toBe('ok');
    expect(panel.leds.get('freeze')).toBe(false);
    expect(await panel.press('end-exam')).toBe('ok');
    const exam = d.exams.list()[0]!;
    expect(exam.state).toBe('ended');
    expect(exam.instances.map((i) => [i.kind, i.frames > 1])).toEqual([['still', false], ['cine', true]]);
    await d.stop({ drain: true });
    expect(panel.closed).toBe(true);
  }, 30_000);
});

describe('alarms', () => {
  it('free space below quotas.warnFreeMb raises DISK_LOW (from statfs of the data directory)', async () => {
    const d = await device({ quotas: { warnFreeMb: 9_000_000, refuseFreeMb: 0 } });
    expect(d.alarms()).toEqual([expect.objectContaining({ code: 'DISK_LOW', severity: 'warning' })]);
  });
  it('no alarm with room to spare', async () => {
    const d = await device({ quotas: { warnFreeMb: 1, refuseFreeMb: 0 } });
    expect(d.alarms()).toEqual([]);
  });
});

describe('quota wiring', () => {
  it('once an exam has reached every store destination, the quota removes its files when the spool is over the limit, and the deletion is audited', async () => {
    const { startStorescp } = await import('../../helpers/service-peers.js');
    const dir = await mkdtemp(join(tmpdir(), 'sonicart-quota-'));
    const scp = await startStorescp(join(dir, 'received'), undefined, ['--ignore']);
    const d = await createDevice(
      parseDeviceConfig({
        dataDir: join(dir, 'cart'),
        capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 },
        quotas: { maxSpoolMb: 10, warnFreeMb: 0, refuseFreeMb: 0 },
        destinations: [{ name: 'pacs', host: '127.0.0.1', port: scp.port, calledAe: 'STORESCP', roles: ['store'] }],
      }),
      { frameSource: new SimulatedFrameSource({ width: 800, height: 600, fps: 10, seed: 5 }) },
    );
    devices.push({ d, dir });
    try {
      await d.start();
      const studies: string[] = [];
      for (let e = 0; e < 2; e++) {
        studies.push((await d.exams.start({ patient: { name: `Quota^${e}` } })).studyInstanceUid);
        await new Promise((r) => setTimeout(r, 300));
        for (let i = 0; i < 4; i++) await d.exams.storeStill(); // 4 × 1.44 MB
        await d.exams.end();
        // Sent: this exam's four jobs completed (a removed study takes its finished jobs along).
        const mine = (): number => d.queue.count({ examId: d.exams.list({ limit: 1 })[0]!.examId, state: 'completed' });
        while (mine() < 4) await new Promise((r) => setTimeout(r, 20));
      }
      // 8 × 1.44 MB > 10 MB: once the queue drained, the quota removed the older, fully sent study.
      while (d.audit.list({ action: 'delete' }).length < 4) await new Promise((r) => setTimeout(r, 20));
      expect(d.instances.count({ studyInstanceUid: studies[0] })).toBe(0);
      expect(d.instances.count({ studyInstanceUid: studies[1] })).toBe(4);
      expect(d.audit.list({ action: 'delete' })).toHaveLength(4);
    } finally {
      await d.stop({ drain: true });
      await scp.proc.stop();
    }
  }, 60_000);
});

describe('export on end', () => {
  it('with media.exportOnEnd, ending an exam exports it to the only inserted medium (a DICOMDIR dcmdump reads), audited', async () => {
    const { SimulatedMediaWatcher } = await import('../../../hw-sim/media/simulated-watcher.js');
    const { runTool } = await import('../../helpers/run-tool.js');
    const mediaRoot = await mkdtemp(join(tmpdir(), 'sonicart-media-'));
    const watcher = new SimulatedMediaWatcher(mediaRoot);
    const dir = await mkdtemp(join(tmpdir(), 'sonicart-exp-'));
    const d = await createDevice(parseDeviceConfig({ dataDir: dir, media: { exportOnEnd: true }, capture: { transferSyntax: 'jpeg-lossless', ringSeconds: 4, maxCineSeconds: 3 } }), {
      frameSource: new SimulatedFrameSource({ width: 160, height: 120, fps: 25, seed: 9 }),
      mediaWatcher: watcher,
    });
    devices.push({ d, dir });
    try {
      await d.start();
      await watcher.insert('STICK');
      while (d.media.volumes().length === 0) await new Promise((r) => setTimeout(r, 20));
      await d.exams.start({ patient: { name: 'Export^Me', id: 'E1' } });
      await new Promise((r) => setTimeout(r, 300));
      await d.exams.storeStill();
      await d.exams.storeStill();
      await d.exams.end();
      while (!d.media.list().some((j) => j.state === 'completed' || j.state === 'failed')) await new Promise((r) => setTimeout(r, 20));
      expect(d.media.list()[0]).toMatchObject({ state: 'completed', volumeLabel: 'STICK' });
      const dump = await runTool('dcmdump', [join(mediaRoot, 'STICK', 'DICOMDIR')]);
      expect(dump.code, dump.stderr).toBe(0);
      expect(dump.stdout.match(/\(0004,1430\) CS \[IMAGE/g)).toHaveLength(2);
      expect(d.audit.list({ action: 'export' })[0]).toMatchObject({ where: 'STICK', outcome: 'success' });
    } finally {
      await d.stop({ drain: true });
      await rm(mediaRoot, { recursive: true, force: true });
    }
  }, 30_000);
});

