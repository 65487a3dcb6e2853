/**
 * The control panel's keys and lights bound to the device (the panel itself — serial framing,
 * heartbeat, the simulated panel — is issue 11; this is the seam it plugs into):
 * - freeze toggles freeze/unfreeze; store-still; store-cine (retrospective, config.panel.cineSeconds,
 *   so the key keeps what was just seen); end-exam; export (the current or last exam to the only
 *   medium); the footswitch does the configured one of those.
 * - a refused or failed action beeps 'error' (the sonographer is looking at the patient, not the
 *   screen), a done one beeps 'ok'.
 * - LEDs follow state: freeze, recording (a prospective cine), error (an error alarm).
 */
import type { Subscription } from 'rxjs';
import type { DeviceConfig } from './config/types.js';
import type { Alarm, ControlPanel, ExamService, PanelKey } from './device.js';
import type { Logger } from './log/logger.js';
import { failureOf } from './device-failure.js';
import type { Observable } from 'rxjs';

export interface PanelTargets {
  readonly config: DeviceConfig;
  readonly exams: ExamService;
  readonly exportCurrent: () => Promise<unknown>;
  readonly alarms$: Observable<readonly Alarm[]>;
  readonly log: Logger;
}

export function bindPanel(panel: ControlPanel, t: PanelTargets): Subscription {
  const act = (key: PanelKey): Promise<unknown> => {
    const k = key === 'footswitch' ? t.config.panel.footswitch : key;
    switch (k) {
      case 'freeze':
        return ['frozen', 'review'].includes(t.exams.snapshot().state) ? t.exams.unfreeze() : t.exams.freeze();
      case 'store-still':
        return t.exams.storeStill();
      case 'store-cine':
        return t.exams.storeCine({ seconds: t.config.panel.cineSeconds, mode: 'retrospective' });
      case 'end-exam':
        return t.exams.end();
      case 'export':
        return t.exportCurrent();
    }
  };
  const sub = panel.keys$.subscribe((key) => {
    act(key).then(
      () => panel.beep('ok'),
      (e: unknown) => {
        panel.beep('error');
        t.log.warn('panel key refused', { key, ...failureOf(e) });
      },
    );
  });
  sub.add(
    t.exams.events$.subscribe(() => {
      const s = t.exams.snapshot();
      panel.setLed('freeze', s.state === 'frozen' || s.state === 'storing-frozen' || s.state === 'review');
      panel.setLed('recording', s.recording !== undefined);
    }),
  );
  sub.add(t.alarms$.subscribe((a) => panel.setLed('error', a.some((x) => x.severity === 'error'))));
  return sub;
}
