/**
 * Any error → the DeviceFailure shape that crosses the Device boundary: `code`, `message`, and
 * `peer` (AE@host:port), `step`, `status` (4 hex digits) when the error has them, whatever module
 * threw it (net errors carry a PeerRef and a StatusInfo; others carry strings).
 */
import type { DeviceFailure } from './device.js';

export function failureOf(e: unknown): DeviceFailure {
  const x = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown; peer?: unknown; step?: unknown; status?: unknown; reason?: unknown };
  const peer = typeof x.peer === 'string' ? x.peer : isPeerRef(x.peer) ? `${x.peer.aeTitle}@${x.peer.host}:${x.peer.port}` : undefined;
  const status = typeof x.status === 'string' ? x.status : typeof x.status === 'object' && x.status !== null && typeof (x.status as { hex?: unknown }).hex === 'string' ? (x.status as { hex: string }).hex : undefined;
  return {
    code: typeof x.code === 'string' ? x.code : 'INTERNAL',
    message: typeof x.message === 'string' ? x.message : String(e),
    ...(peer !== undefined ? { peer } : {}),
    ...(typeof x.step === 'string' ? { step: x.step } : {}),
    ...(status !== undefined ? { status } : {}),
  };
}

function isPeerRef(p: unknown): p is { aeTitle: string; host: string; port: number } {
  return typeof p === 'object' && p !== null && typeof (p as { aeTitle?: unknown }).aeTitle === 'string' && typeof (p as { host?: unknown }).host === 'string';
}
