/**
 * The serial control panel bound to the device (issue 11):
 * - keys (on KEY_DOWN; KEY_UP is only acknowledged): freeze toggles freeze/unfreeze, still and
 *   cine store an instance (the cine's length and mode from config.panel), end ends the exam,
 *   export writes the current or last exam to the medium, the footswitch does the configured
 *   one of freeze/still/cine. A refused key beeps `warning`: the sonographer is looking at the
 *   patient, not at the screen.
 * - LEDs and beeper follow the device state through the pure `ledsFor`/`beepFor` (state.ts):
 *   the state is recomputed after every exam, media and alarm change, and after queue changes
 *   coalesced (settleMs) so a burst of queue events costs one summary query.
 * - the panel's own trouble (absent, gone, silent, garbage, wrong version) becomes a device
 *   alarm, cleared when the panel says HELLO again. Nothing here throws into the service.
 */
import { merge, type Observable, type Subscription } from 'rxjs';
import type { Clock, TimerHandle } from '../clock.js';
import type { Alarm, ExamService, ExamState } from '../device.js';
import type { Logger } from '../log/logger.js';
import type { PanelAlarmParams } from '../web/api-types.js';
import type { ControlPanel, PanelAlarmCode, PanelKeyEvent, PanelStatus } from './control-panel.js';
import { beepFor, ledsFor, type PanelDeviceStatus } from './state.js';

export interface PanelBindingConfig {
  readonly footswitch: 'store-still' | 'store-cine' | 'freeze';
  readonly cineSeconds: number;
  readonly cineMode: 'retrospective' | 'prospective';
}

/** What the binding reads and drives; each is a narrow view of a device module. */
export interface PanelBindingTargets {
  readonly config: PanelBindingConfig;
  readonly exams: Pick<ExamService, 'freeze' | 'unfreeze' | 'storeStill' | 'storeCine' | 'end' | 'snapshot' | 'events$'>;
  readonly queue: {
    summary(): { readonly byState: Readonly<Record<'in-progress' | 'scheduled' | 'retry' | 'failed', number>> };
    readonly events$: Observable<unknown>;
  };
  readonly media: {
    list(): readonly { readonly state: string }[];
    volumes(): readonly { readonly busy: boolean }[];
    readonly jobs$: Observable<unknown>;
    readonly volumes$: Observable<unknown>;
    exportCurrent(who: string): Promise<unknown>;
  };
  readonly alarms$: Observable<readonly Alarm[]>;
  /** The panel's trouble as a device alarm (severity and English text: device/alarms.ts). */
  raiseAlarm(code: PanelAlarmCode, params: PanelAlarmParams): void;
  clearAlarm(code: PanelAlarmCode): void;
  readonly clock: Clock;
  readonly log: Logger;
  /** Coalescing delay for state recomputation (default 50 ms). */
  readonly settleMs?: number;
}

export interface PanelBinding {
  /** The status the panel would show now (for tests and the service screen). */
  deviceStatus(): PanelDeviceStatus;
  /** Unsubscribes and stops the panel. */
  stop(): Promise<void>;
}

const FROZEN: readonly ExamState[] = ['frozen', 'storing-frozen', 'review'];

export function bindControlPanel(panel: ControlPanel, t: PanelBindingTargets): PanelBinding {
  let alarms: readonly Alarm[] = [];
  let stored = 0;
  let raisedPanelAlarm: PanelAlarmCode | undefined;
  let stopped = false;
  let timer: TimerHandle | undefined;

  const deviceStatus = (): PanelDeviceStatus => {
    const exam = t.exams.snapshot();
    const q = t.queue.summary().byState;
    const jobs = t.media.list();
    const exporting = jobs.some((j) => j.state === 'queued' || j.state === 'running');
    return {
      frozen: FROZEN.includes(exam.state),
      recording: exam.recording !== undefined,
      sending: q['in-progress'] > 0 ? 'active' : q.scheduled + q.retry > 0 ? 'waiting' : 'idle',
      media: exporting ? 'exporting' : t.media.volumes().some((v) => v.busy) ? 'ejecting' : 'idle',
      alarms: alarms.filter((a) => a.severity !== 'info').length,
      failedJobs: q.failed + jobs.filter((j) => j.state === 'failed').length,
      stored,
    };
  };

  let shown = deviceStatus();
  panel.setLeds(ledsFor(shown));

  const refresh = (): void => {
    timer = undefined;
    if (stopped) return;
    let next: PanelDeviceStatus;
    try {
      next = deviceStatus();
    } catch (e) {
      // e.g. the database closing under us during shutdown: the panel keeps its last state
      t.log.warn('panel state not computed', { error: e });
      return;
    }
    const beep = beepFor(shown, next);
    shown = next;
    panel.setLeds(ledsFor(next));
    if (beep) panel.beep(beep);
  };
  const schedule = (): void => {
    if (!stopped && !timer) timer = t.clock.setTimeout(refresh, t.settleMs ?? 50);
  };

  const act = (key: PanelKeyEvent['key']): Promise<unknown> => {
    const k = key === 'footswitch' ? t.config.footswitch : key;
    switch (k) {
      case 'freeze':
        return FROZEN.includes(t.exams.snapshot().state) ? t.exams.unfreeze() : t.exams.freeze();
      case 'still':
      case 'store-still':
        return t.exams.storeStill();
      case 'cine':
      case 'store-cine':
        return t.exams.storeCine({ seconds: t.config.cineSeconds, mode: t.config.cineMode });
      case 'end-exam':
        return t.exams.end();
      case 'export':
        return t.media.exportCurrent('panel');
    }
  };

  const onKey = (e: PanelKeyEvent): void => {
    if (e.action !== 'down' || stopped) return;
    t.log.info('panel key', { key: e.key });
    let done: Promise<unknown>;
    try {
      done = act(e.key);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(schedule, (err: unknown) => {
      const f = err as { code?: unknown; message?: unknown };
      t.log.warn('panel key refused', { key: e.key, code: typeof f?.code === 'string' ? f.code : 'UNKNOWN', message: String(f?.message ?? err) });
      if (!stopped) panel.beep('warning');
    });
  };

  const onStatus = (s: PanelStatus): void => {
    if (stopped) return;
    const code = s.alarm?.code;
    if (raisedPanelAlarm && raisedPanelAlarm !== code) t.clearAlarm(raisedPanelAlarm);
    if (s.alarm) t.raiseAlarm(s.alarm.code, { path: s.path, detail: s.alarm.message });
    raisedPanelAlarm = code;
  };

  panel.on('key', onKey);
  panel.on('status', onStatus);
  // Exam, media and alarm changes are few and each is shown (an export that takes 30 ms still
  // blinks media-busy once); queue events come in bursts of hundreds and are coalesced.
  const now = (): void => {
    timer?.cancel();
    refresh();
  };
  const subs: Subscription = t.queue.events$.subscribe(schedule);
  subs.add(merge(t.media.jobs$, t.media.volumes$).subscribe(now));
  subs.add(
    t.exams.events$.subscribe((e) => {
      if (e.type === 'instance-stored') stored++;
      now();
    }),
  );
  subs.add(
    t.alarms$.subscribe((a) => {
      alarms = a;
      now();
    }),
  );
  panel.start();
  onStatus(panel.status());

  return {
    deviceStatus,
    async stop() {
      if (stopped) return;
      stopped = true;
      timer?.cancel();
      subs.unsubscribe();
      panel.off('key', onKey);
      panel.off('status', onStatus);
      await panel.stop();
    },
  };
}
