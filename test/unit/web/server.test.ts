/**
 * The API's HTTP layer over real sockets: loopback-only binding, the route table (404, 405 with
 * Allow, literal before parameter), JSON bodies (size, type, syntax, bodies refused where none is
 * taken), the error mapping of real typed errors, Host/Origin checks and the kiosk's static
 * files (content types, SPA fallback, no path traversal by any spelling).
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dimse } from '../../../dicom/net/index.js';
import { MediaWriteError } from '../../../device/media/errors.js';
import { ConnectError, DimseStatusError, TimerExpiredError } from '../../../device/net/errors.js';
import { nullLogger } from '../../../device/log/logger.js';
import { ApiError, errorResponse } from '../../../device/web/errors.js';
import { Router } from '../../../device/web/router.js';
import { startHttpApi, type Endpoint, type HttpApi } from '../../../device/web/server.js';
import { staticFiles } from '../../../device/web/static-files.js';
import * as v from '../../../device/web/validate.js';
import { scratchDir } from '../../helpers/run-tool.js';

let api: HttpApi;
let dir: string;
let cleanup: () => Promise<void>;

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so tests control every header and the exact path bytes. */
function send(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: api.port(), method, path, headers: { host: `127.0.0.1:${api.port()}`, ...(opts.headers ?? {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const json = (body: unknown): { body: string; headers: Record<string, string> } => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-web-'));
  const root = join(dir, 'dist');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>kiosk</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(dir, 'secret.txt'), 'outside the root');
  await symlink(join(dir, 'secret.txt'), join(root, 'assets', 'link.txt'));

  const router = new Router<Endpoint>();
  router.add('GET', '/api/things/{id}', { body: false, handler: ({ params }) => ({ status: 200, json: { id: params['id'] } }) });
  router.add('GET', '/api/things/current', { body: false, handler: () => ({ status: 200, json: { current: true } }) });
  router.add('POST', '/api/things/{id}/poke', { body: false, handler: () => ({ status: 200, json: { poked: true } }) });
  router.add('POST', '/api/cines', { body: true, handler: ({ body }) => ({ status: 201, json: v.storeCineRequest(body, 60) }) });
  router.add('POST', '/api/exams', { body: true, handler: ({ body }) => ({ status: 201, json: v.startExamRequest(body) }) });
  router.add('GET', '/api/fail/{kind}', {
    body: false,
    handler: ({ params }) => {
      const peer = { aeTitle: 'PACS', host: '127.0.0.1', port: 104 };
      switch (params['kind']) {
        case 'connect':
          throw new ConnectError(peer, 'connect', 'ECONNREFUSED');
        case 'status':
          throw new DimseStatusError(peer, 'C-STORE 1.2.3', dimse.statusInfo(0xa700));
        case 'timer':
          throw new TimerExpiredError(peer, 'A-ASSOCIATE', 'ARTIM', 30000);
        case 'media':
          throw new MediaWriteError('MEDIA_FULL', 'the medium filled up');
        default:
          throw new Error('a bug');
      }
    },
  });
  api = await startHttpApi({ router, log: nullLogger, host: '127.0.0.1', port: 0, staticFiles: await staticFiles(root), bodyLimit: 1024 });
});
afterAll(async () => {
  await api?.close();
  await cleanup();
});

describe('binding', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', 'localhost', ''])('refuses to bind %j before listening', async (host) => {
    await expect(startHttpApi({ router: new Router<Endpoint>(), log: nullLogger, host, port: 0 })).rejects.toMatchObject({ code: 'API_BIND_NOT_LOOPBACK' });
  });
  it('listens on 127.0.0.1', () => {
    expect(api.server.address()).toMatchObject({ address: '127.0.0.1' });
  });
});

describe('routing', () => {
  it('matches parameters and prefers literal segments', async () => {
    expect(JSON.parse((await send('GET', '/api/things/42')).body)).toEqual({ id: '42' });
    expect(JSON.parse((await send('GET', '/api/things/current')).body)).toEqual({ current: true });
    // Percent-encoded slashes stay inside one parameter (volume ids are block devices).
    expect(JSON.parse((await send('GET', '/api/things/%2Fdev%2Fsdb1')).body)).toEqual({ id: '/dev/sdb1' });
  });
  it('404 for unknown routes, with the error body', async () => {
    for (const path of ['/api/nothing', '/api/things', '/api/things/1/2/3', '/api/things/']) {
      const r = await send('GET', path);
      expect(r.status, path).toBe(404);
      expect(JSON.parse(r.body)).toMatchObject({ code: 'API_NOT_FOUND' });
    }
  });
  it('405 with Allow for a known path and the wrong method', async () => {
    const r = await send('DELETE', '/api/things/1');
    expect(r.status).toBe(405);
    expect(r.headers['allow']).toBe('GET');
    expect(JSON.parse(r.body)).toMatchObject({ code: 'API_METHOD_NOT_ALLOWED' });
    expect((await send('GET', '/api/things/1/poke')).status).toBe(405);
    expect((await send('PATCH', '/api/things/1')).status).toBe(405);
  });
  it('HEAD answers like GET without a body', async () => {
    const r = await send('HEAD', '/api/things/7');
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
  });
  it('400 for a path that is not valid percent-encoding', async () => {
    expect((await send('GET', '/api/things/%E0%A4%A')).status).toBe(400);
  });
  it('refuses a foreign Host header (DNS rebinding) with 421', async () => {
    const r = await send('GET', '/api/things/1', { headers: { host: 'evil.example:80' } });
    expect(r.status).toBe(421);
    expect(JSON.parse(r.body).code).toBe('API_WRONG_HOST');
  });
});

describe('request bodies', () => {
  it('accepts a valid body', async () => {
    const r = await send('POST', '/api/cines', json({ seconds: 5, mode: 'retrospective' }));
    expect(r.status).toBe(201);
    expect(JSON.parse(r.body)).toEqual({ seconds: 5, mode: 'retrospective' });
  });
  it.each([
    [{ seconds: 5 }, 'mode'],
    [{ mode: 'prospective' }, 'seconds'],
    [{ seconds: '5', mode: 'prospective' }, 'seconds'],
    [{ seconds: 0, mode: 'prospective' }, 'seconds'],
    [{ seconds: 61, mode: 'prospective' }, 'seconds'],
    [{ seconds: 5, mode: 'sideways' }, 'mode'],
    [{ seconds: 5, mode: 'prospective', extra: 1 }, 'extra'],
    [[1, 2], ''],
    [null, ''],
  ])('400 naming the field for %j', async (body, field) => {
    const r = await send('POST', '/api/cines', json(body));
    expect(r.status).toBe(400);
    const e = JSON.parse(r.body);
    expect(e.code).toBe('API_INVALID');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(/\S/);
  });
  it('400 API_BAD_JSON for broken JSON', async () => {
    const r = await send('POST', '/api/cines', { body: '{"seconds": 5,', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).code).toBe('API_BAD_JSON');
  });
  it('415 for a body that is not JSON', async () => {
    const r = await send('POST', '/api/cines', { body: 'seconds=5', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(415);
  });
  it('413 for a body over the limit, declared or streamed', async () => {
    const big = JSON.stringify({ seconds: 5, mode: 'prospective', pad: 'x'.repeat(2000) });
    expect((await send('POST', '/api/cines', { body: big, headers: { 'content-type': 'application/json' } })).status).toBe(413);
    // Chunked, no Content-Length: counted while reading.
    const r = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.port(), method: 'POST', path: '/api/cines', headers: { host: `127.0.0.1:${api.port()}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('x'.repeat(512));
      req.end();
    });
    expect(r).toBe(413);
  });
  it('a route that takes no body refuses one before acting', async () => {
    const r = await send('POST', '/api/things/1/poke', json({ force: true }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'API_INVALID', field: 'body' });
    expect((await send('POST', '/api/things/1/poke')).status).toBe(200);
  });
  it('validates a patient: name groups, sex, a real birth date, exactly one form', async () => {
    const good = await send('POST', '/api/exams', json({ patient: { name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', sex: 'M', birthDate: '19800229' } }));
    expect(good.status).toBe(201);
    const cases: [unknown, string][] = [
      [{ patient: { name: 'A=B=C=D' } }, 'patient.name'],
      [{ patient: { name: '' } }, 'patient.name'],
      [{ patient: { name: 'Doe\\Jane' } }, 'patient.name'],
      [{ patient: { name: 'Doe', birthDate: '19810229' } }, 'patient.birthDate'],
      [{ patient: { name: 'Doe', birthDate: '1981-02-01' } }, 'patient.birthDate'],
      [{ patient: { name: 'Doe', sex: 'X' } }, 'patient.sex'],
      [{ patient: { name: 'Doe', id: 'x'.repeat(65) } }, 'patient.id'],
      [{ patient: { name: 'Doe', nickname: 'J' } }, 'patient.nickname'],
      [{}, 'worklistItem'],
      [{ patient: { name: 'Doe' }, worklistItem: { '00100010': { vr: 'PN' } } }, 'patient'],
      [{ worklistItem: { PatientName: { vr: 'PN' } } }, 'worklistItem.PatientName'],
      [{ worklistItem: { '00100010': { Value: [] } } }, 'worklistItem.00100010.vr'],
    ];
    for (const [body, field] of cases) {
      const r = await send('POST', '/api/exams', json(body));
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(r.body).field, JSON.stringify(body)).toBe(field);
    }
  });
});

describe('errors', () => {
  it.each([
    ['connect', 502, { code: 'NET_CONNECT', peer: 'PACS@127.0.0.1:104', step: 'connect' }],
    ['status', 502, { code: 'NET_DIMSE_STATUS', peer: 'PACS@127.0.0.1:104', step: 'C-STORE 1.2.3', status: 'A700' }],
    ['timer', 504, { code: 'NET_TIMER', step: 'A-ASSOCIATE' }],
    ['media', 507, { code: 'MEDIA_FULL' }],
  ])('%s maps to %i with peer, step and status', async (kind, status, body) => {
    const r = await send('GET', `/api/fail/${kind}`);
    expect(r.status).toBe(status);
    expect(JSON.parse(r.body)).toMatchObject(body);
  });
  it('an untyped error is a 500 that does not leak its message', async () => {
    const r = await send('GET', '/api/fail/bug');
    expect(r.status).toBe(500);
    const e = JSON.parse(r.body);
    expect(e.code).toBe('API_INTERNAL');
    expect(e.message).not.toMatch(/a bug/);
  });
  it('unknown codes: 502 when a peer is named, else 500; status numbers become hex', () => {
    expect(errorResponse({ code: 'SCP_SOMETHING', message: 'm', peer: 'X@h:1', status: 0xc000 })).toMatchObject({ httpStatus: 502, body: { status: 'C000', peer: 'X@h:1' } });
    expect(errorResponse({ code: 'NEW_THING', message: 'm' }).httpStatus).toBe(500);
    expect(errorResponse(new ApiError(409, 'EXAM_REFUSED', 'no'))).toMatchObject({ httpStatus: 409, body: { code: 'EXAM_REFUSED' } });
    expect(errorResponse({ code: 'EXAM_REFUSED', message: 'not now' }).httpStatus).toBe(409);
  });
});

describe('static files', () => {
  it('serves files with their content types and nosniff', async () => {
    const html = await send('GET', '/');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('kiosk');
    expect((await send('GET', '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await send('GET', '/assets/app.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['x-content-type-options']).toBe('nosniff');
  });
  it('client-side routes get index.html; missing files with an extension are 404', async () => {
    expect((await send('GET', '/worklist')).body).toContain('kiosk');
    expect((await send('GET', '/assets/missing.js')).status).toBe(404);
  });
  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2E%2E/%2E%2E/secret.txt', '/..%2fsecret.txt', '/assets%5c..%5c..%5csecret.txt', '/index.html%00.js'])(
    'no path traversal: %s',
    async (path) => {
      const r = await send('GET', path);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain('outside the root');
    },
  );
  it('a symlink out of the root is not followed', async () => {
    const r = await send('GET', '/assets/link.txt');
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('outside the root');
  });
  it('only GET and HEAD on the kiosk files', async () => {
    expect((await send('POST', '/index.html')).status).toBe(405);
  });
});

describe('WebSocket upgrades', () => {
  it('404 for an unknown WebSocket path, 403 for a foreign Origin', async () => {
    const attempt = (path: string, origin?: string): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${api.port()}${path}`, origin ? { origin } : {});
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    expect(await attempt('/api/nothing')).toBe(404);
    expect(await attempt('/api/nothing', 'http://evil.example')).toBe(403);
  });
});
