import { buildFrame } from './frame.js';
import type { PanelMessage } from './messages.js';
import { BEEP_CODES, KEY_CODES, LED_CODES, LED_MODE_CODES, MAX_TEXT, MESSAGE_TYPE, NAK_CODES, PROTOCOL_VERSION, type Led } from './protocol.js';

const PRINTABLE = /^[\x20-\x7e]*$/;

function text(s: string, what: string): number[] {
  if (s.length > MAX_TEXT || !PRINTABLE.test(s)) throw new RangeError(`${what} must be printable ASCII of at most ${MAX_TEXT} characters`);
  return [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
}

function byte(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`${what} ${v} is not a byte`);
  return v;
}

/** Type code and payload of a message. */
export function encodePayload(m: PanelMessage): { type: number; payload: Uint8Array } {
  switch (m.type) {
    case 'hello':
      return { type: MESSAGE_TYPE.HELLO, payload: Uint8Array.from([m.reply ? 1 : 0, byte(m.minor, 'minor'), ...text(m.id, 'id'), ...text(m.firmware, 'firmware')]) };
    case 'heartbeat':
      return { type: MESSAGE_TYPE.HEARTBEAT, payload: new Uint8Array(0) };
    case 'key-down':
      return { type: MESSAGE_TYPE.KEY_DOWN, payload: Uint8Array.of(KEY_CODES[m.key]) };
    case 'key-up':
      return { type: MESSAGE_TYPE.KEY_UP, payload: Uint8Array.of(KEY_CODES[m.key]) };
    case 'led-set': {
      const entries = Object.entries(m.leds).filter((e): e is [Led, NonNullable<(typeof e)[1]>] => e[1] !== undefined);
      if (entries.length === 0) throw new RangeError('led-set names no LED');
      return { type: MESSAGE_TYPE.LED_SET, payload: Uint8Array.from(entries.flatMap(([led, mode]) => [LED_CODES[led], LED_MODE_CODES[mode]])) };
    }
    case 'beep':
      return { type: MESSAGE_TYPE.BEEP, payload: Uint8Array.of(BEEP_CODES[m.pattern]) };
    case 'ack':
      return { type: MESSAGE_TYPE.ACK, payload: Uint8Array.of(byte(m.ackSeq, 'ackSeq')) };
    case 'nak':
      return { type: MESSAGE_TYPE.NAK, payload: Uint8Array.of(byte(m.ackSeq, 'ackSeq'), NAK_CODES[m.reason]) };
    default:
      return unreachable(m);
  }
}

/** The wire bytes of a message sent under `seq`. */
export function encodeMessage(m: PanelMessage, seq: number): Uint8Array {
  const { type, payload } = encodePayload(m);
  return buildFrame({ version: PROTOCOL_VERSION, type, seq, payload });
}

function unreachable(m: never): never {
  throw new Error(`unhandled message ${JSON.stringify(m)}`);
}
