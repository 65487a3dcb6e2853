/**
 * A control panel in software, speaking the same bytes as the real one (device/panel/README.md)
 * over any PanelLine, usually the far end of a socat pty pair. Keys are pressed through methods;
 * what the host asked for (LEDs, beeps, HELLO) is recorded for tests and for `npm start`.
 */
import { EventEmitter } from 'node:events';
import { systemClock, type Clock, type TimerHandle } from '../../device/clock.js';
import {
  ALL_LEDS_OFF, PanelDecodeError, PanelFramer, decodeFrame, encodeMessage, openSerialLine,
  type BeepPattern, type LedSet, type PanelFrameError, type PanelKey, type PanelLine, type PanelMessage, type SequencedMessage,
} from '../../device/panel/index.js';

export interface SimulatedPanelOptions {
  readonly id?: string;
  readonly firmware?: string;
  readonly heartbeatMs?: number;
  readonly clock?: Clock;
  /** Send a HELLO request as soon as the line is open, as a panel does at power-up (default true). */
  readonly announce?: boolean;
}

export class SimulatedPanel extends EventEmitter<{ change: [] }> {
  private readonly framer = new PanelFramer();
  private readonly clock: Clock;
  private seq = 0;
  private muted = false;
  private closed = false;
  private heartbeat: TimerHandle | undefined;
  private ledState: { -readonly [K in keyof LedSet]: LedSet[K] } = { ...ALL_LEDS_OFF };
  readonly beeps: BeepPattern[] = [];
  readonly received: SequencedMessage[] = [];
  readonly frameErrors: PanelFrameError[] = [];
  /** SEQs of our frames that the host acknowledged. */
  readonly acked = new Set<number>();
  hostHello: { id: string; firmware: string } | undefined;

  static async open(path: string, options: SimulatedPanelOptions = {}): Promise<SimulatedPanel> {
    return new SimulatedPanel(await openSerialLine(path, 115200), options);
  }

  constructor(
    private readonly line: PanelLine,
    private readonly options: SimulatedPanelOptions = {},
  ) {
    super();
    this.clock = options.clock ?? systemClock;
    line.listen(
      (chunk) => this.receive(chunk),
      () => {
        this.closed = true;
        this.heartbeat?.cancel();
        this.changed();
      },
    );
    if (options.announce ?? true) this.send({ type: 'hello', reply: false, minor: 0, id: this.id, firmware: this.firmware });
    this.armHeartbeat();
  }

  get id(): string {
    return this.options.id ?? 'SIM-0001';
  }

  get firmware(): string {
    return this.options.firmware ?? 'sim-1.0';
  }

  get leds(): LedSet {
    return { ...this.ledState };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Presses a key; returns the SEQ of the KEY_DOWN frame. */
  press(key: PanelKey): number {
    return this.send({ type: 'key-down', key });
  }

  release(key: PanelKey): number {
    return this.send({ type: 'key-up', key });
  }

  tap(key: PanelKey): void {
    this.press(key);
    this.release(key);
  }

  /** Sends a message under the given SEQ (a resend) or the next one; returns the SEQ. */
  send(m: PanelMessage, seq?: number): number {
    const s = seq ?? this.nextSeq();
    if (!this.closed && !this.muted) this.line.write(encodeMessage(m, s));
    return s;
  }

  /** Writes bytes as they are: garbage, a frame cut in two, a frame of another version. */
  sendRaw(bytes: Uint8Array): void {
    if (!this.closed) this.line.write(bytes);
  }

  /** A hung panel: sends nothing, answers nothing, until unmuted. */
  mute(muted: boolean): void {
    this.muted = muted;
  }

  /** Resolves once `pred(this)` holds (checked now and after every received frame). */
  waitFor(pred: (p: SimulatedPanel) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!pred(this)) return;
        this.off('change', check);
        resolve();
      };
      this.on('change', check);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.heartbeat?.cancel();
    await this.line.close();
  }

  private nextSeq(): number {
    const s = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    return s;
  }

  private armHeartbeat(): void {
    this.heartbeat = this.clock.setTimeout(() => {
      if (this.closed) return;
      this.send({ type: 'heartbeat' });
      this.armHeartbeat();
    }, this.options.heartbeatMs ?? 1000);
  }

  private receive(chunk: Uint8Array): void {
    if (this.muted) return;
    for (const out of this.framer.push(chunk)) {
      if (out.kind === 'error') {
        this.frameErrors.push(out.error);
        continue;
      }
      let sm: SequencedMessage;
      try {
        sm = decodeFrame(out.frame);
      } catch (e) {
        if (!(e instanceof PanelDecodeError)) throw e;
        this.send({ type: 'nak', ackSeq: e.seq, reason: e.code === 'UNSUPPORTED_VERSION' ? 'unsupported-version' : e.code === 'UNKNOWN_TYPE' ? 'unknown-type' : 'bad-payload' });
        continue;
      }
      this.received.push(sm);
      const m = sm.message;
      switch (m.type) {
        case 'hello':
          this.hostHello = { id: m.id, firmware: m.firmware };
          if (!m.reply) this.send({ type: 'hello', reply: true, minor: 0, id: this.id, firmware: this.firmware });
          break;
        case 'led-set':
          Object.assign(this.ledState, m.leds);
          this.send({ type: 'ack', ackSeq: sm.seq });
          break;
        case 'beep':
          this.beeps.push(m.pattern);
          this.send({ type: 'ack', ackSeq: sm.seq });
          break;
        case 'ack':
          this.acked.add(m.ackSeq);
          break;
        case 'key-down':
        case 'key-up':
          this.send({ type: 'nak', ackSeq: sm.seq, reason: 'unknown-type' });
          break;
        case 'heartbeat':
        case 'nak':
          break;
        default:
          m satisfies never;
      }
    }
    this.changed();
  }

  private changed(): void {
    this.emit('change');
  }
}
