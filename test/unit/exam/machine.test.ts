/**
 * Every cell of the exam table, present and absent: the expected workflow is transcribed here
 * independently (one line per transition, as a sonographer would describe it), and each of the
 * 9 states × 13 events is checked against step().
 */
import { describe, expect, it } from 'vitest';
import type { ExamState } from '../../../device/device.js';
import { ExamRefusal, step } from '../../../device/exam/machine.js';
import { EXAM_EVENTS, EXAM_STATES, type ExamEventName } from '../../../device/exam/table.js';

const END = 'capture-stop close-exam enqueue-sends mpps-completed export-if-configured';
const CANCEL = 'capture-stop close-exam mpps-discontinued';
const EXPECTED: Record<string, string> = {
  'idle select': 'patient-selected: open-exam',
  'patient-selected start': 'live: capture-live mpps-in-progress',
  'patient-selected cancel': 'cancelled: close-exam',
  'live freeze': 'frozen: capture-freeze',
  'live store-still': 'storing-live: store-instance',
  'live store-cine-prospective': 'storing-live: store-instance',
  'live store-cine-retrospective': 'storing-live: store-instance',
  'live store-screen': 'storing-live: store-instance',
  'live review': 'review: capture-freeze',
  'live end': `ended: ${END}`,
  'live cancel': `cancelled: ${CANCEL}`,
  'frozen unfreeze': 'live: capture-live',
  'frozen store-still': 'storing-frozen: store-instance',
  'frozen store-cine-retrospective': 'storing-frozen: store-instance',
  'frozen store-screen': 'storing-frozen: store-instance',
  'frozen review': 'review: ',
  'frozen end': `ended: ${END}`,
  'frozen cancel': `cancelled: ${CANCEL}`,
  'storing-live stored': 'live: ',
  'storing-live store-failed': 'live: ',
  'storing-frozen stored': 'frozen: ',
  'storing-frozen store-failed': 'frozen: ',
  'review unfreeze': 'live: capture-live',
  'review freeze': 'frozen: ',
  'review end': `ended: ${END}`,
  'review cancel': `cancelled: ${CANCEL}`,
  'ended select': 'patient-selected: open-exam',
  'cancelled select': 'patient-selected: open-exam',
};

const cells: [ExamState, ExamEventName][] = EXAM_STATES.flatMap((s) => EXAM_EVENTS.map((e): [ExamState, ExamEventName] => [s, e]));

describe('exam state machine: every cell', () => {
  it('covers 9 states × 13 events', () => expect(cells).toHaveLength(117));
  it('every expected transition names a real state and event', () => {
    for (const k of Object.keys(EXPECTED)) {
      const [s, e] = k.split(' ') as [ExamState, ExamEventName];
      expect(EXAM_STATES).toContain(s);
      expect(EXAM_EVENTS).toContain(e);
    }
  });
  it.each(cells)('%s × %s', (state, event) => {
    const expected = EXPECTED[`${state} ${event}`];
    if (expected === undefined) {
      let err: unknown;
      try {
        step(state, event);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ExamRefusal);
      expect(err).toMatchObject({ code: 'EXAM_REFUSED', state, event });
      expect((err as Error).message).toMatch(/ is not possible /);
    } else {
      const r = step(state, event);
      expect(`${r.next}: ${r.effects.join(' ')}`).toBe(expected);
      expect(r.from).toBe(state);
    }
  });
  it('a refusal says what and where in words', () => {
    expect(() => step('frozen', 'store-cine-prospective')).toThrow('recording a prospective cine is not possible while frozen (a prospective cine needs the live image)');
    expect(() => step('idle', 'store-still')).toThrow('storing a still is not possible without an exam (start one first)');
  });
});
