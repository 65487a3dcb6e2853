/**
 * Typed calls to the cart's API. Every failure becomes an `ApiFailure` carrying the service's
 * error body (code, message, peer, step, DICOM status), so a screen can say what went wrong and
 * where, never "undefined" or a stack.
 */
import type { ApiErrorBody } from '../../../device/web/api-types.js';

export class ApiFailure extends Error {
  constructor(
    readonly httpStatus: number,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiFailure(0, { code: 'UI_NETWORK', message: 'The cart service did not answer.' });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const b = parsed as Partial<ApiErrorBody> | undefined;
    throw new ApiFailure(res.status, {
      code: typeof b?.code === 'string' ? b.code : `HTTP_${res.status}`,
      message: typeof b?.message === 'string' ? b.message : `${res.status} ${res.statusText}`,
      ...(b?.peer ? { peer: b.peer } : {}),
      ...(b?.step ? { step: b.step } : {}),
      ...(b?.status ? { status: b.status } : {}),
      ...(b?.field ? { field: b.field } : {}),
    });
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal): Promise<T> => call<T>('GET', path, undefined, signal),
  post: <T>(path: string, body?: unknown): Promise<T> => call<T>('POST', path, body),
  /** Plain text routes (the conformance statement). */
  async text(path: string): Promise<string> {
    const res = await fetch(path);
    if (!res.ok) throw new ApiFailure(res.status, { code: `HTTP_${res.status}`, message: `${res.status} ${res.statusText}` });
    return res.text();
  },
};

/** One line a technologist can act on: the message, then peer, step and status when known. */
export function describeFailure(e: unknown): string {
  if (e instanceof ApiFailure) return describeError(e.body);
  return e instanceof Error ? e.message : String(e);
}

export function describeError(b: ApiErrorBody): string {
  const where = [b.peer, b.step].filter(Boolean).join(', ');
  return `${b.message}${where ? ` (${where})` : ''}${b.status ? ` [${b.status}]` : ''}`;
}
