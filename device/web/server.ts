/**
 * The HTTP side of the API on node:http: loopback only, a route table, JSON in and out, one
 * error mapping, the kiosk's static files, and WebSocket upgrades handed to their endpoints.
 *
 * Loopback only, twice over: the listener refuses any address but 127.0.0.1, and requests whose
 * Host header is not this loopback address (a DNS-rebinding page in the kiosk browser) or
 * WebSocket upgrades from a foreign Origin are refused, because the cart's API has no login.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log/logger.js';
import { readJsonBody, DEFAULT_BODY_LIMIT } from './body.js';
import { ApiError, errorResponse } from './errors.js';
import type { HttpMethod, Router } from './router.js';
import type { StaticFiles } from './static-files.js';

export const LOOPBACK_HOST = '127.0.0.1';

export class ApiBindError extends Error {
  override readonly name = 'ApiBindError';
  readonly code = 'API_BIND_NOT_LOOPBACK';
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly method: HttpMethod;
  /** The parsed JSON body of a route that takes one (undefined: the request had none). */
  readonly body: unknown;
}

/** What a handler answers: JSON, bytes with a type, or nothing. */
export type Reply =
  | { readonly status: number; readonly json: unknown }
  | { readonly status: number; readonly bytes: Uint8Array; readonly contentType: string; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: 204 };

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

/**
 * A route's handler and whether it takes a JSON body. The body is read and checked (size, type,
 * JSON) before the handler runs; a route that takes none refuses one before acting, so a client
 * that believes it sends options learns it does not.
 */
export interface Endpoint {
  readonly handler: Handler;
  readonly body: boolean;
}

/** A WebSocket endpoint: takes over the upgrade of its path. */
export interface UpgradeEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

export interface HttpApiOptions {
  readonly router: Router<Endpoint>;
  readonly log: Logger;
  /** Must be 127.0.0.1. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly staticFiles?: StaticFiles;
  readonly websockets?: Readonly<Record<string, UpgradeEndpoint>>;
  readonly bodyLimit?: number;
}

export interface HttpApi {
  readonly server: Server;
  /** The bound port (after listen). */
  port(): number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: Uint8Array | string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
}

const METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'];

/** Starts listening; resolves once bound. Refuses any host but 127.0.0.1 before binding. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  if (options.host !== LOOPBACK_HOST) {
    throw new ApiBindError(`the API binds to ${LOOPBACK_HOST} only, not ${JSON.stringify(options.host)}: it has no login and must not be reachable from the network`);
  }
  const log = options.log;
  let boundPort = 0;
  const hostAllowed = (host: string | undefined): boolean => host === `${LOOPBACK_HOST}:${boundPort}` || host === `localhost:${boundPort}`;
  const originAllowed = (origin: string | undefined): boolean => origin === undefined || origin === `http://${LOOPBACK_HOST}:${boundPort}` || origin === `http://localhost:${boundPort}`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`);
    try {
      if (!hostAllowed(req.headers.host)) throw new ApiError(421, 'API_WRONG_HOST', `requests must be addressed to ${LOOPBACK_HOST}:${boundPort}`);
      if (!METHODS.includes(method)) throw new ApiError(405, 'API_METHOD_NOT_ALLOWED', `${method} is not supported`, undefined, { allow: 'GET, HEAD, POST' });
      if (!url.pathname.startsWith('/api/') && url.pathname !== '/api') {
        if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, 'API_METHOD_NOT_ALLOWED', `${method} is not allowed on the kiosk's files`, undefined, { allow: 'GET, HEAD' });
        if (!options.staticFiles) throw new ApiError(404, 'API_NOT_FOUND', `no such resource: ${url.pathname}`);
        await options.staticFiles.serve(url.pathname, res, method === 'HEAD');
        return;
      }
      const match = options.router.match(method, url.pathname);
      const body = method === 'POST' || method === 'PUT' ? await readJsonBody(req, options.bodyLimit ?? DEFAULT_BODY_LIMIT) : undefined;
      if (body !== undefined && !match.handler.body) throw new ApiError(400, 'API_INVALID', 'this request takes no body', 'body');
      const ctx: RequestContext = { req, params: match.params, query: url.searchParams, method: method as HttpMethod, body };
      const reply = await match.handler.handler(ctx);
      if ('json' in reply) sendJson(res, reply.status, reply.json);
      else if ('bytes' in reply) send(res, reply.status, { 'content-type': reply.contentType, 'content-length': String(reply.bytes.length), ...(reply.headers ?? {}) }, method === 'HEAD' ? undefined : reply.bytes);
      else send(res, 204, {});
    } catch (error) {
      const r = errorResponse(error);
      if (r.internal) log.error('API request failed', { method, path: url.pathname, error });
      else log.debug('API request refused', { method, path: url.pathname, code: r.body.code, status: r.httpStatus });
      // Drain an unread body so the connection stays usable for keep-alive.
      if (!req.readableEnded) req.resume();
      sendJson(res, r.httpStatus, r.body, { ...r.headers });
    }
  };

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    void handle(req, res);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}`).pathname;
    const endpoint = options.websockets?.[path];
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (!hostAllowed(req.headers.host)) return refuse(421, 'Misdirected Request');
    if (!originAllowed(req.headers.origin)) return refuse(403, 'Forbidden');
    if (!endpoint) return refuse(404, 'Not Found');
    endpoint.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, LOOPBACK_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  boundPort = (server.address() as AddressInfo).port;
  log.info('API listening', { host: LOOPBACK_HOST, port: boundPort });

  return {
    server,
    port: () => boundPort,
    async close() {
      await Promise.all(Object.values(options.websockets ?? {}).map((w) => w.close()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
