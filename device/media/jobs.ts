/**
 * Media as device state, and exports as jobs. The removable volumes the watcher reports are kept
 * as a live list (with "has a file-set" and "busy"); exporting exams to a chosen volume is a job
 * with progress, cancel and eject, run by export.ts (whose guarantees hold: files written
 * atomically, the DICOMDIR written last, a failed or cancelled export undone, the old file-set
 * intact). Jobs run one at a time (one medium's writes do not compete with another's, and the
 * cart's disk serves capture first). `exportCurrent()` is the panel's export key: the exam in
 * progress, or else the last ended one, to the only inserted medium.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import { MediaError } from '../../dicom/media/index.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log/logger.js';
import { exportFileSet, type ExportOptions, type ExportProgress, type ExportReport } from './export.js';
import type { MediaWatcher, Volume } from './watcher.js';

/** A volume as device state. */
export interface MediaVolume {
  readonly id: string;
  readonly label: string;
  readonly fsType: string;
  readonly mountPoint: string;
  readonly size: number;
  readonly free: number;
  /** A DICOMDIR is at its root: an export adds to that file-set (FSU). */
  readonly hasFileSet: boolean;
  /** An export to it runs or it is being ejected: do not pull. */
  readonly busy: boolean;
}

export type ExportJobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** The fields of a typed failure (see DeviceFailure in device/device.ts). */
export interface JobFailure {
  readonly code: string;
  readonly message: string;
}

export interface ExportJobSnapshot {
  readonly jobId: string;
  readonly volumeId: string;
  readonly volumeLabel: string;
  readonly examIds: readonly string[];
  readonly state: ExportJobState;
  readonly progress: {
    readonly phase: 'preparing' | ExportProgress['phase'];
    readonly filesDone: number;
    readonly filesTotal: number;
    readonly bytesDone: number;
    readonly bytesTotal: number;
  };
  readonly createdAt: string;
  readonly endedAt?: string;
  readonly report?: { readonly profile: string; readonly mode: 'FSC' | 'FSU'; readonly fileSetId: string; readonly files: number; readonly bytes: number; readonly warnings: readonly string[] };
  readonly error?: JobFailure;
}

/** The instance files of the given exams, in export order; throws a typed error for an unknown or open exam. */
export type ExamFilesResolver = (examIds: readonly string[]) => Promise<readonly string[]>;

export interface MediaJobsOptions {
  readonly watcher: MediaWatcher;
  /** The configured media application profile (STD-GEN-USB-JPEG …). */
  readonly profile: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly examFiles: ExamFilesResolver;
  /** The exam in progress, or else the last ended one; undefined when there is none. */
  readonly currentOrLastExam: () => string | undefined;
  /** Records the export in the audit trail (who, what, where, outcome). */
  readonly audit?: (entry: { who: string; what: string; where: string; outcome: 'success' | 'failure'; detail?: string }) => void;
  /** The export itself; export.ts by default (tests and the locking branch may wrap it). */
  readonly runExport?: (opts: ExportOptions, onProgress: (p: ExportProgress) => void) => Promise<ExportReport>;
  /** Finished jobs kept for the UI (default 20). */
  readonly keepFinished?: number;
}

interface JobRecord {
  snapshot: ExportJobSnapshot;
  readonly volume: Volume;
  readonly who: string;
  readonly abort: AbortController;
  readonly done: Promise<void>;
  resolveDone(): void;
}

function failureOf(e: unknown): JobFailure {
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  return { code: typeof code === 'string' ? code : 'MEDIA_EXPORT_FAILED', message };
}

export class MediaJobs {
  private readonly volumesSubject = new BehaviorSubject<readonly MediaVolume[]>([]);
  private readonly jobChanges = new Subject<ExportJobSnapshot>();
  private readonly jobs: JobRecord[] = [];
  private readonly ejecting = new Set<string>();
  private running: JobRecord | undefined;
  private seq = 0;
  private started = false;
  private readonly onAdded = (): void => void this.refreshVolumes();
  private readonly onRemoved = (v: Volume): void => {
    // A medium pulled mid-export: stop writing to it now rather than at the next failed write.
    for (const j of this.jobs) if (j.volume.id === v.id && (j.snapshot.state === 'running' || j.snapshot.state === 'queued')) j.abort.abort(new MediaError('MEDIA_REMOVED', `${v.label} was removed`));
    void this.refreshVolumes();
  };
  private readonly onWatcherError = (e: Error): void => this.opts.log.warn('media watcher failed; it keeps trying', { error: e });

  /** The volumes now; emits on every change (insert, removal, free space after an export, busy). */
  readonly volumes$: Observable<readonly MediaVolume[]> = this.volumesSubject.asObservable();
  /** Every change of every job: state changes and each progress step (consumers throttle). */
  readonly jobs$: Observable<ExportJobSnapshot> = this.jobChanges.asObservable();

  constructor(private readonly opts: MediaJobsOptions) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.opts.watcher.on('added', this.onAdded);
    this.opts.watcher.on('removed', this.onRemoved);
    this.opts.watcher.on('error', this.onWatcherError);
    await this.opts.watcher.start();
    await this.refreshVolumes();
  }

  /** Cancels the running and queued exports (each undone as export.ts guarantees) and stops watching. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const j of this.jobs) if (j.snapshot.state === 'queued' || j.snapshot.state === 'running') j.abort.abort(new MediaError('MEDIA_CANCELLED', 'the service is stopping'));
    await Promise.all(this.jobs.map((j) => j.done));
    this.opts.watcher.off('added', this.onAdded);
    this.opts.watcher.off('removed', this.onRemoved);
    this.opts.watcher.off('error', this.onWatcherError);
    await this.opts.watcher.stop();
  }

  volumes(): readonly MediaVolume[] {
    return this.volumesSubject.value;
  }

  /** Running and recent jobs, newest first. */
  list(): readonly ExportJobSnapshot[] {
    return this.jobs.map((j) => j.snapshot).reverse();
  }

  job(jobId: string): ExportJobSnapshot {
    return this.record(jobId).snapshot;
  }

  /** Resolves when the job has finished (whatever the outcome). */
  async settled(jobId: string): Promise<ExportJobSnapshot> {
    const r = this.record(jobId);
    await r.done;
    return r.snapshot;
  }

  /** Queues an export of `examIds` to the volume; the job runs in the background. */
  async export(volumeId: string, examIds: readonly string[], who = 'operator'): Promise<ExportJobSnapshot> {
    if (examIds.length === 0) throw new MediaError('MEDIA_NOTHING_TO_EXPORT', 'no exam was named');
    const volume = await this.findVolume(volumeId);
    if (this.ejecting.has(volume.id)) throw new MediaError('MEDIA_BUSY', `${volume.label} is being ejected`);
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const rec: JobRecord = {
      snapshot: {
        jobId: `export-${++this.seq}`,
        volumeId: volume.id,
        volumeLabel: volume.label,
        examIds: [...examIds],
        state: 'queued',
        progress: { phase: 'preparing', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 },
        createdAt: this.opts.clock.now().toISOString(),
      },
      volume,
      who,
      abort: new AbortController(),
      done,
      resolveDone,
    };
    this.jobs.push(rec);
    this.prune();
    this.publish(rec);
    this.pump();
    await this.publishVolumes();
    return rec.snapshot;
  }

  /**
   * The panel's export key: the exam in progress (or else the last ended one) to the only
   * inserted medium. Refuses when there is no medium or more than one, or no exam.
   */
  async exportCurrent(who = 'panel'): Promise<ExportJobSnapshot> {
    const vols = this.volumes();
    if (vols.length === 0) throw new MediaError('MEDIA_NO_VOLUME', 'no removable medium is inserted');
    if (vols.length > 1) throw new MediaError('MEDIA_SEVERAL_VOLUMES', `${vols.length} media are inserted (${vols.map((v) => v.label).join(', ')}); choose one on the media screen`);
    const examId = this.opts.currentOrLastExam();
    if (examId === undefined) throw new MediaError('EXAM_NOT_FOUND', 'there is no current or last exam to export');
    return this.export(vols[0]!.id, [examId], who);
  }

  /** Cancels a queued or running export; a running one is undone by export.ts before it ends. */
  cancel(jobId: string): ExportJobSnapshot {
    const r = this.record(jobId);
    if (r.snapshot.state !== 'queued' && r.snapshot.state !== 'running') {
      throw new MediaError('MEDIA_JOB_FINISHED', `export ${jobId} has already ${r.snapshot.state === 'completed' ? 'completed' : 'ended'} (${r.snapshot.state})`);
    }
    r.abort.abort(new MediaError('MEDIA_CANCELLED', 'cancelled by the user'));
    if (r.snapshot.state === 'queued') this.finish(r, 'cancelled', { code: 'MEDIA_CANCELLED', message: 'the export was cancelled before it started; nothing was written' });
    return r.snapshot;
  }

  /** Flushes and unmounts the volume; refused while an export to it is queued or running. */
  async eject(volumeId: string): Promise<{ volumeId: string; mayRemove: boolean; message: string }> {
    const volume = await this.findVolume(volumeId);
    const active = this.jobs.find((j) => j.volume.id === volume.id && (j.snapshot.state === 'queued' || j.snapshot.state === 'running'));
    if (active) throw new MediaError('MEDIA_BUSY', `${volume.label} is busy: export ${active.snapshot.jobId} is ${active.snapshot.state}; cancel it or wait`);
    if (this.ejecting.has(volume.id)) throw new MediaError('MEDIA_BUSY', `${volume.label} is already being ejected`);
    this.ejecting.add(volume.id);
    await this.publishVolumes();
    try {
      const result = await this.opts.watcher.eject(volume);
      this.opts.log.info('medium ejected', { volume: volume.id, mayRemove: result.mayRemove });
      return { volumeId: volume.id, mayRemove: result.mayRemove, message: result.message };
    } finally {
      this.ejecting.delete(volume.id);
      await this.refreshVolumes();
    }
  }

  private record(jobId: string): JobRecord {
    const r = this.jobs.find((j) => j.snapshot.jobId === jobId);
    if (!r) throw new MediaError('MEDIA_NO_SUCH_JOB', `no export job ${jobId}`);
    return r;
  }

  private async findVolume(volumeId: string): Promise<Volume> {
    const v = (await this.opts.watcher.list()).find((x) => x.id === volumeId);
    if (!v) throw new MediaError('MEDIA_NO_SUCH_VOLUME', `no inserted medium ${volumeId}`);
    return v;
  }

  private pump(): void {
    if (this.running) return;
    const next = this.jobs.find((j) => j.snapshot.state === 'queued');
    if (!next) return;
    this.running = next;
    void this.run(next).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async run(r: JobRecord): Promise<void> {
    const { log } = this.opts;
    this.update(r, { state: 'running' });
    const what = r.snapshot.examIds.join(',');
    try {
      const inputs = await this.opts.examFiles(r.snapshot.examIds);
      if (inputs.length === 0) throw new MediaError('MEDIA_NOTHING_TO_EXPORT', `exam(s) ${what} hold no stored instance`);
      if (r.abort.signal.aborted) throw new MediaError('MEDIA_CANCELLED', 'the export was cancelled before it started; nothing was written');
      const hasFileSet = await exists(join(r.volume.mountPoint, 'DICOMDIR'));
      const run = this.opts.runExport ?? exportFileSet;
      const report = await run(
        { profile: this.opts.profile, out: r.volume.mountPoint, inputs, add: hasFileSet, signal: r.abort.signal },
        (p) => this.update(r, { progress: { phase: p.phase, filesDone: p.filesDone, filesTotal: p.filesTotal, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal } }),
      );
      this.update(r, {
        report: { profile: report.profile, mode: report.mode, fileSetId: report.fileSetId, files: report.written.length, bytes: report.bytes, warnings: [...report.warnings] },
      });
      this.finish(r, 'completed');
      log.info('export completed', { job: r.snapshot.jobId, volume: r.volume.id, files: report.written.length, bytes: report.bytes, mode: report.mode });
      this.opts.audit?.({ who: r.who, what, where: r.volume.label, outcome: 'success', detail: `${report.written.length} files, ${report.mode}` });
    } catch (e) {
      // A pull or a cancel aborts the signal; export.ts then says MEDIA_CANCELLED, but the reason the user must hear is the abort's.
      const reason = r.abort.signal.aborted ? (r.abort.signal.reason as unknown) : undefined;
      const failure = failureOf(reason instanceof MediaError && reason.code === 'MEDIA_REMOVED' ? reason : e);
      const cancelled = failure.code === 'MEDIA_CANCELLED';
      this.finish(r, cancelled ? 'cancelled' : 'failed', failure);
      log.warn(cancelled ? 'export cancelled' : 'export failed', { job: r.snapshot.jobId, volume: r.volume.id, code: failure.code, reason: failure.message });
      this.opts.audit?.({ who: r.who, what, where: r.volume.label, outcome: 'failure', detail: `${failure.code}: ${failure.message}` });
    }
  }

  private update(r: JobRecord, patch: Partial<ExportJobSnapshot>): void {
    if (r.snapshot.state === 'completed' || r.snapshot.state === 'failed' || r.snapshot.state === 'cancelled') return;
    r.snapshot = { ...r.snapshot, ...patch };
    this.publish(r);
  }

  private finish(r: JobRecord, state: 'completed' | 'failed' | 'cancelled', error?: JobFailure): void {
    if (r.snapshot.state === 'completed' || r.snapshot.state === 'failed' || r.snapshot.state === 'cancelled') return;
    r.snapshot = { ...r.snapshot, state, endedAt: this.opts.clock.now().toISOString(), ...(error ? { error } : {}) };
    this.publish(r);
    // Settled means the volume state (free space, file-set, not busy) already says so too.
    void this.refreshVolumes().then(() => r.resolveDone());
  }

  private publish(r: JobRecord): void {
    this.jobChanges.next(r.snapshot);
  }

  private prune(): void {
    const keep = this.opts.keepFinished ?? 20;
    const finished = this.jobs.filter((j) => j.snapshot.state === 'completed' || j.snapshot.state === 'failed' || j.snapshot.state === 'cancelled');
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.splice(this.jobs.indexOf(j), 1);
  }

  private lastVolumes: readonly Volume[] = [];
  /** Volume updates run one after another, so an older listing never overwrites a newer one. */
  private volumeChain: Promise<void> = Promise.resolve();

  private refreshVolumes(): Promise<void> {
    return this.serially(async () => {
      try {
        this.lastVolumes = await this.opts.watcher.list();
      } catch (e) {
        this.opts.log.warn('listing media failed', { error: e });
      }
      await this.buildVolumes();
    });
  }

  private publishVolumes(): Promise<void> {
    return this.serially(() => this.buildVolumes());
  }

  private serially(step: () => Promise<void>): Promise<void> {
    this.volumeChain = this.volumeChain.then(step, step);
    return this.volumeChain;
  }

  private async buildVolumes(): Promise<void> {
    const busy = new Set([...this.ejecting, ...this.jobs.filter((j) => j.snapshot.state === 'queued' || j.snapshot.state === 'running').map((j) => j.volume.id)]);
    const out: MediaVolume[] = [];
    for (const v of this.lastVolumes) {
      out.push({ id: v.id, label: v.label, fsType: v.fsType, mountPoint: v.mountPoint, size: v.size, free: v.free, hasFileSet: await exists(join(v.mountPoint, 'DICOMDIR')), busy: busy.has(v.id) });
    }
    this.volumesSubject.next(out);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
