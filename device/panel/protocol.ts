/**
 * The constants of the panel line protocol (device/panel/README.md is the prose version; the
 * two must agree, and test/unit/panel/protocol-doc.test.ts checks the README's example frames
 * against these tables).
 */

/** Start of frame. Never appears inside a frame (it is escaped there). */
export const STX = 0x02;
/** End of frame. Never appears inside a frame. */
export const ETX = 0x03;
/** Escape: the next byte is the real byte XOR ESCAPE_XOR. */
export const DLE = 0x10;
export const ESCAPE_XOR = 0x20;

/** Protocol major version carried in every frame; a frame of another version is refused (NAK). */
export const PROTOCOL_VERSION = 1;
/** Minor version announced in HELLO: additions that an older peer may ignore. */
export const PROTOCOL_MINOR = 0;

/** Header bytes before the payload: version, type, sequence, payload length. */
export const HEADER_LENGTH = 4;
export const CRC_LENGTH = 2;
/** Largest payload of any message (HELLO with two 12-byte strings is the biggest: 28). */
export const MAX_PAYLOAD = 32;
/** Largest unescaped frame body (header + payload + CRC): the framer's buffer bound. */
export const MAX_BODY = HEADER_LENGTH + MAX_PAYLOAD + CRC_LENGTH;
/** HELLO's panel id and firmware strings: printable ASCII, at most this long each. */
export const MAX_TEXT = 12;

/**
 * Type codes are ASCII mnemonics ('H', 'B', 'K', 'k', 'L', 'S') so that a frame reads on a
 * logic analyser, and ACK/NAK are the ASCII control characters; none of them needs escaping.
 */
export const MESSAGE_TYPE = {
  ACK: 0x06,
  NAK: 0x15,
  HEARTBEAT: 0x42, // 'B'eat
  HELLO: 0x48, // 'H'
  KEY_DOWN: 0x4b, // 'K'
  LED_SET: 0x4c, // 'L'
  BEEP: 0x53, // 'S'ound
  KEY_UP: 0x6b, // 'k'
} as const;

/** Keys of the panel and the footswitch, by wire code. */
export const KEY_CODES = {
  freeze: 0x01,
  still: 0x02,
  cine: 0x03,
  'end-exam': 0x04,
  export: 0x05,
  footswitch: 0x06,
} as const;
export type PanelKey = keyof typeof KEY_CODES;
export const PANEL_KEYS = Object.keys(KEY_CODES) as PanelKey[];

export const LED_CODES = {
  freeze: 0x01,
  recording: 0x02,
  sending: 0x03,
  'media-busy': 0x04,
  error: 0x05,
} as const;
export type Led = keyof typeof LED_CODES;
export const LEDS = Object.keys(LED_CODES) as Led[];

export const LED_MODE_CODES = { off: 0x00, on: 0x01, blink: 0x02 } as const;
export type LedMode = keyof typeof LED_MODE_CODES;

export const BEEP_CODES = {
  /** Stop any sound (ends `alarm`). */
  silence: 0x00,
  /** One 30 ms click: a key was taken. */
  click: 0x01,
  /** Two short beeps: an action succeeded (still stored, exam sent). */
  confirm: 0x02,
  /** Three long beeps: an action failed. */
  warning: 0x03,
  /** Repeating until `silence`: an alarm needs attention. */
  alarm: 0x04,
} as const;
export type BeepPattern = keyof typeof BEEP_CODES;
export const BEEP_PATTERNS = Object.keys(BEEP_CODES) as BeepPattern[];

export const NAK_CODES = {
  'unsupported-version': 0x01,
  'unknown-type': 0x02,
  'bad-payload': 0x03,
  busy: 0x04,
} as const;
export type NakReason = keyof typeof NAK_CODES;

/** Reverse lookup of one of the tables above; undefined for a code not in it. */
export function nameOf<T extends Record<string, number>>(table: T, code: number): keyof T | undefined {
  for (const k in table) if (table[k] === code) return k;
  return undefined;
}
