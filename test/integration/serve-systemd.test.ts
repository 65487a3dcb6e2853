/**
 * `sonicart serve` under a stand-in for systemd: NOTIFY_SOCKET names a datagram socket (Python,
 * test/helpers/notify-socket.ts) and WATCHDOG_USEC is set, as sonicart.service's Type=notify and
 * WatchdogSec= make systemd do. READY=1 comes only once GET /api/state answers and names the URL;
 * WATCHDOG=1 keeps coming while the service is healthy; SIGTERM sends STOPPING=1 before the drain
 * and the process exits 0. The datagrams come from systemd-notify (NotifyAccess=all in the unit).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifySocket, type NotifySocket } from '../helpers/notify-socket.js';
import { killServes, spawnServe } from '../helpers/serve-process.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await killServes();
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('sonicart serve and the systemd notify protocol', () => {
  it('READY=1 after /api/state answers, WATCHDOG=1 repeatedly, STOPPING=1 on SIGTERM, exit 0', async () => {
    const h = await mkdtemp(join(tmpdir(), 'sonicart-serve-sd-'));
    cleanups.push(() => rm(h, { recursive: true, force: true }));
    const sock: NotifySocket = await startNotifySocket(join(h, 'notify'));
    cleanups.push(() => sock.stop());
    // WatchdogSec=2: a ping every second
    const serve = await spawnServe(h, [], { env: { NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '2000000' } });
    const { port, child, exit } = serve;
    const texts = (): string[] => sock.messages().map((m) => m.text);

    await sock.until(() => texts().some((t) => t.startsWith('READY=1')));
    const ready = texts().find((t) => t.startsWith('READY=1'))!;
    expect(ready).toBe(`READY=1\nSTATUS=serving on http://127.0.0.1:${port}/`);
    // READY is sent after the API is listening (its log line comes first) and answers
    while (!serve.stderr().includes('"msg":"systemd notified: ready"')) await new Promise((r) => setTimeout(r, 20));
    expect(serve.stderr().indexOf('"msg":"systemd notified: ready"')).toBeGreaterThan(serve.stderr().indexOf('"msg":"service listening"'));
    expect((await fetch(`http://127.0.0.1:${port}/api/state`)).status).toBe(200);
    expect(texts().indexOf(ready)).toBe(0);

    await sock.until(() => texts().filter((t) => t === 'WATCHDOG=1').length >= 3);

    child.kill('SIGTERM');
    await sock.until(() => texts().some((t) => t.startsWith('STOPPING=1')));
    expect(texts().find((t) => t.startsWith('STOPPING=1'))).toBe('STOPPING=1\nSTATUS=stopping: draining sends and the instance in flight');
    expect(await exit).toBe(0);
    // nothing after STOPPING: the watchdog stopped with the drain
    const i = texts().findIndex((t) => t.startsWith('STOPPING=1'));
    expect(texts().slice(i + 1)).toEqual([]);
  }, 40_000);
});
