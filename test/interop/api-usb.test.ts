/**
 * GET /api/usb over real HTTP on the running service: the USB devices and hot-plug events for the
 * service screen. On the machine's own /sys/bus/usb (absent in containers and CI) it says
 * whether USB can be read and why not, never an error; on a sysfs-shaped tree of real files
 * (the layout the kernel gives, read by the same backend) devices appear with lsusb's ids, bus
 * and address, and plugging and pulling one shows as attach/detach events.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../../device/config/index.js';
import { nullLogger } from '../../device/log/logger.js';
import { startService, type RunningService } from '../../device/service.js';
import { PolledUsbMonitor, sysfsUsbBackend } from '../../device/usb/index.js';
import type { GetUsbResponse } from '../../device/web/api-types.js';
import { freePort } from '../helpers/net-peers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(overrides: Parameters<typeof startService>[1]['overrides'] = {}): Promise<{ base: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'sonicart-usb-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = { ...parseDeviceConfig({ dataDir: join(dir, 'data'), panel: { path: 'none' } }), uiPort: await freePort() };
  const service: RunningService = await startService(config, { log: nullLogger, configSource: 'test', overrides });
  cleanups.push(() => service.stop({ drain: true }));
  return { base: `http://127.0.0.1:${service.api.port()}`, dir };
}

const getUsb = async (base: string): Promise<GetUsbResponse> => {
  const r = await fetch(`${base}/api/usb`);
  expect(r.status).toBe(200);
  return (await r.json()) as GetUsbResponse;
};

async function plug(root: string, port: string, d: { vid: string; pid: string; bus: number; dev: number; product?: string; serial?: string }): Promise<void> {
  const p = join(root, port);
  await mkdir(p, { recursive: true });
  await writeFile(join(p, 'idVendor'), `${d.vid}\n`);
  await writeFile(join(p, 'idProduct'), `${d.pid}\n`);
  await writeFile(join(p, 'busnum'), `${d.bus}\n`);
  await writeFile(join(p, 'devnum'), `${d.dev}\n`);
  if (d.product) await writeFile(join(p, 'product'), `${d.product}\n`);
  if (d.serial) await writeFile(join(p, 'serial'), `${d.serial}\n`);
  // an interface directory, which the backend must skip
  await mkdir(join(root, `${port}:1.0`), { recursive: true });
}

describe('GET /api/usb', () => {
  it("on this machine's /sys/bus/usb: available with devices, or unavailable with the reason", async () => {
    const { base } = await serve();
    const body = await getUsb(base);
    if (existsSync('/sys/bus/usb/devices')) {
      expect(body.available).toBe(true);
      for (const d of body.devices) expect(d.vendorId).toMatch(/^[0-9a-f]{4}$/);
    } else {
      expect(body).toEqual({ available: false, reason: '/sys/bus/usb/devices does not exist (no USB bus visible here: a container or CI?)', devices: [], events: [] });
    }
    expect((await fetch(`${base}/api/usb?all=1`)).status).toBe(400);
  });

  it('devices from a sysfs tree with ids, bus and address; plugging and pulling are attach and detach events', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sonicart-sysfs-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await plug(root, '1-1', { vid: '1d6b', pid: '0002', bus: 1, dev: 1, product: 'EHCI Host Controller' });
    const { base } = await serve({ usbMonitor: new PolledUsbMonitor(sysfsUsbBackend(root), { pollMs: 50 }) });
    expect(await getUsb(base)).toEqual({
      available: true,
      devices: [{ vendorId: '1d6b', productId: '0002', product: 'EHCI Host Controller', bus: 1, address: 1 }],
      events: [], // what is there at start is the baseline, not hot-plug
    });

    await plug(root, '1-1.4', { vid: '0403', pid: '6001', bus: 1, dev: 7, product: 'sonicart control panel', serial: 'SP-0042' });
    let body = await getUsb(base);
    while (body.events.length < 1) body = await new Promise((r) => setTimeout(r, 20)).then(() => getUsb(base));
    const panel = { vendorId: '0403', productId: '6001', product: 'sonicart control panel', serialNumber: 'SP-0042', bus: 1, address: 7 };
    expect(body.devices).toContainEqual(panel);
    expect(body.events).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), kind: 'attach', device: panel }]);

    await rm(join(root, '1-1.4'), { recursive: true });
    while (body.events.length < 2) body = await new Promise((r) => setTimeout(r, 20)).then(() => getUsb(base));
    expect(body.events[1]).toMatchObject({ kind: 'detach', device: panel });
    expect(body.devices).toHaveLength(1);
  });
});
