import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usbIds, type UsbBackend, type UsbDeviceInfo } from './types.js';

/**
 * Reads USB devices straight from sysfs (/sys/bus/usb/devices/<port>/idVendor …), as lsusb
 * does; no native code. Interfaces ("1-1:1.0") and entries without idVendor are skipped.
 * `root` is injectable so that a test can point it at a tree it made, or at nothing.
 */
export function sysfsUsbBackend(root = '/sys/bus/usb/devices'): UsbBackend {
  return {
    name: `sysfs ${root}`,
    async list() {
      let entries: string[];
      try {
        entries = await readdir(root);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        throw new Error(err.code === 'ENOENT' ? `${root} does not exist (no USB bus visible here: a container or CI?)` : `cannot read ${root}: ${err.message}`);
      }
      const out: UsbDeviceInfo[] = [];
      for (const name of entries.sort()) {
        if (name.includes(':')) continue;
        const attr = async (a: string): Promise<string | undefined> => {
          try {
            return (await readFile(join(root, name, a), 'utf8')).trim();
          } catch {
            return undefined;
          }
        };
        const vid = await attr('idVendor');
        const pid = await attr('idProduct');
        if (vid === undefined || pid === undefined) continue;
        const vendorId = parseInt(vid, 16);
        const productId = parseInt(pid, 16);
        if (!Number.isFinite(vendorId) || !Number.isFinite(productId)) continue;
        const manufacturer = await attr('manufacturer');
        const product = await attr('product');
        const serial = await attr('serial');
        const bus = Number(await attr('busnum'));
        const address = Number(await attr('devnum'));
        out.push({
          port: name,
          vendorId,
          productId,
          ids: usbIds(vendorId, productId),
          ...(manufacturer ? { manufacturer } : {}),
          ...(product ? { product } : {}),
          ...(serial ? { serial } : {}),
          ...(Number.isInteger(bus) && bus > 0 ? { bus } : {}),
          ...(Number.isInteger(address) && address > 0 ? { address } : {}),
        });
      }
      return out;
    },
  };
}
