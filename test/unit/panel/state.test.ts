import { describe, expect, it } from 'vitest';
import { beepFor, ledsFor, type PanelDeviceStatus } from '../../../device/panel/state.js';

const idle: PanelDeviceStatus = { frozen: false, recording: false, sending: 'idle', media: 'idle', alarms: 0, failedJobs: 0, stored: 0 };

describe('LEDs from the device state', () => {
  it('an idle cart shows nothing', () => {
    expect(ledsFor(idle)).toEqual({ freeze: 'off', recording: 'off', sending: 'off', 'media-busy': 'off', error: 'off' });
  });
  const rows: [Partial<PanelDeviceStatus>, Partial<ReturnType<typeof ledsFor>>][] = [
    [{ frozen: true }, { freeze: 'on' }],
    [{ recording: true }, { recording: 'blink' }],
    [{ sending: 'active' }, { sending: 'blink' }],
    [{ sending: 'waiting' }, { sending: 'on' }],
    [{ media: 'exporting' }, { 'media-busy': 'blink' }],
    [{ media: 'ejecting' }, { 'media-busy': 'on' }],
    [{ alarms: 1 }, { error: 'blink' }],
    [{ failedJobs: 2 }, { error: 'on' }],
    [{ alarms: 1, failedJobs: 2 }, { error: 'blink' }], // the alarm needs attention first
    [{ stored: 5 }, {}],
  ];
  for (const [change, leds] of rows) {
    it(JSON.stringify(change), () => expect(ledsFor({ ...idle, ...change })).toEqual({ ...ledsFor(idle), ...leds }));
  }
});

describe('the beep of a transition', () => {
  const rows: [string, Partial<PanelDeviceStatus>, Partial<PanelDeviceStatus>, ReturnType<typeof beepFor>][] = [
    ['nothing changed', {}, {}, undefined],
    ['freeze', {}, { frozen: true }, 'click'],
    ['unfreeze', { frozen: true }, {}, 'click'],
    ['recording starts', {}, { recording: true }, 'click'],
    ['recording ends without a stored cine', { recording: true }, {}, undefined],
    ['a still stored', {}, { stored: 1 }, 'confirm'],
    ['a cine stored as recording ends', { recording: true, stored: 1 }, { stored: 2 }, 'confirm'],
    ['a new alarm', {}, { alarms: 1 }, 'warning'],
    ['an alarm cleared', { alarms: 1 }, {}, undefined],
    ['a job failed', {}, { failedJobs: 1 }, 'warning'],
    ['a failure and a store together: the failure is heard', {}, { failedJobs: 1, stored: 1 }, 'warning'],
    ['medium safe to remove', { media: 'ejecting' }, {}, 'confirm'],
    ['export ends', { media: 'exporting' }, {}, undefined],
    ['sending starts', {}, { sending: 'active' }, undefined],
  ];
  for (const [what, a, b, beep] of rows) it(what, () => expect(beepFor({ ...idle, ...a }, { ...idle, ...b })).toBe(beep));
});
