/**
 * `npm start` on a fresh clone (issue 10): `sonicart serve` with the built-in defaults brings up
 * the simulated hospital with it, and the default configuration's one destination is that
 * hospital. End to end through the API only: the worklist comes from the hospital (every
 * character set it schedules), an exam started from a match stores a still, the queue sends it
 * to HOSPITAL, and the file the hospital wrote is read back by DCMTK's dcmdump. SIGTERM stops
 * the service and then the hospital: exit 0, the hospital's port refuses connections, no child
 * process outlives the service. With --config, no hospital.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceState, GetWorklistResponse, ListQueueResponse } from '../../device/web/api-types.js';
import { freePort } from '../helpers/net-peers.js';
import { killServes, SONICART_BIN, spawnServe, waitForState, type ServeChild } from '../helpers/serve-process.js';
import { runTool } from '../helpers/run-tool.js';

const dirs: string[] = [];

afterEach(async () => {
  await killServes();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});




const get = async <T>(s: ServeChild, path: string): Promise<T> => {
  const r = await fetch(`http://127.0.0.1:${s.port}${path}`);
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
};
const post = (s: ServeChild, path: string, body?: unknown): Promise<Response> =>
  fetch(`http://127.0.0.1:${s.port}${path}`, body === undefined ? { method: 'POST' } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Resolves true when something accepts a TCP connection on the port, false when it is refused. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

/** PIDs of the descendants of `pid` (socat under its shell for the simulated panel, encoders). */
function descendants(pid: number): number[] {
  let direct: number[];
  try {
    direct = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return direct.flatMap((c) => [c, ...descendants(c)]);
}

/** Running, not a zombie: an exited child re-parented to PID 1 waits there to be reaped, holding nothing. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('sonicart serve with the built-in defaults brings up the simulated hospital', () => {
  it('worklist from the hospital, a still stored to HOSPITAL through the queue, readable by dcmdump; SIGTERM stops both', async () => {
    const h = await mkdtemp(join(tmpdir(), 'sonicart-serve-hosp-'));
    dirs.push(h);
    const s = await spawnServe(h);
    await waitForState(s);
    const announced = /simulated hospital HOSPITAL on 127\.0\.0\.1:(\d+) .*its data in (\S+)/.exec(s.stdout());
    expect(announced, s.stdout()).not.toBeNull();
    const hospitalPort = Number(announced![1]);
    const hospitalDir = announced![2]!;
    expect(hospitalDir).toBe(join(h, 'data', 'sonicart', 'hospital'));
    expect(await accepts(hospitalPort)).toBe(true);

    const destinations = await get<DeviceState>(s, '/api/state');
    expect(destinations.destinations.map((d) => [d.name, [...d.roles].sort()])).toEqual([['HOSPITAL', ['commitment', 'mpps', 'store', 'worklist']]]);

    const wl = await get<GetWorklistResponse>(s, '/api/worklist?refresh=1');
    expect(wl.source).toBe('server');
    expect(wl.matches.map((m) => m.summary.patientId).sort()).toEqual(['H-ASCII', 'H-GB18030', 'H-IR13', 'H-IR87', 'H-LATIN1', 'H-UTF8']);
    expect(wl.matches.map((m) => m.summary.patientName)).toEqual(expect.arrayContaining(['Buc^Jérôme', 'Yamada^Tarou=山田^太郎=やまだ^たろう', 'Wang^XiaoDong=王^小东']));

    const match = wl.matches.find((m) => m.summary.patientId === 'H-LATIN1')!;
    const started = await post(s, '/api/exams', { worklistItem: match.dataset });
    expect(started.status, await started.clone().text()).toBe(201);
    const still = await post(s, '/api/exams/current/stills');
    expect(still.status, await still.clone().text()).toBe(201);
    const { sopInstanceUid } = (await still.json()) as { sopInstanceUid: string };
    expect((await post(s, '/api/exams/current/end')).status).toBeLessThan(300);

    for (;;) {
      const q = await get<ListQueueResponse>(s, '/api/queue?destination=HOSPITAL');
      const job = q.jobs.find((j) => j.sopInstanceUid === sopInstanceUid);
      if (job?.state === 'completed') break;
      expect(job?.state ?? 'queued', JSON.stringify(job)).not.toMatch(/failed|cancelled/);
      await new Promise((r) => setTimeout(r, 200));
    }
    const file = join(hospitalDir, 'storage', `${sopInstanceUid}.dcm`);
    expect(existsSync(file)).toBe(true);
    const d = await runTool('dcmdump', ['-q', '+U8', '+P', '0008,0018', '+P', '0010,0010', '+P', '0010,0020', '+P', '0020,000d', file]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(`[${sopInstanceUid}]`);
    expect(d.stdout).toContain('[H-LATIN1]');
    expect(d.stdout).toContain('Buc^Jérôme');
    expect(d.stdout).toContain(`[${match.summary.studyInstanceUid}]`);

    const kids = descendants(s.child.pid!);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain('"msg":"simulated hospital stopped"');
    expect(await accepts(hospitalPort)).toBe(false);
    // The simulated panel's socat is tied to the service's stdin pipe: it may take a moment after
    // our exit to notice; what must never happen is that it (or anything else) stays.
    while (kids.some(running)) await new Promise((r) => setTimeout(r, 50));
  }, 60_000);

  it('when the hospital cannot start (DATADIR/hospital is a file), serve exits 1 naming the path before opening the cart database', async () => {
    const h = await mkdtemp(join(tmpdir(), 'sonicart-serve-hosp-'));
    dirs.push(h);
    const dataDir = join(h, 'data', 'sonicart');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'hospital'), 'not a directory');
    const r = await runTool(process.execPath, [SONICART_BIN, 'serve', '--ui-port', String(await freePort())], { env: { ...process.env, HOME: h, XDG_DATA_HOME: join(h, 'data') } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dataDir, 'hospital'));
    expect(existsSync(join(dataDir, 'sonicart.db'))).toBe(false);
  }, 60_000);

  it('with --config naming destinations, no hospital is started', async () => {
    const h = await mkdtemp(join(tmpdir(), 'sonicart-serve-hosp-'));
    dirs.push(h);
    const cfg = join(h, 'cart.json');
    await writeFile(cfg, JSON.stringify({ dataDir: join(h, 'cart'), destinations: [{ name: 'PACS', host: '127.0.0.1', port: await freePort(), calledAe: 'STORESCP', roles: ['store'] }] }));
    const s = await spawnServe(h, ['--config', cfg]);
    await waitForState(s);
    expect(s.stdout()).not.toContain('simulated hospital');
    const destinations = await get<DeviceState>(s, '/api/state');
    expect(destinations.destinations.map((d) => d.name)).toEqual(['PACS']);
    expect(existsSync(join(h, 'cart', 'hospital'))).toBe(false);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
  }, 60_000);
});
