/**
 * The forwarder against a scripted peer (real PDUs over loopback): an association lost in the
 * middle of an instance (transient: retried with back-off, attempt counted), several
 * associations at once to one destination, and stop() finishing the instance in flight.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptAssociation, answerStore, readMessage, startScriptedPeer, type PeerConnection, type ScriptedPeer } from '../../helpers/scripted-peer.js';
import { dest, makeRig, type Rig } from '../../helpers/service-peers.js';
import { writeStudy } from '../../helpers/service-instances.js';

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

async function setup(n: number, concurrency: number, script: (c: PeerConnection) => Promise<void>): Promise<Rig> {
  peer = await startScriptedPeer(script);
  rig = makeRig(join(dir, 'data'), [dest('pacs', 'SCRIPTED', peer.port, concurrency)]);
  for (const s of await writeStudy(dir, n)) await rig.store.importFile(s.path, { examId: 'E1' });
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
    const received = peer!.connections.flatMap((c) => c.received.filter((p) => p.type === 'P-DATA-TF' && p.pdvs.some((v) => v.command && v.last))).length;
    expect(received).toBe(12);
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
  });
});
