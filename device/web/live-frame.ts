/**
 * The /api/live binary message: the header layout documented in api-types.ts (LiveFrameHeader),
 * then the JPEG. Writing and reading are both here so that the test and the benchmark read
 * frames exactly as the server writes them (the kiosk reads the same layout from api-types.ts).
 */
import { LIVE_FLAG_FROZEN, LIVE_FLAG_RECORDING, LIVE_FRAME_VERSION, LIVE_HEADER_BYTES, type LiveFrameHeader } from './api-types.js';

export function encodeLiveMessage(h: Omit<LiveFrameHeader, 'version'>, jpeg: Uint8Array): Uint8Array {
  const out = new Uint8Array(LIVE_HEADER_BYTES + jpeg.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, LIVE_FRAME_VERSION);
  v.setUint8(1, (h.frozen ? LIVE_FLAG_FROZEN : 0) | (h.recording ? LIVE_FLAG_RECORDING : 0));
  v.setUint16(2, LIVE_HEADER_BYTES, true);
  v.setUint32(4, h.sequence >>> 0, true);
  v.setFloat64(8, h.captureTimeMs, true);
  v.setFloat64(16, h.sendTimeMs, true);
  v.setUint16(24, h.width, true);
  v.setUint16(26, h.height, true);
  v.setUint32(28, Math.min(h.skipped, 0xffffffff) >>> 0, true);
  out.set(jpeg, LIVE_HEADER_BYTES);
  return out;
}

/** Reads a message; throws on a truncated header or an unknown version. */
export function decodeLiveMessage(msg: Uint8Array): { header: LiveFrameHeader; jpeg: Uint8Array } {
  if (msg.length < 4) throw new Error(`live message of ${msg.length} bytes is shorter than its header`);
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const version = v.getUint8(0);
  const headerLength = v.getUint16(2, true);
  if (version !== LIVE_FRAME_VERSION) throw new Error(`live message version ${version} is not ${LIVE_FRAME_VERSION}`);
  if (headerLength < LIVE_HEADER_BYTES || msg.length < headerLength) throw new Error(`live message header length ${headerLength} does not fit ${msg.length} bytes`);
  const flags = v.getUint8(1);
  return {
    header: {
      version,
      frozen: (flags & LIVE_FLAG_FROZEN) !== 0,
      recording: (flags & LIVE_FLAG_RECORDING) !== 0,
      sequence: v.getUint32(4, true),
      captureTimeMs: v.getFloat64(8, true),
      sendTimeMs: v.getFloat64(16, true),
      width: v.getUint16(24, true),
      height: v.getUint16(26, true),
      skipped: v.getUint32(28, true),
    },
    jpeg: msg.subarray(headerLength),
  };
}
