/**
 * The composition root: the one place that chooses real or simulated hardware (architecture
 * dependency rule: only this file imports hw-sim/), and wires the cart's modules into a Device:
 * clock, logger, database, instance store, queue and forwarder, capture chain, exams, worklist,
 * audit, destinations, media jobs, and the serial control panel (device/panel/).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import { uidGenerator } from '../dicom/core/index.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';
import type { Hospital, HospitalOptions } from '../hw-sim/hospital/index.js';
import { SimulatedMediaWatcher } from '../hw-sim/media/simulated-watcher.js';
import { startSimulatedPanelOnPty } from '../hw-sim/panel/index.js';
import { bindControlPanel, openConfiguredPanel, type ControlPanel, type PanelBinding } from './panel/index.js';
import { DbAuditLog, auditSends } from './audit/index.js';
import { openHardwareSource, type FrameSource, type SourceSpecOptions } from './capture/index.js';
import { systemClock, type Clock } from './clock.js';
import { ConfiguredDestinations, peerConfigFor, type DeviceConfig } from './config/index.js';
import { openDatabase, type SqlDatabase } from './db/index.js';
import { AlarmBoard } from './alarms.js';
import type { Device } from './device.js';
import { DbExamService } from './exam/exam-service.js';
import { LiveCapture } from './exam/live-capture.js';
import { encoderFor } from './codecs/index.js';
import { nullLogger, type Logger } from './log/logger.js';
import { LinuxMediaWatcher } from './media/linux-watcher.js';
import { MediaJobs } from './media/jobs.js';
import type { MediaWatcher } from './media/watcher.js';
import { Forwarder, JobQueue } from './queue/index.js';
import { CommitmentLedger } from './queue/commitment-ledger.js';
import { MppsLedger } from './queue/mpps-ledger.js';
import { ProcedureSender } from './queue/procedure-sender.js';
import { ExamProcedures } from './exam/procedure-steps.js';
import { PolledUsbMonitor, UsbHistory, sysfsUsbBackend, type UsbMonitor } from './usb/index.js';
import { InstanceStore, Quota } from './storage/index.js';
import type { CommitmentReportHandler } from './net/scp/commitment-report.js';
import { CartScp } from './scp/cart-scp.js';
import { unmatchedCommitmentReports } from './scp/commitment-reports.js';
import { DbWorklistService, networkWorklistFinder, type WorklistFinder } from './worklist/index.js';

/** `sim` (the simulator), `v4l2:/dev/videoN` or `file:PATH`. */
export async function openFrameSource(spec: string, o: SourceSpecOptions & { seed?: number } = {}): Promise<FrameSource> {
  if (spec === 'sim') {
    return new SimulatedFrameSource({
      ...(o.width ? { width: o.width } : {}),
      ...(o.height ? { height: o.height } : {}),
      ...(o.fps ? { fps: o.fps } : {}),
      ...(o.format ? { format: o.format } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
    });
  }
  return openHardwareSource(spec, o);
}

/** The simulated hospital (worklist, storage, MPPS, storage commitment) for `sonicart hospital` and `npm start`. */
export async function startSimulatedHospital(o: HospitalOptions): Promise<Hospital> {
  const { startHospital } = await import('../hw-sim/hospital/index.js');
  return startHospital(o);
}

export type { Hospital, HospitalOptions };
/** What a test or a bench may replace; everything else follows the configuration. */
export interface DeviceOverrides {
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly frameSource?: FrameSource;
  readonly mediaWatcher?: MediaWatcher;
  readonly worklistFinder?: WorklistFinder;
  /** The serial control panel (issue 11) instead of the one config.panel.path names; null: none. */
  readonly controlPanel?: ControlPanel | null;
  readonly newUid?: () => string;
  /** USB devices for the service screen (default: sysfs, polled). */
  readonly usbMonitor?: UsbMonitor;
  /** Where storage commitment reports go (default: the device's own, see assemble()). */
  readonly commitmentReports?: CommitmentReportHandler;
  /** fsync each received instance (default true; benchmarks compare without). */
  readonly scpSync?: boolean;
}

export const EQUIPMENT = { manufacturer: 'sonicart', modelName: 'sonicart cart', softwareVersions: '0.1.0' } as const;

/** The Device plus the modules the API and the service lifecycle use directly. */
export interface CartDevice extends Device {
  readonly db: SqlDatabase;
  readonly instances: InstanceStore;
  readonly queue: JobQueue;
  readonly forwarder: Forwarder;
  /** MPPS and storage commitment (IHE SWF): the sender of their jobs and their records. */
  readonly procedures: ProcedureSender;
  readonly mpps: MppsLedger;
  /** The cart's CommitmentReportHandler: reports on any association are recorded here. */
  readonly commitments: CommitmentLedger;
  readonly media: MediaJobs;
  readonly exams: DbExamService;
  readonly worklist: DbWorklistService;
  readonly live: LiveCapture;
  readonly usb: UsbHistory;
  /** The listener (conformance §8): Verification, Storage into `instances`, commitment reports. */
  readonly scp: CartScp;
}

export async function createDevice(config: DeviceConfig, o: DeviceOverrides = {}): Promise<CartDevice> {
  const clock = o.clock ?? systemClock;
  const log = o.log ?? nullLogger;
  await mkdir(config.dataDir, { recursive: true });
  const db = openDatabase(join(config.dataDir, 'sonicart.db'), { now: () => clock.now() });
  try {
    return await assemble(config, o, clock, log, db);
  } catch (e) {
    db.close();
    throw e;
  }
}

async function assemble(config: DeviceConfig, o: DeviceOverrides, clock: Clock, log: Logger, db: SqlDatabase): Promise<CartDevice> {
  const newUid = o.newUid ?? uidGenerator((n) => new Uint8Array(randomBytes(n)));
  const audit = new DbAuditLog(db, clock);
  const instances = new InstanceStore(db, { dataDir: config.dataDir, clock, log: log.child({ module: 'storage' }), reserveBytes: config.quotas.refuseFreeMb * 1024 * 1024 });
  const queue = new JobQueue(db, {
    clock,
    log: log.child({ module: 'queue' }),
    retry: { initialMs: config.retry.initialDelayS * 1000, maxMs: config.retry.maxDelayS * 1000, factor: config.retry.factor, ...(config.retry.maxAttempts > 0 ? { maxAttempts: config.retry.maxAttempts } : {}) },
    // Every send outcome's audit row, in the commit that records the outcome.
    onSettled: auditSends(audit),
  });
  const forwarder = new Forwarder({
    queue,
    dataDir: config.dataDir,
    clock,
    log: log.child({ module: 'forwarder' }),
    destinations: config.destinations.filter((d) => d.roles.includes('store')).map((d) => ({ name: d.name, peer: peerConfigFor(config, d, 'store'), concurrency: d.concurrency, lingerMs: d.lingerS * 1000 })),
  });
  const mpps = new MppsLedger(db, queue, clock);
  const commitments = new CommitmentLedger({
    db,
    queue,
    clock,
    log: log.child({ module: 'commitment' }),
    maxResends: config.commitment.maxResends,
    audit,
    unmatched: unmatchedCommitmentReports({ log: log.child({ module: 'commitment' }), audit }),
  });
  const procedures = new ProcedureSender({
    db,
    queue,
    mpps,
    commitment: commitments,
    clock,
    newUid,
    log: log.child({ module: 'procedures' }),
    reportTimeoutMs: config.commitment.reportTimeoutS * 1000,
    holdAssociationMs: config.commitment.holdAssociationS * 1000,
    destinations: config.destinations
      .filter((d) => d.roles.includes('mpps') || d.roles.includes('commitment'))
      // The conformance statement's timers for MPPS and commitment are those of find (§1).
      .map((d) => ({ name: d.name, peer: peerConfigFor(config, d, 'find'), mpps: d.roles.includes('mpps'), commitment: d.roles.includes('commitment') })),
  });
  const source = o.frameSource ?? (await openFrameSource(config.capture.source));
  const live = new LiveCapture(source, {
    ringSeconds: config.capture.ringSeconds,
    ringMemoryBytes: config.capture.ringMemoryMb * 2 ** 20,
    // capture.ringFrames 'compressed': lossless syntaxes keep frames packed losslessly, JPEG
    // Baseline encoded once; 'raw': frames as delivered (no CPU, more memory per second).
    ...(config.capture.ringFrames === 'compressed' ? { ringEncoder: () => encoderFor(config.capture.transferSyntax) } : {}),
    clock,
    log: log.child({ module: 'capture' }),
  });
  const watcher = o.mediaWatcher ?? (config.media.watcher === 'sim' ? new SimulatedMediaWatcher(join(config.dataDir, 'sim-media'), { pollMs: 500 }) : new LinuxMediaWatcher());

  let exams: DbExamService | undefined;
  const media = new MediaJobs({
    watcher,
    profile: config.media.profile,
    clock,
    log: log.child({ module: 'media' }),
    examFiles: async (ids) => ids.flatMap((id) => (exams?.get(id)?.instances ?? []).map((i) => instances.pathOf(i.sopInstanceUid))),
    currentOrLastExam: () => exams?.snapshot().current?.examId ?? exams?.list({ limit: 1 })[0]?.examId,
    audit: (e) => audit.record({ ...e, action: 'export' }),
  });
  exams = new DbExamService({
    config,
    clock,
    log: log.child({ module: 'exam' }),
    db,
    instances,
    queue,
    live,
    audit,
    newUid,
    newExamId: () => randomUUID(),
    equipment: { ...EQUIPMENT, stationName: config.stationName, ...(config.institutionName ? { institutionName: config.institutionName } : {}) },
    exportOnEnd: () => media.exportCurrent('service'),
    procedures: new ExamProcedures({ config, db, ledger: mpps, newUid }),
  });
  const worklist = new DbWorklistService({ config, clock, log: log.child({ module: 'worklist' }), db, audit, find: o.worklistFinder ?? networkWorklistFinder(log.child({ module: 'worklist-scu' })) });
  const destinations = new ConfiguredDestinations(config, log.child({ module: 'echo' }));
  const MiB = 2 ** 20;
  const quota = new Quota({
    db,
    store: instances,
    limits: { maxStoreBytes: config.quotas.maxSpoolMb * MiB, minFreeBytes: config.quotas.warnFreeMb * MiB, warnFreeBytes: config.quotas.warnFreeMb * MiB },
    destinations: () => config.destinations.filter((d) => d.roles.includes('store')).map((d) => d.name),
    // Local deletion waits for storage commitment where the destination is asked for it.
    commitmentRequired: (d) => config.destinations.some((x) => x.name === d && x.roles.includes('commitment')),
    committed: (uid, d) => commitments.isCommitted(uid, d),
    log: log.child({ module: 'quota' }),
  });
  const alarms = new AlarmBoard(clock);
  // Storage commitment reports that arrive at the listener (on a new association) go to the
  // commitment ledger, as those on the N-ACTION's own association do; one for a transaction we
  // never requested is logged and audited as unmatched.
  const commitmentReports: CommitmentReportHandler = o.commitmentReports ?? commitments;
  const scp = new CartScp({
    config,
    store: instances,
    storeBytes: () => quota.storeBytes(),
    commitmentReports,
    audit,
    clock,
    log: log.child({ module: 'scp' }),
    alarm: (p) => (p === null ? alarms.clear('SCP_NOT_LISTENING') : alarms.raise('SCP_NOT_LISTENING', p)),
    ...(o.scpSync !== undefined ? { sync: o.scpSync } : {}),
  });
  // The serial control panel: from the configuration unless a test hands one in.
  const openedPanel = o.controlPanel !== undefined ? undefined : await openConfiguredPanel(config.panel.path, { simulate: () => startSimulatedPanelOnPty(), clock, log: log.child({ module: 'panel' }), hostVersion: EQUIPMENT.softwareVersions });
  const serialPanel = o.controlPanel ?? openedPanel?.panel;
  let panelBinding: PanelBinding | undefined;
  const usb = new UsbHistory(o.usbMonitor ?? new PolledUsbMonitor(sysfsUsbBackend(), { clock, logger: log }), clock);

  const subs: Subscription[] = [];
  let started = false;
  let stopped = false;
  let diskTimer: { cancel(): void } | undefined;
  let housekeepingRun: Promise<void> | undefined;
  const housekeeping = (): Promise<void> => {
    housekeepingRun ??= (async () => {
      diskTimer?.cancel();
      try {
        const r = await quota.enforce();
        const freeMb = Math.floor(r.disk.freeBytes / MiB);
        const refusing = freeMb < config.quotas.refuseFreeMb;
        const low = !refusing && freeMb < config.quotas.warnFreeMb;
        if (refusing) alarms.raise('DISK_FULL', { freeMb, limitMb: config.quotas.refuseFreeMb, dataDir: config.dataDir });
        else alarms.clear('DISK_FULL');
        if (low) alarms.raise('DISK_LOW', { freeMb, limitMb: config.quotas.warnFreeMb, dataDir: config.dataDir });
        else alarms.clear('DISK_LOW');
        // The quota removes sent studies while over the limit: still over means none is left.
        const storeMb = Math.ceil(r.storeBytes / MiB);
        if (r.storeBytes > config.quotas.maxSpoolMb * MiB) alarms.raise('SPOOL_OVER_QUOTA', { storeMb, limitMb: config.quotas.maxSpoolMb });
        else alarms.clear('SPOOL_OVER_QUOTA');
        if (r.removedStudies.length) log.info('quota removed sent studies', { studies: r.removedStudies.length, bytes: r.removedBytes });
      } catch (e) {
        log.warn('housekeeping failed', { error: e });
      }
      if (!stopped) diskTimer = clock.setTimeout(() => void housekeeping(), 60_000);
    })().finally(() => (housekeepingRun = undefined));
    return housekeepingRun;
  };

  const device: CartDevice = {
    config,
    clock,
    log,
    db,
    instances,
    queue,
    forwarder,
    procedures,
    mpps,
    commitments,
    media,
    exams,
    worklist,
    audit,
    destinations,
    live,
    usb,
    scp,
    alarms$: alarms.alarms$,
    alarms: () => alarms.current(),

    async start() {
      if (started) return;
      started = true;
      const report = await instances.reconcile();
      if (report.missing.length) alarms.raise('INSTANCES_MISSING', { count: report.missing.length });
      queue.recover();
      exams!.recover();
      // Audit: every deletion of patient data (send outcomes are audited by the queue's onSettled).
      subs.push(
        queue.events$.subscribe((e) => {
          if (e.type === 'destination-paused') {
            alarms.raise('DESTINATION_PAUSED', { destination: e.destination, reason: e.reason, until: e.until }, e.destination);
          } else if (e.type === 'destination-resumed') {
            alarms.clear('DESTINATION_PAUSED', e.destination);
          }
        }),
        instances.events$.subscribe((e) => {
          if (e.type === 'instance-deleted') audit.record({ who: 'service', action: 'delete', what: `instance ${e.sopInstanceUid}`, where: 'local', outcome: 'success' });
        }),
        worklist.events$.subscribe((e) => {
          if (e.type === 'worklist-failed') alarms.raise('WORKLIST_UNREACHABLE', { reason: e.error.message });
          else alarms.clear('WORKLIST_UNREACHABLE');
        }),
        queue.events$.subscribe((e) => {
          // New jobs, or a job the user retried: the forwarder looks again.
          if (e.type === 'jobs-added') forwarder.kick();
          else if (e.type === 'job' && e.job.state === 'scheduled') forwarder.kick(e.job.destination);
        }),
      );
      await live.prepare();
      live.start();
      live.done.then(() => {
        if (!stopped) alarms.raise('FRAME_SOURCE_STOPPED', { source: live.info.description });
      });
      await media.start();
      // After reconcile (incoming/ emptied, the store consistent): other AEs may send now.
      await scp.start();
      forwarder.start();
      procedures.start();
      worklist.start();
      await usb.start();
      if (serialPanel) panelBinding = bindControlPanel(serialPanel, { config: config.panel, exams: exams!, queue, media, alarms$: alarms.alarms$, raiseAlarm: (c, p) => alarms.raise(c, p), clearAlarm: (c) => alarms.clear(c), clock, log: log.child({ module: 'panel' }) });
      // Housekeeping, every minute and after each exam: the quota removes the oldest fully sent
      // studies; free space below the limits raises an alarm before the store refuses captures.
      await housekeeping();
      subs.push(
        exams!.events$.subscribe((e) => {
          if (e.type === 'exam-state' && e.state === 'ended') void housekeeping();
        }),
        // A study becomes removable once its last send is done: look when the queue drains.
        queue.events$.subscribe((e) => {
          if (e.type === 'job' && (e.job.state === 'completed' || e.job.state === 'warning')) {
            const s = queue.summary().byState;
            if (s.scheduled + s['in-progress'] === 0) void housekeeping();
          }
        }),
      );
      log.info('device started', { dataDir: config.dataDir, destinations: config.destinations.length, source: config.capture.source });
    },

    async stop(options = { drain: true }) {
      if (stopped) return;
      stopped = true;
      diskTimer?.cancel();
      // No new association; the C-STORE in flight finishes (drain) or is aborted, its partial file removed.
      await scp.stop(options.drain);
      await housekeepingRun;
      // Drain: the instance being written is finished (acknowledged or failed), no new work is taken.
      if (options.drain) await exams!.drain();
      await worklist.stop();
      await forwarder.stop();
      await procedures.stop();
      await media.stop();
      await live.stop();
      await panelBinding?.stop();
      usb.stop();
      await openedPanel?.close();
      for (const s of subs) s.unsubscribe();
      db.close();
      log.info('device stopped', { drained: options.drain });
    },
  };
  return device;
}
