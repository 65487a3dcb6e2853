/**
 * The worklist service against DCMTK's wlmscpfs: up → the list; server stopped → the cached
 * list with its age and an error naming the peer and the step; back up → refreshed. The cache
 * lives in the database (a new service on the same database shows it), auto-refresh follows
 * the injected clock, and every query is in the audit trail without patient names.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbAuditLog } from '../../device/audit/index.js';
import { ManualClock } from '../../device/clock.js';
import { parseDeviceConfig } from '../../device/config/index.js';
import { openDatabase, type SqlDatabase } from '../../device/db/index.js';
import { nullLogger } from '../../device/log/logger.js';
import { DbWorklistService, networkWorklistFinder } from '../../device/worklist/index.js';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { scratchDir } from '../helpers/run-tool.js';
import { CHARSET_ENTRIES, writeWorklistFiles } from '../helpers/worklist-files.js';

let dir: string;
let cleanup: () => Promise<void>;
let scp: PeerProcess | undefined;
let port: number;
const dbs: SqlDatabase[] = [];

const startScp = async (): Promise<void> => {
  scp = await startPeer('wlmscpfs', ['-csk', '-dfp', dir, String(port)], port);
};

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-wlsvc-'));
  await mkdir(join(dir, 'WLMSCP'));
  await writeFile(join(dir, 'WLMSCP', 'lockfile'), '');
  await writeWorklistFiles(join(dir, 'WLMSCP'));
  port = await freePort();
  await startScp();
}, 60_000);

afterAll(async () => {
  await scp?.stop();
  for (const db of dbs) db.close();
  await cleanup();
});

function service(clock: ManualClock, refreshIntervalS = 0): { wl: DbWorklistService; audit: DbAuditLog } {
  const config = parseDeviceConfig({
    dataDir: dir,
    destinations: [{ name: 'ris', host: '127.0.0.1', port, calledAe: 'WLMSCP', roles: ['worklist'] }],
    worklist: { refreshIntervalS, modality: 'US' },
    timers: { find: { associationRequestS: 5 } },
  });
  const db = openDatabase(join(dir, 'service.db'));
  dbs.push(db);
  const audit = new DbAuditLog(db, clock);
  return { wl: new DbWorklistService({ config, clock, log: nullLogger, db, audit, find: networkWorklistFinder() }), audit };
}

// The entries are scheduled on 2024-03-15; the cart's "today" is that day.
const clock = new ManualClock(new Date(2024, 2, 15, 10, 0, 0));

describe('worklist service against wlmscpfs', () => {
  it('up → list; down → cached list with age and an error naming peer and step; up → refreshed', async () => {
    const { wl, audit } = service(clock);
    const a = await wl.query({}, { refresh: true });
    expect(a.error).toBeUndefined();
    expect(a.fromCache).toBe(false);
    expect(a.ageS).toBe(0);
    expect(a.source).toBe('ris');
    expect(a.matches.map((m) => m.summary.patientId).sort()).toEqual(CHARSET_ENTRIES.map((e) => e.patientId).sort());
    const yamada = a.matches.find((m) => m.summary.patientId === 'CS-IR87')!;
    expect(yamada.summary).toMatchObject({ patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', accessionNumber: 'ACC0002', scheduledDate: '20240315', stationAeTitle: 'US_CART' });
    expect(yamada.item['0020000D']).toEqual({ vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.7.2'] });

    // Filters work on the cached answer (no association).
    expect((await wl.query({ patientName: 'wang*' })).matches.map((m) => m.summary.patientId).sort()).toEqual(['CS-GB18030', 'CS-UTF8']);
    expect((await wl.query({ patientName: '山田' })).matches.map((m) => m.summary.patientId).sort()).toEqual(['CS-IR13', 'CS-IR87']);
    expect((await wl.query({ accessionNumber: 'ACC0004' })).matches.map((m) => m.summary.patientId)).toEqual(['CS-LATIN1']);

    await scp!.stop();
    clock.advance(125_000);
    const b = await wl.query({}, { refresh: true });
    expect(b.fromCache).toBe(true);
    expect(b.ageS).toBe(125);
    expect(b.matches).toHaveLength(CHARSET_ENTRIES.length);
    expect(b.error).toMatchObject({ code: 'NET_CONNECT', peer: `WLMSCP@127.0.0.1:${port}` });
    expect(b.error?.step).toBeTruthy();
    expect(wl.snapshot()).toMatchObject({ count: CHARSET_ENTRIES.length, error: { code: 'NET_CONNECT' }, refreshing: false });

    await startScp();
    clock.advance(5_000);
    const c = await wl.query({}, { refresh: true });
    expect(c.fromCache).toBe(false);
    expect(c.error).toBeUndefined();
    expect(c.ageS).toBe(0);
    expect(c.matches).toHaveLength(CHARSET_ENTRIES.length);

    const trail = audit.list({ action: 'worklist-query' });
    expect(trail.map((t) => t.outcome)).toEqual(['success', 'failure', 'success']);
    expect(trail[0]).toMatchObject({ who: 'service', where: 'ris', what: 'MWL C-FIND modality=US date=20240315', detail: '6 match(es)' });
    expect(JSON.stringify(trail)).not.toMatch(/Yamada|Wang|Doe/);
  }, 60_000);

  it('the cache survives a restart of the service and is shown with its age', async () => {
    const { wl } = service(clock);
    clock.advance(60_000);
    const a = await wl.query();
    expect(a.fromCache).toBe(true);
    expect(a.ageS).toBe(60);
    expect(a.matches).toHaveLength(CHARSET_ENTRIES.length);
  });

  it('auto-refresh runs at start and then every interval of the injected clock', async () => {
    const { wl, audit } = service(clock, 300);
    const before = audit.list({ action: 'worklist-query' }).length;
    const first = firstValueFrom(wl.events$.pipe(filter((e) => e.type === 'worklist-refreshed')));
    wl.start();
    await first;
    expect(audit.list({ action: 'worklist-query' }).length).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 50));
    clock.advance(299_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(audit.list({ action: 'worklist-query' }).length).toBe(before + 1);
    const second = firstValueFrom(wl.events$.pipe(filter((e) => e.type === 'worklist-refreshed')));
    clock.advance(1_000);
    await second;
    expect(audit.list({ action: 'worklist-query' }).length).toBe(before + 2);
    await wl.stop();
  }, 30_000);
});
