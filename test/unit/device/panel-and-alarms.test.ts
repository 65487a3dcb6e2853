/**
 * createDevice with its control panel, its alarms and its quota and export wiring: the serial
 * panel driver handed in stops with the device (what each key does is checked over a real pty in
 * test/interop/panel-device.test.ts); the free-space alarm is raised from the data directory's
 * real statfs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';
import { SimulatedPanel, memoryLinePair } from '../../../hw-sim/panel/index.js';
import { parseDeviceConfig } from '../../../device/config/index.js';
import { SerialPanel } from '../../../device/panel/index.js';
import { createDevice, type CartDevice, type DeviceOverrides } from '../../../device/main.js';

const devices: { d: CartDevice; dir: string }[] = [];
afterEach(async () => {
  for (const { d, dir } of devices.splice(0)) {
    await d.stop({ drain: true });
    await rm(dir, { recursive: true, force: true });
  }
});

async function device(json: object, overrides: DeviceOverrides = {}): Promise<CartDevice> {
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-dev-'));
  const d = await createDevice(parseDeviceConfig({ dataDir: dir, listenPort: 0, capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 }, ...json }), {
    frameSource: new SimulatedFrameSource({ width: 160, height: 120, fps: 25, seed: 5 }),
    ...overrides,
  });
  devices.push({ d, dir });
  await d.start();
  return d;
}

describe('control panel', () => {
  it('the serial panel handed in is connected while the device runs and stopped (line closed) when the device stops', async () => {
    const cable = memoryLinePair();
    const serial = new SerialPanel({ path: 'memory', openLine: async () => cable.host });
    const sim = new SimulatedPanel(cable.panel);
    const d = await device({}, { controlPanel: serial });
    while (serial.status().state !== 'connected') await new Promise((r) => setTimeout(r, 10));
    await sim.waitFor((p) => p.hostHello !== undefined);
    await d.stop({ drain: true });
    expect(serial.status().state).toBe('stopped');
    await sim.close();
  });
});

describe('alarms', () => {
  it('free space below quotas.warnFreeMb raises DISK_LOW (from statfs of the data directory), with its parameters', async () => {
    const d = await device({ quotas: { warnFreeMb: 9_000_000, refuseFreeMb: 0 } });
    expect(d.alarms()).toEqual([expect.objectContaining({ id: 'DISK_LOW', code: 'DISK_LOW', severity: 'warning', params: { freeMb: expect.any(Number), limitMb: 9_000_000, dataDir: d.config.dataDir } })]);
    expect(d.alarms()[0]!.message).toContain('warning below 9000000 MB');
  });
  it('free space below quotas.refuseFreeMb raises DISK_FULL (an error: captures are refused) instead of DISK_LOW', async () => {
    const d = await device({ quotas: { warnFreeMb: 9_000_000, refuseFreeMb: 8_000_000 } });
    expect(d.alarms()).toEqual([expect.objectContaining({ code: 'DISK_FULL', severity: 'error', params: expect.objectContaining({ limitMb: 8_000_000 }) })]);
    expect(d.alarms()[0]!.message).toMatch(/captures are refused below 8000000 MB/);
  });
  it('a spool over quotas.maxSpoolMb with nothing sent raises SPOOL_OVER_QUOTA naming both sizes', async () => {
    const { freePort } = await import('../../helpers/net-peers.js');
    const d = await device(
      { quotas: { maxSpoolMb: 10, warnFreeMb: 0, refuseFreeMb: 0 }, destinations: [{ name: 'pacs', host: '127.0.0.1', port: await freePort(), calledAe: 'NOBODY', roles: ['store'] }] },
      { frameSource: new SimulatedFrameSource({ width: 800, height: 600, fps: 10, seed: 5 }) },
    );
    await d.exams.start({ patient: { name: 'Quota^Over' } });
    await new Promise((r) => setTimeout(r, 300));
    for (let i = 0; i < 8; i++) await d.exams.storeStill(); // 8 × 1.44 MB, none can be sent
    await d.exams.end(); // housekeeping runs after each exam
    while (!d.alarms().some((a) => a.code === 'SPOOL_OVER_QUOTA')) await new Promise((r) => setTimeout(r, 20));
    const a = d.alarms().find((x) => x.code === 'SPOOL_OVER_QUOTA')!;
    expect(a).toMatchObject({ severity: 'warning', params: { limitMb: 10 } });
    expect(a.code === 'SPOOL_OVER_QUOTA' && a.params.storeMb).toBeGreaterThan(10);
    expect(d.instances.count({})).toBe(8);
  }, 30_000);
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


describe('capture.ringFrames', () => {
  it('raw (the default) holds frames as delivered; compressed packs a lossless syntax and JPEG-encodes Baseline', async () => {
    const raw = await device({}, { controlPanel: null });
    expect(raw.live.ring.options.packing).toBeUndefined();
    expect(raw.live.ring.options.transferSyntaxUid).toBeUndefined();
    const packed = await device({ capture: { transferSyntax: 'jpeg-lossless', ringFrames: 'compressed', ringSeconds: 4, maxCineSeconds: 3 } }, { controlPanel: null });
    expect(packed.live.ring.options.packing).toBeDefined();
    const baseline = await device({ capture: { transferSyntax: 'jpeg-baseline', ringFrames: 'compressed', ringSeconds: 4, maxCineSeconds: 3 } }, { controlPanel: null });
    expect(baseline.live.ring.options.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
  });
});
