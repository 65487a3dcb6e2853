/**
 * The forwarder against a scripted peer (real PDUs over loopback): an association lost in the
 * middle of an instance (transient: retried with back-off, attempt counted), several
 * associations at once to one destination, stop() finishing the instance in flight, jobs
 * claimed in a batch and handed back when the association stops early, an association
 * lingering for more work (ManualClock), and bytes-sent progress per job.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptAssociation, answerStore, readMessage, startScriptedPeer, type PeerConnection, type ScriptedPeer } from '../../helpers/scripted-peer.js';
import { dest, makeRig, type Rig } from '../../helpers/service-peers.js';
import { writeStudy } from '../../helpers/service-instances.js';
import type { ForwarderEvent, StoreDestination } from '../../../device/queue/index.js';
import type { TestImage } from '../device-net/fixtures.js';

/** Real time passes (sockets) until `cond` holds; the ManualClock does not move. */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 5));
  }
}

/** Files of instances this process holds open (each send opens its file once and must close it). */
function openInstanceFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.endsWith('.dcm') ? [target] : [];
    } catch {
      return [];
    }
  });
}

const states = (r: Rig): [string, number][] =>
  r.queue
    .list({}, { limit: 100 })
    .reverse()
    .map((j) => [j.state, j.attempts]);

let dir: string;
let rig: Rig | undefined;
let peer: ScriptedPeer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-fwd-'));
});
afterEach(async () => {
  await rig?.close();
  await peer?.close();
  rig = undefined;
  peer = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Answers every C-STORE with `status(n)` (n counts over the whole peer) until release. */
async function serve(c: PeerConnection, status: () => number | 'drop', onMessage?: () => Promise<void>): Promise<void> {
  await acceptAssociation(c);
  for (;;) {
    const first = await c.readPdu();
    if (first.type === 'A-RELEASE-RQ') {
      c.send({ type: 'A-RELEASE-RP' });
      c.end();
      return;
    }
    let pending: typeof first | undefined = first;
    const m = await readMessage({ ...c, readPdu: () => (pending ? Promise.resolve(((p) => ((pending = undefined), p))(pending)) : c.readPdu()) });
    await onMessage?.();
    const s = status();
    if (s === 'drop') {
      c.destroy();
      return;
    }
    answerStore(c, m, s);
  }
}

async function setup(n: number, concurrency: number, script: (c: PeerConnection) => Promise<void>, more: Partial<StoreDestination> = {}, image: TestImage = {}): Promise<Rig> {
  peer = await startScriptedPeer(script);
  rig = makeRig(join(dir, 'data'), [{ ...dest('pacs', 'SCRIPTED', peer.port, concurrency), ...more }]);
  for (const s of await writeStudy(dir, n, image)) await rig.store.importFile(s.path, { examId: 'E1' });
  rig.queue.enqueue({ examId: 'E1' }, ['pacs']);
  return rig;
}

describe('Forwarder', () => {
  it('association lost mid-instance: that job retries (attempt counted), the rest wait, then all go through', async () => {
    let n = 0;
    const r = await setup(3, 1, (c) => serve(c, () => (++n === 2 ? 'drop' : 0)));
    r.forwarder.start();
    await r.forwarder.idle();
    const jobs = r.queue.list({}, { limit: 10 }).reverse();
    expect(jobs.map((j) => [j.state, j.attempts])).toEqual([
      ['completed', 1],
      ['retry', 1],
      ['retry', 0],
    ]);
    expect(jobs[1]!.reason).toMatch(/SCRIPTED@127\.0\.0\.1/);
    r.clock.advance(1000);
    await r.forwarder.idle();
    expect(r.queue.list({}, { limit: 10 }).reverse().map((j) => [j.state, j.attempts])).toEqual([
      ['completed', 1],
      ['completed', 2],
      ['completed', 1],
    ]);
    expect(peer!.connections).toHaveLength(2);
  });

  it('concurrency 3: three associations share the destination’s jobs, each job sent once', async () => {
    let open = 0;
    let maxOpen = 0;
    const r = await setup(12, 3, async (c) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      // hold each response a little so the associations overlap
      await serve(c, () => 0, () => new Promise((res) => setTimeout(res, 5)));
      open--;
    });
    r.forwarder.start();
    await r.forwarder.idle();
    expect(r.queue.count({ state: 'completed' })).toBe(12);
    expect(peer!.connections).toHaveLength(3);
    expect(maxOpen).toBe(3);
    const perConnection = peer!.connections.map((c) => c.received.filter((p) => p.type === 'P-DATA-TF' && p.pdvs.some((v) => v.command && v.last)).length);
    expect(perConnection.reduce((a, b) => a + b, 0)).toBe(12);
    // Each claim takes its share of what is due, not a whole batch: every association carries some.
    expect(Math.min(...perConnection)).toBeGreaterThanOrEqual(2);
  });

  it('only as many associations as there are jobs', async () => {
    const r = await setup(1, 4, (c) => serve(c, () => 0));
    r.forwarder.start();
    await r.forwarder.idle();
    expect(peer!.connections).toHaveLength(1);
    expect(r.queue.count({ state: 'completed' })).toBe(1);
  });

  it('stop(): the instance in flight gets its answer committed, nothing more is taken', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const r = await setup(4, 1, (c) => serve(c, () => 0, () => gate));
    r.forwarder.start();
    // wait until the first instance is in flight
    while (r.queue.count({ state: 'in-progress' }) === 0) await new Promise((res) => setTimeout(res, 5));
    const stopped = r.forwarder.stop();
    release();
    await stopped;
    const states = r.queue.list({}, { limit: 10 }).reverse().map((j) => j.state);
    expect(states[0]).toBe('completed');
    // the one prepared ahead was handed back; none is left in progress
    expect(states.filter((s) => s === 'in-progress')).toEqual([]);
    expect(states.filter((s) => s === 'completed').length).toBeLessThan(4);
    expect(openInstanceFiles()).toEqual([]);
  });

  it('a batch claim: when A700 stops the association, the jobs it held go back without a try counted, paused with the destination', async () => {
    let n = 0;
    const r = await setup(6, 1, (c) => serve(c, () => (++n === 2 ? 0xa700 : 0)));
    r.forwarder.start();
    await r.forwarder.idle();
    expect(states(r)).toEqual([
      ['completed', 1],
      ['retry', 1],
      ['retry', 0],
      ['retry', 0],
      ['retry', 0],
      ['retry', 0],
    ]);
    const pausedUntil = r.queue.pausedUntilMs('pacs');
    expect(pausedUntil).toBeDefined();
    // Every waiting job shows the destination's retry time; none is left in progress.
    expect(new Set(r.queue.list({ state: 'retry' }, { limit: 10 }).map((j) => j.nextTry))).toEqual(new Set([new Date(pausedUntil!).toISOString()]));
    // The instance made ready ahead (its file open) was not sent: its file is closed all the same.
    expect(openInstanceFiles()).toEqual([]);
    r.clock.advance(1000);
    await r.forwarder.idle();
    expect(states(r).map(([s]) => s)).toEqual(Array(6).fill('completed'));
    expect(peer!.connections).toHaveLength(2);
  });

  it('linger: an idle association waits lingerMs for new work and carries it, then is released', async () => {
    const r = await setup(2, 1, (c) => serve(c, () => 0), { lingerMs: 2000 });
    r.forwarder.start();
    await until(() => r.queue.count({ state: 'completed' }) === 2, 'the first two jobs');
    // Committed at once although the association stays open (nothing else was in hand).
    expect(r.forwarder.activeAssociations).toBe(1);
    r.clock.advance(1500);
    expect(r.forwarder.activeAssociations).toBe(1);
    // A second exam ends: its jobs go out on the same association.
    for (const s of await writeStudy(dir, 3)) await r.store.importFile(s.path, { examId: 'E2' });
    r.queue.enqueue({ examId: 'E2' }, ['pacs']);
    r.forwarder.kick('pacs');
    await until(() => r.queue.count({ state: 'completed' }) === 5, 'the second exam');
    expect(peer!.connections).toHaveLength(1);
    // Linger counts from when the queue emptied again, not from the association's opening.
    r.clock.advance(1999);
    expect(r.forwarder.activeAssociations).toBe(1);
    expect(peer!.connections[0]!.received.some((p) => p.type === 'A-RELEASE-RQ')).toBe(false);
    r.clock.advance(1);
    await r.forwarder.idle();
    expect(peer!.connections[0]!.received.at(-1)?.type).toBe('A-RELEASE-RQ');
    expect(peer!.scriptErrors).toEqual([]);
  });

  it('linger: stop() releases a lingering association at once; a peer that closes it meanwhile costs no failure', async () => {
    let conns = 0;
    const r = await setup(1, 1, async (c) => {
      conns++;
      if (conns === 1) {
        // Answers one request, then closes the idle association itself.
        await acceptAssociation(c);
        const m = await readMessage(c);
        answerStore(c, m, 0);
        await new Promise((res) => setTimeout(res, 30));
        c.destroy();
        return;
      }
      await serve(c, () => 0);
    }, { lingerMs: 60_000 });
    r.forwarder.start();
    await until(() => r.queue.count({ state: 'completed' }) === 1, 'the first job');
    await r.forwarder.idle(); // the peer closed it: the lane ends without the clock moving
    expect(r.queue.pausedUntilMs('pacs')).toBeUndefined();
    expect(states(r)).toEqual([['completed', 1]]);
    // More work: a new association; stop() does not wait for its linger.
    for (const s of await writeStudy(dir, 1)) await r.store.importFile(s.path, { examId: 'E2' });
    r.queue.enqueue({ examId: 'E2' }, ['pacs']);
    r.forwarder.kick('pacs');
    await until(() => r.queue.count({ state: 'completed' }) === 2, 'the second job');
    expect(r.forwarder.activeAssociations).toBe(1);
    await r.forwarder.stop();
    expect(r.forwarder.activeAssociations).toBe(0);
    expect(peer!.connections[1]!.received.at(-1)?.type).toBe('A-RELEASE-RQ');
  });

  it('progress: bytes of the data set sent, with its size, per in-progress job; gone once it has its outcome', async () => {
    const r = await setup(1, 1, (c) => serve(c, () => 0), {}, { rows: 600, columns: 800, samples: 3 });
    const events: ForwarderEvent[] = [];
    r.forwarder.events$.subscribe((e) => events.push(e));
    r.forwarder.start();
    await r.forwarder.idle();
    const progress = events.flatMap((e) => (e.type === 'job-progress' ? [e] : []));
    const [job] = r.queue.list({}, { limit: 1 });
    const stored = r.store.get(job!.sopInstanceUid!)!;
    expect(progress.length).toBeGreaterThanOrEqual(2); // 1.44 MB: more than one 1 MiB chunk
    expect(progress.every((p) => p.job.jobId === job!.jobId && p.job.state === 'in-progress' && p.destination === 'pacs')).toBe(true);
    const sent = progress.map((p) => p.progress.bytesSent);
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    const total = progress[0]!.progress.bytesTotal!;
    expect(total).toBeGreaterThan(800 * 600 * 3);
    expect(total).toBeLessThan(stored.size);
    expect(sent.at(-1)).toBe(total);
    expect(r.forwarder.progressOf(job!.jobId)).toBeUndefined();
  });
});
