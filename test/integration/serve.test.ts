/**
 * `sonicart serve` as a child process, the way `npm start` runs it (built-in defaults:
 * simulated hardware, per-user data directory from XDG_DATA_HOME): it serves GET /api/state on
 * a fresh data directory; SIGTERM drains (the cine being recorded is finished, acknowledged
 * and durable, exit 0); a second SIGTERM aborts (exit 1); usage and configuration errors exit 2
 * before any file is touched.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/net-peers.js';
import { killServes, SONICART_BIN, spawnServe, waitForState, type ServeChild } from '../helpers/serve-process.js';
import { runTool } from '../helpers/run-tool.js';

const dirs: string[] = [];

afterEach(async () => {
  await killServes();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function home(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sonicart-serve-'));
  dirs.push(d);
  return d;
}




const api = (s: ServeChild, path: string, body?: unknown): Promise<Response> =>
  fetch(`http://127.0.0.1:${s.port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });

describe('sonicart serve', () => {
  it('on a fresh per-user data directory serves /api/state with the simulated capture running, then stops on SIGTERM with exit 0', async () => {
    const h = await home();
    const s = await spawnServe(h);
    const { body, ms } = await waitForState(s);
    console.log(`serve: GET /api/state answered ${ms} ms after spawn`);
    expect(body).toMatchObject({ device: { aeTitle: 'US_CART', version: '0.1.0' }, exam: null, capture: { running: true, frozen: false } });
    expect(existsSync(join(h, 'data', 'sonicart', 'sonicart.db'))).toBe(true);
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain('"msg":"device stopped","drained":true');
  }, 60_000);

  it('SIGTERM during a prospective cine: the cine is finished and acknowledged, the file is durable, exit 0; the next start ends the open exam', async () => {
    const h = await home();
    const s = await spawnServe(h);
    await waitForState(s);
    expect((await api(s, '/api/exams', { patient: { name: 'Doe^Jane', id: 'P-1' } })).status).toBe(201);
    const cine = api(s, '/api/exams/current/cines', { seconds: 2, mode: 'prospective' });
    await new Promise((r) => setTimeout(r, 400));
    s.child.kill('SIGTERM');
    const res = await cine;
    expect(res.status).toBe(201);
    const { sopInstanceUid, frames } = (await res.json()) as { sopInstanceUid: string; frames: number };
    expect(frames).toBeGreaterThan(30);
    expect(await s.exit).toBe(0);

    // Restart on the same data directory: the acknowledged cine is there, readable by dcmdump.
    const again = await spawnServe(h);
    await waitForState(again);
    const exams = (await (await fetch(`http://127.0.0.1:${again.port}/api/exams`)).json()) as { exams: { state: string; instances: { sopInstanceUid: string }[] }[] };
    expect(exams.exams[0]!.state).toBe('ended');
    expect(exams.exams[0]!.instances.map((i) => i.sopInstanceUid)).toEqual([sopInstanceUid]);
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
    const found = await runTool('find', [join(h, 'data', 'sonicart', 'instances'), '-name', `${sopInstanceUid}.dcm`]);
    const file = found.stdout.trim();
    expect(file).not.toBe('');
    const d = await runTool('dcmdump', ['+P', '0028,0008', file]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toContain(`[${frames}]`);
  }, 60_000);

  it('SIGTERM while starting (database open, API not yet up) is not a kill: the service comes up, drains and exits 0', async () => {
    const h = await home();
    const s = await spawnServe(h);
    const db = join(h, 'data', 'sonicart', 'sonicart.db');
    while (!existsSync(db)) {
      if (s.child.exitCode !== null) throw new Error(s.stderr());
      await new Promise((r) => setTimeout(r, 2));
    }
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain('"msg":"device stopped","drained":true');
  }, 60_000);

  it('a second SIGTERM aborts at once with exit 1', async () => {
    const h = await home();
    const s = await spawnServe(h);
    await waitForState(s);
    await api(s, '/api/exams', { patient: { name: 'Doe^Jane' } });
    const cine = api(s, '/api/exams/current/cines', { seconds: 5, mode: 'prospective' }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(1);
    expect(s.stderr()).toContain('aborting on second signal');
    await cine;
  }, 60_000);

  it.each([
    [['--ui-port', 'abc'], '--ui-port must be a port 1-65535, got "abc"'],
    [['--ui-port', '70000'], '--ui-port must be a port 1-65535'],
    [['extra'], 'serve takes no positional arguments'],
    [['--colour'], "Unknown option '--colour'"],
  ])('usage error %j exits 2 before touching files', async (args, message) => {
    const h = await home();
    const r = await runTool(process.execPath, [SONICART_BIN, 'serve', ...args], { env: { ...process.env, HOME: h, XDG_DATA_HOME: join(h, 'data') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(existsSync(join(h, 'data'))).toBe(false);
  }, 30_000);

  it('a bad configuration file exits 2 with one line naming the key', async () => {
    const h = await home();
    await writeFile(join(h, 'c.json'), JSON.stringify({ destinations: [{ name: 'pacs', host: 'h', port: 'abc', calledAe: 'P', roles: ['store'] }] }));
    const r = await runTool(process.execPath, [SONICART_BIN, 'serve', '--config', join(h, 'c.json')], { env: { ...process.env, HOME: h, XDG_DATA_HOME: join(h, 'data') } });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('sonicart: config: destinations[0].port: expected an integer 1-65535, got "abc"');
    expect(existsSync(join(h, 'data'))).toBe(false);
  }, 30_000);
});
