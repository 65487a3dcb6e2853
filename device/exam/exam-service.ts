/**
 * The exam workflow's effects runner: feeds events to the pure machine (machine.ts), performs
 * the effects it returns, persists every state change, and tells the world (events$).
 *
 * Each transition's database effects (open, close, queue the sends, the new state) commit in
 * ONE transaction, so "ended" and "queued to every store destination" are never apart. A still
 * or cine resolves with its SOP Instance UID only after the file (atomic write) and its row
 * (InstanceStore.adopt) are durable. Instance numbers are reserved durably before the write, so
 * a crash never reuses one.
 *
 * Calls never queue behind each other: an event the current state has no cell for is refused at
 * once (ExamRefusal, HTTP 409) — pressing "store" twice stores once and refuses once.
 */
import { Subject, type Observable } from 'rxjs';
import { dataSetFromDicomJson, dicomDate, dicomTime, examFromWorklist, unscheduledExam, type Equipment, type ExamContext } from '../../dicom/iod/index.js';
import type { Tag } from '../../dicom/core/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import type { CaptureKind } from '../capture/index.js';
import type { Clock } from '../clock.js';
import { encoderFor } from '../codecs/index.js';
import type { DeviceConfig } from '../config/types.js';
import type { SqlDatabase } from '../db/index.js';
import type { AuditLog, CineRequest, ExamEvent, ExamInstance, ExamListFilter, ExamPatient, ExamRecord, ExamService, ExamSnapshot, ExamState, InstanceKind, StartExamRequest } from '../device.js';
import type { Logger } from '../log/logger.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { InstanceStore } from '../storage/index.js';
import { failureOf } from '../device-failure.js';
import { ExamError } from './errors.js';
import { ExamStore, TERMINAL, type NewExam } from './exam-store.js';
import type { LiveCapture } from './live-capture.js';
import { seriesDescriptionOf, type DiscontinuationReason, type ExamProcedures } from './procedure-steps.js';
import { step, type Step } from './machine.js';
import { checkPatient, makePatientId } from './patient.js';
import type { EffectKind, ExamEventName } from './table.js';

export interface ExamServiceDeps {
  readonly config: DeviceConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly db: SqlDatabase;
  readonly instances: InstanceStore;
  readonly queue: JobQueue;
  readonly live: LiveCapture;
  readonly audit: AuditLog;
  readonly newUid: () => string;
  readonly newExamId: () => string;
  readonly equipment: Equipment;
  /** Export of an ended exam when config.media.exportOnEnd (the media jobs' "current exam to the only medium"). */
  readonly exportOnEnd?: (examId: string) => Promise<unknown>;
  /** MPPS of the exam (IHE SWF); absent: no procedure step is reported. */
  readonly procedures?: ExamProcedures;
}

function text(ds: DataSet, t: Tag): string {
  try {
    return ds.string(t) ?? '';
  } catch {
    return '';
  }
}

interface OpenExam {
  readonly examId: string;
  readonly context: ExamContext;
}

export class DbExamService implements ExamService {
  private readonly store: ExamStore;
  private state: ExamState = 'idle';
  private current: OpenExam | undefined;
  private recording: ExamSnapshot['recording'];
  private inFlight: Promise<unknown> | undefined;
  private stopping = false;
  private readonly subject = new Subject<ExamEvent>();
  readonly events$: Observable<ExamEvent> = this.subject.asObservable();

  constructor(private readonly d: ExamServiceDeps) {
    this.store = new ExamStore(d.db);
  }

  /**
   * At start: an exam a previous run left open (stopped or crashed mid-exam) is ended and
   * queued, so every instance that was acknowledged reaches the destinations. Returns the IDs.
   */
  recover(): string[] {
    const ids: string[] = [];
    for (const exam of this.store.open()) {
      const now = this.d.clock.now().toISOString();
      const jobs = this.d.db.transaction(() => {
        this.store.setState(exam.examId, 'ended', now);
        // Its procedure step (if it was started) is completed with what was stored.
        this.d.procedures?.ended(exam.examId, this.d.clock.now());
        return this.enqueue(exam.examId);
      });
      this.d.audit.record({ who: 'service', action: 'exam-end', what: exam.examId, where: this.storeDestinations().join(','), outcome: 'success', detail: `left ${exam.state} by the previous run; ended and queued (${jobs} jobs)` });
      this.d.log.warn('exam left open by the previous run ended and queued', { examId: exam.examId, state: exam.state, jobs });
      ids.push(exam.examId);
    }
    return ids;
  }

  snapshot(): ExamSnapshot {
    const current = this.current ? this.store.get(this.current.examId) : undefined;
    return { state: this.state, ...(current ? { current } : {}), ...(this.recording ? { recording: this.recording } : {}) };
  }

  list(filter?: ExamListFilter): ExamRecord[] {
    return this.store.list(filter);
  }
  get(examId: string): ExamRecord | undefined {
    return this.store.get(examId);
  }

  async start(request: StartExamRequest): Promise<{ examId: string; studyInstanceUid: string }> {
    const exam = this.prepare(request);
    this.transition('select', { open: exam });
    this.transition('start');
    const { examId, studyInstanceUid } = exam.record;
    this.d.audit.record({ who: 'operator', action: 'exam-start', what: `exam ${examId} study ${studyInstanceUid}`, where: '', outcome: 'success', detail: exam.record.scheduled ? 'from worklist' : 'unscheduled' });
    return { examId, studyInstanceUid };
  }

  async freeze(): Promise<ExamSnapshot> {
    this.transition('freeze');
    return this.snapshot();
  }
  async unfreeze(): Promise<ExamSnapshot> {
    this.transition('unfreeze');
    return this.snapshot();
  }
  /** Review of the stored images (the live image stays frozen meanwhile). */
  async review(): Promise<ExamSnapshot> {
    this.transition('review');
    return this.snapshot();
  }

  storeStill(): Promise<ExamInstance> {
    return this.storeInstance('store-still', 'still', 'still', 0, 'last');
  }
  storeScreen(): Promise<ExamInstance> {
    return this.storeInstance('store-screen', 'screen', 'sc', 0, 'last');
  }
  storeCine(r: CineRequest): Promise<ExamInstance> {
    const max = this.d.config.capture.maxCineSeconds;
    if (typeof r.seconds !== 'number' || !(r.seconds > 0) || r.seconds > max) {
      return Promise.reject(new ExamError('EXAM_BAD_REQUEST', `seconds: expected a number 0 < N ≤ ${max} (capture.maxCineSeconds), got ${JSON.stringify(r.seconds)}`));
    }
    if (r.mode !== 'prospective' && r.mode !== 'retrospective') {
      return Promise.reject(new ExamError('EXAM_BAD_REQUEST', `mode: expected prospective or retrospective, got ${JSON.stringify(r.mode)}`));
    }
    return r.mode === 'prospective'
      ? this.storeInstance('store-cine-prospective', 'cine', 'cine', r.seconds, 'next')
      : this.storeInstance('store-cine-retrospective', 'cine', 'cine', r.seconds, 'last');
  }

  async end(): Promise<{ exam: ExamRecord; jobsQueued: number }> {
    const examId = this.current?.examId;
    const s = this.transition('end');
    const jobsQueued = s.jobs;
    const exam = this.store.get(examId!)!;
    this.d.audit.record({ who: 'operator', action: 'exam-end', what: `exam ${exam.examId} study ${exam.studyInstanceUid}`, where: this.storeDestinations().join(','), outcome: 'success', detail: `${exam.instances.length} instance(s), ${jobsQueued} store job(s) queued` });
    return { exam, jobsQueued };
  }

  /** Discontinues the exam; `reason` (CID 9300) goes into the MPPS N-SET DISCONTINUED. */
  async cancel(reason: DiscontinuationReason = 'unspecified'): Promise<ExamRecord> {
    const examId = this.current?.examId;
    this.transition('cancel', { reason });
    const exam = this.store.get(examId!)!;
    this.d.audit.record({ who: 'operator', action: 'exam-cancel', what: `exam ${exam.examId} study ${exam.studyInstanceUid}`, where: '', outcome: 'success', detail: `${exam.instances.length} instance(s) kept locally, not sent` });
    return exam;
  }

  /** Drain: refuse new work, wait for the instance in flight. */
  async drain(): Promise<void> {
    this.stopping = true;
    await this.inFlight?.catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------------

  private storeDestinations(): string[] {
    return this.d.config.destinations.filter((x) => x.roles.includes('store')).map((x) => x.name);
  }

  /** One job per durable instance of the exam × store destination; idempotent. */
  private enqueue(examId: string): number {
    const dests = this.storeDestinations();
    const uids = this.store.instances(examId).map((i) => i.sopInstanceUid);
    if (dests.length === 0 || uids.length === 0) return 0;
    return this.d.queue.enqueue({ sopInstanceUids: uids }, dests).length;
  }

  /** Validates the request and builds the exam's context; nothing is written yet. */
  private prepare(request: StartExamRequest): { record: NewExam; context: ExamContext } {
    const now = this.d.clock.now();
    const when = { date: dicomDate(now), time: dicomTime(now) };
    let context: ExamContext;
    let worklistItem: string | undefined;
    if (request && typeof request === 'object' && request.worklistItem !== undefined) {
      try {
        context = examFromWorklist(dataSetFromDicomJson(request.worklistItem), when, this.d.newUid);
      } catch (e) {
        throw new ExamError('EXAM_BAD_WORKLIST_ITEM', `worklistItem: ${(e as Error).message}`, { cause: e });
      }
      worklistItem = JSON.stringify(request.worklistItem);
    } else if (request && typeof request === 'object' && request.patient !== undefined) {
      const p = request.patient;
      checkPatient(p, when.date);
      let id = p.id;
      if (id === undefined || id === '') {
        if (this.d.config.patientId.required) throw new ExamError('EXAM_BAD_PATIENT', 'patient.id: required by this cart (config patientId.required)');
        id = makePatientId(this.d.config.patientId, { date: when.date, time: when.time, seq: this.store.unscheduledOn(when.date) + 1, ae: this.d.config.aeTitle });
      }
      context = unscheduledExam({ name: p.name, id, ...(p.sex !== undefined ? { sex: p.sex } : {}), ...(p.birthDate ? { birthDate: p.birthDate } : {}) }, when, this.d.newUid);
    } else {
      throw new ExamError('EXAM_BAD_REQUEST', 'expected {"worklistItem": …} or {"patient": …}');
    }
    const a = context.attributes;
    const patient: ExamPatient = { name: text(a, Tags.PatientName), id: text(a, Tags.PatientID), sex: text(a, Tags.PatientSex), birthDate: text(a, Tags.PatientBirthDate) };
    return {
      context,
      record: {
        examId: this.d.newExamId(),
        studyInstanceUid: context.studyInstanceUid,
        accessionNumber: text(a, Tags.AccessionNumber),
        scheduled: context.scheduled,
        patient,
        studyDate: context.studyDate,
        ...(worklistItem !== undefined ? { worklistItem } : {}),
        startedAt: now.toISOString(),
      },
    };
  }

  /**
   * One step of the machine: the database effects and the new state in one commit, then the
   * in-memory effects (capture), then the event. Throws ExamRefusal for a missing cell.
   */
  private transition(
    event: ExamEventName,
    payload: { open?: { record: NewExam; context: ExamContext }; recording?: ExamSnapshot['recording']; reason?: DiscontinuationReason } = {},
  ): Step & { jobs: number } {
    if (this.stopping && event !== 'stored' && event !== 'store-failed') throw new ExamError('EXAM_STOPPING', 'the service is stopping');
    const s = step(this.state, event);
    const at = this.d.clock.now().toISOString();
    let jobs = 0;
    let opened: OpenExam | undefined;
    this.d.db.transaction(() => {
      for (const e of s.effects) {
        if (e === 'open-exam') {
          const o = payload.open!;
          this.store.insert(o.record, s.next);
          opened = { examId: o.record.examId, context: o.context };
        } else if (e === 'enqueue-sends') {
          jobs = this.enqueue(this.current!.examId);
        } else if (e === 'mpps-in-progress') {
          this.d.procedures?.started(this.current!.examId, this.current!.context, this.d.clock.now());
        } else if (e === 'mpps-completed') {
          this.d.procedures?.ended(this.current!.examId, this.d.clock.now());
        } else if (e === 'mpps-discontinued') {
          this.d.procedures?.discontinued(this.current!.examId, this.d.clock.now(), payload.reason);
        }
      }
      const examId = opened?.examId ?? this.current?.examId;
      if (examId && !s.effects.includes('open-exam')) this.store.setState(examId, s.next, at);
    });
    const examId = opened?.examId ?? this.current?.examId ?? '';
    this.state = s.next;
    if (opened) this.current = opened;
    if (event === 'stored' || event === 'store-failed') this.recording = undefined;
    if (payload.recording) this.recording = payload.recording;
    for (const e of s.effects) this.performAfterCommit(e, examId);
    if (TERMINAL.includes(s.next)) this.current = undefined;
    this.d.log.info('exam state', { examId, from: s.from, to: s.next, event });
    this.subject.next({ type: 'exam-state', examId, state: s.next, from: s.from });
    return { ...s, jobs };
  }

  private performAfterCommit(e: EffectKind, examId: string): void {
    switch (e) {
      case 'capture-live':
      case 'capture-stop':
        this.d.live.unfreeze();
        return;
      case 'capture-freeze':
        this.d.live.freeze();
        return;
      case 'export-if-configured':
        if (this.d.config.media.exportOnEnd && this.d.exportOnEnd) {
          this.d.exportOnEnd(examId).catch((err: unknown) => this.d.log.warn('export on end failed', { examId, ...failureOf(err) }));
        }
        return;
      default:
        return; // open-exam, close-exam, enqueue-sends, mpps-*: done in the commit; store-instance: by storeInstance
    }
  }

  /** The whole store — write, row, state back, event — is what a drain waits for. */
  private storeInstance(event: ExamEventName, kind: InstanceKind, captureKind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<ExamInstance> {
    const p = this.doStore(event, kind, captureKind, seconds, window);
    this.inFlight = p;
    const clear = (): void => {
      if (this.inFlight === p) this.inFlight = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  private async doStore(event: ExamEventName, kind: InstanceKind, captureKind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<ExamInstance> {
    const exam = this.current;
    this.transition(event, window === 'next' ? { recording: { kind, until: new Date(this.d.clock.now().getTime() + seconds * 1000).toISOString() } } : {});
    try {
      const instance = await this.write(exam!, kind, captureKind, seconds, window);
      this.transition('stored');
      this.subject.next({ type: 'instance-stored', examId: exam!.examId, instance });
      this.d.log.info('instance stored', { examId: exam!.examId, kind, sopInstanceUid: instance.sopInstanceUid, frames: instance.frames });
      return instance;
    } catch (e) {
      this.transition('store-failed');
      const failure = failureOf(e);
      this.subject.next({ type: 'store-failed', examId: exam!.examId, kind, error: failure });
      this.d.log.error('store failed', { examId: exam!.examId, kind, ...failure });
      throw e;
    }
  }

  private async write(exam: OpenExam, kind: InstanceKind, captureKind: CaptureKind, seconds: number, window: 'last' | 'next'): Promise<ExamInstance> {
    const r = this.store.reserve(exam.examId, kind, this.d.newUid, this.d.clock.now().toISOString());
    const dir = await this.d.instances.directoryFor(exam.context.studyInstanceUid, r.seriesInstanceUid);
    const written = await this.d.live.capture(captureKind, seconds, window, {
      encoder: encoderFor(this.d.config.capture.transferSyntax),
      exam: exam.context,
      series: { uid: r.seriesInstanceUid, number: r.seriesNumber, description: seriesDescriptionOf(kind) },
      equipment: this.d.equipment,
      instanceNumber: r.instanceNumber,
      sopInstanceUid: r.sopInstanceUid,
      outDir: dir,
    });
    const rec = await this.d.instances.adopt(written.path, { examId: exam.examId });
    return {
      sopInstanceUid: rec.sopInstanceUid,
      sopClassUid: rec.sopClassUid,
      kind,
      seriesInstanceUid: rec.seriesInstanceUid,
      seriesNumber: r.seriesNumber,
      instanceNumber: r.instanceNumber,
      frames: rec.frames,
      storedAt: rec.createdAt,
    };
  }
}
