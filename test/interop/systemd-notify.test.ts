/**
 * The notify protocol through the real systemd-notify binary, received on a datagram socket
 * standing in for systemd: READY, STATUS, WATCHDOG, STOPPING; readiness only once the API
 * answers; the watchdog fed only while healthy.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../device/clock.js';
import { Watchdog, systemdNotifier, waitUntilAnswering, watchdogIntervalMs, type Health } from '../../device/systemd/index.js';
import { startNotifySocket, type NotifySocket } from '../helpers/notify-socket.js';

let dir: string;
let sock: NotifySocket;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-notify-'));
  sock = await startNotifySocket(join(dir, 'notify'));
});
afterEach(async () => {
  await sock.stop();
  await rm(dir, { recursive: true, force: true });
});

const env = () => ({ ...process.env, NOTIFY_SOCKET: sock.path });
const texts = () => sock.messages().map((m) => m.text);

describe('sd_notify through systemd-notify', () => {
  it('READY, STATUS, WATCHDOG and STOPPING arrive as systemd would receive them, in order', async () => {
    const n = systemdNotifier({ env: env() });
    expect(n.enabled).toBe(true);
    await Promise.all([n.ready('serving on http://127.0.0.1:8080/'), n.status('queue: 3 to send\nPACS_A retrying'), n.watchdog(), n.stopping('draining 2 sends')]);
    expect(texts()).toEqual([
      'READY=1\nSTATUS=serving on http://127.0.0.1:8080/',
      'STATUS=queue: 3 to send PACS_A retrying', // one line: a newline would be a bogus assignment
      'WATCHDOG=1',
      'STOPPING=1\nSTATUS=draining 2 sends',
    ]);
  });

  it('as the unprivileged service user, messages come from the systemd-notify child, not the service PID: the unit needs NotifyAccess=all, and has it', async () => {
    // Run as root (CI), systemd-notify may claim its parent's PID; the service runs as the
    // sonicart user, which cannot. Drop to nobody with setpriv (util-linux) to be that user.
    let command = 'systemd-notify';
    if (process.getuid?.() === 0) {
      command = join(dir, 'systemd-notify-as-nobody');
      writeFileSync(command, '#!/bin/sh\nexec setpriv --reuid=65534 --regid=65534 --clear-groups systemd-notify "$@"\n', { mode: 0o755 });
      chmodSync(dir, 0o755);
      chmodSync(sock.path, 0o777);
    }
    expect(await systemdNotifier({ env: env(), command }).watchdog()).toBe(true);
    const [m] = sock.messages();
    expect(m!.pid).not.toBeNull();
    expect(m!.pid).not.toBe(process.pid);
    const unit = readFileSync(resolve(import.meta.dirname, '../../systemd/sonicart.service'), 'utf8');
    expect(unit).toMatch(/^NotifyAccess=all$/m);
    expect(unit).toMatch(/^Type=notify$/m);
  });

  it('systemd-notify waits on a barrier (an fd systemd closes), which the stand-in releases', async () => {
    await systemdNotifier({ env: env() }).ready();
    const barriers = sock.received.filter((d) => d.text === 'BARRIER=1');
    expect(barriers.length).toBe(1);
    expect(barriers[0]!.fds).toBe(1);
  });

  it('outside systemd (no NOTIFY_SOCKET) every call is a no-op returning false', async () => {
    const { NOTIFY_SOCKET: _, ...rest } = process.env;
    const n = systemdNotifier({ env: rest });
    expect(n.enabled).toBe(false);
    expect(await n.ready()).toBe(false);
    expect(await n.watchdog()).toBe(false);
    expect(sock.received).toEqual([]);
  });

  it('a socket that is not there: false and a log line, never a throw', async () => {
    const lines: string[] = [];
    const { jsonLogger } = await import('../../device/log/logger.js');
    const n = systemdNotifier({ env: { ...process.env, NOTIFY_SOCKET: join(dir, 'gone') }, logger: jsonLogger((l) => lines.push(l)) });
    expect(await n.ready()).toBe(false);
    expect(lines.join('\n')).toMatch(/systemd-notify failed/);
    const missing = systemdNotifier({ env: env(), command: join(dir, 'no-such-systemd-notify') , logger: jsonLogger((l) => lines.push(l)) });
    expect(await missing.watchdog()).toBe(false);
    expect(lines.join('\n')).toMatch(/cannot run systemd-notify/);
  });
});

describe('readiness: READY=1 only once the API answers', () => {
  let server: Server;
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  it('waits through refusals and 503s, then notifies', async () => {
    const events: string[] = [];
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      if (requests < 4) {
        res.writeHead(503).end();
        events.push('503');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        events.push('200');
      }
    });
    // the port is chosen before the server listens: the first tries are refused connections
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((r) => server.close(() => r()));
    const url = `http://127.0.0.1:${port}/api/state`;
    const waiting = waitUntilAnswering(url, { clock: systemClock, intervalMs: 20 }).then(() => events.push('answered'));
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([]);
    server = createServer(server.listeners('request')[0] as Parameters<typeof createServer>[0]);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    await waiting;
    await systemdNotifier({ env: env() }).ready(`serving on ${url}`);
    expect(events).toEqual(['503', '503', '503', '200', 'answered']);
    expect(texts()).toEqual([`READY=1\nSTATUS=serving on ${url}`]);
  });

  it('gives up when aborted (the service is stopping before it ever became ready)', async () => {
    server = createServer(); // closed by afterEach; never listens
    const ac = new AbortController();
    const p = waitUntilAnswering('http://127.0.0.1:9/', { clock: systemClock, intervalMs: 10, signal: ac.signal });
    ac.abort(new Error('stopping'));
    await expect(p).rejects.toThrow('stopping');
  });
});

describe('watchdog fed only while healthy', () => {
  it('WATCHDOG_USEC / WATCHDOG_PID give the period, for this process only', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }, 42)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(30_000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '41' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({}, 42)).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'x' }, 42)).toBeUndefined();
  });

  it('pings while healthy, withholds while the queue is unhealthy (and says why), pings again after', async () => {
    let health: Health = { ok: true };
    const dog = new Watchdog({ notifier: systemdNotifier({ env: env() }), periodMs: 200, clock: systemClock, health: () => health, maxLagMs: 1000 });
    dog.start();
    await sock.until(() => texts().filter((t) => t === 'WATCHDOG=1').length >= 2);
    health = { ok: false, reason: 'queue stalled: no progress for 10 min' };
    const pingsBefore = dog.pings;
    await sock.until(() => texts().includes('STATUS=unhealthy: queue stalled: no progress for 10 min'));
    const pingsAtStall = texts().filter((t) => t === 'WATCHDOG=1').length;
    const withheld = dog.withheld;
    while (dog.withheld < withheld + 3) await new Promise((r) => setTimeout(r, 20));
    expect(texts().filter((t) => t === 'WATCHDOG=1').length).toBe(pingsAtStall);
    expect(dog.pings - pingsBefore).toBeLessThanOrEqual(1); // one tick may have been under way
    health = { ok: true };
    await sock.until(() => texts().filter((t) => t === 'WATCHDOG=1').length > pingsAtStall);
    dog.stop();
  });

  it('a blocked event loop is a stall: that tick sends no ping', async () => {
    const dog = new Watchdog({ notifier: systemdNotifier({ env: env() }), periodMs: 200, clock: systemClock, health: () => ({ ok: true }), maxLagMs: 50 });
    dog.start();
    const end = performance.now() + 400; // block the loop well past the tick (100 ms) + the allowed lag
    while (performance.now() < end) {
      /* a synchronous stall, as a runaway computation would be */
    }
    while (dog.withheld === 0 && dog.pings === 0) await new Promise((r) => setTimeout(r, 5));
    expect(dog.withheld).toBe(1);
    expect(dog.pings).toBe(0);
    await sock.until(() => texts().some((t) => t.startsWith('STATUS=unhealthy: event loop stalled')));
    dog.stop();
  });
});
