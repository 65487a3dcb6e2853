/**
 * The device API as seen on the wire: every request and response body of the HTTP routes of
 * ../shared/spec/device.md, the messages of the /api/events WebSocket and the binary frame
 * layout of /api/live.
 *
 * This file is the contract between the service (device/web/) and the kiosk (ui-kiosk/), which
 * imports it with `import type` only. So it holds types and a few constants, imports nothing,
 * and describes JSON only: times are ISO 8601 strings (UTC, with milliseconds), sizes are bytes,
 * durations are milliseconds unless the name says otherwise. Fields marked optional are absent
 * (never `null`) when unknown; `null` is used only where "none" is a meaningful answer (no exam).
 *
 * Identifiers are opaque strings (exam ids, job ids, volume ids): compare them, never parse them,
 * and put them in paths with encodeURIComponent (a real volume id is a block device, "/dev/sdb1").
 * Patient data (names, ids) does appear in these bodies: the API is bound to 127.0.0.1 and
 * serves the cart's own screen only.
 */

/* ------------------------------------------------------------------------------------------ */
/* Common                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/** ISO 8601 UTC time with milliseconds, e.g. "2026-12-03T09:48:20.123Z". */
export type IsoTime = string;

/** A DICOM date, "YYYYMMDD". */
export type DicomDate = string;

/**
 * The body of every 4xx/5xx answer. `code` is stable (branch on it, not on `message`);
 * `message` is one sentence a technologist can read. For network failures `peer` is
 * "AE@host:port", `step` what was being done ("connect", "A-ASSOCIATE", "C-STORE 1.2.3…"),
 * `status` the DICOM status as four hex digits ("A700"). For a rejected request body, `field`
 * is the path of the offending field ("patient.birthDate", "examIds[2]").
 */
export interface ApiErrorBody {
  readonly code: string;
  readonly message: string;
  readonly peer?: string;
  readonly step?: string;
  readonly status?: string;
  readonly field?: string;
}

/**
 * Error codes the web layer itself produces. Codes from the modules behind it (NET_*, MEDIA_*,
 * EXAM_*, QUEUE_*, CONFIG_* …) pass through unchanged.
 */
export type WebErrorCode =
  | 'API_NOT_FOUND' // no such route (404)
  | 'API_METHOD_NOT_ALLOWED' // the route exists, not with this method (405; Allow header lists the methods)
  | 'API_BAD_JSON' // the body is not JSON (400)
  | 'API_BODY_TOO_LARGE' // the body exceeds the limit (413)
  | 'API_UNSUPPORTED_MEDIA_TYPE' // a body that is not application/json (415)
  | 'API_INVALID' // the body or a query parameter is well-formed JSON but wrong (400; `field` says where)
  | 'API_NO_SUCH_EXAM' // 404
  | 'API_NO_SUCH_INSTANCE' // 404
  | 'API_NO_SUCH_JOB' // 404
  | 'API_NO_SUCH_VOLUME' // 404
  | 'API_NO_SUCH_DESTINATION' // 404
  | 'API_INTERNAL'; // anything not foreseen (500); the log has the details

/** The DICOM JSON model (PS3.18 F.2): attributes keyed by 8 hex digit tags. */
export interface DicomJsonPersonName {
  readonly Alphabetic?: string;
  readonly Ideographic?: string;
  readonly Phonetic?: string;
}
export type DicomJsonValue = string | number | null | DicomJsonPersonName | DicomJsonDataset;
export interface DicomJsonAttribute {
  readonly vr: string;
  readonly Value?: readonly DicomJsonValue[];
  readonly InlineBinary?: string;
  readonly BulkDataURI?: string;
}
export type DicomJsonDataset = { readonly [tag: string]: DicomJsonAttribute };

/** Paging of list answers: `total` counts all matches, `items` hold `offset`…`offset+limit`. */
export interface Page {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
}

/* ------------------------------------------------------------------------------------------ */
/* Patient, exam, instance                                                                      */
/* ------------------------------------------------------------------------------------------ */

export type PatientSex = 'M' | 'F' | 'O';

export interface PatientView {
  /** DICOM PN with up to three component groups: "Family^Given=Ideographic=Phonetic". */
  readonly name: string;
  readonly id: string;
  readonly sex?: PatientSex;
  readonly birthDate?: DicomDate;
}

/**
 * Where an exam is in its workflow (device/exam/table.ts is the authority on transitions):
 * `patient-selected` before the first live frame; `live`; `frozen` (the image is held);
 * `storing-live` / `storing-frozen` while a still, cine or screen is being made durable (a
 * prospective cine records in `storing-live`); `review`; `ended` (closed and queued to every
 * store destination); `cancelled` (discontinued, nothing sent). `idle` means no exam.
 */
export type ExamState =
  | 'idle'
  | 'patient-selected'
  | 'live'
  | 'frozen'
  | 'storing-live'
  | 'storing-frozen'
  | 'review'
  | 'ended'
  | 'cancelled';

export type InstanceKind = 'still' | 'cine' | 'screen';

/**
 * Per destination, the state of the one job that sends this instance there (see JobState);
 * `committed` / `commit-failed` once Storage Commitment answered.
 */
export type InstanceDestinations = { readonly [destinationName: string]: JobState };

export interface InstanceView {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly kind: InstanceKind;
  /** 1 for a still or screen. */
  readonly frames: number;
  readonly seriesInstanceUid: string;
  readonly seriesNumber: number;
  readonly instanceNumber: number;
  /** When the file and its record were durable. */
  readonly storedAt: IsoTime;
  readonly destinations: InstanceDestinations;
  /**
   * Storage commitment per `commitment` destination where the instance was stored: `pending`
   * (requested or about to be), `committed`, `commit-failed` with the archive's Failure Reason
   * (four hex digits, e.g. "0112"). Absent: no commitment destination has it yet.
   */
  readonly commitment?: { readonly [destinationName: string]: CommitmentView };
}

export interface CommitmentView {
  readonly state: 'pending' | 'committed' | 'commit-failed';
  readonly failureReason?: string;
  /** The Transaction UID of the latest request naming the instance. */
  readonly transactionUid?: string;
}

/**
 * The exam's Modality Performed Procedure Step at one `mpps` destination (IHE SWF RAD-6/7):
 * `reported` is the status that destination has accepted (absent until the N-CREATE was);
 * `job` the latest MPPS message's job (its DICOM status and reason while it waits or failed).
 */
export interface ProcedureStepView {
  readonly destination: string;
  readonly mppsSopInstanceUid: string;
  readonly reported?: 'IN PROGRESS' | 'COMPLETED' | 'DISCONTINUED';
  readonly job?: JobView;
}

export interface ExamView {
  readonly examId: string;
  readonly studyInstanceUid: string;
  /** Empty for an unscheduled exam without one. */
  readonly accessionNumber: string;
  /** Started from a worklist item (false: unscheduled patient). */
  readonly scheduled: boolean;
  readonly patient: PatientView;
  readonly state: ExamState;
  readonly startedAt: IsoTime;
  readonly endedAt?: IsoTime;
  readonly instances: readonly InstanceView[];
  /** MPPS per `mpps` destination (empty when none is configured). */
  readonly procedureSteps?: readonly ProcedureStepView[];
}

/* ------------------------------------------------------------------------------------------ */
/* Capture (live image, ring, recording)                                                        */
/* ------------------------------------------------------------------------------------------ */

export interface CaptureState {
  /** The frame source, e.g. "simulator seed 1" or "v4l2:/dev/video0". */
  readonly source: string;
  readonly width: number;
  readonly height: number;
  /** Nominal frames per second of the source. */
  readonly fps: number;
  /** False when no frames arrive (source stopped or failed). */
  readonly running: boolean;
  readonly frozen: boolean;
  /** Seconds of history the ring keeps (capture.ringSeconds), if its memory budget allows. */
  readonly ringSeconds: number;
  /**
   * The cine ring now: `heldSeconds` is the longest retrospective cine that can be stored now
   * (a longer request is refused with 409 CAPTURE_RING_TOO_SHORT naming the limit);
   * `capacitySeconds` the longest it can hold once full (ringSeconds, or less when the memory
   * budget capture.ringMemoryMb holds fewer seconds of these frames); memory in MB.
   */
  readonly ring: { readonly heldSeconds: number; readonly capacitySeconds: number; readonly memoryMb: number; readonly usedMb: number };
  /** A cine is being recorded; `until`: when the prospective clip will be complete. */
  readonly recording?: { readonly until?: IsoTime };
}

/* ------------------------------------------------------------------------------------------ */
/* Queue                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/**
 * One job per instance × destination (store), or per exam × destination (mpps: one per MPPS
 * message, N-CREATE then N-SET; commitment: one per storage commitment request cycle), or per
 * export. `committed` / `commit-failed` are not job states: they count instances in the queue
 * summary (from the storage commitment reports) and show per destination in an instance's view. `warning`: stored with a warning status; `failed`: permanent (conformance §2);
 * `retry`: waiting until `nextTry`. A job the user cancels becomes `failed` with the reason
 * "cancelled by the user" (and may be retried).
 * A job reaches a terminal state only once the peer's final answer is in the database.
 */
export type JobState =
  | 'scheduled'
  | 'in-progress'
  | 'completed'
  | 'warning'
  | 'failed'
  | 'retry'
  | 'committed'
  | 'commit-failed';

export type JobKind = 'store' | 'mpps' | 'commitment' | 'export';

export interface JobView {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly sopInstanceUid?: string;
  /** Absent for objects received from elsewhere (not made in an exam here). */
  readonly examId?: string;
  readonly destination: string;
  readonly state: JobState;
  /** The peer's last DICOM status, four hex digits ("0000", "B000", "A700"). */
  readonly status?: string;
  /** Why it is in `warning`, `failed` or `retry`: peer, step and reason in one sentence. */
  readonly reason?: string;
  readonly attempts: number;
  /** When it will be tried again (state `retry`). */
  readonly nextTry?: IsoTime;
  readonly updatedAt: IsoTime;
  /**
   * A store job `in-progress` whose data set is going out: bytes handed to the association so
   * far. On /api/events, progress messages of a job are throttled (at most one per 250 ms);
   * the message of its next state is never held back, and no progress follows it.
   */
  readonly progress?: SendProgressView;
}

export interface SendProgressView {
  readonly bytesSent: number;
  /** The data set's size; absent when it is being converted (the size is known only at its end). */
  readonly bytesTotal?: number;
}

/** Counts of jobs by state, overall and per destination. */
export type JobCounts = { readonly [S in JobState]: number };

export interface QueueSummary {
  readonly counts: JobCounts;
  readonly destinations: { readonly [destinationName: string]: JobCounts };
}

/* ------------------------------------------------------------------------------------------ */
/* Media                                                                                        */
/* ------------------------------------------------------------------------------------------ */

export interface VolumeView {
  readonly id: string;
  readonly label: string;
  /** As the kernel names it: vfat, exfat, ext4 … */
  readonly fsType: string;
  readonly size: number;
  readonly free: number;
  /** A DICOMDIR is at the root: a new export adds to that file-set (FSU). */
  readonly hasFileSet: boolean;
  /** An export to it is running, or it is being ejected: do not pull. */
  readonly busy: boolean;
}

export type ExportJobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface ExportProgressView {
  /** `files`: copying/transcoding instances; `dicomdir`: writing the directory last. */
  readonly phase: 'preparing' | 'files' | 'dicomdir' | 'done';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ExportReportView {
  readonly profile: string;
  /** FSC: a new file-set; FSU: added to the one on the medium. */
  readonly mode: 'FSC' | 'FSU';
  readonly fileSetId: string;
  readonly files: number;
  readonly bytes: number;
  readonly warnings: readonly string[];
}

export interface ExportJobView {
  readonly jobId: string;
  readonly volumeId: string;
  readonly volumeLabel: string;
  readonly examIds: readonly string[];
  readonly state: ExportJobState;
  readonly progress: ExportProgressView;
  readonly createdAt: IsoTime;
  readonly endedAt?: IsoTime;
  /** Set when `completed`. */
  readonly report?: ExportReportView;
  /**
   * Set when `failed` or `cancelled`. The guarantees of the media export hold: the files this
   * export wrote were removed and the DICOMDIR on the medium is the one that was there before.
   */
  readonly error?: ApiErrorBody;
}

export interface MediaState {
  readonly volumes: readonly VolumeView[];
  /** Running and recent export jobs, newest first. */
  readonly exports: readonly ExportJobView[];
}

/* ------------------------------------------------------------------------------------------ */
/* Destinations, alarms, device                                                                 */
/* ------------------------------------------------------------------------------------------ */

export type DestinationRole = 'store' | 'worklist' | 'mpps' | 'commitment';

export interface DestinationView {
  readonly name: string;
  readonly aeTitle: string;
  readonly host: string;
  readonly port: number;
  readonly roles: readonly DestinationRole[];
  readonly tls: boolean;
  /** From the last association or echo: `unknown` until one happened. */
  readonly reachable: 'unknown' | 'yes' | 'no';
  readonly lastContact?: IsoTime;
  readonly lastError?: ApiErrorBody;
}

export type AlarmSeverity = 'info' | 'warning' | 'error';

/** What every control-panel alarm names: the serial line, and the driver's own account of it. */
export type PanelAlarmParams = {
  /** The serial device, e.g. "/dev/sonicart-panel". */
  readonly path: string;
  /** The driver's English detail (the error, the bytes it could not read…), for the service log. */
  readonly detail: string;
};

/**
 * Every alarm the service raises, by code, with the parameters of its text. The kiosk shows an
 * alarm in its own language from `code` and `params` (its catalogs have one text per code, which
 * the type checker and test/unit/web/alarm-texts.test.ts hold to this list); `message` is the
 * same in English for logs and other API clients. A new alarm is added here first.
 */
export interface AlarmParamsByCode {
  /** Free disk below quotas.warnFreeMb (warning). */
  readonly DISK_LOW: { readonly freeMb: number; readonly limitMb: number; readonly dataDir: string };
  /** Free disk below quotas.refuseFreeMb: captures are refused (error). */
  readonly DISK_FULL: { readonly freeMb: number; readonly limitMb: number; readonly dataDir: string };
  /** The stored instances exceed quotas.maxSpoolMb and nothing left is sent everywhere yet (warning). */
  readonly SPOOL_OVER_QUOTA: { readonly storeMb: number; readonly limitMb: number };
  /** Instance files the database lists are gone from the data directory (found at start; error). */
  readonly INSTANCES_MISSING: { readonly count: number };
  /** A store destination failed and its jobs wait for `until` (warning; id "DESTINATION_PAUSED:<name>"). */
  readonly DESTINATION_PAUSED: { readonly destination: string; readonly reason: string; readonly until: IsoTime };
  /** The last worklist query failed; the kiosk shows the cached list (warning). */
  readonly WORKLIST_UNREACHABLE: { readonly reason: string };
  /** The frame grabber stopped delivering frames (error). */
  readonly FRAME_SOURCE_STOPPED: { readonly source: string };
  /** The panel's serial line cannot be opened (warning, as every panel alarm). */
  readonly PANEL_ABSENT: PanelAlarmParams;
  /** The panel's line closed under the service (cable pulled). */
  readonly PANEL_GONE: PanelAlarmParams;
  /** The line is open but the panel stopped answering. */
  readonly PANEL_SILENT: PanelAlarmParams;
  /** Bytes on the line that are not frames of the panel protocol. */
  readonly PANEL_GARBAGE: PanelAlarmParams;
  /** The panel speaks another major version of the protocol. */
  readonly PANEL_VERSION: PanelAlarmParams;
  /** The DICOM listener cannot bind its port: other AEs cannot echo, send or report commitment to the cart (error; retried). */
  readonly SCP_NOT_LISTENING: { readonly aeTitle: string; readonly port: number; readonly reason: string; readonly retryS: number };
}

export type AlarmCode = keyof AlarmParamsByCode;

/** One alarm's code with its parameters, discriminated by `code` (narrow on it to read `params`). */
export type AlarmCondition = { readonly [K in AlarmCode]: { readonly code: K; readonly params: AlarmParamsByCode[K] } }[AlarmCode];

/** A condition the technologist must see until it goes away (disk nearly full, PACS down…). */
export type Alarm = AlarmCondition & {
  /** Stable per condition: the code, or "<code>:<subject>" where one code has several (e.g. "DESTINATION_PAUSED:PACS"). */
  readonly id: string;
  readonly severity: AlarmSeverity;
  /** The alarm in English, with its details. */
  readonly message: string;
  readonly since: IsoTime;
};

export interface DeviceInfo {
  readonly aeTitle: string;
  /** sonicart version. */
  readonly version: string;
  readonly startedAt: IsoTime;
  /** The device's clock when this state was taken. */
  readonly now: IsoTime;
}

/** The listener (conformance §8): other AEs echo, send and report commitment to it. */
export interface ScpView {
  readonly aeTitle: string;
  /** The port bound (the configured one, or the system's choice for listenPort 0); null while not listening. */
  readonly port: number | null;
  readonly listening: boolean;
  readonly tls: boolean;
  /** Associations established now. */
  readonly associations: number;
  /** Why it is not listening (the port is taken …); it retries. */
  readonly error: string | null;
}

/** GET /api/state, and the first message of /api/events. */
export interface DeviceState {
  readonly scp: ScpView;
  readonly device: DeviceInfo;
  /** The exam in progress; null when none is. */
  readonly exam: ExamView | null;
  readonly capture: CaptureState;
  readonly queue: QueueSummary;
  readonly media: MediaState;
  readonly destinations: readonly DestinationView[];
  readonly alarms: readonly Alarm[];
}

/* ------------------------------------------------------------------------------------------ */
/* Routes: request and response bodies                                                          */
/* ------------------------------------------------------------------------------------------ */

/** GET /api/state */
export type GetStateResponse = DeviceState;

/**
 * GET /api/worklist — query parameters (all optional, DICOM matching: `*` wildcards in names,
 * date ranges "YYYYMMDD-YYYYMMDD"); `refresh=1` asks the worklist server now instead of
 * answering from the last refresh.
 */
export interface WorklistQuery {
  readonly refresh?: '0' | '1';
  readonly patientName?: string;
  readonly patientId?: string;
  readonly accessionNumber?: string;
  /** Scheduled Procedure Step Start Date: "YYYYMMDD" or "YYYYMMDD-YYYYMMDD"; default today. */
  readonly date?: string;
  readonly modality?: string;
}

/** What the worklist screen shows per line, taken from the match. */
export interface WorklistSummary {
  readonly patientName: string;
  readonly patientId: string;
  readonly sex?: PatientSex;
  readonly birthDate?: DicomDate;
  readonly accessionNumber?: string;
  readonly requestedProcedure?: string;
  /** Scheduled Procedure Step Start Date and Time run together: "YYYYMMDDHHMMSS" (time may be shorter). */
  readonly scheduledStart?: string;
  /** Scheduled Station AE Title. */
  readonly stationAeTitle?: string;
  /** The Study Instance UID the worklist assigned, which the exam will use. */
  readonly studyInstanceUid?: string;
}

export interface WorklistMatch {
  /** The C-FIND response identifier as DICOM JSON: pass it back in POST /api/exams. */
  readonly dataset: DicomJsonDataset;
  readonly summary: WorklistSummary;
}

/** GET /api/worklist */
export interface GetWorklistResponse {
  readonly matches: readonly WorklistMatch[];
  /** `server`: answered by the worklist server for this request; `cache`: the last good answer. */
  readonly source: 'server' | 'cache';
  /** When the matches were fetched from the server. Absent when there never was an answer. */
  readonly fetchedAt?: IsoTime;
  /** Age of the matches in seconds (0 when source is `server`). */
  readonly cacheAgeSeconds?: number;
  /** Why the server was not asked or did not answer (source `cache`). */
  readonly error?: ApiErrorBody;
}

/** POST /api/exams — one of the two forms. */
export type StartExamRequest =
  | { readonly worklistItem: DicomJsonDataset }
  | {
      readonly patient: {
        /** Required, DICOM PN: "Family^Given^Middle^Prefix^Suffix", groups separated by "=". */
        readonly name: string;
        /** Generated by the configured rule when absent. */
        readonly id?: string;
        readonly sex?: PatientSex;
        readonly birthDate?: DicomDate;
      };
    };

/** POST /api/exams → 201 */
export interface StartExamResponse {
  readonly examId: string;
  readonly studyInstanceUid: string;
}

/** POST /api/exams/current/freeze and …/unfreeze → 200 */
export interface FreezeResponse {
  readonly frozen: boolean;
}

/** POST /api/exams/current/stills and …/screens (no body) → 201, once the file and its record are durable. */
export interface StoreInstanceResponse {
  readonly sopInstanceUid: string;
}

/** POST /api/exams/current/cines */
export interface StoreCineRequest {
  /** Clip length, seconds, > 0 and at most the configured maximum. */
  readonly seconds: number;
  /** `prospective`: the next N seconds; `retrospective`: the last N seconds from the ring. */
  readonly mode: 'prospective' | 'retrospective';
}

/** POST /api/exams/current/cines → 201 */
export interface StoreCineResponse {
  readonly sopInstanceUid: string;
  readonly frames: number;
}

/** POST /api/exams/current/end → 200 */
export interface EndExamResponse {
  readonly examId: string;
  /** Store jobs queued (instances × store destinations). */
  readonly jobsQueued: number;
}

/** Why the exam was discontinued (CID 9300), reported in the MPPS N-SET DISCONTINUED. */
export type DiscontinuationReason = 'unspecified' | 'wrongWorklistEntry' | 'patientRefused' | 'equipmentFailure' | 'patientCondition';

/** POST /api/exams/current/cancel — body optional; without it the reason is `unspecified`. */
export interface CancelExamRequest {
  readonly reason?: DiscontinuationReason;
}

/** POST /api/exams/current/cancel → 200 */
export interface CancelExamResponse {
  readonly examId: string;
}

/** One stored instance in GET /api/instances (captured here, or received from another AE). */
export interface StoredInstanceView {
  readonly sopInstanceUid: string;
  readonly sopClassUid: string;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly transferSyntaxUid: string;
  readonly frames: number;
  /** Bytes of the Part 10 file. */
  readonly size: number;
  /** The exam it was captured in; null for a received instance. */
  readonly examId: string | null;
  /** The calling AE title it came from; null for the cart's own captures. */
  readonly receivedFrom: string | null;
  readonly state: 'ok' | 'missing';
  readonly storedAt: IsoTime;
}

/**
 * GET /api/instances — query parameters: `receivedFrom` (a calling AE title), `study` (a Study
 * Instance UID), `limit` (default 50, at most 500), `offset`. Newest first.
 */
export interface ListInstancesResponse {
  readonly instances: readonly StoredInstanceView[];
  readonly page: Page;
}

/**
 * GET /api/exams — query parameters: `state` (an ExamState), `date` (YYYYMMDD, the study date),
 * `patientId`, `limit` (1…500, default 50), `offset` (default 0). Newest first. `page.total`
 * is exact when the last page is reached; otherwise it says there is at least one more exam.
 */
export interface ListExamsQuery {
  readonly state?: ExamState;
  readonly date?: DicomDate;
  readonly patientId?: string;
  readonly limit?: string;
  readonly offset?: string;
}

/** GET /api/exams */
export interface ListExamsResponse {
  readonly exams: readonly ExamView[];
  readonly page: Page;
}

/** GET /api/exams/{examId} ("current" names the exam in progress) */
export type GetExamResponse = ExamView;

/**
 * GET /api/instances/{sopInstanceUid}/thumbnail → image/jpeg of the first frame, at most
 * THUMBNAIL_MAX_SIZE pixels on its longer side (cached: cheap to ask again).
 * GET /api/instances/{sopInstanceUid}/frames/{index} → image/jpeg of frame `index` (0-based) at
 * full size, for cine playback; 404 API_NO_SUCH_FRAME past the last frame.
 */
export const THUMBNAIL_MAX_SIZE = 160;

/**
 * GET /api/queue — query parameters: `state` (JobState, may repeat), `destination`, `examId`,
 * `kind`, `limit` (1…500, default 100), `offset`. Oldest first among pending, then newest done.
 */
export interface ListQueueQuery {
  readonly state?: JobState | readonly JobState[];
  readonly destination?: string;
  readonly examId?: string;
  readonly kind?: JobKind;
  readonly limit?: string;
  readonly offset?: string;
}

/** GET /api/queue */
export interface ListQueueResponse {
  readonly jobs: readonly JobView[];
  readonly page: Page;
  readonly summary: QueueSummary;
}

/** POST /api/queue/{jobId}/retry and …/cancel → 200: the job as it is now. */
export interface JobActionResponse {
  readonly job: JobView;
}

/** GET /api/media */
export type GetMediaResponse = MediaState;

/** POST /api/media/{volumeId}/export */
export interface ExportRequest {
  /** One or more exam ids, no duplicates; exams must be ended (their files complete). */
  readonly examIds: readonly string[];
}

/**
 * POST /api/media/{volumeId}/export and POST /api/media/export-current → 202: the job, which
 * then reports through /api/events (`export` messages) and GET /api/media/jobs/{jobId}.
 * export-current takes no body: it exports the exam in progress (or else the last ended one)
 * to the only inserted medium; it fails with MEDIA_NO_VOLUME / MEDIA_SEVERAL_VOLUMES /
 * API_NO_SUCH_EXAM (409/409/404) when that is not well defined — the panel's export key.
 */
export interface ExportResponse {
  readonly job: ExportJobView;
}

/** GET /api/media/jobs/{jobId}; POST /api/media/jobs/{jobId}/cancel → 200 */
export interface ExportJobResponse {
  readonly job: ExportJobView;
}

/** POST /api/media/{volumeId}/eject → 200 (409 MEDIA_BUSY while an export to it runs) */
export interface EjectResponse {
  readonly volumeId: string;
  /** True once buffers are flushed and the volume is unmounted. */
  readonly mayRemove: boolean;
  readonly message: string;
}

/** A storage SOP class the peer accepted during the echo's association, with the transfer syntaxes it took. */
export interface AcceptedStorageView {
  readonly sopClassUid: string;
  /** Dictionary name of the SOP class. */
  readonly name: string;
  readonly transferSyntaxes: readonly string[];
}

/**
 * POST /api/destinations/{name}/echo → 200 when the C-ECHO succeeded. A failure is an error
 * body (502, or 504 on a time-out) naming peer, step and DICOM status.
 */
export interface EchoResponse {
  readonly destination: string;
  readonly roundTripMs: number;
  /** The storage SOP classes we send, as far as the peer accepted them. */
  readonly accepted: readonly AcceptedStorageView[];
}

export type AuditAction =
  | 'worklist-query'
  | 'exam-start'
  | 'exam-end'
  | 'exam-cancel'
  | 'send'
  | 'export'
  | 'delete'
  | 'service-login'
  | 'config'
  | 'receive'
  | 'commitment-report';

export interface AuditEntry {
  readonly id: string;
  readonly time: IsoTime;
  /** The operator or "system" (queue, quota). */
  readonly who: string;
  readonly action: AuditAction;
  /** What was concerned: study/instance UIDs, exam id, job id. */
  readonly what: string;
  /** Where to: a destination name, a volume label. */
  readonly where?: string;
  readonly outcome: 'success' | 'failure';
  readonly detail?: string;
}

/**
 * GET /api/audit — query parameters: `action` (AuditAction), `from`/`to` (ISO time), `what`,
 * `limit` (1…500, default 100), `offset`. Newest first.
 */
export interface ListAuditResponse {
  readonly entries: readonly AuditEntry[];
  readonly page: Page;
}

/** POST /api/service/login — the service screen's PIN (config `service.pin`). */
export interface ServiceLoginRequest {
  readonly pin: string;
}

/** POST /api/service/login → 200; a wrong PIN is 403 API_BAD_PIN. Every attempt is audited. */
export interface ServiceLoginResponse {
  readonly ok: true;
}

/** GET /api/conformance → text/plain: the conformance statement generated from the negotiation tables. */

/** A JSON value: what the configuration is made of. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * GET /api/config — the configuration in force, as the configuration file's schema has it,
 * with every secret (passwords, private keys, PINs) replaced by SECRET_PLACEHOLDER.
 */
export interface GetConfigResponse {
  readonly config: { readonly [key: string]: JsonValue };
  /** The file it was read from, or "built-in default". */
  readonly source: string;
}
export const SECRET_PLACEHOLDER = '***';

/* ------------------------------------------------------------------------------------------ */
/* /api/events (WebSocket, JSON text messages, server → client only)                           */
/* ------------------------------------------------------------------------------------------ */

export interface LogEntry {
  readonly time: IsoTime;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  /** The structured fields of the line (never patient names or ids: only warn and above are sent). */
  readonly fields: { readonly [key: string]: JsonValue };
}

/**
 * Every message carries `seq` (1, 2, 3 … per connection; a gap means the server coalesced or
 * dropped messages for this client) and `time` (when the server sent it).
 *
 * The first message is always `state`. The server sends `state` again whenever it had to drop
 * messages for a slow client: a `state` message replaces everything the client knew.
 * Progress messages (`job`, `export`, `capture` while recording) are throttled: at most a few per
 * second per job, the last value always sent.
 */
export type ApiEvent = { readonly seq: number; readonly time: IsoTime } & ApiEventBody;

export type ApiEventBody =
  /** The whole device state: on connect, and after the server dropped messages for this client. */
  | { readonly type: 'state'; readonly state: DeviceState }
  /** The exam in progress changed (started, frozen, instance added, ended, cancelled); null: none. */
  | { readonly type: 'exam'; readonly exam: ExamView | null }
  /** An instance of the current exam is durable (file and record). */
  | { readonly type: 'instance'; readonly examId: string; readonly instance: InstanceView }
  | { readonly type: 'capture'; readonly capture: CaptureState }
  /** A job changed state, or made progress (throttled). */
  | { readonly type: 'job'; readonly job: JobView }
  /** The queue counts changed (throttled). */
  | { readonly type: 'queue'; readonly summary: QueueSummary }
  /** Volumes came, went, or their free space changed. */
  | { readonly type: 'media'; readonly volumes: readonly VolumeView[] }
  /** An export job changed state or made progress (throttled). */
  | { readonly type: 'export'; readonly job: ExportJobView }
  | { readonly type: 'destination'; readonly destination: DestinationView }
  /** The full list of active alarms (an empty list: all clear). */
  | { readonly type: 'alarms'; readonly alarms: readonly Alarm[] }
  /** A warn or error log line. */
  | { readonly type: 'log'; readonly entry: LogEntry };

export type ApiEventType = ApiEventBody['type'];

/* ------------------------------------------------------------------------------------------ */
/* /api/live (WebSocket, binary frames server → client, JSON acks client → server)             */
/* ------------------------------------------------------------------------------------------ */

/**
 * Each binary message is one live image: a fixed little-endian header, then one baseline JPEG
 * (JFIF, 8-bit, YCbCr or grey) to the end of the message.
 *
 *   offset  size  field
 *   0       1     version                (LIVE_FRAME_VERSION = 1)
 *   1       1     flags                  bit 0: the image is frozen; bit 1: recording
 *   2       2     header length, uint16  (LIVE_HEADER_BYTES = 32; a newer server may append
 *                                          fields: skip to this offset for the JPEG)
 *   4       4     sequence, uint32       the source's frame counter (wraps at 2^32)
 *   8       8     capture time, float64  milliseconds since the Unix epoch (fractional), when
 *                                          the grabber delivered the frame
 *   16      8     send time, float64     milliseconds since the Unix epoch, when the server sent
 *                                          the message (capture → send = encode + wait)
 *   24      2     width, uint16          pixels
 *   26      2     height, uint16         pixels
 *   28      4     skipped, uint32        frames the source delivered since the previous message
 *                                          on this connection that this client did not get
 *   32      …     JPEG bytes
 *
 * Flow control: the server sends one frame, then waits for the client's ack of that sequence
 * before sending the next; meanwhile only the newest frame is kept (older ones are skipped), so
 * a slow client sees a lower frame rate, never a growing delay. Ack: a text message with the
 * JSON of LiveAck. An ack for an unknown sequence is ignored; a client that never acks gets
 * nothing more.
 */
export const LIVE_FRAME_VERSION = 1;
export const LIVE_HEADER_BYTES = 32;
export const LIVE_FLAG_FROZEN = 1;
export const LIVE_FLAG_RECORDING = 2;

export interface LiveFrameHeader {
  readonly version: number;
  readonly frozen: boolean;
  readonly recording: boolean;
  readonly sequence: number;
  readonly captureTimeMs: number;
  readonly sendTimeMs: number;
  readonly width: number;
  readonly height: number;
  readonly skipped: number;
}

/** Client → server on /api/live, one per received frame. */
export interface LiveAck {
  readonly ack: number;
}

// ---------------------------------------------------------------------------------------------
// USB (service screen): GET /api/usb

/** One USB device; ids as four lower-case hex digits, as lsusb prints them. */
export interface UsbDeviceView {
  readonly vendorId: string;
  readonly productId: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serialNumber?: string;
  /** Bus number and device address; 0 where the backend cannot tell. */
  readonly bus: number;
  readonly address: number;
}

/** `available: false` with a reason where USB cannot be read (containers, CI): never an error. */
export interface GetUsbResponse {
  readonly available: boolean;
  readonly reason?: string;
  readonly devices: readonly UsbDeviceView[];
  /** Hot-plug events seen since the service started (the last 50), oldest first. */
  readonly events: readonly { readonly time: string; readonly kind: 'attach' | 'detach'; readonly device: UsbDeviceView }[];
}
