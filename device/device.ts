/**
 * The running cart as one object: what the HTTP/WebSocket API (device/web/), the control panel
 * and the tests talk to. Types only; device/main.ts createDevice() builds it, device/service.ts
 * runs it. Each service exposes a synchronous snapshot() (the state to send on connect) and an
 * rxjs Observable of changes, so the API composes /api/events without polling.
 *
 * Errors crossing this boundary are DeviceFailure-shaped: `code`, `message` and, where it
 * applies, `peer`, `step`, `status` (DICOM status, 4 hex digits) — one mapping to HTTP.
 */
import type { Observable } from 'rxjs';
import type { Frame, FrameSourceInfo } from './capture/index.js';
import type { Clock } from './clock.js';
import type { DeviceConfig } from './config/types.js';
import type { Logger } from './log/logger.js';
import type { Alarm, ExamState, InstanceKind } from './web/api-types.js';

/** The fields every typed error carries across the Device boundary (SVC-API maps these to HTTP). */
export interface DeviceFailure {
  readonly code: string;
  readonly message: string;
  readonly peer?: string;
  readonly step?: string;
  readonly status?: string;
}

// ---------------------------------------------------------------------------------------------
// Exams

/**
 * The exam workflow states (device/exam/table.ts is the authority on transitions) and the kinds of
 * instance: the wire contract's own types, so the device and the API cannot drift apart.
 */
export type { ExamState, InstanceKind } from './web/api-types.js';

/** An unscheduled patient as typed on the kiosk. `name` is a PN in any conformance §6 charset. */
export interface PatientInput {
  /** 'Family^Given' or with ideographic/phonetic groups: 'Yamada^Tarou=山田^太郎=やまだ^たろう'. */
  readonly name: string;
  /** Omitted: made by the configured patient ID rule (config.patientId). */
  readonly id?: string;
  readonly sex?: 'M' | 'F' | 'O' | '';
  /** YYYYMMDD */
  readonly birthDate?: string;
}

/** A worklist match as DICOM JSON (PS3.18 F), as GET /api/worklist returns it. */
export type DicomJsonObject = Readonly<Record<string, unknown>>;

export type StartExamRequest =
  | { readonly worklistItem: DicomJsonObject; readonly patient?: undefined }
  | { readonly patient: PatientInput; readonly worklistItem?: undefined };

/** Patient summary of an exam (names may be non-ASCII; never logged at info). */
export interface ExamPatient {
  readonly name: string;
  readonly id: string;
  readonly sex: string;
  readonly birthDate: string;
}

export interface ExamInstance {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly kind: InstanceKind;
  readonly seriesInstanceUid: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
  readonly frames: number;
  /** ISO 8601, when file and row were durable. */
  readonly storedAt: string;
}

export interface ExamRecord {
  readonly examId: string;
  readonly studyInstanceUid: string;
  readonly accessionNumber: string;
  readonly scheduled: boolean;
  readonly patient: ExamPatient;
  readonly state: ExamState;
  /** ISO 8601 */
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly instances: readonly ExamInstance[];
}

export interface ExamSnapshot {
  /** The exam in progress (not ended/cancelled), if any. */
  readonly current?: ExamRecord;
  readonly state: ExamState;
  /** A cine being recorded: when it will be complete (ISO 8601). */
  readonly recording?: { readonly kind: InstanceKind; readonly until?: string };
}

export type ExamEvent =
  | { readonly type: 'exam-state'; readonly examId: string; readonly state: ExamState; readonly from: ExamState }
  | { readonly type: 'instance-stored'; readonly examId: string; readonly instance: ExamInstance }
  | { readonly type: 'store-failed'; readonly examId: string; readonly kind: InstanceKind; readonly error: DeviceFailure };

export interface CineRequest {
  readonly seconds: number;
  /** prospective: the next N s; retrospective: the last N s from the ring. */
  readonly mode: 'prospective' | 'retrospective';
}

export interface ExamListFilter {
  readonly state?: ExamState;
  readonly patientId?: string;
  /** YYYYMMDD (study date) */
  readonly date?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface ExamService {
  snapshot(): ExamSnapshot;
  readonly events$: Observable<ExamEvent>;
  /** Selects the patient (worklist item or unscheduled) and goes live. Refused while an exam is open. */
  start(request: StartExamRequest): Promise<{ examId: string; studyInstanceUid: string }>;
  freeze(): Promise<ExamSnapshot>;
  unfreeze(): Promise<ExamSnapshot>;
  /** Resolves once the file and its database row are durable. */
  storeStill(): Promise<ExamInstance>;
  storeCine(request: CineRequest): Promise<ExamInstance>;
  storeScreen(): Promise<ExamInstance>;
  /** Ends the current exam and queues it to every `store` destination (and export if configured). */
  end(): Promise<{ readonly exam: ExamRecord; readonly jobsQueued: number }>;
  /** Discontinues the current exam: nothing is sent. */
  /** Discontinues the exam; `reason` (CID 9300, default unspecified) is reported in the MPPS N-SET DISCONTINUED. */
  cancel(reason?: DiscontinuationReason): Promise<ExamRecord>;
  list(filter?: ExamListFilter): ExamRecord[];
  get(examId: string): ExamRecord | undefined;
}

// ---------------------------------------------------------------------------------------------
// Worklist

export interface WorklistFilters {
  readonly patientName?: string;
  readonly patientId?: string;
  readonly accessionNumber?: string;
  /** 'YYYYMMDD' | 'YYYYMMDD-YYYYMMDD'; default: the configured range around today. */
  readonly date?: string;
  readonly modality?: string;
}

export interface WorklistSummary {
  readonly patientName: string;
  readonly patientId: string;
  readonly birthDate: string;
  readonly sex: string;
  readonly accessionNumber: string;
  readonly studyInstanceUid: string;
  readonly procedureDescription: string;
  readonly scheduledDate: string;
  readonly scheduledTime: string;
  readonly stationAeTitle: string;
}

export interface WorklistMatch {
  /** PS3.18 F DICOM JSON, pass it back as StartExamRequest.worklistItem. */
  readonly item: DicomJsonObject;
  readonly summary: WorklistSummary;
}

export interface WorklistAnswer {
  readonly matches: readonly WorklistMatch[];
  /** When this list was obtained from the server (ISO 8601); absent: never. */
  readonly fetchedAt?: string;
  /** Seconds since fetchedAt. */
  readonly ageS?: number;
  /** true: the server did not answer this time, this is the cached list. */
  readonly fromCache: boolean;
  /** Why the last refresh failed (peer/step named), if it did. */
  readonly error?: DeviceFailure;
  /** Which destination (role `worklist`) answered; absent when none is configured. */
  readonly source?: string;
}

export type WorklistEvent =
  | { readonly type: 'worklist-refreshed'; readonly count: number; readonly fetchedAt: string }
  | { readonly type: 'worklist-failed'; readonly error: DeviceFailure; readonly cachedAt?: string };

export interface WorklistService {
  /** Filters are applied to the cached answer; `refresh` asks the server first. */
  query(filters?: WorklistFilters, options?: { refresh?: boolean }): Promise<WorklistAnswer>;
  snapshot(): { readonly fetchedAt?: string; readonly count: number; readonly error?: DeviceFailure; readonly refreshing: boolean };
  readonly events$: Observable<WorklistEvent>;
}

// ---------------------------------------------------------------------------------------------
// Audit

/** Why an exam was discontinued (CID 9300 "Procedure Discontinuation Reasons"; dicom/iod/mpps.ts codes them). */
export type DiscontinuationReason = 'unspecified' | 'wrongWorklistEntry' | 'patientRefused' | 'equipmentFailure' | 'patientCondition';

export type AuditAction = 'worklist-query' | 'send' | 'export' | 'delete' | 'exam-start' | 'exam-end' | 'exam-cancel' | 'service-login' | 'config'
  // the listener: an instance received from another AE; a storage commitment report
  | 'receive'
  | 'commitment-report';

export interface AuditEntry {
  readonly id: number;
  /** ISO 8601 */
  readonly at: string;
  /** Who: 'operator' (kiosk/API), 'panel', 'service' (automatic), or a user name when logins exist. */
  readonly who: string;
  readonly action: AuditAction;
  /** What: a study/instance UID, an exam ID, a query description. Never a patient name. */
  readonly what: string;
  /** Where to: destination name, volume label, '' */
  readonly where: string;
  readonly outcome: 'success' | 'failure';
  readonly detail?: string;
}

export interface AuditFilter {
  readonly action?: AuditAction;
  /** ISO 8601 bounds */
  readonly since?: string;
  readonly until?: string;
  readonly what?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): AuditEntry;
  list(filter?: AuditFilter): AuditEntry[];
}

// ---------------------------------------------------------------------------------------------
// Destinations, live frames, alarms

export interface EchoResult {
  readonly destination: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: DeviceFailure;
  /** Storage SOP classes with the transfer syntaxes the peer accepted. */
  readonly storage: readonly { readonly sopClassUid: string; readonly name: string; readonly transferSyntaxes: readonly string[] }[];
}

export interface DestinationService {
  list(): readonly { readonly name: string; readonly host: string; readonly port: number; readonly calledAe: string; readonly roles: readonly string[]; readonly tls: boolean }[];
  echo(name: string): Promise<EchoResult>;
}

/**
 * A live frame as grabbed (raw pixels, not yet JPEG): /api/live encodes only the frame a client
 * is ready for (newest only, after its ack), so frames nobody watches cost no encoding.
 */
export interface LiveFrame {
  readonly frame: Frame;
  /** Capture time, wall clock (ISO 8601); frame.timestampMs is the monotonic one. */
  readonly capturedAt: string;
}

export interface LiveFrames {
  /** Every frame as it arrives, including while nobody watches; subscribers keep only the newest. */
  readonly frames$: Observable<LiveFrame>;
  /** The newest frame (while frozen: the frozen image). */
  latest(): LiveFrame | undefined;
  readonly info: FrameSourceInfo;
  readonly frozen: boolean;
  /** What the cine ring holds for a retrospective cine now, and at most (its window or its memory budget). */
  ringLimits(): { readonly heldSeconds: number; readonly capacitySeconds: number; readonly memoryBytes: number; readonly usedBytes: number };
}

export type { Alarm, AlarmCode, AlarmParamsByCode } from './web/api-types.js';

// ---------------------------------------------------------------------------------------------
// The device

export interface Device {
  readonly config: DeviceConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly exams: ExamService;
  readonly worklist: WorklistService;
  readonly audit: AuditLog;
  readonly destinations: DestinationService;
  readonly live: LiveFrames;
  readonly alarms$: Observable<readonly Alarm[]>;
  alarms(): readonly Alarm[];
  // instances (SVC-QUEUE InstanceStore), queue (SVC-QUEUE JobQueue) and media (SVC-API
  // MediaService) are added here as soon as their modules are committed; see SERVICE-PLAN.md.
  start(): Promise<void>;
  /** drain: finish the instance in flight and the sends under way before closing. */
  stop(options?: { drain: boolean }): Promise<void>;
}
