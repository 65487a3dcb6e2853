/**
 * One mapping from any error that reaches the API to an HTTP status and the error body of
 * device.md, `{code, message, peer?, step?, status?}`. Errors are recognised by their fields
 * (`code`, `peer`, `step`, `status`), which every module's typed errors carry (see the
 * DeviceFailure shape in device/device.ts), and the HTTP status comes from a table of codes —
 * never from message text.
 */
import type { ApiErrorBody, WebErrorCode } from './api-types.js';

/** An error the web layer raises itself: it knows its HTTP status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly httpStatus: number,
    readonly code: WebErrorCode | string,
    message: string,
    /** For a rejected body or query: where ("patient.birthDate", "examIds[1]", "?limit"). */
    readonly field?: string,
    /** Extra headers for the answer (Allow on 405). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
  }
}

/** A request body or query parameter that is wrong; names the field. */
export function invalid(field: string, what: string): ApiError {
  return new ApiError(400, 'API_INVALID', `${field}: ${what}`, field);
}

/**
 * HTTP status per error code of the modules behind the API. A code not listed here is a 500 if
 * it has no peer, a 502 if a peer is named (the failure is on the other side of an association).
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // network (device/net/errors.ts): the peer failed or refused → 502; timed out → 504
  NET_CONNECT: 502,
  NET_CLOSED: 502,
  NET_REJECTED: 502,
  NET_ABORTED: 502,
  NET_TIMER: 504,
  NET_PROTOCOL: 502,
  NET_NO_CONTEXT: 502,
  NET_DIMSE_STATUS: 502,
  NET_CANCELLED: 409,
  NET_STATE: 409,
  // media (device/media/errors.ts, jobs.ts)
  MEDIA_REFUSED: 422,
  MEDIA_NO_SPACE: 507,
  MEDIA_FULL: 507,
  MEDIA_REMOVED: 409,
  MEDIA_READ_ONLY: 409,
  MEDIA_CANCELLED: 409,
  MEDIA_BUSY: 409,
  MEDIA_NO_VOLUME: 409,
  MEDIA_SEVERAL_VOLUMES: 409,
  MEDIA_NOT_EXPORTABLE: 409,
  MEDIA_NO_SUCH_VOLUME: 404,
  MEDIA_NO_SUCH_JOB: 404,
  MEDIA_JOB_FINISHED: 409,
  // exam workflow (device/exam): an action not allowed in the current state → 409
  EXAM_REFUSED: 409,
  EXAM_STOPPING: 503,
  EXAM_BAD_PATIENT: 400,
  EXAM_BAD_REQUEST: 400,
  EXAM_BAD_WORKLIST_ITEM: 400,
  EXAM_NOT_FOUND: 404,
  EXAM_STORE_FAILED: 500,
  // capture (device/capture)
  CAPTURE_NO_FRAMES: 503,
  CAPTURE_SOURCE_FAILED: 503,
  CAPTURE_SOURCE_ENDED: 503,
  CAPTURE_BAD_ARGUMENT: 400,
  CAPTURE_RING_TOO_SHORT: 409,
  CAPTURE_WRITE_FAILED: 500,
  CAPTURE_ENCODER_FAILED: 500,
  CAPTURE_FRAME_SIZE: 500,
  // local store (device/storage): the disk refuses → 507
  STORAGE_FULL: 507,
  STORAGE_WRITE_FAILED: 500,
  STORAGE_NOT_FOUND: 404,
  STORAGE_DUPLICATE: 409,
  STORAGE_BAD_UID: 400,
  STORAGE_UNREADABLE: 500,
  // queue (device/queue)
  QUEUE_NO_SUCH_JOB: 404,
  QUEUE_NO_SUCH_INSTANCE: 404,
  QUEUE_NOT_ALLOWED: 409,
  QUEUE_BAD_REQUEST: 400,
  // worklist, destinations
  WORKLIST_NOT_CONFIGURED: 409,
  DEST_NOT_FOUND: 404,
  CONFIG_UNKNOWN_DESTINATION: 404,
  // codecs (thumbnails of pixels we cannot decode)
  CONVERT_NEEDS_CODEC: 422,
  CONVERT_UNSUPPORTED_PIXELS: 422,
};

/** The DICOM status as 4 upper-case hex digits, whatever shape the error holds it in. */
function statusHex(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value.toString(16).toUpperCase().padStart(4, '0');
  if (typeof value === 'string' && /^[0-9A-Fa-f]{4}$/.test(value)) return value.toUpperCase();
  if (typeof value === 'object' && value !== null) {
    const hex = (value as { hex?: unknown }).hex;
    if (typeof hex === 'string') return statusHex(hex.replace(/^0x/i, '').replace(/H$/i, ''));
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'number') return statusHex(code);
  }
  return undefined;
}

/** The peer as "AE@host:port", from a string or a {aeTitle, host, port} reference. */
function peerText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'object' && value !== null) {
    const p = value as { aeTitle?: unknown; host?: unknown; port?: unknown };
    if (typeof p.aeTitle === 'string' && typeof p.host === 'string' && typeof p.port === 'number') return `${p.aeTitle}@${p.host}:${p.port}`;
  }
  return undefined;
}

export interface ErrorResponse {
  readonly httpStatus: number;
  readonly body: ApiErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** True for 5xx not caused by a peer: a fault of ours, to be logged with the stack. */
  readonly internal: boolean;
}

/** Maps anything thrown by a handler to the answer. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof ApiError) {
    const body: ApiErrorBody = { code: error.code, message: error.message, ...(error.field !== undefined ? { field: error.field } : {}) };
    return { httpStatus: error.httpStatus, body, headers: error.headers ?? {}, internal: error.httpStatus >= 500 };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; message?: unknown; peer?: unknown; step?: unknown; status?: unknown };
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : undefined;
  if (code === undefined) {
    return { httpStatus: 500, body: { code: 'API_INTERNAL', message: 'internal error; the service log has the details' }, headers: {}, internal: true };
  }
  const peer = peerText(e.peer);
  const step = typeof e.step === 'string' && e.step !== '' ? e.step : undefined;
  const status = statusHex(e.status);
  const known = STATUS_BY_CODE[code];
  const httpStatus = known ?? (peer !== undefined ? 502 : 500);
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : code;
  const body: ApiErrorBody = {
    code,
    message,
    ...(peer !== undefined ? { peer } : {}),
    ...(step !== undefined ? { step } : {}),
    ...(status !== undefined ? { status } : {}),
  };
  return { httpStatus, body, headers: {}, internal: known === undefined && peer === undefined };
}
