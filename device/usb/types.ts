import type { EventEmitter } from 'node:events';

/** One USB device as the service screen shows it. */
export interface UsbDeviceInfo {
  /** Stable while the device stays in the same port: the kernel's port path (e.g. "1-1.4"). */
  readonly port: string;
  readonly vendorId: number;
  readonly productId: number;
  /** "0403:6001": how lsusb and udev rules name it. */
  readonly ids: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serial?: string;
  /** Bus number and device address (lsusb's "Bus 001 Device 004"), where the backend knows them. */
  readonly bus?: number;
  readonly address?: number;
}

/** What the cart can say about USB: the devices, or why it cannot look (containers, CI). */
export type UsbListing =
  | { readonly available: true; readonly source: string; readonly devices: readonly UsbDeviceInfo[] }
  | { readonly available: false; readonly source: string; readonly reason: string };

/** Where device lists come from: the `usb` package, or sysfs read directly. */
export interface UsbBackend {
  readonly name: string;
  /** All devices now; throws (any error) when USB cannot be enumerated here. */
  list(): Promise<UsbDeviceInfo[]>;
}

export type UsbMonitorEvents = {
  attached: [UsbDeviceInfo];
  detached: [UsbDeviceInfo];
  /** Availability or its reason changed (USB appeared, or stopped being readable). */
  listing: [UsbListing];
};

export interface UsbMonitor extends EventEmitter<UsbMonitorEvents> {
  /** The current listing (cached from the last scan; `refresh()` to force one). */
  listing(): UsbListing;
  refresh(): Promise<UsbListing>;
  start(): Promise<void>;
  stop(): void;
}

export const usbIds = (vendorId: number, productId: number): string =>
  `${vendorId.toString(16).padStart(4, '0')}:${productId.toString(16).padStart(4, '0')}`;
