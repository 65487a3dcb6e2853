/**
 * Reading a JSON request body: only application/json, at most `limit` bytes (counted while
 * reading, so a lying or absent Content-Length cannot make us buffer more), parsed once.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';

/** Default limit: the largest body of device.md is a worklist item (a few kB). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * Resolves to the parsed body, or `undefined` when the request has none (no bytes). Rejects with
 * ApiError 413 / 415 / 400.
 */
export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    throw new ApiError(413, 'API_BODY_TOO_LARGE', `the request body is ${declared} bytes; at most ${limit} are accepted`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new ApiError(413, 'API_BODY_TOO_LARGE', `the request body exceeds ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, 'API_UNSUPPORTED_MEDIA_TYPE', `the request body must be application/json, not ${type === '' ? 'untyped' : type}`);
  }
  const text = Buffer.concat(chunks, size).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ApiError(400, 'API_BAD_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
}
