/** The examples in device/panel/README.md are real frames: decode each, re-encode it, compare. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc16Ccitt } from '../../../device/panel/crc16.js';
import { decodeFrame } from '../../../device/panel/decode.js';
import { encodeMessage } from '../../../device/panel/encode.js';
import { PanelFramer } from '../../../device/panel/framer.js';
import { BEEP_CODES, KEY_CODES, LED_CODES, LED_MODE_CODES, MESSAGE_TYPE, NAK_CODES } from '../../../device/panel/protocol.js';
import { hex, unhex } from './panel-fixtures.js';

const readme = readFileSync(resolve(import.meta.dirname, '../../../device/panel/README.md'), 'utf8');
const rows = [...readme.matchAll(/^\| `(\{.*\})` \| (\d+) \| `([0-9A-F ]+)` \|$/gm)].map((m) => ({ message: JSON.parse(m[1]!), seq: Number(m[2]), bytes: m[3]! }));

describe('README example frames', () => {
  it('there are examples of every message type', () => {
    expect(new Set(rows.map((r) => r.message.type))).toEqual(new Set(['hello', 'heartbeat', 'key-down', 'key-up', 'led-set', 'beep', 'ack', 'nak']));
  });
  for (const r of rows) {
    it(`${r.message.type} seq ${r.seq}`, () => {
      const out = new PanelFramer().push(unhex(r.bytes));
      expect(out).toHaveLength(1);
      expect(out[0]!.kind === 'frame' && decodeFrame(out[0]!.frame)).toEqual({ seq: r.seq, message: r.message });
      expect(hex(encodeMessage(r.message, r.seq))).toBe(r.bytes);
    });
  }
  it('the CRC is CRC-16/CCITT-FALSE (check value 0x29B1)', () => {
    expect(crc16Ccitt(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
});

describe('README tables agree with protocol.ts', () => {
  const has = (re: RegExp) => expect(readme).toMatch(re);
  const h2 = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
  it('message types', () => {
    for (const [name, code] of Object.entries(MESSAGE_TYPE)) has(new RegExp(`\\| \`0x${h2(code)}\`[^|]*\\| ${name} \\|`));
  });
  it('keys, LEDs, modes, patterns, NAK reasons', () => {
    const word = (s: string) => s.replace('-', '[ -]');
    for (const [name, code] of Object.entries(KEY_CODES)) has(new RegExp(`\\| \`${h2(code)}\` \\| ${word(name)}`));
    for (const [name, code] of Object.entries(LED_CODES)) has(new RegExp(`\\| \`${h2(code)}\` \\| ${word(name)} \\|`));
    for (const [name, code] of Object.entries(LED_MODE_CODES)) has(new RegExp(`\\| \`${h2(code)}\` \\| ${name}`));
    for (const [name, code] of Object.entries(BEEP_CODES)) has(new RegExp(`\\| \`${h2(code)}\` \\| ${name}`));
    for (const [name, code] of Object.entries(NAK_CODES)) has(new RegExp(`\\| \`${h2(code)}\` \\| ${word(name)}`));
  });
});
