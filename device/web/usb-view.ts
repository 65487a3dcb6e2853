/** GET /api/usb's answer from the USB history (device/usb), in api-types.ts shapes. */
import type { UsbDeviceInfo, UsbSnapshot } from '../usb/index.js';
import type { GetUsbResponse, UsbDeviceView } from './api-types.js';

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export function usbDeviceView(d: UsbDeviceInfo): UsbDeviceView {
  return {
    vendorId: hex4(d.vendorId),
    productId: hex4(d.productId),
    ...(d.manufacturer ? { manufacturer: d.manufacturer } : {}),
    ...(d.product ? { product: d.product } : {}),
    ...(d.serial ? { serialNumber: d.serial } : {}),
    bus: d.bus ?? 0,
    address: d.address ?? 0,
  };
}

/** Without a USB history (a device built without one), USB is reported unavailable, not an error. */
export function usbResponse(usb: { snapshot(): UsbSnapshot } | undefined): GetUsbResponse {
  if (!usb) return { available: false, reason: 'USB monitoring is not part of this service', devices: [], events: [] };
  const { listing, events } = usb.snapshot();
  return {
    available: listing.available,
    ...(listing.available ? {} : { reason: listing.reason }),
    devices: listing.available ? listing.devices.map(usbDeviceView) : [],
    events: events.map((e) => ({ time: e.time, kind: e.kind, device: usbDeviceView(e.device) })),
  };
}
