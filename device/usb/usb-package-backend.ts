import { usbIds, type UsbBackend, type UsbDeviceInfo } from './types.js';

/** The part of the `usb` package (3.x, WebUSB-style) we use. */
interface WebUsbLike {
  getDevices(): Promise<DeviceLike[]>;
}
interface DeviceLike {
  vendorId: number;
  productId: number;
  bus?: string;
  ports?: number[];
  manufacturerName?: string | null;
  productName?: string | null;
  serialNumber?: string | null;
}

/**
 * Devices through the `usb` package (its WebUSB object; there is no legacy getDeviceList in
 * 3.x). The package is imported lazily, so a build without its native part, or a machine where
 * it cannot enumerate, becomes a thrown error that the monitor reports as "unavailable" instead
 * of a crash at start-up.
 *
 * Hot-plug is found by polling, deliberately not through the package's connect/disconnect
 * events: in usb 3.1.0, subscribing calls the native enumeration without a catch and rethrows
 * hot-plug set-up failures from a setTimeout, so on a machine without a readable USB bus (or
 * with netlink denied by the unit's RestrictAddressFamilies) it would crash the service with an
 * uncaught exception. A 2 s poll is fast enough for a service screen.
 */
export function usbPackageBackend(load: () => Promise<unknown> = () => import('usb')): UsbBackend {
  let webusb: Promise<WebUsbLike> | undefined;
  const get = (): Promise<WebUsbLike> =>
    (webusb ??= load().then((m) => {
      const u = (m as { usb?: WebUsbLike }).usb;
      if (!u || typeof u.getDevices !== 'function') throw new Error('the usb package has no WebUSB object');
      return u;
    }));
  return {
    name: 'usb package',
    async list() {
      let devices: DeviceLike[];
      try {
        devices = await (await get()).getDevices();
      } catch (e) {
        throw new Error(`usb package: ${(e as Error).message}`);
      }
      return devices.map((d): UsbDeviceInfo => {
        const port = d.bus ?? `?-${(d.ports ?? []).join('.')}`;
        return {
          port,
          vendorId: d.vendorId,
          productId: d.productId,
          ids: usbIds(d.vendorId, d.productId),
          ...(d.manufacturerName ? { manufacturer: d.manufacturerName } : {}),
          ...(d.productName ? { product: d.productName } : {}),
          ...(d.serialNumber ? { serial: d.serialNumber } : {}),
        };
      });
    },
  };
}
