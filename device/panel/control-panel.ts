import type { EventEmitter } from 'node:events';
import type { BeepPattern, Led, LedMode, PanelKey } from './protocol.js';

/** The mode of every LED: what the panel should show now. */
export type LedSet = Readonly<Record<Led, LedMode>>;

export const ALL_LEDS_OFF: LedSet = { freeze: 'off', recording: 'off', sending: 'off', 'media-busy': 'off', error: 'off' };

export interface PanelKeyEvent {
  readonly key: PanelKey;
  readonly action: 'down' | 'up';
  readonly at: Date;
}

export interface PanelInfo {
  /** The panel's serial number as it announced it in HELLO. */
  readonly id: string;
  readonly firmware: string;
  /** Protocol version as "major.minor". */
  readonly protocol: string;
}

export type PanelAlarmCode =
  /** The serial line cannot be opened (adapter unplugged, wrong path, no permission). */
  | 'PANEL_ABSENT'
  /** The line was open and closed under us (adapter pulled). */
  | 'PANEL_GONE'
  /** The line is open but the panel has not answered or sent a heartbeat in time. */
  | 'PANEL_SILENT'
  /** Bytes that are not frames of our protocol (noise, wrong baud rate, another device). */
  | 'PANEL_GARBAGE'
  /** The panel speaks another major version of the protocol. */
  | 'PANEL_VERSION';

export interface PanelAlarm {
  readonly code: PanelAlarmCode;
  /** A sentence for the service screen, naming the line. */
  readonly message: string;
  readonly since: Date;
}

export interface PanelStatus {
  /** `connected` once the panel has said HELLO on the current line. */
  readonly state: 'stopped' | 'connecting' | 'connected';
  readonly path: string;
  readonly panel?: PanelInfo;
  /** Present while something is wrong; cleared by the next HELLO from the panel. */
  readonly alarm?: PanelAlarm;
}

export type ControlPanelEvents = {
  /** A key went down or up (each physical press once, duplicates removed). */
  key: [PanelKeyEvent];
  /** Connection state or alarm changed. */
  status: [PanelStatus];
};

/**
 * The cart's control panel and footswitch, as the service sees it. The contract, which the
 * serial driver keeps (and which the service relies on to never be stopped by the panel):
 * - `start()` returns at once; connecting, handshaking and reconnecting happen by themselves.
 *   No method throws because of the panel, and no `error` event is ever emitted: trouble is a
 *   `status` with an `alarm`, cleared when the panel is back.
 * - `setLeds()` takes the whole desired state; it is sent now if the panel is connected and
 *   again, whole, every time the panel (re)connects.
 * - `beep()` is sent if the panel is connected and dropped otherwise (a beep is only
 *   meaningful now).
 * - `stop()` closes the line and ends every timer.
 */
export interface ControlPanel extends EventEmitter<ControlPanelEvents> {
  start(): void;
  stop(): Promise<void>;
  status(): PanelStatus;
  setLeds(leds: LedSet): void;
  beep(pattern: BeepPattern): void;
}
