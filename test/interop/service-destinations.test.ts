/**
 * The queue and forwarder against three destinations at once: DCMTK storescp, Orthanc, and a
 * scripted peer that refuses with A700 (out of resources), then fails the instance with C000
 * on the next association. Each destination follows the conformance §2 policy on its own: the
 * A700 pauses only the scripted one, storescp and Orthanc get everything meanwhile.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rig } from '../helpers/service-peers.js';
import { dest, makeRig, receivedBy, startOrthanc, startStorescp, type Orthanc, type Storescp } from '../helpers/service-peers.js';
import { normalizeDcmdump } from '../helpers/dcmdump-normalize.js';
import { runTool, scratchDir } from '../helpers/run-tool.js';
import { acceptAssociation, answerRelease, answerStore, readMessage, startScriptedPeer, type ScriptedPeer } from '../helpers/scripted-peer.js';
import { writeStudy, type WrittenInstance } from '../helpers/service-instances.js';

let dir: string;
let cleanup: () => Promise<void>;
let storescp: Storescp;
let orthanc: Orthanc;
let scripted: ScriptedPeer;
let rig: Rig;
let study: WrittenInstance[];
/** What the scripted peer did, per association. */
const scriptLog: string[][] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir('sonicart-svc-dest-'));
  [storescp, orthanc] = await Promise.all([startStorescp(join(dir, 'storescp')), startOrthanc(join(dir, 'orthanc'))]);
  let association = 0;
  scripted = await startScriptedPeer(async (c) => {
    const n = ++association;
    const log: string[] = [];
    scriptLog.push(log);
    await acceptAssociation(c);
    for (let i = 0; ; i++) {
      const p = await c.readPdu();
      if (p.type === 'A-RELEASE-RQ') {
        log.push('release');
        c.send({ type: 'A-RELEASE-RP' });
        c.end();
        return;
      }
      // Put the PDU back in front: read the whole message it starts.
      c.received.pop();
      const m = await readMessageStartingWith(c, p);
      // First association: A700 on the first instance. Second: C000 on the first, then success.
      const status = n === 1 ? 0xa700 : i === 0 ? 0xc000 : 0x0000;
      log.push(`${m.command.affectedSopInstanceUid}:${status.toString(16)}`);
      answerStore(c, m, status);
      if (n === 1) {
        await answerRelease(c);
        log.push('release');
        return;
      }
    }
  });
  rig = makeRig(join(dir, 'data'), [dest('pacs', 'STORESCP', storescp.port), dest('orthanc', 'ORTHANC', orthanc.port, 2), dest('busy', 'BUSY', scripted.port)]);
  study = await writeStudy(join(dir), 6);
  for (const s of study) await rig.store.importFile(s.path, { examId: 'E1' });
}, 60_000);

afterAll(async () => {
  await rig?.close();
  await scripted?.close();
  await Promise.all([storescp?.proc.stop(), orthanc?.proc.stop(10_000)]);
  await cleanup();
}, 30_000);

/** readMessage, given the first P-DATA-TF already read. */
async function readMessageStartingWith(c: Parameters<typeof readMessage>[0], first: Awaited<ReturnType<Parameters<typeof readMessage>[0]['readPdu']>>) {
  let pending: typeof first | undefined = first;
  const wrapped = { ...c, readPdu: () => (pending ? Promise.resolve(((p) => ((pending = undefined), p))(pending)) : c.readPdu()) };
  return readMessage(wrapped);
}

describe('three destinations, each on its own policy', () => {
  it('storescp and Orthanc receive everything while the A700 destination waits paused', async () => {
    rig.queue.enqueue({ examId: 'E1' }, ['pacs', 'orthanc', 'busy']);
    rig.forwarder.start();
    await rig.forwarder.idle();

    for (const d of ['pacs', 'orthanc']) {
      expect(rig.queue.list({ destination: d }, { limit: 10 }).map((j) => [j.state, j.status, j.attempts])).toEqual(study.map(() => ['completed', '0000', 1]));
    }
    // storescp holds every instance, data set element for element as we stored it
    const got = await receivedBy(storescp.out);
    expect([...got.keys()].sort()).toEqual(study.map((s) => s.sopInstanceUid).sort());
    const dump = async (p: string) => normalizeDcmdump((await runTool('dcmdump', ['-q', '+L', p])).stdout).filter((l) => !l.startsWith('(fffc,fffc)'));
    for (const s of study) expect(await dump(got.get(s.sopInstanceUid)!), s.sopInstanceUid).toEqual(await dump(rig.store.pathOf(s.sopInstanceUid)));
    for (const uid of study.map((s) => s.sopInstanceUid)) expect(await orthanc.has(uid)).toBe(true);

    // the jobs' order (the exam's instances by time, then UID)
    const order = rig.queue.list({ destination: 'busy' }, { limit: 10 }).reverse().map((j) => j.sopInstanceUid!);
    // busy: A700 on the first instance → released (not aborted), all its jobs in retry, paused
    expect(scriptLog[0]).toEqual([`${order[0]}:a700`, 'release']);
    const busy = rig.queue.list({ destination: 'busy' }, { limit: 10 }).reverse();
    expect(busy.map((j) => j.state)).toEqual(study.map(() => 'retry'));
    expect(busy[0]).toMatchObject({ status: 'A700', attempts: 1, reason: expect.stringMatching(/Out of Resources/) });
    expect(busy.slice(1).every((j) => j.attempts === 0)).toBe(true);
    expect(Object.keys(rig.queue.summary().paused)).toEqual(['busy']);
  }, 60_000);

  it('after the back-off: C000 fails that instance permanently, the others go through on the same association', async () => {
    rig.clock.advance(1000);
    await rig.forwarder.idle();
    expect(scriptLog).toHaveLength(2);
    const order = rig.queue.list({ destination: 'busy' }, { limit: 10 }).reverse().map((j) => j.sopInstanceUid!);
    expect(scriptLog[1]).toEqual([`${order[0]}:c000`, ...order.slice(1).map((u) => `${u}:0`), 'release']);
    const busy = rig.queue.list({ destination: 'busy' }, { limit: 10 }).reverse();
    expect(busy[0]).toMatchObject({ state: 'failed', status: 'C000', attempts: 2 });
    expect(busy.slice(1).map((j) => [j.state, j.status])).toEqual(study.slice(1).map(() => ['completed', '0000']));
    expect(rig.queue.summary().paused).toEqual({});
    expect(scripted.scriptErrors).toEqual([]);
    // nothing left to do, no timer left behind
    expect(rig.queue.count({ state: ['scheduled', 'retry', 'in-progress'] })).toBe(0);
  }, 60_000);
});
