/**
 * The routes of ../shared/spec/device.md (and the few the kiosk needs beyond them) as one table:
 * each entry validates its input, calls the Device, and maps the answer to api-types.ts shapes.
 * Errors are thrown and mapped once, in server.ts (errors.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Device, ExamListFilter, WorklistFilters } from '../device.js';
import { conformanceStatement } from '../net/conformance-statement.js';
import { usbResponse } from './usb-view.js';
import type {
  ListInstancesResponse,
  CancelExamResponse,
  EchoResponse,
  EjectResponse,
  EndExamResponse,
  ExportJobResponse,
  ExportResponse,
  FreezeResponse,
  GetConfigResponse,
  GetMediaResponse,
  GetStateResponse,
  GetWorklistResponse,
  JobActionResponse,
  JsonValue,
  ListAuditResponse,
  ListExamsResponse,
  ListQueueResponse,
  ServiceLoginResponse,
  StartExamResponse,
  StoreCineResponse,
  StoreInstanceResponse,
  AuditAction,
  DicomJsonDataset,
  PatientSex,
} from './api-types.js';
import { SECRET_PLACEHOLDER } from './api-types.js';
import { ApiError, invalid } from './errors.js';
import type { ApiDeps } from './ports.js';
import { Router } from './router.js';
import type { Endpoint, Handler, Reply } from './server.js';
import type { Thumbnails } from './thumbnails.js';
import * as v from './validate.js';
import { deviceState, examView, exportJobView, instanceView, volumeView, type Reachability } from './views.js';

export interface RouteContext {
  readonly deps: ApiDeps;
  readonly thumbnails: Thumbnails;
  readonly startedAt: string;
  readonly reachability: Reachability;
  /** The source of the configuration, for GET /api/config. */
  readonly configSource: string;
  /** Called after an echo changed what is known of a destination (for /api/events). */
  readonly reachabilityChanged?: (name: string) => void;
}

const ok = (json: unknown, status = 200): Reply => ({ status, json });

const AUDIT_ACTIONS: readonly AuditAction[] = ['worklist-query', 'exam-start', 'exam-end', 'exam-cancel', 'send', 'export', 'delete', 'service-login', 'config',
  'receive', 'commitment-report'];
const SECRET_KEY = /pin|password|passphrase|secret|privatekey/i;

/** The configuration with every secret replaced, as plain JSON. */
export function redactConfig(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(redactConfig);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && x !== undefined && x !== '' ? SECRET_PLACEHOLDER : redactConfig(x);
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return null;
}

function requireExam(device: Device, examId: string): ReturnType<Device['exams']['get']> & object {
  const exam = examId === 'current' ? device.exams.snapshot().current : device.exams.get(examId);
  if (!exam) throw new ApiError(404, 'API_NO_SUCH_EXAM', examId === 'current' ? 'no exam is in progress' : `no exam ${examId}`);
  return exam;
}

export function buildRoutes(rc: RouteContext): Router<Endpoint> {
  const { deps } = rc;
  const { device } = deps;
  const r = new Router<Endpoint>();
  const get = (pattern: string, handler: Handler): void => void r.add('GET', pattern, { handler, body: false });
  const post = (pattern: string, handler: Handler, body = false): void => void r.add('POST', pattern, { handler, body });

  get('/api/usb', ({ query }) => (v.queryKeys(query, []), ok(usbResponse(deps.usb))));
  get('/api/state', ({ query }): Reply => {
    v.queryKeys(query, []);
    const state: GetStateResponse = deviceState(deps, rc.startedAt, rc.reachability);
    return ok(state);
  });

  get('/api/worklist', async ({ query }) => {
    v.queryKeys(query, ['refresh', 'patientName', 'patientId', 'accessionNumber', 'date', 'modality']);
    const refresh = v.queryOneOf(query, 'refresh', ['0', '1'] as const) === '1';
    const date = v.querySingle(query, 'date');
    if (date !== undefined && !/^\d{8}(-\d{8})?$/.test(date)) throw invalid('?date', 'must be YYYYMMDD or YYYYMMDD-YYYYMMDD');
    const filters: WorklistFilters = {
      ...optional('patientName', v.queryString(query, 'patientName')),
      ...optional('patientId', v.queryString(query, 'patientId')),
      ...optional('accessionNumber', v.queryString(query, 'accessionNumber', 16)),
      ...optional('date', date),
      ...optional('modality', v.queryString(query, 'modality', 16)),
    };
    const answer = await device.worklist.query(filters, { refresh });
    const body: GetWorklistResponse = {
      matches: answer.matches.map((m) => ({
        dataset: m.item as DicomJsonDataset,
        summary: {
          patientName: m.summary.patientName,
          patientId: m.summary.patientId,
          ...optional('sex', sexOf(m.summary.sex)),
          ...optional('birthDate', m.summary.birthDate || undefined),
          ...optional('accessionNumber', m.summary.accessionNumber || undefined),
          ...optional('requestedProcedure', m.summary.procedureDescription || undefined),
          ...optional('scheduledStart', `${m.summary.scheduledDate}${m.summary.scheduledTime}` || undefined),
          ...optional('stationAeTitle', m.summary.stationAeTitle || undefined),
          ...optional('studyInstanceUid', m.summary.studyInstanceUid || undefined),
        },
      })),
      source: answer.fromCache ? 'cache' : 'server',
      ...optional('fetchedAt', answer.fetchedAt),
      ...optional('cacheAgeSeconds', answer.ageS),
      ...optional('error', answer.error ? { code: answer.error.code, message: answer.error.message, ...optional('peer', answer.error.peer), ...optional('step', answer.error.step), ...optional('status', answer.error.status) } : undefined),
    };
    return ok(body);
  });

  post(
    '/api/exams',
    async ({ body }) => {
      const request = v.startExamRequest(body);
      const started = await device.exams.start('worklistItem' in request ? { worklistItem: request.worklistItem } : { patient: request.patient });
      const res: StartExamResponse = { examId: started.examId, studyInstanceUid: started.studyInstanceUid };
      return ok(res, 201);
    },
    true,
  );

  get('/api/exams', ({ query }) => {
    v.queryKeys(query, ['state', 'date', 'patientId', 'limit', 'offset']);
    const limit = v.queryInt(query, 'limit', 50, 1, 500);
    const offset = v.queryInt(query, 'offset', 0, 0, 1_000_000);
    const date = v.querySingle(query, 'date');
    if (date !== undefined) v.dicomDate(date, '?date');
    const filter: ExamListFilter = { ...optional('state', v.queryOneOf(query, 'state', v.EXAM_STATES)), ...optional('patientId', v.queryString(query, 'patientId')), ...optional('date', date) };
    // One more than asked tells whether there is a next page without a second count query.
    const all = device.exams.list({ ...filter, limit: limit + 1, offset });
    const body: ListExamsResponse = {
      exams: all.slice(0, limit).map((e) => examView(e, deps)),
      page: { offset, limit, total: offset + all.length },
    };
    return ok(body);
  });

  get('/api/exams/{examId}', ({ params, query }) => {
    v.queryKeys(query, []);
    return ok(examView(requireExam(device, params['examId']!), deps));
  });

  post('/api/exams/current/freeze', async () => {
    await device.exams.freeze();
    const res: FreezeResponse = { frozen: true };
    return ok(res);
  });
  post('/api/exams/current/unfreeze', async () => {
    await device.exams.unfreeze();
    const res: FreezeResponse = { frozen: false };
    return ok(res);
  });
  post('/api/exams/current/stills', async () => {
    const i = await device.exams.storeStill();
    const res: StoreInstanceResponse = { sopInstanceUid: i.sopInstanceUid };
    return ok(res, 201);
  });
  post(
    '/api/exams/current/cines',
    async ({ body }) => {
      const request = v.storeCineRequest(body, device.config.capture.maxCineSeconds);
      const i = await device.exams.storeCine(request);
      const res: StoreCineResponse = { sopInstanceUid: i.sopInstanceUid, frames: i.frames };
      return ok(res, 201);
    },
    true,
  );
  post('/api/exams/current/screens', async () => {
    const i = await device.exams.storeScreen();
    const res: StoreInstanceResponse = { sopInstanceUid: i.sopInstanceUid };
    return ok(res, 201);
  });
  post('/api/exams/current/end', async () => {
    const { exam, jobsQueued } = await device.exams.end();
    const res: EndExamResponse = { examId: exam.examId, jobsQueued };
    return ok(res);
  });
  post(
    '/api/exams/current/cancel',
    async ({ body }) => {
      const exam = await device.exams.cancel(body === undefined ? undefined : v.cancelExamRequest(body).reason);
      const res: CancelExamResponse = { examId: exam.examId };
      return ok(res);
    },
    true,
  );

  get('/api/instances', ({ query }) => {
    v.queryKeys(query, ['receivedFrom', 'study', 'limit', 'offset']);
    const limit = v.queryInt(query, 'limit', 50, 1, 500);
    const offset = v.queryInt(query, 'offset', 0, 0, 1_000_000);
    const study = v.queryString(query, 'study');
    if (study !== undefined && !/^[0-9]+(\.[0-9]+)*$/.test(study)) throw invalid('study', 'is not a UID');
    const { items, total } = deps.instances.list({ ...optional('receivedFrom', v.queryString(query, 'receivedFrom', 16)), ...optional('studyInstanceUid', study) }, { limit, offset });
    const body: ListInstancesResponse = { instances: items, page: { offset, limit, total } };
    return ok(body);
  });

  get('/api/instances/{sopInstanceUid}/thumbnail', async ({ params, query }) => {
    v.queryKeys(query, []);
    const uid = params['sopInstanceUid']!;
    if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) throw invalid('sopInstanceUid', 'is not a UID');
    const jpeg = await rc.thumbnails.get(uid);
    return { status: 200, bytes: jpeg, contentType: 'image/jpeg', headers: { 'cache-control': 'max-age=86400' } };
  });

  get('/api/instances/{sopInstanceUid}/frames/{index}', async ({ params, query }) => {
    v.queryKeys(query, []);
    const uid = params['sopInstanceUid']!;
    if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) throw invalid('sopInstanceUid', 'is not a UID');
    const index = params['index']!;
    if (!/^(0|[1-9][0-9]{0,5})$/.test(index)) throw invalid('index', 'must be a frame number from 0');
    const jpeg = await rc.thumbnails.frame(uid, Number(index));
    return { status: 200, bytes: jpeg, contentType: 'image/jpeg', headers: { 'cache-control': 'max-age=86400' } };
  });

  // The conformance statement for the service screen: generated from the negotiation tables,
  // the same text as `sonicart conformance`.
  get('/api/conformance', ({ query }) => {
    v.queryKeys(query, []);
    return { status: 200, bytes: new TextEncoder().encode(`${conformanceStatement().join('\n')}\n`), contentType: 'text/plain; charset=utf-8' };
  });

  get('/api/queue', ({ query }) => {
    v.queryKeys(query, ['state', 'destination', 'examId', 'kind', 'limit', 'offset']);
    const states = query.getAll('state').map((s, i) => v.oneOf(s, `?state[${i}]`, v.JOB_STATES));
    const filter = {
      ...(states.length > 0 ? { states } : {}),
      ...optional('destination', v.queryString(query, 'destination')),
      ...optional('examId', v.queryString(query, 'examId')),
      ...optional('kind', v.queryOneOf(query, 'kind', v.JOB_KINDS)),
      limit: v.queryInt(query, 'limit', 100, 1, 500),
      offset: v.queryInt(query, 'offset', 0, 0, 10_000_000),
    };
    const { jobs, total } = deps.queue.list(filter);
    const body: ListQueueResponse = { jobs, page: { total, offset: filter.offset, limit: filter.limit }, summary: deps.queue.summary() };
    return ok(body);
  });
  post('/api/queue/{jobId}/retry', async ({ params }) => {
    const res: JobActionResponse = { job: await deps.queue.retry(params['jobId']!) };
    return ok(res);
  });
  post('/api/queue/{jobId}/cancel', async ({ params }) => {
    const res: JobActionResponse = { job: await deps.queue.cancel(params['jobId']!) };
    return ok(res);
  });

  get('/api/media', ({ query }) => {
    v.queryKeys(query, []);
    const body: GetMediaResponse = { volumes: deps.media.volumes().map(volumeView), exports: deps.media.list().map(exportJobView) };
    return ok(body);
  });
  post(
    '/api/media/{volumeId}/export',
    async ({ params, body }) => {
      const request = v.exportRequest(body);
      for (const [i, id] of request.examIds.entries()) {
        const exam = device.exams.get(id);
        if (!exam) throw new ApiError(404, 'API_NO_SUCH_EXAM', `no exam ${id}`, `examIds[${i}]`);
        if (exam.state !== 'ended') throw new ApiError(409, 'MEDIA_NOT_EXPORTABLE', `exam ${id} is ${exam.state}; only ended exams are exported`, `examIds[${i}]`);
      }
      const res: ExportResponse = { job: exportJobView(await deps.media.export(params['volumeId']!, request.examIds, 'operator')) };
      return ok(res, 202);
    },
    true,
  );
  post('/api/media/export-current', async () => {
    const res: ExportResponse = { job: exportJobView(await deps.media.exportCurrent('operator')) };
    return ok(res, 202);
  });
  post('/api/media/{volumeId}/eject', async ({ params }) => {
    const res: EjectResponse = await deps.media.eject(params['volumeId']!);
    return ok(res);
  });
  get('/api/media/jobs/{jobId}', ({ params, query }) => {
    v.queryKeys(query, []);
    const res: ExportJobResponse = { job: exportJobView(deps.media.job(params['jobId']!)) };
    return ok(res);
  });
  post('/api/media/jobs/{jobId}/cancel', ({ params }) => {
    const res: ExportJobResponse = { job: exportJobView(deps.media.cancel(params['jobId']!)) };
    return ok(res);
  });

  post('/api/destinations/{name}/echo', async ({ params }) => {
    const name = params['name']!;
    if (!device.destinations.list().some((d) => d.name === name)) throw new ApiError(404, 'API_NO_SUCH_DESTINATION', `no destination named ${name}`);
    const result = await device.destinations.echo(name);
    const at = device.clock.now().toISOString();
    if (!result.ok) {
      const error = result.error ?? { code: 'NET_ECHO_FAILED', message: `echo to ${name} failed` };
      rc.reachability.set(name, { reachable: 'no', at, error: { code: error.code, message: error.message, ...optional('peer', error.peer), ...optional('step', error.step), ...optional('status', error.status) } });
      rc.reachabilityChanged?.(name);
      throw Object.assign(new Error(error.message), error, { code: error.code });
    }
    rc.reachability.set(name, { reachable: 'yes', at });
    rc.reachabilityChanged?.(name);
    const res: EchoResponse = {
      destination: result.destination,
      roundTripMs: result.ms,
      accepted: result.storage.map((s) => ({ sopClassUid: s.sopClassUid, name: s.name, transferSyntaxes: s.transferSyntaxes })),
    };
    return ok(res);
  });

  get('/api/audit', ({ query }) => {
    v.queryKeys(query, ['action', 'from', 'to', 'what', 'limit', 'offset']);
    const limit = v.queryInt(query, 'limit', 100, 1, 500);
    const offset = v.queryInt(query, 'offset', 0, 0, 10_000_000);
    const iso = (key: string): string | undefined => {
      const s = v.querySingle(query, key);
      if (s !== undefined && Number.isNaN(Date.parse(s))) throw invalid(`?${key}`, 'must be an ISO 8601 time');
      return s;
    };
    const rows = device.audit.list({
      ...optional('action', v.queryOneOf(query, 'action', AUDIT_ACTIONS)),
      ...optional('since', iso('from')),
      ...optional('until', iso('to')),
      ...optional('what', v.queryString(query, 'what', 128)),
      limit: limit + 1,
      offset,
    });
    const body: ListAuditResponse = {
      entries: rows.slice(0, limit).map((e) => ({
        id: String(e.id),
        time: e.at,
        who: e.who,
        action: e.action,
        what: e.what,
        ...optional('where', e.where || undefined),
        outcome: e.outcome,
        ...optional('detail', e.detail),
      })),
      page: { offset, limit, total: offset + rows.length },
    };
    return ok(body);
  });

  get('/api/config', ({ query }) => {
    v.queryKeys(query, []);
    const body: GetConfigResponse = { config: redactConfig(device.config) as GetConfigResponse['config'], source: rc.configSource };
    return ok(body);
  });

  post(
    '/api/service/login',
    ({ body }) => {
      const o = v.object(body, '', ['pin']);
      const pin = v.string(o['pin'], 'pin', { min: 1, max: 32 });
      const want = Buffer.from(device.config.service.pin);
      const got = Buffer.from(pin);
      const good = want.length === got.length && timingSafeEqual(want, got);
      device.audit.record({ who: 'operator', action: 'service-login', what: 'service screen', where: '', outcome: good ? 'success' : 'failure' });
      if (!good) throw new ApiError(403, 'API_BAD_PIN', 'the PIN is not right');
      const res: ServiceLoginResponse = { ok: true };
      return ok(res);
    },
    true,
  );

  return r;
}

function sexOf(s: string): PatientSex | undefined {
  return s === 'M' || s === 'F' || s === 'O' ? s : undefined;
}

/** `{[key]: value}` when value is defined, `{}` otherwise: keeps absent fields absent under exactOptionalPropertyTypes. */
function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

export { instanceView };
