import { PanelDecodeError } from './errors.js';
import type { RawFrame } from './frame.js';
import type { PanelMessage, SequencedMessage } from './messages.js';
import {
  BEEP_CODES, KEY_CODES, LED_CODES, LED_MODE_CODES, MAX_TEXT, MESSAGE_TYPE, NAK_CODES, PROTOCOL_VERSION, nameOf,
  type Led, type LedMode,
} from './protocol.js';

/** Interprets a frame; throws PanelDecodeError (the caller answers it with a NAK). */
export function decodeFrame(f: RawFrame): SequencedMessage {
  const bad = (why: string): PanelDecodeError => new PanelDecodeError('BAD_PAYLOAD', `type 0x${f.type.toString(16)}: ${why}`, f.type, f.seq);
  if (f.version !== PROTOCOL_VERSION) {
    throw new PanelDecodeError('UNSUPPORTED_VERSION', `protocol version ${f.version}, this host speaks ${PROTOCOL_VERSION}`, f.type, f.seq);
  }
  const p = f.payload;
  const exact = (n: number): void => {
    if (p.length !== n) throw bad(`payload of ${p.length} bytes, expected ${n}`);
  };
  const lookup = <T extends Record<string, number>>(table: T, code: number, what: string): keyof T => {
    const name = nameOf(table, code);
    if (name === undefined) throw bad(`unknown ${what} 0x${code.toString(16)}`);
    return name;
  };
  let message: PanelMessage;
  switch (f.type) {
    case MESSAGE_TYPE.HELLO: {
      let o = 2;
      const text = (what: string): string => {
        const n = p[o];
        if (n === undefined || n > MAX_TEXT || o + 1 + n > p.length) throw bad(`${what} runs past the payload`);
        const s = String.fromCharCode(...p.subarray(o + 1, o + 1 + n));
        if (!/^[\x20-\x7e]*$/.test(s)) throw bad(`${what} is not printable ASCII`);
        o += 1 + n;
        return s;
      };
      if (p.length < 4) throw bad('too short');
      if (p[0]! > 1) throw bad(`flags 0x${p[0]!.toString(16)}`);
      const id = text('id');
      const firmware = text('firmware');
      if (o !== p.length) throw bad(`${p.length - o} bytes after the firmware`);
      message = { type: 'hello', reply: p[0] === 1, minor: p[1]!, id, firmware };
      break;
    }
    case MESSAGE_TYPE.HEARTBEAT:
      exact(0);
      message = { type: 'heartbeat' };
      break;
    case MESSAGE_TYPE.KEY_DOWN:
    case MESSAGE_TYPE.KEY_UP: {
      exact(1);
      const key = lookup(KEY_CODES, p[0]!, 'key');
      message = f.type === MESSAGE_TYPE.KEY_DOWN ? { type: 'key-down', key } : { type: 'key-up', key };
      break;
    }
    case MESSAGE_TYPE.LED_SET: {
      if (p.length === 0 || p.length % 2 !== 0) throw bad(`payload of ${p.length} bytes is not LED/mode pairs`);
      const leds: Partial<Record<Led, LedMode>> = {};
      for (let i = 0; i < p.length; i += 2) {
        const led = lookup(LED_CODES, p[i]!, 'LED');
        if (leds[led] !== undefined) throw bad(`LED ${led} named twice`);
        leds[led] = lookup(LED_MODE_CODES, p[i + 1]!, 'LED mode');
      }
      message = { type: 'led-set', leds };
      break;
    }
    case MESSAGE_TYPE.BEEP:
      exact(1);
      message = { type: 'beep', pattern: lookup(BEEP_CODES, p[0]!, 'beep pattern') };
      break;
    case MESSAGE_TYPE.ACK:
      exact(1);
      message = { type: 'ack', ackSeq: p[0]! };
      break;
    case MESSAGE_TYPE.NAK:
      exact(2);
      message = { type: 'nak', ackSeq: p[0]!, reason: lookup(NAK_CODES, p[1]!, 'NAK reason') };
      break;
    default:
      throw new PanelDecodeError('UNKNOWN_TYPE', `unknown message type 0x${f.type.toString(16)}`, f.type, f.seq);
  }
  return { seq: f.seq, message };
}
