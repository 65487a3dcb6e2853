/**
 * The whole device (createDevice) against DCMTK's storescp: an exam's stills and cine, once
 * ended, arrive at the store destination under one study; every send is in the audit trail;
 * the info-level log never carries the patient's name or ID.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { parseDeviceConfig } from '../../device/config/index.js';
import { jsonLogger } from '../../device/log/logger.js';
import { createDevice, type CartDevice } from '../../device/main.js';
import { runTool } from '../helpers/run-tool.js';
import { receivedBy, startStorescp, type Storescp } from '../helpers/service-peers.js';

let dir: string;
let scp: Storescp;
let device: CartDevice;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-device-'));
  scp = await startStorescp(join(dir, 'received'));
  const config = parseDeviceConfig({
    dataDir: join(dir, 'cart'),
    uiPort: 1,
    capture: { transferSyntax: 'jpeg-lossless', ringSeconds: 4, maxCineSeconds: 3 },
    destinations: [{ name: 'pacs', host: '127.0.0.1', port: scp.port, calledAe: 'STORESCP', roles: ['store'] }],
  });
  device = await createDevice(config, {
    frameSource: new SimulatedFrameSource({ width: 320, height: 240, fps: 25, seed: 7 }),
    log: jsonLogger((l) => lines.push(l), { level: 'info' }),
  });
  await device.start();
}, 30_000);

afterAll(async () => {
  await device?.stop({ drain: true });
  await scp?.proc.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('device: exam → storescp', () => {
  it('stores the exam at the destination, audits each send, keeps patient identity out of the info log', async () => {
    const { studyInstanceUid } = await device.exams.start({ patient: { name: 'Suzuki^Hanako', id: 'PID-SECRET-42', sex: 'F' } });
    await new Promise((r) => setTimeout(r, 1200));
    const stored = [await device.exams.storeStill(), await device.exams.storeStill(), await device.exams.storeCine({ seconds: 1, mode: 'retrospective' })];
    const done = firstValueFrom(device.queue.events$.pipe(filter(() => device.queue.summary().byState.completed === 3)));
    const { jobsQueued } = await device.exams.end();
    expect(jobsQueued).toBe(3);
    await done;

    const got = await receivedBy(scp.out);
    for (const s of stored) {
      const file = got.get(s.sopInstanceUid);
      expect(file, s.sopInstanceUid).toBeDefined();
      const d = await runTool('dcmdump', ['+P', '0020,000d', '+P', '0010,0020', file!]);
      expect(d.stdout).toContain(studyInstanceUid);
      expect(d.stdout).toContain('PID-SECRET-42');
    }
    const sends = device.audit.list({ action: 'send' });
    expect(sends.map((s) => [s.where, s.outcome]).sort()).toEqual([['pacs', 'success'], ['pacs', 'success'], ['pacs', 'success']]);
    expect(sends.map((s) => s.what).sort()).toEqual(stored.map((s) => `instance ${s.sopInstanceUid}`).sort());

    const log = lines.join('\n');
    expect(log).toContain('"msg":"instance stored"');
    expect(log).not.toContain('Suzuki');
    expect(log).not.toContain('PID-SECRET-42');
  }, 60_000);
});
