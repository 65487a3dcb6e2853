/**
 * The whole device (createDevice) against DCMTK's storescp: an exam's stills and cine, once
 * ended, arrive at the store destination under one study; every send is in the audit trail;
 * the info-level log never carries the patient's name or ID. A worklist entry from wlmscpfs
 * (ISO 2022 IR 87, written by Python's codecs and dump2dcm) picked through the worklist service
 * carries its Study Instance UID, accession and Japanese name into what storescp receives.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../hw-sim/frame-grabber/index.js';
import { parseDeviceConfig } from '../../device/config/index.js';
import { jsonLogger } from '../../device/log/logger.js';
import { createDevice, type CartDevice } from '../../device/main.js';
import { runPython, runTool } from '../helpers/run-tool.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { freePort, startPeer, type PeerProcess } from '../helpers/net-peers.js';
import { receivedBy, startStorescp, type Storescp } from '../helpers/service-peers.js';
import { CHARSET_ENTRIES, writeWorklistFiles } from '../helpers/worklist-files.js';

let dir: string;
let scp: Storescp;
let wlm: PeerProcess;
let device: CartDevice;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sonicart-device-'));
  scp = await startStorescp(join(dir, 'received'));
  await mkdir(join(dir, 'wl', 'WLMSCP'), { recursive: true });
  await writeFile(join(dir, 'wl', 'WLMSCP', 'lockfile'), '');
  await writeWorklistFiles(join(dir, 'wl', 'WLMSCP'));
  const wlPort = await freePort();
  wlm = await startPeer('wlmscpfs', ['-csk', '-dfp', join(dir, 'wl'), String(wlPort)], wlPort);
  const config = parseDeviceConfig({
    dataDir: join(dir, 'cart'),
    uiPort: 1,
    capture: { transferSyntax: 'jpeg-lossless', ringSeconds: 4, maxCineSeconds: 3 },
    destinations: [
      { name: 'pacs', host: '127.0.0.1', port: scp.port, calledAe: 'STORESCP', roles: ['store'] },
      { name: 'ris', host: '127.0.0.1', port: wlPort, calledAe: 'WLMSCP', roles: ['worklist'] },
    ],
    worklist: { refreshIntervalS: 0 },
  });
  device = await createDevice(config, {
    frameSource: new SimulatedFrameSource({ width: 320, height: 240, fps: 25, seed: 7 }),
    log: jsonLogger((l) => lines.push(l), { level: 'info' }),
  });
  await device.start();
}, 30_000);

afterAll(async () => {
  await device?.stop({ drain: true });
  await scp?.proc.stop();
  await wlm?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('device: exam → storescp', () => {
  it('stores the exam at the destination, audits each send, keeps patient identity out of the info log', async () => {
    const { studyInstanceUid } = await device.exams.start({ patient: { name: 'Suzuki^Hanako', id: 'PID-SECRET-42', sex: 'F' } });
    await new Promise((r) => setTimeout(r, 1200));
    const stored = [await device.exams.storeStill(), await device.exams.storeStill(), await device.exams.storeCine({ seconds: 1, mode: 'retrospective' })];
    const done = firstValueFrom(device.queue.events$.pipe(filter(() => device.queue.summary().byState.completed === 3)));
    const { jobsQueued } = await device.exams.end();
    expect(jobsQueued).toBe(3);
    await done;

    const got = await receivedBy(scp.out);
    for (const s of stored) {
      const file = got.get(s.sopInstanceUid);
      expect(file, s.sopInstanceUid).toBeDefined();
      const d = await runTool('dcmdump', ['+P', '0020,000d', '+P', '0010,0020', file!]);
      expect(d.stdout).toContain(studyInstanceUid);
      expect(d.stdout).toContain('PID-SECRET-42');
    }
    const sends = device.audit.list({ action: 'send' });
    expect(sends.map((s) => [s.where, s.outcome]).sort()).toEqual([['pacs', 'success'], ['pacs', 'success'], ['pacs', 'success']]);
    expect(sends.map((s) => s.what).sort()).toEqual(stored.map((s) => `instance ${s.sopInstanceUid}`).sort());

    const log = lines.join('\n');
    expect(log).toContain('"msg":"instance stored"');
    expect(log).not.toContain('Suzuki');
    expect(log).not.toContain('PID-SECRET-42');
  }, 60_000);

  it('a worklist entry picked from wlmscpfs carries study, accession and the Japanese name into the stored object', async () => {
    const answer = await device.worklist.query({ patientName: 'Yamada*', date: '20240315' }, { refresh: true });
    expect(answer.error).toBeUndefined();
    const ir87 = CHARSET_ENTRIES.find((e) => e.patientId === 'CS-IR87')!;
    const match = answer.matches.find((m) => m.summary.patientId === ir87.patientId)!;
    expect(match).toBeDefined();
    const { studyInstanceUid } = await device.exams.start({ worklistItem: match.item });
    expect(studyInstanceUid).toBe(ir87.studyUid);
    await new Promise((r) => setTimeout(r, 300));
    const still = await device.exams.storeStill();
    const before = device.queue.summary().byState.completed;
    const done = firstValueFrom(device.queue.events$.pipe(filter(() => device.queue.summary().byState.completed === before + 1)));
    await device.exams.end();
    await done;
    const file = (await receivedBy(scp.out)).get(still.sopInstanceUid)!;
    // pydicom decodes ISO 2022 IR 87 (this DCMTK's iconv cannot): an independent reader of what we wrote.
    const py = await runPython(
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nprint(ds.SpecificCharacterSet)\nprint(ds.StudyInstanceUID)\nprint(ds.AccessionNumber)\nprint(str(ds.PatientName))',
      [file],
    );
    expect(py.code, py.stderr).toBe(0);
    const [charset, study, accession, name] = py.stdout.trim().split('\n');
    expect(charset).toBe("['', 'ISO 2022 IR 87']");
    expect([study, accession, name]).toEqual([ir87.studyUid, ir87.accession, ir87.patientName]);
    expect(device.audit.list({ action: 'worklist-query' })[0]).toMatchObject({ where: 'ris', outcome: 'success' });
  }, 60_000);
});
