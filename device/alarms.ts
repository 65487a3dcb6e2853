/**
 * The alarm board: the conditions the kiosk shows until they clear. Each alarm is raised by its
 * code (api-types.ts AlarmParamsByCode) with typed parameters; its severity and its English
 * `message` (for logs and API clients) come from ALARMS, one entry per code, so an alarm cannot
 * be raised without both. The kiosk writes its own text in its language from code and params.
 */
import { BehaviorSubject, type Observable } from 'rxjs';
import type { Clock } from './clock.js';
import type { Alarm, AlarmCode, AlarmCondition, AlarmParamsByCode, AlarmSeverity, PanelAlarmParams } from './web/api-types.js';

interface AlarmKind<K extends AlarmCode> {
  readonly severity: AlarmSeverity;
  /** The alarm in English, with every detail the parameters hold. */
  message(p: AlarmParamsByCode[K]): string;
}

const panel = (p: PanelAlarmParams): string => `control panel: ${p.detail}`;

/** Every alarm code the service can raise (a code missing here does not compile). */
export const ALARMS: { readonly [K in AlarmCode]: AlarmKind<K> } = {
  DISK_LOW: { severity: 'warning', message: (p) => `${p.freeMb} MB free in ${p.dataDir} (warning below ${p.limitMb} MB)` },
  DISK_FULL: { severity: 'error', message: (p) => `${p.freeMb} MB free in ${p.dataDir}: captures are refused below ${p.limitMb} MB` },
  SPOOL_OVER_QUOTA: { severity: 'warning', message: (p) => `the spool holds ${p.storeMb} MB, over its quota of ${p.limitMb} MB, and every study left is not yet sent everywhere: nothing more can be removed` },
  INSTANCES_MISSING: { severity: 'error', message: (p) => `${p.count} stored instance file(s) are missing from the data directory` },
  DESTINATION_PAUSED: { severity: 'warning', message: (p) => `${p.destination} unreachable: ${p.reason}; retry at ${p.until}` },
  WORKLIST_UNREACHABLE: { severity: 'warning', message: (p) => `worklist server: ${p.reason}` },
  FRAME_SOURCE_STOPPED: { severity: 'error', message: (p) => `${p.source} stopped delivering frames` },
  PANEL_ABSENT: { severity: 'warning', message: panel },
  PANEL_GONE: { severity: 'warning', message: panel },
  PANEL_SILENT: { severity: 'warning', message: panel },
  PANEL_GARBAGE: { severity: 'warning', message: panel },
  PANEL_VERSION: { severity: 'warning', message: panel },
  SCP_NOT_LISTENING: { severity: 'error', message: (p) => `cannot listen on port ${p.port}: ${p.reason}; other AEs cannot reach ${p.aeTitle} (retrying every ${p.retryS} s)` },
};

export const ALARM_CODES = Object.keys(ALARMS) as AlarmCode[];

/** Keyed by id (the code, or code:subject) so a repeated failure is one alarm, with its first `since`. */
export class AlarmBoard {
  private readonly map = new Map<string, Alarm>();
  private readonly subject = new BehaviorSubject<readonly Alarm[]>([]);
  readonly alarms$: Observable<readonly Alarm[]> = this.subject.asObservable();
  constructor(private readonly clock: Clock) {}

  /** Raises (or updates) the alarm; `subject` tells apart alarms of one code, e.g. the destination. */
  raise<K extends AlarmCode>(code: K, params: AlarmParamsByCode[K], subject?: string): void {
    const id = alarmId(code, subject);
    const kind: AlarmKind<K> = ALARMS[code];
    const message = kind.message(params);
    const prev = this.map.get(id);
    if (prev && prev.message === message) return;
    // The cast joins what TypeScript cannot correlate: `code` and `params` are of one K.
    const condition = { code, params } as AlarmCondition;
    this.map.set(id, { ...condition, id, severity: kind.severity, message, since: prev?.since ?? this.clock.now().toISOString() });
    this.subject.next(this.current());
  }

  clear(code: AlarmCode, subject?: string): void {
    if (this.map.delete(alarmId(code, subject))) this.subject.next(this.current());
  }

  current(): readonly Alarm[] {
    return [...this.map.values()];
  }
}

function alarmId(code: AlarmCode, subject: string | undefined): string {
  return subject === undefined ? code : `${code}:${subject}`;
}
