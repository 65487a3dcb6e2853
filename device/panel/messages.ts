import type { BeepPattern, Led, LedMode, NakReason, PanelKey } from './protocol.js';

/** The messages of the panel protocol (README.md, "Messages"); `type` discriminates. */
export type PanelMessage =
  | {
      readonly type: 'hello';
      /** A request asks the other side for its HELLO; a reply is never answered (no ping-pong). */
      readonly reply: boolean;
      readonly minor: number;
      /** The panel's serial number, or the host's name. Printable ASCII, ≤ 12 characters. */
      readonly id: string;
      readonly firmware: string;
    }
  | { readonly type: 'heartbeat' }
  | { readonly type: 'key-down'; readonly key: PanelKey }
  | { readonly type: 'key-up'; readonly key: PanelKey }
  /** Sets the LEDs named; the others keep their mode. */
  | { readonly type: 'led-set'; readonly leds: Readonly<Partial<Record<Led, LedMode>>> }
  | { readonly type: 'beep'; readonly pattern: BeepPattern }
  | { readonly type: 'ack'; readonly ackSeq: number }
  | { readonly type: 'nak'; readonly ackSeq: number; readonly reason: NakReason };

export type PanelMessageType = PanelMessage['type'];

/** A message with the frame sequence number it travelled under. */
export interface SequencedMessage {
  readonly seq: number;
  readonly message: PanelMessage;
}
