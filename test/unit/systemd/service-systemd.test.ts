/**
 * The service's side of systemd: what "the queue is healthy" means for the watchdog (a real
 * SQLite database that answers, or not; a send job stuck longer than an association may last),
 * READY withheld while the API answers 503, and STATUS sent when the summary changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../device/clock.js';
import { openDatabase } from '../../../device/db/index.js';
import { queueHealth, startServiceSystemd, type SystemdNotifier } from '../../../device/systemd/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('queueHealth', () => {
  it('healthy with an answering database and no job in progress for too long', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sonicart-health-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const db = openDatabase(join(dir, 'db.sqlite'));
    const clock = new ManualClock(new Date('2026-12-03T10:00:00Z'));
    const jobs = [{ jobId: 7, updatedAt: '2026-12-03T09:59:00.000Z' }];
    const inputs = { db, inProgress: () => jobs, maxInProgressMs: 120_000, clock };
    expect(queueHealth(inputs)).toEqual({ ok: true });
    clock.advance(61_001); // the job has now been in progress 2 min and 1 ms
    expect(queueHealth(inputs)).toEqual({ ok: false, reason: expect.stringContaining('send job 7 in progress since 2026-12-03T09:59:00.000Z') });
    db.close();
    expect(queueHealth({ ...inputs, inProgress: () => [] })).toEqual({ ok: false, reason: expect.stringContaining('the database does not answer') });
  });
});

class RecordingNotifier implements SystemdNotifier {
  readonly enabled = true;
  readonly sent: string[] = [];
  async ready(status?: string) {
    this.sent.push(`READY ${status ?? ''}`);
    return true;
  }
  async status(text: string) {
    this.sent.push(`STATUS ${text}`);
    return true;
  }
  async watchdog() {
    this.sent.push('WATCHDOG');
    return true;
  }
  async stopping(status?: string) {
    this.sent.push(`STOPPING ${status ?? ''}`);
    return true;
  }
}

describe('startServiceSystemd', () => {
  it('READY only once /api/state answers 2xx; STATUS when the summary changes; nothing after STOPPING', async () => {
    let answer = 503;
    const server: Server = createServer((req, res) => {
      res.statusCode = req.url === '/api/state' ? answer : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const n = new RecordingNotifier();
    let summary = 'sending 0, waiting 0, failed 0; no alarms';
    const sd = startServiceSystemd({ apiUrl: url, clock: systemClock, notifier: n, env: {}, health: () => ({ ok: true }), summary: () => summary, statusEveryMs: 20 });
    await new Promise((r) => setTimeout(r, 300));
    expect(n.sent).toEqual([]); // 503: not ready
    answer = 200;
    await sd.ready;
    expect(n.sent).toEqual([`READY serving on ${url}/`]);
    await new Promise((r) => setTimeout(r, 100));
    expect(n.sent).toEqual([`READY serving on ${url}/`, 'STATUS sending 0, waiting 0, failed 0; no alarms']);
    summary = 'sending 1, waiting 2, failed 0; alarms: PANEL_GONE';
    while (n.sent.length < 3) await new Promise((r) => setTimeout(r, 10));
    expect(n.sent[2]).toBe('STATUS sending 1, waiting 2, failed 0; alarms: PANEL_GONE');
    await sd.stopping('stopping: draining');
    const count = n.sent.length;
    summary = 'changed after stopping';
    await new Promise((r) => setTimeout(r, 100));
    expect(n.sent.slice(count - 1)).toEqual(['STOPPING stopping: draining']);
  });
});
