/**
 * The control panel on a serial line (device/panel/README.md): handshake, heartbeats both ways,
 * a silence watchdog, reconnection with backoff, and key events with duplicates removed.
 *
 * Everything that can go wrong with a panel (unplugged, silent, babbling, another protocol
 * version) becomes an alarm in `status()`, never an exception or an `error` event: the cart
 * must keep scanning and sending with a broken panel. Every timer comes from the Clock, so the
 * timing can be tested without waiting.
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { nullLogger, type Logger } from '../log/logger.js';
import { ALL_LEDS_OFF, type ControlPanel, type ControlPanelEvents, type LedSet, type PanelAlarmCode, type PanelInfo, type PanelStatus } from './control-panel.js';
import { decodeFrame } from './decode.js';
import { encodeMessage } from './encode.js';
import { PanelDecodeError } from './errors.js';
import { PanelFramer } from './framer.js';
import type { OpenLine, PanelLine } from './line.js';
import type { PanelMessage } from './messages.js';
import { LEDS, MAX_TEXT, PROTOCOL_MINOR, PROTOCOL_VERSION, type BeepPattern, type Led, type LedMode } from './protocol.js';
import { openSerialLine } from './serial-line.js';

export interface SerialPanelOptions {
  /** The serial device, e.g. /dev/ttyUSB0 or a udev symlink such as /dev/sonicart-panel. */
  readonly path: string;
  readonly baudRate?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** What the host says in its HELLO. */
  readonly hostId?: string;
  readonly hostVersion?: string;
  /** Heartbeat period (protocol: 1 s). */
  readonly heartbeatMs?: number;
  /** Silence after which the panel is considered gone (protocol: 3 s). */
  readonly silenceMs?: number;
  /** First reconnection delay; doubles up to `maxBackoffMs`; back to the first after a HELLO. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How the line is opened (default: serialport). */
  readonly openLine?: OpenLine;
}

/** Longer than the panel's whole retry span (3 resends 200 ms apart). */
const DUPLICATE_WINDOW_MS = 1000;

type Phase = 'stopped' | 'opening' | 'handshake' | 'connected' | 'waiting';

export class SerialPanel extends EventEmitter<ControlPanelEvents> implements ControlPanel {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly o: Required<Omit<SerialPanelOptions, 'clock' | 'logger'>>;
  private phase: Phase = 'stopped';
  /** Bumped on every open and on stop, so callbacks from an old line are ignored. */
  private generation = 0;
  private line: PanelLine | undefined;
  private framer = new PanelFramer();
  private seq = 0;
  private leds: LedSet = ALL_LEDS_OFF;
  private panel: PanelInfo | undefined;
  private alarm: PanelStatus['alarm'];
  private backoffMs: number;
  private lastKey: { seq: number; type: string; key: string; atMs: number } | undefined;
  private helloPending = false;
  private heartbeatTimer: TimerHandle | undefined;
  private silenceTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private lastStatusKey = '';

  constructor(options: SerialPanelOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? nullLogger).child({ component: 'panel', path: options.path });
    this.o = {
      path: options.path,
      baudRate: options.baudRate ?? 115200,
      hostId: helloText(options.hostId ?? 'sonicart'),
      hostVersion: helloText(options.hostVersion ?? '0'),
      heartbeatMs: options.heartbeatMs ?? 1000,
      silenceMs: options.silenceMs ?? 3000,
      initialBackoffMs: options.initialBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      openLine: options.openLine ?? openSerialLine,
    };
    this.backoffMs = this.o.initialBackoffMs;
  }

  start(): void {
    if (this.phase !== 'stopped') return;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.generation++;
    this.phase = 'stopped';
    this.cancelTimers();
    this.reconnectTimer?.cancel();
    const line = this.line;
    this.line = undefined;
    this.panel = undefined;
    this.alarm = undefined;
    this.emitStatus();
    await line?.close().catch(() => undefined);
  }

  status(): PanelStatus {
    const state = this.phase === 'stopped' ? 'stopped' : this.phase === 'connected' ? 'connected' : 'connecting';
    return {
      state,
      path: this.o.path,
      ...(this.panel && state === 'connected' ? { panel: this.panel } : {}),
      ...(this.alarm ? { alarm: this.alarm } : {}),
    };
  }

  setLeds(leds: LedSet): void {
    const changed: Partial<Record<Led, LedMode>> = {};
    let any = false;
    for (const led of LEDS) {
      if (leds[led] !== this.leds[led]) {
        changed[led] = leds[led];
        any = true;
      }
    }
    this.leds = { ...leds };
    if (any && this.phase === 'connected') this.send({ type: 'led-set', leds: changed });
  }

  beep(pattern: BeepPattern): void {
    if (this.phase === 'connected') this.send({ type: 'beep', pattern });
    else this.log.debug('beep dropped: panel not connected', { pattern });
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.phase = 'opening';
    this.emitStatus();
    let line: PanelLine;
    try {
      line = await this.o.openLine(this.o.path, this.o.baudRate);
    } catch (e) {
      if (gen !== this.generation) return;
      this.raise('PANEL_ABSENT', `cannot open the panel line ${this.o.path}: ${(e as Error).message}`);
      this.retryLater();
      return;
    }
    if (gen !== this.generation) {
      await line.close().catch(() => undefined);
      return;
    }
    this.line = line;
    this.framer = new PanelFramer();
    this.phase = 'handshake';
    line.listen(
      (chunk) => {
        if (gen === this.generation) this.receive(chunk);
      },
      (reason) => {
        if (gen === this.generation) this.lost('PANEL_GONE', `the panel line ${this.o.path} closed (${reason})`);
      },
    );
    this.log.info('panel line open, saying hello');
    this.requestHello();
    this.armSilence();
    this.armHeartbeat();
  }

  private receive(chunk: Uint8Array): void {
    for (const out of this.framer.push(chunk)) {
      if (this.phase === 'stopped' || this.phase === 'waiting') return;
      if (out.kind === 'error') {
        this.log.warn('panel framing error', { code: out.error.code, detail: out.error.message, offset: out.error.offset });
        this.raise('PANEL_GARBAGE', `the panel on ${this.o.path} sent bytes that are not frames (${out.error.code}: ${out.error.message})`);
        this.requestHello();
        continue;
      }
      this.armSilence();
      let msg: PanelMessage;
      let seq: number;
      try {
        ({ seq, message: msg } = decodeFrame(out.frame));
      } catch (e) {
        if (!(e instanceof PanelDecodeError)) throw e;
        this.log.warn('panel frame refused', { code: e.code, detail: e.message });
        const reason = e.code === 'UNSUPPORTED_VERSION' ? 'unsupported-version' : e.code === 'UNKNOWN_TYPE' ? 'unknown-type' : 'bad-payload';
        this.send({ type: 'nak', ackSeq: e.seq, reason });
        if (e.code === 'UNSUPPORTED_VERSION') this.raise('PANEL_VERSION', `the panel on ${this.o.path} speaks another protocol version (${e.message})`);
        continue;
      }
      this.handle(seq, msg);
    }
  }

  private handle(seq: number, m: PanelMessage): void {
    switch (m.type) {
      case 'hello':
        if (!m.reply) this.send({ type: 'hello', reply: true, minor: PROTOCOL_MINOR, id: this.o.hostId, firmware: this.o.hostVersion });
        this.helloPending = false;
        this.connected({ id: m.id, firmware: m.firmware, protocol: `${PROTOCOL_VERSION}.${m.minor}` });
        return;
      case 'heartbeat':
      case 'ack':
        return;
      case 'nak':
        this.log.warn('panel refused a frame', { ackSeq: m.ackSeq, reason: m.reason });
        return;
      case 'key-down':
      case 'key-up': {
        this.send({ type: 'ack', ackSeq: seq });
        const last = this.lastKey;
        const now = this.clock.monotonicMs();
        this.lastKey = { seq, type: m.type, key: m.key, atMs: now };
        // A resend (same SEQ, within the panel's 3 × 200 ms retry window). Time-bounded because
        // SEQ wraps: the same SEQ minutes later is a new press.
        if (last && last.seq === seq && last.type === m.type && last.key === m.key && now - last.atMs < DUPLICATE_WINDOW_MS) return;
        if (this.phase !== 'connected') {
          this.log.warn('key before HELLO ignored', { key: m.key });
          return;
        }
        this.safeEmit('key', { key: m.key, action: m.type === 'key-down' ? 'down' : 'up', at: this.clock.now() });
        return;
      }
      case 'led-set':
      case 'beep':
        // host-to-panel messages coming the wrong way
        this.send({ type: 'nak', ackSeq: seq, reason: 'unknown-type' });
        return;
      default:
        return unreachable(m);
    }
  }

  private connected(info: PanelInfo): void {
    const wasConnected = this.phase === 'connected';
    this.phase = 'connected';
    this.panel = info;
    this.backoffMs = this.o.initialBackoffMs;
    const hadAlarm = this.alarm !== undefined;
    this.alarm = undefined;
    // The whole LED state every time: the panel may have been power-cycled and forgotten it.
    this.send({ type: 'led-set', leds: this.leds });
    if (!wasConnected) this.log.info('panel connected', { panelId: info.id, firmware: info.firmware, protocol: info.protocol });
    else if (hadAlarm) this.log.info('panel alarm cleared');
    if (!wasConnected || hadAlarm) this.emitStatus();
  }

  /** The line is unusable: alarm, close it, try again later. */
  private lost(code: PanelAlarmCode, message: string): void {
    if (this.phase === 'stopped' || this.phase === 'waiting') return;
    this.generation++;
    this.cancelTimers();
    const line = this.line;
    this.line = undefined;
    void line?.close().catch(() => undefined);
    this.phase = 'waiting';
    this.panel = undefined;
    this.raise(code, message);
    this.retryLater();
  }

  private retryLater(): void {
    this.phase = 'waiting';
    this.panel = undefined;
    this.emitStatus();
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.o.maxBackoffMs);
    this.log.debug('panel reconnect scheduled', { delayMs: delay });
    this.reconnectTimer = this.clock.setTimeout(() => void this.connect(), delay);
  }

  private raise(code: PanelAlarmCode, message: string): void {
    if (this.alarm?.code === code) return; // already showing; do not flood the UI
    this.log.warn('panel alarm', { code, detail: message });
    this.alarm = { code, message, since: this.clock.now() };
    this.emitStatus();
  }

  /** One HELLO request outstanding at a time; the heartbeat timer repeats it until answered. */
  private requestHello(): void {
    if (this.helloPending) return;
    this.helloPending = true;
    this.sendHelloRequest();
  }

  private sendHelloRequest(): void {
    this.send({ type: 'hello', reply: false, minor: PROTOCOL_MINOR, id: this.o.hostId, firmware: this.o.hostVersion });
  }

  private send(m: PanelMessage): void {
    const line = this.line;
    if (!line) return;
    const bytes = encodeMessage(m, this.seq);
    this.seq = (this.seq + 1) & 0xff;
    line.write(bytes);
  }

  private armSilence(): void {
    this.silenceTimer?.cancel();
    const gen = this.generation;
    this.silenceTimer = this.clock.setTimeout(() => {
      if (gen !== this.generation) return;
      const what = this.phase === 'connected' ? 'has sent nothing' : 'has not answered HELLO';
      this.lost('PANEL_SILENT', `the panel on ${this.o.path} ${what} for ${this.o.silenceMs} ms`);
    }, this.o.silenceMs);
  }

  private armHeartbeat(): void {
    const gen = this.generation;
    this.heartbeatTimer = this.clock.setTimeout(() => {
      if (gen !== this.generation) return;
      if (this.helloPending) this.sendHelloRequest();
      else this.send({ type: 'heartbeat' });
      this.armHeartbeat();
    }, this.o.heartbeatMs);
  }

  private cancelTimers(): void {
    this.heartbeatTimer?.cancel();
    this.silenceTimer?.cancel();
    this.helloPending = false;
  }

  /** Emits only real changes, so a retry loop does not flood the UI with identical statuses. */
  private emitStatus(): void {
    const s = this.status();
    const key = JSON.stringify([s.state, s.panel, s.alarm?.code, s.alarm?.message]);
    if (key === this.lastStatusKey) return;
    this.lastStatusKey = key;
    this.safeEmit('status', s);
  }

  /** A listener that throws must not break the line handling (nor reach serialport's stream). */
  private safeEmit<K extends keyof ControlPanelEvents>(event: K, ...args: ControlPanelEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ControlPanelEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error('panel event listener threw', { event, error: e });
    }
  }
}

/**
 * HELLO carries at most 12 printable ASCII characters; a longer version string from the
 * configuration ("0.1.0-beta.12+g3f2a") is cut rather than made an error that would stop the
 * panel from ever connecting.
 */
function helloText(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_TEXT);
}

function unreachable(m: never): never {
  throw new Error(`unhandled panel message ${JSON.stringify(m)}`);
}
