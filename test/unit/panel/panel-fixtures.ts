import { encodeMessage } from '../../../device/panel/encode.js';
import type { PanelMessage } from '../../../device/panel/messages.js';
import { BEEP_PATTERNS, LEDS, PANEL_KEYS, type LedMode } from '../../../device/panel/protocol.js';

export interface MessageFixture {
  readonly name: string;
  readonly seq: number;
  readonly message: PanelMessage;
  readonly bytes: Uint8Array;
}

/** One frame of every message shape, every key, LED mode and beep pattern; SEQs chosen so some need escaping. */
export function messageFixtures(): MessageFixture[] {
  const msgs: PanelMessage[] = [
    { type: 'hello', reply: false, minor: 0, id: 'sonicart', firmware: '0.1.0' },
    { type: 'hello', reply: true, minor: 0, id: 'SP-0042', firmware: '1.3.0' },
    { type: 'hello', reply: true, minor: 3, id: '', firmware: '' },
    { type: 'heartbeat' },
    ...PANEL_KEYS.flatMap((key): PanelMessage[] => [{ type: 'key-down', key }, { type: 'key-up', key }]),
    ...(['off', 'on', 'blink'] as LedMode[]).map((mode): PanelMessage => ({ type: 'led-set', leds: Object.fromEntries(LEDS.map((l) => [l, mode])) })),
    { type: 'led-set', leds: { recording: 'blink' } },
    ...BEEP_PATTERNS.map((pattern): PanelMessage => ({ type: 'beep', pattern })),
    { type: 'ack', ackSeq: 0x02 },
    { type: 'ack', ackSeq: 255 },
    { type: 'nak', ackSeq: 0x10, reason: 'unsupported-version' },
    { type: 'nak', ackSeq: 7, reason: 'busy' },
  ];
  return msgs.map((message, i) => {
    const seq = [0, 2, 3, 16, 255, 41][i % 6]!;
    return { name: `${i} ${message.type} ${JSON.stringify(message)} seq ${seq}`, seq, message, bytes: encodeMessage(message, seq) };
  });
}

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0').toUpperCase()).join(' ');
export const unhex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (h) => parseInt(h, 16));
