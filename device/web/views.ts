/**
 * Internal records → the wire shapes of api-types.ts. One function per shape, no I/O, so that
 * a field renamed inside the service cannot silently change what the kiosk receives.
 */
import type { Alarm as DeviceAlarm, Device, ExamInstance, ExamRecord, ExamSnapshot } from '../device.js';
import type { ExportJobSnapshot, MediaVolume } from '../media/jobs.js';
import type {
  Alarm,
  CaptureState,
  CommitmentView,
  DestinationRole,
  DestinationView,
  DeviceState,
  ExamView,
  ExportJobView,
  InstanceDestinations,
  InstanceView,
  PatientSex,
  VolumeView,
} from './api-types.js';
import type { ApiDeps } from './ports.js';

function sexOf(s: string): PatientSex | undefined {
  return s === 'M' || s === 'F' || s === 'O' ? s : undefined;
}

export function instanceView(
  i: ExamInstance,
  deps: Pick<ApiDeps, 'queue'>,
  known?: ReadonlyMap<string, InstanceDestinations>,
  knownCommitment?: ReadonlyMap<string, { readonly [destination: string]: CommitmentView }>,
): InstanceView {
  const commitment = knownCommitment ? knownCommitment.get(i.sopInstanceUid) : deps.queue.commitmentOf(i.sopInstanceUid);
  return {
    sopInstanceUid: i.sopInstanceUid,
    sopClassUid: i.sopClassUid,
    kind: i.kind,
    frames: i.frames,
    seriesInstanceUid: i.seriesInstanceUid,
    seriesNumber: i.seriesNumber,
    instanceNumber: i.instanceNumber,
    storedAt: i.storedAt,
    destinations: known ? (known.get(i.sopInstanceUid) ?? {}) : deps.queue.destinationsOf(i.sopInstanceUid),
    ...(commitment ? { commitment } : {}),
  };
}

export function examView(e: ExamRecord, deps: Pick<ApiDeps, 'queue'>): ExamView {
  const sex = sexOf(e.patient.sex);
  // No store job exists before the exam ends: skip the query for the exam in progress.
  const closed = e.state === 'ended' || e.state === 'cancelled';
  const destinations = closed ? deps.queue.destinationsOfExam(e.examId) : new Map<string, InstanceDestinations>();
  const commitment = closed ? deps.queue.commitmentOfExam(e.examId) : new Map<string, { readonly [destination: string]: CommitmentView }>();
  const procedureSteps = deps.queue.procedureSteps(e.examId);
  return {
    examId: e.examId,
    studyInstanceUid: e.studyInstanceUid,
    accessionNumber: e.accessionNumber,
    scheduled: e.scheduled,
    patient: { name: e.patient.name, id: e.patient.id, ...(sex ? { sex } : {}), ...(e.patient.birthDate ? { birthDate: e.patient.birthDate } : {}) },
    state: e.state,
    startedAt: e.startedAt,
    ...(e.endedAt ? { endedAt: e.endedAt } : {}),
    instances: e.instances.map((i) => instanceView(i, deps, destinations, commitment)),
    ...(procedureSteps.length > 0 ? { procedureSteps } : {}),
  };
}

export function captureState(device: Device, snapshot: ExamSnapshot): CaptureState {
  const info = device.live.info;
  const latest = device.live.latest();
  const recording = snapshot.recording;
  return {
    source: info.description,
    width: info.width,
    height: info.height,
    fps: info.fps,
    running: latest !== undefined,
    frozen: device.live.frozen,
    ringSeconds: device.config.capture.ringSeconds,
    ring: ringView(device.live.ringLimits()),
    ...(recording && recording.kind === 'cine' ? { recording: recording.until ? { until: recording.until } : {} } : {}),
  };
}

function ringView(l: ReturnType<Device['live']['ringLimits']>): CaptureState['ring'] {
  const tenth = (x: number): number => Math.floor(x * 10) / 10;
  return { heldSeconds: tenth(l.heldSeconds), capacitySeconds: tenth(l.capacitySeconds), memoryMb: Math.round(l.memoryBytes / 2 ** 20), usedMb: Math.round(l.usedBytes / 2 ** 20) };
}

export function alarmView(a: DeviceAlarm): Alarm {
  // The device keeps its alarms in the API's own shape (code, typed params, id, English message).
  return { ...a };
}

const ROLES: readonly DestinationRole[] = ['store', 'worklist', 'mpps', 'commitment'];

/** Reachability as last seen (echo results, finished jobs), kept by the API. */
export type Reachability = Map<string, { reachable: 'yes' | 'no'; at: string; error?: DestinationView['lastError'] }>;

export function destinationViews(device: Device, seen: Reachability): DestinationView[] {
  return device.destinations.list().map((d) => {
    const s = seen.get(d.name);
    return {
      name: d.name,
      aeTitle: d.calledAe,
      host: d.host,
      port: d.port,
      roles: d.roles.filter((r): r is DestinationRole => (ROLES as readonly string[]).includes(r)),
      tls: d.tls,
      reachable: s?.reachable ?? 'unknown',
      ...(s ? { lastContact: s.at } : {}),
      ...(s?.error ? { lastError: s.error } : {}),
    };
  });
}

export function volumeView(v: MediaVolume): VolumeView {
  return { id: v.id, label: v.label, fsType: v.fsType, size: v.size, free: v.free, hasFileSet: v.hasFileSet, busy: v.busy };
}

export function exportJobView(j: ExportJobSnapshot): ExportJobView {
  return {
    jobId: j.jobId,
    volumeId: j.volumeId,
    volumeLabel: j.volumeLabel,
    examIds: j.examIds,
    state: j.state,
    progress: j.progress,
    createdAt: j.createdAt,
    ...(j.endedAt ? { endedAt: j.endedAt } : {}),
    ...(j.report ? { report: j.report } : {}),
    ...(j.error ? { error: { code: j.error.code, message: j.error.message } } : {}),
  };
}

export function deviceState(deps: ApiDeps, startedAt: string, seen: Reachability): DeviceState {
  const { device } = deps;
  const snapshot = device.exams.snapshot();
  return {
    device: { aeTitle: device.config.aeTitle, version: deps.version, startedAt, now: device.clock.now().toISOString() },
    scp: deps.scp?.status() ?? { aeTitle: device.config.aeTitle, port: null, listening: false, tls: false, associations: 0, error: 'no listener in this service' },
    exam: snapshot.current ? examView(snapshot.current, deps) : null,
    capture: captureState(device, snapshot),
    queue: deps.queue.summary(),
    media: { volumes: deps.media.volumes().map(volumeView), exports: deps.media.list().map(exportJobView) },
    destinations: destinationViews(device, seen),
    alarms: device.alarms().map(alarmView),
  };
}

/*
 * The wire repeats some unions of the service (the kiosk must not import device internals at
 * run time). These lines stop the build if the two ever drift apart.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const WIRE_MATCHES_SERVICE: {
  examState: Same<import('./api-types.js').ExamState, import('../device.js').ExamState>;
  instanceKind: Same<import('./api-types.js').InstanceKind, import('../device.js').InstanceKind>;
  auditAction: Same<import('./api-types.js').AuditAction, import('../device.js').AuditAction>;
  jobState: Same<Exclude<import('./api-types.js').JobState, 'committed' | 'commit-failed'>, import('../queue/index.js').JobState>;
  exportState: Same<import('./api-types.js').ExportJobState, import('../media/jobs.js').ExportJobState>;
  discontinuationReason: Same<import('./api-types.js').DiscontinuationReason, import('../device.js').DiscontinuationReason>;
  scpStatus: Same<import('./api-types.js').ScpView, import('../scp/cart-scp.js').CartScpStatus>;
} = { examState: true, instanceKind: true, auditAction: true, jobState: true, exportState: true, discontinuationReason: true, scpStatus: true };
