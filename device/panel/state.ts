/**
 * What the panel shows, as a pure function of the device's state: the service calls
 * `ledsFor(status)` on every state change and hands the result to `ControlPanel.setLeds()`,
 * and `beepFor(previous, next)` for the sound of a transition. No I/O, no timers: the whole
 * mapping is tested as a table.
 */
import type { LedSet } from './control-panel.js';
import type { BeepPattern } from './protocol.js';

/** The part of the device state the panel reflects (the service derives it from GET /api/state). */
export interface PanelDeviceStatus {
  readonly frozen: boolean;
  /** A cine is being recorded. */
  readonly recording: boolean;
  /** Sending: `active` while a job is in progress, `waiting` while jobs are scheduled or retrying. */
  readonly sending: 'idle' | 'waiting' | 'active';
  /** Removable media: `exporting` while an export runs, `ejecting` until it is safe to remove. */
  readonly media: 'idle' | 'exporting' | 'ejecting';
  /** Alarms raised and not yet cleared (panel, capture, storage, …). */
  readonly alarms: number;
  /** Send or export jobs that failed permanently and wait for the user. */
  readonly failedJobs: number;
  /** Instances stored in the current exam (stills and cines). */
  readonly stored: number;
}

export function ledsFor(s: PanelDeviceStatus): LedSet {
  return {
    freeze: s.frozen ? 'on' : 'off',
    recording: s.recording ? 'blink' : 'off',
    sending: s.sending === 'active' ? 'blink' : s.sending === 'waiting' ? 'on' : 'off',
    'media-busy': s.media === 'exporting' ? 'blink' : s.media === 'ejecting' ? 'on' : 'off',
    // blinking asks for attention now; steady says "something failed, look at the sending screen"
    error: s.alarms > 0 ? 'blink' : s.failedJobs > 0 ? 'on' : 'off',
  };
}

/**
 * The sound for a change of state, or undefined for none. Failures win over successes, and a
 * success over a mere click, so one transition never makes two sounds.
 */
export function beepFor(prev: PanelDeviceStatus, next: PanelDeviceStatus): BeepPattern | undefined {
  if (next.alarms > prev.alarms || next.failedJobs > prev.failedJobs) return 'warning';
  if (next.stored > prev.stored) return 'confirm';
  if (next.media === 'idle' && prev.media === 'ejecting') return 'confirm'; // safe to remove
  if (next.frozen !== prev.frozen || (next.recording && !prev.recording)) return 'click';
  return undefined;
}
