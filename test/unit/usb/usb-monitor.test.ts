import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../device/clock.js';
import { PolledUsbMonitor, sysfsUsbBackend, usbPackageBackend, type UsbBackend, type UsbDeviceInfo, type UsbListing } from '../../../device/usb/index.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
};

describe('the real usb package on this machine', () => {
  it('lists what sysfs lists, or says why it cannot (no /sys/bus/usb here), without crashing', async () => {
    const m = new PolledUsbMonitor(usbPackageBackend());
    const listing = await m.refresh();
    const sysfs = await new PolledUsbMonitor(sysfsUsbBackend()).refresh();
    if (existsSync('/sys/bus/usb/devices')) {
      expect(listing.available).toBe(true);
      expect(sysfs.available).toBe(true);
      const ids = (l: UsbListing) => (l.available ? l.devices.map((d) => `${d.port} ${d.ids}`).sort() : []);
      expect(ids(listing)).toEqual(ids(sysfs)); // two independent readings agree
    } else {
      expect(listing).toMatchObject({ available: false, source: 'usb package' });
      expect(listing.available === false && listing.reason).toMatch(/\/sys\/bus\/usb/);
      expect(sysfs.available === false && sysfs.reason).toMatch(/does not exist/);
    }
  });

  it('a usb package whose native part does not load is "unavailable", not a crash', async () => {
    const m = new PolledUsbMonitor(usbPackageBackend(() => Promise.reject(new Error('Cannot find module usb.linux-x64-gnu.node'))));
    expect(await m.refresh()).toEqual({ available: false, source: 'usb package', reason: 'usb package: Cannot find module usb.linux-x64-gnu.node' });
  });
});

describe('sysfs backend on a tree made here', () => {
  let root: string;
  const device = async (port: string, attrs: Record<string, string>): Promise<void> => {
    await mkdir(join(root, port), { recursive: true });
    for (const [k, v] of Object.entries(attrs)) await writeFile(join(root, port, k), `${v}\n`);
  };
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'sonicart-sysfs-'));
    await device('usb1', { idVendor: '1d6b', idProduct: '0002', manufacturer: 'Linux 6.1.0 xhci-hcd', product: 'xHCI Host Controller' });
    await device('1-1', { idVendor: '0403', idProduct: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', serial: 'A10K3X9Q' });
    await device('1-1:1.0', { bInterfaceClass: 'ff' }); // an interface, not a device
    await device('1-2', { idVendor: '534d', idProduct: '2109', product: 'USB Video' }); // a grabber without manufacturer or serial
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('lists devices with vendor, product, serial and ids; skips interfaces', async () => {
    const l = await new PolledUsbMonitor(sysfsUsbBackend(root)).refresh();
    expect(l).toEqual({
      available: true,
      source: `sysfs ${root}`,
      devices: [
        { port: '1-1', vendorId: 0x0403, productId: 0x6001, ids: '0403:6001', manufacturer: 'FTDI', product: 'FT232R USB UART', serial: 'A10K3X9Q' },
        { port: '1-2', vendorId: 0x534d, productId: 0x2109, ids: '534d:2109', product: 'USB Video' },
        { port: 'usb1', vendorId: 0x1d6b, productId: 0x0002, ids: '1d6b:0002', manufacturer: 'Linux 6.1.0 xhci-hcd', product: 'xHCI Host Controller' },
      ],
    });
  });

  it('hot-plug: attached and detached on the next poll, none for what was there at start', async () => {
    const clock = new ManualClock();
    const m = new PolledUsbMonitor(sysfsUsbBackend(root), { clock, pollMs: 2000 });
    const events: string[] = [];
    m.on('attached', (d: UsbDeviceInfo) => events.push(`+${d.port} ${d.ids}`));
    m.on('detached', (d: UsbDeviceInfo) => events.push(`-${d.port} ${d.ids}`));
    await m.start();
    expect(events).toEqual([]);
    await device('1-3', { idVendor: '0781', idProduct: '5583', manufacturer: 'SanDisk', product: 'Ultra Fit', serial: '4C530001' });
    await rm(join(root, '1-1'), { recursive: true });
    clock.advance(1999);
    expect(clock.pendingCount).toBe(1); // the poll has not fired: no scan yet
    await flush();
    expect(events).toEqual([]);
    clock.advance(1);
    await m.refresh(); // joins the scan the poll started
    expect(events.sort()).toEqual(['+1-3 0781:5583', '-1-1 0403:6001']);
    m.stop();
    expect(clock.pendingCount).toBe(0);
  });

  it('a sysfs root that does not exist: unavailable, with the reason', async () => {
    const l = await new PolledUsbMonitor(sysfsUsbBackend(join(root, 'nope'))).refresh();
    expect(l).toEqual({ available: false, source: `sysfs ${join(root, 'nope')}`, reason: `${join(root, 'nope')} does not exist (no USB bus visible here: a container or CI?)` });
  });
});

describe('a failing backend', () => {
  it('is reported as unavailable, becomes available when it recovers, and listeners that throw change nothing', async () => {
    const clock = new ManualClock();
    let fail = true;
    const backend: UsbBackend = {
      name: 'flaky',
      list: async () => {
        if (fail) throw new Error('LIBUSB_ERROR_ACCESS');
        return [{ port: '2-1', vendorId: 1, productId: 2, ids: '0001:0002' }];
      },
    };
    const m = new PolledUsbMonitor(backend, { clock, pollMs: 1000 });
    const listings: UsbListing[] = [];
    const attached: string[] = [];
    m.on('listing', (l) => {
      listings.push(l);
      throw new Error('a buggy listener');
    });
    m.on('attached', (d) => attached.push(d.port));
    await m.start();
    expect(m.listing()).toEqual({ available: false, source: 'flaky', reason: 'LIBUSB_ERROR_ACCESS' });
    fail = false;
    clock.advance(1000);
    await flush();
    expect(m.listing()).toMatchObject({ available: true, devices: [{ port: '2-1' }] });
    expect(listings.map((l) => l.available)).toEqual([false, true]);
    expect(attached).toEqual([]); // the first readable list is a baseline, not a hot-plug
    fail = true;
    clock.advance(1000);
    await flush();
    expect(m.listing().available).toBe(false);
    m.stop();
  });
});
