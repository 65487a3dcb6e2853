/**
 * The pure DICOM upper layer (PS3.8) and DIMSE message framing (PS3.7): bytes and events in,
 * PDUs and effects out. No sockets, timers or clocks; device/net runs the I/O.
 */
export * as pdu from './pdu/index.js';
export * as ul from './ul/index.js';
export * as acse from './acse/index.js';
export * as dimse from './dimse/index.js';
