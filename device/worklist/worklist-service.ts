/**
 * The worklist as the kiosk sees it: the Modality Worklist C-FIND SCU (device/net/scu/worklist.ts)
 * asked on an interval (Clock) and on demand, its last successful answer kept in the database
 * with the time it was fetched. When the server does not answer, the cached list is shown with
 * its age and the failure (peer, step, reason) — never an empty list that looks like "no
 * patients today". Filters apply to the cached answer, so typing in the search box costs no
 * association; a refresh asks the server with the configured query (modality, date range,
 * optionally our station AE).
 */
import { Subject, type Observable } from 'rxjs';
import { escapeBytes } from '../../dicom/charset/index.js';
import type { Tag } from '../../dicom/core/index.js';
import { Tags } from '../../dicom/dictionary/index.js';
import type { DataSet } from '../../dicom/dataset/index.js';
import { dicomDate } from '../../dicom/iod/index.js';
import { toDicomJson } from '../../dicom/iod/index.js';
import type { Clock, TimerHandle } from '../clock.js';
import { peerConfigFor } from '../config/peers.js';
import type { DestinationConfig, DeviceConfig } from '../config/types.js';
import type { SqlDatabase } from '../db/index.js';
import { failureOf } from '../device-failure.js';
import type { AuditLog, DeviceFailure, DicomJsonObject, WorklistAnswer, WorklistEvent, WorklistFilters, WorklistMatch, WorklistService, WorklistSummary } from '../device.js';
import type { Logger } from '../log/logger.js';
import type { PeerConfig } from '../net/peer-config.js';
import { MWL, type WorklistQuery } from '../net/scu/worklist.js';

/** Asks one worklist server; the real one opens an association and runs findWorklist. */
export type WorklistFinder = (peer: PeerConfig, query: WorklistQuery) => Promise<DataSet[]>;

export interface WorklistServiceDeps {
  readonly config: DeviceConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly db: SqlDatabase;
  readonly audit: AuditLog;
  readonly find: WorklistFinder;
}

function text(ds: DataSet | undefined, t: Tag): string {
  if (!ds) return '';
  try {
    return (ds.strings(t) ?? []).join('\\');
  } catch {
    // Conformance §6: a value we cannot decode is kept byte-exact and shown escaped.
    return escapeBytes(ds.get(t)?.bytes ?? new Uint8Array(0));
  }
}

export function summarize(entry: DataSet): WorklistSummary {
  const sps = entry.items(MWL.ScheduledProcedureStepSequence)?.[0];
  return {
    patientName: text(entry, MWL.PatientName),
    patientId: text(entry, MWL.PatientID),
    birthDate: text(entry, Tags.PatientBirthDate),
    sex: text(entry, Tags.PatientSex),
    accessionNumber: text(entry, MWL.AccessionNumber),
    studyInstanceUid: text(entry, MWL.StudyInstanceUID),
    procedureDescription: text(entry, MWL.RequestedProcedureDescription) || text(sps, Tags.ScheduledProcedureStepDescription),
    scheduledDate: text(sps, MWL.ScheduledProcedureStepStartDate),
    scheduledTime: text(sps, MWL.ScheduledProcedureStepStartTime),
    stationAeTitle: text(sps, MWL.ScheduledStationAETitle),
  };
}

/** DICOM wildcard matching (`*`, `?`), case-insensitive for the search box. */
function wildcard(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'iu');
}

function inRange(date: string, range: string): boolean {
  const [from, to] = range.includes('-') ? range.split('-') : [range, range];
  return (!from || date >= from) && (!to || date <= to);
}

export function filterMatches(matches: readonly WorklistMatch[], f: WorklistFilters): WorklistMatch[] {
  const name = f.patientName ? wildcard(f.patientName.includes('*') || f.patientName.includes('?') ? f.patientName : `*${f.patientName}*`) : undefined;
  return matches.filter(({ summary: s }) => {
    if (name && !s.patientName.split('=').some((g) => name.test(g)) && !name.test(s.patientName)) return false;
    if (f.patientId && s.patientId !== f.patientId) return false;
    if (f.accessionNumber && s.accessionNumber !== f.accessionNumber) return false;
    if (f.date && s.scheduledDate && !inRange(s.scheduledDate, f.date)) return false;
    return true;
  });
}

interface CacheRow {
  source: string;
  query: string;
  matches: string;
  fetched_at: string;
}

export class DbWorklistService implements WorklistService {
  private readonly subject = new Subject<WorklistEvent>();
  readonly events$: Observable<WorklistEvent> = this.subject.asObservable();
  private lastError: DeviceFailure | undefined;
  private inFlight: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(private readonly d: WorklistServiceDeps) {}

  /** The destination with role `worklist`, if any. */
  get server(): DestinationConfig | undefined {
    return this.d.config.destinations.find((x) => x.roles.includes('worklist'));
  }

  /** Starts the auto-refresh (first refresh now) when an interval and a server are configured. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.server && this.d.config.worklist.refreshIntervalS > 0) this.tick();
  }

  stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    return (this.inFlight ?? Promise.resolve()).catch(() => undefined);
  }

  private tick(): void {
    void this.refresh().finally(() => {
      if (this.running) this.timer = this.d.clock.setTimeout(() => this.tick(), this.d.config.worklist.refreshIntervalS * 1000);
    });
  }

  snapshot(): { fetchedAt?: string; count: number; error?: DeviceFailure; refreshing: boolean } {
    const c = this.cache();
    return {
      ...(c ? { fetchedAt: c.fetched_at } : {}),
      count: c ? (JSON.parse(c.matches) as unknown[]).length : 0,
      ...(this.lastError ? { error: this.lastError } : {}),
      refreshing: this.inFlight !== undefined,
    };
  }

  async query(filters: WorklistFilters = {}, options: { refresh?: boolean } = {}): Promise<WorklistAnswer> {
    let refreshedNow = false;
    if (options.refresh || (!this.cache() && this.server)) {
      await this.refresh(filters.modality !== undefined || filters.date !== undefined ? filters : {});
      refreshedNow = this.lastError === undefined;
    }
    const c = this.cache();
    const matches = c ? filterMatches(JSON.parse(c.matches) as WorklistMatch[], filters) : [];
    const ageS = c ? Math.max(0, Math.round((this.d.clock.now().getTime() - Date.parse(c.fetched_at)) / 1000)) : undefined;
    return {
      matches,
      ...(c ? { fetchedAt: c.fetched_at, ageS } : {}),
      fromCache: !refreshedNow,
      ...(this.lastError ? { error: this.lastError } : {}),
      ...(this.server ? { source: this.server.name } : {}),
    };
  }

  /** The query a refresh sends: the configured modality and date range around today, our station AE if configured. */
  serverQuery(over: WorklistFilters = {}): WorklistQuery {
    const w = this.d.config.worklist;
    const now = this.d.clock.now();
    const day = (offset: number): string => dicomDate(new Date(now.getTime() + offset * 86_400_000));
    const date = over.date ?? (w.daysBefore === 0 && w.daysAfter === 0 ? day(0) : `${day(-w.daysBefore)}-${day(w.daysAfter)}`);
    return { modality: over.modality ?? w.modality, date, ...(w.onlyOurStation ? { stationAeTitle: this.d.config.aeTitle } : {}) };
  }

  /** Asks the server once (a refresh already under way is joined, not repeated). Never throws: the failure is kept and reported. */
  refresh(over: WorklistFilters = {}): Promise<void> {
    this.inFlight ??= this.doRefresh(over).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async doRefresh(over: WorklistFilters): Promise<void> {
    const server = this.server;
    if (!server) {
      this.lastError = { code: 'WORKLIST_NOT_CONFIGURED', message: 'no destination has the role "worklist"' };
      return;
    }
    const query = this.serverQuery(over);
    const what = `MWL C-FIND modality=${query.modality ?? ''} date=${query.date ?? ''}${query.stationAeTitle ? ` station=${query.stationAeTitle}` : ''}`;
    const started = this.d.clock.monotonicMs();
    try {
      const entries = await this.d.find(peerConfigFor(this.d.config, server, 'find'), query);
      const matches: WorklistMatch[] = entries.map((e) => ({ item: toDicomJson(e) as unknown as DicomJsonObject, summary: summarize(e) }));
      const fetchedAt = this.d.clock.now().toISOString();
      this.d.db
        .prepare('INSERT INTO worklist_cache (id, source, query, matches, fetched_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET source = excluded.source, query = excluded.query, matches = excluded.matches, fetched_at = excluded.fetched_at')
        .run([server.name, JSON.stringify(query), JSON.stringify(matches), fetchedAt]);
      this.lastError = undefined;
      this.d.audit.record({ who: 'service', action: 'worklist-query', what, where: server.name, outcome: 'success', detail: `${matches.length} match(es)` });
      this.d.log.info('worklist refreshed', { destination: server.name, matches: matches.length, ms: Math.round(this.d.clock.monotonicMs() - started) });
      this.subject.next({ type: 'worklist-refreshed', count: matches.length, fetchedAt });
    } catch (e) {
      const f = failureOf(e);
      this.lastError = { ...f, step: f.step ?? 'C-FIND (Modality Worklist)', peer: f.peer ?? `${server.calledAe}@${server.host}:${server.port}` };
      this.d.audit.record({ who: 'service', action: 'worklist-query', what, where: server.name, outcome: 'failure', detail: this.lastError.message });
      this.d.log.warn('worklist refresh failed', { destination: server.name, ...this.lastError });
      const cachedAt = this.cache()?.fetched_at;
      this.subject.next({ type: 'worklist-failed', error: this.lastError, ...(cachedAt ? { cachedAt } : {}) });
    }
  }

  private cache(): CacheRow | undefined {
    return this.d.db.prepare<CacheRow>('SELECT source, query, matches, fetched_at FROM worklist_cache WHERE id = 1').get();
  }
}
