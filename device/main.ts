/**
 * The composition root: the one place that chooses real or simulated hardware (architecture
 * dependency rule: only this file imports hw-sim/), and wires the cart's modules into a Device:
 * clock, logger, database, instance store, queue and forwarder, capture chain, exams, worklist,
 * audit, destinations, media jobs, and the control panel seam (issue 11 fills it).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BehaviorSubject, type Observable, type Subscription } from 'rxjs';
import { uidGenerator } from '../dicom/core/index.js';
import { SimulatedFrameSource } from '../hw-sim/frame-grabber/index.js';
import type { Hospital, HospitalOptions } from '../hw-sim/hospital/index.js';
import { SimulatedMediaWatcher } from '../hw-sim/media/simulated-watcher.js';
import { startSimulatedPanelOnPty } from '../hw-sim/panel/index.js';
import { bindControlPanel, openConfiguredPanel, type ControlPanel as SerialControlPanel, type PanelBinding } from './panel/index.js';
import { DbAuditLog } from './audit/index.js';
import { openHardwareSource, type FrameSource, type SourceSpecOptions } from './capture/index.js';
import { systemClock, type Clock } from './clock.js';
import { ConfiguredDestinations, peerConfigFor, type DeviceConfig } from './config/index.js';
import { openDatabase, type SqlDatabase } from './db/index.js';
import type { Alarm, ControlPanel, Device } from './device.js';
import { DbExamService } from './exam/exam-service.js';
import { LiveCapture } from './exam/live-capture.js';
import { encoderFor } from './codecs/index.js';
import { nullLogger, type Logger } from './log/logger.js';
import { bindPanel } from './panel-binding.js';
import { LinuxMediaWatcher } from './media/linux-watcher.js';
import { MediaJobs } from './media/jobs.js';
import type { MediaWatcher } from './media/watcher.js';
import { Forwarder, JobQueue } from './queue/index.js';
import { PolledUsbMonitor, UsbHistory, sysfsUsbBackend, type UsbMonitor } from './usb/index.js';
import { InstanceStore, Quota } from './storage/index.js';
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
  /** The control panel (issue 11); absent: no panel. */
  readonly panel?: ControlPanel;
  /** The serial control panel (issue 11) instead of the one config.panel.path names; null: none. */
  readonly controlPanel?: SerialControlPanel | null;
  readonly newUid?: () => string;
  /** USB devices for the service screen (default: sysfs, polled). */
  readonly usbMonitor?: UsbMonitor;
}

export const EQUIPMENT = { manufacturer: 'sonicart', modelName: 'sonicart cart', softwareVersions: '0.1.0' } as const;

/** The Device plus the modules the API and the service lifecycle use directly. */
export interface CartDevice extends Device {
  readonly db: SqlDatabase;
  readonly instances: InstanceStore;
  readonly queue: JobQueue;
  readonly forwarder: Forwarder;
  readonly media: MediaJobs;
  readonly exams: DbExamService;
  readonly worklist: DbWorklistService;
  readonly live: LiveCapture;
  readonly panel: ControlPanel | undefined;
  readonly usb: UsbHistory;
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
  });
  const forwarder = new Forwarder({
    queue,
    dataDir: config.dataDir,
    clock,
    log: log.child({ module: 'forwarder' }),
    destinations: config.destinations.filter((d) => d.roles.includes('store')).map((d) => ({ name: d.name, peer: peerConfigFor(config, d, 'store'), concurrency: d.concurrency })),
  });
  const source = o.frameSource ?? (await openFrameSource(config.capture.source));
  const live = new LiveCapture(source, {
    ringSeconds: config.capture.ringSeconds,
    ringMemoryBytes: config.capture.ringMemoryMb * 2 ** 20,
    // The ring holds frames in the capture syntax: JPEG Lossless stays lossless, JPEG Baseline is
    // encoded once, and Explicit VR keeps raw frames (the budget then holds fewer seconds).
    ringEncoder: () => encoderFor(config.capture.transferSyntax),
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
  });
  const worklist = new DbWorklistService({ config, clock, log: log.child({ module: 'worklist' }), db, audit, find: o.worklistFinder ?? networkWorklistFinder(log.child({ module: 'worklist-scu' })) });
  const destinations = new ConfiguredDestinations(config, log.child({ module: 'echo' }));
  const MiB = 2 ** 20;
  const quota = new Quota({
    db,
    store: instances,
    limits: { maxStoreBytes: config.quotas.maxSpoolMb * MiB, minFreeBytes: config.quotas.warnFreeMb * MiB, warnFreeBytes: config.quotas.warnFreeMb * MiB },
    destinations: () => config.destinations.filter((d) => d.roles.includes('store')).map((d) => d.name),
    log: log.child({ module: 'quota' }),
  });
  const alarms = new AlarmBoard(clock);
  // The serial control panel: from the configuration unless a test hands one in (or the old seam is used).
  const openedPanel = o.controlPanel !== undefined || o.panel ? undefined : await openConfiguredPanel(config.panel.path, { simulate: () => startSimulatedPanelOnPty(), clock, log: log.child({ module: 'panel' }), hostVersion: EQUIPMENT.softwareVersions });
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
        if (freeMb < config.quotas.refuseFreeMb) alarms.raise('DISK_LOW', 'error', `${freeMb} MB free in ${config.dataDir}: captures are refused below ${config.quotas.refuseFreeMb} MB`);
        else if (freeMb < config.quotas.warnFreeMb || r.warning) alarms.raise('DISK_LOW', 'warning', r.warning ?? `${freeMb} MB free in ${config.dataDir} (warning below ${config.quotas.warnFreeMb} MB)`);
        else alarms.clear('DISK_LOW');
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
    media,
    exams,
    worklist,
    audit,
    destinations,
    live,
    panel: o.panel,
    usb,
    alarms$: alarms.alarms$,
    alarms: () => alarms.current(),

    async start() {
      if (started) return;
      started = true;
      const report = await instances.reconcile();
      if (report.missing.length) alarms.raise('INSTANCES_MISSING', 'error', `${report.missing.length} stored instance file(s) are missing from the data directory`);
      queue.recover();
      exams!.recover();
      // Audit: every send outcome and every deletion of patient data.
      subs.push(
        queue.events$.subscribe((e) => {
          if (e.type === 'job' && e.job.kind === 'store' && ['completed', 'warning', 'failed'].includes(e.job.state)) {
            audit.record({ who: 'service', action: 'send', what: `instance ${e.job.sopInstanceUid ?? ''}`, where: e.job.destination, outcome: e.job.state === 'failed' ? 'failure' : 'success', ...(e.job.status || e.job.reason ? { detail: [e.job.status, e.job.reason].filter(Boolean).join(' ') } : {}) });
          } else if (e.type === 'destination-paused') {
            alarms.raise(`DESTINATION_PAUSED:${e.destination}`, 'warning', `${e.destination} unreachable: ${e.reason}; retry at ${e.until}`);
          } else if (e.type === 'destination-resumed') {
            alarms.clear(`DESTINATION_PAUSED:${e.destination}`);
          }
        }),
        instances.events$.subscribe((e) => {
          if (e.type === 'instance-deleted') audit.record({ who: 'service', action: 'delete', what: `instance ${e.sopInstanceUid}`, where: 'local', outcome: 'success' });
        }),
        worklist.events$.subscribe((e) => {
          if (e.type === 'worklist-failed') alarms.raise('WORKLIST_UNREACHABLE', 'warning', `worklist server: ${e.error.message}`);
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
        if (!stopped) alarms.raise('FRAME_SOURCE_STOPPED', 'error', `${live.info.description} stopped delivering frames`);
      });
      await media.start();
      forwarder.start();
      worklist.start();
      await usb.start();
      if (serialPanel) panelBinding = bindControlPanel(serialPanel, { config: config.panel, exams: exams!, queue, media, alarms$: alarms.alarms$, raiseAlarm: (c, s, m) => alarms.raise(c, s, m), clearAlarm: (c) => alarms.clear(c), clock, log: log.child({ module: 'panel' }) });
      if (o.panel) subs.push(bindPanel(o.panel, { config, exams: exams!, exportCurrent: () => media.exportCurrent('panel'), alarms$: alarms.alarms$, log: log.child({ module: 'panel' }) }));
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
      await housekeepingRun;
      // Drain: the instance being written is finished (acknowledged or failed), no new work is taken.
      if (options.drain) await exams!.drain();
      await worklist.stop();
      await forwarder.stop();
      await media.stop();
      await live.stop();
      await o.panel?.close();
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

/** Conditions the kiosk shows until they clear; keyed so a repeated failure is one alarm. */
class AlarmBoard {
  private readonly map = new Map<string, Alarm>();
  private readonly subject = new BehaviorSubject<readonly Alarm[]>([]);
  readonly alarms$: Observable<readonly Alarm[]> = this.subject.asObservable();
  constructor(private readonly clock: Clock) {}
  raise(code: string, severity: Alarm['severity'], message: string): void {
    const prev = this.map.get(code);
    if (prev && prev.message === message) return;
    this.map.set(code, { code, severity, message, since: prev?.since ?? this.clock.now().toISOString() });
    this.subject.next(this.current());
  }
  clear(code: string): void {
    if (this.map.delete(code)) this.subject.next(this.current());
  }
  current(): readonly Alarm[] {
    return [...this.map.values()];
  }
}
