export type { UsbBackend, UsbDeviceInfo, UsbListing, UsbMonitor, UsbMonitorEvents } from './types.js';
export { usbIds } from './types.js';
export { PolledUsbMonitor } from './monitor.js';
export { sysfsUsbBackend } from './sysfs-backend.js';
export { usbPackageBackend } from './usb-package-backend.js';
export { UsbHistory, type UsbEvent, type UsbSnapshot } from './history.js';
