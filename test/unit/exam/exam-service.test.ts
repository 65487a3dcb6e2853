/**
 * The exam workflow end to end inside the service, on a real database and data directory, with
 * the simulated frame grabber: every object of an exam shares the study, is numbered, is durable
 * when acknowledged, passes dciodvfy and is read back by dcmdump; ending queues one job per
 * instance × store destination in the same commit; an exam left open by a crash is ended and
 * queued at the next start.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedFrameSource } from '../../../hw-sim/frame-grabber/index.js';
import { DbAuditLog } from '../../../device/audit/index.js';
import { systemClock } from '../../../device/clock.js';
import { parseDeviceConfig } from '../../../device/config/index.js';
import { openDatabase, type SqlDatabase } from '../../../device/db/index.js';
import { DbExamService } from '../../../device/exam/exam-service.js';
import { LiveCapture } from '../../../device/exam/live-capture.js';
import { ExamRefusal } from '../../../device/exam/machine.js';
import { nullLogger } from '../../../device/log/logger.js';
import { JobQueue } from '../../../device/queue/job-queue.js';
import { MppsLedger } from '../../../device/queue/mpps-ledger.js';
import { ExamProcedures } from '../../../device/exam/procedure-steps.js';
import { tagForKeyword } from '../../../dicom/dictionary/index.js';
import { InstanceStore } from '../../../device/storage/index.js';
import { runTool } from '../../helpers/run-tool.js';
import { newUid } from '../../helpers/service-instances.js';

interface Rig {
  dir: string;
  db: SqlDatabase;
  exams: DbExamService;
  live: LiveCapture;
  queue: JobQueue;
  audit: DbAuditLog;
  mpps: MppsLedger;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.live.stop();
    r.db.close();
    await rm(r.dir, { recursive: true, force: true });
  }
});

async function rig(dir?: string, configJson: object = {}): Promise<Rig> {
  dir ??= await mkdtemp(join(tmpdir(), 'sonicart-exam-'));
  const config = parseDeviceConfig({
    dataDir: dir,
    capture: { transferSyntax: 'explicit', ringSeconds: 4, maxCineSeconds: 3 },
    destinations: [
      { name: 'pacs', host: '127.0.0.1', port: 11112, calledAe: 'PACS', roles: ['store'] },
      { name: 'archive', host: '127.0.0.1', port: 11113, calledAe: 'ARCH', roles: ['store'] },
      { name: 'ris', host: '127.0.0.1', port: 11114, calledAe: 'RIS', roles: ['worklist'] },
    ],
    ...configJson,
  });
  const db = openDatabase(join(dir, 'sonicart.db'));
  const live = new LiveCapture(new SimulatedFrameSource({ width: 160, height: 120, fps: 25, seed: 3 }), { ringSeconds: 4, clock: systemClock, log: nullLogger });
  const audit = new DbAuditLog(db, systemClock);
  const queue = new JobQueue(db, { clock: systemClock });
  const mpps = new MppsLedger(db, queue, systemClock);
  const exams = new DbExamService({
    config,
    clock: systemClock,
    log: nullLogger,
    db,
    instances: new InstanceStore(db, { dataDir: dir, clock: systemClock }),
    queue,
    live,
    audit,
    newUid,
    newExamId: () => randomUUID(),
    equipment: { manufacturer: 'sonicart', modelName: 'test', softwareVersions: '0', stationName: 'US_CART' },
    procedures: new ExamProcedures({ config, db, ledger: mpps, newUid }),
  });
  live.start();
  const r = { dir, db, exams, live, queue, audit, mpps };
  rigs.push(r);
  return r;
}

async function dump(path: string): Promise<string> {
  const r = await runTool('dcmdump', ['+U8', path]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}
const value = (dumpText: string, tagText: string): string => new RegExp(`\\(${tagText}\\) \\w\\w \\[([^\\]]*)\\]`).exec(dumpText)?.[1] ?? '';

describe('exam service', () => {
  it('an unscheduled exam: stills, cines, a screen; one study, numbered series and instances, durable on resolve, valid IODs; end queues instance × store destination', async () => {
    const { exams, db, dir, audit } = await rig();
    const { examId, studyInstanceUid } = await exams.start({ patient: { name: 'Yamada^Tarou=山田^太郎=やまだ^たろう', sex: 'M', birthDate: '19800101' } });
    expect(exams.snapshot().state).toBe('live');
    await new Promise((r) => setTimeout(r, 1200)); // let the ring hold a second of frames

    const s1 = await exams.storeStill();
    // Acknowledged ⇒ file on disk and row committed.
    const row = db.prepare<{ path: string; exam_id: string }>('SELECT path, exam_id FROM instances WHERE sop_instance_uid = ?').get([s1.sopInstanceUid]);
    expect(row?.exam_id).toBe(examId);
    expect((await stat(join(dir, row!.path))).size).toBeGreaterThan(160 * 120);

    await exams.freeze();
    expect(exams.snapshot().state).toBe('frozen');
    const s2 = await exams.storeStill();
    const c1 = await exams.storeCine({ seconds: 1, mode: 'retrospective' });
    await expect(exams.storeCine({ seconds: 1, mode: 'prospective' })).rejects.toBeInstanceOf(ExamRefusal);
    await exams.unfreeze();
    const c2 = await exams.storeCine({ seconds: 0.5, mode: 'prospective' });
    const sc = await exams.storeScreen();

    expect([s1, s2, c1, c2].map((i) => [i.seriesNumber, i.instanceNumber])).toEqual([[1, 1], [1, 2], [1, 3], [1, 4]]);
    expect([sc.seriesNumber, sc.instanceNumber]).toEqual([2, 1]);
    expect(c1.frames).toBeGreaterThanOrEqual(20);
    expect(c2.frames).toBeGreaterThanOrEqual(10);

    const { exam, jobsQueued } = await exams.end();
    expect(exam.state).toBe('ended');
    expect(exam.instances).toHaveLength(5);
    expect(jobsQueued).toBe(10);
    const jobs = db.prepare<{ destination: string; n: number }>("SELECT destination, COUNT(*) AS n FROM jobs WHERE kind = 'store' AND state = 'scheduled' GROUP BY destination ORDER BY destination").all();
    expect(jobs).toEqual([{ destination: 'archive', n: 5 }, { destination: 'pacs', n: 5 }]);
    expect(exams.snapshot()).toEqual({ state: 'ended' });

    for (const inst of exam.instances) {
      const path = join(dir, db.prepare<{ path: string }>('SELECT path FROM instances WHERE sop_instance_uid = ?').get([inst.sopInstanceUid])!.path);
      const d = await dump(path);
      expect(value(d, '0020,000d')).toBe(studyInstanceUid);
      expect(value(d, '0020,0013')).toBe(String(inst.instanceNumber));
      expect(value(d, '0020,0011')).toBe(String(inst.seriesNumber));
      expect(value(d, '0010,0010')).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
      expect(value(d, '0010,0020')).toMatch(/^US\d{8}001$/);
      const v = await runTool('dciodvfy', [path]);
      expect(v.stderr.split('\n').filter((l) => l.startsWith('Error')), v.stderr).toEqual([]);
    }
    expect(audit.list({ action: 'exam-end' })[0]).toMatchObject({ what: `exam ${examId} study ${studyInstanceUid}`, where: 'pacs,archive' });
    // The audit trail names the exam and study, never the patient.
    expect(JSON.stringify(audit.list())).not.toContain('Yamada');
  }, 30_000);

  it('a worklist item carries its Study Instance UID and accession into every object', async () => {
    const { exams, db, dir } = await rig();
    const item = {
      '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
      '00080050': { vr: 'SH', Value: ['ACC-77'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Anna' }] },
      '00100020': { vr: 'LO', Value: ['PID-5'] },
      '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.12345'] },
      '00401001': { vr: 'SH', Value: ['RP-1'] },
    };
    const r = await exams.start({ worklistItem: item });
    expect(r.studyInstanceUid).toBe('1.2.826.0.1.3680043.8.498.12345');
    await new Promise((res) => setTimeout(res, 300));
    const s = await exams.storeStill();
    const path = join(dir, db.prepare<{ path: string }>('SELECT path FROM instances WHERE sop_instance_uid = ?').get([s.sopInstanceUid])!.path);
    const d = await dump(path);
    expect(value(d, '0020,000d')).toBe('1.2.826.0.1.3680043.8.498.12345');
    expect(value(d, '0008,0050')).toBe('ACC-77');
    expect(value(d, '0010,0010')).toBe('Müller^Anna');
    expect(exams.get(r.examId)).toMatchObject({ scheduled: true, accessionNumber: 'ACC-77', patient: { id: 'PID-5', name: 'Müller^Anna' } });
    await exams.cancel();
    expect(db.prepare('SELECT COUNT(*) AS n FROM jobs').get()).toEqual({ n: 0 });
  }, 20_000);

  it('refuses a second exam while one is open, a second store while one is in flight, and bad requests with typed errors', async () => {
    const { exams } = await rig();
    await expect(exams.storeStill()).rejects.toMatchObject({ code: 'EXAM_REFUSED', state: 'idle' });
    await expect(exams.start({ patient: { name: 'A\\B' } })).rejects.toMatchObject({ code: 'EXAM_BAD_PATIENT' });
    await expect(exams.start({ patient: { name: 'Doe^Jane', birthDate: '19990231' } })).rejects.toMatchObject({ code: 'EXAM_BAD_PATIENT', message: 'patient.birthDate: expected a date YYYYMMDD, got "19990231"' });
    await expect(exams.start({ worklistItem: { '00100010': { vr: 'XX' } } })).rejects.toMatchObject({ code: 'EXAM_BAD_WORKLIST_ITEM' });
    expect(exams.snapshot().state).toBe('idle');
    await exams.start({ patient: { name: 'Doe^Jane', id: 'P1' } });
    await expect(exams.start({ patient: { name: 'Roe^Rick' } })).rejects.toMatchObject({ code: 'EXAM_REFUSED', state: 'live', event: 'select' });
    await expect(exams.storeCine({ seconds: 9, mode: 'retrospective' })).rejects.toMatchObject({ code: 'EXAM_BAD_REQUEST' });
    const first = exams.storeCine({ seconds: 0.4, mode: 'prospective' });
    await expect(exams.storeStill()).rejects.toMatchObject({ code: 'EXAM_REFUSED', state: 'storing-live' });
    await expect(exams.end()).rejects.toMatchObject({ code: 'EXAM_REFUSED', state: 'storing-live' });
    expect(exams.snapshot().recording?.kind).toBe('cine');
    await first;
    expect(exams.snapshot().state).toBe('live');
  }, 20_000);

  it('an exam a crash left open is ended and queued at the next start, with its acknowledged instances', async () => {
    const a = await rig();
    const { examId } = await a.exams.start({ patient: { name: 'Doe^John' } });
    await new Promise((r) => setTimeout(r, 300));
    const s = await a.exams.storeStill();
    // "Crash": no end(); a new service on the same database and data directory.
    await a.live.stop();
    a.db.close();
    rigs.splice(rigs.indexOf(a), 1);
    const b = await rig(a.dir);
    expect(b.exams.recover()).toEqual([examId]);
    expect(b.exams.get(examId)?.state).toBe('ended');
    const jobs = b.db.prepare<{ destination: string; sop_instance_uid: string }>("SELECT destination, sop_instance_uid FROM jobs ORDER BY destination").all();
    expect(jobs).toEqual([{ destination: 'archive', sop_instance_uid: s.sopInstanceUid }, { destination: 'pacs', sop_instance_uid: s.sopInstanceUid }]);
    expect(b.exams.recover()).toEqual([]);
    expect(b.audit.list({ action: 'exam-end' })[0]).toMatchObject({ who: 'service', what: examId });
  }, 20_000);
  describe('MPPS of the exam (IHE SWF)', () => {
    const ris = { destinations: [{ name: 'pacs', host: '127.0.0.1', port: 11112, calledAe: 'PACS', roles: ['store'] }, { name: 'ris', host: '127.0.0.1', port: 11114, calledAe: 'RIS', roles: ['mpps'] }] };
    const k = (kw: string): number => tagForKeyword(kw)!;
    const messages = (r: Rig, examId: string) => r.queue.list({ examId, kind: 'mpps' }).reverse().map((j) => ({ job: j, msg: r.mpps.message(j.jobId)! }));

    it('start queues N-CREATE IN PROGRESS with the worklist references; end queues N-SET COMPLETED listing the stored instance; in the same commits', async () => {
      const r = await rig(undefined, ris);
      const item = { '00080005': { vr: 'CS', Value: ['ISO_IR 100'] }, '00080050': { vr: 'SH', Value: ['ACC-9'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Anna' }] }, '00100020': { vr: 'LO', Value: ['PID-9'] }, '00401001': { vr: 'SH', Value: ['RP-9'] } };
      const { examId } = await r.exams.start({ worklistItem: item });
      const [create] = messages(r, examId);
      expect(create!.job).toMatchObject({ destination: 'ris', state: 'scheduled' });
      expect(create!.msg).toMatchObject({ operation: 'N-CREATE', status: 'IN PROGRESS', lastStatus: null });
      const ds = create!.msg.dataSet;
      expect(ds.string(k('PerformedProcedureStepStatus'))?.trim()).toBe('IN PROGRESS');
      expect(ds.string(k('PerformedStationAETitle'))?.trim()).toBe('US_CART');
      const sched = ds.items(k('ScheduledStepAttributesSequence'))![0]!;
      expect(sched.string(k('AccessionNumber'))?.trim()).toBe('ACC-9');
      expect(sched.string(k('RequestedProcedureID'))?.trim()).toBe('RP-9');
      await new Promise((res) => setTimeout(res, 300));
      const s = await r.exams.storeStill();
      await r.exams.end();
      const [, set] = messages(r, examId);
      expect(set!.msg).toMatchObject({ operation: 'N-SET', status: 'COMPLETED', mppsSopInstanceUid: create!.msg.mppsSopInstanceUid });
      const series = set!.msg.dataSet.items(k('PerformedSeriesSequence'))!;
      expect(series).toHaveLength(1);
      expect(series[0]!.string(k('SeriesDescription'))?.trim()).toBe('Ultrasound');
      expect(series[0]!.string(k('RetrieveAETitle'))?.trim()).toBe('PACS');
      expect(series[0]!.items(k('ReferencedImageSequence'))!.map((i) => i.string(k('ReferencedSOPInstanceUID'))?.replace(/\0$/, ''))).toEqual([s.sopInstanceUid]);
      expect(set!.msg.dataSet.strings(k('SpecificCharacterSet'))).toEqual(['ISO_IR 100']);
    }, 20_000);

    it('cancel queues N-SET DISCONTINUED with the reason code and no series', async () => {
      const r = await rig(undefined, ris);
      const { examId } = await r.exams.start({ patient: { name: 'Doe^John' } });
      await r.exams.cancel('wrongWorklistEntry');
      const [, set] = messages(r, examId);
      expect(set!.msg).toMatchObject({ operation: 'N-SET', status: 'DISCONTINUED' });
      const code = set!.msg.dataSet.items(k('PerformedProcedureStepDiscontinuationReasonCodeSequence'))![0]!;
      expect(code.string(k('CodeValue'))?.trim()).toBe('110514');
      expect(set!.msg.dataSet.items(k('PerformedSeriesSequence')) ?? []).toEqual([]);
    });

    it('an exam a crash left open is completed at the next start, once', async () => {
      const a = await rig(undefined, ris);
      const { examId } = await a.exams.start({ patient: { name: 'Doe^John' } });
      await a.live.stop();
      a.db.close();
      rigs.splice(rigs.indexOf(a), 1);
      const b = await rig(a.dir, ris);
      b.exams.recover();
      expect(messages(b, examId).map((m) => `${m.msg.operation} ${m.msg.status}`)).toEqual(['N-CREATE IN PROGRESS', 'N-SET COMPLETED']);
      b.exams.recover();
      expect(messages(b, examId)).toHaveLength(2);
    });
  });
});
